"""Sealed segment summaries: they speed up open, and can never hide damage or stand in for the record."""

import random
import weakref

import pytest

from companion.ledger import disk
from companion.ledger import verify as verify_module
from companion.ledger.model import Decision
from companion.ledger.store import Ledger
from companion.ledger.summary import read_summary, summary_path

from .conftest import at, fill, make_draft, make_undelivered


def open_counting_decrypts(folder, key, monkeypatch):
    """Open the ledger and count the records it decrypted one by one."""
    calls = []
    real = disk.open_sealed

    def counting(*args):
        calls.append(args[2])
        return real(*args)

    monkeypatch.setattr(verify_module.disk, "open_sealed", counting)
    ledger = Ledger.open(folder, key, segment_entries=3)
    monkeypatch.setattr(verify_module.disk, "open_sealed", real)
    return ledger, calls


def test_closed_segments_are_summarized_and_open_skips_their_records(folder, key, monkeypatch):
    ledger = Ledger.open(folder, key, segment_entries=3)
    written = fill(ledger, 8)
    ledger.close()
    assert [summary_path(folder, n).exists() for n in (1, 2, 3)] == [True, True, False]  # 3 is still open
    ledger, decrypted = open_counting_decrypts(folder, key, monkeypatch)
    try:
        assert sorted(decrypted) == [7, 8]  # only the open segment's records
        assert list(ledger.entries()) == written
        assert ledger.query(limit=8).items == written[::-1]
        assert ledger.append(make_draft()).prev_hash == written[-1].hash
    finally:
        ledger.close()


def test_a_damaged_or_missing_summary_falls_back_and_is_rewritten(folder, key, monkeypatch):
    ledger = Ledger.open(folder, key, segment_entries=3)
    fill(ledger, 8)
    ledger.close()
    blob = bytearray(summary_path(folder, 1).read_bytes())
    blob[-1] ^= 1
    summary_path(folder, 1).write_bytes(bytes(blob))
    summary_path(folder, 2).unlink()
    ledger, decrypted = open_counting_decrypts(folder, key, monkeypatch)
    ledger.close()
    assert sorted(decrypted) == list(range(1, 9))
    keys = disk.LedgerKeys(key)
    for n in (1, 2):
        assert read_summary(folder, keys, n, disk.segment_path(folder, n).read_bytes()) is not None


def test_a_summary_never_hides_an_edited_segment(folder, key):
    ledger = Ledger.open(folder, key, segment_entries=3)
    fill(ledger, 8)
    ledger.close()
    path = disk.segment_path(folder, 1)
    data = bytearray(path.read_bytes())
    data[20] = ord("A") if data[20] != ord("A") else ord("B")
    path.write_bytes(bytes(data))
    ledger = Ledger.open(folder, key, segment_entries=3)
    try:
        assert ledger.problem is not None and ledger.problem.kind == "edited" and ledger.problem.segment == 1
    finally:
        ledger.close()


def test_a_summary_moved_to_another_segment_is_refused(folder, key):
    ledger = Ledger.open(folder, key, segment_entries=3)
    fill(ledger, 8)
    ledger.close()
    summary_path(folder, 2).write_bytes(summary_path(folder, 1).read_bytes())
    keys = disk.LedgerKeys(key)
    assert read_summary(folder, keys, 2, disk.segment_path(folder, 2).read_bytes()) is None


