"""The vault: one person's values, sealed on disk, open in memory only between unlock and lock.

Files under the vault dir:
- ``key.json`` holds no personal value: the Argon2id parameters and salt, and the data key wrapped by the
  passphrase's key with AES-256-GCM. A SHA-256 checksum over its fields tells a damaged file (VaultCorrupt)
  from a wrong passphrase (WrongPassphrase): both make the unwrap fail, and the person needs to know which.
- ``profile.sealed`` is the whole ``VaultProfile`` as JSON, sealed under the ``vault-profile`` subkey with
  the file's place as associated data.

Both are written with ``companion.storage.atomic_write`` (temp file, fsync, rename, fsync dir), so a crash
leaves the old or the new file. ``create`` writes the profile before the key file: until the key file
exists the vault is "absent", and an unlock never treats a missing profile as an empty one (that would let
anyone who can delete a file empty the vault silently).

Changing the passphrase re-wraps the data key and does not re-encrypt the data. Re-encrypting under a new
data key would only help against someone who kept an old ``key.json`` *and* learns the old passphrase; it
would also have to re-encrypt the ledger and decisions, which are keyed from the data key, in one crash-safe
step across stores. A full key rotation is a separate, deliberate operation (not built yet); a passphrase
change is quick and atomic (one small file).

Another process (the CLI importing a vCard while the companion runs) may rewrite ``profile.sealed``; an
unlocked vault notices by the file's stat and re-reads it before answering.

Keys are kept in ``bytearray``s that are zeroed on lock. Python may still hold copies (the AES objects,
immutable ``bytes`` handed to HKDF); zeroing narrows the window, it is not a guarantee.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from companion.storage import atomic_write
from companion.vault import crypto
from companion.vault.errors import (
    VaultAbsent,
    VaultCorrupt,
    VaultExists,
    VaultLocked,
    WeakPassphrase,
    WrongPassphrase,
)
from companion.vault.model import ImportSummary, InvalidProfile, Membership, VaultProfile, describe
from companion.vault.strength import estimate
from companion.vault.tokens import VaultOffer, membership_offer, offers_for, site_matches

log = logging.getLogger(__name__)

KEY_FILE = "key.json"
PROFILE_FILE = "profile.sealed"
KEY_FORMAT = 1
MIN_PASSPHRASE_CHARS = 10
PROFILE_PURPOSE = "vault-profile"
STALE_TEMP_SECONDS = 300

VaultState = Literal["absent", "locked", "unlocked"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str, path: Path) -> bytes:
    if not isinstance(text, str):
        raise VaultCorrupt(f"{path}: {what} is missing")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise VaultCorrupt(f"{path}: {what} is not base64") from None


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise WeakPassphrase(
            f"a vault passphrase needs at least {MIN_PASSPHRASE_CHARS} characters; several words are best"
        )
    strength = estimate(passphrase)
    if not strength.acceptable:
        raise WeakPassphrase(f"that passphrase is too easy to guess. {strength.advice}")


class KeyFile:
    """``key.json``: KDF parameters, salt and the wrapped data key (no personal value)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def _checksum(fields: dict) -> str:
        return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    @staticmethod
    def _wrap_aad(kdf: dict) -> bytes:
        # Bind the wrapped key to this file and to its KDF parameters: editing the cost is refused.
        return f"vault/{KEY_FILE}:".encode() + json.dumps(kdf, sort_keys=True, separators=(",", ":")).encode()

    def write(self, passphrase: str, data_key: bytes | bytearray, params: crypto.KdfParameters) -> None:
        salt = crypto.new_salt()
        kek = crypto.derive_kek(passphrase, salt, params)
        kdf = {
            "algorithm": "argon2id",
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "lanes": params.lanes,
            "salt": _b64(salt),
        }
        fields = {
            "format": KEY_FORMAT,
            "kdf": kdf,
            "wrapped_key": _b64(crypto.seal(kek, "vault-key", bytes(data_key), self._wrap_aad(kdf))),
        }
        document = {**fields, "check": self._checksum(fields)}
        atomic_write(self.path, json.dumps(document, indent=2).encode() + b"\n")

    def unwrap(self, passphrase: str) -> bytearray:
        """The data key; WrongPassphrase, VaultCorrupt (naming the file) or VaultAbsent."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise VaultAbsent(f"no vault at {self.path.parent} (create one with `proffer vault init`)") from None
        try:
            document = json.loads(raw)
        except ValueError:
            raise VaultCorrupt(f"{self.path}: not valid JSON (damaged or truncated)") from None
        if not isinstance(document, dict) or not isinstance(document.get("kdf"), dict):
            raise VaultCorrupt(f"{self.path}: not a Proffer key file")
        check = document.pop("check", None)
        if check != self._checksum(document):
            raise VaultCorrupt(f"{self.path}: its checksum does not match (the file was damaged or edited)")
        if document.get("format") != KEY_FORMAT:
            raise VaultCorrupt(f"{self.path}: key file format {document.get('format')!r} is not supported")
        kdf = document["kdf"]
        try:
            params = crypto.KdfParameters(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
            params.check()
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultCorrupt(f"{self.path}: bad KDF parameters ({exc})") from None
        salt = _unb64(kdf.get("salt"), "the salt", self.path)
        wrapped = _unb64(document.get("wrapped_key"), "the wrapped key", self.path)
        kek = crypto.derive_kek(passphrase, salt, params)
        try:
            return bytearray(crypto.open_sealed(kek, "vault-key", wrapped, self._wrap_aad(kdf)))
        except VaultCorrupt:
            # The checksum matched, so the file is as written: the passphrase is what differs.
            raise WrongPassphrase("that passphrase does not open the vault; nothing was changed") from None


class Vault:
    def __init__(
        self,
        vault_dir: Path,
        autolock_seconds: float = 900,
        clock: Callable[[], float] = time.monotonic,
        kdf_parameters: crypto.KdfParameters = crypto.KDF_PARAMETERS,
    ) -> None:
        self.vault_dir = Path(vault_dir)
        self.autolock_seconds = autolock_seconds if autolock_seconds > 0 else math.inf
        self._clock = clock
        self._kdf_parameters = kdf_parameters
        self._key_file = KeyFile(self.vault_dir / KEY_FILE)
        self._profile_path = self.vault_dir / PROFILE_FILE
        self._mutex = threading.RLock()
        self._data_key: bytearray | None = None
        self._subkeys: dict[str, bytes] = {}
        self._profile: VaultProfile | None = None
        self._profile_stat: tuple[int, int, int] | None = None
        self._last_activity = clock()
        self._lock_callbacks: list[Callable[[], None]] = []

    # --- state ---------------------------------------------------------------------------------------------

    @property
    def state(self) -> VaultState:
        with self._mutex:
            if self._data_key is not None:
                return "unlocked"
            return "locked" if self._key_file.path.exists() else "absent"

    def create(self, passphrase: str) -> None:
        """A new, empty vault, left unlocked."""
        with self._mutex:
            if self._key_file.path.exists():
                raise VaultExists(f"a vault already exists at {self.vault_dir}; unlock it instead")
            check_new_passphrase(passphrase)
            self.vault_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            data_key = bytearray(crypto.new_key())
            self._open_with(data_key, VaultProfile())
            try:
                self._write_profile(VaultProfile())
                self._key_file.write(passphrase, data_key, self._kdf_parameters)
            except BaseException:
                self._forget()
                raise
            log.info("vault created at %s", self.vault_dir)

    def unlock(self, passphrase: str) -> None:
        with self._mutex:
            data_key = self._key_file.unwrap(passphrase)
            key = crypto.derive_subkey(data_key, PROFILE_PURPOSE)
            profile, stat = self._read_profile(key)
            self._forget()
            self._open_with(data_key, profile)
            self._profile_stat = stat
            self._sweep_temp_files()

    def lock(self) -> None:
        """Forget every key and decrypted value, then tell the stores keyed from this vault."""
        with self._mutex:
            self._forget()
            callbacks = list(self._lock_callbacks)
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("an on-lock callback failed; the vault is locked regardless")

    def touch(self) -> None:
        with self._mutex:
            self._last_activity = self._clock()

    def lock_if_idle(self) -> bool:
        """Lock if unlocked and idle for longer than the auto-lock time; True if it locked now."""
        with self._mutex:
            idle = self._data_key is not None and self._clock() - self._last_activity >= self.autolock_seconds
        if idle:
            self.lock()
        return idle

    def on_lock(self, callback: Callable[[], None]) -> None:
        with self._mutex:
            self._lock_callbacks.append(callback)

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the data key under ``new``; WrongPassphrase if ``old`` does not open the vault."""
        with self._mutex:
            check_new_passphrase(new)
            data_key = self._key_file.unwrap(old)
            try:
                self._key_file.write(new, data_key, self._kdf_parameters)
            finally:
                if self._data_key is None:
                    data_key[:] = bytes(len(data_key))

    # --- keys for other stores -----------------------------------------------------------------------------

    def subkey(self, purpose: str) -> bytes:
        with self._mutex:
            data_key = self._unlocked_key()
            key = self._subkeys.get(purpose)
            if key is None:
                key = self._subkeys[purpose] = crypto.derive_subkey(data_key, purpose)
            return key

    def sealer(self, purpose: str) -> crypto.Sealer:
        self.subkey(purpose)  # VaultLocked now rather than at first use
        return crypto.Sealer(self.subkey, purpose)

    def fingerprint(self, value: str) -> str:
        return crypto.keyed_fingerprint(self.subkey("fingerprint"), value)

    # --- values --------------------------------------------------------------------------------------------

    def offers(self, token: str) -> list[VaultOffer]:
        return offers_for(self._current_profile(), token)

    def release(self, value_id: str, token: str) -> str | None:
        """The value ``offers(token)`` gives for ``value_id``; None if it was edited away since."""
        return next((o.value for o in self.offers(token) if o.value_id == value_id), None)

    def memberships_for_site(self, site: str) -> list[VaultOffer]:
        profile = self._current_profile()
        return [membership_offer(m) for m in profile.memberships if site_matches(site, m.sites)]

    def keep_membership(self, program: str, number: str, site: str) -> bool:
        """Keep a membership the person typed on ``site`` (with their yes); False if the wallet had it.

        The same number already kept for another site gains this site (one card, one programme, several
        shops' sites); a new number is a new membership.
        """
        with self._mutex:
            profile = self._current_profile()
            compact = number.replace(" ", "")
            same = [m for m in profile.memberships if m.number.replace(" ", "") == compact]
            if any(site_matches(site, m.sites) for m in same):
                return False
            if same:
                first = same[0]
                updated = first.model_copy(update={"sites": [*first.sites, site]})
                memberships = [updated if m.id == first.id else m for m in profile.memberships]
            else:
                try:
                    membership = Membership(program=program, number=number, sites=[site])
                except ValidationError as exc:
                    raise InvalidProfile(describe(exc)) from None
                memberships = [*profile.memberships, membership]
            self.update(profile.model_copy(update={"memberships": memberships}))
            return True

    def profile(self) -> VaultProfile:
        return self._current_profile()

    def export(self) -> VaultProfile:
        return self._current_profile()

    def update(self, profile: VaultProfile) -> None:
        """Validate (again: a model can be built without validation) and write atomically, sealed."""
        checked = VaultProfile.parse(profile.model_dump())
        with self._mutex:
            self._unlocked_key()
            self._write_profile(checked)
            self._profile = checked
            self.touch()

    def import_vcard(self, text: str) -> ImportSummary:
        from companion.vault.vcard import merge_vcard  # the parser is only needed here

        with self._mutex:
            merged, summary = merge_vcard(self._current_profile(), text)
            self.update(merged)
            return summary

    # --- internals -----------------------------------------------------------------------------------------

    def _unlocked_key(self) -> bytearray:
        if self._data_key is None:
            raise VaultLocked("the vault is locked: unlock it in the dashboard, the popup or with `proffer vault`")
        if self._clock() - self._last_activity >= self.autolock_seconds:
            # Do not serve a value between the idle deadline and the next periodic check.
            self.lock()
            raise VaultLocked("the vault locked itself after being idle; unlock it again")
        return self._data_key

    def _current_profile(self) -> VaultProfile:
        with self._mutex:
            self._unlocked_key()
            stat = self._stat_profile()
            if stat != self._profile_stat:
                # Rewritten by another process (the CLI): read the new state before answering.
                self._profile, self._profile_stat = self._read_profile(self.subkey(PROFILE_PURPOSE))
            assert self._profile is not None
            return self._profile

    def _open_with(self, data_key: bytearray, profile: VaultProfile) -> None:
        self._data_key = data_key
        self._profile = profile
        self._last_activity = self._clock()

    def _forget(self) -> None:
        if self._data_key is not None:
            self._data_key[:] = bytes(len(self._data_key))
        self._data_key = None
        self._subkeys.clear()
        self._profile = None
        self._profile_stat = None

    def _stat_profile(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self._profile_path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _read_profile(self, key: bytes) -> tuple[VaultProfile, tuple[int, int, int] | None]:
        try:
            blob = self._profile_path.read_bytes()
        except FileNotFoundError:
            raise VaultCorrupt(f"{self._profile_path}: missing (the key file exists, the profile does not)") from None
        stat = self._stat_profile()
        plaintext = crypto.open_sealed(key, PROFILE_PURPOSE, blob, self._profile_aad())
        try:
            profile = VaultProfile.parse_json(plaintext)
        except InvalidProfile as exc:
            raise VaultCorrupt(f"{self._profile_path}: decrypted, but not a valid profile ({exc})") from None
        return profile, stat

    def _write_profile(self, profile: VaultProfile) -> None:
        blob = crypto.seal(
            self.subkey(PROFILE_PURPOSE),
            PROFILE_PURPOSE,
            profile.model_dump_json().encode("utf-8"),
            self._profile_aad(),
        )
        atomic_write(self._profile_path, blob)
        self._profile_stat = self._stat_profile()

    def _sweep_temp_files(self) -> None:
        """Remove what a write killed before its rename left behind (sealed bytes, never read again).

        Only old ones: a young temp file may be another process's write in progress (the CLI and the
        companion share the folder), and deleting it would make that write fail.
        """
        cutoff = time.time() - STALE_TEMP_SECONDS
        for name in (KEY_FILE, PROFILE_FILE):
            for leftover in self.vault_dir.glob(f".{name}.*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    if leftover.stat().st_mtime < cutoff:
                        leftover.unlink()

    def _profile_aad(self) -> bytes:
        return f"vault/{PROFILE_FILE}".encode()


__all__ = ["Vault", "VaultState"]
