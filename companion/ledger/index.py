"""The in-memory index the dashboard reads: built once on open, kept current on append, never on disk.

It holds one light row per entry — no labels, origins or terms — plus running aggregates (per site, the
site × field-type grid, per-day counts, fingerprints, the values each site was given), so that every view is
either a lookup or one pass over the rows, well under 100 ms at 100,000 entries. Full entries are read
back from disk by position when a page of them is shown (``store``).

An "undelivered" entry says which fields of an earlier release the page never took. It is a *withdrawal*:
those fields leave the aggregates of what sites were given (the grid, fingerprints, the values given) as if
they had never been released, and are remembered per release (``not_received``) for the views that list
it. The release's own row stays as it is: values did leave Proffer, and the timeline shows both entries.
An "undelivered" entry may also correct a consent box Proffer set by the person's preference (a "never"
entry) that the page did not let go of: that box is remembered the same way, and nothing else changes,
since a refusal counts towards nothing a site was given. A site counts the two apart (``not_taken``,
``boxes_not_done``): a box the page would not let Proffer set is no value it did not take.

A "never" entry that notes the page undid a box's change and Proffer set it again as the form was sent
(``is_set_again_note``) has its row, as every entry, but is no refusal of its own: the box's change was the
refusal, so a site's ``refused`` and the day's count it once.

The rows are kept column by column, not as an object each (``LedgerIndex``): a year of history has few
distinct sites, purposes, decisions and field types, so each is kept once and a row names it by a 4-byte
code; ids and times are packed into fixed-width bytes; positions are machine integers in arrays, in the rows
and in every aggregate that lists them. A ``Row`` is made from the columns when a view asks for one.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, repeat
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict

from companion.ledger.model import RELEASED, Decision, is_set_again_note, utc_stamp

UNDELIVERED = Decision.UNDELIVERED.value
NEVER = Decision.NEVER.value

T = TypeVar("T")
Bucket = Literal["day", "week", "month"]


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="forbid", frozen=True)

    items: list[T]
    total: int  # matching entries in all, not just on this page
    offset: int
    limit: int


class SiteSummary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    site: str
    first_seen: str
    last_seen: str
    entries: int
    # releases whose page took at least one of their values: what the site got, as a request to it lists
    # (``released_positions``); a release whose page took none of them counts under ``undelivered`` only
    released: int
    # entries where the person or a standing decision said no; not a note that Proffer set a box again, whose
    # change is counted already
    refused: int
    field_types: tuple[str, ...]  # the types the site was given (and its pages took), sorted
    not_taken: int = 0  # releases whose page did not take some or all of their values
    boxes_not_done: int = 0  # consent boxes Proffer set by the person's preference that the page would not let go of


class GridRow(BaseModel):
    """One site's row: ``times[i]`` and ``last_given[i]`` are for ``Grid.field_types[i]`` (0 / None: never)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: str
    times: tuple[int, ...]
    last_given: tuple[str | None, ...]


class Grid(BaseModel):
    """Who knows what: sites (rows) × field types (columns), released disclosures only, less the fields the
    page did not take.

    Columns are parallel tuples rather than a model per cell: sites × types cells would cost tens of ms to
    build as models, and the grid must stay fast with hundreds of sites.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    field_types: tuple[str, ...]
    rows: tuple[GridRow, ...]


class StaleDisclosure(BaseModel):
    """A site holds a value the person has since changed or removed in the vault."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: str
    value_id: str
    field_types: tuple[str, ...]
    given: str  # when the site last got it
    entry_id: str
    removed: bool  # True: the value is gone from the vault; False: it was changed


class Row(NamedTuple):
    """One entry as the index knows it, made from its columns when a view asks for it (``LedgerIndex.row``)."""

    seq: int
    id: str
    time: str
    site: str
    purpose: str
    decision: str
    types: tuple[str, ...]
    segment: int
    offset: int
    length: int


class Location(NamedTuple):
    """Where an entry's record is: all that reading it back needs (``LedgerIndex.location``)."""

    seq: int
    segment: int
    offset: int
    length: int


_ID_BYTES = 16  # an id as ``str(uuid.uuid4())`` makes it: 36 characters, 16 bytes
_ID_CHARS = 36
_DASHES = (8, 13, 18, 23)
_TIME_BYTES = 27  # a time as ``utc_stamp`` makes it: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``