def test_an_index_merged_from_summaries_answers_exactly_like_one_built_entry_by_entry(folder, key):
    import random

    from companion.ledger.model import Decision

    rng = random.Random(27)
    ledger = Ledger.open(folder, key, segment_entries=4)
    releases = []
    for _ in range(41):
        if releases and rng.random() < 0.25:
            # The page did not take some fields of an earlier release, in this segment or an earlier one.
            release = rng.choice(releases)
            places = rng.sample(range(len(release.fields)), rng.randint(1, len(release.fields)))
            ledger.append(make_undelivered(release, *places), now=at(rng.uniform(0, 90)))
            continue
        fields = tuple(
            (t, f"v-{t}-{rng.randint(1, 2)}", f"fp-{t}-{rng.randint(1, 3)}")
            for t in rng.sample(["email", "tel", "bday", "postal-code"], rng.randint(1, 3))
        )
        entry = ledger.append(
            make_draft(
                rng.choice(["a.example", "b.example", "c.example"]),
                decision=rng.choice([d for d in Decision if d is not Decision.UNDELIVERED]),
                fields=fields,
                purpose=rng.choice(["checkout", "newsletter"]),
            ),
            now=at(rng.uniform(0, 90)),  # not in append order: first/last seen must still be right
        )
        if entry.released:
            releases.append(entry)
    ledger.close()
    merged = Ledger.open(folder, key, segment_entries=4)
    for n in range(1, 11):
        summary_path(folder, n).unlink()
    rebuilt = Ledger.open(folder, key, read_only=True)  # reads every line, writes no summary
    try:
        assert len(merged._index) == len(rebuilt._index) == 41
        assert merged.sites() == rebuilt.sites()
        assert merged.who_knows_what() == rebuilt.who_knows_what()
        for bucket in ("day", "week", "month"):
            assert merged.activity(bucket) == rebuilt.activity(bucket)
        current = {f"v-{t}-1": f"fp-{t}-1" for t in ["email", "tel", "bday"]}
        assert merged.stale(current) == rebuilt.stale(current)
        for filters in [
            {},
            {"site": "b.example"},
            {"field_type": "tel"},
            {"decision": "once", "purpose": "newsletter"},
        ]:
            assert merged.query(limit=100, **filters) == rebuilt.query(limit=100, **filters)
        for t in ["email", "tel", "bday", "postal-code"]:
            for n in (1, 2, 3):
                assert merged.search_fingerprint(f"fp-{t}-{n}") == rebuilt.search_fingerprint(f"fp-{t}-{n}")
        assert merged._index._not_received == rebuilt._index._not_received
        assert len(merged._index._not_received) > 3  # withdrawals across segments were applied on merge
        for site in ["a.example", "b.example", "c.example"]:
            assert merged.disclosures(site) == rebuilt.disclosures(site)
        assert merged.append(make_draft()).seq == 42
    finally:
        merged.close()
        rebuilt.close()


SITES = ("a.example", "b.example", "c.example")


def write_history(folder, key, *, entries, segment_entries, seed):
    """Releases and refusals to three sites, out of time order, with corrections of values and of consent boxes
    (the undelivered entry in the release's segment or a later one), so that most segments are summarized."""
    rng = random.Random(seed)
    ledger = Ledger.open(folder, key, segment_entries=segment_entries)
    correctable = []
    try:
        for _ in range(entries):
            when, site = at(rng.uniform(0, 60)), rng.choice(SITES)
            roll = rng.random()
            if correctable and roll < 0.3:
                entry = rng.choice(correctable)
                places = rng.sample(range(len(entry.fields)), rng.randint(1, len(entry.fields)))
                ledger.append(make_undelivered(entry, *places), now=when)
            elif roll < 0.45:
                box = make_draft(site, decision=Decision.NEVER, fields=(("marketing-opt-in", None, None),))
                correctable.append(ledger.append(box, now=when))
            else:
                kinds = rng.sample(["email", "tel", "bday", "postal-code"], rng.randint(1, 3))
                fields = tuple((t, f"v-{t}-{rng.randint(1, 2)}", f"fp-{t}-{rng.randint(1, 3)}") for t in kinds)
                decision = rng.choice([Decision.ONCE, Decision.ALWAYS, Decision.DECLINED])
                entry = ledger.append(make_draft(site, decision=decision, fields=fields), now=when)
                if entry.released:
                    correctable.append(entry)
    finally:
        ledger.close()


