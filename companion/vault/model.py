"""What the vault holds, as strict pydantic records: the one shape for disk, the dashboard and the CLI.

Every item that can be offered has an ``id`` that stays the same across edits, so a value offered in an
approval window can be released later by id, and ledger entries can point at it. Values are normalised on
the way in (an email's domain lower-cased, a phone split into country code and national significant number,
a postal code upper-cased) so every autocomplete part can be derived from one stored form.

Payment cards and passwords have no place here on purpose: Proffer recognises such fields and never fills
them.
"""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from companion.vault.errors import InvalidProfile
from companion.vault.geo import COUNTRIES, country_for_calling_code, normalise_postal_code, postal_code_problem

MAX_ITEMS = 50

ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{6,32}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]

# The WHATWG "valid e-mail address" shape, plus a dot in the domain: shops reject dotless domains.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# A registrable domain, or (as companion.sites names them) an IP address or single-label host with its port.
_SITE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+|(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\]):[0-9]{{1,5}}")
# National significant number lengths for calling codes with a well-known plan; others: 4..14 digits.
_NATIONAL_LENGTHS = {"1": (10, 10), "44": (9, 10), "33": (9, 9), "49": (6, 13), "31": (9, 9), "34": (9, 9)}


def new_id() -> str:
    return secrets.token_hex(6)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PersonName(Record):
    id: ItemId = Field(default_factory=new_id)
    label: Label = ""
    honorific_prefix: Text = ""
    given: Text = ""
    additional: Text = ""
    family: Text = ""
    honorific_suffix: Text = ""
    nickname: Text = ""
    full: Text = ""  # as the person writes it; when empty, built from the parts

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not (self.given or self.family or self.full or self.nickname):
            raise ValueError("a name needs at least a given name, a family name or a full name")
        return self


class Email(Record):
    id: ItemId = Field(default_factory=new_id)
    label: Label = ""
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]

    @field_validator("address")
    @classmethod
    def _valid(cls, value: str) -> str:
        if not _EMAIL.fullmatch(value):
            raise ValueError("not an email address (expected something like name@example.org)")
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"


