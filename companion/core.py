"""The companion's domain core: the vault and the ledger that opens with it, for one data dir.

The ledger is encrypted under a key derived from the vault's, so it opens when the vault unlocks and is
closed (its key and decrypted index dropped) whenever the vault locks, by hand or on idle.
"""

from __future__ import annotations

import logging
import math

from companion.ledger.store import Ledger
from companion.settings import DataDir, Settings
from companion.vault import Vault, VaultLocked

log = logging.getLogger(__name__)


class Core:
    def __init__(self, data_dir: DataDir, settings: Settings) -> None:
        self.data_dir = data_dir
        self.settings = settings
        autolock = settings.autolock_minutes * 60 if settings.autolock_minutes else math.inf
        self.vault = Vault(data_dir.vault_dir, autolock_seconds=autolock)
        self._ledger: Ledger | None = None
        self.vault.on_lock(self._close_ledger)

    @property
    def ledger(self) -> Ledger:
        """The open ledger; VaultLocked when the vault is not open."""
        if self._ledger is None or self.vault.state != "unlocked":
            raise VaultLocked("the vault is locked")
        return self._ledger

    def unlock(self, passphrase: str) -> None:
        self.vault.unlock(passphrase)
        self._open_ledger()

    def create(self, passphrase: str) -> None:
        self.vault.create(passphrase)
        self._open_ledger()

    def lock(self) -> None:
        self.vault.lock()  # on_lock closes the ledger

    def _open_ledger(self) -> None:
        if self._ledger is None:
            self._ledger = Ledger.open(self.data_dir.ledger_dir, self.vault.subkey("ledger"))

    def _close_ledger(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    def close(self) -> None:
        if self.vault.state == "unlocked":
            self.lock()
        self._close_ledger()
