"""From stored items to the values an autocomplete token asks for, derived parts included.

A token is what the field classifier produces: a WHATWG autocomplete field name, optionally preceded by
hints — a section (``section-foo``), ``shipping``/``billing``, and ``home``/``work``/``mobile``/``fax``/
``pager`` — e.g. ``"shipping street-address"`` or ``"work email"``. Hints never filter, they order: the
items labelled so come first, then the others, so the person always sees every candidate and picks.

Every offer's ``value_id`` is ``kind:item-id:field`` so a release can find the same part of the same item
later; ``release`` recomputes the offers for the token and picks by id, so an id can only ever release what
that token would offer.

Telephone parts follow the WHATWG examples: ``tel`` is E.164 (+441865...), ``tel-national`` is the number as
dialled at home, with the trunk prefix (01865...). Area code and local parts are only defined for the North
American plan (+1, 3+3+4 digits); elsewhere the split is not knowable from the number, so they are not
offered rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from companion.sites import local
from companion.tokens import CONTACT_HINTS, HOUSE_NUMBER, MEMBERSHIP, SECTION_HINTS, STREET_NAME, never_filled
from companion.vault.geo import country_for_calling_code
from companion.vault.model import Address, Email, Membership, PersonName, Phone, VaultProfile


@dataclass(frozen=True)
class VaultOffer:
    value_id: str  # kind:item-id:field
    value: str  # the exact string to put in the field
    label: str  # how the person recognises it in the approval window


@dataclass(frozen=True)
class ParsedToken:
    field: str
    section: str | None  # "shipping" / "billing"
    contact: str | None  # "home" / "work" / "mobile" / ...


def parse_token(token: str) -> ParsedToken:
    words = token.lower().split()
    if not words:
        return ParsedToken("", None, None)
    hints = words[:-1]
    section = next((w for w in hints if w in SECTION_HINTS), None)
    contact = next((w for w in hints if w in CONTACT_HINTS), None)
    return ParsedToken(words[-1], section, contact)


def _ordered(items: Iterable, preferred: str | None, label_of: Callable = lambda item: item.label) -> list:
    items = list(items)
    if not preferred:
        return items
    return [i for i in items if label_of(i).lower() == preferred] + [
        i for i in items if label_of(i).lower() != preferred
    ]


def _tidy(label: str) -> str:
    return label[:1].upper() + label[1:] if label else ""


# --- names -------------------------------------------------------------------------------------------------


def _name_parts(name: PersonName) -> dict[str, str]:
    """Every name token for one name; given/family come from the full name when only that was stored."""
    given, additional, family = name.given, name.additional, name.family
    if name.full and not (given or family):
        words = name.full.split()
        given = words[0]
        family = words[-1] if len(words) > 1 else ""
        additional = " ".join(words[1:-1])
    full = name.full or " ".join(
        p for p in (name.honorific_prefix, given, additional, family, name.honorific_suffix) if p
    )
    return {
        "name": full,
        "honorific-prefix": name.honorific_prefix,
        "given-name": given,
        "additional-name": additional,
        "family-name": family,
        "honorific-suffix": name.honorific_suffix,
        "nickname": name.nickname,
    }


def _name_offers(profile: VaultProfile, field: str) -> list[VaultOffer]:
    offers = []
    for name in profile.names:
        value = _name_parts(name).get(field, "")
        if value:
            offers.append(VaultOffer(f"name:{name.id}:{field}", value, _tidy(name.label) or "Name"))
    return offers


# --- emails and phones -------------------------------------------------------------------------------------


def _email_offers(profile: VaultProfile, contact: str | None) -> list[VaultOffer]:
    emails: list[Email] = _ordered(profile.emails, contact)
    return [
        VaultOffer(f"email:{e.id}:email", e.address, f"{_tidy(e.label)} email" if e.label else "Email") for e in emails
    ]


def phone_parts(phone: Phone) -> dict[str, str]:
    country = country_for_calling_code(phone.country_code)
    trunk = country.trunk_prefix if country else ""
    parts = {
        "tel": phone.e164,
        "tel-country-code": f"+{phone.country_code}",
        "tel-national": trunk + phone.national,
        "tel-extension": phone.extension,
    }
    if phone.country_code == "1" and len(phone.national) == 10:
        parts |= {
            "tel-area-code": phone.national[:3],
            "tel-local": phone.national[3:],
            "tel-local-prefix": phone.national[3:6],
            "tel-local-suffix": phone.national[6:],
        }
    return parts


def _phone_offers(profile: VaultProfile, field: str, contact: str | None) -> list[VaultOffer]:
    offers = []
    for phone in _ordered(profile.phones, contact):
        value = phone_parts(phone).get(field, "")
        if value:
            offers.append(
                VaultOffer(
                    f"phone:{phone.id}:{field}", value, f"{_tidy(phone.label)} phone" if phone.label else "Phone"
                )
            )
    return offers


# --- addresses ---------------------------------------------------------------------------------------------


# Splitting a street line into house number and street name. Countries write them in either order
# ("8 Rue de la Paix", "Hauptstraße 12", "Calle Mayor, 3"), so the order is read from the line: one number
# (with a letter or a range: "221B", "5/7", "12-14") at the start or at the end, and a street of words with
# no digit. Any other line ("Flat 3, 12 Main St", "Rue du 8 Mai 1945", a post box) is not split: a box the
# person types into is better than half an address in the wrong one.
_HOUSE = r"\d{1,5}(?:\s?[^\W\d_](?!\w))?(?:\s?[-/]\s?\d{1,5}(?:[^\W\d_](?!\w))?)?"
_NUMBER_WORD = r"(?:(?:nr|no|n[°º]?|núm|num)\.?\s*)?"  # "Strada Lungă nr. 4", "Avenida Paulista, nº 1000"
_NUMBER_FIRST = re.compile(rf"(?P<number>{_HOUSE})\s*,?\s+(?P<street>[^\d,]*[^\W\d_][^\d,]*)")
_NUMBER_LAST = re.compile(
    rf"(?P<street>[^\d,]*?[^\W\d_][^\d,]*?)\s*,?\s+{_NUMBER_WORD}(?P<number>{_HOUSE})", re.IGNORECASE
)
_POST_BOX = re.compile(
    r"\b(p\.?\s?o\.?\s?box|postfach|boîte postale|apartado|casella postale|postbus|postboks|box)\b", re.IGNORECASE
)


def street_parts(line: str) -> tuple[str, str] | None:
    """(house number, street name) of one street line, or None when the line cannot be split safely."""
    line = " ".join(line.split())
    if _POST_BOX.search(line):
        return None
    found = _NUMBER_FIRST.fullmatch(line) or _NUMBER_LAST.fullmatch(line)
    if found is None:
        return None
    return found["number"], found["street"].strip()


def address_parts(address: Address) -> dict[str, str]:
    lines = address.lines
    number, street = street_parts(lines[0]) or ("", "")
    return {
        "street-address": "\n".join(lines),
        "address-line1": lines[0],
        HOUSE_NUMBER: number,
        STREET_NAME: street,
        "address-line2": lines[1] if len(lines) > 1 else "",
        "address-line3": lines[2] if len(lines) > 2 else "",
        "address-level1": address.region,
        "address-level2": address.city,
        "address-level3": address.district,
        "address-level4": address.subdistrict,
        "postal-code": address.postal_code,
        "country": address.country,
        "country-name": address.country_name or "",
    }


def address_label(address: Address) -> str:
    where = ", ".join(p for p in (address.lines[0], address.city) if p)
    return f"{_tidy(address.label)} — {where}"


def _address_offers(profile: VaultProfile, field: str, section: str | None, contact: str | None) -> list[VaultOffer]:
    offers = []
    # A shipping form prefers a shipping address, then home; a billing form a billing address, then home.
    addresses: list[Address] = _ordered(profile.addresses, "home")
    addresses = _ordered(addresses, contact)
    addresses = _ordered(addresses, section)
    for address in addresses:
        value = address_parts(address).get(field, "")
        if value:
            offers.append(VaultOffer(f"address:{address.id}:{field}", value, address_label(address)))
    return offers


# --- the rest ----------------------------------------------------------------------------------------------


def _birthday_offers(profile: VaultProfile, field: str) -> list[VaultOffer]:
    born = profile.birthday
    if born is None:
        return []
    # WHATWG: bday-day and bday-month are "valid integers", so 9 not 09; bday is a valid date string.
    parts = {
        "bday": f"{born.year:04d}-{born.month:02d}-{born.day:02d}" if born.year else "",
        "bday-day": str(born.day),
        "bday-month": str(born.month),
        "bday-year": str(born.year) if born.year else "",
    }
    value = parts.get(field, "")
    return [VaultOffer(f"birthday:main:{field}", value, "Birthday")] if value else []


def _organization_offers(profile: VaultProfile, field: str) -> list[VaultOffer]:
    org = profile.organization
    if org is None:
        return []
    value = org.name if field == "organization" else org.title
    return [VaultOffer(f"organization:main:{field}", value, "Organization")] if value else []


def membership_offer(membership: Membership) -> VaultOffer:
    return VaultOffer(f"membership:{membership.id}:{MEMBERSHIP}", membership.number, membership.program)


def site_matches(site: str, program_sites: list[str]) -> bool:
    """Whether a program kept for ``program_sites`` is used on ``site``: that site or, for a registrable domain,
    one under it. A local site (an address or host with its port) matches only itself: ``0.0.1:8080`` is no
    parent of ``127.0.0.1:8080``, nor ``1:8080`` of ``10.0.0.1:8080``."""
    site = site.lower().removeprefix("www.")
    if local(site):
        return site in program_sites
    return any(site == s or (site.endswith("." + s) and not local(s)) for s in program_sites)


def offers_for(profile: VaultProfile, token: str) -> list[VaultOffer]:
    """Every candidate value for ``token``, best first; [] for tokens the vault never fills."""
    parsed = parse_token(token)
    field = parsed.field
    if not field or never_filled(field):
        return []
    if field in {"name", "honorific-prefix", "given-name", "additional-name", "family-name"} | {
        "honorific-suffix",
        "nickname",
    }:
        offers = _name_offers(profile, field)
        if field == "name" and parsed.section:
            # "shipping name": the recipient written on a shipping address comes before the person's own.
            recipients = [
                VaultOffer(f"address:{a.id}:recipient", a.recipient, address_label(a))
                for a in profile.addresses
                if a.label == parsed.section and a.recipient
            ]
            offers = recipients + offers
        return offers
    if field == "email":
        return _email_offers(profile, parsed.contact)
    if field.startswith("tel"):
        return _phone_offers(profile, field, parsed.contact)
    if field.startswith(("address-", "street-address", "postal-code", "country", HOUSE_NUMBER, STREET_NAME)):
        return _address_offers(profile, field, parsed.section, parsed.contact)
    if field.startswith("bday"):
        return _birthday_offers(profile, field)
    if field in {"organization", "organization-title"}:
        return _organization_offers(profile, field)
    if field == MEMBERSHIP:
        return [membership_offer(m) for m in profile.memberships]
    return []  # sex, username, url, photo, impp, language, cc-*, passwords: not stored
