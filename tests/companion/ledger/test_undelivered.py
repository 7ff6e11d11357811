"""An "undelivered" entry: values left Proffer, but the page did not take some of them. The release stays on
record; what the site is said to have (the grid, its page, search, stale copies, requests) no longer counts
those fields."""

import csv
import io
import json
from datetime import date

import pytest
from pydantic import ValidationError

from companion.ledger import summary as summary_module
from companion.ledger.chain import entry_hash
from companion.ledger.export import CSV_COLUMNS, write_csv, write_jsonl
from companion.ledger.model import Decision
from companion.ledger.receipt import NotADisclosure, consent_receipt
from companion.ledger.requests import build_request
from companion.ledger.store import Ledger

from .conftest import at, box_change, make_draft, make_undelivered, rewrite_summary
from .receipt_schemas import validate_receipt

EMAIL_TEL = (("email", "e1", "fp-e1"), ("tel", "t1", "fp-t1"))


@pytest.fixture
def shop(ledger):
    """alpha got email and tel once; later a release of email (a new value) and tel, whose page took neither."""
    first = ledger.append(make_draft("alpha.example", fields=EMAIL_TEL), now=at(0))
    second = ledger.append(
        make_draft("alpha.example", fields=(("email", "e1", "fp-e1-new"), ("tel", "t1", "fp-t1"))), now=at(5)
    )
    return first, second


def test_the_entry_names_the_release_and_each_field_with_its_reason(ledger, shop):
    _, second = shop
    entry = ledger.append(make_undelivered(second, 1, reason="invisible"), now=at(5.001))
    assert entry.decision is Decision.UNDELIVERED and entry.release_id == second.id
    assert [(f.type, f.position, f.reason, f.fingerprint) for f in entry.fields] == [("tel", 1, "invisible", "fp-t1")]
    assert not entry.released
    assert ledger.entry(entry.id) == entry  # read back exactly, sealed like every entry


def test_older_entries_dump_exactly_as_stored_without_the_new_keys(ledger, shop):
    undelivered = ledger.append(make_undelivered(shop[1], 0), now=at(6))
    out = io.StringIO()
    write_jsonl(ledger.entries(), out)
    documents = [json.loads(line) for line in out.getvalue().splitlines()]
    assert "release_id" not in documents[0] and all("reason" not in f for f in documents[0]["fields"])
    assert documents[2]["release_id"] == shop[1].id and documents[2]["fields"][0]["reason"] == "field_changed"
    assert all(entry_hash(d) == d["hash"] for d in documents)
    assert documents[2]["hash"] == undelivered.hash


def test_the_csv_export_names_the_release_and_the_reasons(ledger, shop):
    undelivered = ledger.append(make_undelivered(shop[1], 0, 1, reason="invisible"), now=at(6))
    out = io.StringIO()
    write_csv(ledger.entries(), out)
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in list(csv.reader(io.StringIO(out.getvalue())))[1:]]
    assert (rows[2]["decision"], rows[2]["release_id"], rows[2]["reasons"]) == (
        "undelivered",
        shop[1].id,
        "invisible | invisible",
    )
    assert rows[2]["hash"] == undelivered.hash
    assert (rows[0]["release_id"], rows[0]["reasons"]) == ("", "")  # a release: neither


@pytest.mark.parametrize(
    "change",
    [
        {"release_id": None},  # undelivered, but of no release
        {"decision": Decision.ONCE},  # a release claiming to correct another
    ],
)
def test_a_draft_must_say_what_it_corrects(shop, change):
    draft = make_undelivered(shop[1], 0)
    with pytest.raises(ValidationError, match="release_id"):
        draft.model_validate({**draft.model_dump(), **change})


def test_every_undelivered_field_has_its_position_and_reason_and_no_other_field_does(shop):
    draft = make_undelivered(shop[1], 0)
    no_reason = draft.model_dump()
    no_reason["fields"][0]["reason"] = None
    with pytest.raises(ValidationError, match="position and reason"):
        draft.model_validate(no_reason)
    stray = make_draft().model_dump()
    stray["fields"][0]["reason"] = "field_changed"
    stray["fields"][0]["position"] = 0
    with pytest.raises(ValidationError, match="position and reason"):
        draft.model_validate(stray)


