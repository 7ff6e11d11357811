"""``fill.report``: after a fill, the service worker says which released values the page did not take. The
ledger then says so, and stops counting them as the shop's; a report can take fields back and nothing else."""

import json
import logging
import re
import shutil
from datetime import UTC, datetime

import pytest

from companion.app import init_app
from companion.appkeys import CONTEXT, CORE
from companion.dashboard.ledger_views import grid_data
from companion.decisions import Choice
from companion.ledger import disk
from companion.ledger.inbox import HeldReport, Inbox
from companion.ledger.model import TERMS_SET_AGAIN, LedgerDraft
from companion.prompts import TERMS_NOT_KEPT, TERMS_NOT_KEPT_AT_SUBMIT
from companion.settings import Settings
from tests.companion.conftest import PASSPHRASE, free_port
from tests.companion.dashboard.test_security import login
from tests.companion.ledger.receipt_schemas import validate_receipt
from tests.companion.test_native_api import FIELDS, FORMS, PAGE, message, offer_for, post, request_fill, unlocked
from tests.companion.test_prompts import SHOP_A, SIGNUP, SIGNUP_FORMS, fill_request
from tests.companion.test_prompts import unlocked as prompts_unlocked


async def approve(companion, result, indexes=(0, 1)):
    approvals = [{"index": i, "value_id": offer_for(result, i)} for i in indexes]
    body = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    assert answer["ok"], answer
    return answer["result"]


def report(result, *, filled=(), refused=(), release="once", frame_origin=PAGE["frame_origin"]):
    return message(
        "fill.report",
        {
            "request_id": result["request_id"],
            "frame_origin": frame_origin,
            "release": release,
            "filled": list(filled),
            "refused": [{"index": i, "reason": reason} for i, reason in refused],
        },
    )


async def released_once(companion):
    """The person approved email (0) and first name (1); returns (core, the request's result)."""
    core = await unlocked(companion)
    result = await request_fill(companion)
    await approve(companion, result)
    return core, result


async def test_fields_the_page_refused_are_recorded_as_not_received_with_their_reasons(companion):
    core, result = await released_once(companion)
    once = core.ledger.query(decision="once").items[0]
    _, answer = await post(companion, report(result, filled=[1], refused=[(0, "field_changed")]))
    assert answer["ok"], answer
    assert answer["result"] == {"request_id": result["request_id"], "recorded": 1}
    [entry] = core.ledger.query(decision="undelivered").items
    assert entry.release_id == once.id and entry.request_id == result["request_id"]
    assert (entry.site, entry.frame_origin, entry.purpose) == (once.site, once.frame_origin, once.purpose)
    [field] = entry.fields
    email = next(f for f in once.fields if f.type == "email")
    assert (field.type, field.reason, field.position) == ("email", "field_changed", once.fields.index(email))
    assert (field.value_id, field.fingerprint, field.label) == (email.value_id, email.fingerprint, email.label)
    # Sealed like every entry: the value itself is nowhere in it, only its keyed fingerprint.
    released_email = next(o["value"] for o in result["fields"][0]["offers"] if o["value_id"] == email.value_id)
    assert released_email not in entry.model_dump_json()


async def test_who_knows_what_no_longer_counts_a_value_the_page_refused(companion):
    core, result = await released_once(companion)
    assert grid_data(core.ledger)["field_types"] == ("email", "given-name")
    await post(companion, report(result, filled=[1], refused=[(0, "invisible")]))
    grid = grid_data(core.ledger)
    assert grid["field_types"] == ("given-name",)
    assert core.ledger.site("example.co.uk").field_types == ("given-name",)
    assert core.ledger.search_fingerprint(core.vault.fingerprint("ada.marker-7431@example.org")) == []


async def test_everything_written_records_nothing_and_closes_the_release(companion):
    core, result = await released_once(companion)
    before = len(core.ledger)
    _, answer = await post(companion, report(result, filled=[0, 1]))
    assert answer["result"]["recorded"] == 0 and len(core.ledger) == before
    _, again = await post(companion, report(result, refused=[(0, "field_changed")]))
    assert again["error"]["code"] == "unknown_request"  # a release is reported on once
    assert len(core.ledger) == before


async def test_a_report_is_accepted_once(companion):
    core, result = await released_once(companion)
    _, first = await post(companion, report(result, refused=[(0, "field_changed")]))
    assert first["ok"]
    _, replay = await post(companion, report(result, refused=[(1, "field_changed")]))
    assert replay["error"]["code"] == "unknown_request"
    assert core.ledger.query(decision="undelivered").total == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"request_id": "A" * 24}, "unknown_request"),  # forged
        ({"frame_origin": "https://evil.example"}, "unknown_request"),  # another frame's
        ({"release": "always"}, "unknown_request"),  # this request released nothing by a standing decision
    ],
)
async def test_a_report_for_no_release_of_that_frame_is_refused(companion, change, code):
    core, result = await released_once(companion)
    body = report(result, refused=[(0, "field_changed")])
    body["payload"].update(change)
    _, answer = await post(companion, body)
    assert answer["error"]["code"] == code
    assert core.ledger.query(decision="undelivered").total == 0