def _pack_id(entry_id: str) -> bytes | None:
    """The 16 bytes of an id in the form ``str(uuid4())`` gives (lower-case hex, dashes at 8, 13, 18 and 23),
    which ``_unpack_id`` turns back into exactly that string; None for any other string."""
    if len(entry_id) != _ID_CHARS or any(entry_id[i] != "-" for i in _DASHES) or entry_id != entry_id.lower():
        return None
    try:
        raw = bytes.fromhex(entry_id.replace("-", ""))
    except ValueError:
        return None
    return raw if len(raw) == _ID_BYTES else None  # fewer: whitespace, which fromhex skips


def _pack_ids(ids: Sequence[str]) -> bytes | None:
    """``_pack_id`` of every id at once (a summary's 4,096 in a few C calls), or None if any is of another form."""
    if not ids or set(map(len, ids)) != {_ID_CHARS}:
        return None
    joined = "".join(ids)
    dashes = "-" * len(ids)
    if any(joined[i::_ID_CHARS] != dashes for i in _DASHES) or joined.count("-") != len(dashes) * len(_DASHES):
        return None
    if joined != joined.lower():
        return None
    try:
        raw = bytes.fromhex(joined.replace("-", ""))
    except ValueError:
        return None
    return raw if len(raw) == _ID_BYTES * len(ids) else None


def _unpack_id(raw: bytes | bytearray) -> str:
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _pack_time(stamp: str) -> bytes | None:
    return stamp.encode("ascii") if len(stamp) == _TIME_BYTES and stamp.isascii() else None


def _pack_times(stamps: Sequence[str]) -> bytes | None:
    if not stamps or set(map(len, stamps)) != {_TIME_BYTES}:
        return None
    joined = "".join(stamps)
    return joined.encode("ascii") if joined.isascii() else None


def _unpack_time(raw: bytes | bytearray) -> str:
    return raw.decode("ascii")


def _drop(positions: array[int], position: int) -> bool:
    """Remove ``position`` from ascending ``positions`` (as every list of positions is: appended in order) if
    it is there. A binary search: ``in`` and ``remove`` on an array make an int of every element they pass."""
    i = bisect_left(positions, position)
    if i < len(positions) and positions[i] == position:
        del positions[i]
        return True
    return False


class _Packed:
    """Strings of one form, one per entry, packed at a fixed width in one bytearray: 16 bytes for an id where
    its string takes 85, 27 for a time where its string takes 76. A string of any other form (none the ledger
    writes) is kept as it is, aside, with zero bytes in its place, so every string reads back exactly."""

    __slots__ = ("aside", "data", "pack", "pack_many", "unpack", "width")

    def __init__(
        self,
        width: int,
        pack: Callable[[str], bytes | None],
        pack_many: Callable[[Sequence[str]], bytes | None],
        unpack: Callable[[bytes | bytearray], str],
    ) -> None:
        self.width, self.pack, self.pack_many, self.unpack = width, pack, pack_many, unpack
        self.data = bytearray()
        self.aside: dict[int, str] = {}  # position -> a string not of the form

    def __len__(self) -> int:
        return len(self.data) // self.width

    def append(self, text: str) -> None:
        raw = self.pack(text)
        if raw is None:
            self.aside[len(self)] = text
            raw = bytes(self.width)
        self.data += raw

    def extend(self, texts: Sequence[str]) -> None:
        raw = self.pack_many(texts)
        if raw is None:
            for text in texts:
                self.append(text)
        else:
            self.data += raw

    def __getitem__(self, position: int) -> str:
        if self.aside:
            text = self.aside.get(position)
            if text is not None:
                return text
        w = self.width
        return self.unpack(self.data[w * position : w * position + w])

    def key(self, position: int) -> bytes | bytearray:
        """Bytes that order as the string does (UTF-8 keeps code point order), for range filters."""
        if self.aside and position in self.aside:
            return self.aside[position].encode("utf-8", "surrogatepass")
        w = self.width
        return self.data[w * position : w * position + w]


@dataclass(slots=True)
class _SiteTally:
    first_seen: str
    last_seen: str
    entries: int = 0
    released: int = 0  # less those whose page took nothing, once their withdrawals are applied
    refused: int = 0
    # Counted as withdrawals are applied, each release or box once however often it is corrected; so never in a
    # summary, whose withdrawals are applied on merge.
    not_taken: int = 0
    boxes_not_done: int = 0


