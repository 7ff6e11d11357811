"""The ledger's files: append-only segments of sealed records, and a two-slot sealed checkpoint.

Layout of a ledger folder (0700, files 0600)::

    head               the checkpoint: two fixed-size slots, each sealed, each naming (seq, hash) of the tail
    seg-000001.log     entries 1..N, one sealed record per line
    seg-000002.log     ...
    seg-000001.idx     a sealed summary of a closed segment, so open need not decrypt it line by line
    lock               flock'd by the one process that writes

A record line is ``<seq> <base64url(nonce || AES-256-GCM ciphertext+tag)>\\n``. The sequence number is in
clear so a reader can tell a deleted or reordered line from a damaged one; it leaks nothing the file size
does not. The associated data is ``proffer-ledger:v1:entry:<segment>:<seq>``: a record copied to another
line, another segment file or another ledger's key fails authentication. No site name or value is ever in
clear: the only plaintext on disk is sequence numbers and file names.

Appending never rewrites: one ``write`` on an ``O_APPEND`` descriptor and one ``fdatasync``, so the cost is
the same at entry 100,000 as at entry 1. A crash mid-write can leave a torn last line; it was never
acknowledged, and the next open cuts it off (see ``store``).

The checkpoint exists to catch truncation: deleting the last entries leaves a chain that verifies by itself.
It is written after the segment line is durable, into slot ``seq % 2``, in place: a torn slot write damages
one slot and leaves the other (seq - 1) intact, so a crash never leaves no checkpoint. Each slot is sealed
with its slot number in the associated data, so slots cannot be swapped or forged.

The slot write is not followed by its own ``fdatasync``. A killed process loses nothing (the write is in the
page cache); only a power cut can leave the on-disk checkpoint a few entries behind the segments. That is
harmless: entries past the checkpoint are accepted, because only the key holder can seal an entry that
authenticates and links into the chain — the checkpoint guards against entries *missing*, never extra
ones. Skipping that sync halves the syncs per append (the append budget is 5 ms at p95).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from companion.storage import fsync_dir

KEY_BYTES = 32
NONCE_BYTES = 12
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
HEAD_FILE = "head"
LOCK_FILE = "lock"
SLOT_BYTES = 256
SEGMENT_NAME = re.compile(r"seg-(\d{6})\.log")
_LENGTH = struct.Struct(">H")


def derive(key: bytes, purpose: str) -> bytes:
    """A sub-key per use, so the record key and the checkpoint key are never the same key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=f"proffer-ledger:v1:{purpose}".encode()
    ).derive(key)


class LedgerKeys:
    """The AEADs the ledger needs, derived from the one key it is given."""

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
            raise ValueError(f"the ledger key is {KEY_BYTES} bytes")
        self.entries = AESGCM(derive(bytes(key), "entries"))
        self.head = AESGCM(derive(bytes(key), "head"))
        self.summary = AESGCM(derive(bytes(key), "summary"))


def entry_aad(segment: int, seq: int) -> bytes:
    return f"proffer-ledger:v1:entry:{segment}:{seq}".encode("ascii")


def seal_line(keys: LedgerKeys, segment: int, seq: int, plaintext: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + keys.entries.encrypt(nonce, plaintext, entry_aad(segment, seq))
    return b"%d " % seq + base64.urlsafe_b64encode(sealed) + b"\n"


def split_line(line: bytes) -> tuple[int, bytes]:
    """(seq, sealed bytes) of a complete line; ValueError if it is not a record line at all."""
    if not line.endswith(b"\n"):
        raise ValueError("the line is incomplete (no line end)")
    seq_text, _, body = line[:-1].partition(b" ")
    if not seq_text.isdigit() or not body:
        raise ValueError("the line is not a ledger record")
    # base64.urlsafe_b64decode, without its checks and copies around the same C call: a quarter faster, and
    # every record read back goes through here. binascii.Error is a ValueError.
    sealed = binascii.a2b_base64(body.translate(_URLSAFE_TO_STANDARD))
    if len(sealed) < NONCE_BYTES + 16:
        raise ValueError("the record is too short")
    return int(seq_text), sealed


def open_sealed(keys: LedgerKeys, segment: int, seq: int, sealed: bytes) -> bytes | None:
    """The plaintext, or None when the record does not authenticate at (segment, seq)."""
    try:
        return keys.entries.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], entry_aad(segment, seq))
    except InvalidTag:
        return None


