"""The ledger's write side and its files: round trip, encryption at rest, crash leftovers, one writer."""

import os
from datetime import datetime

import pytest

from companion.ledger import disk
from companion.ledger.chain import GENESIS, entry_hash
from companion.ledger.errors import LedgerBusy, LedgerClosed
from companion.ledger.model import Decision
from companion.ledger.store import Ledger, verify_folder

from .conftest import HOSTILE, at, fill, make_draft


def test_append_numbers_times_and_chains_entries(ledger):
    first = ledger.append(make_draft(), now=at(0))
    second = ledger.append(make_draft(decision=Decision.DECLINED), now=at(1))
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert first.time == "2026-01-05T09:00:00.000000Z"
    assert first.hash == entry_hash(first.model_dump(mode="json"))
    assert first.id != second.id
    assert ledger.head_hash == second.hash


def test_entries_read_back_exactly_after_reopen(folder, key):
    ledger = Ledger.open(folder, key, segment_entries=2)
    written = fill(ledger, 5)
    ledger.close()
    reopened = Ledger.open(folder, key, segment_entries=2)
    try:
        assert len(reopened) == 5
        assert list(reopened.entries()) == written
        assert reopened.entry(written[3].id) == written[3]
        assert reopened.append(make_draft()).prev_hash == written[-1].hash
        assert reopened.verify().ok
    finally:
        reopened.close()
    assert len(disk.list_segments(folder)) == 3


def test_hostile_strings_are_kept_exactly(ledger, folder, key):
    draft = make_draft(site=HOSTILE, purpose=HOSTILE, label=HOSTILE, path="/" + HOSTILE)
    entry = ledger.append(draft)
    again = ledger.entry(entry.id)
    assert again.site == again.purpose == again.fields[0].label == HOSTILE
    assert again.path == "/" + HOSTILE
    assert ledger.sites()[0].site == HOSTILE
    assert verify_folder(folder, key).ok


def test_nothing_readable_on_disk(ledger, folder):
    marker_site = "marker-site-91374206.example"
    ledger.append(make_draft(site=marker_site, label="marker-label-91374206", purpose="marker-purpose-91374206"))
    blob = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    # Markers of five bytes or more: a shorter one can turn up in ciphertext or base64 by chance.
    for marker in (b"marker", b"91374206", b"email", b"fp-email", b"v-email", b"checkout"):
        assert marker not in blob
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path
    assert folder.stat().st_mode & 0o077 == 0


def test_a_wrong_key_reads_nothing(folder, key):
    ledger = Ledger.open(folder, key)
    fill(ledger, 2)
    ledger.close()
    report = verify_folder(folder, os.urandom(32))
    assert not report.ok
    assert report.problem.kind == "edited" and report.problem.seq == 1


def test_closed_ledger_refuses_everything(folder, key):
    ledger = Ledger.open(folder, key)
    fill(ledger, 1)
    ledger.close()
    assert ledger.closed
    for call in (lambda: ledger.append(make_draft()), lambda: ledger.query(), ledger.sites, lambda: len(ledger)):
        with pytest.raises(LedgerClosed):
            call()


def test_one_writer_at_a_time(folder, key):
    ledger = Ledger.open(folder, key)
    try:
        with pytest.raises(LedgerBusy):
            Ledger.open(folder, key)
    finally:
        ledger.close()
    Ledger.open(folder, key).close()  # free again once closed


def test_naive_time_is_refused(ledger):
    with pytest.raises(ValueError, match="time zone"):
        ledger.append(make_draft(), now=datetime(2026, 1, 1))


def test_a_torn_last_line_is_cut_off_and_the_chain_goes_on(folder, key):
    ledger = Ledger.open(folder, key)
    written = fill(ledger, 3)
    ledger.close()
    segment = disk.segment_path(folder, 1)
    intact = segment.stat().st_size
    with segment.open("ab") as f:
        f.write(b"4 AAAAbroken-half-writ")  # a crash in the middle of writing entry #4
    assert verify_folder(folder, key).ok  # an unacknowledged half line is not damage
    ledger = Ledger.open(folder, key)
    try:
        assert segment.stat().st_size == intact
        assert len(ledger) == 3
        fourth = ledger.append(make_draft())
        assert fourth.seq == 4 and fourth.prev_hash == written[-1].hash
        assert ledger.verify().ok
    finally:
        ledger.close()


