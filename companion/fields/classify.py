"""Field understanding: each field's type, a label for the person, and the form's purpose.

``understand(payload)`` is the one entry point (the fill flow, ``proffer fields`` and the tests call it).

How a field gets its type:
1. Controls that hold nothing to fill (hidden, buttons, files) get none. Checkboxes are read for
   Proffer's own consent tokens only (marketing opt-in/out, terms, loyalty enrolment), by their words.
2. Everything else is scored by a small linear model (``model.py``) over features from ``features.py``:
   multilingual keyword kinds of the label and of the programmer names, the autocomplete attribute, the
   input type, select options, and the neighbours' kinds. The model was trained on the development
   corpus with whole sites held out; its figures are in ``tools/train_fields.py``'s output.
3. Below the model's confidence threshold the answer is None. A value in the wrong field is a leak;
   an unnamed field only costs the person a keystroke. Two witnesses that agree (the site's
   autocomplete token and the label, or the token and the input type) may name an unsure field, as may
   a label that names one thing alone in words of one meaning ("Country", "PLZ") when the model leans
   the same way, or names a rare type ("Gender") that the programmer's name repeats; a card or secret,
   which is never filled, is named on weaker evidence.
4. Some classes are decided by the form's shape, not by the field alone: a password box is a
   ``new-password`` when the form makes an account (``_creates_account``), else ``current-password``;
   the primary street field is ``address-line1`` when the form has a second address line, else
   ``street-address`` (a street name or house number box is part of that same line). Boxes for one
   part of the rest (apartment, floor, building) do not make the form a two-line one: that is how
   the labelled corpus names them, and the primary box then still takes the whole street address. A
   phone box is ``tel-national`` right after a box for the calling code, else ``tel``. A first or last
   name the box says is the cardholder's is the card's (``cc-given-name``), not the person's.

Secrets and cards are *recognised* here (``cc-*``, passwords, ``one-time-code``) precisely so that the
safety layer can refuse them: recognising is not filling. A box whose label names a card's security code
("CVV") or the name on it is one, and a short box that names a one-time code is one, whatever the model
says. A row of four or more one-character boxes, or of boxes that each name a code, is a one-time code
typed a digit a box, whatever each box says alone.
A day, a month and a year side by side are one date, never a card's expiry (``_date_rows``); a month and
a year right after a card's number or before its code are its expiry (``_expiry_rows``); a box for the
area code before a phone box splits the number in two (``_area_code_pairs``); and three short phone boxes
side by side are one number typed in parts (``_phone_rows``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from companion.fields import text, vocabulary
from companion.fields.features import UNFILLABLE_INPUT_TYPES, FieldEvidence, payload_features
from companion.fields.model import LinearModel, load_model
from companion.fields.purpose import ADDRESS_TYPES, PURPOSES, form_purpose, page_purpose
from companion.protocol.messages import FieldDescriptor, FillRequestPayload, FormDescriptor
from companion.tokens import (
    CARD_TOKENS,
    HOUSE_NUMBER,
    LOYALTY_ENROLL,
    MARKETING_OPT_IN,
    MARKETING_OPT_OUT,
    MEMBERSHIP,
    PROFFER_TOKENS,
    STREET_NAME,
    TERMS_ACCEPT,
    parse_autocomplete,
)

__all__ = ["PROFFER_TOKENS", "PURPOSES", "FieldUnderstanding", "PageUnderstanding", "prepare", "understand"]

LABEL_LIMIT = 120
ONE_TIME_CODE = "one-time-code"  # a field type's name
CORROBORATED_FLOOR = 0.2  # an unsure model's runner-up is taken only above this, and only when named
NEVER_FILLED_FLOOR = 0.4  # a card or secret is named from this likelihood on: naming one fills nothing
BUTTON_SEPARATOR = " | "  # between the captions of a form's buttons in its submit_text (extract.js)
_SPACE = re.compile(r"\s+")
_PRIMARY_STREET = frozenset({"street", "house-number", "address-line1", "street-address"})
_IDENTIFIER = frozenset({"email", "username", "username-or-email"})
_SECOND_LINE = frozenset({"address-line2"})  # not "address-extra": see the module notes
_REST_OF_ADDRESS = frozenset({"address-line2", "address-extra"})  # both become the token address-line2
_PHONE = frozenset({"tel", "tel-national"})
# What a box the person reads as a house number ("Hausnr.") may be taken for: the number and the rest of
# the address share a row in most forms, and the model's doubt between them is not about this box.
_NUMBER_OR_REST = frozenset({"house-number", *_REST_OF_ADDRESS})
# A name box beside the other half of a name asks for its own half (``_name_half``).
_NAME_OR_HALF = {half: frozenset({"name", half}) for half in ("given-name", "family-name")}
_FAMILIES = (
    _PRIMARY_STREET,
    _IDENTIFIER,
    _REST_OF_ADDRESS,
    frozenset({"country", "country-name"}),
    _PHONE,
)
_TYPE_NAMES = {"email": ("email",), "tel": ("tel", "tel-national", "tel-local")}  # what an input type says
_CHECKABLE = frozenset({"checkbox", "radio"})
_CAPTION_MIN = 4  # a tick box's or button's caption shorter than this ("Yes", "Go") stays in its form's text
_SECTION_KINDS = frozenset(vocabulary.SECTION_OF_KIND)
_GIFT = re.compile(r"gift|geschenk|cadeau|regalo|voucher|gutschein")
CODE_ROW = 4  # this many boxes side by side, one character each or each naming a code, are one code
_DATE_PARTS = ("day", "month", "year")  # the kinds that name the boxes of a date typed in three
_BIRTHDAY_PARTS = {"day": "bday-day", "month": "bday-month", "year": "bday-year"}
_CARD_EXPIRY = frozenset({"cc-exp", "cc-exp-month", "cc-exp-year"})
_CARD_EXPIRY_PARTS = ("cc-exp-month", "cc-exp-year")
_LAST_CENTURY = re.compile(r"19\d\d$")
_PHONE_PARTS = ("tel-area-code", "tel-local-prefix", "tel-local-suffix")
_OWN_PHONE_ROWS = frozenset({"tel-country-code", "tel-extension"})  # parts that are not in a three-box row
_AREA_OR_PHONE = frozenset({None, "tel", "tel-national", "tel-area-code"})
_PHONE_OR_NOTHING = frozenset({None, "tel", "tel-national", "tel-area-code", "tel-local", *_PHONE_PARTS})
_DIGIT_GROUP = re.compile(r"[0-9xX]{2,5}")  # a placeholder showing one part of a number: "000", "0000", "555"
_CODE_BOX_TYPES = frozenset({"text", "tel", "number", "password", ""})
_NUMBER_BOX_TYPES = frozenset({"text", "tel", "number", "search", ""})
# Tokens that belong to a postal address, which a form's "shipping" or "billing" heading speaks for.
_ADDRESSED = ADDRESS_TYPES | {"name", "given-name", "family-name", "additional-name", "organization", "country"}
_SECRET_CLASSES = frozenset({"password", "new-password", "current-password", "one-time-code", "cc-csc", "cc-number"})
# What a password box may ask for that is no password: a tax number, a security question's answer.
_NOT_PASSWORDS = frozenset({"vat-number", "security-answer", "coupon"})
_OTHER_CODES = frozenset({ONE_TIME_CODE, "coupon"})  # codes a "code" box may ask for that are no card's
# What a box for the name on a card may say besides: not a half of the name, an address or an ID number
_CARD_HOLDER_WORDS = frozenset({"cc-name", "cc-number", "name", "full-name", "billing-section"})
# Words with one meaning, in a label that says nothing else ("Country", "PLZ", "Ville", "E-mail"), may name
# an unsure box the model's first choice agrees with. Not a phone's (a calling code's box is labelled
# "Phone number +39" too) nor a name's halves (a card's holder is asked for as "First name").
_PLAIN_LABELS = frozenset({"country", "postal-code", "address-level2", "address-level1", "email"})
_ASIDES = frozenset({"optional", "billing-section", "shipping-section", "new"})  # words beside the kind
# Types with under fifty labelled boxes in the corpus ("Gender", "Anrede", "Middle name", "District"): the
# model stays unsure of them even where the label and the programmer's name both say so, and then those
# two witnesses may name the box. (Not the common types: where the model doubts one of those despite
# both, it has learned why, e.g. a "Phone type" list or an "Alternative pick-up name".)
_RARE_TYPES = frozenset(
    {
        "sex",
        "honorific-prefix",
        "honorific-suffix",
        "additional-name",
        "nickname",
        "organization-title",
        "address-level3",
        "address-line3",
        "tel-extension",
    }
)
_PAYMENT_CODE = "coupon"  # a gift card's or voucher's code and PIN: a means of payment, no one-time code
# The parts of a name as printed on a payment card, which is card data: Proffer neither keeps nor fills it.
_CARD_HOLDER = {
    "name": "cc-name",
    "given-name": "cc-given-name",
    "additional-name": "cc-additional-name",
    "family-name": "cc-family-name",
}


@dataclass(frozen=True)
class FieldUnderstanding:
    index: int
    type: str | None  # WHATWG autocomplete token, one of PROFFER_TOKENS, or None
    label: str  # the best human label for the field (for the approval window), <= 120 chars
    reason: str | None  # short why, for `proffer fields`
    section: str | None  # "shipping" / "billing" / None, when the form tells
    part: str | None = None  # a part of the type's value the box wants: "house-number", "street-name"


@dataclass(frozen=True)
class PageUnderstanding:
    purpose: str  # one of PURPOSES
    fields: list[FieldUnderstanding]  # one per payload field, same order
    form_purposes: dict[int, str]  # form index -> purpose, for forms with any field

    def purpose_of(self, form_index: int | None) -> str:
        """The purpose of the form a field is in; the page's for a field outside any form."""
        if form_index is None:
            return self.purpose
        return self.form_purposes.get(form_index, self.purpose)


