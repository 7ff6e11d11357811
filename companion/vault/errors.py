"""The vault's errors. Every message is meant to be shown to the person as it is."""

from __future__ import annotations


class VaultError(Exception):
    """Base of every vault error; the message is person-readable."""


class VaultAbsent(VaultError):
    """No vault exists in this data dir yet."""


class VaultLocked(VaultError):
    """The vault is locked: its keys are not in memory."""


class VaultExists(VaultError):
    """A vault already exists where a new one was to be created."""


class WrongPassphrase(VaultError):
    """The passphrase does not open the vault (or the backup); nothing was changed."""


class WeakPassphrase(VaultError):
    """The new passphrase is too short to protect the vault."""


class VaultCorrupt(VaultError):
    """A vault file is damaged, truncated or not where it belongs; the message names the file."""


class InvalidProfile(VaultError):
    """The profile did not validate; ``problems`` lists each one as ``location: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class InvalidVcard(VaultError):
    """The text is not a vCard Proffer can read; the message says why."""
