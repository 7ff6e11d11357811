"""What a form is for, from the types of its fields and the words around it.

A form's purpose is shown in the approval window and written to the ledger ("you gave your address to
this shop for a checkout"), so it must be plain and it must not overreach: when nothing clearly says
what a form is for, it is "other".

The rules read, in order: cards (a card number alone makes it a payment, i.e. "billing"; with a
postal address it is a checkout), secrets (a password makes it a login or a sign-up), a postal address
(a checkout, even with a rewards-number box or a "join our club" tick box in it), loyalty (a membership
number box is a look-up, an enrolment checkbox or words an enrolment), a lone search box, a lone
email with marketing words (a newsletter), and a lone email or username whose form says "Sign in" (the
first step of a login that asks for the password next).

The page's purpose is that of its most substantial form, so a sign-up page is not called a search page
because of the search box in its header; a payment form beside a visible delivery address form makes the
page a checkout. Each field is still recorded for its own form's purpose (``PageUnderstanding.purpose_of``):
a newsletter box in a checkout's footer is the newsletter's.
"""

from __future__ import annotations

from collections.abc import Iterable

from companion.fields import vocabulary
from companion.tokens import LOYALTY_ENROLL, MARKETING_OPT_IN, MEMBERSHIP

PURPOSES = (
    "checkout",
    "billing",
    "account-signup",
    "newsletter",
    "loyalty-enrollment",
    "loyalty-lookup",
    "login",
    "search",
    "other",
)

ADDRESS_TYPES = frozenset(
    {
        "street-address",
        "address-line1",
        "address-line2",
        "address-line3",
        "address-level1",
        "address-level2",
        "address-level3",
        "postal-code",
    }
)
PERSONAL_TYPES = frozenset(
    {"name", "given-name", "family-name", "additional-name", "tel", "tel-national", "bday", "organization"}
)
_NAMES = frozenset({"name", "given-name", "family-name"})  # the person's own name, whole or in parts
# When forms tie on size, the form that asks for more (an address, an account) speaks for the page.
_TIE_ORDER = ("checkout", "billing", "account-signup", "login", "loyalty-enrollment", "loyalty-lookup", "newsletter")
_PRIORITY = {p: _TIE_ORDER.index(p) if p in _TIE_ORDER else len(_TIE_ORDER) for p in PURPOSES}


def form_purpose(types: Iterable[str | None], kinds: Iterable[str], search_box: bool) -> str:
    """The purpose of one form, from its fields' types and the keyword kinds of its own text."""
    present = [t for t in types if t]
    seen = set(present)
    words = set(kinds)
    if "cc-number" in seen or "cc-csc" in seen:
        # A card with a postal address is a checkout (the address is where the order goes) unless the
        # form's own words speak of billing alone; a card on its own is a payment form.
        return _address_purpose(words) if _holds_address(seen) else "billing"
    if "new-password" in seen:
        return "account-signup"
    if "current-password" in seen or "one-time-code" in seen:
        return "account-signup" if len(seen & (PERSONAL_TYPES | ADDRESS_TYPES)) >= 2 else "login"
    if _holds_address(seen):
        # Before loyalty: a checkout with a rewards-number box or a "join our club" tick box is a checkout
        # (declining enrolment quietly must never withhold a delivery address).
        return _address_purpose(words)
    if MEMBERSHIP in seen:
        return "loyalty-lookup"
    if LOYALTY_ENROLL in seen or ("enrolment" in words and "email" in seen):
        return "loyalty-enrollment"
    if not present and search_box:
        return "search"
    # A newsletter asks for an email and little else; the opt-in boxes of its several lists ask for nothing
    # more (terms to accept and opt-outs do count: they belong to an account or an order).
    asked = [t for t in present if t != MARKETING_OPT_IN]
    if "email" in seen and len(asked) <= 3 and ("marketing" in words or MARKETING_OPT_IN in seen):
        return "newsletter"
    if "email" in seen and ("username" in seen or len(seen & PERSONAL_TYPES) >= 1) and "new" in words:
        return "account-signup"
    if len(asked) == 1 and asked[0] in ("email", "username") and "sign-in" in words and "new" not in words:
        # The first step of a sign-in that asks who the person is before the password ("Sign in", "Continue").
        return "login"
    if present and seen <= {"email", "name", "given-name", "family-name", MARKETING_OPT_IN} and len(present) <= 3:
        return "newsletter" if "marketing" in words else "other"
    return "other"


def _holds_address(seen: set[str]) -> bool:
    """Whether a form's types make a postal address: two of its parts, or one box for the whole of it
    beside a name (a delivery form that asks for the full address once; a contact form asks for a name
    but not for an address)."""
    return len(seen & ADDRESS_TYPES) >= 2 or ("street-address" in seen and bool(seen & _NAMES))


def _address_purpose(words: set[str]) -> str:
    return "billing" if vocabulary.one_section(words) == "billing" else "checkout"


def page_purpose(form_purposes: dict[int, str], form_weights: dict[int, tuple[int, int]]) -> str:
    """The purpose of the page: that of its main form, except that a payment form's page is a checkout when
    a visible delivery-address form stands beside it."""
    if not form_purposes:
        return "other"
    main = _main_form(form_purposes, form_weights)
    if form_purposes[main] == "billing" and any(
        purpose == "checkout" and form_weights.get(f, (0, 0))[0] for f, purpose in form_purposes.items()
    ):
        # A shop that puts the card in a form of its own beside the delivery address (or a payment step
        # beside the address it ships to) is one checkout: the card form being larger does not make the
        # page a mere payment.
        return "checkout"
    return form_purposes[main]


def _main_form(form_purposes: dict[int, str], form_weights: dict[int, tuple[int, int]]) -> int:
    """The form with the most recognised visible fields, then the most recognised fields at all (weights are
    (visible, all) counts per form); on a tie, one with a purpose, then by ``_TIE_ORDER``."""
    return min(
        form_purposes,
        key=lambda f: (
            tuple(-w for w in form_weights.get(f, (0, 0))),
            form_purposes[f] == "other",
            _PRIORITY[form_purposes[f]],
        ),
    )
