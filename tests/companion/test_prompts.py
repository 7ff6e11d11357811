"""Marketing and loyalty prompts at the protocol level: the companion decides, by the person's standing
preferences, and records every refusal. No browser here: these are the messages the extension (or a forged
client) sends, and what the companion answers and keeps."""

from __future__ import annotations

import pytest

from companion.appkeys import CORE
from companion.decisions import EnrollmentChoice, MarketingChoice, NewsletterChoice, PromptPreferences
from companion.vault.model import Membership
from tests.companion.conftest import PASSPHRASE, VCARD
from tests.companion.test_native_api import message, post


def page(origin: str, path: str = "/checkout") -> dict:
    return {"url": origin + path, "top_origin": origin, "frame_origin": origin, "title": "Shop"}


def box(index: int, label: str, name: str, checked: bool, **extra) -> dict:
    return {"index": index, "form_index": 0, "tag": "input", "type": "checkbox", "name": name, "id": name,
            "label": label, "checked": checked, **extra}  # fmt: skip


def text(index: int, label: str, name: str, form: int = 0, **extra) -> dict:
    return {"index": index, "form_index": form, "tag": "input", "type": "text", "name": name, "id": name,
            "label": label, **extra}  # fmt: skip


SIGNUP = [
    text(0, "First name", "firstName", autocomplete="given-name"),
    text(1, "Email", "email", type="email", autocomplete="email"),
    box(2, "Yes, send me offers and news by email", "newsletter", checked=True),
    box(3, "Tick this box if you do NOT want to receive offers from our partners", "no_partner_offers", False),
    box(4, "I accept the terms and conditions and the privacy policy", "terms", checked=False),
    box(5, "Email me news and offers (hidden copy)", "newsletter2", checked=True, visible=False,
        hidden_reason="display:none"),
]  # fmt: skip
SIGNUP_FORMS = [{"index": 0, "heading": "Create your account", "submit_text": "Create account"}]

JOIN = [
    text(0, "First name", "given", autocomplete="given-name"),
    text(1, "Email", "email", type="email", autocomplete="email"),
    box(2, "Yes, sign me up for Lindenhof Rewards membership", "join_box", checked=True),
]
JOIN_FORMS = [{"index": 0, "heading": "Join our rewards program", "submit_text": "Join now", "in_dialog": True}]

NEWSLETTER = [text(0, "Your email address", "EMAIL", type="email")]
NEWSLETTER_FORMS = [
    {"index": 0, "heading": "Get our newsletter", "submit_text": "Subscribe", "in_dialog": True},
]

LOYALTY = [text(0, "Your rewards number", "member_number", inputmode="numeric")]
LOYALTY_FORMS = [{"index": 0, "heading": "Lindenhof Rewards", "submit_text": "Show my points"}]


async def unlocked(companion, memberships=()):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    core.vault.import_vcard(VCARD)
    if memberships:
        profile = core.vault.profile()
        core.vault.update(profile.model_copy(update={"memberships": list(memberships)}))
    return core


async def fill_request(companion, origin, fields, forms, frame_origin=None):
    body = {"page": page(origin), "forms": forms, "fields": fields}
    if frame_origin:
        body["page"]["frame_origin"] = frame_origin
    _, answer = await post(companion, message("fill.request", body))
    assert answer["ok"], answer
    return answer["result"]


def verdict(result, index):
    return next(f for f in result["fields"] if f["index"] == index)


def entries(core):
    return list(reversed(core.ledger.query(limit=50).items))


# --- memberships: a shop's own, and no other shop's --------------------------------------------------

SHOP_A = "https://www.lindenhof.example"
SHOP_B = "https://shop.other-outfitters.example"
SHOP_C = "https://third.example"


@pytest.fixture
async def wallet(companion):
    a = Membership(program="Lindenhof Rewards", number="LH-1111", sites=["lindenhof.example"])
    b = Membership(program="Other Club", number="OC-2222", sites=["other-outfitters.example"], phone="+447700900431")
    return await unlocked(companion, [a, b])


