"""The fill-safety rules: every refusal with its stable reason, and the fields that pass."""

from __future__ import annotations

import pytest

from companion.fields import safety
from companion.fields.safety import assess, assess_page
from companion.protocol.messages import FieldDescriptor, FillRequestPayload, PageInfo

SHOP = "https://shop.example"
PAGE = PageInfo(url=f"{SHOP}/checkout", top_origin=SHOP, frame_origin=SHOP)


def field(index: int = 0, **overrides) -> FieldDescriptor:
    values = {"index": index, "tag": "input", "type": "text", "form_index": 0, "visible": True}
    values.update(overrides)
    return FieldDescriptor(**values)


def payload(*fields: FieldDescriptor, page: PageInfo = PAGE) -> FillRequestPayload:
    return FillRequestPayload(page=page, fields=list(fields))


def judge(f: FieldDescriptor, token: str | None, *others: FieldDescriptor, page: PageInfo = PAGE, approved=frozenset()):
    return assess(f, token, payload(f, *others, page=page), approved)


def test_a_visible_named_field_in_the_top_page_is_fillable():
    assert judge(field(type="email"), "email") == (True, None)


@pytest.mark.parametrize(
    ("overrides", "token", "reason"),
    [
        ({"type": "password"}, "current-password", "password"),
        ({"type": "password"}, None, "password"),
        ({"type": "password"}, "email", "password"),  # a password box is refused whatever the classifier says
        ({}, "new-password", "password"),
        ({"autocomplete": "one-time-code"}, None, "one-time-code"),
        ({}, "one-time-code", "one-time-code"),
        ({}, "cc-number", "payment card"),
        ({}, "cc-csc", "payment card"),
        ({"autocomplete": "billing cc-exp"}, "postal-code", "payment card"),  # the site says card: refused
        ({"type": "submit"}, None, "not a text control"),
        ({"type": "file"}, "photo", "not a text control"),
        ({"disabled": True}, "email", "disabled"),
        ({"readonly": True}, "email", "readonly"),
        ({}, None, "no type"),
    ],
)
def test_refusals_and_their_reasons(overrides, token, reason):
    assert judge(field(**overrides), token) == (False, reason)


@pytest.mark.parametrize(
    "hidden_reason", ["display:none", "visibility:hidden", "opacity:0", "zero size", "off-screen", "clipped", "inert"]
)
def test_invisible_fields_are_refused_with_the_extractions_reason(hidden_reason):
    assert judge(field(visible=False, hidden_reason=hidden_reason), "email") == (False, f"invisible: {hidden_reason}")


def test_a_hidden_input_is_invisible_even_if_the_descriptor_claims_otherwise():
    assert judge(field(type="hidden", visible=True), "email") == (False, "invisible: type=hidden")


def test_an_invisible_field_without_a_stated_reason_is_still_refused():
    assert judge(field(visible=False), "given-name") == (False, "invisible: hidden")


def test_a_hidden_second_email_is_reported_as_fishing():
    shown = field(0, type="email")
    hidden = field(1, type="email", visible=False, hidden_reason="display:none")
    assert judge(hidden, "email", shown) == (False, "fishing: hidden second email (display:none)")
    assert judge(shown, "email", hidden) == (True, None), "the visible one is not punished for its twin"


def test_fishing_is_detected_by_the_classifiers_token_when_the_page_says_nothing():
    shown = field(0, name="mail")
    hidden = field(1, name="contact2", visible=False, hidden_reason="off-screen")
    verdicts = assess_page(payload(shown, hidden), {0: "email", 1: "email"})
    assert verdicts == {0: (True, None), 1: (False, "fishing: hidden second email (off-screen)")}


def test_a_hidden_field_in_another_form_is_just_invisible():
    shown = field(0, type="email", form_index=0)
    hidden = field(1, type="email", form_index=1, visible=False, hidden_reason="display:none")
    assert judge(hidden, "email", shown) == (False, "invisible: display:none")


def test_a_folded_billing_address_is_not_a_copy_of_the_shipping_address_shown():
    # "Billing address same as shipping" keeps the billing boxes hidden in the same form: each is hidden,
    # not a copy of the shipping box beside it, whether its name or its autocomplete section says so. A box
    # that names no address is not called a copy of one that names its own either.
    hidden = "display:none (ancestor)"
    shown = [field(0, name="shipping_firstname"), field(1, name="email", type="email")]
    folded = [
        field(2, name="billing_firstname", visible=False, hidden_reason=hidden),
        field(3, name="first", autocomplete="billing given-name", visible=False, hidden_reason=hidden),
        field(4, name="firstname", visible=False, hidden_reason=hidden),
        field(5, name="shipping[first_name]", visible=False, hidden_reason=hidden),
    ]
    verdicts = assess_page(
        payload(*shown, *folded), {0: "given-name", 1: "email", **dict.fromkeys(range(2, 6), "given-name")}
    )
    assert verdicts[2] == verdicts[3] == verdicts[4] == (False, f"invisible: {hidden}")
    # A box of the shipping address shown, hidden once more, is still a copy.
    assert verdicts[5] == (False, f"fishing: hidden second given-name ({hidden})")