@dataclass(frozen=True)
class _Guess:
    cls: str | None
    probability: float
    reason: str | None
    site_named: bool = False  # the class is the site's own autocomplete token, which a second witness confirmed


def best_label(field: FieldDescriptor) -> str:
    """What the person would read as the field's name, cleaned and cut to LABEL_LIMIT characters."""
    nearby = getattr(field, "nearby_text", "") or ""
    for candidate in (field.label, field.aria_label, field.placeholder, field.title, nearby, field.name, field.id):
        cleaned = _SPACE.sub(" ", candidate or "").strip(" *:|")
        if cleaned:
            return cleaned[:LABEL_LIMIT]
    return ""


def _checkbox_token(field: FieldDescriptor, evidence: FieldEvidence) -> str | None:
    kinds = evidence.kinds
    marketing = "marketing" in kinds or "commercial-contact" in kinds
    refusal = "refusal" in kinds and "untick" not in kinds
    if "stay-signed-in" in kinds:
        return None  # "Keep me signed in" keeps a session; it consents to nothing (even when named "newsletter")
    if "terms" in kinds and not marketing:
        return TERMS_ACCEPT
    if "cookie-consent" in kinds:
        return None  # a cookie banner's switch, not consent to be contacted: not Proffer's to touch
    if "enrolment" in kinds and "membership-number" not in kinds and not refusal:
        return LOYALTY_ENROLL
    if marketing:
        return MARKETING_OPT_OUT if refusal else MARKETING_OPT_IN
    return None