async def test_a_loyalty_field_is_offered_its_own_shops_membership_only(companion, wallet):
    result = await fill_request(companion, SHOP_A, LOYALTY, LOYALTY_FORMS)
    assert result["purpose"] == "loyalty-lookup"
    offers = verdict(result, 0)["offers"]
    assert [o["value"] for o in offers] == ["LH-1111"]
    result = await fill_request(companion, SHOP_B, LOYALTY, LOYALTY_FORMS)
    assert [o["value"] for o in verdict(result, 0)["offers"]] == ["OC-2222"]


async def test_a_membership_is_never_offered_on_another_shops_site(companion, wallet):
    result = await fill_request(companion, SHOP_C, LOYALTY, LOYALTY_FORMS)
    assert verdict(result, 0)["offers"] == [] and not result["needs_approval"]
    assert "LH-1111" not in str(result) and "OC-2222" not in str(result)
    assert result["keep"]["fields"] == [0]  # instead: may the person keep what they type here?


async def test_another_shops_membership_cannot_be_approved_either(companion, wallet):
    a = await fill_request(companion, SHOP_A, LOYALTY, LOYALTY_FORMS)
    b = await fill_request(companion, SHOP_B, LOYALTY, LOYALTY_FORMS)
    foreign = verdict(a, 0)["offers"][0]["value_id"]
    body = {"request_id": b["request_id"], "frame_origin": SHOP_B, "approvals": [{"index": 0, "value_id": foreign}]}
    _, answer = await post(companion, message("fill.approve", body))
    assert answer["error"]["code"] == "not_offered"


# --- marketing boxes ---------------------------------------------------------------------------------


async def test_by_default_a_pre_ticked_opt_in_is_unticked_and_its_opt_out_twin_ticked(companion):
    core = await unlocked(companion)
    result = await fill_request(companion, SHOP_A, SIGNUP, SIGNUP_FORMS)
    assert result["boxes"] == [{"index": 2, "checked": False}, {"index": 3, "checked": True}]
    assert [(h["kind"], h["action"]) for h in result["handled"]] == [
        ("marketing-opt-in", "unticked"),
        ("marketing-opt-out", "ticked"),
    ]
    for index in (2, 3, 4, 5):  # consent boxes never get a vault value
        assert verdict(result, index)["fillable"] is False and verdict(result, index)["offers"] == []
    assert verdict(result, 4)["reason"] == "Proffer never gives consent for you"  # terms: left alone
    refusals = [e for e in entries(core) if e.decision == "never"]
    assert [[f.type for f in e.fields] for e in refusals] == [["marketing-opt-in"], ["marketing-opt-out"]]
    assert "unticked" in refusals[0].terms and refusals[0].purpose == "account-signup"
    assert refusals[0].fields[0].label.startswith("Yes, send me offers")


async def test_marketing_left_alone_when_the_person_says_so(companion):
    core = await unlocked(companion)
    core.decisions.set_preferences(PromptPreferences(marketing=MarketingChoice.LEAVE))
    result = await fill_request(companion, SHOP_A, SIGNUP, SIGNUP_FORMS)
    assert result["boxes"] == [] and result["handled"] == []
    assert not [e for e in entries(core) if e.decision == "never"]


async def test_an_unticked_opt_in_and_a_ticked_opt_out_need_nothing(companion):
    core = await unlocked(companion)
    fields = [*SIGNUP[:2], {**SIGNUP[2], "checked": False}, {**SIGNUP[3], "checked": True}]
    result = await fill_request(companion, SHOP_A, fields, SIGNUP_FORMS)
    assert result["boxes"] == [] and result["handled"] == []
    assert not [e for e in entries(core) if e.decision == "never"]


async def test_boxes_in_a_frame_of_another_origin_are_not_touched(companion):
    await unlocked(companion)
    result = await fill_request(companion, SHOP_A, SIGNUP, SIGNUP_FORMS, frame_origin="https://widget.example")
    assert result["boxes"] == [] and result["keep"] is None


# --- enrolment and newsletter forms ------------------------------------------------------------------


async def test_enrolment_forms_are_asked_about_by_default(companion):
    await unlocked(companion)
    result = await fill_request(companion, SHOP_A, JOIN, JOIN_FORMS)
    assert result["purpose"] == "loyalty-enrollment" and result["needs_approval"]
    assert verdict(result, 1)["offers"]
    assert result["boxes"] == []  # a pre-ticked "join" box is the person's to decide when they are asked