def answers(folder, key):
    """Everything the index answers, from a read-only open (which writes no summary)."""
    ledger = Ledger.open(folder, key, read_only=True)
    try:
        entries = ledger.query(limit=1000).items
        current = {"v-email-1": "fp-email-1", "v-tel-2": "fp-tel-3"}
        return {
            "entries": entries,
            "sites": ledger.sites(),
            "grid": ledger.who_knows_what(),
            "activity": [ledger.activity(bucket) for bucket in ("day", "week", "month")],
            "stale": ledger.stale(current),
            "not received": {e.id: ledger.not_received(e.id) for e in entries},
            "found": {fp: ledger.search_fingerprint(fp) for fp in {f.fingerprint for e in entries for f in e.fields}},
            "disclosures": {site: ledger.disclosures(site) for site in SITES},
        }
    finally:
        ledger.close()


@pytest.mark.parametrize("missing", [(), (2,), (1, 4, 5), (3, 9)])
def test_an_index_merged_summary_by_summary_answers_like_one_read_line_by_line(folder, key, missing):
    """Open merges each closed segment's summary as soon as it has read it, between segments it reads line by
    line (a summary missing or stale): the index is the same as one built from every record."""
    write_history(folder, key, entries=57, segment_entries=5, seed=11)
    merged = answers(folder, key)
    for n in missing:
        summary_path(folder, n).unlink()
    mixed = answers(folder, key)
    for n in range(1, 12):
        summary_path(folder, n).unlink(missing_ok=True)
    read_in_full = answers(folder, key)
    assert merged == mixed == read_in_full
    assert len(read_in_full["entries"]) == 57
    corrected = [e for e in read_in_full["entries"] if e.decision is Decision.UNDELIVERED]
    assert len({e.release_id for e in corrected}) > 5  # corrections of values and boxes, across segments
    assert any(site.not_taken for site in read_in_full["sites"])
    assert any(site.boxes_not_done for site in read_in_full["sites"])


def test_open_holds_one_summary_at_a_time(folder, key, monkeypatch):
    """A summary is merged into the index and dropped before the next is read: holding all of them until the end
    took open's peak to more than twice what the index holds (226 MB against 92 at 100,000 entries)."""
    ledger = Ledger.open(folder, key, segment_entries=3)
    fill(ledger, 14)
    ledger.close()
    read, alive = [], []
    real = verify_module.read_summary

    def watched(*args):
        alive.append(sum(ref() is not None for ref in read))  # earlier summaries still in memory
        summary = real(*args)
        read.append(weakref.ref(summary))
        return summary

    monkeypatch.setattr(verify_module, "read_summary", watched)
    opened = Ledger.open(folder, key, read_only=True)
    opened.close()
    assert len(read) == 4 and alive == [0, 0, 0, 0]
    assert all(ref() is None for ref in read)


def test_a_checkpoint_behind_inside_a_summarized_segment_is_checked_on_the_records(folder, key, monkeypatch):
    """A power cut across a roll can leave the checkpoint inside a segment whose summary keeps only its last
    hash: open reads every record again, into an index of its own, each entry in it once."""
    ledger = Ledger.open(folder, key, segment_entries=3)
    written = fill(ledger, 4)
    head = (folder / disk.HEAD_FILE).read_bytes()  # the checkpoint of #4, the first entry of segment 2
    written += [ledger.append(make_draft(), now=at(day)) for day in (4, 5, 6)]  # #7 closes segment 2: summarized
    ledger.close()
    (folder / disk.HEAD_FILE).write_bytes(head)
    ledger, decrypted = open_counting_decrypts(folder, key, monkeypatch)
    try:
        assert ledger.problem is None
        assert sorted(set(decrypted)) == list(range(1, 8))  # read again in full, summaries aside
        assert len(ledger) == 7 and ledger.site("shop.example").entries == 7
        assert ledger.query(limit=10).items == written[::-1]
        assert ledger.append(make_draft()).seq == 8
    finally:
        ledger.close()
