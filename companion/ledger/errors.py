"""The ledger's errors. Every message is meant to be shown to the person as it is."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every ledger error."""


class LedgerClosed(LedgerError):
    """The ledger was closed (the vault locked): its key and decrypted index are gone."""


class LedgerBusy(LedgerError):
    """Another process has this ledger open for writing."""


class LedgerCorrupt(LedgerError):
    """The ledger on disk fails its checks; the message says which entry or segment and what is wrong.

    An open ledger in this state still answers the read side, so the dashboard can show what is there and
    where it breaks, but refuses to append: a new entry chained onto a damaged ledger would bury the damage.
    """
