"""vCard 3.0 and 4.0 import of the person's own card."""

from pathlib import Path

import pytest

from companion.vault import Birthday, Email, InvalidVcard, VaultProfile

FIXTURES = Path(__file__).parent / "fixtures"


def values(vault, token):
    return [o.value for o in vault.offers(token)]


def test_vcard_30_as_macos_contacts_exports_it(vault):
    summary = vault.import_vcard((FIXTURES / "marker3-v30.vcf").read_text())
    assert summary.added == {"names": 1, "emails": 2, "phones": 2, "addresses": 2, "birthday": 1, "organization": 1}
    assert values(vault, "given-name") == ["Marker3Given"]
    assert values(vault, "family-name") == ["Marker3Family"]
    assert values(vault, "additional-name") == ["Marker3Middle"]
    assert values(vault, "honorific-prefix") == ["Mme"]
    assert values(vault, "nickname") == ["Marker3Nick"]
    assert values(vault, "email") == ["marker3.home@example.org", "marker3.work@example.com"]
    # national numbers take the calling code of the card's address country (France: +33, trunk 0)
    assert values(vault, "tel") == ["+33612345678", "+33145678910"]
    assert values(vault, "home tel-national") == ["0145678910", "0612345678"]
    assert values(vault, "street-address")[0] == "17 Rue Marker3\nCour B\nApt 3"
    assert values(vault, "country") == ["FR", "FR"]
    assert values(vault, "address-level1")[0] == "Rhône"
    assert values(vault, "bday") == ["1984-07-05"]  # folded across two lines in the file
    assert values(vault, "organization") == ["Marker3 Org, Inc."]
    assert values(vault, "organization-title") == ["Marker3 Title"]
    assert summary.skipped == [
        "EMAIL #3: not an email address (expected something like name@example.org)",
        "NOTE: not kept (the vault stores only what forms ask for)",
        "PHOTO: not kept (the vault stores only what forms ask for)",
        "X-ABADR: not kept (the vault stores only what forms ask for)",
    ]


def test_vcard_40_with_uri_phones_and_a_yearless_birthday(vault):
    summary = vault.import_vcard((FIXTURES / "marker4-v40.vcf").read_text())
    assert values(vault, "name") == ["Marker4Given Marker4Family"]
    assert values(vault, "honorific-suffix") == ["Jr."]
    assert values(vault, "tel") == ["+16175550142", "+442079460958"]
    assert values(vault, "tel-extension") == ["77"]
    assert values(vault, "tel-area-code") == ["617"]
    assert values(vault, "street-address") == ["17 Marker4 Street"]
    assert values(vault, "country-name") == ["United States"]
    assert values(vault, "postal-code") == ["01101"]
    assert values(vault, "bday-month") == ["4"]
    assert values(vault, "bday-year") == []
    assert vault.profile().birthday == Birthday(month=4, day=12)
    assert values(vault, "email") == ["marker4@example.org"]  # only the first card is the person's own
    assert summary.skipped[0] == "1 more card(s) in the file: only the first (your own) was read"


def test_importing_again_adds_nothing_and_keeps_existing_values(vault):
    vault.update(VaultProfile(emails=[Email(address="kept@example.org")], birthday=Birthday(year=1990, month=1, day=1)))
    text = (FIXTURES / "marker3-v30.vcf").read_text()
    vault.import_vcard(text)
    second = vault.import_vcard(text)
    assert second.added == {}
    assert "BDAY: the vault already holds a different birthday; change it in the dashboard" in second.skipped
    assert values(vault, "email")[0] == "kept@example.org"
    assert values(vault, "bday") == ["1990-01-01"]
    assert len(vault.profile().emails) == 3


@pytest.mark.parametrize("text", ["", "hello", "BEGIN:VCARD\nFN:Unterminated\n"])
def test_not_a_vcard_is_refused_and_nothing_changes(vault, text):
    before = vault.profile()
    with pytest.raises(InvalidVcard):
        vault.import_vcard(text)
    assert vault.profile() == before


def test_a_phone_without_a_country_and_no_address_is_skipped_with_the_reason(vault):
    summary = vault.import_vcard("BEGIN:VCARD\nVERSION:3.0\nFN:A B\nTEL:555 0100\nEND:VCARD\n")
    assert vault.profile().phones == []
    assert summary.skipped == ["TEL #1: it has no country code (+…) and the card has no address to infer one from"]
