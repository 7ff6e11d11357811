"""Sealed segment summaries: they speed up open, and can never hide damage or stand in for the record."""

from companion.ledger import disk
from companion.ledger import verify as verify_module
from companion.ledger.store import Ledger
from companion.ledger.summary import read_summary, summary_path

from .conftest import fill, make_draft


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