def segment_path(folder: Path, number: int) -> Path:
    return folder / f"seg-{number:06d}.log"


def list_segments(folder: Path) -> list[tuple[int, Path]]:
    """The segment files present, by number; other files are not the ledger's business."""
    found = []
    for path in folder.iterdir():
        match = SEGMENT_NAME.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def read_lines(path: Path) -> list[tuple[int, bytes]]:
    """(offset, line) for each line; the last one may lack its line end (a torn write)."""
    return split_lines(path.read_bytes())


def split_lines(data: bytes) -> list[tuple[int, bytes]]:
    lines: list[tuple[int, bytes]] = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        lines.append((start, data[start:end]))
        start = end
    return lines


# --- the checkpoint ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    seq: int  # the last acknowledged entry (0 for an empty ledger)
    hash: str  # its hash (chain.GENESIS for an empty ledger)
    segment: int  # the segment it is in (0 for an empty ledger)


def _slot_aad(slot: int) -> bytes:
    return f"proffer-ledger:v1:head:{slot}".encode("ascii")


def seal_slot(keys: LedgerKeys, slot: int, checkpoint: Checkpoint) -> bytes:
    body = json.dumps({"seq": checkpoint.seq, "hash": checkpoint.hash, "segment": checkpoint.segment}).encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + keys.head.encrypt(nonce, body, _slot_aad(slot))
    record = _LENGTH.pack(len(sealed)) + sealed
    if len(record) > SLOT_BYTES:
        raise ValueError("a checkpoint does not fit its slot")
    return record.ljust(SLOT_BYTES, b"\0")


def open_slot(keys: LedgerKeys, slot: int, raw: bytes) -> Checkpoint | None:
    """The checkpoint in one slot, or None if the slot is empty, torn or forged."""
    if len(raw) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack_from(raw)
    sealed = raw[_LENGTH.size : _LENGTH.size + length]
    if length < NONCE_BYTES + 16 or len(sealed) != length:
        return None
    try:
        body = json.loads(keys.head.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _slot_aad(slot)))
        return Checkpoint(seq=int(body["seq"]), hash=str(body["hash"]), segment=int(body["segment"]))
    except (InvalidTag, ValueError, KeyError, TypeError):
        return None


def read_slots(path: Path, keys: LedgerKeys) -> tuple[Checkpoint | None, Checkpoint | None] | None:
    """Both slots of the checkpoint file, or None when there is no checkpoint file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return (
        open_slot(keys, 0, raw[:SLOT_BYTES]),
        open_slot(keys, 1, raw[SLOT_BYTES : 2 * SLOT_BYTES]),
    )


def newest(slots: tuple[Checkpoint | None, Checkpoint | None]) -> Checkpoint | None:
    valid = [s for s in slots if s is not None]
    return max(valid, key=lambda c: c.seq) if valid else None


def write_slot(fd: int, keys: LedgerKeys, checkpoint: Checkpoint) -> None:
    """Overwrite the slot for this seq in place (no sync: see the module notes)."""
    slot = checkpoint.seq % 2
    os.pwrite(fd, seal_slot(keys, slot, checkpoint), slot * SLOT_BYTES)


def create_head(path: Path, keys: LedgerKeys, checkpoint: Checkpoint) -> None:
    """A new checkpoint file with both slots set, written whole before it is renamed into place."""
    tmp = path.with_name(f".{path.name}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, seal_slot(keys, 0, checkpoint) + seal_slot(keys, 1, checkpoint))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)
