"""Proffer's storage: TinyDB documents written atomically, and sealed when they hold personal values.

TinyDB's own JSONStorage rewrites its file in place, so a crash mid-write leaves a broken file. Every write
here goes to a temporary file in the same folder, is fsynced, renamed over the old file, and the folder is
fsynced, so after a crash the file holds either the old or the new state, never a mix.

A ``Sealer`` (see ``companion.vault.crypto``) encrypts the whole document with associated data naming the
file, so a file moved to another place, edited or truncated is refused rather than half-read.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from tinydb import TinyDB
from tinydb.storages import Storage


class Sealer(Protocol):
    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...

    def open(self, blob: bytes, aad: bytes) -> bytes: ...


class StorageCorrupt(Exception):
    """A stored file could not be read back: its name and what is wrong are in the message."""


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


class AtomicStorage(Storage):
    """A TinyDB storage that writes atomically and, given a sealer, encrypts the whole file."""

    def __init__(self, path: Path, sealer: Sealer | None = None) -> None:
        self.path = Path(path)
        self.sealer = sealer
        self._aad = f"proffer-storage:{self.path.name}".encode()
        # TinyDB reads the whole document for every query; keep the last state in memory (this process is
        # the only writer) so a sealed document is decrypted once, not once per lookup. It is kept as JSON
        # text: TinyDB changes what read() returns, so every read needs its own copy, and parsing the text
        # makes one several times faster than copy.deepcopy.
        self._cache: str | None = None

    def read(self) -> dict[str, Any] | None:
        if self._cache is None:
            try:
                blob = self.path.read_bytes()
            except FileNotFoundError:
                return None
            if self.sealer is not None:
                blob = self.sealer.open(blob, self._aad)
            try:
                text = blob.decode("utf-8")
                json.loads(text)
            except (UnicodeDecodeError, ValueError) as exc:
                raise StorageCorrupt(f"{self.path}: not a valid document ({exc})") from exc
            self._cache = text
        return json.loads(self._cache)

    def write(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        blob = text.encode("utf-8")
        if self.sealer is not None:
            blob = self.sealer.seal(blob, self._aad)
        atomic_write(self.path, blob)
        self._cache = text

    def close(self) -> None:
        self._cache = None  # forget the decrypted state


def open_db(path: Path, sealer: Sealer | None = None) -> TinyDB:
    """A TinyDB on Proffer's atomic (and optionally sealed) storage."""
    return TinyDB(path, storage=AtomicStorage, sealer=sealer)
