"""The forms the demo shop accepts, and what it tells the person it received.

Each form is declared once here: the names its controls post, which are required, and how the thank-you page
shows them. The templates write the markup by hand (real shops' markup is uneven: some fields carry
``autocomplete``, some only a label), and a test checks that every control a template renders is declared
here and the other way round, so the two cannot drift apart.

The shop echoes what it received so a person trying Proffer sees exactly what a retailer would get. Card
numbers are shown masked and passwords never, as a real shop's confirmation would.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

MAX_VALUE_CHARS = 200  # longer values are cut on the thank-you page; the shop stores nothing


class Kind(Enum):
    TEXT = "text"
    CHECKBOX = "checkbox"  # posted as "on" when ticked, absent when not
    NEVER_ECHOED = "never_echoed"  # a password or security code: acknowledged, never shown
    CARD = "card"  # a card number: echoed with all but the last four digits masked


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the control's name attribute, and the key of its label in texts.py
    kind: Kind = Kind.TEXT
    required: bool = False


@dataclass(frozen=True)
class FormSpec:
    name: str  # the form's key in texts.py and its URL slug
    fields: tuple[FieldSpec, ...]

    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


@dataclass(frozen=True)
class Received:
    """One line of the thank-you page."""

    name: str
    label: str
    shown: str  # what the page shows: the value, a masked card number, "yes"/"no", or the "not given" mark
    given: bool


CHECKOUT = FormSpec(
    "checkout",
    (
        FieldSpec("email", required=True),
        FieldSpec("phone"),
        FieldSpec("first_name", required=True),
        FieldSpec("last_name", required=True),
        FieldSpec("address1", required=True),
        FieldSpec("address2"),
        FieldSpec("zip", required=True),
        FieldSpec("city", required=True),
        FieldSpec("region"),
        FieldSpec("country", required=True),
        FieldSpec("rewards_id"),
        FieldSpec("marketing_opt_in", Kind.CHECKBOX),
        FieldSpec("cc_name"),
        FieldSpec("cc_number", Kind.CARD),
        FieldSpec("cc_exp"),
        FieldSpec("cc_csc", Kind.NEVER_ECHOED),
    ),
)

SIGNUP = FormSpec(
    "signup",
    (
        FieldSpec("firstName", required=True),
        FieldSpec("lastName", required=True),
        FieldSpec("email", required=True),
        FieldSpec("password", Kind.NEVER_ECHOED, required=True),
        FieldSpec("birth_day"),
        FieldSpec("birth_month"),
        FieldSpec("birth_year"),
        FieldSpec("newsletter", Kind.CHECKBOX),
        FieldSpec("no_partner_offers", Kind.CHECKBOX),
        FieldSpec("terms", Kind.CHECKBOX, required=True),
    ),
)

NEWSLETTER = FormSpec("newsletter", (FieldSpec("EMAIL", required=True),))

REWARDS_LOOKUP = FormSpec("rewards_lookup", (FieldSpec("member_number", required=True),))

REWARDS_JOIN = FormSpec(
    "rewards_join",
    (
        FieldSpec("given", required=True),
        FieldSpec("family", required=True),
        FieldSpec("email", required=True),
        FieldSpec("mobile_cc"),
        FieldSpec("mobile"),
        FieldSpec("dob"),
        FieldSpec("join_terms", Kind.CHECKBOX, required=True),
        FieldSpec("join_offers", Kind.CHECKBOX),
    ),
)

FORMS: dict[str, FormSpec] = {form.name: form for form in (CHECKOUT, SIGNUP, NEWSLETTER, REWARDS_LOOKUP, REWARDS_JOIN)}


def _mask_card(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    return "•••• " + "".join(digits[-4:]) if digits else ""


def missing_required(form: FormSpec, posted: dict[str, str]) -> list[str]:
    """Names of the required fields the post left out or left blank, in form order."""
    return [f.name for f in form.fields if f.required and not posted.get(f.name, "").strip()]


def received(form: FormSpec, posted: dict[str, str], labels: dict[str, str], texts: dict[str, str]) -> list[Received]:
    """What the thank-you page shows for one submission: every declared field, in form order.

    ``posted`` holds only the first value of each name; names the form does not declare are ignored (a
    real shop would drop them too). ``texts`` gives the words for yes/no/not given/password set.
    """
    lines = []
    for field in form.fields:
        raw = posted.get(field.name, "")
        given = bool(raw.strip()) if field.kind is not Kind.CHECKBOX else field.name in posted
        if field.kind is Kind.CHECKBOX:
            shown = texts["yes"] if given else texts["no"]
        elif not given:
            shown = texts["not_given"]
        elif field.kind is Kind.NEVER_ECHOED:
            shown = texts["secret_given"]
        elif field.kind is Kind.CARD:
            shown = _mask_card(raw)
        else:
            shown = raw[:MAX_VALUE_CHARS]
        lines.append(Received(field.name, labels[field.name], shown, given))
    return lines
