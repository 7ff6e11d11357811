"""The ledger: append one entry per disclosure decision, durably, and answer the dashboard fast.

Design (see ``disk`` for the file format, ``chain`` for the hash, ``index`` for the views):
- **Append cost does not grow.** Entries go to append-only segment files (a new one every
  ``segment_entries``), one sealed line each: a ``write`` and an ``fdatasync`` on the segment, then an
  in-place write of one checkpoint slot. Nothing is ever rewritten.
- **Durable on return.** ``append`` returns only after the segment sync. A crash before it loses an
  unacknowledged entry, which the next open cuts off if it was torn; a crash after it but before the
  checkpoint reached the disk leaves entries past the checkpoint, which the next open accepts (they
  authenticate and link) and checkpoints.
- **Encrypted at rest.** Every record is AES-256-GCM under a key derived from the one given to ``open``
  (the vault's ``subkey("ledger")``); the ledger never sees the vault itself, so it is testable alone.
- **Fast reads.** ``open`` builds an in-memory index of light rows plus running aggregates; full entries
  are read back by file position only for the rows a view shows. Closed segments come from their sealed
  summaries (``summary``) when those match the segment bytes; the open segment is authenticated line by line.
- **One writer.** ``open`` takes an exclusive ``flock`` on the folder's lock file: a second companion on the
  same data dir gets ``LedgerBusy`` rather than interleaving lines. ``verify_folder`` reads without it.
- **Damage is shown, not hidden.** If ``open`` finds a problem it keeps the entries before it readable and
  refuses to append (``LedgerCorrupt``), so nothing is chained onto a broken ledger unnoticed.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from companion.ledger import disk
from companion.ledger.chain import GENESIS, canonical, entry_hash
from companion.ledger.errors import LedgerBusy, LedgerClosed, LedgerCorrupt, LedgerError
from companion.ledger.index import (
    Bucket,
    Grid,
    LedgerIndex,
    Location,
    Page,
    Row,
    SiteSummary,
    StaleDisclosure,
)
from companion.ledger.model import Decision, Disclosure, LedgerDraft, LedgerEntry, utc_stamp
from companion.ledger.summary import SummaryBuilder, write_summary
from companion.ledger.verify import Problem, Scan, VerifyReport, scan
from companion.storage import fsync_dir

SEGMENT_ENTRIES = 4096  # ~6 MB per segment file; bounds what open decrypts line by line, and its memory
SEARCH_LIMIT = 500


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Open makes one long-lived object per entry and none of them is garbage, but Python's cycle collector
    walks them again and again while they pile up: paused, opening 100,000 entries took a third less time.
    Process-wide for about a second; reference counting still frees everything meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def verify_folder(folder: Path, key: bytes) -> VerifyReport:
    """Check a ledger folder without opening it for writing (safe while the companion runs)."""
    return scan(Path(folder), disk.LedgerKeys(key), check_hashes=True).report()


class Ledger:
    def __init__(self, folder: Path, keys: disk.LedgerKeys, lock_fd: int | None, segment_entries: int) -> None:
        """Use ``Ledger.open``."""
        self.folder = folder
        self.segment_entries = segment_entries
        self.read_only = lock_fd is None
        self._keys: disk.LedgerKeys | None = keys
        self._lock_fd: int | None = lock_fd
        self._mutex = threading.RLock()
        self._index = LedgerIndex()
        self._tail_hash = GENESIS
        self._segment = 0  # the segment appends go to
        self._segment_count = 0  # entries in it
        self._segment_size = 0  # its size in bytes
        # Its summary, made as its entries are written and sealed when it closes (open need not write it on
        # every start); not its entries themselves, which held 4 KB each until then. None when read-only.
        self._pending: SummaryBuilder | None = None
        self._append_fd: int | None = None
        self._head_fd: int | None = None
        self._read_fds: dict[int, int] = {}
        self.problem: Problem | None = None

    # --- open and close ------------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, folder: Path, key: bytes, *, segment_entries: int = SEGMENT_ENTRIES, read_only: bool = False
    ) -> Ledger:
        """Build the index, authenticating what it reads, and check the tail against the checkpoint.

        Creates the folder and an empty ledger if there is none. A problem found does not raise: it is kept
        in ``problem`` and makes ``append`` refuse (the read side stays usable up to the damage).
        ``read_only`` (the CLI, while a companion may be running) takes no lock and writes nothing: no
        repair, no summaries, no appends.
        """
        if segment_entries < 1:
            raise ValueError("segment_entries >= 1")
        folder = Path(folder)
        keys = disk.LedgerKeys(key)
        lock_fd = None
        if not read_only:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock_fd = os.open(folder / disk.LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock_fd)
                raise LedgerBusy(f"another process has the ledger at {folder} open") from None
        ledger = cls(folder, keys, lock_fd, segment_entries)
        try:
            with _collector_paused():
                ledger._load(scan(folder, keys, check_hashes=False, use_summaries=True, build_index=True))
        except BaseException:
            ledger.close()
            raise
        # The index lives until the ledger closes and holds no garbage, yet every full collection walked all of
        # it: 60-170 ms pauses at 100,000 entries, landing inside dashboard views. Frozen, the collector skips
        # what exists now; ``close`` hands it back so a locked vault's index is freed.
        gc.freeze()
        return ledger

    def _load(self, found: Scan) -> None:
        keys = self._require_keys()
        head_path = self.folder / disk.HEAD_FILE
        self.problem = found.problem
        if found.problem is None and not self.read_only:
            if found.torn is not None:
                self._cut_torn_line(*found.torn)
            checkpoint = disk.Checkpoint(found.count, found.tail_hash, found.tail_segment)
            if not found.has_head_file or found.checkpoint != checkpoint:
                # New ledger, or an entry the last run wrote but did not checkpoint: checkpoint it now.
                disk.create_head(head_path, keys, checkpoint)
        assert found.index is not None
        self._index = found.index  # summarized segments merged as they were read, the others entry by entry
        self._tail_hash = found.tail_hash
        if found.segments:
            self._segment = found.segments[-1]
            in_segment = [r for r in found.records if r.segment == self._segment]
            self._segment_count = len(in_segment)
            if not self.read_only:
                self._pending = SummaryBuilder(self._segment)
                for r in in_segment:
                    self._pending.add(r.document, r.offset, r.length)
            self._segment_size = disk.segment_path(self.folder, self._segment).stat().st_size
        if found.problem is None and not self.read_only:
            self._summarize([n for n in found.unsummarized if n != self._segment], found)
        if head_path.exists() and not self.read_only:
            self._head_fd = os.open(head_path, os.O_RDWR)

    def _summarize(self, segments: list[int], found: Scan) -> None:
        """Write summaries for closed segments that had none (or a stale one), so the next open is fast."""
        keys = self._require_keys()
        for segment in segments:
            entries = [(r.document, r.offset, r.length) for r in found.records if r.segment == segment]
            if entries:
                write_summary(self.folder, keys, segment, entries)

    def _cut_torn_line(self, segment: int, offset: int) -> None:
        """Remove an unfinished last line: it was never acknowledged, and would break every later append."""
        fd = os.open(disk.segment_path(self.folder, segment), os.O_WRONLY)
        try:
            os.ftruncate(fd, offset)
            os.fsync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Forget the key and the decrypted index, close the files, let another process open the ledger."""
        with self._mutex:
            self._keys = None
            self._index = LedgerIndex()
            gc.unfreeze()
            for fd in [self._append_fd, self._head_fd, *self._read_fds.values()]:
                if fd is not None:
                    os.close(fd)
            self._append_fd = self._head_fd = None
            self._read_fds = {}
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None

    @property
    def closed(self) -> bool:
        return self._keys is None

    def __len__(self) -> int:
        with self._mutex:
            self._require_keys()
            return len(self._index)

    @property
    def head_hash(self) -> str:
        """The hash of the newest entry: note it down elsewhere to catch a rollback of the whole folder."""
        with self._mutex:
            self._require_keys()
            return self._tail_hash

    # --- the write side ------------------------------------------------------------------------------------

    def append(self, draft: LedgerDraft, *, now: datetime | None = None) -> LedgerEntry:
        """Record one decision; on return the entry and its checkpoint are on disk."""
        with self._mutex:
            keys = self._require_keys()
            if self.read_only:
                raise LedgerError("the ledger was opened read-only")
            if self.problem is not None:
                raise LedgerCorrupt(f"the ledger is damaged, nothing more is recorded: {self.problem.message}")
            seq = len(self._index) + 1
            document = draft.model_dump(mode="json")
            document.update(
                id=str(uuid.uuid4()),
                seq=seq,
                time=utc_stamp(now if now is not None else datetime.now(UTC)),
                prev_hash=self._tail_hash,
            )
            document["hash"] = entry_hash(document)
            entry = LedgerEntry.model_validate(document)
            if self._segment == 0 or self._segment_count >= self.segment_entries:
                self._roll()
            line = disk.seal_line(keys, self._segment, seq, canonical(document))
            offset = self._segment_size
            self._write_line(line, offset)
            self._segment_size += len(line)
            self._segment_count += 1
            assert self._pending is not None  # made by _roll, or on open for a writer
            self._pending.add(document, offset, len(line))
            self._tail_hash = document["hash"]
            self._index.add(document, self._segment, offset, len(line))
            # The entry is on disk and chained: from here it stays in the index even if the checkpoint fails.
            disk.write_slot(self._require_head_fd(), keys, disk.Checkpoint(seq, document["hash"], self._segment))
            return entry

    def _roll(self) -> None:
        if self._append_fd is not None:
            os.close(self._append_fd)
            self._append_fd = None
        if self._pending is not None and len(self._pending):
            # Once per segment_entries appends: this one append pays for the summary (tens of ms at 4,096 entries).
            self._pending.write(self.folder, self._require_keys())
        self._segment += 1
        self._pending = SummaryBuilder(self._segment)
        self._segment_count = 0
        self._segment_size = 0
        path = disk.segment_path(self.folder, self._segment)
        self._append_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fsync_dir(self.folder)  # the new file's name must survive a crash as well as its lines

    def _write_line(self, line: bytes, offset: int) -> None:
        if self._append_fd is None:
            path = disk.segment_path(self.folder, self._segment)
            self._append_fd = os.open(path, os.O_WRONLY | os.O_APPEND, 0o600)
        fd = self._append_fd
        try:
            written = 0
            while written < len(line):
                written += os.write(fd, line[written:])
            os.fdatasync(fd)
        except BaseException:
            os.ftruncate(fd, offset)  # leave no half line behind for the next append to follow
            raise

    def _require_head_fd(self) -> int:
        if self._head_fd is None:
            self._head_fd = os.open(self.folder / disk.HEAD_FILE, os.O_RDWR)
        return self._head_fd

    # --- the read side -------------------------------------------------------------------------------------

    def query(
        self,
        *,
        site: str | None = None,
        field_type: str | None = None,
        purpose: str | None = None,
        decision: Decision | str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[LedgerEntry]:
        """Entries matching every filter given, newest first, with the total count.

        ``since`` is inclusive, ``until`` exclusive (a ``date`` includes that whole day).
        """
        with self._mutex:
            self._require_keys()
            total, rows = self._index.select(
                site=site,
                field_type=field_type,
                purpose=purpose,
                decision=decision,
                since=since,
                until=until,
                offset=offset,
                limit=limit,
            )
            return Page[LedgerEntry](items=[self._read(r) for r in rows], total=total, offset=offset, limit=limit)

    def sites(self) -> list[SiteSummary]:
        with self._mutex:
            self._require_keys()
            return self._index.site_summaries()

    def site(self, site: str) -> SiteSummary | None:
        """The summary of one site, None if the ledger has nothing for it."""
        with self._mutex:
            self._require_keys()
            return self._index.site_summary(site)

    def who_knows_what(self) -> Grid:
        with self._mutex:
            self._require_keys()
            return self._index.grid()

    def search_fingerprint(self, fingerprint: str, *, limit: int = SEARCH_LIMIT) -> list[LedgerEntry]:
        """Entries that released the value with this keyed fingerprint (vault.fingerprint), newest first."""
        with self._mutex:
            self._require_keys()
            positions = self._index.fingerprint_positions(fingerprint)[:limit]
            return [self._read(self._index.location(p)) for p in positions]

    def disclosures(self, site: str) -> list[Disclosure]:
        """Every entry that released values to ``site``, oldest first, as a request to the shop lists it:
        without the fields its page did not take (and without an entry whose page took none).

        Each record is read back and authenticated like any other, but not made into a ``LedgerEntry``: the
        busiest shop has thousands, and that validation was half the cost of reading them."""
        with self._mutex:
            keys = self._require_keys()
            index = self._index
            return [
                Disclosure.from_document(self._read_document(keys, index.location(p)), index.not_received(p))
                for p in index.released_positions(site)
            ]

    def not_received(self, entry_id: str) -> frozenset[int]:
        """Positions of the fields of a release that its page did not take (from later "undelivered" entries)."""
        with self._mutex:
            self._require_keys()
            position = self._index.position(entry_id)
            return frozenset() if position is None else self._index.not_received(position)

    def undelivered(self, entry_id: str) -> list[LedgerEntry]:
        """The "undelivered" entries that name the release ``entry_id``, oldest first: which of its fields the
        page did not take, and why (a consent receipt says so)."""
        with self._mutex:
            self._require_keys()
            position = self._index.position(entry_id)
            if position is None:
                return []
            found = [self._read(self._index.location(p)) for p in self._index.undelivered_after(position)]
            return [e for e in found if e.release_id == entry_id]

    def activity(self, bucket: Bucket) -> list[tuple[date, int, int]]:
        """(bucket start, released, refused) per day, ISO week (from Monday) or month, oldest first."""
        with self._mutex:
            self._require_keys()
            return self._index.activity(bucket)

    def entry(self, entry_id: str) -> LedgerEntry | None:
        with self._mutex:
            self._require_keys()
            position = self._index.position(entry_id)
            return None if position is None else self._read(self._index.location(position))

    def stale(self, current: Mapping[str, str]) -> list[StaleDisclosure]:
        """Sites whose latest copy of a vault value is out of date.

        ``current`` maps each value id now in the vault to the keyed fingerprint of its current value; a
        value id a site got that is missing from it was removed from the vault.
        """
        with self._mutex:
            self._require_keys()
            found = []
            for site, value_id, _, position in self._index.stale(current):
                row = self._index.row(position)
                found.append(
                    StaleDisclosure.model_construct(
                        site=site,
                        value_id=value_id,
                        field_types=tuple(dict.fromkeys(row.types)),
                        given=row.time,
                        entry_id=row.id,
                        removed=value_id not in current,
                    )
                )
            return found

    def entries(self) -> Iterator[LedgerEntry]:
        """Every entry, oldest first (for exports); reads each segment file once."""
        with self._mutex:
            keys = self._require_keys()
            segments, offsets, lengths = self._index.locations()
        data, in_memory = b"", 0
        for p, segment in enumerate(segments):  # in order, so each segment's entries one after the other
            if segment != in_memory:
                data, in_memory = disk.segment_path(self.folder, segment).read_bytes(), segment
            offset, length = offsets[p], lengths[p]
            yield self._decode(keys, Location(p + 1, segment, offset, length), data[offset : offset + length])

    def verify(self) -> VerifyReport:
        """Re-read everything from disk and recompute every hash (the index is not trusted for this).

        It takes seconds at 100,000 entries, so it does not hold the ledger's lock: appends go on meanwhile
        (``scan`` reads in an order that a concurrent append cannot make look like damage)."""
        with self._mutex:
            keys = self._require_keys()
        return scan(self.folder, keys, check_hashes=True).report()

    # --- internals -----------------------------------------------------------------------------------------

    def _require_keys(self) -> disk.LedgerKeys:
        if self._keys is None:
            raise LedgerClosed("the ledger is closed (the vault is locked)")
        return self._keys

    def _read(self, row: Row | Location) -> LedgerEntry:
        return LedgerEntry.model_validate(self._read_document(self._require_keys(), row))

    def _read_document(self, keys: disk.LedgerKeys, row: Row | Location) -> dict[str, Any]:
        fd = self._read_fds.get(row.segment)
        if fd is None:
            fd = self._read_fds[row.segment] = os.open(disk.segment_path(self.folder, row.segment), os.O_RDONLY)
        return self._decode_document(keys, row, os.pread(fd, row.length, row.offset))

    @classmethod
    def _decode(cls, keys: disk.LedgerKeys, row: Row | Location, line: bytes) -> LedgerEntry:
        return LedgerEntry.model_validate(cls._decode_document(keys, row, line))

    @staticmethod
    def _decode_document(keys: disk.LedgerKeys, row: Row | Location, line: bytes) -> dict[str, Any]:
        """The entry's JSON document, authenticated at its place (segment, seq)."""
        try:
            seq, sealed = disk.split_line(line)
        except ValueError:
            seq, sealed = -1, b""
        plaintext = disk.open_sealed(keys, row.segment, seq, sealed) if seq == row.seq else None
        if plaintext is None:
            raise LedgerCorrupt(f"segment {row.segment}: entry #{row.seq} changed on disk while the ledger was open")
        # json.loads, not model_validate_json: pydantic's JSON parser refuses ``\\ud800``-style escapes that
        # the canonical encoding may hold, and the entry must read back exactly as it was written.
        document: dict[str, Any] = json.loads(plaintext)
        return document
