"""The hash chain: what an entry's hash covers, so that any edit, deletion or reordering shows.

The hash is SHA-256 over a domain label and the canonical JSON of the entry as stored, minus its own
``hash`` (``prev_hash`` is inside, which is what chains it). We hash the stored document, not a re-dump of
the model, so adding a field with a default to ``LedgerEntry`` later never changes the hash of an old entry.

Why hash the plaintext rather than the ciphertext: each record is also sealed with AES-256-GCM bound to its
segment and sequence number, so the ciphertext is already tamper-evident by itself; the chain's job is
order and completeness, and a chain over plaintext survives re-encryption (a key change, a backup restored
under a new vault key) unchanged, so a receipt's hash stays valid for the life of the ledger.
Canonical JSON: sorted keys, no spaces, ASCII only (``\\u`` escapes), so any string — lone surrogates, markup,
control characters from a hostile page — has exactly one encoding.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64  # the prev_hash of entry #1
_DOMAIN = b"proffer-ledger-entry:v1\n"


def canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def entry_hash(document: Mapping[str, Any]) -> str:
    """The hash of a stored entry document; its own ``hash`` key, if present, is left out."""
    body = {k: v for k, v in document.items() if k != "hash"}
    return hashlib.sha256(_DOMAIN + canonical(body)).hexdigest()