def _loyalty_number(field: FieldDescriptor, evidence: FieldEvidence) -> bool:
    """A box for a loyalty or membership number ("rewards card number", "Kundenkartennummer"), or for the
    phone number a shop keys its rewards on ("phone number for rewards"). The model has no such class
    (the corpus labels none), so the words decide; a login form's "membership number" stays a username."""
    if field.tag != "input" or field.type not in _NUMBER_BOX_TYPES:
        return False
    kinds = evidence.kinds
    words = text.human(" ".join((field.label[:200], field.placeholder, getattr(field, "nearby_text", "") or "")))
    if "coupon" in kinds or _GIFT.search(words):
        return False  # a gift or voucher card is a means of payment, not a membership
    # The phone keyed on rewards must say so in its own human words: a programmer name such as
    # "join-phone" on a rewards sign-up form is the person's mobile, and their number belongs there.
    return "membership-number" in kinds or ("h:loyalty-enroll" in evidence.own and "tel" in kinds)


def _reason(model: LinearModel, features: list[str], cls: str, field: FieldDescriptor) -> str:
    hint = parse_autocomplete(field.autocomplete[:100]) if field.autocomplete else None
    if hint is not None and cls in (hint.token, "password", "username-or-email"):
        return "autocomplete attribute"
    index = model.classes.index(cls)
    for feature, _weight in model.contributions(features, index)[:3]:
        source, _, kind = feature.partition(":")
        if source == "h":
            return f"label '{best_label(field)[:60]}'"
        if source in ("i", "w"):
            return f"name '{(field.name or field.id)[:60]}'"
        if source == "type":
            return f"input type {kind}"
        if source == "opt":
            return "its options"
        if source in ("prev", "next"):
            return "the fields around it"
    return "the form's shape"


