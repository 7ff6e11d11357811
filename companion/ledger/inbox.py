"""The ledger's inbox: corrections accepted while the vault is locked, kept sealed until it opens.

A ``fill.report`` may come while the vault is locked, and appending its "undelivered" entries needs the
ledger's key, which the lock took away. They wait here, and are appended, as of their arrival, the next time
the vault opens. Each report is on disk before it is answered, so a companion stopped before that loses
nothing; and what it holds (site, page, frame, each field's type, label, value id and keyed fingerprint —
never a value) is sealed so that only the open vault can read it back.

Layout of the inbox folder (``<data dir>/ledger-inbox``, 0700; files 0600)::

    key.pub              the inbox's X25519 public key, in clear: it lets a record be sealed, never read
    <16 hex>.sealed      one held report each
    <16 hex>.unreadable  a record that could not be read back: set aside, never deleted

**Keys.** The private key is never stored: it is the vault's ``subkey("ledger-inbox")`` taken as an X25519
scalar, so it exists only while the vault is open and there is no second secret file to lose or keep in
step with the public one. ``publish`` (at every open) writes the public key when it is missing — a vault
from before the inbox gets it at its first open — or differs. Until the file exists a locked companion holds
reports in memory, as it did before the inbox, and says so in its log. Once this process has seen the vault
open, it seals to the public key it derived then, not to the file.

**Records.** ``MAGIC || ephemeral X25519 public key (32) || nonce (12) || AES-256-GCM ciphertext+tag``. Each
record has a fresh key pair; its shared secret with the inbox key goes through HKDF-SHA256 (salt: both
public keys; info: the context and the record's purpose), and the associated data names the format, the
context, the purpose and the record's file name, so a record copied to another name does not open. The
plaintext is JSON: the arrival time and the drafts.

**Writing.** Each record is a file of its own, written with ``atomic_write`` (temp file, fsync, rename,
fsync of the folder): a new record never touches the earlier ones, and a crash mid-write leaves a temp file,
never half a record under a record's name.

**Reading** (``deliver``). Every record, and every temp file a crash left behind (the torn last record: a
write cut short, whose report was never answered), is opened; those that authenticate and parse are handed
over oldest first, and each is removed once its entries are appended. One that does not (or is not a
regular file: a link is not followed, a pipe not read) is renamed ``.unreadable``, named in the log, and the
others go on. Whoever appends makes the hand-over idempotent (see ``companion.fill``), so a crash between
appending a report and removing its record duplicates nothing. ``set_aside`` counts the records set aside, by
their names only (never opened), for the dashboard to say that the ledger lacks those corrections.
"""

from __future__ import annotations

import base64
import binascii
import errno
import json
import logging
import os
import re
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import ValidationError

from companion.ledger.model import Decision, LedgerDraft
from companion.storage import atomic_write, fsync_dir

log = logging.getLogger(__name__)

KEY_FILE = "key.pub"
KEY_HEADER = "proffer-ledger-inbox:v1 x25519 "
MAGIC = b"PRINBX1\n"  # the record format, version 1
CONTEXT = b"proffer-ledger-inbox:v1"
PURPOSE = b"held-fill-report"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAX_RECORD_BYTES = 4 * 1024 * 1024  # a report is at most 1 MiB on the wire; anything far larger is not one
RECORD = re.compile(r"[0-9a-f]{16}\.sealed")
# What ``atomic_write`` leaves of a record when it is cut short: ``.<record name>.<random>.tmp``.
UNFINISHED = re.compile(r"\.([0-9a-f]{16}\.sealed)\.[a-z0-9_]+\.tmp")
SET_ASIDE = re.compile(r"[0-9a-f]{16}\.unreadable")


class RecordUnreadable(Exception):
    """A held record that does not authenticate or parse; the message says what is wrong."""


class HeldReportRefused(Exception):
    """Raised by a ``deliver`` callback: the report reads, but does not fit the ledger. It is set aside."""


@dataclass(frozen=True)
class HeldReport:
    """The "undelivered" entries of one report accepted while the vault was locked, and when it came."""

    arrived: datetime
    drafts: tuple[LedgerDraft, ...]

    def __post_init__(self) -> None:
        if self.arrived.tzinfo is None:
            raise ValueError("a held report's arrival time needs a time zone")
        if not self.drafts or any(d.decision is not Decision.UNDELIVERED for d in self.drafts):
            raise ValueError("a held report is one or more undelivered entries, and nothing else")

    def dump(self) -> bytes:
        document = {"arrived": self.arrived.isoformat(), "drafts": [d.model_dump(mode="json") for d in self.drafts]}
        # ASCII, as the ledger's own records: a page's label may hold a lone surrogate, which UTF-8 cannot encode.
        return json.dumps(document, ensure_ascii=True, separators=(",", ":")).encode("ascii")

    @classmethod
    def parse(cls, data: bytes) -> HeldReport:
        try:
            document = json.loads(data)
            drafts = tuple(LedgerDraft.model_validate(d) for d in document["drafts"])
            return cls(datetime.fromisoformat(document["arrived"]), drafts)
        except (ValueError, TypeError, KeyError, ValidationError) as exc:
            raise RecordUnreadable(f"decrypted, but not a held report ({exc})") from None


