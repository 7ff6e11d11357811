"""Import the person's own contact card from vCard 3.0 or 4.0 (RFC 2426, RFC 6350), as address books export.

Only the first card is read: it is the person's own. The parser unfolds continuation lines, accepts
groups (``item1.EMAIL``), quoted parameters, 3.0 ``TYPE=home,work`` lists, 2.1 bare types (``TEL;CELL``)
and quoted-printable values, and unescapes ``\\n \\, \\; \\\\``.

Merging never removes or overwrites: new emails, phones, addresses and names are added (duplicates
dropped), a birthday or organization is set only where there was none. Whatever is left out is listed in
the summary with the reason, naming the property but never echoing its value (the summary may be printed
or logged).
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from companion.vault.errors import InvalidVcard
from companion.vault.geo import COUNTRIES, country_code_for
from companion.vault.model import (
    Address,
    Birthday,
    Email,
    ImportSummary,
    Organization,
    PersonName,
    Phone,
    VaultProfile,
    describe,
)

MAX_VCARD_CHARS = 5 * 1024 * 1024  # an embedded photo can be large; the rest is tiny
IGNORED_QUIETLY = {"BEGIN", "END", "VERSION", "PRODID", "REV", "UID", "KIND", "SOURCE", "CLIENTPIDMAP"}
CALLING_CODES = sorted({c.calling_code for c in COUNTRIES.values()}, key=len)


@dataclass
class ContentLine:
    name: str
    params: dict[str, list[str]]
    value: str
    types: set[str] = field(default_factory=set)


def _split_unquoted(text: str, separator: str) -> list[str]:
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _parse_line(line: str) -> ContentLine | None:
    head_and_value = _split_unquoted(line, ":")
    if len(head_and_value) < 2:
        return None
    head, value = head_and_value[0], ":".join(head_and_value[1:])
    name, *raw_params = _split_unquoted(head, ";")
    name = name.rsplit(".", 1)[-1].upper()  # drop the group
    params: dict[str, list[str]] = {}
    for raw in raw_params:
        key, sep, val = raw.partition("=")
        if not sep:  # vCard 2.1: a bare type such as HOME or CELL
            key, val = "TYPE", key
        values = [v.strip().strip('"') for v in val.split(",")]
        params.setdefault(key.upper(), []).extend(values)
    if "QUOTED-PRINTABLE" in (v.upper() for v in params.get("ENCODING", [])):
        value = quopri.decodestring(value.encode("latin-1", "replace")).decode("utf-8", "replace")
    types = {t.lower() for t in params.get("TYPE", [])}
    return ContentLine(name, params, value, types)


def _unescape(text: str) -> str:
    return re.sub(r"\\([nN,;\\])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _components(value: str) -> list[str]:
    """A structured value split on unescaped ';', each part unescaped."""
    return [_unescape(p) for p in re.split(r"(?<!\\);", value)]


def read_first_card(text: str) -> tuple[list[ContentLine], int]:
    """The content lines of the first card, and how many more cards the text held."""
    if len(text) > MAX_VCARD_CHARS:
        raise InvalidVcard(f"the file is larger than {MAX_VCARD_CHARS // (1024 * 1024)} MiB; is it one card?")
    unfolded = re.sub(r"\r?\n[ \t]", "", text.replace("\r\n", "\n"))
    # vCard 2.1 quoted-printable soft line breaks ("=" at the end of a line)
    unfolded = re.sub(r"=\n", "", unfolded)
    cards: list[list[ContentLine]] = []
    current: list[ContentLine] | None = None
    for raw in unfolded.split("\n"):
        line = raw.strip("\r")
        if not line.strip():
            continue
        upper = line.upper()
        if upper.startswith("BEGIN:VCARD"):
            current = []
        elif upper.startswith("END:VCARD"):
            if current is not None:
                cards.append(current)
            current = None
        elif current is not None:
            parsed = _parse_line(line)
            if parsed is not None:
                current.append(parsed)
    if not cards:
        raise InvalidVcard("no complete vCard found (expected BEGIN:VCARD … END:VCARD)")
    return cards[0], len(cards) - 1


def _label(types: set[str], allowed: tuple[str, ...]) -> str:
    return next((t for t in allowed if t in types), "")


def _split_e164(digits: str) -> tuple[str, str] | None:
    for code in CALLING_CODES:  # calling codes are prefix-free, so at most one matches
        if digits.startswith(code):
            return code, digits[len(code) :]
    return None


def _phone(line: ContentLine, default_calling_code: str | None) -> Phone:
    value = _unescape(line.value).strip()
    extension = ""
    if value.lower().startswith("tel:"):
        value, _, params = value[4:].partition(";")
        match = re.search(r"ext=(\d+)", params)
        extension = match.group(1) if match else ""
    match = re.search(r"(?:ext\.?|x)\s*(\d+)\s*$", value, re.IGNORECASE)
    if match:
        extension, value = match.group(1), value[: match.start()]
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith(("+", "00")):
        split = _split_e164(digits.removeprefix("00") if value.strip().startswith("00") else digits)
        if split is None:
            raise ValueError("its country calling code is not one Proffer knows; add it in the dashboard")
        calling_code, national = split
    elif default_calling_code:
        calling_code, national = default_calling_code, digits
    else:
        raise ValueError("it has no country code (+…) and the card has no address to infer one from")
    label = _label(line.types, ("cell", "home", "work", "fax", "pager"))
    return Phone(
        label="mobile" if label == "cell" else label,
        country_code=calling_code,
        national=national,
        extension=extension,
    )


def _address(line: ContentLine) -> Address:
    parts = _components(line.value) + [""] * 7
    pobox, extended, street, city, region, postal, country_text = (p.strip() for p in parts[:7])
    lines = [s.strip() for s in street.split("\n") if s.strip()]
    if extended:
        lines.append(extended)
    if pobox:
        lines.append(pobox if pobox.lower().startswith(("po", "p.o", "box")) else f"PO Box {pobox}")
    country = country_code_for(country_text) if country_text else ""
    if country_text and not country:
        raise ValueError("its country is not one Proffer recognises; add the address in the dashboard")
    label = _label(line.types, ("home", "work")) or "home"
    return Address.model_validate(
        {
            "label": label,
            "lines": lines[:3],
            "city": city,
            "region": region,
            "postal_code": postal,
            "country": country,
        },
        strict=False,
    )


def _birthday(value: str) -> Birthday:
    value = value.strip().split("T")[0]
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", value) or re.fullmatch(r"--(\d{2})-?(\d{2})", value)
    if match is None:
        raise ValueError("its date is not in a form Proffer reads (YYYY-MM-DD or --MMDD)")
    if len(match.groups()) == 3:
        year, month, day = (int(g) for g in match.groups())
        return Birthday(year=year, month=month, day=day)
    month, day = (int(g) for g in match.groups())
    return Birthday(month=month, day=day)


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(p.split(": ", 1)[-1] for p in describe(exc))
    return str(exc)


def merge_vcard(profile: VaultProfile, text: str) -> tuple[VaultProfile, ImportSummary]:
    """``profile`` with the card's values added, and a summary of what was added and left out."""
    lines, more_cards = read_first_card(text)
    skipped: list[str] = []
    if more_cards:
        skipped.append(f"{more_cards} more card(s) in the file: only the first (your own) was read")
    names, emails, phones = list(profile.names), list(profile.emails), list(profile.phones)
    addresses, birthday, organization = list(profile.addresses), profile.birthday, profile.organization
    added = {"names": 0, "emails": 0, "phones": 0, "addresses": 0, "birthday": 0, "organization": 0}

    by_name: dict[str, list[ContentLine]] = {}
    for line in lines:
        by_name.setdefault(line.name, []).append(line)

    # Addresses first: their country gives national phone numbers their calling code.
    for index, line in enumerate(by_name.get("ADR", []), 1):
        try:
            address = _address(line)
        except (ValueError, ValidationError) as exc:
            skipped.append(f"ADR #{index}: {_why(exc)}")
            continue
        key = (tuple(address.lines), address.postal_code, address.country)
        if all((tuple(a.lines), a.postal_code, a.country) != key for a in addresses):
            addresses.append(address)
            added["addresses"] += 1
    known_country = next((COUNTRIES.get(a.country) for a in addresses if a.country in COUNTRIES), None)
    default_calling_code = known_country.calling_code if known_country else None

    name = _name(by_name)
    if name is not None and all(_same_name(name, n) is False for n in names):
        names.append(name)
        added["names"] += 1

    for index, line in enumerate(by_name.get("EMAIL", []), 1):
        try:
            email = Email(address=_unescape(line.value).strip(), label=_label(line.types, ("home", "work")))
        except ValidationError as exc:
            skipped.append(f"EMAIL #{index}: {_why(exc)}")
            continue
        if all(e.address.lower() != email.address.lower() for e in emails):
            emails.append(email)
            added["emails"] += 1

    for index, line in enumerate(by_name.get("TEL", []), 1):
        try:
            phone = _phone(line, default_calling_code)
        except (ValueError, ValidationError) as exc:
            skipped.append(f"TEL #{index}: {_why(exc)}")
            continue
        if all(p.e164 != phone.e164 for p in phones):
            phones.append(phone)
            added["phones"] += 1

    for line in by_name.get("BDAY", [])[:1]:
        try:
            born = _birthday(line.value)
        except (ValueError, ValidationError) as exc:
            skipped.append(f"BDAY: {_why(exc)}")
        else:
            if birthday is None:
                birthday, added["birthday"] = born, 1
            elif birthday != born:
                skipped.append("BDAY: the vault already holds a different birthday; change it in the dashboard")

    org_name = _components(by_name["ORG"][0].value)[0].strip() if "ORG" in by_name else ""
    title = _unescape(by_name["TITLE"][0].value).strip() if "TITLE" in by_name else ""
    if (org_name or title) and (organization is None or not (organization.name or organization.title)):
        organization, added["organization"] = Organization(name=org_name[:200], title=title[:200]), 1

    handled = {"ADR", "EMAIL", "TEL", "BDAY", "ORG", "TITLE", "N", "FN", "NICKNAME"}
    for prop in sorted(set(by_name) - handled - IGNORED_QUIETLY):
        skipped.append(f"{prop}: not kept (the vault stores only what forms ask for)")

    merged = VaultProfile.parse(
        {
            **profile.model_dump(),
            "names": [n.model_dump() for n in names],
            "emails": [e.model_dump() for e in emails],
            "phones": [p.model_dump() for p in phones],
            "addresses": [a.model_dump() for a in addresses],
            "birthday": birthday.model_dump() if birthday else None,
            "organization": organization.model_dump() if organization else None,
        }
    )
    return merged, ImportSummary(added={k: v for k, v in added.items() if v}, skipped=skipped)


def _name(by_name: dict[str, list[ContentLine]]) -> PersonName | None:
    full = _unescape(by_name["FN"][0].value).strip() if "FN" in by_name else ""
    parts = (_components(by_name["N"][0].value) + [""] * 5)[:5] if "N" in by_name else [""] * 5
    family, given, additional, prefix, suffix = (" ".join(p.replace(",", " ").split()) for p in parts)
    nickname = _components(by_name["NICKNAME"][0].value)[0].split(",")[0].strip() if "NICKNAME" in by_name else ""
    try:
        return PersonName(
            full=full[:200],
            given=given[:200],
            family=family[:200],
            additional=additional[:200],
            honorific_prefix=prefix[:200],
            honorific_suffix=suffix[:200],
            nickname=nickname[:200],
        )
    except ValidationError:
        return None  # a card without any name: nothing to add


def _same_name(a: PersonName, b: PersonName) -> bool:
    return a.model_dump(exclude={"id", "label"}) == b.model_dump(exclude={"id", "label"})
