"""The index keeps its rows as columns: ids and times packed, strings as codes, positions as machine integers.
What a row says is made back from them when a view asks; it must be exactly what was appended."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from companion.ledger import disk
from companion.ledger.index import LedgerIndex
from companion.ledger.model import Decision
from companion.ledger.store import Ledger
from companion.ledger.summary import read_summary, summary_path

from .conftest import make_draft, make_undelivered


def document(seq, entry_id, stamp, *, site="shop.example", decision="once", types=("email",)):
    """An entry as the index reads it from disk (only the keys it uses)."""
    return {
        "seq": seq,
        "id": entry_id,
        "time": stamp,
        "site": site,
        "purpose": "checkout",
        "decision": decision,
        "terms": "",
        "fields": [{"type": t, "value_id": f"v-{t}", "fingerprint": f"fp-{t}"} for t in types],
    }


def rows_of(index):
    rows = map(index.row, range(len(index)))
    return [(r.seq, r.id, r.time, r.site, r.purpose, r.decision, r.types, r.offset, r.length) for r in rows]


@pytest.mark.parametrize("summaries", [True, False])
def test_what_a_row_says_is_what_was_appended_across_a_reopen(folder, key, summaries):
    """Ids and times come back from their packed bytes, sites, purposes, decisions and field types from their
    codes, for entries merged from a summary and for those read line by line alike."""
    sites = ["a.example", "b.example", "c.example"]
    moments = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC) + timedelta(days=i % 4, microseconds=137 * i) for i in range(11)]
    ledger = Ledger.open(folder, key, segment_entries=3)
    written = []
    for i, moment in enumerate(moments):
        kinds = [("email", "v-email", "fp-email"), ("tel", f"v-tel-{i % 2}", f"fp-tel-{i}"), ("bday", None, None)]
        draft = make_draft(
            sites[i % 3],
            decision=[Decision.ONCE, Decision.DECLINED, Decision.ALWAYS, Decision.ONCE][i % 4],
            fields=tuple(kinds[: 1 + i % 3]),
            purpose=["checkout", "newsletter"][i % 2],
        )
        written.append(ledger.append(draft, now=moment))
    ledger.close()
    if not summaries:
        for n in range(1, 4):
            summary_path(folder, n).unlink()
    ledger = Ledger.open(folder, key, read_only=True)
    try:
        assert len(ledger) == len(written)
        for position, entry in enumerate(written):
            row = ledger._index.row(position)
            assert (row.seq, row.id, row.time, row.site, row.purpose, row.decision) == (
                entry.seq,
                entry.id,
                entry.time,
                entry.site,
                entry.purpose,
                entry.decision.value,
            )
            assert row.types == tuple(f.type for f in entry.fields)
            assert ledger._index.position(entry.id) == position
            assert ledger.entry(entry.id) == entry
        # The stale page names the entry and its time from the columns.
        current = {"v-email": "fp-email changed"}
        assert {(s.site, s.entry_id, s.given) for s in ledger.stale(current) if s.value_id == "v-email"} == {
            (site, last.id, last.time)
            for site in sites
            for last in [max((e for e in written if e.site == site and e.released), key=lambda e: e.seq)]
        }
        # Time filters compare the packed times as the strings compared.
        since, until = date(2026, 1, 6), date(2026, 1, 7)
        expected = [e for e in reversed(written) if "2026-01-06" <= e.time < "2026-01-08"]
        assert ledger.query(since=since, until=until, limit=100).items == expected
        assert ledger.query(since=datetime.fromisoformat(written[4].time), limit=100).items == [
            e for e in reversed(written) if e.time >= written[4].time
        ]
    finally:
        ledger.close()


ODD_IDS = [
    "req-1",
    "6F9619FF-8B86-4011-B42D-00C04FC964FF",  # upper case: its lower-case twin is another id
    "{6f9619ff-8b86-4011-b42d-00c04fc964ff}",
    "6f9619ff-8b86-4011-b42d-00c04fc964f ",  # whitespace, which bytes.fromhex would skip
    "6f9619ff-8b86-4011-b42d-00c04fc9-4ff",  # a dash more
    "6f9619ff-8b86-4011-b42d-00c04fc964fé",
    "6f9619ff8b86-4011-b42d-00c04fc964ff-",
]
ODD_TIMES = ["999-12-31T23:59:59.000000Z", "2026-01-05T09:00:00Z", "2026-01-05T09:00:00.000000+00:00", "2026-01-05 é"]


def test_ids_and_times_of_another_form_read_back_exactly_and_are_found(folder, key):
    """None the ledger writes, but an entry is kept as it was written whatever its id and time say: a string
    that does not pack is kept aside, whole, on add and on merge alike."""
    canonical = str(uuid.uuid4())
    ids = [*ODD_IDS, canonical, "6f9619ff-8b86-4011-b42d-00c04fc964ff"]
    times = [*ODD_TIMES, "2026-01-05T10:00:00.000000Z"] * 3
    documents = [document(i + 1, entry_id, times[i]) for i, entry_id in enumerate(ids)]
    index = LedgerIndex()
    segment = LedgerIndex(withdraw=False)
    for d in documents:
        index.add(d, 1, 100 * d["seq"], 99)
        segment.add(d, 1, 100 * d["seq"], 99)
    columns, state = json.loads(json.dumps(segment.export_segment()))  # as a summary keeps them
    merged = LedgerIndex()
    merged.merge_segment(columns, state, segment=1)
    for built in (index, merged):
        assert [(r.id, r.time) for r in map(built.row, range(len(built)))] == [(d["id"], d["time"]) for d in documents]
        for position, d in enumerate(documents):
            assert built.position(d["id"]) == position
        assert built.position(ODD_IDS[1].lower().replace("6f9619ff", "00000000")) is None
        # Range filters order them as their strings order.
        low = "2026-01-05T09:00:00.000000Z"
        total, rows = built.select(since=datetime(2026, 1, 5, 9, tzinfo=UTC), limit=100)
        assert sorted(r.time for r in rows) == sorted(d["time"] for d in documents if d["time"] >= low)
        assert total == len(rows) > 0
        high = "2026-01-05T10:00:00.000000Z"  # the time of some: ``until`` leaves them out
        total, rows = built.select(until=datetime(2026, 1, 5, 10, tzinfo=UTC), limit=100)
        assert sorted(r.time for r in rows) == sorted(d["time"] for d in documents if d["time"] < high)
        assert total == len(rows) > 0 and high in {d["time"] for d in documents}
    assert rows_of(index) == rows_of(merged)


def test_every_id_is_found_however_many_and_an_unknown_one_is_not():
    """Ids are found through slots that grow as entries come; of two entries with one id (which uuid4 does not
    make), the later is found, as the dict before kept the later."""
    index = LedgerIndex()
    ids = [str(uuid.uuid4()) for _ in range(3000)]
    for seq, entry_id in enumerate(ids, start=1):
        index.add(document(seq, entry_id, "2026-01-05T09:00:00.000000Z"), 1, seq, 1)
    assert [index.position(entry_id) for entry_id in ids] == list(range(3000))
    assert index.position(str(uuid.uuid4())) is None
    assert index.position(ids[7].upper()) is None
    index.add(document(3001, ids[7], "2026-01-05T09:00:00.000000Z"), 1, 3001, 1)
    assert index.position(ids[7]) == 3000

    reserved = LedgerIndex()
    reserved.reserve(3000)
    for seq, entry_id in enumerate(ids, start=1):
        reserved.add(document(seq, entry_id, "2026-01-05T09:00:00.000000Z"), 1, seq, 1)
    assert [reserved.position(entry_id) for entry_id in ids] == list(range(3000))


def test_a_withdrawn_value_leaves_the_positions_of_its_value_and_its_site(ledger):
    """Positions are kept in ascending arrays and a withdrawal takes its own out by binary search: the release
    before is still found by value, the withdrawn one no longer is."""
    kept = [ledger.append(make_draft(fields=(("email", "v-email", "fp-email"),))) for _ in range(4)]
    withdrawn = ledger.append(make_draft(fields=(("email", "v-email", "fp-email"), ("tel", "v-tel", "fp-tel"))))
    after = ledger.append(make_draft(fields=(("email", "v-email", "fp-email"),)))
    ledger.append(make_undelivered(withdrawn, 0, 1))
    assert ledger.search_fingerprint("fp-email") == [after, *reversed(kept)]
    assert ledger.search_fingerprint("fp-tel") == []
    assert [d.seq for d in ledger.disclosures("shop.example")] == [e.seq for e in [*kept, after]]
    assert ledger.not_received(withdrawn.id) == frozenset({0, 1})
    assert ledger.undelivered(withdrawn.id)[0].release_id == withdrawn.id


@pytest.mark.parametrize("reopen_at", [(2,), (4, 5), (1, 7, 8)])
def test_a_segment_closed_after_a_reopen_is_summarized_as_if_written_in_one_go(folder, key, reopen_at):
    """The open segment's summary is made as its entries are appended, not from entries kept until it closes;
    a reopen in the middle of a segment makes it again from the records, and the next roll seals it."""
    written = []
    ledger = Ledger.open(folder, key, segment_entries=3)
    try:
        for i in range(10):
            if i in reopen_at:
                ledger.close()
                ledger = Ledger.open(folder, key, segment_entries=3)
            if i % 4 == 3:
                written.append(ledger.append(make_undelivered(written[-2], 0)))
            else:
                fields = (("email", "v-email", f"fp-email-{i // 5}"), ("tel", "v-tel", "fp-tel"))
                written.append(ledger.append(make_draft(f"s{i % 2}.example", fields=fields)))
    finally:
        ledger.close()
    keys = disk.LedgerKeys(key)
    for n in (1, 2, 3):  # each one of the whole segment, to be taken as it is on open rather than read past
        found = read_summary(folder, keys, n, disk.segment_path(folder, n).read_bytes())
        assert found is not None and (found.first_seq, found.count) == (3 * n - 2, 3)

    def answers():
        opened = Ledger.open(folder, key, read_only=True)
        try:
            return (
                opened.sites(),
                opened.who_knows_what(),
                opened.stale({"v-email": "fp-email-1"}),
                opened.search_fingerprint("fp-email-0"),
                [opened.not_received(e.id) for e in written],
                opened.query(limit=100).items,
            )
        finally:
            opened.close()

    merged = answers()
    for n in (1, 2, 3):
        summary_path(folder, n).unlink()
    assert merged == answers()
    assert merged[-1] == written[::-1]