def test_who_knows_what_leaves_out_what_the_page_did_not_take(ledger, shop):
    first, second = shop
    ledger.append(make_draft("beta.example", fields=(("email", "e1", "fp-e1"),)), now=at(6))
    before = ledger.who_knows_what()
    assert before.field_types == ("email", "tel") and before.rows[0].times == (2, 2)
    ledger.append(make_undelivered(second, 0, 1), now=at(5.001))
    grid = ledger.who_knows_what()
    alpha = grid.rows[0]
    assert alpha.site == "alpha.example"
    assert alpha.times == (1, 1)
    assert alpha.last_given == (first.time, first.time)  # the one before is the last time it got them


def test_a_site_whose_pages_took_nothing_has_nothing(ledger):
    only = ledger.append(make_draft("alpha.example", fields=EMAIL_TEL), now=at(0))
    ledger.append(make_undelivered(only, 0, 1, reason="wrong_origin"), now=at(0.001))
    assert ledger.who_knows_what().rows == ()
    alpha = ledger.site("alpha.example")
    assert alpha.field_types == ()
    assert (alpha.entries, alpha.released, alpha.refused, alpha.not_taken, alpha.boxes_not_done) == (2, 0, 0, 1, 0)
    assert ledger.disclosures("alpha.example") == []
    assert ledger.search_fingerprint("fp-e1") == []
    assert ledger.stale({"e1": "fp-other"}) == []  # it never had a copy to be out of date


def test_a_site_got_values_as_often_as_a_request_to_it_lists(ledger, shop):
    """``released`` on a site's page counts the releases its pages took something of, each once."""
    first, second = shop
    ledger.append(make_undelivered(first, 1), now=at(5.001))  # took email, not tel: still got values
    ledger.append(make_undelivered(second, 0), now=at(5.002))
    assert ledger.site("alpha.example").released == 2
    ledger.append(make_undelivered(second, 1), now=at(5.003))  # now took nothing of the second release
    ledger.append(make_undelivered(second, 0, 1), now=at(5.004))  # said again: counted once
    alpha = ledger.site("alpha.example")
    assert (alpha.released, alpha.not_taken) == (1, 2)  # two releases had values not taken, however often said
    assert alpha.released == len(ledger.disclosures("alpha.example"))
    assert [s.released for s in ledger.sites()] == [1]


def test_the_activity_chart_shares_only_the_releases_their_page_took_something_of(ledger, shop):
    """The chart's "N shared" per day, week or month agrees with a site's count: a release whose page took
    none of its values is taken off the day it was made, once, whenever the corrections come. A day, week or
    month with nothing shared or refused, only corrections, has no bar at all."""
    first, second = shop  # days 0 and 5: the week of 2026-01-05
    ledger.append(make_undelivered(first, 1), now=at(5.001))  # took email, not tel: still shared
    ledger.append(make_undelivered(second, 0), now=at(5.002))
    assert ledger.activity("week") == [(date(2026, 1, 5), 2, 0)]
    ledger.append(make_undelivered(second, 1), now=at(12))  # a week later: the page took nothing of it
    ledger.append(make_undelivered(second, 0, 1), now=at(12.001))  # said again: counted once
    assert ledger.activity("day") == [(date(2026, 1, 5), 1, 0)]  # not the 10th (its release took nothing), nor the 17th
    assert ledger.activity("week") == [(date(2026, 1, 5), 1, 0)]  # not the week of the corrections only
    assert ledger.activity("month") == [(date(2026, 1, 1), 1, 0)]


def test_the_rest_of_a_release_still_counts(ledger, shop):
    first, second = shop
    ledger.append(make_undelivered(second, 0), now=at(5.001))  # email not taken, tel taken
    assert ledger.who_knows_what().rows[0].last_given == (first.time, second.time)
    assert ledger.not_received(second.id) == {0} and ledger.not_received(first.id) == frozenset()
    listed = ledger.disclosures("alpha.example")
    assert [(d.seq, [f.type for f in d.fields]) for d in listed] == [(1, ["email", "tel"]), (2, ["tel"])]
    assert [e.seq for e in ledger.search_fingerprint("fp-e1-new")] == []
    assert [e.seq for e in ledger.search_fingerprint("fp-t1")] == [2, 1]


