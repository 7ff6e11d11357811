"""The companion's domain core: the vault, and the ledger and decisions that open with it, for one data dir.

The ledger and the decisions are encrypted under keys derived from the vault's, so they open when the
vault unlocks and are closed (keys and decrypted state dropped) whenever the vault locks, by hand or on idle.
The ledger's inbox stays: it holds what must wait for the ledger's key, sealed to a public key whose private
half is derived from the vault's key too (``companion.ledger.inbox``), and each open publishes that public
key (the first open of a vault from before the inbox makes it).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from companion.decisions import DecisionStore
from companion.ledger.inbox import HeldReport, Inbox
from companion.ledger.store import Ledger
from companion.settings import DataDir, Settings
from companion.vault import Vault, VaultAbsent, VaultLocked

log = logging.getLogger(__name__)
INBOX_PURPOSE = "ledger-inbox"  # the vault subkey the inbox's private key is


class Core:
    def __init__(self, data_dir: DataDir, settings: Settings) -> None:
        self.data_dir = data_dir
        self.settings = settings
        self.vault = Vault(data_dir.vault_dir, autolock_seconds=_autolock_seconds(settings.autolock_minutes))
        self._ledger: Ledger | None = None
        self._decisions: DecisionStore | None = None
        self.inbox = Inbox(data_dir.inbox_dir)
        self._open_callbacks: list[Callable[[], None]] = []
        self.vault.on_lock(self._close_stores)

    @property
    def ledger(self) -> Ledger:
        """The open ledger; VaultLocked when the vault is not open."""
        self._require_open()
        assert self._ledger is not None
        return self._ledger

    @property
    def decisions(self) -> DecisionStore:
        """The person's standing decisions; VaultLocked when the vault is not open."""
        self._require_open()
        assert self._decisions is not None
        return self._decisions

    def _require_open(self) -> None:
        state = self.vault.state
        if state == "absent":
            raise VaultAbsent("no vault exists yet: create one in the dashboard or with `proffer vault init`")
        if state != "unlocked" or self._ledger is None or self._decisions is None:
            raise VaultLocked("the vault is locked")

    def unlock(self, passphrase: str) -> None:
        self.vault.unlock(passphrase)
        self._open_stores()

    def create(self, passphrase: str) -> None:
        self.vault.create(passphrase)
        self._open_stores()

    def on_open(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` each time the vault opens, once the ledger and decisions are open, before the
        call that opened it returns (so before anything else on the worker thread reads them)."""
        self._open_callbacks.append(callback)

    def deliver_held(self, append: Callable[[HeldReport], None]) -> int:
        """Hand the reports the inbox held while the vault was locked to ``append``, oldest first; see
        ``Inbox.deliver``. VaultLocked when the vault is not open: only its key reads them."""
        self._require_open()
        return self.inbox.deliver(self.vault.subkey(INBOX_PURPOSE), append)

    def set_autolock_minutes(self, minutes: int) -> None:
        """Lock after this many idle minutes from now on (0: never)."""
        self.vault.autolock_seconds = _autolock_seconds(minutes)

    def lock(self) -> None:
        self.vault.lock()  # on_lock closes the stores

    def _open_stores(self) -> None:
        if self._ledger is None:
            self._ledger = Ledger.open(self.data_dir.ledger_dir, self.vault.subkey("ledger"))
        if self._decisions is None:
            self._decisions = DecisionStore(self.data_dir.decisions_file, self.vault.sealer("decisions"))
        try:
            self.inbox.publish(self.vault.subkey(INBOX_PURPOSE))
        except OSError:
            log.exception("the ledger inbox's key file could not be written; tried again at the next open")
        for callback in self._open_callbacks:
            try:
                callback()
            except Exception:
                log.exception("an on-open callback failed; the vault is open regardless")

    def _close_stores(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
        if self._decisions is not None:
            self._decisions.close()
            self._decisions = None

    def close(self) -> None:
        if self.vault.state == "unlocked":
            self.lock()
        self._close_stores()


def _autolock_seconds(minutes: int) -> float:
    return minutes * 60 if minutes else math.inf