async def test_enrolment_declined_quietly_offers_nothing_and_records_the_refusal(companion):
    core = await unlocked(companion)
    core.decisions.set_preferences(PromptPreferences(enrollment=EnrollmentChoice.DECLINE))
    result = await fill_request(companion, SHOP_A, JOIN, JOIN_FORMS)
    assert not result["needs_approval"] and all(not f["offers"] for f in result["fields"])
    assert result["boxes"] == [{"index": 2, "checked": False}]
    kinds = {(h["kind"], h["action"]) for h in result["handled"]}
    assert kinds == {("loyalty-enroll", "unticked"), ("loyalty-enrollment", "declined")}
    declined = [e for e in entries(core) if e.decision == "declined"]
    assert len(declined) == 1 and declined[0].purpose == "loyalty-enrollment"
    enrolment = next(h for h in result["handled"] if h["kind"] == "loyalty-enrollment")
    assert "email" in {f.type for f in declined[0].fields} and len(declined[0].fields) == len(enrolment["fields"])
    assert "declined quietly" in declined[0].terms
    assert any(e.decision == "never" and e.fields[0].type == "loyalty-enroll" for e in entries(core))


async def test_newsletter_pop_ups_are_asked_about_by_default(companion):
    await unlocked(companion)
    result = await fill_request(companion, SHOP_A, NEWSLETTER, NEWSLETTER_FORMS)
    assert result["purpose"] == "newsletter" and result["needs_approval"]


async def test_newsletter_pop_ups_never_filled_when_the_person_says_so(companion):
    core = await unlocked(companion)
    core.decisions.set_preferences(PromptPreferences(newsletter=NewsletterChoice.NEVER))
    result = await fill_request(companion, SHOP_A, NEWSLETTER, NEWSLETTER_FORMS)
    assert not result["needs_approval"] and verdict(result, 0)["offers"] == []
    assert result["handled"] == [
        {"kind": "newsletter", "action": "never", "label": "Get our newsletter", "fields": [0]}
    ]
    (entry,) = entries(core)
    assert entry.decision == "never" and entry.purpose == "newsletter" and entry.fields[0].type == "email"
    # A newsletter refusal is about newsletters only: the same email is still offered for a checkout.
    checkout = [text(0, "Email", "email", type="email", autocomplete="email"), *LOYALTY]
    assert verdict(await fill_request(companion, SHOP_A, checkout, LOYALTY_FORMS), 0)["offers"]


async def test_preferences_outlive_a_lock(companion):
    core = await unlocked(companion)
    wanted = PromptPreferences(marketing=MarketingChoice.LEAVE, newsletter=NewsletterChoice.NEVER)
    core.decisions.set_preferences(wanted)
    core.lock()
    core.unlock(PASSPHRASE)
    assert core.decisions.preferences() == wanted
    assert b"never" not in core.data_dir.decisions_file.read_bytes()  # sealed like the decisions


# --- keeping a typed number in the wallet ----------------------------------------------------------


async def keep(companion, result, origin, *, number="LH 9876 5432", program="Lindenhof Rewards", index=0):
    body = {"keep_id": result["keep"]["keep_id"], "frame_origin": origin, "index": index, "number": number,
            "program": program}  # fmt: skip
    _, answer = await post(companion, message("wallet.keep", body))
    return answer


async def test_a_typed_number_is_kept_for_that_site_and_offered_there_next_time(companion):
    core = await unlocked(companion)
    result = await fill_request(companion, SHOP_A, LOYALTY, LOYALTY_FORMS)
    answer = await keep(companion, result, SHOP_A)
    assert answer["ok"] and answer["result"] == {"site": "lindenhof.example", "program": "Lindenhof Rewards",
                                                 "kept": True}  # fmt: skip
    (membership,) = core.vault.profile().memberships
    assert (membership.number, membership.sites) == ("LH 9876 5432", ["lindenhof.example"])
    again = await fill_request(companion, SHOP_A, LOYALTY, LOYALTY_FORMS)
    assert [o["value"] for o in verdict(again, 0)["offers"]] == ["LH 9876 5432"] and again["keep"] is None
    elsewhere = await fill_request(companion, SHOP_B, LOYALTY, LOYALTY_FORMS)
    assert verdict(elsewhere, 0)["offers"] == []