def test_a_value_the_page_did_not_take_leaves_the_sites_older_copy_stale(ledger, shop):
    first, second = shop
    current = {"e1": "fp-e1-new", "t1": "fp-t1"}
    assert ledger.stale(current) == []  # alpha's latest email is the new one
    ledger.append(make_undelivered(second, 0), now=at(5.001))
    stale = ledger.stale(current)
    assert [(s.site, s.value_id, s.entry_id, s.given) for s in stale] == [("alpha.example", "e1", first.id, first.time)]


def test_a_withdrawal_is_applied_once_and_only_to_a_release(ledger, shop):
    _, second = shop
    ledger.append(make_undelivered(second, 1), now=at(5.001))
    ledger.append(make_undelivered(second, 1), now=at(5.002))  # said twice: counted once
    assert ledger.who_knows_what().rows[0].times == (2, 1)
    refusal = ledger.append(make_draft("alpha.example", decision=Decision.DECLINED), now=at(7))
    ledger.append(make_undelivered(refusal, 0), now=at(7.001))  # a refusal released nothing to take back
    assert ledger.who_knows_what().rows[0].times == (2, 1)


def test_the_timeline_keeps_both_entries_and_the_decision_filter_finds_the_correction(ledger, shop):
    undelivered = ledger.append(make_undelivered(shop[1], 0), now=at(5.001))
    assert [e.seq for e in ledger.query(site="alpha.example").items] == [3, 2, 1]
    assert ledger.query(decision="undelivered").items == [undelivered]
    assert ledger.query(field_type="email").total == 3


def test_a_withdrawal_in_a_later_segment_survives_reopening_from_summaries(folder, key):
    ledger = Ledger.open(folder, key, segment_entries=3)
    release = ledger.append(make_draft("alpha.example", fields=EMAIL_TEL), now=at(0))
    for day in (1, 2, 3):
        ledger.append(make_draft("beta.example"), now=at(day))
    ledger.append(make_undelivered(release, 1), now=at(4))  # segment 2; its release is in segment 1
    for day in (5, 6):
        ledger.append(make_draft("beta.example"), now=at(day))  # segment 2 closes: summarized
    ledger.close()
    reopened = Ledger.open(folder, key, segment_entries=3)
    try:
        assert summary_module.summary_path(folder, 2).exists()
        assert reopened.site("alpha.example").field_types == ("email",)
        assert reopened.not_received(release.id) == {1}
    finally:
        reopened.close()


def test_a_release_its_page_took_nothing_of_is_not_counted_after_reopening_from_summaries(folder, key):
    """Summaries keep a site's releases whole and list the withdrawals, applied on merge: the count comes out
    the same from a summary written before the count left out such releases, as from one written now."""
    ledger = Ledger.open(folder, key, segment_entries=3)
    early = ledger.append(make_draft("alpha.example", fields=EMAIL_TEL), now=at(0))
    ledger.append(make_undelivered(early, 0, 1), now=at(0.001))  # in the same segment as its release
    late = ledger.append(make_draft("alpha.example", fields=EMAIL_TEL), now=at(1))
    ledger.append(make_undelivered(late, 0), now=at(2))  # segment 2; its release in segment 1
    ledger.append(make_undelivered(late, 1), now=at(2.001))
    kept = ledger.append(make_draft("alpha.example", fields=EMAIL_TEL), now=at(3))
    ledger.append(make_undelivered(kept, 1), now=at(3.001))  # segment 3, left open
    ledger.close()
    keys = summary_module.disk.LedgerKeys(key)
    first = summary_module.read_summary(folder, keys, 1, summary_module.disk.segment_path(folder, 1).read_bytes())
    assert first.state["sites"]["alpha.example"][3] == 2  # releases whole, as summaries have kept them since format 3
    assert first.state["days"] == {"2026-01-05": [1, 0], "2026-01-06": [1, 0]}  # per day too
    merged = Ledger.open(folder, key, segment_entries=3)
    rebuilt = Ledger.open(folder, key, read_only=True)
    summary_module.summary_path(folder, 1).unlink()
    summary_module.summary_path(folder, 2).unlink()
    read_in_full = Ledger.open(folder, key, read_only=True)
    try:
        for opened in (merged, rebuilt, read_in_full):
            alpha = opened.site("alpha.example")
            assert (alpha.entries, alpha.released, alpha.not_taken) == (7, 1, 3)
            # Not the 5th (early: its page took nothing, said in the same segment), the 6th (late: its page took
            # nothing, said in the next segment) nor the 7th (only corrections): nothing was shared or refused.
            assert opened.activity("day") == [(date(2026, 1, 8), 1, 0)]  # kept: its page took email
    finally:
        for opened in (merged, rebuilt, read_in_full):
            opened.close()


