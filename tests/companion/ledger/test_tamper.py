"""verify() names every kind of tampering, and where: which entry, which segment, what happened."""

import base64
import json
import os

import pytest

from companion.ledger import disk
from companion.ledger.chain import canonical, entry_hash
from companion.ledger.errors import LedgerCorrupt
from companion.ledger.store import Ledger, verify_folder

from .conftest import fill, make_draft

# 8 entries in segments of 3: seg 1 = #1-3, seg 2 = #4-6, seg 3 = #7-8.


@pytest.fixture
def written(folder, key):
    ledger = Ledger.open(folder, key, segment_entries=3)
    entries = fill(ledger, 8)
    ledger.close()
    assert verify_folder(folder, key).ok
    return entries


def lines(folder, segment):
    return disk.segment_path(folder, segment).read_bytes().splitlines(keepends=True)


def rewrite(folder, segment, new_lines):
    disk.segment_path(folder, segment).write_bytes(b"".join(new_lines))


def problem(folder, key):
    report = verify_folder(folder, key)
    assert not report.ok
    return report.problem


def test_untouched_ledger_verifies(folder, key, written):
    report = verify_folder(folder, key)
    assert report.ok and report.count == 8 and report.head_hash == written[-1].hash


def test_flipped_byte(folder, key, written):
    segment = bytearray(disk.segment_path(folder, 2).read_bytes())
    middle = len(lines(folder, 2)[0]) + 40  # inside entry #5's ciphertext
    segment[middle] = ord("A") if segment[middle] != ord("A") else ord("B")
    disk.segment_path(folder, 2).write_bytes(bytes(segment))
    found = problem(folder, key)
    assert (found.kind, found.segment, found.seq) == ("edited", 2, 5)
    assert "#5" in found.message


def test_edit_by_someone_holding_the_key(folder, key, written):
    """Re-sealed with the right key but different content: only the hash chain can tell."""
    keys = disk.LedgerKeys(key)
    old = lines(folder, 2)
    seq, sealed = disk.split_line(old[1])
    document = json.loads(disk.open_sealed(keys, 2, seq, sealed))
    document["site"] = "someone-else.example"
    old[1] = disk.seal_line(keys, 2, seq, canonical(document))
    rewrite(folder, 2, old)
    found = problem(folder, key)
    assert (found.kind, found.seq) == ("edited", 5)
    assert "does not match its hash" in found.message


def test_edit_with_hash_recomputed_breaks_the_link(folder, key, written):
    keys = disk.LedgerKeys(key)
    old = lines(folder, 2)
    seq, sealed = disk.split_line(old[1])
    document = json.loads(disk.open_sealed(keys, 2, seq, sealed))
    document["site"] = "someone-else.example"
    document["hash"] = entry_hash(document)
    old[1] = disk.seal_line(keys, 2, seq, canonical(document))
    rewrite(folder, 2, old)
    found = problem(folder, key)
    assert (found.kind, found.seq) == ("edited", 6)
    assert "chain is broken" in found.message


def test_deleted_entry(folder, key, written):
    old = lines(folder, 1)
    rewrite(folder, 1, [old[0], old[2]])
    found = problem(folder, key)
    assert (found.kind, found.segment, found.seq) == ("deleted", 1, 2)
    assert "#2 deleted" in found.message


def test_reordered_entries(folder, key, written):
    old = lines(folder, 2)
    rewrite(folder, 2, [old[1], old[0], old[2]])
    found = problem(folder, key)
    assert (found.kind, found.segment, found.seq) == ("reordered", 2, 4)


def test_renumbered_line_fails_authentication(folder, key, written):
    old = lines(folder, 1)
    _, sealed = disk.split_line(old[2])
    body = base64.urlsafe_b64encode(sealed)
    rewrite(folder, 1, [old[0], b"2 " + body + b"\n"])  # entry #3 relabelled as #2, #2 dropped
    assert problem(folder, key).kind == "edited"


def test_truncated_tail(folder, key, written):
    rewrite(folder, 3, lines(folder, 3)[:1])
    found = problem(folder, key)
    assert (found.kind, found.seq) == ("truncated", 8)
    assert "checkpoint records 8 entries, 7 are left" in found.message


def test_truncated_tail_mid_line(folder, key, written):
    path = disk.segment_path(folder, 3)
    path.write_bytes(path.read_bytes()[:-30])
    found = problem(folder, key)
    assert (found.kind, found.seq) == ("truncated", 8)


