"""The in-memory index the dashboard reads: built once on open, kept current on append, never on disk.

It holds one light row per entry — no labels, origins or terms — plus running aggregates (per site, the
site × field-type grid, per-day counts, fingerprints, the values each site was given), so that every view is
either a lookup or one pass over plain tuples, well under 100 ms at 100,000 entries. Full entries are read
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

Strings from entries are interned: a year of history has few distinct sites, purposes and field types, so
100,000 rows share them instead of holding 100,000 copies.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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


@dataclass(slots=True)
class Row:
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
    def __init__(self, *, withdraw: bool = True) -> None:
        """``withdraw=False`` keeps releases whole and only collects the withdrawals (``export_segment``): a
        segment's summary is merged first and its withdrawals applied after, whichever segment their releases
        are in."""
        self.rows: list[Row] = []  # rows[i].seq == i + 1
        self._by_id: dict[str, int] = {}
        self._by_site: dict[str, list[int]] = {}
        self._by_type: dict[str, list[int]] = {}
        self._by_fingerprint: dict[str, list[int]] = {}
        self._sites: dict[str, _SiteTally] = {}
        self._grid: dict[str, dict[str, list[Any]]] = {}  # site -> type -> [times, last_given]
        # (site, type) whose last_given may be too late: the release it came from was withdrawn. Worked out again
        # when the grid is read, one pass over each such site's rows, not once per withdrawal (open applies
        # thousands of withdrawals, most of them on a site's latest release).
        self._unsure_last: set[tuple[str, str]] = set()
        # "YYYY-MM-DD" -> [released less those whose page took nothing, refused]; a day of corrections only is [0, 0]
        self._days: dict[str, list[int]] = {}
        # (site, value_id) -> [[fingerprint, [position, ...]], ...]: every time the site was given that value, in
        # order, so that when the page did not take the latest one, the one before is the site's copy. Runs of
        # one fingerprint (a value is given many times between two edits) keep it to one int a time.
        self._given: dict[tuple[str, str], list[list[Any]]] = {}
        self._not_received: dict[int, set[int]] = {}  # release position -> positions of its fields not taken
        self._withdraw = withdraw
        self._withdrawals: list[Withdrawal] = []  # collected, not applied (withdraw=False)

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, document: Mapping[str, Any], segment: int, offset: int, length: int) -> Row:
        # The hot path of open (once per entry): no datetime parsing — times are compared as strings, which
        # the ledger's one fixed format (``YYYY-MM-DDTHH:MM:SS.ffffffZ``, UTC) keeps in chronological order.
        intern = sys.intern
        fields = document["fields"]
        stamp = document["time"]
        site = intern(document["site"])
        decision = intern(document["decision"])
        types = tuple([intern(f["type"]) for f in fields])
        row = Row(
            document["seq"],
            document["id"],
            stamp,
            site,
            intern(document["purpose"]),
            decision,
            types,
            segment,
            offset,
            length,
        )
        position = len(self.rows)
        self.rows.append(row)
        self._by_id[row.id] = position
        self._by_site.setdefault(site, []).append(position)
        by_type = self._by_type
        for field_type in set(types):
            by_type.setdefault(field_type, []).append(position)
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
        if decision in RELEASED:
            tally.released += 1
            day[0] += 1
            cells = self._grid.get(site)
            if cells is None:
                cells = self._grid[site] = {}
            for f, field_type in zip(fields, types, strict=True):
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
                    fingerprint = intern(fingerprint)
                    self._by_fingerprint.setdefault(fingerprint, []).append(position)
                value_id = f.get("value_id")
                if value_id:
                    runs = self._given.get((site, value_id))
                    if runs is None:
                        self._given[(site, value_id)] = [[fingerprint, [position]]]
                    elif runs[-1][0] == fingerprint:
                        runs[-1][1].append(position)
                    else:
                        runs.append([fingerprint, [position]])
        elif decision == UNDELIVERED:
            if self._withdraw:
                self.withdraw(Withdrawal.of(document))
            else:
                self._withdrawals.append(Withdrawal.of(document))
        elif not is_set_again_note(document):  # the note refuses nothing its box's own entry did not
            tally.refused += 1
            day[1] += 1
        return row

    def withdraw(self, withdrawal: Withdrawal) -> None:
        """Take fields of a release the page did not take out of what its site was given.

        The result does not depend on when it is applied, right after the release or after later entries
        (a summary's segment merged whole): every aggregate it touches is recomputed from the rows, not
        rolled back. A release this index does not hold, or a field already withdrawn, is left alone. The
        box of a refusal (a consent box Proffer set) is only marked as not kept: it was in no aggregate."""
        position = self._by_id.get(withdrawal.release_id)
        if position is None:
            return
        row = self.rows[position]
        released = row.decision in RELEASED
        if not released and row.decision != NEVER:
            return
        gone = self._not_received.setdefault(position, set())
        first = not gone
        took_some = len(gone) < len(row.types)
        for place, value_id, fingerprint in withdrawal.fields:
            if not 0 <= place < len(row.types) or place in gone:
                continue
            gone.add(place)
            if not released:
                continue
            self._ungrid(row.site, row.types[place], position)
            found = self._by_fingerprint.get(fingerprint) if fingerprint else None
            if found is not None and position in found:
                found.remove(position)
                if not found:
                    del self._by_fingerprint[fingerprint]
            runs = self._given.get((row.site, value_id)) if value_id else None
            if runs is not None:
                found_run = next((r for r in reversed(runs) if r[0] == fingerprint and position in r[1]), None)
                if found_run is not None:
                    found_run[1].remove(position)
                    if not found_run[1]:
                        runs.remove(found_run)
                if not runs:
                    del self._given[(row.site, value_id)]
        if not gone:
            del self._not_received[position]
            return
        tally = self._sites[row.site]
        if first and released:
            tally.not_taken += 1
        elif first:
            tally.boxes_not_done += 1
        if released and took_some and len(gone) == len(row.types):
            # Its page took none of it: the site did not get values that time, nor was anything shared that
            # day. Counted from the release's own fields and day, so the same whether this comes right after
            # it or with a summarized segment.
            tally.released -= 1
            self._days[row.time[:10]][0] -= 1

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
        elif cell[1] == self.rows[position].time:
            self._unsure_last.add((site, field_type))  # the one before is the last: see ``_settle_last``

    def _settle_last(self) -> None:
        """Work out again each unsure last_given: the latest release of that type to that site whose page took it."""
        unsure: dict[str, set[str]] = {}
        for site, field_type in self._unsure_last:
            unsure.setdefault(site, set()).add(field_type)
        self._unsure_last.clear()
        rows, not_received = self.rows, self._not_received
        for site, types in unsure.items():
            latest: dict[str, str] = {}
            for p in self._by_site[site]:
                row = rows[p]
                if row.decision not in RELEASED:
                    continue
                gone = not_received.get(p, ())
                for i, field_type in enumerate(row.types):
                    if field_type in types and i not in gone and row.time > latest.get(field_type, ""):
                        latest[field_type] = row.time
            cells = self._grid[site]
            for field_type, stamp in latest.items():
                cells[field_type][1] = stamp

    def not_received(self, position: int) -> frozenset[int]:
        """Positions of the fields of the entry at ``position`` that its page did not take."""
        return frozenset(self._not_received.get(position, ()))

    def undelivered_after(self, position: int) -> list[int]:
        """The "undelivered" entries of the same site after the entry at ``position``, oldest first: those that
        may correct it (which one names it is in the entry itself, read from disk)."""
        if position not in self._not_received:
            return []  # nothing of it was withdrawn: no entry names it
        rows = self.rows
        after = self._by_site[rows[position].site]
        return [p for p in after[bisect_right(after, position) :] if rows[p].decision == UNDELIVERED]

    # --- per-segment state, for summaries ----------------------------------------------------------------

    def export_segment(self) -> tuple[dict[str, list[Any]], dict[str, Any]]:
        """(columns of the rows, the aggregates) of an index holding one segment, JSON-ready.

        Positions in the aggregates are local to the segment; ``merge_segment`` shifts them. The aggregates
        hold releases whole, the counts of releases per site and per day included (as every summary since format
        3 has): the withdrawals listed beside them take back, on merge, what the pages did not take, and a site's
        corrections are counted from them there (since format 4)."""
        rows = self.rows
        columns: dict[str, list[Any]] = {
            "id": [r.id for r in rows],
            "time": [r.time for r in rows],
            "site": [r.site for r in rows],
            "purpose": [r.purpose for r in rows],
            "decision": [r.decision for r in rows],
            "types": [list(r.types) for r in rows],
            "offset": [r.offset for r in rows],
            "length": [r.length for r in rows],
        }
        state = {
            "by_site": self._by_site,
            "by_type": self._by_type,
            "by_fingerprint": self._by_fingerprint,
            "sites": {s: [t.first_seen, t.last_seen, t.entries, t.released, t.refused] for s, t in self._sites.items()},
            "grid": self._grid,
            "days": self._days,
            "given": [[site, value_id, runs] for (site, value_id), runs in self._given.items()],
            "withdrawals": [[w.release_id, [list(f) for f in w.fields]] for w in self._withdrawals],
        }
        return columns, state

    def merge_segment(self, columns: Mapping[str, list[Any]], state: Mapping[str, Any], segment: int) -> None:
        """Append a whole segment from its summary: the same result as ``add`` for each of its entries, at a
        fraction of the cost (one Row per entry; the aggregates are merged, not rebuilt). The summary's
        aggregates hold its releases whole; its withdrawals are applied last."""
        intern = sys.intern
        base = len(self.rows)
        # One int object per position, which every list naming that position shares, as ``add`` shares its
        # ``position``: ``base + p`` made a new int each time, 27 MB more at 100,000 entries.
        at = list(range(base, base + len(columns["id"]) + 1))
        rows, by_id = self.rows, self._by_id
        for i, (entry_id, stamp, site, purpose, decision, types, offset, length) in enumerate(
            zip(
                columns["id"],
                columns["time"],
                columns["site"],
                columns["purpose"],
                columns["decision"],
                columns["types"],
                columns["offset"],
                columns["length"],
                strict=True,
            )
        ):
            rows.append(
                Row(
                    at[i + 1],
                    entry_id,
                    stamp,
                    intern(site),
                    intern(purpose),
                    intern(decision),
                    tuple([intern(t) for t in types]),
                    segment,
                    offset,
                    length,
                )
            )
            by_id[entry_id] = at[i]
        for name, target in (
            ("by_site", self._by_site),
            ("by_type", self._by_type),
            ("by_fingerprint", self._by_fingerprint),
        ):
            for key, positions in state[name].items():
                target.setdefault(intern(key), []).extend([at[p] for p in positions])
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
            shifted = [[fp and intern(fp), [at[p] for p in positions]] for fp, positions in runs]
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
            candidates = self._by_site.get(site, [])
        elif field_type is not None:
            candidates = self._by_type.get(field_type, [])
        else:
            candidates = range(len(self.rows))
        low = to_stamp(since) if since is not None else None
        if until is not None and not isinstance(until, datetime):
            until = until + timedelta(days=1)
        high = to_stamp(until) if until is not None else None
        wanted_decision = str(decision) if decision is not None else None
        if low is None and high is None and purpose is None and wanted_decision is None and field_type is None:
            # Newest first without copying the candidates: slice the page off the end, then reverse it.
            total = len(candidates)
            end = max(total - offset, 0)
            picked = candidates[max(end - limit, 0) : end]
            return total, [self.rows[p] for p in reversed(picked)]
        rows = self.rows
        matches = [
            p
            for p in candidates
            if (purpose is None or rows[p].purpose == purpose)
            and (wanted_decision is None or rows[p].decision == wanted_decision)
            and (field_type is None or field_type in rows[p].types)
            and (low is None or rows[p].time >= low)
            and (high is None or rows[p].time < high)
        ]
        matches.reverse()
        return len(matches), [rows[p] for p in matches[offset : offset + limit]]

    def position(self, entry_id: str) -> int | None:
        return self._by_id.get(entry_id)

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
        rows, not_received = self.rows, self._not_received
        return [
            p
            for p in self._by_site.get(site, ())
            if rows[p].decision in RELEASED and len(not_received.get(p, ())) < len(rows[p].types)
        ]

    def fingerprint_positions(self, fingerprint: str) -> list[int]:
        """Released entries that carried this value, newest first."""
        return list(reversed(self._by_fingerprint.get(fingerprint, [])))

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
        found.sort(key=lambda item: (item[0], -item[3]))
        return found