def as_format_3(folder, key, segment):
    """Rewrite a segment's summary as Proffer wrote it in format 3: each site's tally ends with its count of
    "undelivered" entries, a box's and a value's alike."""

    def count_undelivered(body):
        columns = body["columns"]
        for site, tally in body["state"]["sites"].items():
            decisions = [d for s, d in zip(columns["site"], columns["decision"], strict=True) if s == site]
            tally.append(decisions.count("undelivered"))
        body["format"] = 3

    rewrite_summary(folder, key, segment, count_undelivered)


def test_a_summary_of_format_3_is_read_past_and_rewritten(folder, key):
    """Format 3 counted a box the page would not let Proffer set as a value not taken: a ledger summarized then
    opens with the two apart, read from its records, and its summaries are written again in the new format."""
    ledger = Ledger.open(folder, key, segment_entries=3)
    release = ledger.append(make_draft("alpha.example", fields=EMAIL_TEL), now=at(0))
    change = ledger.append(box_change(), now=at(0.001))
    ledger.append(make_undelivered(change, 0, reason="page_reverted_change"), now=at(0.002))
    ledger.append(make_undelivered(release, 1), now=at(0.003))  # segment 2; its release in segment 1
    for day in (1, 2, 3):
        ledger.append(make_draft("beta.example"), now=at(day))  # segments 1 and 2 closed and summarized
    written = list(ledger.entries())
    ledger.close()
    for segment in (1, 2):
        as_format_3(folder, key, segment)
    keys = summary_module.disk.LedgerKeys(key)
    data = summary_module.disk.segment_path(folder, 1).read_bytes()
    assert summary_module.read_summary(folder, keys, 1, data) is None  # not trusted: read in full
    reopened = Ledger.open(folder, key, segment_entries=3)
    try:
        assert list(reopened.entries()) == written
        alpha = reopened.site("alpha.example")
        assert (alpha.entries, alpha.released, alpha.refused, alpha.not_taken, alpha.boxes_not_done) == (4, 1, 1, 1, 1)
    finally:
        reopened.close()
    rewritten = summary_module.read_summary(folder, keys, 1, data)
    assert rewritten is not None and len(rewritten.state["sites"]["alpha.example"]) == 5  # the new format


def test_a_request_to_the_shop_lists_only_what_its_pages_took(ledger, shop):
    _, second = shop
    ledger.append(make_undelivered(second, 0), now=at(5.001))  # email not taken, tel taken
    request = build_request("erasure", "alpha.example", ledger, today=date(2026, 3, 1))
    assert request.disclosures == 2
    assert "on https://www.alpha.example/checkout, for checkout: email (“Email”), tel (“Email”)\n" in request.body
    assert "- 2026-01-10 09:00 UTC, on https://www.alpha.example/checkout, for checkout: tel (“Email”)\n" in (
        request.body
    )
    assert "- email: 1 time, first 2026-01-05, last 2026-01-05" in request.short_body
    assert "- tel: 2 times, first 2026-01-05, last 2026-01-10" in request.short_body


GOLDEN_RECEIPT = (
    '{"version": "KI-CR-v1.1.0", "jurisdiction": "GB", "consentTimestamp": 1767603600, "collectionMethod": "web form,'
    ' values released through Proffer\'s approval window (chromium)", "consentReceiptID": "ID", "language": "en", '
    '"piiPrincipalId": "urn:proffer:principal:self", "piiControllers": [{"piiController": "alpha.example", '
    '"onBehalf": false, "contact": "unknown", "address": {}, "email": "unknown", "phone": "unknown", '
    '"piiControllerUrl": "https://www.alpha.example"}], "policyUrl": "https://www.alpha.example", "services": '
    '[{"service": "https://www.alpha.example/checkout", "purposes": [{"purpose": "checkout", "purposeCategory": '
    '["Contracted Service"], "consentType": "EXPLICIT", "piiCategory": ["email", "tel"], "primaryPurpose": true, '
    '"termination": "Given once, for this form only; Proffer will ask again next time.", "thirdPartyDisclosure": '
    'false}]}], "sensitive": false, "spiCat": []}'
)