def test_entries_written_but_not_checkpointed_are_kept(folder, key):
    """A power cut after the segment syncs but before the checkpoint reached the disk: the entries are
    authentic and linked, so they stay, and the next open checkpoints them."""
    ledger = Ledger.open(folder, key)
    fill(ledger, 2)
    head = (folder / disk.HEAD_FILE).read_bytes()
    later = [ledger.append(make_draft()), ledger.append(make_draft())]
    ledger.close()
    (folder / disk.HEAD_FILE).write_bytes(head)  # the checkpoint as it was before entries #3 and #4
    assert verify_folder(folder, key).ok
    ledger = Ledger.open(folder, key)
    try:
        assert [ledger.entry(e.id) for e in later] == later
        ledger.append(make_draft())
    finally:
        ledger.close()
    assert disk.newest(disk.read_slots(folder / disk.HEAD_FILE, disk.LedgerKeys(key))).seq == 5
    assert verify_folder(folder, key).count == 5


def test_a_slot_torn_while_checkpointing_is_repaired(folder, key):
    ledger = Ledger.open(folder, key)
    fill(ledger, 3)
    ledger.close()
    head = bytearray((folder / disk.HEAD_FILE).read_bytes())
    slot = 3 % 2
    head[slot * disk.SLOT_BYTES + 10] ^= 0xFF  # the slot of entry #3, torn mid-write
    (folder / disk.HEAD_FILE).write_bytes(bytes(head))
    # Without entry #3 past the surviving slot, this would look like a removal; with it, it is a crash.
    slots = disk.read_slots(folder / disk.HEAD_FILE, disk.LedgerKeys(key))
    assert slots[slot] is None and slots[1 - slot].seq == 2
    assert verify_folder(folder, key).ok
    ledger = Ledger.open(folder, key)
    ledger.close()
    slots = disk.read_slots(folder / disk.HEAD_FILE, disk.LedgerKeys(key))
    assert slots[slot] is not None and disk.newest(slots).seq == 3


def test_a_new_ledger_has_a_checkpoint_before_any_entry(folder, key):
    Ledger.open(folder, key).close()
    slots = disk.read_slots(folder / disk.HEAD_FILE, disk.LedgerKeys(key))
    assert slots[0] == slots[1] == disk.Checkpoint(0, GENESIS, 0)


def test_bad_key_length_is_refused(folder):
    with pytest.raises(ValueError, match="32 bytes"):
        Ledger.open(folder, b"short")


def test_verify_during_appends_never_reports_damage(folder, key):
    """The dashboard's integrity check runs while fills append: a live ledger must never look damaged."""
    import threading

    ledger = Ledger.open(folder, key, segment_entries=5)
    fill(ledger, 3)
    done = threading.Event()

    def writer():
        try:
            for _ in range(150):
                ledger.append(make_draft())
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    reports = []
    try:
        while not done.is_set():
            reports.append(ledger.verify())
            reports.append(verify_folder(folder, key))
    finally:
        thread.join()
        ledger.close()
    assert len(reports) >= 2
    assert all(r.ok for r in reports), next(r.problem for r in reports if not r.ok)
    assert verify_folder(folder, key).count == 153


def test_open_pauses_the_cycle_collector_only_while_it_builds_the_index(folder, key, monkeypatch):
    import gc

    import companion.ledger.store as store

    writer = Ledger.open(folder, key)
    fill(writer, 2)
    writer.close()
    seen = []
    real_scan = store.scan

    def watching_scan(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(store, "scan", watching_scan)
    assert gc.isenabled()
    Ledger.open(folder, key, read_only=True).close()
    assert seen == [False] and gc.isenabled()

    def failing_scan(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(store, "scan", failing_scan)
    with pytest.raises(OSError):
        Ledger.open(folder, key, read_only=True)
    assert gc.isenabled()  # restored when open fails, too
    gc.disable()
    try:
        monkeypatch.setattr(store, "scan", real_scan)
        Ledger.open(folder, key, read_only=True).close()
        assert not gc.isenabled()  # and a collector the caller had paused stays paused
    finally:
        gc.enable()


def test_an_open_ledgers_index_is_frozen_out_of_the_collector_until_close(folder, key):
    import gc

    writer = Ledger.open(folder, key)
    fill(writer, 3)
    writer.close()
    assert gc.get_freeze_count() == 0
    ledger = Ledger.open(folder, key)
    try:
        assert gc.get_freeze_count() > 0  # what open built is skipped by full collections
        assert len(ledger) == 3
    finally:
        ledger.close()
    assert gc.get_freeze_count() == 0  # handed back on close, so a locked vault's index can be freed
