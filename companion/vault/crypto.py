"""The vault's cryptography: one passphrase, one data key, a subkey per purpose.

Design:
- The passphrase goes through Argon2id (``KDF_PARAMETERS``, at or above Bitwarden's default m=64 MiB, t=3,
  p=4) with a random 128-bit salt to give a key-encryption key (KEK). The KEK only wraps a random 256-bit
  *data key* with AES-256-GCM; changing the passphrase re-wraps the data key and rewrites one small file.
- Everything else is keyed from the data key through HKDF-SHA256 with a purpose label, so the profile, the
  ledger, the decisions and the ledger fingerprints never share a key, and a key handed to one store says
  nothing about another.
- A sealed blob is ``MAGIC || nonce(12) || ciphertext+tag``. The nonce is fresh from the OS for every seal
  (at the vault's write rates, random 96-bit nonces stay far below the 2^-32 collision bound). The associated
  data is the magic (format version), the purpose and the caller's place (the file name), so a blob copied
  to another file, another purpose or an older format is refused, as is any flipped bit or truncation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from companion.vault.errors import VaultCorrupt

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
SEAL_MAGIC = b"PRSEAL1\n"  # the sealed-blob format, version 1
PURPOSE = re.compile(r"[a-z][a-z0-9.-]{0,62}")


@dataclass(frozen=True)
class KdfParameters:
    """Argon2id cost; stored with each vault so a future default can change without locking anyone out."""

    memory_kib: int
    iterations: int
    lanes: int

    def check(self) -> None:
        # A stored file could carry absurd costs (a denial of service) or tiny ones (a downgrade).
        if not (64 * 1024 <= self.memory_kib <= 1024 * 1024):
            raise ValueError(f"Argon2id memory {self.memory_kib} KiB is outside 64 MiB..1 GiB")
        if not (3 <= self.iterations <= 64) or not (1 <= self.lanes <= 64):
            raise ValueError(f"Argon2id t={self.iterations} p={self.lanes} is outside t=3..64, p=1..64")


# Shipped defaults: Bitwarden's Argon2id default (m=64 MiB, t=3, p=4); ~110 ms on the 2-core dev machine.
KDF_PARAMETERS = KdfParameters(memory_kib=64 * 1024, iterations=3, lanes=4)


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def derive_kek(passphrase: str, salt: bytes, params: KdfParameters) -> bytes:
    """The key-encryption key for a passphrase; slow on purpose."""
    params.check()
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


def derive_subkey(data_key: bytes | bytearray, purpose: str) -> bytes:
    if not PURPOSE.fullmatch(purpose):
        raise ValueError(f"a subkey purpose is lowercase letters, digits, '.' or '-', not {purpose!r}")
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"proffer-subkey:v1:" + purpose.encode("ascii"),
    ).derive(bytes(data_key))


def keyed_fingerprint(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _full_aad(purpose: str, aad: bytes) -> bytes:
    return SEAL_MAGIC + purpose.encode("ascii") + b"\x00" + aad


def seal(key: bytes, purpose: str, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return SEAL_MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, _full_aad(purpose, aad))


def open_sealed(key: bytes, purpose: str, blob: bytes, aad: bytes) -> bytes:
    """The plaintext of a sealed blob; VaultCorrupt naming the place (``aad``) on any damage."""
    place = aad.decode("utf-8", "replace")
    minimum = len(SEAL_MAGIC) + NONCE_BYTES + 16
    if len(blob) < minimum:
        raise VaultCorrupt(f"{place}: truncated ({len(blob)} bytes, a sealed file has at least {minimum})")
    if not blob.startswith(SEAL_MAGIC):
        raise VaultCorrupt(f"{place}: not a Proffer sealed file (unknown header)")
    nonce = blob[len(SEAL_MAGIC) : len(SEAL_MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(SEAL_MAGIC) + NONCE_BYTES :], _full_aad(purpose, aad))
    except InvalidTag:
        raise VaultCorrupt(
            f"{place}: failed its integrity check (damaged, truncated, or moved from another place)"
        ) from None


class Sealer:
    """AES-256-GCM under ``subkey(purpose)`` (see ``companion.storage.Sealer``).

    It asks for the key on every call instead of keeping it, so a sealer handed out while the vault was open
    stops working (VaultLocked) the moment the vault locks.
    """

    def __init__(self, key_source: Callable[[str], bytes], purpose: str) -> None:
        if not PURPOSE.fullmatch(purpose):
            raise ValueError(f"a sealer purpose is lowercase letters, digits, '.' or '-', not {purpose!r}")
        self._key_source = key_source
        self.purpose = purpose

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        return seal(self._key_source(self.purpose), self.purpose, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        return open_sealed(self._key_source(self.purpose), self.purpose, blob, aad)