def test_the_state_box_for_other_countries_is_not_a_copy_of_the_state_list_shown():
    # A shop shows a list of states for some countries and a text box for the rest, the other one hidden.
    shown = field(0, tag="select", type="select-one", name="region_id")
    other = field(1, name="region", visible=False, hidden_reason="display:none")
    copy = field(2, tag="select", type="select-one", name="region_copy", visible=False, hidden_reason="display:none")
    verdicts = assess_page(payload(shown, other, copy), dict.fromkeys(range(3), "address-level1"))
    assert verdicts[1] == (False, "invisible: display:none")
    assert verdicts[2] == (False, "fishing: hidden second address-level1 (display:none)")


def test_plain_type_hidden_inputs_are_not_called_fishing():
    shown = field(0, type="email")
    carried = field(1, type="hidden", name="email", autocomplete="email", visible=False, hidden_reason="type=hidden")
    assert judge(carried, None, shown) == (False, "invisible: type=hidden")


FRAME = PageInfo(
    url="http://127.0.0.1:9001/pay", top_origin="http://127.0.0.1:9000", frame_origin="http://127.0.0.1:9001"
)


@pytest.mark.parametrize(
    "names",
    [
        {"name": "fakeemailremembered", "type": "email"},  # takes the browser's autofill in place of the real box
        {"name": "fakeusernameremembered"},
        {"name": "email", "id": "contact-honeypot"},  # a bot's trap, named in its id
        {"name": "hp_honey_pot"},
    ],
)
def test_a_box_named_a_trap_is_a_decoy_even_when_shown(names):
    assert judge(field(**names), "email") == (False, "decoy")


def test_a_decoy_that_is_hidden_too_is_reported_hidden():
    hidden = field(name="fakeemailremembered", visible=False, hidden_reason="display:none")
    assert judge(hidden, "email") == (False, "invisible: display:none")


@pytest.mark.parametrize(
    "overrides",
    [
        {"label": "Report a fake review", "name": "email"},  # the word in a label is about something else
        {"name": "breakfast_email"},
        {"name": "potluck_email"},
    ],
)
def test_only_a_programmer_name_calls_a_box_a_trap(overrides):
    assert judge(field(**overrides), "email") == (True, None)


def test_a_cross_origin_frame_is_refused_unless_its_origin_was_approved():
    f = field(type="email")
    assert judge(f, "email", page=FRAME) == (False, "cross-origin frame")
    assert judge(f, "email", page=FRAME, approved=frozenset({"http://127.0.0.1:9999"})) == (False, "cross-origin frame")
    assert judge(f, "email", page=FRAME, approved=frozenset({"http://127.0.0.1:9001"})) == (True, None)


def test_a_same_origin_frame_needs_no_approval():
    same = PageInfo(url=f"{SHOP}/frame", top_origin=SHOP, frame_origin=SHOP)
    assert judge(field(type="email"), "email", page=same) == (True, None)


def test_secrets_win_over_every_other_reason():
    f = field(type="password", visible=False, hidden_reason="display:none", disabled=True)
    assert judge(f, "current-password", page=FRAME) == (False, "password")


def test_assess_page_agrees_with_assess_field_by_field():
    fields = [
        field(0, type="email"),
        field(1, type="password"),
        field(2, visible=False, hidden_reason="zero size"),
        field(3, readonly=True),
        field(4, name="given"),
    ]
    tokens = {0: "email", 1: "current-password", 2: "family-name", 3: "postal-code", 4: "given-name"}
    p = payload(*fields)
    page_verdicts = assess_page(p, tokens)
    assert page_verdicts == {f.index: assess(f, tokens[f.index], p) for f in fields}
    assert [ok for ok, _ in page_verdicts.values()] == [True, False, False, False, True]


def test_reason_strings_are_the_published_constants():
    assert (safety.PAYMENT_CARD, safety.CROSS_ORIGIN_FRAME, safety.INVISIBLE, safety.DECOY) == (
        "payment card",
        "cross-origin frame",
        "invisible",
        "decoy",
    )