class Phone(Record):
    id: ItemId = Field(default_factory=new_id)
    label: Label = ""
    country_code: str  # digits, without "+"
    national: str  # the national significant number: digits, without the trunk prefix
    extension: Annotated[str, StringConstraints(pattern=r"^\d{0,8}$")] = ""

    @field_validator("country_code", mode="before")
    @classmethod
    def _calling_code(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().removeprefix("+").removeprefix("00")
            if not re.fullmatch(r"[1-9]\d{0,2}", value):
                raise ValueError("a country calling code is 1 to 3 digits, like +44")
        return value

    @field_validator("national", mode="before")
    @classmethod
    def _digits(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not re.fullmatch(r"[\d\s().\-/]+", value.strip() or "x"):
                raise ValueError("a phone number is digits, optionally with spaces, dashes or brackets")
            value = re.sub(r"\D", "", value)
        return value

    @model_validator(mode="after")
    def _plan(self) -> Self:
        country = country_for_calling_code(self.country_code)
        national = self.national
        if country and country.trunk_prefix and national.startswith(country.trunk_prefix):
            # People type the number as they dial it at home (07700 900431); store it without the 0.
            national = national[len(country.trunk_prefix) :]
            object.__setattr__(self, "national", national)
        low, high = _NATIONAL_LENGTHS.get(self.country_code, (4, 14))
        if not (low <= len(national) <= high) or len(national) + len(self.country_code) > 15:
            expected = f"{low}" if low == high else f"{low} to {high}"
            raise ValueError(f"a +{self.country_code} number has {expected} digits after the country code")
        return self

    @property
    def e164(self) -> str:
        return f"+{self.country_code}{self.national}"


AddressLabel = Literal["home", "work", "shipping", "billing", "other"]


class Address(Record):
    id: ItemId = Field(default_factory=new_id)
    label: AddressLabel = "home"
    recipient: Text = ""  # a different name on the door, if any
    lines: Annotated[list[Text], Field(min_length=1, max_length=3)]
    city: Text = ""  # address-level2
    region: Text = ""  # address-level1: state, province, county
    district: Text = ""  # address-level3
    subdistrict: Text = ""  # address-level4
    postal_code: Annotated[str, StringConstraints(max_length=16)] = ""
    country: str = ""  # ISO 3166-1 alpha-2, or empty when unknown

    @field_validator("lines")
    @classmethod
    def _lines(cls, lines: list[str]) -> list[str]:
        kept = [line for line in lines if line]
        if not kept:
            raise ValueError("an address needs at least one street line")
        return kept

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
            if value and not re.fullmatch(r"[A-Z]{2}", value):
                raise ValueError("a country is a two-letter ISO code, like FR or GB")
        return value

    @field_validator("postal_code", mode="before")
    @classmethod
    def _postal(cls, value: Any) -> Any:
        return normalise_postal_code(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _postal_for_country(self) -> Self:
        if self.postal_code:
            problem = postal_code_problem(self.postal_code, self.country or None)
            if problem:
                raise ValueError(f"postal code {self.postal_code!r}: {problem}")
        return self

    @property
    def country_name(self) -> str | None:
        known = COUNTRIES.get(self.country)
        return known.name if known else None


class Birthday(Record):
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None  # vCards may carry only month and day
    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=1, le=31)]

    @model_validator(mode="after")
    def _real_date(self) -> Self:
        try:
            born = datetime.date(self.year or 2000, self.month, self.day)  # 2000: a leap year allows 29 Feb
        except ValueError:
            raise ValueError(f"{self.month}/{self.day} is not a day of the year") from None
        if born > datetime.date.today():
            raise ValueError("a birthday cannot be in the future")
        return self


class Organization(Record):
    name: Text = ""
    title: Text = ""


class Membership(Record):
    id: ItemId = Field(default_factory=new_id)
    program: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    sites: Annotated[list[str], Field(max_length=20)] = []  # the sites (companion.sites) the program is used on
    email: Text = ""  # the email or phone the shop knows this membership by
    phone: Text = ""

    @field_validator("sites")
    @classmethod
    def _sites(cls, sites: list[str]) -> list[str]:
        cleaned = []
        for site in sites:
            site = site.strip().lower().removeprefix("www.")
            if not _SITE.fullmatch(site):
                raise ValueError(f"{site!r} is not a site name (expected something like shop.example)")
            cleaned.append(site)
        return cleaned


class VaultProfile(Record):
    """Everything the vault holds. Stored as one sealed document."""

    format: Literal[1] = 1
    names: Annotated[list[PersonName], Field(max_length=MAX_ITEMS)] = []
    emails: Annotated[list[Email], Field(max_length=MAX_ITEMS)] = []
    phones: Annotated[list[Phone], Field(max_length=MAX_ITEMS)] = []
    addresses: Annotated[list[Address], Field(max_length=MAX_ITEMS)] = []
    birthday: Birthday | None = None
    organization: Organization | None = None
    memberships: Annotated[list[Membership], Field(max_length=MAX_ITEMS)] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        seen: set[str] = set()
        for item in [*self.names, *self.emails, *self.phones, *self.addresses, *self.memberships]:
            if item.id in seen:
                raise ValueError(f"two items share the id {item.id}")
            seen.add(item.id)
        return self

    @classmethod
    def parse(cls, data: dict[str, Any]) -> VaultProfile:
        """Validate plain data (from a form or a JSON file); InvalidProfile lists every problem."""
        try:
            return cls.model_validate(data, strict=False)
        except ValidationError as exc:
            raise InvalidProfile(describe(exc)) from None

    @classmethod
    def parse_json(cls, text: str | bytes) -> VaultProfile:
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            raise InvalidProfile(describe(exc)) from None


class ImportSummary(Record):
    """What an import added, and what it left out and why."""

    added: dict[str, int]  # kind -> how many items were added
    skipped: list[str]  # person-readable reasons, one per left-out property


def describe(exc: ValidationError) -> list[str]:
    """Pydantic errors as ``loc: msg`` lines, without echoing the input (it is personal data)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        location = ".".join(str(part) for part in error["loc"]) or "(profile)"
        problems.append(f"{location}: {error['msg'].removeprefix('Value error, ')}")
    return problems