def _guess(model: LinearModel, field: FieldDescriptor, evidence: FieldEvidence, features: list[str]) -> _Guess:
    if field.tag == "input" and field.type in UNFILLABLE_INPUT_TYPES:
        if field.type == "checkbox":
            token = _checkbox_token(field, evidence)
            return _Guess(token, 1.0, f"checkbox '{best_label(field)[:60]}'" if token else None)
        return _Guess(None, 1.0, None)
    hint = parse_autocomplete(field.autocomplete[:100]) if field.autocomplete else None
    if (hint is not None and hint.token == ONE_TIME_CODE) or (
        ONE_TIME_CODE in evidence.kinds and _PAYMENT_CODE not in evidence.kinds and (field.maxlength or 99) <= 8
    ):
        # Secrets are recognised by rule, not only by the model (too few examples to learn from):
        # recognising a code box is what lets the safety layer refuse it.
        return _Guess(ONE_TIME_CODE, 1.0, "one-time code")
    if "h:cc-csc" in evidence.own and not evidence.kinds & _OTHER_CODES:
        return _Guess("cc-csc", 1.0, "card security code")  # "CVV", "Security code", "Prüfziffer"
    if "h:cc-name" in evidence.own and evidence.kinds <= _CARD_HOLDER_WORDS:
        return _Guess("cc-name", 1.0, "name on the card")  # "Name on card", "Titolare carta"
    probabilities = model.probabilities(features)
    if field.type == "password":
        if evidence.kinds & _NOT_PASSWORDS and "password" not in evidence.kinds:
            # A tax or social-security number, or the answer to a security question, typed out of sight
            # is no password: it names no type (and, as in every password box, the safety layer refuses
            # it a value).
            return _Guess(None, 1.0, None)
        # A password box is a secret whatever its words say; only the secret classes compete.
        allowed = [i for i, c in enumerate(model.classes) if c in _SECRET_CLASSES]
        best = max(allowed, key=probabilities.__getitem__)
        return _Guess(model.classes[best], 1.0, "password box")
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    cls = model.classes[best]
    sure = probabilities[best]
    # Classes of one family end up as one token or as interchangeable ones (see _resolve): the
    # model's doubt *between* them is no doubt about the field, so their probabilities count together.
    for family, members in zip(_FAMILIES, _family_members(model.classes), strict=True):
        total = sum(probabilities[i] for i in members)
        if members and total > sure and (cls in family or total > probabilities[best]):
            best = max(members, key=lambda i: (probabilities[i], i))
            cls, sure = model.classes[best], total
    # A box the person reads as the house number wants the number, whatever the site named it ("address2"
    # labelled "Huisnummer"): the person types what the label asks for, and so does Proffer.
    if cls in _NUMBER_OR_REST and _labelled_house_number(evidence):
        cls, sure = "house-number", sum(probabilities[i] for i in _members(model.classes, _NUMBER_OR_REST))
    half = _name_half(cls, features)
    if half:
        cls, sure = half, sum(probabilities[i] for i in _members(model.classes, _NAME_OR_HALF[half]))
    if cls != "none" and sure >= model.threshold:
        return _Guess(cls, sure, _reason(model, features, cls, field))
    # The threshold guards against a value in the wrong box. A card or secret box gets no value at all
    # (the safety layer refuses it), so the model's best reading of one is reported on weaker evidence:
    # calling a box a card where it is not costs the same keystroke as naming nothing.
    if (cls in _SECRET_CLASSES or cls in CARD_TOKENS or _on_card(cls, evidence)) and sure >= NEVER_FILLED_FLOOR:
        return _Guess(cls, sure, _reason(model, features, cls, field))
    # Unsure: a class the model still finds likely may be named when the site names it in so many words,
    # with its own autocomplete token, whether or not it is the model's first choice; otherwise say
    # nothing. (Not the label alone: a lower bar where the label names the class moved along the
    # threshold's curve, see docs/FIELDS.md.)
    if hint is not None and hint.token in model.classes:
        likely = probabilities[model.classes.index(hint.token)]
        if likely >= CORROBORATED_FLOOR:
            return _Guess(hint.token, likely, _reason(model, features, hint.token, field), site_named=True)
    # Or the site's own autocomplete token and the label the person reads say the same thing: two
    # independent witnesses, for types too rare in the corpus for the model to be sure of (a birthday).
    if hint is not None and hint.token in model.classes and "h:" + hint.token in evidence.own:
        sure = probabilities[model.classes.index(hint.token)]
        return _Guess(hint.token, sure, "autocomplete attribute and label", site_named=True)
    # Or the autocomplete token and the input type the browser keys on agree (an <input type=email
    # autocomplete=email> with no words around it): the page asked the browser itself for that value.
    if hint is not None and hint.token in model.classes and hint.token in _TYPE_NAMES.get(field.type, ()):
        sure = probabilities[model.classes.index(hint.token)]
        return _Guess(hint.token, sure, "autocomplete attribute and input type", site_named=True)
    # Or the label names one thing alone, in words with one meaning, and the model leans the same way;
    # or, for a rare type, in any words that the programmer's name repeats.
    named = [f[2:] for f in evidence.own if f.startswith("h:") and f[2:] not in _ASIDES]
    if named == [cls] and (cls in _PLAIN_LABELS or (cls in _RARE_TYPES and "i:" + cls in evidence.own)):
        return _Guess(cls, sure, f"label '{best_label(field)[:60]}'")
    return _Guess(None, probabilities[best], None)


def _name_half(cls: str, features: list[str]) -> str | None:
    """The half of a name a "Name" box asks for when its neighbour is the other half: the box before a
    last name's is the first name (Slavic forms' "Имя" before "Фамилия"), and the box after a first name's
    is the last name (German "Vorname", "Name"). The model's doubt between the whole name and that half
    is then about the words, not the box."""
    if cls not in ("name", "given-name", "family-name"):
        return None
    before_last, after_first = "next:family-name" in features, "prev:given-name" in features
    if before_last and not after_first and cls != "family-name":
        return "given-name"
    if after_first and not before_last and cls != "given-name":
        return "family-name"
    return None