async def test_a_report_before_the_person_approved_anything_is_refused(companion):
    core = await unlocked(companion)
    result = await request_fill(companion)  # offered, not yet approved: nothing released
    _, answer = await post(companion, report(result, refused=[(0, "field_changed")]))
    assert answer["error"]["code"] == "unknown_request"
    assert len(core.ledger) == 0


@pytest.mark.parametrize(
    ("filled", "refused", "code"),
    [
        ([], [(2, "field_changed")], "not_offered"),  # offered, left unticked: never released
        ([], [(4, "invisible")], "not_offered"),  # the hidden field: never offered
        ([99], [(0, "invisible")], "not_offered"),  # not in the request at all
        ([0], [(0, "invisible")], "bad_request"),  # both filled and refused
        ([], [(0, "invisible"), (0, "disabled")], "bad_request"),  # refused twice
    ],
)
async def test_a_report_naming_anything_but_the_released_fields_is_refused_whole(companion, filled, refused, code):
    core, result = await released_once(companion)
    _, answer = await post(companion, report(result, filled=filled, refused=refused))
    assert answer["error"]["code"] == code
    assert core.ledger.query(decision="undelivered").total == 0
    _, honest = await post(companion, report(result, refused=[(0, "invisible")]))
    assert honest["ok"], "a refused report does not use up the release"


@pytest.mark.parametrize("reason", ["made_up", "", "FIELD_CHANGED", None, 3])
async def test_reasons_are_from_a_closed_set(companion, reason):
    core, result = await released_once(companion)
    body = report(result, refused=[(0, "x")])
    body["payload"]["refused"][0]["reason"] = reason
    _, answer = await post(companion, body)
    assert answer["error"]["code"] == "bad_request" and "reason" in answer["error"]["message"]
    assert core.ledger.query(decision="undelivered").total == 0


async def test_a_report_comes_within_a_minute_of_the_release(companion):
    core, result = await released_once(companion)
    fills = companion.app[CONTEXT].fills
    later = fills.clock() + 61
    fills.clock = lambda: later
    _, answer = await post(companion, report(result, refused=[(0, "field_changed")]))
    assert answer["error"]["code"] == "unknown_request"
    assert core.ledger.query(decision="undelivered").total == 0


async def test_a_report_after_a_lock_lands_in_the_ledger_when_the_vault_opens(companion):
    core, result = await released_once(companion)
    once = core.ledger.query(decision="once").items[0]
    core.lock()
    _, answer = await post(companion, report(result, filled=[1], refused=[(0, "field_changed")]))
    assert answer["ok"] and answer["result"]["recorded"] == 1, answer
    _, again = await post(companion, report(result, refused=[(1, "invisible")]))
    assert again["error"]["code"] == "unknown_request"  # still once per release
    core.unlock(PASSPHRASE)
    [entry] = core.ledger.query(decision="undelivered").items
    assert entry.release_id == once.id and [(f.type, f.reason) for f in entry.fields] == [("email", "field_changed")]
    assert once.time < entry.time
    assert core.ledger.site("example.co.uk").field_types == ("given-name",)
    core.lock()
    core.unlock(PASSPHRASE)
    assert core.ledger.query(decision="undelivered").total == 1  # appended once


async def test_a_report_after_a_lock_and_an_unlock_lands_at_once(companion):
    core, result = await released_once(companion)
    core.lock()
    core.unlock(PASSPHRASE)
    _, answer = await post(companion, report(result, refused=[(0, "field_changed")]))
    assert answer["ok"]
    assert core.ledger.query(decision="undelivered").total == 1


async def test_what_a_release_keeps_across_a_lock_holds_no_value_and_lasts_its_minute(companion):
    core, result = await released_once(companion)
    fills = companion.app[CONTEXT].fills
    core.lock()
    values = [o["value"] for f in result["fields"] for o in f["offers"]]
    assert values and not any(v in repr(fills.__dict__) for v in values)  # offers (and their values) are void
    later = fills.clock() + 61
    fills.clock = lambda: later
    _, answer = await post(companion, report(result, refused=[(0, "field_changed")]))
    assert answer["error"]["code"] == "unknown_request"
    core.unlock(PASSPHRASE)
    assert core.ledger.query(decision="undelivered").total == 0