def test_last_segment_file_removed(folder, key, written):
    disk.segment_path(folder, 3).unlink()
    found = problem(folder, key)
    assert found.kind == "truncated" and found.seq == 7
    assert "segment files after 2 are gone" in found.message


def test_truncated_segment_in_the_middle(folder, key, written):
    path = disk.segment_path(folder, 2)
    path.write_bytes(path.read_bytes()[: len(lines(folder, 2)[0]) + 20])
    found = problem(folder, key)
    assert found.segment == 2 and found.seq == 5
    assert found.kind == "damaged"


def test_middle_segment_file_removed(folder, key, written):
    disk.segment_path(folder, 2).unlink()
    found = problem(folder, key)
    assert (found.kind, found.segment, found.seq) == ("segment_missing", 2, 4)


def test_segments_swapped(folder, key, written):
    one, two = disk.segment_path(folder, 1), disk.segment_path(folder, 2)
    a, b = one.read_bytes(), two.read_bytes()
    one.write_bytes(b)
    two.write_bytes(a)
    found = problem(folder, key)
    assert (found.kind, found.segment) == ("segment_swapped", 1)
    assert "segment file 1 holds entries of segment 2" in found.message


def test_segment_renamed_into_a_gap(folder, key, written):
    disk.segment_path(folder, 2).unlink()
    disk.segment_path(folder, 3).rename(disk.segment_path(folder, 2))
    found = problem(folder, key)
    assert (found.kind, found.segment) == ("segment_swapped", 2)
    assert "segment file 2 holds entries of segment 3" in found.message


def test_truncated_tail_and_checkpoint_removed(folder, key, written):
    rewrite(folder, 3, lines(folder, 3)[:1])
    (folder / disk.HEAD_FILE).unlink()
    found = problem(folder, key)
    assert found.kind == "checkpoint" and "missing" in found.message


def test_truncated_tail_and_newest_slot_damaged(folder, key, written):
    rewrite(folder, 3, lines(folder, 3)[:1])
    head = bytearray((folder / disk.HEAD_FILE).read_bytes())
    head[(8 % 2) * disk.SLOT_BYTES + 20] ^= 1
    (folder / disk.HEAD_FILE).write_bytes(bytes(head))
    found = problem(folder, key)
    assert found.kind == "checkpoint" and found.seq == 8


def test_checkpoint_from_another_ledger(folder, key, written, tmp_path):
    other = Ledger.open(tmp_path / "other", key, segment_entries=3)
    fill(other, 8)
    other.close()
    (folder / disk.HEAD_FILE).write_bytes((tmp_path / "other" / disk.HEAD_FILE).read_bytes())
    found = problem(folder, key)
    assert found.kind == "checkpoint" and found.seq == 8


def test_everything_removed_but_the_checkpoint(folder, key, written):
    for _, path in disk.list_segments(folder):
        path.unlink()
    found = problem(folder, key)
    assert found.kind == "truncated" and found.seq == 1


def test_a_damaged_ledger_opens_read_only_up_to_the_damage(folder, key, written):
    old = lines(folder, 2)
    rewrite(folder, 2, [old[0], old[2]])
    ledger = Ledger.open(folder, key, segment_entries=3)
    try:
        assert ledger.problem is not None and ledger.problem.kind == "deleted"
        assert len(ledger) == 4
        assert ledger.query().items[0] == written[3]
        with pytest.raises(LedgerCorrupt, match="deleted"):
            ledger.append(make_draft())
    finally:
        ledger.close()
    assert lines(folder, 2) == [old[0], old[2]]  # opening changed nothing


def test_changed_on_disk_while_open_is_caught_on_read(folder, key, written):
    ledger = Ledger.open(folder, key, segment_entries=3)
    try:
        path = disk.segment_path(folder, 3)
        data = bytearray(path.read_bytes())
        data[30] = ord("A") if data[30] != ord("A") else ord("B")
        path.write_bytes(bytes(data))
        with pytest.raises(LedgerCorrupt, match="#7"):
            ledger.entry(written[6].id)
        assert not ledger.verify().ok
    finally:
        ledger.close()


def test_garbage_key_for_verify_is_not_a_crash(folder, written):
    assert not verify_folder(folder, os.urandom(32)).ok