class Withdrawal(NamedTuple):
    """What an "undelivered" entry takes back: fields of the release ``release_id``, each as (its position
    among that entry's fields, value id, fingerprint), copied from the release by the companion."""

    release_id: str
    fields: tuple[tuple[int, str | None, str | None], ...]

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> Withdrawal:
        return cls(
            document["release_id"],
            tuple([(f["position"], f.get("value_id"), f.get("fingerprint")) for f in document["fields"]]),
        )


def to_stamp(moment: datetime | date) -> str:
    """A bound in the ledger's time format, so it compares with entry times as strings."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), tzinfo=UTC)
    return utc_stamp(moment)


def bucket_start(day: date, bucket: Bucket) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if bucket == "month":
        return day.replace(day=1)
    return day


class LedgerIndex:
    """The rows are columns, not an object per entry: each string a view filters on (site, purpose, decision,
    field types) is a 4-byte code into one table of the distinct strings, ids and times are packed
    (``_Packed``), file positions are machine integers (``array``), and so are the positions the aggregates
    list. An entry's ``Row`` is made from them when a view asks for it. At 100,000 entries (the benchmark's)
    an object per row, with an ``int`` per position and a ``str`` per id and time, and a dict from id to
    position, held about 58 MB; the columns and the aggregates hold 18 MB (``tracemalloc``)."""

    def __init__(self, *, withdraw: bool = True) -> None:
        """``withdraw=False`` keeps releases whole and only collects the withdrawals (``export_segment``): a
        segment's summary is merged first and its withdrawals applied after, whichever segment their releases
        are in."""
        # The strings the columns name by code: sites, purposes, decisions and field types, each once.
        self._names: list[str] = []
        self._codes: dict[str, int] = {}
        self._released: set[int] = set()  # the codes of the decisions that release values
        # One entry per position (position == seq - 1): the rows, column by column.
        self._ids = _Packed(_ID_BYTES, _pack_id, _pack_ids, _unpack_id)
        self._times = _Packed(_TIME_BYTES, _pack_time, _pack_times, _unpack_time)
        self._site = array("I")
        self._purpose = array("I")
        self._decision = array("I")
        self._types = array("I")  # every entry's field types, one after the other
        self._types_start = array("I", [0])  # where each entry's start in ``_types``, and where the last ends
        self._segment = array("I")
        self._offset = array("Q")
        self._length = array("I")
        # id -> position: open addressing over the packed ids, each slot 0 (free) or a position + 1, at most half
        # of them used: 11 bytes an entry at 100,000, where a dict took 39 besides a str key and an int value
        # each. Ids not in uuid4 form (none the ledger writes) are in ``_aside_ids``.
        self._slots = array("i", bytes(4 * 8))
        self._slots_used = 0
        self._aside_ids: dict[str, int] = {}
        self._by_site: dict[str, array[int]] = {}
        self._by_type: dict[str, array[int]] = {}
        self._by_fingerprint: dict[str, array[int]] = {}
        self._sites: dict[str, _SiteTally] = {}
        self._grid: dict[str, dict[str, list[Any]]] = {}  # site -> type -> [times, last_given]
        # (site, type) whose last_given may be too late: the release it came from was withdrawn. Worked out again
        # when the grid is read, one pass over each such site's rows, not once per withdrawal (open applies
        # thousands of withdrawals, most of them on a site's latest release).
        self._unsure_last: set[tuple[str, str]] = set()
        # "YYYY-MM-DD" -> [released less those whose page took nothing, refused]; a day of corrections only is [0, 0]
        self._days: dict[str, list[int]] = {}
        # (site, value_id) -> [[fingerprint, positions], ...]: every time the site was given that value, in order,
        # so that when the page did not take the latest one, the one before is the site's copy. Runs of one
        # fingerprint (a value is given many times between two edits) keep it to 4 bytes a time.
        self._given: dict[tuple[str, str], list[list[Any]]] = {}
        # release position -> bit i set: its field i was not taken (an int below 256 is shared, not made)
        self._not_received: dict[int, int] = {}
        self._withdraw = withdraw
        self._withdrawals: list[Withdrawal] = []  # collected, not applied (withdraw=False)

    def __len__(self) -> int:
        return len(self._site)

    def _code(self, name: str) -> int:
        code = self._codes.get(name)
        if code is None:
            code = self._codes[name] = len(self._names)
            self._names.append(sys.intern(name))
            if name in RELEASED:
                self._released.add(code)
        return code

    def _coded(self, names: Sequence[str]) -> array[int]:
        """The codes of many names (a summary's column), looking each distinct one up once."""
        codes = {name: self._code(name) for name in set(names)}
        return array("I", map(codes.__getitem__, names))

    # --- ids -----------------------------------------------------------------------------------------------

    def reserve(self, count: int) -> None:
        """Make room for ``count`` entries' ids at once (open knows how many from the checkpoint), rather than
        rehashing them all each time the slots fill up."""
        if 2 * count > len(self._slots):
            self._rehash(count)

    def _index_ids(self, start: int, stop: int) -> None:
        """Make the ids of positions ``start`` to ``stop`` (already in ``_ids``) findable by ``position``."""
        if 2 * (self._slots_used + stop - start) > len(self._slots):
            self._rehash(self._slots_used + stop - start)
        slots, aside = self._slots, self._ids.aside
        mask = len(slots) - 1
        packed = bytes(self._ids.data[_ID_BYTES * start : _ID_BYTES * stop])  # sliced into bytes, hashable
        for p, at in zip(range(start, stop), range(0, len(packed), _ID_BYTES), strict=True):
            if aside and p in aside:
                self._aside_ids[aside[p]] = p
                continue
            i = hash(packed[at : at + _ID_BYTES]) & mask
            while slots[i]:
                i = (i + 1) & mask
            slots[i] = p + 1
            self._slots_used += 1

    def _rehash(self, needed: int) -> None:
        """Slots for ``needed`` ids at most half full, at least doubled."""
        size = len(self._slots) * 2
        while 2 * needed > size:
            size *= 2
        old = self._slots
        self._slots = array("i", bytes(4 * size))
        slots, data, mask = self._slots, self._ids.data, size - 1
        for slot in old:
            if slot:
                p = slot - 1
                i = hash(bytes(data[_ID_BYTES * p : _ID_BYTES * p + _ID_BYTES])) & mask
                while slots[i]:
                    i = (i + 1) & mask
                slots[i] = slot

    def position(self, entry_id: str) -> int | None:
        raw = _pack_id(entry_id)
        if raw is None:
            return self._aside_ids.get(entry_id)
        slots, data = self._slots, self._ids.data
        mask = len(slots) - 1
        i = hash(raw) & mask
        found = None
        while slot := slots[i]:
            p = slot - 1
            if data[_ID_BYTES * p : _ID_BYTES * p + _ID_BYTES] == raw:
                found = p  # and on: of two entries with one id (which uuid4 does not make), the later, as a dict kept
            i = (i + 1) & mask
        return found

    # --- rows ----------------------------------------------------------------------------------------------

    def row(self, position: int) -> Row:
        names, types = self._names, self._types
        start, end = self._types_start[position], self._types_start[position + 1]
        return Row(
            position + 1,
            self._ids[position],
            self._times[position],
            names[self._site[position]],
            names[self._purpose[position]],
            names[self._decision[position]],
            tuple([names[c] for c in types[start:end]]),
            self._segment[position],
            self._offset[position],
            self._length[position],
        )

    def location(self, position: int) -> Location:
        return Location(position + 1, self._segment[position], self._offset[position], self._length[position])

    def locations(self) -> tuple[array[int], array[int], array[int]]:
        """Copies of the segment, offset and length columns (an export reads every record without the lock)."""
        return array("I", self._segment), array("Q", self._offset), array("I", self._length)

    def time(self, position: int) -> str:
        return self._times[position]

    def _field_count(self, position: int) -> int:
        return self._types_start[position + 1] - self._types_start[position]

    # --- building ------------------------------------------------------------------------------------------

    def add(self, document: Mapping[str, Any], segment: int, offset: int, length: int) -> None:
        # The hot path of open (once per entry): no datetime parsing — times are compared as strings, which
        # the ledger's one fixed format (``YYYY-MM-DDTHH:MM:SS.ffffffZ``, UTC) keeps in chronological order.
        names, code = self._names, self._code
        fields = document["fields"]
        stamp = document["time"]
        position = len(self._site)
        self._ids.append(document["id"])
        self._index_ids(position, position + 1)
        self._times.append(stamp)
        site_code, decision_code = code(document["site"]), code(document["decision"])
        site, decision = names[site_code], names[decision_code]
        type_codes = [code(f["type"]) for f in fields]
        self._site.append(site_code)
        self._purpose.append(code(document["purpose"]))
        self._decision.append(decision_code)
        self._types.extend(type_codes)
        self._types_start.append(len(self._types))
        self._segment.append(segment)
        self._offset.append(offset)
        self._length.append(length)
        at_site = self._by_site.get(site)
        if at_site is None:
            at_site = self._by_site[site] = array("i")
        at_site.append(position)
        by_type = self._by_type
        for type_code in set(type_codes):
            field_type = names[type_code]
            of_type = by_type.get(field_type)
            if of_type is None:
                of_type = by_type[field_type] = array("i")
            of_type.append(position)
        tally = self._sites.get(site)
        if tally is None:
            tally = self._sites[site] = _SiteTally(first_seen=stamp, last_seen=stamp)
        elif stamp < tally.first_seen:
            tally.first_seen = stamp
        elif stamp > tally.last_seen:
            tally.last_seen = stamp
        tally.entries += 1
        day = self._days.get(stamp[:10])
        if day is None:
            day = self._days[stamp[:10]] = [0, 0]
        if decision_code in self._released:
            tally.released += 1
            day[0] += 1
            cells = self._grid.get(site)
            if cells is None:
                cells = self._grid[site] = {}
            for f, type_code in zip(fields, type_codes, strict=True):
                field_type = names[type_code]
                cell = cells.get(field_type)
                if cell is None:
                    cells[field_type] = [1, stamp]
                else:
                    cell[0] += 1
                    if stamp >= cell[1]:
                        cell[1] = stamp
                        self._unsure_last.discard((site, field_type))  # no earlier time can be the last now
                fingerprint = f.get("fingerprint")
                if fingerprint:
                    fingerprint = sys.intern(fingerprint)
                    found = self._by_fingerprint.get(fingerprint)
                    if found is None:
                        found = self._by_fingerprint[fingerprint] = array("i")
                    found.append(position)
                value_id = f.get("value_id")
                if value_id:
                    runs = self._given.get((site, value_id))
                    if runs is None:
                        self._given[(site, value_id)] = [[fingerprint, array("i", [position])]]
                    elif runs[-1][0] == fingerprint:
                        runs[-1][1].append(position)
                    else:
                        runs.append([fingerprint, array("i", [position])])
        elif decision == UNDELIVERED:
            if self._withdraw:
                self.withdraw(Withdrawal.of(document))
            else:
                self._withdrawals.append(Withdrawal.of(document))
        elif not is_set_again_note(document):  # the note refuses nothing its box's own entry did not
            tally.refused += 1
            day[1] += 1

    def withdraw(self, withdrawal: Withdrawal) -> None:
        """Take fields of a release the page did not take out of what its site was given.

        The result does not depend on when it is applied, right after the release or after later entries
        (a summary's segment merged whole): every aggregate it touches is recomputed from the rows, not
        rolled back. A release this index does not hold, or a field already withdrawn, is left alone. The
        box of a refusal (a consent box Proffer set) is only marked as not kept: it was in no aggregate."""
        position = self.position(withdrawal.release_id)
        if position is None:
            return
        decision = self._names[self._decision[position]]
        released = decision in RELEASED
        if not released and decision != NEVER:
            return
        site = self._names[self._site[position]]
        start, count = self._types_start[position], self._field_count(position)
        before = gone = self._not_received.get(position, 0)
        for place, value_id, fingerprint in withdrawal.fields:
            if not 0 <= place < count or gone >> place & 1:
                continue
            gone |= 1 << place
            if not released:
                continue
            self._ungrid(site, self._names[self._types[start + place]], position)
            found = self._by_fingerprint.get(fingerprint) if fingerprint else None
            if found is not None and _drop(found, position) and not found:
                del self._by_fingerprint[fingerprint]
            runs = self._given.get((site, value_id)) if value_id else None
            if runs is not None:
                found_run = next((r for r in reversed(runs) if r[0] == fingerprint and _drop(r[1], position)), None)
                if found_run is not None and not found_run[1]:
                    runs.remove(found_run)
                if not runs:
                    del self._given[(site, value_id)]
        if not gone:
            return
        self._not_received[position] = gone
        tally = self._sites[site]
        if not before and released:
            tally.not_taken += 1
        elif not before:
            tally.boxes_not_done += 1
        if released and before.bit_count() < count and gone.bit_count() == count:
            # Its page took none of it: the site did not get values that time, nor was anything shared that
            # day. Counted from the release's own fields and day, so the same whether this comes right after
            # it or with a summarized segment.
            tally.released -= 1
            self._days[self.time(position)[:10]][0] -= 1

    def _ungrid(self, site: str, field_type: str, position: int) -> None:
        """One time fewer that ``site`` got ``field_type``; when that was its last, the one before is."""
        cells = self._grid.get(site, {})
        cell = cells.get(field_type)
        if cell is None:
            return
        cell[0] -= 1
        if cell[0] <= 0:
            del cells[field_type]
            if not cells:
                del self._grid[site]
            self._unsure_last.discard((site, field_type))
        elif cell[1] == self.time(position):
            self._unsure_last.add((site, field_type))  # the one before is the last: see ``_settle_last``

    def _settle_last(self) -> None:
        """Work out again each unsure last_given: the latest release of that type to that site whose page took it."""
        unsure: dict[str, set[str]] = {}
        for site, field_type in self._unsure_last:
            unsure.setdefault(site, set()).add(field_type)
        self._unsure_last.clear()
        names, decisions, types, starts = self._names, self._decision, self._types, self._types_start
        released, not_received = self._released, self._not_received
        for site, wanted in unsure.items():
            codes = {self._codes[t] for t in wanted}
            latest: dict[int, str] = {}
            for p in self._by_site[site]:
                if decisions[p] not in released:
                    continue
                gone, start = not_received.get(p, 0), starts[p]
                stamp = None
                for i in range(start, starts[p + 1]):
                    type_code = types[i]
                    if type_code in codes and not gone >> (i - start) & 1:
                        stamp = stamp or self.time(p)
                        if stamp > latest.get(type_code, ""):
                            latest[type_code] = stamp
            cells = self._grid[site]
            for type_code, stamp in latest.items():
                cells[names[type_code]][1] = stamp

    def not_received(self, position: int) -> frozenset[int]:
        """Positions of the fields of the entry at ``position`` that its page did not take."""
        gone = self._not_received.get(position, 0)
        return frozenset(i for i in range(gone.bit_length()) if gone >> i & 1)

    def undelivered_after(self, position: int) -> list[int]:
        """The "undelivered" entries of the same site after the entry at ``position``, oldest first: those that
        may correct it (which one names it is in the entry itself, read from disk)."""
        if position not in self._not_received:
            return []  # nothing of it was withdrawn: no entry names it
        undelivered = self._codes.get(UNDELIVERED)
        decisions = self._decision
        after = self._by_site[self._names[self._site[position]]]
        return [p for p in after[bisect_right(after, position) :] if decisions[p] == undelivered]

    # --- per-segment state, for summaries ----------------------------------------------------------------

    def export_segment(self) -> tuple[dict[str, list[Any]], dict[str, Any]]:
        """(columns of the rows, the aggregates) of an index holding one segment, JSON-ready.

        Positions in the aggregates are local to the segment; ``merge_segment`` shifts them. The aggregates
        hold releases whole, the counts of releases per site and per day included (as every summary since format
        3 has): the withdrawals listed beside them take back, on merge, what the pages did not take, and a site's
        corrections are counted from them there (since format 4)."""
        names, types, starts = self._names, self._types, self._types_start
        count = len(self)
        columns: dict[str, list[Any]] = {
            "id": [self._ids[p] for p in range(count)],
            "time": [self._times[p] for p in range(count)],
            "site": [names[c] for c in self._site],
            "purpose": [names[c] for c in self._purpose],
            "decision": [names[c] for c in self._decision],
            "types": [[names[c] for c in types[starts[p] : starts[p + 1]]] for p in range(count)],
            "offset": self._offset.tolist(),
            "length": self._length.tolist(),
        }
        state = {
            "by_site": {k: v.tolist() for k, v in self._by_site.items()},
            "by_type": {k: v.tolist() for k, v in self._by_type.items()},
            "by_fingerprint": {k: v.tolist() for k, v in self._by_fingerprint.items()},
            "sites": {s: [t.first_seen, t.last_seen, t.entries, t.released, t.refused] for s, t in self._sites.items()},
            "grid": self._grid,
            "days": self._days,
            "given": [
                [site, value_id, [[fingerprint, positions.tolist()] for fingerprint, positions in runs]]
                for (site, value_id), runs in self._given.items()
            ],
            "withdrawals": [[w.release_id, [list(f) for f in w.fields]] for w in self._withdrawals],
        }
        return columns, state

    def merge_segment(self, columns: Mapping[str, list[Any]], state: Mapping[str, Any], segment: int) -> None:
        """Append a whole segment from its summary: the same result as ``add`` for each of its entries, at a
        fraction of the cost (whole columns at a time; the aggregates are merged, not rebuilt). The summary's
        aggregates hold its releases whole; its withdrawals are applied last."""
        intern = sys.intern
        base = len(self)
        ids = columns["id"]
        count = len(ids)
        for name in ("time", "site", "purpose", "decision", "types", "offset", "length"):
            if len(columns[name]) != count:
                raise ValueError(f"a summary's {name} column is not as long as its ids")
        self._ids.extend(ids)
        self._index_ids(base, base + count)
        self._times.extend(columns["time"])
        self._site.extend(self._coded(columns["site"]))
        self._purpose.extend(self._coded(columns["purpose"]))
        self._decision.extend(self._coded(columns["decision"]))
        types = columns["types"]
        self._types.extend(self._coded([t for of_entry in types for t in of_entry]))
        self._types_start.extend(accumulate(map(len, types), initial=self._types_start[-1]))
        del self._types_start[base]  # where the last entry ended, from which ``accumulate`` started: there already
        self._segment.extend(repeat(segment, count))
        self._offset.extend(columns["offset"])
        self._length.extend(columns["length"])
        for name, target in (
            ("by_site", self._by_site),
            ("by_type", self._by_type),
            ("by_fingerprint", self._by_fingerprint),
        ):
            for key, positions in state[name].items():
                shifted = array("i", [base + p for p in positions])
                mine = target.get(key)
                if mine is None:
                    target[intern(key)] = shifted
                else:
                    mine.extend(shifted)
        for site, (first_seen, last_seen, entries, released, refused) in state["sites"].items():
            tally = self._sites.get(site)
            if tally is None:
                self._sites[intern(site)] = _SiteTally(first_seen, last_seen, entries, released, refused)
            else:
                tally.first_seen = min(tally.first_seen, first_seen)
                tally.last_seen = max(tally.last_seen, last_seen)
                tally.entries += entries
                tally.released += released
                tally.refused += refused
        for site, cells in state["grid"].items():
            mine = self._grid.setdefault(intern(site), {})
            for field_type, (times, last) in cells.items():
                cell = mine.get(field_type)
                if cell is None:
                    mine[intern(field_type)] = [times, last]
                else:
                    cell[0] += times
                    if last >= cell[1]:
                        cell[1] = last
                        self._unsure_last.discard((site, field_type))
        for day, (released, refused) in state["days"].items():
            counts = self._days.setdefault(day, [0, 0])
            counts[0] += released
            counts[1] += refused
        given = self._given
        for site, value_id, runs in state["given"]:
            key = (intern(site), value_id)
            shifted = [[fp and intern(fp), array("i", [base + p for p in positions])] for fp, positions in runs]
            mine = given.get(key)
            if mine is None:
                given[key] = shifted
            elif mine[-1][0] == shifted[0][0]:  # after the earlier segments' runs: still in order
                mine[-1][1].extend(shifted[0][1])
                mine.extend(shifted[1:])
            else:
                mine.extend(shifted)
        for release_id, fields in state["withdrawals"]:
            self.withdraw(Withdrawal(release_id, tuple([tuple(f) for f in fields])))

    # --- views ---------------------------------------------------------------------------------------------

    def select(
        self,
        *,
        site: str | None = None,
        field_type: str | None = None,
        purpose: str | None = None,
        decision: str | Decision | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[Row]]:
        """(total matching, the rows of one page), newest first.

        ``since`` is inclusive, ``until`` exclusive; a ``date`` for ``until`` includes that whole day.
        """
        if offset < 0 or not 0 <= limit <= 1000:
            raise ValueError("offset >= 0 and 0 <= limit <= 1000")
        candidates: Sequence[int]
        if site is not None:
            candidates = self._by_site.get(site, ())
        elif field_type is not None:
            candidates = self._by_type.get(field_type, ())
        else:
            candidates = range(len(self))
        if until is not None and not isinstance(until, datetime):
            until = until + timedelta(days=1)
        low = to_stamp(since).encode() if since is not None else None
        high = to_stamp(until).encode() if until is not None else None
        wanted_decision = str(decision) if decision is not None else None
        codes = self._codes
        purpose_code = codes.get(purpose, -1) if purpose is not None else None
        decision_code = codes.get(wanted_decision, -1) if wanted_decision is not None else None
        # Candidates of a field type (no site given) all have it: no need to look again.
        type_code = codes.get(field_type, -1) if field_type is not None and site is not None else None
        matches: Sequence[int] = candidates
        if purpose_code is not None or decision_code is not None or type_code is not None:
            purposes, decisions, types, starts = self._purpose, self._decision, self._types, self._types_start
            matches = [
                p
                for p in matches
                if (purpose_code is None or purposes[p] == purpose_code)
                and (decision_code is None or decisions[p] == decision_code)
                and (type_code is None or type_code in types[starts[p] : starts[p + 1]])
            ]
        if low is not None or high is not None:
            # One slice of the packed times a row, compared with both bounds (no UTF-8 byte is 0xff).
            low, high = low or b"", high or b"\xff"
            if self._times.aside:
                key = self._times.key
                matches = [p for p in matches if low <= key(p) < high]
            else:
                data, w = bytes(self._times.data), _TIME_BYTES  # a copy: bytes slice faster than a bytearray's
                matches = [p for p in matches if low <= data[w * p : w * p + w] < high]
        # Newest first without copying the matches: slice the page off the end, then reverse it.
        total = len(matches)
        end = max(total - offset, 0)
        picked = matches[max(end - limit, 0) : end]
        return total, [self.row(p) for p in reversed(picked)]

    def site_summaries(self) -> list[SiteSummary]:
        """Most recently seen first."""
        summaries = [self._site_summary(site, t) for site, t in self._sites.items()]
        summaries.sort(key=lambda s: (s.last_seen, s.site), reverse=True)
        return summaries

    def site_summary(self, site: str) -> SiteSummary | None:
        """One site's summary (a lookup: a site's page need not build every site's)."""
        tally = self._sites.get(site)
        return None if tally is None else self._site_summary(site, tally)

    def _site_summary(self, site: str, t: _SiteTally) -> SiteSummary:
        return SiteSummary(
            site=site,
            first_seen=t.first_seen,
            last_seen=t.last_seen,
            entries=t.entries,
            released=t.released,
            refused=t.refused,
            field_types=tuple(sorted(self._grid.get(site, {}))),
            not_taken=t.not_taken,
            boxes_not_done=t.boxes_not_done,
        )

    def grid(self) -> Grid:
        if self._unsure_last:
            self._settle_last()
        types = tuple(sorted({t for cells in self._grid.values() for t in cells}))
        rows = []
        for site in sorted(self._grid):
            cells = self._grid[site]
            found = [cells.get(t) for t in types]
            # model_construct: the index's own counts, nothing to validate.
            rows.append(
                GridRow.model_construct(
                    site=site,
                    times=tuple(c[0] if c else 0 for c in found),
                    last_given=tuple(c[1] if c else None for c in found),
                )
            )
        return Grid.model_construct(field_types=types, rows=tuple(rows))

    def released_positions(self, site: str) -> list[int]:
        """The site's entries that released values to it, oldest first; not those whose page took none."""
        decisions, released, not_received = self._decision, self._released, self._not_received
        return [
            p
            for p in self._by_site.get(site, ())
            if decisions[p] in released
            and (p not in not_received or not_received[p].bit_count() < self._field_count(p))
        ]

    def fingerprint_positions(self, fingerprint: str) -> list[int]:
        """Released entries that carried this value, newest first."""
        return list(reversed(self._by_fingerprint.get(fingerprint, ())))

    def activity(self, bucket: Bucket) -> list[tuple[date, int, int]]:
        """(bucket start, released, refused), oldest first. ``released`` counts the releases whose page took at
        least one of their values, as a site's count does. A bucket with nothing shared or refused is left out:
        one with no entries, and one whose entries are only corrections or releases whose page took nothing
        (which the chart would draw as an empty bar, "0 shared, 0 refused")."""
        if bucket not in ("day", "week", "month"):
            raise ValueError("bucket is day, week or month")
        totals: dict[date, list[int]] = {}
        for day, (released, refused) in self._days.items():
            slot = totals.setdefault(bucket_start(date.fromisoformat(day), bucket), [0, 0])
            slot[0] += released
            slot[1] += refused
        return [(start, shared, refused) for start, (shared, refused) in sorted(totals.items()) if shared or refused]

    def stale(self, current: Mapping[str, str]) -> list[tuple[str, str, str | None, int]]:
        """(site, value_id, fingerprint given, position) where ``current[value_id]`` differs or is gone, for
        the latest copy of each value a site got (and its page took)."""
        found = []
        for (site, value_id), runs in self._given.items():
            fingerprint, position = runs[-1][0], runs[-1][1][-1]
            now = current.get(value_id)
            if now is None or (fingerprint is not None and now != fingerprint):
                found.append((site, value_id, fingerprint, position))
        # By site, newest first; the values one entry gave are told apart by id, so that the order does not
        # hang on how the index was built (line by line, or merged from segment summaries).
        found.sort(key=lambda item: (item[0], -item[3], item[1]))
        return found
