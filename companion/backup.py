"""One encrypted file holding a data dir's vault, ledger and decisions; and its careful restore.

Format: ``MAGIC``, a 4-byte big-endian header length, a JSON header (format, creation time, the Argon2id
parameters and a fresh salt, SHA-256 of the sealed payload, and a checksum over those fields), then the
sealed payload: an uncompressed tar of every file to keep, AES-256-GCM under Argon2id(passphrase, salt)
with the magic and header as associated data.

The backup key comes from the passphrase, not from the vault's data key, so a backup opens with the file
and the passphrase alone (a lost machine is the case a backup is for). The files inside are the data dir's
files as they are: already sealed under the vault's keys, so nothing personal is in clear inside either.
The backup's passphrase is the vault's: ``backup`` refuses one that does not open the vault, so nobody
keeps a backup they cannot restore.

What is kept: every regular file under the data dir except what belongs to one running instance or one
machine (the bearer token, the runtime file, the log, the native host launcher) and temp files. New stores
that land in the data dir (decisions, anything later) are therefore included without a change here.

Restore checks everything before touching anything: the passphrase and the integrity (wrong passphrase and
damage are told apart by the payload checksum), every tar member (regular files, relative paths, nothing
outside), and that the restored vault opens with the passphrase. Only then does it swap: the current
entries are moved into a ``.restore-old-*`` folder, the restored ones renamed into place, and the old
folder removed. A crash during the swap (a handful of renames) leaves the previous data in that folder, and
the error names it; a restore while the companion runs is refused, since it holds the old state in memory.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import struct
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from companion.client import running_pid
from companion.settings import DataDir
from companion.storage import atomic_write, fsync_dir
from companion.vault import KDF_PARAMETERS, KdfParameters, Vault, VaultCorrupt, VaultError, WrongPassphrase, crypto

MAGIC = b"PROFFER-BACKUP\n"
FORMAT = 1
PURPOSE = "backup"
MAX_HEADER_BYTES = 64 * 1024
# Files of one running instance or one machine, never carried to another.
NOT_BACKED_UP = {"native-token", "companion.json", "companion.log", "native-host"}


class BackupRefused(VaultError):
    """The backup or restore cannot be done as asked; the message says why and what to do."""


class BackupCorrupt(VaultCorrupt):
    """The backup file is damaged or truncated; the message names it."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    files: int
    bytes: int