async def test_a_lock_still_voids_the_offers(companion):
    core = await unlocked(companion)
    result = await request_fill(companion)
    core.lock()
    core.unlock(PASSPHRASE)
    approvals = [{"index": 0, "value_id": offer_for(result, 0)}]
    body = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    assert answer["error"]["code"] == "unknown_request"


# --- held while locked: sealed in the ledger's inbox, so a restart loses nothing ---------------------------


async def restarted(aiohttp_client, data_dir):
    """Another companion over the same data dir, started locked: nothing of the first one's memory."""
    port = free_port()
    client = await aiohttp_client(init_app(data_dir, Settings(port=port)), server_kwargs={"port": port})
    client.token = data_dir.read_token()
    return client.app[CORE]


def inbox_files(data_dir, pattern="*.sealed"):
    return sorted(data_dir.inbox_dir.glob(pattern))


async def released_twice(companion):
    """Two releases of email and first name, on two requests; (core, their two results)."""
    core, first = await released_once(companion)
    second = await request_fill(companion)
    await approve(companion, second)
    return core, (first, second)


async def report_held(companion, data_dir, body):
    """Post a report while the vault is locked; the record it left in the inbox."""
    before = set(inbox_files(data_dir))
    _, answer = await post(companion, body)
    assert answer["ok"] and answer["result"]["recorded"] == 1, answer
    [record] = set(inbox_files(data_dir)) - before
    return record


async def test_a_report_while_locked_is_sealed_on_disk_and_a_restarted_companion_appends_it(
    companion, aiohttp_client, data_dir
):
    core, result = await released_once(companion)
    once = core.ledger.query(decision="once").items[0]
    email = next(f for f in once.fields if f.type == "email")
    core.lock()
    arrived = datetime.now(UTC)
    record = await report_held(companion, data_dir, report(result, filled=[1], refused=[(0, "field_changed")]))
    answered = datetime.now(UTC)
    sealed = record.read_bytes()
    readable = (email.label, email.type, email.fingerprint, email.value_id, once.site, once.request_id, "field_changed")
    for clear in readable:
        assert clear.encode() not in sealed, clear
    assert oct(record.stat().st_mode & 0o777) == "0o600"

    core = await restarted(aiohttp_client, data_dir)
    core.unlock(PASSPHRASE)
    [entry] = core.ledger.query(decision="undelivered").items
    assert entry.release_id == once.id and [(f.type, f.reason) for f in entry.fields] == [("email", "field_changed")]
    assert arrived <= entry.moment <= answered  # when the report came, not when the vault opened
    assert core.ledger.site("example.co.uk").field_types == ("given-name",)
    assert inbox_files(data_dir) == [] and inbox_files(data_dir, "*.unreadable") == []


async def test_a_torn_or_garbage_record_is_set_aside_and_the_others_are_appended(
    companion, aiohttp_client, data_dir, caplog
):
    core, (first, second) = await released_twice(companion)
    core.lock()
    await report_held(companion, data_dir, report(first, refused=[(0, "field_changed")]))
    torn = await report_held(companion, data_dir, report(second, refused=[(1, "invisible")]))
    torn.write_bytes(torn.read_bytes()[:-7])  # the last record, cut short
    garbage = data_dir.inbox_dir / "00000000deadbeef.sealed"
    garbage.write_bytes(b"not a record at all")

    core = await restarted(aiohttp_client, data_dir)
    with caplog.at_level(logging.ERROR):
        core.unlock(PASSPHRASE)
    assert core.vault.state == "unlocked"
    [entry] = core.ledger.query(decision="undelivered").items
    assert entry.request_id == first["request_id"]
    assert inbox_files(data_dir) == []
    assert [p.name for p in inbox_files(data_dir, "*.unreadable")] == sorted(
        p.name.replace(".sealed", ".unreadable") for p in (torn, garbage)
    )
    assert torn.name in caplog.text and garbage.name in caplog.text


async def test_a_vault_from_before_the_inbox_holds_reports_in_memory_until_its_next_open_makes_the_key(
    companion, data_dir, caplog
):
    core, (first, second) = await released_twice(companion)
    once = core.ledger.query(decision="once").items[-1]
    core.lock()
    # As a data dir from before the inbox, in a companion that has not opened it since: no key pair anywhere.
    shutil.rmtree(data_dir.inbox_dir)
    core.inbox = Inbox(data_dir.inbox_dir)
    arrived = datetime.now(UTC)
    with caplog.at_level(logging.WARNING):
        _, answer = await post(companion, report(first, refused=[(0, "field_changed")]))
    assert answer["ok"] and answer["result"]["recorded"] == 1
    assert "in memory only" in caplog.text
    assert not data_dir.inbox_dir.exists()  # nothing on disk

    core.unlock(PASSPHRASE)
    assert (data_dir.inbox_dir / "key.pub").exists()  # made at the open
    [entry] = core.ledger.query(decision="undelivered").items
    assert entry.release_id == once.id and arrived <= entry.moment
    core.lock()
    await report_held(companion, data_dir, report(second, refused=[(0, "field_changed")]))  # on disk from now on