@dataclass(frozen=True)
class _Held:
    report: HeldReport
    path: Path | None = None  # None: held in memory
    name: str = ""  # the record's name, which its associated data binds (a cut-short write's: the one it was for)


def inbox_private_key(key: bytes) -> X25519PrivateKey:
    """The inbox's private key: ``key`` (the vault's inbox subkey) as an X25519 scalar."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"the inbox key is {KEY_BYTES} bytes")
    return X25519PrivateKey.from_private_bytes(bytes(key))


def _box_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient, info=CONTEXT + b":" + PURPOSE)
    return AESGCM(hkdf.derive(shared))


def _aad(name: str) -> bytes:
    return MAGIC + CONTEXT + b"\x00" + PURPOSE + b"\x00" + name.encode("ascii")


def seal_record(public: X25519PublicKey, plaintext: bytes, name: str) -> bytes:
    """``plaintext`` sealed to ``public`` for the record file ``name``; only the private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    aead = _box_key(ephemeral.exchange(public), ephemeral_public, public.public_bytes_raw())
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + ephemeral_public + nonce + aead.encrypt(nonce, plaintext, _aad(name))


def open_record(private: X25519PrivateKey, blob: bytes, name: str) -> bytes:
    """The plaintext of a record sealed for ``name``; RecordUnreadable on any damage."""
    header = len(MAGIC) + KEY_BYTES + NONCE_BYTES
    if len(blob) < header + TAG_BYTES:
        raise RecordUnreadable(f"truncated ({len(blob)} bytes, a record has at least {header + TAG_BYTES})")
    if not blob.startswith(MAGIC):
        raise RecordUnreadable("not a held report (unknown header)")
    ephemeral_public = blob[len(MAGIC) : len(MAGIC) + KEY_BYTES]
    nonce = blob[len(MAGIC) + KEY_BYTES : header]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        aead = _box_key(shared, ephemeral_public, private.public_key().public_bytes_raw())
        return aead.decrypt(nonce, blob[header:], _aad(name))
    except (InvalidTag, ValueError):
        raise RecordUnreadable(
            "failed its integrity check (damaged, cut short, moved from another name, or sealed to another key)"
        ) from None


