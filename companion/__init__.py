"""Proffer's companion: the trusted core that holds the vault, decides what may be released and keeps the ledger."""

__version__ = "0.1.0"
