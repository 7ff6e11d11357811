"""Sealed per-segment summaries: what ``open`` needs from a closed segment, without opening every record.

Opening a ledger means building the index, and decrypting and parsing 100,000 records one by one takes
seconds. A segment never changes once the ledger has moved on to the next one, so when it closes the
ledger writes ``seg-NNNNNN.idx`` beside it: the index fields of each entry (no labels, origins or terms),
sealed with AES-256-GCM under its own derived key, bound by the associated data to the segment number and
by a SHA-256 inside to the segment file's exact bytes.

A summary is a cache, never the record: if it is missing, damaged, or the segment's bytes differ from what
it was made from, ``open`` reads the segment line by line instead (and writes a fresh summary), and
``verify`` never uses summaries at all.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag

from companion.ledger import disk
from companion.storage import atomic_write

INDEX_KEYS = ("seq", "id", "time", "site", "purpose", "decision", "hash", "prev_hash")


def summary_path(folder: Path, segment: int) -> Path:
    return folder / f"seg-{segment:06d}.idx"


def compact(document: dict[str, Any], offset: int, length: int) -> dict[str, Any]:
    """The part of an entry the index needs, and where its line is."""
    row = {k: document[k] for k in INDEX_KEYS}
    row["fields"] = [
        {"type": f["type"], "fingerprint": f.get("fingerprint"), "value_id": f.get("value_id")}
        for f in document["fields"]
    ]
    row["offset"] = offset
    row["length"] = length
    return row


def _aad(segment: int) -> bytes:
    return f"proffer-ledger:v1:summary:{segment}".encode("ascii")


def write_summary(folder: Path, keys: disk.LedgerKeys, segment: int, rows: list[dict[str, Any]]) -> None:
    data = disk.segment_path(folder, segment).read_bytes()
    body = json.dumps(
        {"segment": segment, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "rows": rows},
        separators=(",", ":"),
    ).encode()
    nonce = os.urandom(disk.NONCE_BYTES)
    atomic_write(summary_path(folder, segment), nonce + keys.summary.encrypt(nonce, body, _aad(segment)))


def read_summary(folder: Path, keys: disk.LedgerKeys, segment: int, data: bytes) -> list[dict[str, Any]] | None:
    """The rows of a summary that matches ``data`` (the segment file's bytes), or None to read it in full."""
    try:
        blob = summary_path(folder, segment).read_bytes()
        body = json.loads(keys.summary.decrypt(blob[: disk.NONCE_BYTES], blob[disk.NONCE_BYTES :], _aad(segment)))
    except (OSError, InvalidTag, ValueError):
        return None
    if body.get("size") != len(data) or body.get("sha256") != hashlib.sha256(data).hexdigest():
        return None
    rows = body.get("rows")
    return rows if isinstance(rows, list) and rows else None