def _labelled_house_number(evidence: FieldEvidence) -> bool:
    """The person reads the box as the house number alone: not "Street, number", not "Apt no."."""
    own = evidence.own
    return "h:house-number" in own and "h:address-line2" not in own and "h:street-name" not in own


@cache
def _members(classes: tuple[str, ...], group: frozenset[str]) -> tuple[int, ...]:
    """The indexes of a group's classes among the model's: worked out once per model and group."""
    return tuple(i for i, c in enumerate(classes) if c in group)


@cache
def _family_members(classes: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """For each of ``_FAMILIES``, the indexes of its classes among the model's (one lookup per field)."""
    return tuple(_members(classes, family) for family in _FAMILIES)


def _section(token: str, evidence: FieldEvidence, form_kinds: frozenset[str]) -> str | None:
    """Shipping or billing, when the field's own autocomplete or words say so, or, for the parts of a
    postal address (the recipient's name included), when its form speaks of one of the two alone.

    Contact and card fields take a section from their autocomplete or programmer name only
    (``shippingPhone``): a checkout with a "Shipping address" heading still asks for the buyer's own
    email, a "phone (for delivery questions)" is the buyer's phone, and a card is not shipped."""
    if evidence.hint_section:
        return evidence.hint_section
    addressed = token in _ADDRESSED
    own = {k for k in vocabulary.SECTION_OF_KIND if k in evidence.kinds and (addressed or "i:" + k in evidence.own)}
    section = vocabulary.one_section(own)
    if section or not addressed:
        return section
    return vocabulary.one_section(form_kinds)


def _creates_account(passwords: int, classes: set[str], form: FormDescriptor | None) -> bool:
    """Whether a form with a password makes the account rather than opens it: it shows two password boxes
    (the password and its repeat), or, unless its first button says "Log in", it asks for more of the
    person than who they are (a name, an address) or for both a username and an email (signing in takes
    one of them), or its own first button says so ("Create account", "Sign up"). Only the first button:
    a sign-in form often has a second that leads to registering ("Sign in | Register")."""
    buttons = form.submit_text if form else ""
    first_button = vocabulary.kinds_in(text.human(buttons.split(BUTTON_SEPARATOR)[0])) if buttons else ()
    if passwords != 1:
        return passwords >= 2
    if "sign-in" in first_button and "new" not in first_button:
        return False  # an airline's "Log in" asks for the member number, the last name and the password
    if len(classes - _SECRET_CLASSES - {"username", "email"}) >= 2 or {"username", "email"} <= classes:
        return True
    return "new" in first_button and "current" not in first_button


def _on_card(cls: str | None, evidence: FieldEvidence) -> bool:
    """A part of a name the box says is the card's ("Cardholder first name"): the model reads the part, the
    words say whose. It becomes the card's token (``_resolve``), so it is never filled."""
    return cls in _CARD_HOLDER and "cc-name" in evidence.kinds


def _resolve(
    guess: _Guess,
    field: FieldDescriptor,
    evidence: FieldEvidence,
    form_classes: set[str],
    signup: bool,
    before: str | None,
) -> tuple[str | None, str | None]:
    """Turn a guessed class into a token using the form's shape and the token of the box ``before``;
    returns (token, part)."""
    cls = guess.cls
    if cls is None:
        return None, None
    if cls == "password":
        # Its own words may say "new"; "confirm" alone may not: a second password box is counted in
        # `signup`, and a lone one named "password2" or "TextBox2" (read as a repeat) is the only one.
        new = signup or "new" in evidence.kinds
        return ("new-password" if new else "current-password"), None
    if cls == "username-or-email":
        return ("email" if field.type == "email" or "email" in evidence.kinds else "username"), None
    if cls in _PRIMARY_STREET:
        # A first line when the form has a second, or when the box itself reads as one ("address1",
        # "street[0]", "line 1"): a site that numbers its address lines has a second somewhere.
        two_lines = form_classes & _SECOND_LINE or cls == "address-line1"
        primary = "address-line1" if two_lines else "street-address"
        # A house-number box wants the number alone, and then the form's street box the name alone
        # ("Straße" + "Nr."); without a number box beside it, a street box takes the whole line.
        if cls == "house-number":
            return primary, HOUSE_NUMBER
        return primary, (STREET_NAME if "house-number" in form_classes else None)
    if cls in _PHONE and not guess.site_named:
        # The number without its calling code when a box for the code comes just before it, else the
        # whole number: the model's doubt between the two is about the form's shape, which it does not
        # see. (The site's autocomplete token alone does not decide: shops put "tel-national" on boxes
        # for the whole number.)
        return ("tel-national" if before == "tel-country-code" else "tel"), None
    if cls == "address-extra":
        return "address-line2", None
    if _on_card(cls, evidence):
        return _CARD_HOLDER[cls], None
    return cls, None


def prepare() -> None:
    """Load the model and build the keyword index now (about 0.1 s, once a process), so that the first
    page the person opens does not wait for them."""
    load_model()
    vocabulary.prepare()


def understand(payload: FillRequestPayload, model: LinearModel | None = None) -> PageUnderstanding:
    model = model or load_model()
    analysed = payload_features(payload)
    guesses = [_guess(model, f, ev, feats) for f, (ev, feats) in zip(payload.fields, analysed, strict=True)]

    by_form: dict[int | None, list[int]] = {}
    for position, field in enumerate(payload.fields):
        by_form.setdefault(field.form_index, []).append(position)
    forms = {form.index: form for form in payload.forms}

    for position in _code_rows(payload.fields, analysed, by_form):
        guesses[position] = _Guess(ONE_TIME_CODE, 1.0, "one box of a row for a one-time code")
    for position, token in _date_rows(payload.fields, analysed, by_form).items():
        if token is not None:
            guesses[position] = _Guess(token, 1.0, "one box of a row for a date of birth")
        elif guesses[position].cls in _CARD_EXPIRY:
            guesses[position] = _Guess(None, guesses[position].probability, None)
    for position, token in _expiry_rows(payload.fields, analysed, by_form, guesses).items():
        guesses[position] = _Guess(token, 1.0, "one box of a card's expiry")
    for position, token in _area_code_pairs(payload.fields, analysed, by_form, guesses).items():
        guesses[position] = _Guess(token, 1.0, "a phone number typed as its area code and the rest")
    for position, token in _phone_rows(payload.fields, analysed, by_form, guesses).items():
        guesses[position] = _Guess(token, 1.0, "one box of a phone number typed in three")

    results: list[FieldUnderstanding | None] = [None] * len(payload.fields)
    form_purposes: dict[int, str] = {}
    form_weights: dict[int, tuple[int, int]] = {}
    for form_index, positions in by_form.items():
        classes = {guesses[p].cls for p in positions if guesses[p].cls}
        # A hidden password box beside the visible one is a decoy for bots, not a "repeat your password":
        # the boxes the person sees are counted, or all of them in a form not yet shown. A password box
        # named nothing (a tax number typed out of sight) is no password.
        password_boxes = [
            payload.fields[p] for p in positions if payload.fields[p].type == "password" and guesses[p].cls
        ]
        passwords = sum(f.visible for f in password_boxes) or len(password_boxes)
        form = forms.get(form_index) if form_index is not None else None
        form_kinds = _form_kinds(form, [payload.fields[p] for p in positions])
        signup = _creates_account(passwords, classes, form)
        if not passwords:  # in a login form a membership number is the username
            for p in positions:
                if _loyalty_number(payload.fields[p], analysed[p][0]):
                    guesses[p] = _Guess(MEMBERSHIP, 1.0, f"label '{best_label(payload.fields[p])[:60]}'")
                    classes.add(MEMBERSHIP)
        tokens: list[str | None] = []
        before: str | None = None  # the token of the box before, buttons and hidden inputs passed over
        for p in positions:
            field, (evidence, _features) = payload.fields[p], analysed[p]
            token, part = _resolve(guesses[p], field, evidence, classes, signup, before)
            tokens.append(token)
            if not (field.tag == "input" and field.type in UNFILLABLE_INPUT_TYPES):
                before = token
            results[p] = FieldUnderstanding(
                index=field.index,
                type=token,
                label=best_label(field),
                reason=guesses[p].reason,
                section=_section(token, evidence, form_kinds) if token and token != MEMBERSHIP else None,
                part=part,
            )
        search_box = any(payload.fields[p].type == "search" or "search" in analysed[p][0].kinds for p in positions)
        key = form_index if form_index is not None else -1
        words = form_kinds | _button_kinds(form) | _kinds_of(payload.fields, analysed, positions)
        form_purposes[key] = form_purpose(tokens, words, search_box)
        # The form the person can see speaks for the page: a closed "join" dialog or a collapsed
        # section must not outweigh the one visible form (the demo shop's rewards page was called an
        # enrolment because of its hidden sign-up form). Hidden fields still break ties.
        named = [t is not None for t in tokens]
        seen = sum(n and payload.fields[p].visible for n, p in zip(named, positions, strict=True))
        form_weights[key] = (seen, sum(named))
    purpose = page_purpose(form_purposes, form_weights)
    return PageUnderstanding(
        purpose=purpose,
        fields=[r for r in results if r is not None],
        form_purposes={k: v for k, v in form_purposes.items() if k >= 0},
    )


def _code_rows(
    fields: list[FieldDescriptor],
    analysed: list[tuple[FieldEvidence, list[str]]],
    by_form: dict[int | None, list[int]],
) -> list[int]:
    """Positions of the boxes of a code typed one digit a box: a row of CODE_ROW or more neighbouring
    boxes that each hold one character, or that each name a one-time code ("otp-input-0" ... "-5").

    Such a row often carries no maxlength, and its programmer names may say what the code verifies
    ("email-verification-otp-input-0"), so each box alone can read as an email or phone box. No other
    field comes as four or more one-character boxes in a row, and refusing a box is always safe."""

    def code_box(position: int) -> bool:
        field = fields[position]
        if field.tag != "input" or field.type not in _CODE_BOX_TYPES:
            return False
        kinds = analysed[position][0].kinds
        return field.maxlength == 1 or (ONE_TIME_CODE in kinds and _PAYMENT_CODE not in kinds)

    found: list[int] = []
    for positions in by_form.values():
        row: list[int] = []
        for position in [*positions, None]:
            if position is not None and code_box(position):
                row.append(position)
                continue
            if position is not None and fields[position].tag == "input" and fields[position].type == "hidden":
                continue  # a hidden input between the boxes (the code's sum) does not break the row
            if len(row) >= CODE_ROW:
                found.extend(row)
            row = []
    return found


def _box_rows(
    fields: list[FieldDescriptor], by_form: dict[int | None, list[int]], size: int
) -> Iterator[tuple[int, ...]]:
    """Every ``size`` neighbouring boxes of a form (positions), buttons and hidden inputs passed over: the
    rows a date, a card's expiry or a phone number typed in parts would fill."""
    for positions in by_form.values():
        boxes = [p for p in positions if not (fields[p].tag == "input" and fields[p].type in UNFILLABLE_INPUT_TYPES)]
        yield from zip(*(boxes[i:] for i in range(size)), strict=False)


def _date_rows(
    fields: list[FieldDescriptor],
    analysed: list[tuple[FieldEvidence, list[str]]],
    by_form: dict[int | None, list[int]],
) -> dict[int, str | None]:
    """The boxes of a date typed in three, a day, a month and a year side by side in any order, each with
    the birthday part it takes when any box of the row speaks of a birth (its words, its autocomplete
    token, or a year list that reaches into the last century) or the row's caption does (the text before
    its first box), else None.

    A card's expiry has a month and a year but never a day, so such a row is no card whatever its month
    and year boxes read as alone (H&M's "dd", "mm", "jjjj" read as an expiry). Without a word of a
    birth it may be any date (a delivery, a departure): it is named nothing."""
    found: dict[int, str | None] = {}
    for row in _box_rows(fields, by_form, 3):
        parts = [_date_part(analysed[p][0].kinds) for p in row]
        if sorted(filter(None, parts)) != sorted(_DATE_PARTS):
            continue
        # The text before the row's first box is the caption of the whole row ("Date of birth").
        caption = vocabulary.kinds_in(text.human(fields[row[0]].nearby_text))
        birth = "bday" in caption or any(_speaks_of_birth(analysed[p][0]) or _lists_past_years(fields[p]) for p in row)
        for p, part in zip(row, parts, strict=True):
            found[p] = _BIRTHDAY_PARTS[part] if birth and part else None
    return found


def _expiry_rows(
    fields: list[FieldDescriptor],
    analysed: list[tuple[FieldEvidence, list[str]]],
    by_form: dict[int | None, list[int]],
    guesses: list[_Guess],
) -> dict[int, str]:
    """A month box and a year box side by side, right after a card's number or right before its security
    code, are the card's expiry ("Card number", "MM", "YY", "CVV"), each box with its part. Read alone,
    each is only a month or a year, and was named nothing; a box already named keeps its name."""
    found: dict[int, str] = {}
    for row in _box_rows(fields, by_form, 3):
        parts = [_date_part(analysed[p][0].kinds) for p in row]
        classes = [guesses[p].cls for p in row]
        if parts[1:] == ["month", "year"] and classes[0] == "cc-number":
            pair = row[1:]
        elif parts[:2] == ["month", "year"] and classes[2] == "cc-csc":
            pair = row[:2]
        else:
            continue
        for p, token in zip(pair, _CARD_EXPIRY_PARTS, strict=True):
            if guesses[p].cls is None:
                found[p] = token
    return found


def _area_code_pairs(
    fields: list[FieldDescriptor],
    analysed: list[tuple[FieldEvidence, list[str]]],
    by_form: dict[int | None, list[int]],
    guesses: list[_Guess],
) -> dict[int, str]:
    """A box whose words name an area code ("Körzetszám", "Vorwahl", "Area code"), right before a box read
    as the phone number, takes the area code, and that box the rest of the number (``tel-local``). Read
    alone, the area code's box looked like the whole number, which would not fit."""
    found: dict[int, str] = {}
    for code, rest in _box_rows(fields, by_form, 2):
        kinds = analysed[code][0].kinds
        read_as = guesses[code].cls  # not a calling code's box labelled "Area code", as some shops do
        if "tel-area-code" in kinds and read_as in _AREA_OR_PHONE and guesses[rest].cls in _PHONE:
            found.update({code: "tel-area-code", rest: "tel-local"})
    return found


def _phone_rows(
    fields: list[FieldDescriptor],
    analysed: list[tuple[FieldEvidence, list[str]]],
    by_form: dict[int | None, list[int]],
    guesses: list[_Guess],
) -> dict[int, str]:
    """The boxes of a phone number typed in three short parts ("03" "1234" "5678", or a North American
    "555" "555" "0100"), each with the part it takes: the area code, the local number's first part and
    its last part.

    Each box must speak of a phone, be short (a maxlength of 5 or less, or a placeholder of 5 digits or
    fewer) and be read as a phone or as nothing (not a card's expiry, code or postcode that a card form's
    "phone" words sit beside); none may name a calling code or an extension, which take rows of their
    own. Read alone, each box looked like the whole number, which would not fit."""
    found: dict[int, str] = {}
    for row in _box_rows(fields, by_form, 3):
        if all(_phone_part_box(fields[p], analysed[p][0]) and guesses[p].cls in _PHONE_OR_NOTHING for p in row):
            found.update(zip(row, _PHONE_PARTS, strict=True))
    return found


def _phone_part_box(field: FieldDescriptor, evidence: FieldEvidence) -> bool:
    if field.tag != "input" or field.type not in _NUMBER_BOX_TYPES or "tel" not in evidence.kinds:
        return False
    if evidence.kinds & _OWN_PHONE_ROWS:
        return False
    short = field.maxlength is not None and 0 < field.maxlength <= 5
    return short or bool(_DIGIT_GROUP.fullmatch(field.placeholder.strip()[:8]))


def _speaks_of_birth(evidence: FieldEvidence) -> bool:
    """Its words name a birth, or its autocomplete token is one of the birthday's."""
    return "bday" in evidence.kinds or any(f.startswith("ac:bday") for f in evidence.own)


def _lists_past_years(field: FieldDescriptor) -> bool:
    """A year select that offers the last century ("1999", "1998"...): a date already past, which beside a
    day and a month is a date of birth, never a card's expiry."""
    return any(_LAST_CENTURY.match(option.text.strip()) for option in field.options[:200])


def _date_part(kinds: frozenset[str]) -> str | None:
    named = [part for part in _DATE_PARTS if part in kinds]
    return named[0] if len(named) == 1 else None


def _form_kinds(form: FormDescriptor | None, members: list[FieldDescriptor]) -> frozenset[str]:
    """The kinds a form's own words name: its heading, its text and its programmer id and name
    ("shipping-address-form"). Neither a tick box's caption nor a button's is read here, as both often speak
    of another address or step: "Use as billing address" on a delivery form, "Continue to payment" as its
    button (``_button_kinds`` reads the buttons for what the form does)."""
    if form is None:
        return frozenset()
    body = form.text
    captions = [f.label for f in members if f.type in _CHECKABLE] + form.submit_text.split(BUTTON_SEPARATOR)
    for caption in captions:
        if len(caption) >= _CAPTION_MIN:
            body = body.replace(caption, " ")
    kinds = set(vocabulary.kinds_in_parts(text.human(t) for t in (form.heading, body[:300]) if t))
    names = " ".join(text.identifier(n) for n in (form.id, form.name) if n)
    kinds.update(vocabulary.kinds_in_words(names.split()))
    return frozenset(kinds)


def _button_kinds(form: FormDescriptor | None) -> frozenset[str]:
    """What a form's buttons say it does ("Subscribe", "Sign in"), but not which address it holds: a button
    names the next step as often as this one ("Continue to payment" under a delivery address)."""
    if form is None or not form.submit_text:
        return frozenset()
    return frozenset(vocabulary.kinds_in(text.human(form.submit_text))) - _SECTION_KINDS


def _kinds_of(
    fields: list[FieldDescriptor], analysed: list[tuple[FieldEvidence, list[str]]], positions: list[int]
) -> frozenset[str]:
    """The kinds the form's fields name, leaving out the address a tick box names (see ``_form_kinds``)."""
    kinds: set[str] = set()
    for p in positions:
        own = analysed[p][0].kinds
        kinds |= own - _SECTION_KINDS if fields[p].type in _CHECKABLE else own
    return frozenset(kinds)