async def test_a_number_kept_on_a_local_shop_is_for_that_port_only(companion):
    """A local address is a site with its port: another program on another port is another site."""
    core = await unlocked(companion)
    result = await fill_request(companion, "http://127.0.0.1:8088", LOYALTY, LOYALTY_FORMS)
    answer = await keep(companion, result, "http://127.0.0.1:8088")
    assert answer["ok"] and answer["result"]["site"] == "127.0.0.1:8088", answer
    (membership,) = core.vault.profile().memberships
    assert membership.sites == ["127.0.0.1:8088"]
    again = await fill_request(companion, "http://127.0.0.1:8088", LOYALTY, LOYALTY_FORMS)
    assert [o["value"] for o in verdict(again, 0)["offers"]] == ["LH 9876 5432"]
    elsewhere = await fill_request(companion, "http://127.0.0.1:9999", LOYALTY, LOYALTY_FORMS)
    assert verdict(elsewhere, 0)["offers"] == []


async def test_keeping_is_bound_to_the_ticket_frame_and_field(companion):
    core = await unlocked(companion)
    result = await fill_request(companion, SHOP_A, LOYALTY, LOYALTY_FORMS)
    assert (await keep(companion, result, SHOP_B))["error"]["code"] == "unknown_request"
    assert (await keep(companion, result, SHOP_A, index=7))["error"]["code"] == "unknown_request"
    forged = {**result, "keep": {"keep_id": "A" * 24}}
    assert (await keep(companion, forged, SHOP_A))["error"]["code"] == "unknown_request"
    assert (await keep(companion, result, SHOP_A, number="  --  "))["error"]["code"] == "bad_request"
    assert core.vault.profile().memberships == []
    assert (await keep(companion, result, SHOP_A))["ok"]
    assert (await keep(companion, result, SHOP_A))["error"]["code"] == "unknown_request"  # used up


async def test_the_same_card_seen_on_a_second_site_gains_that_site(companion, wallet):
    result = await fill_request(companion, SHOP_C, LOYALTY, LOYALTY_FORMS)
    answer = await keep(companion, result, SHOP_C, number="LH1111")  # without the dash it is not the same
    assert answer["result"]["kept"] is True
    result = await fill_request(companion, SHOP_C, LOYALTY, LOYALTY_FORMS)
    assert [o["value"] for o in verdict(result, 0)["offers"]] == ["LH1111"]
    second = await fill_request(companion, "https://fourth.example", LOYALTY, LOYALTY_FORMS)
    answer = await keep(companion, second, "https://fourth.example", number="LH 1111")
    assert answer["result"]["kept"] is True
    sites = {m.number: m.sites for m in wallet.vault.profile().memberships}
    assert sites["LH1111"] == ["third.example", "fourth.example"]


async def test_locking_voids_keep_tickets(companion):
    core = await unlocked(companion)
    result = await fill_request(companion, SHOP_A, LOYALTY, LOYALTY_FORMS)
    core.lock()
    core.unlock(PASSPHRASE)
    assert (await keep(companion, result, SHOP_A))["error"]["code"] == "unknown_request"


async def test_never_newsletters_spares_a_checkout_contact_step_with_an_opt_in_box(companion):
    # A lone email box with "Email me offers" under it is how many checkouts start: not a newsletter sign-up.
    core = await unlocked(companion)
    core.decisions.set_preferences(PromptPreferences(newsletter=NewsletterChoice.NEVER))
    fields = [text(0, "Email", "email", type="email", autocomplete="email"), box(1, "Email me offers", "optin", False)]
    forms = [{"index": 0, "heading": "Contact information", "submit_text": "Continue", "text": "Email me offers"}]
    result = await fill_request(companion, SHOP_A, fields, forms)
    assert result["needs_approval"] and verdict(result, 0)["offers"]
    assert not [e for e in entries(core) if e.purpose == "newsletter"]