def _read_file(path: Path) -> bytes:
    """A record file's bytes. Whoever can write the folder can put anything under a record's name: a link is
    not followed, and a pipe or device is not read (it could block the open, or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RecordUnreadable("a link, not a record") from None
        raise
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise RecordUnreadable("not a regular file")
        data = f.read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        raise RecordUnreadable(f"more than {MAX_RECORD_BYTES} bytes, far more than a report")
    return data


class Inbox:
    """Reports accepted while the vault is locked: sealed on disk, or in memory while there is no key pair."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._public: X25519PublicKey | None = None  # as the open vault derived it, or as read from the file
        self._memory: list[HeldReport] = []

    @property
    def key_file(self) -> Path:
        return self.folder / KEY_FILE

    def publish(self, key: bytes) -> None:
        """At each open: make sure the public key on disk is the vault's (written if missing or different)."""
        public = inbox_private_key(key).public_key()
        self._public = public
        text = KEY_HEADER + base64.b64encode(public.public_bytes_raw()).decode("ascii") + "\n"
        try:
            found = self.key_file.read_text(encoding="ascii")
        except FileNotFoundError:
            atomic_write(self.key_file, text.encode("ascii"))
            log.info(
                "the ledger inbox has its key now (%s): reports while the vault is locked are kept on disk",
                self.key_file,
            )
            return
        except (OSError, UnicodeDecodeError):
            found = ""
        if found != text:
            log.warning(
                "%s was not the vault's inbox key: written again (records sealed to the other key are set aside)",
                self.key_file,
            )
            atomic_write(self.key_file, text.encode("ascii"))

    def hold(self, report: HeldReport) -> None:
        """Keep ``report`` until the vault opens: sealed in a file of its own, or in memory while the inbox has
        no key (a vault from before it, not opened since) or its file cannot be written."""
        public = self._public_key()
        if public is not None:
            name = f"{secrets.token_hex(8)}.sealed"
            try:
                atomic_write(self.folder / name, seal_record(public, report.dump(), name))
                return
            except (OSError, ValueError):
                log.exception("a report could not be written to the ledger inbox: kept in memory until the vault opens")
        self._memory.append(report)

    def deliver(self, key: bytes, append: Callable[[HeldReport], None]) -> int:
        """Hand every held report to ``append``, oldest first, and forget each once it returns; the count handed.

        A record that does not read, or that ``append`` refuses (``HeldReportRefused``), is set aside and the
        others go on. Any other error from ``append`` (a damaged ledger) stops here: that report and those after
        it stay held for the next open, and the error propagates."""
        private = inbox_private_key(key)
        held = [*(_Held(r) for r in self._memory), *self._read_all(private)]
        held.sort(key=lambda h: h.report.arrived)
        delivered = 0
        try:
            for item in held:
                try:
                    append(item.report)
                except HeldReportRefused as exc:
                    self._refused(item, str(exc))
                    continue
                self._forget(item)
                delivered += 1
        finally:
            if any(h.path is not None for h in held):
                fsync_dir(self.folder)  # the removals and renames, so a crash does not bring records back
        return delivered

    def set_aside(self) -> int | None:
        """How many records were set aside as unreadable (or not fitting the ledger): counted by their names,
        never opened. None when the folder cannot be listed, which is logged."""
        try:
            return sum(1 for path in self.folder.iterdir() if SET_ASIDE.fullmatch(path.name))
        except FileNotFoundError:
            return 0
        except OSError as exc:
            log.error("%s cannot be listed (%s): records set aside there are not counted", self.folder, exc)
            return None

    # --- internals ---

    def _public_key(self) -> X25519PublicKey | None:
        if self._public is None:
            try:
                text = self.key_file.read_text(encoding="ascii")
            except FileNotFoundError:
                log.warning(
                    "the ledger inbox has no key yet (a vault from before it, not opened since): a report that comes "
                    "while the vault is locked is kept in memory only, and lost if the companion stops before the "
                    "vault opens; the key is made at the next open"
                )
                return None
            except (OSError, UnicodeDecodeError) as exc:
                log.warning(
                    "%s cannot be read (%s): reports are kept in memory until the vault opens", self.key_file, exc
                )
                return None
            try:
                if not text.startswith(KEY_HEADER):
                    raise ValueError("not an inbox key file")
                raw = base64.b64decode(text[len(KEY_HEADER) :].strip(), validate=True)
                self._public = X25519PublicKey.from_public_bytes(raw)
            except (ValueError, binascii.Error) as exc:
                log.warning("%s is damaged (%s): reports are kept in memory until the vault opens", self.key_file, exc)
                return None
        return self._public

    def _read_all(self, private: X25519PrivateKey) -> list[_Held]:
        """Every record that reads, and every cut-short write that does; the others set aside."""
        try:
            paths = sorted(self.folder.iterdir())
        except FileNotFoundError:
            return []
        found = []
        for path in paths:
            record = RECORD.fullmatch(path.name)
            unfinished = UNFINISHED.fullmatch(path.name)
            if record is None and unfinished is None:
                continue
            name = path.name if unfinished is None else unfinished.group(1)
            try:
                report = HeldReport.parse(open_record(private, _read_file(path), name))
            except RecordUnreadable as exc:
                what = "a write cut short (its report was never answered)" if unfinished else "it"
                why = f"{what} could not be read back: {exc}"
                self._set_aside(path, name, why)
                continue
            except OSError as exc:
                log.error("%s could not be read (%s): left where it is, for the next open", path, exc)
                continue
            found.append(_Held(report, path, name))
        return found

    def _set_aside(self, path: Path, name: str, why: str) -> None:
        aside = self.folder / (name.removesuffix(".sealed") + ".unreadable")
        try:
            os.replace(path, aside)
        except OSError as exc:
            log.error("%s: %s; and it could not be set aside (%s)", path, why, exc)
            return
        log.error("%s: %s. Set aside as %s; the other held reports go on", path, why, aside.name)

    def _refused(self, item: _Held, why: str) -> None:
        if item.path is None:
            self._forget(item)
            log.error("a report held in memory was not appended: %s", why)
        else:
            self._set_aside(item.path, item.name, f"it was not appended: {why}")

    def _forget(self, item: _Held) -> None:
        if item.path is None:
            self._memory = [r for r in self._memory if r is not item.report]
        else:
            item.path.unlink(missing_ok=True)
