"""Validation of what the person enters, with messages that say what is wrong and where."""

import pytest

from companion.vault import Address, Email, InvalidProfile, Phone, VaultProfile


def problems(data):
    with pytest.raises(InvalidProfile) as caught:
        VaultProfile.parse(data)
    return caught.value.problems


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b", "two@@example.org", "spaces in@example.org", "a@-x.org"])
def test_bad_emails_are_refused_with_a_located_message(bad):
    assert problems({"emails": [{"address": bad}]}) == [
        "emails.0.address: not an email address (expected something like name@example.org)"
    ]


def test_email_domain_is_lower_cased_local_part_kept():
    assert Email(address="Ada.L@Example.ORG").address == "Ada.L@example.org"


@pytest.mark.parametrize(
    ("country_code", "national", "stored"),
    [("+44", "07700 900431", ("44", "7700900431")), ("1", "(650) 555-1234", ("1", "6505551234"))],
)
def test_phones_are_split_and_normalised(country_code, national, stored):
    phone = Phone(country_code=country_code, national=national)
    assert (phone.country_code, phone.national) == stored


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ({"country_code": "1", "national": "555-1234"}, "phones.0: a +1 number has 10 digits after the country code"),
        ({"country_code": "abc", "national": "123456"}, "phones.0.country_code: a country calling code is 1 to 3"),
        ({"country_code": "33", "national": "call me"}, "phones.0.national: a phone number is digits"),
    ],
)
def test_bad_phones_are_refused(phone, message):
    [problem] = problems({"phones": [phone]})
    assert problem.startswith(message)


@pytest.mark.parametrize(
    ("country", "postal", "ok"),
    [
        ("GB", "sw1a 1aa", True),
        ("GB", "12345", False),
        ("FR", "75002", True),
        ("FR", "7500", False),
        ("US", "94103-1234", True),
        ("US", "ABCDE", False),
        ("DE", "10115", True),
        ("NL", "1012 ab", True),
        ("CA", "K1A 0B1", True),
        ("JP", "1000001", False),
        ("ZZ", "any 123", True),  # unknown country: lenient
        ("", "whatever-1", True),
    ],
)
def test_postal_codes_per_country(country, postal, ok):
    data = {"addresses": [{"lines": ["1 Street"], "postal_code": postal, "country": country}]}
    if ok:
        VaultProfile.parse(data)
    else:
        [problem] = problems(data)
        assert problem.startswith("addresses.0: postal code")
        assert "for example" in problem


def test_every_problem_is_listed_at_once_without_echoing_values():
    found = problems(
        {
            "emails": [{"address": "secret-marker-no-at"}],
            "addresses": [{"lines": [], "country": "France"}],
            "birthday": {"month": 2, "day": 30},
            "unexpected": 1,
        }
    )
    assert len(found) == 5
    assert not any("secret-marker" in p for p in found)
    assert any(p.startswith("unexpected:") for p in found)
    assert any(p.startswith("birthday:") and "not a day" in p for p in found)


def test_items_keep_their_ids_and_ids_must_be_unique():
    address = Address(lines=["1 Street"])
    assert VaultProfile.parse({"addresses": [address.model_dump()]}).addresses[0].id == address.id
    assert "two items share the id" in problems({"emails": [{"id": "abcdef", "address": "a@b.org"}] * 2})[0]
