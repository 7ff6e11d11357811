"""Country facts the vault needs: names, calling codes, trunk prefixes and postal code shapes.

The table covers the countries Proffer's people are most likely to live in. For a country that is not in
it, postal codes are accepted leniently (letters, digits, spaces and dashes) and ``country-name`` is not
offered, rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    calling_code: str  # without "+"
    trunk_prefix: str  # dialled before a national number inside the country ("0" in most of Europe)
    postal: str | None  # a full-match regex for the normalised postal code; None = no postal codes
    postal_example: str = ""


_COUNTRIES = (
    Country("US", "United States", "1", "", r"\d{5}(-\d{4})?", "94103 or 94103-1234"),
    Country("CA", "Canada", "1", "", r"[A-Z]\d[A-Z] \d[A-Z]\d", "K1A 0B1"),
    Country(
        "GB",
        "United Kingdom",
        "44",
        "0",
        r"(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})",
        "SW1A 1AA",
    ),
    Country("IE", "Ireland", "353", "0", r"[AC-FHKNPRTV-Y]\d{2}[ ]?[0-9AC-FHKNPRTV-Y]{4}", "D02 X285"),
    Country("FR", "France", "33", "0", r"\d{5}", "75001"),
    Country("DE", "Germany", "49", "0", r"\d{5}", "10115"),
    Country("AT", "Austria", "43", "0", r"\d{4}", "1010"),
    Country("CH", "Switzerland", "41", "0", r"\d{4}", "8001"),
    Country("BE", "Belgium", "32", "0", r"\d{4}", "1000"),
    Country("NL", "Netherlands", "31", "0", r"\d{4} [A-Z]{2}", "1012 AB"),
    Country("LU", "Luxembourg", "352", "", r"(L-)?\d{4}", "1009"),
    Country("ES", "Spain", "34", "", r"\d{5}", "28001"),
    Country("PT", "Portugal", "351", "", r"\d{4}-\d{3}", "1000-001"),
    Country("IT", "Italy", "39", "", r"\d{5}", "00118"),
    Country("DK", "Denmark", "45", "", r"\d{4}", "1050"),
    Country("SE", "Sweden", "46", "0", r"\d{3} \d{2}", "111 22"),
    Country("NO", "Norway", "47", "", r"\d{4}", "0150"),
    Country("FI", "Finland", "358", "0", r"\d{5}", "00100"),
    Country("PL", "Poland", "48", "", r"\d{2}-\d{3}", "00-001"),
    Country("CZ", "Czechia", "420", "", r"\d{3} ?\d{2}", "110 00"),
    Country("GR", "Greece", "30", "", r"\d{3} ?\d{2}", "105 57"),
    Country("AU", "Australia", "61", "0", r"\d{4}", "2000"),
    Country("NZ", "New Zealand", "64", "0", r"\d{4}", "6011"),
    Country("JP", "Japan", "81", "0", r"\d{3}-\d{4}", "100-0001"),
    Country("KR", "South Korea", "82", "0", r"\d{5}", "03187"),
    Country("CN", "China", "86", "0", r"\d{6}", "100000"),
    Country("IN", "India", "91", "0", r"\d{6}", "110001"),
    Country("BR", "Brazil", "55", "0", r"\d{5}-\d{3}", "01310-100"),
    Country("MX", "Mexico", "52", "", r"\d{5}", "06000"),
    Country("ZA", "South Africa", "27", "0", r"\d{4}", "8001"),
    Country("HK", "Hong Kong", "852", "", None),
    Country("AE", "United Arab Emirates", "971", "0", None),
)

COUNTRIES: dict[str, Country] = {c.code: c for c in _COUNTRIES}

# Names address books write in vCards, mapped to ISO codes (lower-cased for lookup).
_ALIASES = {
    "usa": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "deutschland": "DE",
    "österreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "belgië": "BE",
    "belgique": "BE",
    "nederland": "NL",
    "the netherlands": "NL",
    "españa": "ES",
    "italia": "IT",
    "danmark": "DK",
    "sverige": "SE",
    "norge": "NO",
    "suomi": "FI",
    "polska": "PL",
    "czech republic": "CZ",
    "korea": "KR",
    "republic of korea": "KR",
    "brasil": "BR",
    "méxico": "MX",
}


def country_code_for(text: str) -> str | None:
    """An ISO code for a country written as a code or a name; None when it is not recognised."""
    cleaned = text.strip()
    if len(cleaned) == 2 and cleaned.isalpha():
        return cleaned.upper()
    lowered = cleaned.lower()
    for country in _COUNTRIES:
        if country.name.lower() == lowered:
            return country.code
    return _ALIASES.get(lowered)


def country_for_calling_code(calling_code: str) -> Country | None:
    """The country a calling code belongs to, when that is unambiguous enough to pick a trunk prefix."""
    for country in _COUNTRIES:
        if country.calling_code == calling_code:
            return country  # "1" gives US; US and CA share the same numbering plan, so either is right
    return None


def normalise_postal_code(code: str) -> str:
    return " ".join(code.upper().split())


def postal_code_problem(code: str, country: str | None) -> str | None:
    """Why ``code`` is not a postal code of ``country``, or None when it is (or the country is unknown)."""
    known = COUNTRIES.get(country or "")
    if known is None or known.postal is None:
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9 -]{0,11}", code):
            return "a postal code is letters, digits, spaces and dashes (at most 12)"
        return None
    if not re.fullmatch(known.postal, code):
        return f"not a postal code of {known.name} (for example {known.postal_example})"
    return None
