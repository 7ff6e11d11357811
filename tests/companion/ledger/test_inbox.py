"""The ledger's inbox: reports accepted while the vault is locked, sealed on disk until it opens, each read back
once, oldest first, and anything that does not read set aside rather than lost or fatal."""

import logging
import os
import stat
import threading

import pytest

from companion.ledger.inbox import (
    HeldReport,
    HeldReportRefused,
    Inbox,
    RecordUnreadable,
    inbox_private_key,
    open_record,
    seal_record,
)

from .conftest import HOSTILE, at, make_draft, make_undelivered

LABEL = "Inbox-Marker-Label"


@pytest.fixture
def inbox_key():
    return os.urandom(32)


@pytest.fixture
def inbox(tmp_path, inbox_key):
    """An inbox whose key the vault has published (as every open does)."""
    opened = Inbox(tmp_path / "ledger-inbox")
    opened.publish(inbox_key)
    return opened


def report(ledger, hours=0.0, *, label=LABEL, reason="field_changed"):
    """A held report on a fresh release whose email field the page did not take."""
    release = ledger.append(
        make_draft("inbox.example", fields=(("email", "v-email", "fp-marker-7f3a"),), label=label), now=at(0)
    )
    return HeldReport(at(hours / 24), (make_undelivered(release, 0, reason=reason),))


def records(inbox, pattern="*.sealed"):
    return sorted(inbox.folder.glob(pattern))


def arrival(path, inbox_key):
    return HeldReport.parse(open_record(inbox_private_key(inbox_key), path.read_bytes(), path.name)).arrived


def delivered(inbox, inbox_key):
    got = []
    count = inbox.deliver(inbox_key, got.append)
    assert count == len(got)
    return got


def test_a_held_report_is_on_disk_sealed_in_a_private_file(ledger, inbox):
    held = report(ledger)
    inbox.hold(held)
    [path] = records(inbox)
    blob = path.read_bytes()
    for clear in (LABEL, "email", "fp-marker-7f3a", "v-email", "inbox.example", "field_changed", "undelivered"):
        assert clear.encode() not in blob, clear
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(inbox.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(inbox.key_file.stat().st_mode) == 0o600


def test_a_new_inbox_over_the_same_folder_delivers_it_as_it_was_then_forgets_it(tmp_path, ledger, inbox, inbox_key):
    first, second = report(ledger, 2), report(ledger, 1)
    inbox.hold(first)
    inbox.hold(second)
    restarted = Inbox(inbox.folder)  # a companion started again: nothing in memory
    assert delivered(restarted, inbox_key) == [second, first]  # oldest first, arrival times kept
    assert records(restarted) == [] and restarted.key_file.exists()
    assert delivered(Inbox(inbox.folder), inbox_key) == []


def test_a_record_opens_only_under_its_own_name_and_key(inbox_key):
    public = inbox_private_key(inbox_key).public_key()
    blob = seal_record(public, b"held", "0123456789abcdef.sealed")
    assert open_record(inbox_private_key(inbox_key), blob, "0123456789abcdef.sealed") == b"held"
    for key, name in [(os.urandom(32), "0123456789abcdef.sealed"), (inbox_key, "fedcba9876543210.sealed")]:
        with pytest.raises(RecordUnreadable, match="integrity check"):
            open_record(inbox_private_key(key), blob, name)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="torn"),
        pytest.param(lambda data: data[:5], id="torn-in-the-header"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 1]), id="bit-flipped"),
        pytest.param(lambda data: os.urandom(len(data)), id="garbage"),
    ],
)
def test_a_damaged_record_is_set_aside_and_the_others_are_delivered(ledger, inbox, inbox_key, caplog, damage):
    first, last = report(ledger, 1), report(ledger, 2)
    inbox.hold(first)
    before = set(records(inbox))
    inbox.hold(last)
    [torn] = set(records(inbox)) - before
    torn.write_bytes(damage(torn.read_bytes()))
    with caplog.at_level(logging.ERROR, logger="companion.ledger.inbox"):
        assert delivered(Inbox(inbox.folder), inbox_key) == [first]
    assert records(inbox) == []
    [aside] = records(inbox, "*.unreadable")
    assert aside.name == torn.name.replace(".sealed", ".unreadable")
    assert torn.name in caplog.text and "set aside" in caplog.text.lower()
    assert delivered(Inbox(inbox.folder), inbox_key) == []  # set aside for good, not tried at every open


