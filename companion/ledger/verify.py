"""Reading a ledger folder back and saying exactly where it breaks.

``scan`` is the one reader: ``Ledger.open`` uses it to build the index (authenticating every record and the
links between them, and merging each closed segment's summary into the index as soon as it is read, so that
only one summary is ever in memory), ``verify`` uses it with ``check_hashes`` to also recompute every hash.
It stops at the first problem and keeps what came before it, so a damaged ledger can still be shown up to
the damage.

What each kind of tampering looks like here:
- a flipped byte or an edited record: AES-GCM authentication fails at (segment, seq) → ``edited``;
- an entry re-sealed by someone holding the key but with different content: its hash is wrong → ``edited``;
- a deleted line: the sequence jumps → ``deleted``; lines swapped: a number out of place → ``reordered``;
- a segment file swapped with or renamed to another: its records authenticate only under their own segment
  number → ``segment_swapped``; a segment file removed: a gap in the numbering → ``segment_missing``;
- the last entries or the last segments removed: fewer entries than the checkpoint records → ``truncated``;
- the checkpoint removed or damaged as well → ``checkpoint`` (a ledger folder is never without one).
What cannot be caught from inside the folder: replacing the whole folder with an older copy of itself (a
rollback). That needs an anchor kept elsewhere — the head hash in a backup or a note the person keeps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from companion.ledger import disk
from companion.ledger.chain import GENESIS, entry_hash
from companion.ledger.index import LedgerIndex
from companion.ledger.summary import read_summary

ProblemKind = Literal[
    "edited", "deleted", "reordered", "truncated", "segment_missing", "segment_swapped", "checkpoint", "damaged"
]


class Problem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ProblemKind
    message: str
    segment: int | None = None  # the segment file's number, when the problem is in one
    seq: int | None = None  # the entry's number, when the problem is at one


class VerifyReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ok: bool
    count: int  # entries that verified, in order, before any problem
    head_hash: str  # the hash of the last entry that verified (the value to note down as an anchor)
    problem: Problem | None = None


@dataclass
class Located:
    """One authenticated record: where it is and what it says."""

    segment: int
    offset: int
    length: int
    document: dict[str, Any]


@dataclass(frozen=True)
class Span:
    """Where a summarized segment sits in the chain: all ``scan`` keeps of its summary once it is merged."""

    first_seq: int
    count: int
    last_hash: str


@dataclass
class Scan:
    records: list[Located] = field(default_factory=list)  # entries read line by line, in order
    summaries: dict[int, Span] = field(default_factory=dict)  # closed segments taken from summaries
    # With ``build_index``: every entry before any problem, in order, the summarized segments merged as they were read.
    index: LedgerIndex | None = None
    count: int = 0  # entries in order before any problem, however they were read
    tail_hash: str = GENESIS
    tail_segment: int = 0
    checkpoint: disk.Checkpoint | None = None
    has_head_file: bool = False
    torn: tuple[int, int] | None = None  # (segment, offset) of an unfinished last line, never acknowledged
    segments: list[int] = field(default_factory=list)
    unsummarized: list[int] = field(default_factory=list)  # closed segments read in full (summary to write)
    problem: Problem | None = None

    def hash_of(self, seq: int) -> str | None:
        """The hash of entry ``seq``, or None when a summary does not say (only its last entry's is kept)."""
        if seq == 0:
            return GENESIS
        for summary in self.summaries.values():
            if summary.first_seq <= seq < summary.first_seq + summary.count:
                return summary.last_hash if seq == summary.first_seq + summary.count - 1 else None
        for record in reversed(self.records):
            if record.document["seq"] == seq:
                return record.document["hash"]
        return None

    def report(self) -> VerifyReport:
        return VerifyReport(ok=self.problem is None, count=self.count, head_hash=self.tail_hash, problem=self.problem)


def scan(
    folder: Path, keys: disk.LedgerKeys, *, check_hashes: bool, use_summaries: bool = False, build_index: bool = False
) -> Scan:
    """Read the ledger folder back. ``build_index`` builds ``Scan.index`` as it reads (``Ledger.open``).
    ``use_summaries``, only with it, lets closed segments be taken from their sealed summaries (``summary``)
    when those match the segment bytes exactly: each is merged into the index and dropped before the next is
    read (all of them at once held more than twice what the index does). ``verify`` uses neither."""
    if use_summaries and not build_index:
        raise ValueError("summaries are only read into an index")
    result = Scan(index=LedgerIndex() if build_index else None)
    # The checkpoint first, the segments after: a writer appends to a segment before it moves the checkpoint,
    # so read in this order a live ledger never looks shorter than its checkpoint (no false "truncated").
    slots = disk.read_slots(folder / disk.HEAD_FILE, keys)
    if result.index is not None and slots is not None and (checkpoint := disk.newest(slots)) is not None:
        result.index.reserve(checkpoint.seq)  # room for the entries' ids at once, not doubled again and again
    segments = disk.list_segments(folder) if folder.is_dir() else []
    result.segments = [n for n, _ in segments]
    result.problem = _scan_segments(result, segments, keys, check_hashes, use_summaries)
    result.has_head_file = slots is not None
    if slots is not None:
        result.checkpoint = disk.newest(slots)
    if result.problem is None:
        checkpoint = result.checkpoint
        if checkpoint is not None and checkpoint.seq <= result.count and result.hash_of(checkpoint.seq) is None:
            # The checkpoint lags into the middle of a summarized segment (a power cut across a roll): only
            # the records themselves can say whether it matches.
            return scan(folder, keys, check_hashes=check_hashes, use_summaries=False, build_index=build_index)
        result.problem = _check_checkpoint(result, slots)
    return result


def _scan_segments(
    result: Scan,
    segments: list[tuple[int, Path]],
    keys: disk.LedgerKeys,
    check_hashes: bool,
    use_summaries: bool,
) -> Problem | None:
    numbers = [n for n, _ in segments]
    previous_hash = GENESIS
    for position, (number, path) in enumerate(segments):
        if number != position + 1:
            missing = position + 1
            return Problem(
                kind="segment_missing",
                segment=missing,
                seq=result.count + 1,
                message=f"segment file {disk.segment_path(Path(), missing).name} is missing "
                f"(entries from #{result.count + 1} on are gone)",
            )
        if use_summaries and number != numbers[-1]:
            span = _merge_summary(result, path, keys, number, previous_hash)
            if span is not None:
                result.summaries[number] = span
                result.count += span.count
                result.tail_hash = previous_hash = span.last_hash
                result.tail_segment = number
                continue
            result.unsummarized.append(number)
        lines = disk.split_lines(path.read_bytes())
        for line_number, (offset, line) in enumerate(lines, start=1):
            expected = result.count + 1
            where = f"segment {number}, line {line_number}"
            if not line.endswith(b"\n") and number == numbers[-1] and line_number == len(lines):
                result.torn = (number, offset)  # judged against the checkpoint later
                return None
            try:
                seq, sealed = disk.split_line(line)
            except ValueError as exc:
                return Problem(kind="damaged", segment=number, seq=expected, message=f"{where}: {exc}")
            # Authenticate before judging the order, so a record from another segment file is named as such.
            plaintext = disk.open_sealed(keys, number, seq, sealed)
            if plaintext is None:
                return _unauthentic(number, where, seq, sealed, keys, numbers)
            if seq != expected:
                return _out_of_place(number, where, seq, expected, _sequence_numbers(segments))
            document = json.loads(plaintext)
            if document.get("seq") != seq:
                return Problem(kind="edited", segment=number, seq=seq, message=f"{where}: entry #{seq} is renumbered")
            if document.get("prev_hash") != previous_hash:
                return Problem(
                    kind="edited",
                    segment=number,
                    seq=seq,
                    message=f"{where}: entry #{seq} does not link to the entry before it (the chain is broken)",
                )
            if check_hashes and entry_hash(document) != document.get("hash"):
                return Problem(
                    kind="edited",
                    segment=number,
                    seq=seq,
                    message=f"{where}: entry #{seq} was edited (its content does not match its hash)",
                )
            previous_hash = document["hash"]
            result.records.append(Located(number, offset, len(line), document))
            if result.index is not None:
                result.index.add(document, number, offset, len(line))
            result.count += 1
            result.tail_hash = previous_hash
            result.tail_segment = number
    return None


def _merge_summary(result: Scan, path: Path, keys: disk.LedgerKeys, number: int, previous_hash: str) -> Span | None:
    """Merge the segment's summary into the index if it matches the segment's bytes and follows on from the
    entries before it; None to read the segment line by line. The summary and the segment's bytes are
    local here, so both are freed on return, before the next segment is read."""
    assert result.index is not None
    summary = read_summary(path.parent, keys, number, path.read_bytes())
    if summary is None or summary.first_seq != result.count + 1 or summary.first_prev_hash != previous_hash:
        return None
    result.index.merge_segment(summary.columns, summary.state, number)
    return Span(summary.first_seq, summary.count, summary.last_hash)


def _sequence_numbers(segments: list[tuple[int, Path]]) -> set[int]:
    """Every sequence number present in any segment (read again: only needed once something is amiss)."""
    present = set()
    for _, path in segments:
        for _, line in disk.read_lines(path):
            head = line.split(b" ", 1)[0]
            if head.isdigit():
                present.add(int(head))
    return present


def _out_of_place(segment: int, where: str, seq: int, expected: int, present: set[int]) -> Problem:
    if seq > expected and expected not in present:
        gone = f"#{expected}" if seq == expected + 1 else f"#{expected} to #{seq - 1}"
        return Problem(
            kind="deleted", segment=segment, seq=expected, message=f"{where}: entry {gone} deleted (found #{seq} next)"
        )
    return Problem(
        kind="reordered",
        segment=segment,
        seq=expected,
        message=f"{where}: entry #{seq} is where #{expected} belongs (entries were moved)",
    )


def _unauthentic(
    segment: int, where: str, seq: int, sealed: bytes, keys: disk.LedgerKeys, numbers: list[int]
) -> Problem:
    # A renamed file may carry the number of a file that is gone, so try every number up to a little past the
    # last file (one small AES-GCM open each).
    for other in range(1, max(numbers) + 3):
        if other != segment and disk.open_sealed(keys, other, seq, sealed) is not None:
            return Problem(
                kind="segment_swapped",
                segment=segment,
                seq=seq,
                message=f"segment file {segment} holds entries of segment {other} (files swapped or renamed)",
            )
    return Problem(
        kind="edited",
        segment=segment,
        seq=seq,
        message=f"{where}: entry #{seq} fails authentication (edited, damaged, or not from this ledger)",
    )


def _check_checkpoint(
    result: Scan, slots: tuple[disk.Checkpoint | None, disk.Checkpoint | None] | None
) -> Problem | None:
    tail = result.count
    if slots is None:
        if tail or result.segments:
            return Problem(
                kind="checkpoint",
                message="the checkpoint file is missing: entries at the end may have been removed with it",
            )
        return None
    checkpoint = result.checkpoint
    if checkpoint is None:
        return Problem(kind="checkpoint", message="both checkpoint slots are damaged")
    if tail < checkpoint.seq:
        last_segment = result.segments[-1] if result.segments else 0
        lost_segments = f"; segment files after {last_segment} are gone" if checkpoint.segment > last_segment else ""
        gone = f"#{tail + 1}" if checkpoint.seq == tail + 1 else f"#{tail + 1} to #{checkpoint.seq}"
        return Problem(
            kind="truncated",
            segment=checkpoint.segment,
            seq=tail + 1,
            message=f"the ledger was cut short: the checkpoint records {checkpoint.seq} entries, "
            f"{tail} are left (entry {gone} missing{lost_segments})",
        )
    # More entries than the checkpoint records is fine: they authenticate and link (see ``disk``).
    if result.hash_of(checkpoint.seq) != checkpoint.hash:
        return Problem(
            kind="checkpoint",
            seq=checkpoint.seq,
            message=f"entry #{checkpoint.seq} is not the entry the checkpoint recorded (replaced)",
        )
    if tail == checkpoint.seq and None in slots:
        # A crash tears a slot only while writing the checkpoint of an entry already on disk, which leaves
        # that entry past the surviving slot. A damaged slot with no such entry means the newest slot
        # and the newest entry were removed together.
        return Problem(
            kind="checkpoint",
            seq=tail + 1,
            message=f"a checkpoint slot is damaged and no entry follows #{tail}: the last entry may have been removed",
        )
    return None
