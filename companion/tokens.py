"""The names a field can be given: WHATWG autocomplete tokens, Proffer's own tokens, and the page's hint.

One list for the whole companion: the classifier names fields with these, the vault derives values for
them, the fill and the prompts act on them, and the ledger records them.

The WHATWG list is the "autofill field name" table of the HTML standard (section 4.10.18.7.1). A site's
own ``autocomplete`` attribute is read with the standard's grammar: an optional ``section-*`` name, an
optional ``shipping``/``billing`` hint, an optional ``home``/``work``/``mobile``/``fax``/``pager`` contact
hint (only before contact tokens), then the field name, then an optional ``webauthn``. Anything else
("off", "nope", "chrome-off-4711", a field's own id pasted in) is not a hint at all; sites do that to
defeat autofill, and it must not be mistaken for a statement about the field.
"""

from __future__ import annotations

from dataclasses import dataclass

ADDRESS_TOKENS = (
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "organization-title",
    "username",
    "new-password",
    "current-password",
    "one-time-code",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level4",
    "address-level3",
    "address-level2",
    "address-level1",
    "country",
    "country-name",
    "postal-code",
    "cc-name",
    "cc-given-name",
    "cc-additional-name",
    "cc-family-name",
    "cc-number",
    "cc-exp",
    "cc-exp-month",
    "cc-exp-year",
    "cc-csc",
    "cc-type",
    "transaction-currency",
    "transaction-amount",
    "language",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "sex",
    "url",
    "photo",
)
CONTACT_TOKENS = (
    "tel",
    "tel-country-code",
    "tel-national",
    "tel-area-code",
    "tel-local",
    "tel-local-prefix",
    "tel-local-suffix",
    "tel-extension",
    "email",
    "impp",
)
WHATWG_TOKENS = frozenset(ADDRESS_TOKENS + CONTACT_TOKENS)

# Proffer's own tokens, for what WHATWG has no name for. The classifier names a field with the first five;
# the last two are the parts of a street line a house-number or street-name box asks for
# (``FieldUnderstanding.part``), which the vault splits from the line.
MEMBERSHIP = "membership-number"
LOYALTY_ENROLL = "loyalty-enroll"
MARKETING_OPT_IN = "marketing-opt-in"
MARKETING_OPT_OUT = "marketing-opt-out"
TERMS_ACCEPT = "terms-accept"
HOUSE_NUMBER = "house-number"
STREET_NAME = "street-name"
PROFFER_TOKENS = (
    MEMBERSHIP,
    LOYALTY_ENROLL,
    MARKETING_OPT_IN,
    MARKETING_OPT_OUT,
    TERMS_ACCEPT,
    HOUSE_NUMBER,
    STREET_NAME,
)
# The tokens of consent checkboxes: ticked or left alone by the person's preferences, never filled with a value.
CONSENT_TOKENS = frozenset({MARKETING_OPT_IN, MARKETING_OPT_OUT, LOYALTY_ENROLL, TERMS_ACCEPT})

# Cards and secrets: recognised so that the safety layer can refuse them, never offered from the vault.
CARD_TOKENS = frozenset(t for t in WHATWG_TOKENS if t.startswith("cc-"))
SECRET_TOKENS = frozenset({"new-password", "current-password", "one-time-code"})
# The amount and currency of a payment are the shop's to state, not values of the person's.
TRANSACTION_TOKENS = frozenset(t for t in WHATWG_TOKENS if t.startswith("transaction-"))


def never_filled(field_name: str) -> bool:
    """True for the field names the vault never stores or offers: cards, secrets and a payment's terms.
    Any ``cc-`` name counts as a card, also one WHATWG does not (yet) define."""
    return field_name in SECRET_TOKENS or field_name in TRANSACTION_TOKENS or field_name.startswith("cc-")


SECTION_HINTS = ("shipping", "billing")
CONTACT_HINTS = ("home", "work", "mobile", "fax", "pager")


@dataclass(frozen=True)
class AutocompleteHint:
    """What a site's own autocomplete attribute states, when it states anything."""

    token: str
    section: str | None  # "shipping" / "billing"
    contact: str | None  # "home" / "work" / "mobile" / ...


def parse_autocomplete(attribute: str) -> AutocompleteHint | None:
    """Read an autocomplete attribute by the standard's grammar; None when it names no field."""
    parts = attribute.strip().lower().split()
    if parts and parts[-1] == "webauthn":
        parts = parts[:-1]
    if not parts or len(parts) > 4:
        return None
    token = parts[-1]
    if token not in WHATWG_TOKENS:
        return None
    rest = parts[:-1]
    if rest and rest[0].startswith("section-"):
        rest = rest[1:]
    section = rest.pop(0) if rest and rest[0] in SECTION_HINTS else None
    contact = rest.pop(0) if rest and rest[0] in CONTACT_HINTS and token in CONTACT_TOKENS else None
    if rest:
        return None
    return AutocompleteHint(token=token, section=section, contact=contact)
