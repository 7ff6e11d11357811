"""The encrypted personal vault: what the person may choose to share, readable only while unlocked.

``Vault`` (``companion.vault.vault``) is the one entry point; the records it stores are in ``model``, the
token derivation in ``tokens``, the cryptography in ``crypto``, vCard import in ``vcard``.
"""

from companion.vault.crypto import KDF_PARAMETERS, KdfParameters, Sealer
from companion.vault.errors import (
    InvalidProfile,
    InvalidVcard,
    VaultAbsent,
    VaultCorrupt,
    VaultError,
    VaultExists,
    VaultLocked,
    WeakPassphrase,
    WrongPassphrase,
)
from companion.vault.model import (
    Address,
    Birthday,
    Email,
    ImportSummary,
    Membership,
    Organization,
    PersonName,
    Phone,
    VaultProfile,
)
from companion.vault.tokens import VaultOffer
from companion.vault.vault import Vault, VaultState

__all__ = [
    "KDF_PARAMETERS",
    "Address",
    "Birthday",
    "Email",
    "ImportSummary",
    "InvalidProfile",
    "InvalidVcard",
    "KdfParameters",
    "Membership",
    "Organization",
    "PersonName",
    "Phone",
    "Sealer",
    "Vault",
    "VaultAbsent",
    "VaultCorrupt",
    "VaultError",
    "VaultExists",
    "VaultLocked",
    "VaultOffer",
    "VaultProfile",
    "VaultState",
    "WeakPassphrase",
    "WrongPassphrase",
]