def test_a_write_cut_short_is_set_aside_and_one_cut_before_its_rename_is_delivered(ledger, inbox, inbox_key, caplog):
    cut, whole = report(ledger, 1), report(ledger, 2)
    inbox.hold(cut)
    inbox.hold(whole)
    # What atomic_write leaves when it is killed: the temp file, never renamed (whole, or torn mid-write).
    [cut_path, whole_path] = sorted(records(inbox), key=lambda p: arrival(p, inbox_key))
    cut_temp = cut_path.with_name(f".{cut_path.name}.k3j9_x.tmp")
    cut_temp.write_bytes(cut_path.read_bytes()[:40])
    cut_path.unlink()
    whole_path.rename(whole_path.with_name(f".{whole_path.name}.a1b2c3.tmp"))
    with caplog.at_level(logging.ERROR, logger="companion.ledger.inbox"):
        assert delivered(Inbox(inbox.folder), inbox_key) == [whole]
    assert "cut short" in caplog.text
    assert [p.name for p in inbox.folder.iterdir() if p.name != "key.pub"] == [
        cut_path.name.replace(".sealed", ".unreadable")
    ]


def test_a_link_or_a_pipe_under_a_record_s_name_is_set_aside_unread(tmp_path, ledger, inbox, inbox_key):
    kept = report(ledger, 2)
    inbox.hold(kept)
    elsewhere = Inbox(tmp_path / "elsewhere")
    elsewhere.publish(inbox_key)
    elsewhere.hold(report(ledger, 1))  # a good record, but not in the inbox: a link must not bring it in
    [outside] = records(elsewhere)
    (inbox.folder / outside.name).symlink_to(outside)
    os.mkfifo(inbox.folder / "00000000000000ff.sealed")  # reading it would wait for a writer for ever
    got = []
    reader = threading.Thread(target=lambda: got.append(delivered(Inbox(inbox.folder), inbox_key)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive() and got == [[kept]]
    assert sorted(p.name for p in records(inbox, "*.unreadable")) == sorted(
        [outside.name.replace(".sealed", ".unreadable"), "00000000000000ff.unreadable"]
    )
    assert outside.exists()


def test_a_record_sealed_to_another_key_is_set_aside(ledger, tmp_path, inbox, inbox_key):
    elsewhere = Inbox(tmp_path / "elsewhere")
    elsewhere.publish(os.urandom(32))
    elsewhere.hold(report(ledger))
    [foreign] = records(elsewhere)
    foreign.rename(inbox.folder / foreign.name)
    assert delivered(Inbox(inbox.folder), inbox_key) == []
    assert [p.name for p in records(inbox, "*.unreadable")] == [foreign.name.replace(".sealed", ".unreadable")]


def test_a_report_the_ledger_refuses_is_set_aside_and_the_others_go_on(ledger, inbox, inbox_key):
    refused, kept = report(ledger, 1), report(ledger, 2)
    inbox.hold(refused)
    inbox.hold(kept)

    def append(held):
        if held == refused:
            raise HeldReportRefused("it names no release")
        got.append(held)

    got = []
    assert Inbox(inbox.folder).deliver(inbox_key, append) == 1
    assert got == [kept] and records(inbox) == [] and len(records(inbox, "*.unreadable")) == 1


def test_when_appending_fails_that_report_and_the_later_ones_stay_held(ledger, inbox, inbox_key):
    first, second, third = report(ledger, 1), report(ledger, 2), report(ledger, 3)
    for held in (first, second, third):
        inbox.hold(held)
    got = []

    def append(held):
        if held == second:
            raise OSError("the ledger's disk is full")
        got.append(held)

    with pytest.raises(OSError):
        Inbox(inbox.folder).deliver(inbox_key, append)
    assert got == [first] and len(records(inbox)) == 2
    assert delivered(Inbox(inbox.folder), inbox_key) == [second, third]


def test_without_a_key_pair_reports_are_held_in_memory_and_the_next_open_makes_one(tmp_path, ledger, inbox_key, caplog):
    old = Inbox(tmp_path / "ledger-inbox")  # a vault from before the inbox, not opened since
    held = report(ledger)
    with caplog.at_level(logging.WARNING, logger="companion.ledger.inbox"):
        old.hold(held)
    assert "in memory only" in caplog.text
    assert not old.folder.exists()  # nothing on disk, sealed or not
    old.publish(inbox_key)  # the open
    assert old.key_file.exists()
    assert delivered(old, inbox_key) == [held]
    assert delivered(old, inbox_key) == []  # handed over once
    later = report(ledger, 1)
    old.hold(later)
    assert len(records(old)) == 1  # from the open on, on disk
    assert delivered(Inbox(old.folder), inbox_key) == [later]


def test_memory_and_disk_reports_are_delivered_together_in_arrival_order(tmp_path, ledger, inbox_key):
    inbox = Inbox(tmp_path / "ledger-inbox")
    early = report(ledger, 1)
    inbox.hold(early)  # no key yet: memory
    inbox.publish(inbox_key)
    late, earliest = report(ledger, 2), report(ledger, 0)
    inbox.hold(late)
    inbox.hold(earliest)
    assert delivered(inbox, inbox_key) == [earliest, early, late]


def test_a_key_file_that_is_not_the_vault_s_is_written_again(inbox, inbox_key, caplog):
    published = inbox.key_file.read_text()
    other = Inbox(inbox.folder.parent / "other")
    other.publish(os.urandom(32))
    inbox.key_file.write_text(other.key_file.read_text())
    with caplog.at_level(logging.WARNING, logger="companion.ledger.inbox"):
        Inbox(inbox.folder).publish(inbox_key)
    assert "not the vault's inbox key" in caplog.text
    assert inbox.key_file.read_text() == published


@pytest.mark.parametrize("text", ["", "not a key\n", "proffer-ledger-inbox:v1 x25519 c2hvcnQ=\n"])
def test_a_damaged_key_file_leaves_reports_in_memory_not_lost(tmp_path, ledger, inbox_key, text, caplog):
    folder = tmp_path / "ledger-inbox"
    folder.mkdir()
    (folder / "key.pub").write_text(text)
    inbox = Inbox(folder)
    held = report(ledger)
    with caplog.at_level(logging.WARNING, logger="companion.ledger.inbox"):
        inbox.hold(held)
    assert "damaged" in caplog.text and records(inbox) == []
    inbox.publish(inbox_key)
    assert delivered(inbox, inbox_key) == [held]


def test_whatever_a_page_put_in_a_label_comes_back_exactly(ledger, inbox, inbox_key):
    held = report(ledger, label=HOSTILE + "\ud800 lone surrogate")
    inbox.hold(held)
    assert len(records(inbox)) == 1  # on disk, not fallen back to memory
    assert delivered(Inbox(inbox.folder), inbox_key) == [held]


def test_only_undelivered_entries_with_a_time_zone_are_held(ledger):
    release = ledger.append(make_draft("inbox.example"), now=at(0))
    with pytest.raises(ValueError, match="undelivered"):
        HeldReport(at(0), (make_draft("inbox.example"),))
    with pytest.raises(ValueError, match="time zone"):
        HeldReport(at(0).replace(tzinfo=None), (make_undelivered(release, 0),))


def test_records_set_aside_are_counted_by_name_and_never_opened(ledger, inbox, inbox_key):
    assert Inbox(inbox.folder / "never-made").set_aside() == 0  # no inbox folder yet: nothing set aside
    damaged, kept = report(ledger, 1), report(ledger, 2)
    inbox.hold(damaged)
    before = set(records(inbox))
    inbox.hold(kept)
    assert inbox.set_aside() == 0  # held, not set aside
    [torn] = before
    torn.write_bytes(torn.read_bytes()[:20])
    os.mkfifo(inbox.folder / "00000000000000ff.sealed")  # set aside unread; opening it to count would block
    (inbox.folder / "notes.unreadable").write_text("not a record's name")  # not one of the inbox's
    assert delivered(Inbox(inbox.folder), inbox_key) == [kept]
    assert inbox.set_aside() == 2 and Inbox(inbox.folder).set_aside() == 2  # from the folder, not from memory


def test_a_folder_that_cannot_be_listed_gives_no_count_and_is_logged(inbox, caplog, monkeypatch):
    def refused(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(type(inbox.folder), "iterdir", refused)
    with caplog.at_level(logging.ERROR, logger="companion.ledger.inbox"):
        assert inbox.set_aside() is None  # not known, which is not the same as none
    assert str(inbox.folder) in caplog.text and "not counted" in caplog.text