async def test_a_held_report_is_appended_once_even_if_its_record_outlives_the_append(
    companion, aiohttp_client, data_dir
):
    core, result = await released_once(companion)
    core.lock()
    record = await report_held(companion, data_dir, report(result, refused=[(0, "field_changed")]))
    sealed = record.read_bytes()
    core = await restarted(aiohttp_client, data_dir)
    core.unlock(PASSPHRASE)
    assert core.ledger.query(decision="undelivered").total == 1
    core.lock()
    record.write_bytes(sealed)  # a crash after the append, before the record was removed
    core = await restarted(aiohttp_client, data_dir)
    core.unlock(PASSPHRASE)
    assert core.ledger.query(decision="undelivered").total == 1
    assert inbox_files(data_dir) == []


async def test_a_damaged_ledger_leaves_held_reports_held_for_a_later_open(companion, aiohttp_client, data_dir):
    core, result = await released_once(companion)
    core.lock()
    record = await report_held(companion, data_dir, report(result, refused=[(0, "field_changed")]))
    segment = disk.segment_path(data_dir.ledger_dir, 1)
    lines = segment.read_bytes().splitlines(keepends=True)
    segment.write_bytes(b"".join(lines[1:]))  # the first entry deleted: nothing after it is read
    core = await restarted(aiohttp_client, data_dir)
    core.unlock(PASSPHRASE)
    assert core.ledger.problem is not None and core.vault.state == "unlocked"
    assert inbox_files(data_dir) == [record] and inbox_files(data_dir, "*.unreadable") == []


async def test_a_report_held_on_disk_is_not_held_in_memory_as_well(companion, data_dir):
    core, result = await released_once(companion)
    core.lock()
    record = await report_held(companion, data_dir, report(result, refused=[(0, "field_changed")]))
    record.unlink()  # the one place it was held
    core.unlock(PASSPHRASE)
    assert core.ledger.query(decision="undelivered").total == 0


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param({"release_id": "00000000-0000-4000-8000-000000000000"}, id="no-such-release"),
        pytest.param({"request_id": None}, id="another-request-s-release"),
        pytest.param({"label": "Fake"}, id="a-field-it-did-not-release"),
        pytest.param({"position": 5}, id="a-place-it-does-not-have"),
        pytest.param({"purpose": "newsletter"}, id="another-purpose-than-its-release"),
    ],
)
async def test_a_record_anyone_could_seal_is_set_aside_unless_it_takes_back_what_its_release_recorded(
    companion, aiohttp_client, data_dir, forge
):
    core, (first, _) = await released_twice(companion)
    second_release, first_release = core.ledger.query(decision="once").items
    core.lock()
    # The inbox's public key is on disk in clear: whoever can write the data dir can seal a record to it. This
    # one is a copy of a real correction of the first release, sent at the second (not corrected yet).
    await report_held(companion, data_dir, report(first, refused=[(0, "field_changed")]))
    core.unlock(PASSPHRASE)
    [real] = core.ledger.query(decision="undelivered").items
    core.lock()
    field = real.fields[0].model_copy(update={k: v for k, v in forge.items() if k in ("label", "position")})
    changes = {"release_id": second_release.id, "request_id": second_release.request_id, "fields": (field,)}
    changes.update({k: v for k, v in forge.items() if k in ("release_id", "purpose")})
    if "request_id" in forge:
        changes["request_id"] = first_release.request_id
    forged = LedgerDraft.model_validate({**real.model_dump(include=set(LedgerDraft.model_fields)), **changes})
    Inbox(data_dir.inbox_dir).hold(HeldReport(datetime.now(UTC), (forged,)))

    core = await restarted(aiohttp_client, data_dir)
    core.unlock(PASSPHRASE)
    assert core.ledger.query(decision="undelivered").total == 1
    assert core.ledger.not_received(second_release.id) == frozenset()
    assert inbox_files(data_dir) == [] and len(inbox_files(data_dir, "*.unreadable")) == 1


