"""The ledger as files the person can keep or open elsewhere: CSV and JSON Lines.

Both are plaintext: they hold site names, purposes and labels (never the values themselves, which the
ledger does not keep — only value ids and keyed fingerprints). Callers write them where the person asked,
with mode 0600 (``proffer ledger export``).

JSON Lines is exact: one canonical entry per line, hashes included, so the chain can be re-checked from the
export alone. CSV is for spreadsheets, and a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) as a formula — a shop could put ``=HYPERLINK(...)`` in a label and have
it run on the person's machine. Such cells get a leading apostrophe, the OWASP-recommended neutraliser;
that is the one place an export differs from the ledger, and the JSON Lines export is the exact record.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from companion.ledger.model import LedgerEntry

CSV_COLUMNS = (
    "seq",
    "id",
    "time",
    "site",
    "origin",
    "path",
    "frame_origin",
    "purpose",
    "decision",
    "field_types",
    "field_labels",
    "value_ids",
    "fingerprints",
    "terms",
    "browser",
    "request_id",
    "prev_hash",
    "hash",
    "release_id",  # an "undelivered" entry's release, and why the page did not take each field
    "reasons",
)
LIST_SEPARATOR = " | "  # between a multi-field entry's fields, in field order
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_row(entry: LedgerEntry) -> list[str]:
    fields = entry.fields
    row = [
        str(entry.seq),
        entry.id,
        entry.time,
        entry.site,
        entry.origin,
        entry.path,
        entry.frame_origin,
        entry.purpose,
        entry.decision.value,
        LIST_SEPARATOR.join(f.type for f in fields),
        LIST_SEPARATOR.join(f.label for f in fields),
        LIST_SEPARATOR.join(f.value_id or "" for f in fields),
        LIST_SEPARATOR.join(f.fingerprint or "" for f in fields),
        entry.terms,
        entry.browser,
        entry.request_id,
        entry.prev_hash,
        entry.hash,
        entry.release_id or "",
        LIST_SEPARATOR.join(f.reason or "" for f in fields) if entry.release_id else "",
    ]
    return [spreadsheet_safe(cell) for cell in row]


def write_csv(entries: Iterable[LedgerEntry], out: TextIO) -> int:
    """One row per entry, with a header row; returns the number of entries written."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow(csv_row(entry))
        count += 1
    return count


def write_jsonl(entries: Iterable[LedgerEntry], out: TextIO) -> int:
    """One JSON object per line, every field of the entry; returns the number of entries written."""
    count = 0
    for entry in entries:
        out.write(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
