"""The disclosure ledger: the person's own record of what each shop was given, or refused.

Modules, one job each:
- ``model``: what an entry records (``LedgerDraft`` from the fill flow, ``LedgerEntry`` as kept).
- ``chain``: what an entry's hash covers (canonical JSON, the previous hash inside).
- ``disk``: the file format — sealed append-only segments and the two-slot checkpoint.
- ``summary``: sealed per-segment summaries that let ``open`` skip closed segments.
- ``verify``: reading a folder back, and naming the first problem and where it is.
- ``index``: the in-memory index and the dashboard's view models.
- ``store``: ``Ledger`` — open, append, close, verify and the read side; ``verify_folder`` for the CLI.
- ``inbox``: corrections accepted while the vault is locked, sealed to a public key until the vault opens.
- ``export``, ``receipt``, ``requests``: CSV/JSON Lines, Kantara consent receipts, GDPR/CCPA requests.
"""