async def test_values_filled_by_a_standing_decision_are_reported_on_as_their_own_release(companion):
    core = await unlocked(companion)
    first = await request_fill(companion)
    email = offer_for(first, 0)
    core.decisions.set(first["site"], "email", Choice.ALWAYS, purpose=first["purpose"], value_id=email)
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": FIELDS}))
    result = answer["result"]
    assert [v["index"] for v in result["autofilled"]] == [0]
    always = core.ledger.query(decision="always").items[0]
    _, wrong = await post(companion, report(result, refused=[(0, "wrong_origin")]))  # "once": not this release
    assert wrong["error"]["code"] == "unknown_request"
    _, answer = await post(companion, report(result, refused=[(0, "wrong_origin")], release="always"))
    assert answer["ok"] and answer["result"]["recorded"] == 1
    [entry] = core.ledger.query(decision="undelivered").items
    assert entry.release_id == always.id and [(f.type, f.reason) for f in entry.fields] == [("email", "wrong_origin")]
    # The same request's later approval is a release of its own, reported on by itself.
    await approve(companion, result, indexes=(1,))
    _, answer = await post(companion, report(result, filled=[1]))
    assert answer["ok"] and answer["result"]["recorded"] == 0


async def test_the_dashboard_shows_the_value_as_not_received_and_not_known(companion):
    _, result = await released_once(companion)
    await post(companion, report(result, filled=[1], refused=[(0, "field_changed")]))
    await login(companion)
    grid = await (await companion.get("/ledger/who-knows-what")).text()
    header = grid[grid.index('id="grid"') : grid.index("</thead>")]
    assert "given-name" in header and ">email<" not in header
    timeline = await (await companion.get("/ledger")).text()
    assert "undelivered" in timeline and "not received: the page had put another box in its place" in timeline
    assert 'class="field not-received"' in timeline  # the release itself marks the email it could not deliver
    site = await (await companion.get("/ledger/site?site=example.co.uk")).text()
    summary = site[site.index('id="site-summary"') : site.index("</p>", site.index('id="site-summary"'))]
    assert '<span id="site-not-taken">1 time its page did not take values Proffer shared</span>' in summary
    assert "<strong>given-name</strong>" in summary and "site-boxes-not-done" not in summary


async def test_a_site_whose_page_took_nothing_did_not_get_your_values(companion):
    _, result = await released_once(companion)
    await post(companion, report(result, refused=[(0, "document_gone"), (1, "document_gone")]))
    await login(companion)
    site = await (await companion.get("/ledger/site?site=example.co.uk")).text()
    assert '<span id="site-released">it got your values 0 times</span>' in site
    sites = await (await companion.get("/ledger/sites")).text()
    row = sites[sites.index("example.co.uk</a>") : sites.index("</tr>", sites.index("example.co.uk</a>"))]
    assert "<td>0</td><td>1</td><td>1</td><td>0</td><td>nothing</td>" in row  # got 0, 1 unticked, 1 not taken, 0 boxes
    timeline = await (await companion.get("/ledger")).text()
    [bar] = re.findall(r"<title>(.*?)</title>", timeline[timeline.index('id="activity"') :])
    assert bar.endswith(": 0 shared, 1 refused")  # the activity chart agrees


async def recent_for_popup(companion):
    """The last disclosures, newest first, less the offers left unticked (each approval has one)."""
    _, answer = await post(companion, message("site.summary", {"origin": PAGE["top_origin"]}))
    assert answer["ok"], answer
    return [
        (r["decision"], r["field_types"], r["not_taken"])
        for r in answer["result"]["recent"]
        if r["decision"] != "unticked"
    ]


async def test_the_popup_is_told_what_each_release_s_page_took_and_what_it_did_not(companion):
    _, result = await released_once(companion)
    assert (await recent_for_popup(companion))[-1] == ("once", ["email", "given-name"], [])
    await post(companion, report(result, filled=[1], refused=[(0, "field_changed")]))
    recent = await recent_for_popup(companion)
    assert recent[0] == ("undelivered", ["email"], [])  # the correction names what it takes back
    assert recent[-1] == ("once", ["given-name"], ["email"])
    again = await request_fill(companion)
    await approve(companion, again)
    await post(companion, report(again, refused=[(0, "document_gone"), (1, "document_gone")]))
    recent = await recent_for_popup(companion)
    assert recent[:3] == [
        ("undelivered", ["email", "given-name"], []),
        ("once", [], ["email", "given-name"]),  # its page took nothing
        ("undelivered", ["email"], []),
    ]


async def test_the_receipt_says_which_values_the_page_did_not_take(companion):
    core, result = await released_once(companion)
    once = core.ledger.query(decision="once").items[0]
    await post(companion, report(result, filled=[1], refused=[(0, "field_changed")]))
    await login(companion)
    response = await companion.get(f"/ledger/receipt/{once.id}")
    assert response.status == 200
    receipt = json.loads(await response.text())
    validate_receipt(receipt)
    assert receipt["services"][0]["purposes"][0]["piiCategory"] == ["given-name"]
    assert receipt["collectionMethod"].endswith(
        "; not taken by the page, so not collected: email (the page had put another box in its place)"
    )


