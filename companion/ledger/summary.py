"""Sealed per-segment summaries: what ``open`` needs from a closed segment, without opening every record.

Opening a ledger means building the index, and decrypting and parsing 100,000 records one by one takes
seconds. A segment never changes once the ledger has moved on to the next one, so when it closes the
ledger writes ``seg-NNNNNN.idx`` beside it: the segment's part of the in-memory index — its rows column by
column and its aggregates (no labels, origins or terms) — sealed with AES-256-GCM under its own derived key,
bound by the associated data to the segment number and by a SHA-256 inside to the segment file's exact
bytes. Open then merges each closed segment's part instead of rebuilding it entry by entry.

A summary is a cache, never the record: if it is missing, damaged, of another ``FORMAT``, or the segment's
bytes differ from what it was made from, ``open`` reads the segment line by line instead (and writes a fresh
summary), and ``verify`` never uses summaries at all.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag

from companion.ledger import disk
from companion.ledger.index import LedgerIndex
from companion.storage import atomic_write

# 3: per-site counts of corrections, every value given, withdrawals. 4: a site's corrections counted from the
# withdrawals on merge, values not taken apart from consent boxes not set (format 3 counted both as one).
# 5: a note that Proffer set a consent box again is no refusal, on its site or its day (format 4 counted it).
FORMAT = 5


@dataclass(frozen=True)
class SegmentSummary:
    first_seq: int
    first_prev_hash: str
    last_hash: str
    count: int
    columns: dict[str, list[Any]]  # the index rows, column by column (``LedgerIndex.export_segment``)
    state: dict[str, Any]  # the index aggregates, positions local to the segment


def summary_path(folder: Path, segment: int) -> Path:
    return folder / f"seg-{segment:06d}.idx"


def _aad(segment: int) -> bytes:
    return f"proffer-ledger:v1:summary:{segment}".encode("ascii")


class SummaryBuilder:
    """A segment's summary, made entry by entry as the segment is written, so that the ledger need not keep the
    open segment's entries (thousands of whole documents) until it closes: only their part of an index."""

    def __init__(self, segment: int) -> None:
        self.segment = segment
        self.index = LedgerIndex(withdraw=False)
        self.first_seq = 0
        self.first_prev_hash = ""
        self.last_hash = ""

    def __len__(self) -> int:
        return len(self.index)

    def add(self, document: dict[str, Any], offset: int, length: int) -> None:
        if not len(self.index):
            self.first_seq, self.first_prev_hash = document["seq"], document["prev_hash"]
        self.last_hash = document["hash"]
        self.index.add(document, self.segment, offset, length)

    def write(self, folder: Path, keys: disk.LedgerKeys) -> None:
        """Seal the summary beside its segment, bound to the segment file's bytes as they are now."""
        if not len(self.index):
            raise ValueError("an empty segment has no summary")
        columns, state = self.index.export_segment()
        data = disk.segment_path(folder, self.segment).read_bytes()
        body = json.dumps(
            {
                "format": FORMAT,
                "segment": self.segment,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "first_seq": self.first_seq,
                "first_prev_hash": self.first_prev_hash,
                "last_hash": self.last_hash,
                "count": len(self.index),
                "columns": columns,
                "state": state,
            },
            separators=(",", ":"),
        ).encode()
        nonce = os.urandom(disk.NONCE_BYTES)
        atomic_write(summary_path(folder, self.segment), nonce + keys.summary.encrypt(nonce, body, _aad(self.segment)))


def write_summary(
    folder: Path, keys: disk.LedgerKeys, segment: int, entries: list[tuple[dict[str, Any], int, int]]
) -> None:
    """Summarize a closed segment from its entries as (document, offset, length), in order."""
    builder = SummaryBuilder(segment)
    for document, offset, length in entries:
        builder.add(document, offset, length)
    builder.write(folder, keys)


def read_summary(folder: Path, keys: disk.LedgerKeys, segment: int, data: bytes) -> SegmentSummary | None:
    """The summary if it matches ``data`` (the segment file's bytes) exactly, or None to read it in full."""
    try:
        blob = summary_path(folder, segment).read_bytes()
        body = json.loads(keys.summary.decrypt(blob[: disk.NONCE_BYTES], blob[disk.NONCE_BYTES :], _aad(segment)))
        if body["format"] != FORMAT or body["size"] != len(data) or body["sha256"] != hashlib.sha256(data).hexdigest():
            return None
        summary = SegmentSummary(
            first_seq=int(body["first_seq"]),
            first_prev_hash=str(body["first_prev_hash"]),
            last_hash=str(body["last_hash"]),
            count=int(body["count"]),
            columns=body["columns"],
            state=body["state"],
        )
    except (OSError, InvalidTag, ValueError, KeyError, TypeError):
        return None
    return summary if summary.count > 0 and len(summary.columns.get("id", ())) == summary.count else None
