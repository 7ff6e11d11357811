"""The note that the page undid Proffer's change to a consent box before its form was sent, and Proffer set it
again then: a "never" entry the timeline shows, but no refusal of its own. The box's change was the refusal,
so a site's count and the activity chart count that box once, right after the note and after reopening."""

from datetime import date

from companion.ledger import summary as summary_module
from companion.ledger.model import TERMS_SET_AGAIN, is_set_again_note
from companion.ledger.store import Ledger

from .conftest import at, box_change, make_draft, rewrite_summary


def set_again(change):
    """What the companion appends when the page undid ``change`` and Proffer set the box again."""
    return box_change(change.site, terms=TERMS_SET_AGAIN)


def counts(ledger, site="alpha.example"):
    summary = ledger.site(site)
    return summary.entries, summary.released, summary.refused, summary.field_types


def test_a_box_set_again_is_one_refusal_on_its_site_and_the_chart(ledger):
    change = ledger.append(box_change(), now=at(0))
    assert counts(ledger) == (1, 0, 1, ())
    assert ledger.activity("day") == [(date(2026, 1, 5), 0, 1)]
    note = ledger.append(set_again(change), now=at(0.001))
    assert is_set_again_note(note) and not is_set_again_note(change)
    assert counts(ledger) == (2, 0, 1, ())  # one more entry, not one more refusal
    for bucket, start in (("day", date(2026, 1, 5)), ("week", date(2026, 1, 5)), ("month", date(2026, 1, 1))):
        assert ledger.activity(bucket) == [(start, 0, 1)]
    assert [s.refused for s in ledger.sites()] == [1]
    assert ledger.who_knows_what().rows == ()  # a box is no value given, set again or not
    # The timeline still shows the note, as a "never" entry of its own.
    assert [e.id for e in ledger.query(decision="never").items] == [note.id, change.id]


def test_a_note_on_a_day_of_its_own_has_no_bar(ledger):
    change = ledger.append(box_change(), now=at(0))
    ledger.append(set_again(change), now=at(1))  # the form was sent the next day
    assert ledger.activity("day") == [(date(2026, 1, 5), 0, 1)]
    assert counts(ledger) == (2, 0, 1, ())


def alpha_with_boxes_set_again(folder, key):
    """Two box changes on alpha, each set again: one note in a segment that closes (summarized), one in the
    segment left open (read line by line)."""
    ledger = Ledger.open(folder, key, segment_entries=3)
    change = ledger.append(box_change(), now=at(0))
    ledger.append(set_again(change), now=at(0.001))
    ledger.append(make_draft("beta.example"), now=at(1))  # segment 1 closes
    later = ledger.append(box_change(), now=at(2))
    ledger.append(make_draft("beta.example"), now=at(3))
    ledger.append(make_draft("beta.example"), now=at(3.001))  # segment 2 closes
    ledger.append(set_again(later), now=at(4))  # segment 3, left open; a day of its own
    ledger.close()


CHART = [(date(2026, 1, 5), 0, 1), (date(2026, 1, 6), 1, 0), (date(2026, 1, 7), 0, 1), (date(2026, 1, 8), 2, 0)]


def test_after_reopening_a_box_set_again_is_still_one_refusal(folder, key):
    """The same counts from the summaries, from a ledger read line by line, and right after append."""
    alpha_with_boxes_set_again(folder, key)
    merged = Ledger.open(folder, key, segment_entries=3)
    assert summary_module.summary_path(folder, 1).exists() and summary_module.summary_path(folder, 2).exists()
    for segment in (1, 2):
        summary_module.summary_path(folder, segment).unlink()
    read_in_full = Ledger.open(folder, key, read_only=True)
    try:
        for opened in (merged, read_in_full):
            assert counts(opened) == (4, 0, 2, ())
            assert opened.activity("day") == CHART  # nothing on the 9th: only a note
            assert opened.activity("month") == [(date(2026, 1, 1), 3, 2)]
            assert opened.query(site="alpha.example", decision="never").total == 4  # the notes still shown
    finally:
        merged.close()
        read_in_full.close()


def test_a_summary_of_format_4_is_read_past_and_rewritten(folder, key):
    """Format 4 counted a note that a box was set again as one more refusal: a ledger summarized then opens
    counting the box once, read from its records, and its summaries are written again in the new format."""
    alpha_with_boxes_set_again(folder, key)

    def as_format_4(body):  # segment 1's note counted as one more refusal, on its site and its day
        body["format"] = 4
        body["state"]["sites"]["alpha.example"][4] += 1
        body["state"]["days"]["2026-01-05"][1] += 1

    rewrite_summary(folder, key, 1, as_format_4)
    keys = summary_module.disk.LedgerKeys(key)
    data = summary_module.disk.segment_path(folder, 1).read_bytes()
    assert summary_module.read_summary(folder, keys, 1, data) is None  # not trusted: read in full
    reopened = Ledger.open(folder, key, segment_entries=3)
    try:
        assert counts(reopened) == (4, 0, 2, ())
        assert reopened.activity("day") == CHART
    finally:
        reopened.close()
    rewritten = summary_module.read_summary(folder, keys, 1, data)
    assert rewritten is not None and rewritten.state["sites"]["alpha.example"][4] == 1  # the box, once