async def test_a_release_the_page_took_nothing_of_has_no_receipt(companion):
    core, result = await released_once(companion)
    once = core.ledger.query(decision="once").items[0]
    await post(companion, report(result, refused=[(0, "document_gone"), (1, "document_gone")]))
    await login(companion)
    response = await companion.get(f"/ledger/receipt/{once.id}")
    assert response.status == 400 and "took none" in await response.text()
    timeline = await (await companion.get("/ledger")).text()
    assert f"/ledger/receipt/{once.id}" not in timeline


# --- the consent boxes a request set by the person's standing preferences ----------------------------


async def boxes_set(companion):
    """A sign-up whose pre-ticked opt-in (2) is unticked and its opt-out twin (3) ticked; (core, result, the two
    "never" entries that record the changes, in that order)."""
    core = await prompts_unlocked(companion)
    result = await fill_request(companion, SHOP_A, SIGNUP, SIGNUP_FORMS)
    assert [b["index"] for b in result["boxes"]] == [2, 3]
    opt_in, opt_out = reversed(core.ledger.query(decision="never").items)
    return core, result, (opt_in, opt_out)


def box_report(result, **kwargs):
    return report(result, release="boxes", frame_origin=SHOP_A, **kwargs)


# Regression: the ledger said a box was unticked when the page had ticked it again, or removed it.
async def test_a_box_the_page_did_not_let_go_of_is_recorded_as_not_done(companion):
    core, result, (opt_in, opt_out) = await boxes_set(companion)
    _, answer = await post(companion, box_report(result, filled=[3], refused=[(2, "page_reverted_change")]))
    assert answer["ok"], answer
    assert answer["result"] == {"request_id": result["request_id"], "recorded": 1}
    [entry] = core.ledger.query(decision="undelivered").items
    assert entry.release_id == opt_in.id and entry.terms == TERMS_NOT_KEPT
    assert [(f.type, f.label, f.position, f.reason) for f in entry.fields] == [
        ("marketing-opt-in", opt_in.fields[0].label, 0, "page_reverted_change")
    ]
    assert core.ledger.not_received(opt_in.id) == {0} and core.ledger.not_received(opt_out.id) == frozenset()
    assert core.ledger.site("lindenhof.example").field_types == ()  # a box set counts towards nothing given


async def test_each_box_the_page_refused_gets_its_own_correction(companion):
    core, result, (opt_in, opt_out) = await boxes_set(companion)
    _, answer = await post(companion, box_report(result, refused=[(3, "detached"), (2, "disabled")]))
    assert answer["result"]["recorded"] == 2
    corrections = {e.release_id: e.fields[0].reason for e in core.ledger.query(decision="undelivered").items}
    assert corrections == {opt_in.id: "disabled", opt_out.id: "detached"}


@pytest.mark.parametrize(
    ("change", "filled", "refused", "code"),
    [
        ({"frame_origin": "https://evil.example"}, [], [(2, "invisible")], "unknown_request"),  # another frame's
        ({"request_id": "A" * 24}, [], [(2, "invisible")], "unknown_request"),  # forged
        ({}, [], [(4, "invisible")], "not_offered"),  # the terms box: never set
        ({}, [], [(1, "invisible")], "not_offered"),  # a text field: a box report is about boxes only
        ({}, [2], [(2, "invisible")], "bad_request"),  # both set and refused
        ({}, [], [(2, "made_up")], "bad_request"),  # reasons are from the closed set
    ],
)
async def test_a_box_report_names_only_the_boxes_that_request_set(companion, change, filled, refused, code):
    core, result, _ = await boxes_set(companion)
    body = box_report(result, filled=filled, refused=refused)
    body["payload"].update(change)
    _, answer = await post(companion, body)
    assert answer["error"]["code"] == code
    assert core.ledger.query(decision="undelivered").total == 0


async def test_a_box_report_is_accepted_once_and_within_a_minute(companion):
    core, result, _ = await boxes_set(companion)
    fills = companion.app[CONTEXT].fills
    now = fills.clock()
    fills.clock = lambda: now + 61
    _, late = await post(companion, box_report(result, refused=[(2, "invisible")]))
    assert late["error"]["code"] == "unknown_request"
    result = await fill_request(companion, SHOP_A, SIGNUP, SIGNUP_FORMS)  # the page asks again: boxes set again
    _, first = await post(companion, box_report(result, filled=[2, 3]))
    assert first["ok"] and first["result"]["recorded"] == 0
    _, replay = await post(companion, box_report(result, refused=[(2, "invisible")]))
    assert replay["error"]["code"] == "unknown_request"
    assert core.ledger.query(decision="undelivered").total == 0


async def test_a_request_that_set_no_box_has_no_box_release(companion):
    _, result = await released_once(companion)
    _, answer = await post(companion, report(result, release="boxes", refused=[(0, "invisible")]))
    assert answer["error"]["code"] == "unknown_request"