def _checksum(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _kept(relative: PurePosixPath) -> bool:
    if relative.parts[0] in NOT_BACKED_UP:
        return False
    return not any(part.startswith(".") for part in relative.parts)  # temp files, restore leftovers


def files_to_back_up(data_dir: DataDir) -> list[PurePosixPath]:
    found = []
    for path in sorted(data_dir.root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = PurePosixPath(path.relative_to(data_dir.root).as_posix())
        if _kept(relative):
            found.append(relative)
    return found


def _check_vault_passphrase(vault_dir: Path, passphrase: str, what: str) -> None:
    vault = Vault(vault_dir)
    if vault.state == "absent":
        raise BackupRefused(f"{what} holds no vault")
    vault.unlock(passphrase)
    vault.lock()


def backup(data_dir: DataDir, passphrase: str, destination: Path) -> BackupSummary:
    """Write one encrypted backup file; WrongPassphrase if the passphrase does not open the vault."""
    destination = destination.expanduser().resolve()
    if destination.is_relative_to(data_dir.root):
        raise BackupRefused(f"put the backup outside the data dir {data_dir.root} (ideally on another disk)")
    _check_vault_passphrase(data_dir.vault_dir, passphrase, f"the data dir {data_dir.root}")
    archive = io.BytesIO()
    files = files_to_back_up(data_dir)
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for relative in files:
            path = data_dir.root / relative
            data = path.read_bytes()
            info = tarfile.TarInfo(relative.as_posix())
            info.size, info.mode, info.mtime = len(data), 0o600, int(path.stat().st_mtime)
            tar.addfile(info, io.BytesIO(data))
    salt = crypto.new_salt()
    key = crypto.derive_kek(passphrase, salt, KDF_PARAMETERS)
    fields = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "kdf": {
            "algorithm": "argon2id",
            "memory_kib": KDF_PARAMETERS.memory_kib,
            "iterations": KDF_PARAMETERS.iterations,
            "lanes": KDF_PARAMETERS.lanes,
            "salt": base64.b64encode(salt).decode(),
        },
        "files": len(files),
    }
    # The payload hash must be in the header, and the header is the payload's associated data: seal with
    # the header minus the hash, then add the hash (and the checksum over everything) to the written header.
    payload = crypto.seal(key, PURPOSE, archive.getvalue(), MAGIC + _canonical(fields))
    fields["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    header = json.dumps({**fields, "check": _checksum(fields)}, sort_keys=True).encode()
    blob = MAGIC + struct.pack(">I", len(header)) + header + payload
    atomic_write(destination, blob)
    return BackupSummary(destination, len(files), len(blob))


def _canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def read_backup(source: Path, passphrase: str) -> dict[PurePosixPath, bytes]:
    """The files in a backup, checked; BackupCorrupt naming the file, or WrongPassphrase."""
    try:
        blob = source.read_bytes()
    except FileNotFoundError:
        raise BackupRefused(f"{source}: no such file") from None
    if not blob.startswith(MAGIC):
        raise BackupCorrupt(f"{source}: not a Proffer backup (unknown header)")
    if len(blob) < len(MAGIC) + 4:
        raise BackupCorrupt(f"{source}: truncated")
    (header_length,) = struct.unpack(">I", blob[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if header_length > MAX_HEADER_BYTES or len(blob) < start + header_length:
        raise BackupCorrupt(f"{source}: truncated or damaged header")
    try:
        fields = json.loads(blob[start : start + header_length])
        check = fields.pop("check")
        payload_hash = fields.pop("payload_sha256")
        kdf = fields["kdf"]
        params = KdfParameters(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
        salt = base64.b64decode(kdf["salt"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupCorrupt(f"{source}: damaged header") from None
    if check != _checksum({**fields, "payload_sha256": payload_hash}):
        raise BackupCorrupt(f"{source}: damaged header (checksum mismatch)")
    if fields.get("format") != FORMAT:
        raise BackupCorrupt(f"{source}: backup format {fields.get('format')!r} is not supported")
    payload = blob[start + header_length :]
    if hashlib.sha256(payload).hexdigest() != payload_hash:
        raise BackupCorrupt(f"{source}: damaged or truncated (its contents do not match the recorded checksum)")
    try:
        params.check()
    except ValueError as exc:
        raise BackupCorrupt(f"{source}: {exc}") from None
    key = crypto.derive_kek(passphrase, salt, params)
    try:
        archive = crypto.open_sealed(key, PURPOSE, payload, MAGIC + _canonical(fields))
    except VaultCorrupt:
        # The contents match their checksum, so the file is as written: the passphrase differs.
        raise WrongPassphrase(f"that passphrase does not open the backup {source}; nothing was changed") from None
    return _untar(archive, source)


def _untar(archive: bytes, source: Path) -> dict[PurePosixPath, bytes]:
    files: dict[PurePosixPath, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
            for member in tar.getmembers():
                relative = PurePosixPath(member.name)
                if (
                    not member.isfile()
                    or relative.is_absolute()
                    or ".." in relative.parts
                    or not relative.parts
                    or not _kept(relative)
                ):
                    raise BackupCorrupt(f"{source}: holds an entry Proffer would never write ({member.name!r})")
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[relative] = extracted.read()
    except tarfile.TarError as exc:
        raise BackupCorrupt(f"{source}: its archive is damaged ({exc})") from None
    return files


def restore(data_dir: DataDir, passphrase: str, source: Path) -> BackupSummary:
    """Replace the data dir's kept files with the backup's, after checking everything."""
    pid = running_pid(data_dir)
    if pid is not None:
        raise BackupRefused(f"the companion is running (pid {pid}); stop it first with `proffer stop`")
    files = read_backup(source.expanduser(), passphrase)
    data_dir.ensure()
    staging = data_dir.root / f".restore-new-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        _check_vault_passphrase(staging / data_dir.vault_dir.name, passphrase, f"the backup {source}")
        _swap_in(data_dir, staging, files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupSummary(source, len(files), sum(len(d) for d in files.values()))


def _swap_in(data_dir: DataDir, staging: Path, files: dict[PurePosixPath, bytes]) -> None:
    incoming = {relative.parts[0] for relative in files}
    current = {p.name for p in data_dir.root.iterdir() if _kept(PurePosixPath(p.name))}
    old = data_dir.root / f".restore-old-{secrets.token_hex(4)}"
    old.mkdir(mode=0o700)
    try:
        for name in sorted(current):
            os.replace(data_dir.root / name, old / name)
        for name in sorted(incoming):
            os.replace(staging / name, data_dir.root / name)
        fsync_dir(data_dir.root)
    except OSError as exc:
        raise BackupRefused(
            f"the restore stopped half-way ({exc}); the previous data is in {old}, move it back by hand"
        ) from exc
    shutil.rmtree(old, ignore_errors=True)