def test_a_receipt_of_a_release_nothing_was_withdrawn_from_is_as_it_always_was(ledger, shop):
    first, second = shop
    ledger.append(make_undelivered(second, 1), now=at(5.001))  # another release's correction
    assert ledger.undelivered(first.id) == []
    receipt = consent_receipt(first, ledger.undelivered(first.id), jurisdiction="GB")
    assert json.dumps(receipt) == GOLDEN_RECEIPT.replace('"ID"', json.dumps(first.id))


def test_a_receipt_names_the_fields_the_page_did_not_take_and_why(ledger, shop):
    _, second = shop
    ledger.append(make_draft("alpha.example"), now=at(5.0005))  # the site's other entries are not corrections
    correction = ledger.append(make_undelivered(second, 1, reason="invisible"), now=at(5.001))
    again = ledger.append(make_undelivered(second, 1, reason="field_changed"), now=at(5.002))  # the first counts
    assert [e.id for e in ledger.undelivered(second.id)] == [correction.id, again.id]
    receipt = consent_receipt(second, ledger.undelivered(second.id))
    validate_receipt(receipt)
    assert receipt["services"][0]["purposes"][0]["piiCategory"] == ["email"]
    assert receipt["collectionMethod"] == (
        "web form, values released through Proffer's approval window (chromium); "
        "not taken by the page, so not collected: tel (the box was hidden)"
    )


def test_no_receipt_for_a_release_its_page_took_none_of(ledger, shop):
    _, second = shop
    ledger.append(make_undelivered(second, 0, 1, reason="document_gone"), now=at(5.001))
    with pytest.raises(NotADisclosure, match="took none"):
        consent_receipt(second, ledger.undelivered(second.id))


def test_a_receipt_refuses_a_correction_of_another_entry(ledger, shop):
    first, second = shop
    correction = ledger.append(make_undelivered(second, 0), now=at(5.001))
    with pytest.raises(ValueError, match="does not correct"):
        consent_receipt(first, [correction])


def test_a_box_change_the_page_did_not_keep_is_marked_and_nothing_else_moves(ledger, shop):
    change = ledger.append(box_change(), now=at(6))

    def counts():
        site = ledger.site("alpha.example")
        return site.released, site.refused, site.field_types, ledger.who_knows_what(), ledger.activity("day")

    before = counts()
    ledger.append(make_undelivered(change, 0, reason="page_reverted_change"), now=at(6.001))
    assert ledger.not_received(change.id) == {0}
    assert counts() == before


def test_a_site_counts_boxes_the_page_would_not_let_proffer_set_apart_from_values_it_did_not_take(ledger, shop):
    """A box is no value: a site's page says how often its pages did not take values, and how many boxes they
    would not let Proffer set, each once however often it is said."""
    _, second = shop
    opt_in, join = ledger.append(box_change(), now=at(6)), ledger.append(box_change(), now=at(6.0001))
    ledger.append(make_undelivered(opt_in, 0, reason="page_reverted_change"), now=at(6.001))
    ledger.append(make_undelivered(join, 0, reason="detached"), now=at(6.002))
    ledger.append(make_undelivered(join, 0, reason="detached"), now=at(6.003))  # said again: counted once
    alpha = ledger.site("alpha.example")
    assert (alpha.not_taken, alpha.boxes_not_done) == (0, 2)
    ledger.append(make_undelivered(second, 1), now=at(6.004))
    alpha = ledger.site("alpha.example")
    assert (alpha.not_taken, alpha.boxes_not_done) == (1, 2)
    assert ledger.sites() == [alpha]


def test_a_box_change_s_correction_survives_reopening_from_summaries(folder, key):
    ledger = Ledger.open(folder, key, segment_entries=3)
    change = ledger.append(box_change(), now=at(0))
    for day in (1, 2, 3):
        ledger.append(make_draft("beta.example"), now=at(day))
    ledger.append(make_undelivered(change, 0, reason="detached"), now=at(4))  # segment 2; the change in segment 1
    for day in (5, 6):
        ledger.append(make_draft("beta.example"), now=at(day))
    ledger.close()
    reopened = Ledger.open(folder, key, segment_entries=3)
    try:
        assert summary_module.summary_path(folder, 2).exists()
        assert reopened.not_received(change.id) == {0}
        alpha = reopened.site("alpha.example")
        assert (alpha.not_taken, alpha.boxes_not_done) == (0, 1)
    finally:
        reopened.close()