async def timeline_after(companion, report):
    await post(companion, report)
    await login(companion)
    return await (await companion.get("/ledger")).text()


async def test_the_dashboard_shows_the_box_change_as_not_done(companion):
    _, result, _ = await boxes_set(companion)
    timeline = await timeline_after(companion, box_report(result, filled=[3], refused=[(2, "page_reverted_change")]))
    assert "not done: the page undid it" in timeline
    assert timeline.count('class="field not-received"') == 1  # the opt-in's change, not its twin's
    assert "not received" not in timeline


async def test_a_site_counts_boxes_it_would_not_let_proffer_set_apart_from_values_not_taken(companion):
    """A box the page would not let go of is no value the page did not take: the site's page says which."""
    _, result, _ = await boxes_set(companion)
    await post(companion, box_report(result, refused=[(2, "page_reverted_change"), (3, "detached")]))
    await login(companion)
    site = await (await companion.get("/ledger/site?site=lindenhof.example")).text()
    summary = site[site.index('id="site-summary"') : site.index("</p>", site.index('id="site-summary"'))]
    assert '<span id="site-boxes-not-done">2 consent boxes its page would not let Proffer set</span>' in summary
    assert "site-not-taken" not in summary and "did not take" not in summary
    sites = await (await companion.get("/ledger/sites")).text()
    row = sites[sites.index("lindenhof.example</a>") : sites.index("</tr>", sites.index("lindenhof.example</a>"))]
    assert "<td>0</td><td>2</td><td>0</td><td>2</td><td>nothing</td>" in row  # 2 refused, 0 not taken, 2 boxes


# --- the boxes again, as their form is sent: the page undid a change after the content script saw it hold ---


def at_submit(result, *, restored=(), refused=(), filled=()):
    """The service worker's second report on a request's boxes, as the form that holds them is sent."""
    body = box_report(result, filled=filled, refused=refused)
    body["payload"].update(stage="submit", restored=list(restored))
    return body


async def boxes_held(companion):
    """Both boxes set, and the first report on them in, saying both were."""
    core, result, entries = await boxes_set(companion)
    _, answer = await post(companion, box_report(result, filled=[2, 3]))
    assert answer["ok"], answer
    return core, result, entries


# Regression: a page that ticked the opt-in again after Proffer unticked it (a timer, a focus handler, its own
# submit handler) sent it ticked, and the ledger still said Proffer had unticked it.
async def test_at_submission_a_box_set_again_is_noted_and_one_not_set_again_is_not_done(companion):
    core, result, (opt_in, opt_out) = await boxes_held(companion)
    before = len(core.ledger)
    _, answer = await post(companion, at_submit(result, restored=[2], refused=[(3, "page_reverted_change")]))
    assert answer["ok"], answer
    assert answer["result"] == {"request_id": result["request_id"], "recorded": 2}
    [again] = [e for e in core.ledger.query(decision="never").items if e.terms == TERMS_SET_AGAIN]
    assert [(f.type, f.label, f.position, f.reason) for f in again.fields] == [
        ("marketing-opt-in", opt_in.fields[0].label, None, None)
    ]
    assert again.request_id == result["request_id"]
    [undone] = core.ledger.query(decision="undelivered").items
    assert undone.release_id == opt_out.id and undone.terms == TERMS_NOT_KEPT_AT_SUBMIT
    assert [(f.position, f.reason) for f in undone.fields] == [(0, "page_reverted_change")]
    assert core.ledger.not_received(opt_in.id) == frozenset() and core.ledger.not_received(opt_out.id) == {0}
    assert len(core.ledger) == before + 2
    assert core.ledger.site("lindenhof.example").field_types == ()  # still nothing given


# Regression: the note that a box was set again is a "never" entry, and the site's refusals and the activity
# chart counted the box twice, once for its change and once more for the note.
async def test_a_box_set_again_is_counted_as_refused_once(companion):
    core, result, _ = await boxes_held(companion)

    def counts():
        site = core.ledger.site("lindenhof.example")
        return site.entries, site.refused, sum(refused for _, _, refused in core.ledger.activity("month"))

    entries, refused, charted = counts()
    assert refused == charted == 2  # the opt-in's change and its twin's
    _, answer = await post(companion, at_submit(result, restored=[2, 3]))
    assert answer["ok"] and answer["result"]["recorded"] == 2, answer
    assert counts() == (entries + 1, 2, 2)  # one note for both boxes, and no more refusals
    core.lock()
    core.unlock(PASSPHRASE)  # the ledger read again from disk
    assert counts() == (entries + 1, 2, 2)


async def test_a_report_at_submission_is_accepted_once(companion):
    core, result, _ = await boxes_held(companion)
    _, first = await post(companion, at_submit(result, restored=[2]))
    assert first["ok"], first
    before = len(core.ledger)
    _, second = await post(companion, at_submit(result, refused=[(3, "invisible")]))
    assert second["error"]["code"] == "unknown_request"
    assert len(core.ledger) == before and core.ledger.query(decision="undelivered").total == 0


async def test_a_report_at_submission_comes_within_the_request_s_lifetime(companion):
    core, result, _ = await boxes_held(companion)
    fills = companion.app[CONTEXT].fills
    start = fills.clock()
    fills.clock = lambda: start + 14 * 60  # long past the first report's minute, still within the request's life
    _, within = await post(companion, at_submit(result, refused=[(3, "detached")], restored=[2]))
    assert within["ok"], within
    result = await fill_request(companion, SHOP_A, SIGNUP, SIGNUP_FORMS)  # the page asks again: boxes set again
    _, first = await post(companion, box_report(result, filled=[2, 3]))
    assert first["ok"], first
    fills.clock = lambda: start + 14 * 60 + 15 * 60 + 1
    before = len(core.ledger)
    _, late = await post(companion, at_submit(result, refused=[(2, "page_reverted_change")]))
    assert late["error"]["code"] == "unknown_request"
    assert len(core.ledger) == before


async def test_a_report_at_submission_while_locked_lands_its_corrections_when_the_vault_opens(companion):
    core, result, (_, opt_out) = await boxes_held(companion)
    core.lock()
    _, answer = await post(companion, at_submit(result, restored=[2], refused=[(3, "page_reverted_change")]))
    assert answer["ok"] and answer["result"]["recorded"] == 1, answer  # the correction; the note goes with the lock
    core.unlock(PASSPHRASE)
    [undone] = core.ledger.query(decision="undelivered").items
    assert undone.release_id == opt_out.id and undone.terms == TERMS_NOT_KEPT_AT_SUBMIT
    assert not [e for e in core.ledger.query(decision="never").items if e.terms == TERMS_SET_AGAIN]


async def test_a_report_at_submission_needs_the_first_report(companion):
    core, result, _ = await boxes_set(companion)
    _, early = await post(companion, at_submit(result, refused=[(2, "page_reverted_change")]))
    assert early["error"]["code"] == "unknown_request"
    assert core.ledger.query(decision="undelivered").total == 0


@pytest.mark.parametrize(
    ("restored", "refused", "code"),
    [
        ([3], [], "not_offered"),  # the first report said the page never let this box go
        ([], [(3, "page_reverted_change")], "not_offered"),  # ... and it is "not done" already
        ([], [(4, "page_reverted_change")], "not_offered"),  # the terms box: never set
        ([1], [], "not_offered"),  # a text field
        ([2], [(2, "invisible")], "bad_request"),  # both set again and not
    ],
)
async def test_a_report_at_submission_names_only_boxes_the_first_report_said_were_set(
    companion, restored, refused, code
):
    core, result, _ = await boxes_set(companion)
    first = box_report(result, filled=[2], refused=[(3, "detached")])
    _, answer = await post(companion, first)
    assert answer["ok"], answer
    before = len(core.ledger)
    _, answer = await post(companion, at_submit(result, restored=restored, refused=refused))
    assert answer["error"]["code"] == code
    assert len(core.ledger) == before
    _, honest = await post(companion, at_submit(result, refused=[(2, "page_reverted_change")]))
    assert honest["ok"], "a refused report does not use up the boxes' report at submission"


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ({"stage": "submit", "filled": [2]}, "a box the page undid cannot be said to be set again by 'filled'"),
        ({"stage": "submit", "release": "once"}, "only boxes are reported on at submission"),
        ({"restored": [2]}, "set again: only at submission"),
        ({"refused": [{"index": 2, "reason": "changed_by_person"}]}, "the person's own change: only at submission"),
    ],
)
async def test_a_report_that_would_mark_anything_done_is_refused(companion, payload, why):
    core, result, _ = await boxes_held(companion)
    body = at_submit(result)
    body["payload"].update(payload)
    if "stage" not in payload:
        body["payload"]["stage"] = "fill"
    before = len(core.ledger)
    _, answer = await post(companion, body)
    assert answer["error"]["code"] == "bad_request", why
    assert len(core.ledger) == before


async def test_the_dashboard_says_which_box_was_set_again_and_which_the_person_changed(companion):
    _, result, _ = await boxes_held(companion)
    timeline = await timeline_after(companion, at_submit(result, restored=[2], refused=[(3, "changed_by_person")]))
    assert "set again as the form was sent: the page had undone it" in timeline
    assert "not done: you changed it yourself" in timeline
    assert timeline.count('class="field not-received"') == 1  # the opt-out twin's change, which the person undid
