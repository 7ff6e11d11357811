"""Every autocomplete token the vault fills, derived from one stored form."""

import pytest

from companion.tokens import never_filled
from companion.vault import Address, Birthday, Email, Membership, Organization, PersonName, Phone, Vault, VaultProfile
from companion.vault.tokens import site_matches, street_parts
from tests.companion.vault.conftest import PASSPHRASE

PROFILE = VaultProfile(
    names=[
        PersonName(
            id="name01",
            honorific_prefix="Dr",
            given="Grace",
            additional="Brewster",
            family="Hopper",
            honorific_suffix="PhD",
            nickname="Amazing",
        )
    ],
    emails=[
        Email(id="mail01", label="home", address="grace@example.org"),
        Email(id="mail02", label="work", address="ghopper@example.navy"),
    ],
    phones=[
        Phone(id="tel001", label="mobile", country_code="1", national="(617) 253-5702", extension="42"),
        Phone(id="tel002", label="home", country_code="33", national="01 42 68 53 00"),
    ],
    addresses=[
        Address(
            id="adr001",
            label="home",
            lines=["8 Rue de la Paix", "Bâtiment B", "3e étage"],
            city="Paris",
            region="Île-de-France",
            district="2e arrondissement",
            postal_code="75002",
            country="FR",
        ),
        Address(id="adr002", label="shipping", lines=["1 Depot Way"], city="Boston", postal_code="02108", country="us"),
        Address(id="adr003", label="billing", lines=["Postfach 9"], city="Wien", postal_code="1010", country="AT"),
    ],
    birthday=Birthday(year=1906, month=12, day=9),
    organization=Organization(name="US Navy", title="Rear Admiral"),
    memberships=[
        Membership(id="mem001", program="Lindenhof Club", number="LH-0042", sites=["lindenhof.test"]),
        Membership(id="mem002", program="Other Rewards", number="OR-7", sites=["other.example"]),
    ],
)


def first(vault, token):
    offers = vault.offers(token)
    return offers[0].value if offers else None


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One vault for the read-only tests: an Argon2id run per test would dominate the suite's time."""
    vault = Vault(tmp_path_factory.mktemp("tokens") / "vault")
    vault.create(PASSPHRASE)
    return vault


@pytest.fixture
def filled(shared):
    shared.update(PROFILE)  # tests that edit get the full profile back for the next one
    return shared


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("name", "Dr Grace Brewster Hopper PhD"),
        ("honorific-prefix", "Dr"),
        ("given-name", "Grace"),
        ("additional-name", "Brewster"),
        ("family-name", "Hopper"),
        ("honorific-suffix", "PhD"),
        ("nickname", "Amazing"),
        ("email", "grace@example.org"),
        ("work email", "ghopper@example.navy"),
        ("tel", "+16172535702"),
        ("tel-country-code", "+1"),
        ("tel-national", "6172535702"),
        ("tel-area-code", "617"),
        ("tel-local", "2535702"),
        ("tel-local-prefix", "253"),
        ("tel-local-suffix", "5702"),
        ("tel-extension", "42"),
        ("home tel", "+33142685300"),
        ("home tel-national", "0142685300"),  # the French trunk prefix is put back for national format
        ("street-address", "8 Rue de la Paix\nBâtiment B\n3e étage"),
        ("address-line1", "8 Rue de la Paix"),
        ("address-line2", "Bâtiment B"),
        ("address-line3", "3e étage"),
        ("address-level1", "Île-de-France"),
        ("address-level2", "Paris"),
        ("address-level3", "2e arrondissement"),
        ("postal-code", "75002"),
        ("country", "FR"),
        ("country-name", "France"),
        ("shipping street-address", "1 Depot Way"),
        ("shipping postal-code", "02108"),
        ("shipping country", "US"),
        ("billing address-level2", "Wien"),
        ("section-checkout billing postal-code", "1010"),
        ("bday", "1906-12-09"),
        ("bday-day", "9"),
        ("bday-month", "12"),
        ("bday-year", "1906"),
        ("house-number", "8"),
        ("street-name", "Rue de la Paix"),
        ("shipping house-number", "1"),
        ("organization", "US Navy"),
        ("organization-title", "Rear Admiral"),
        ("membership-number", "LH-0042"),
    ],
)
def test_token_derivation(filled, token, expected):
    assert first(filled, token) == expected


@pytest.mark.parametrize(
    "token",
    [
        *("cc-number", "cc-csc", "billing cc-exp", "cc-some-future-part", "transaction-amount"),
        *("current-password", "new-password", "one-time-code", "sex", "", "url"),
    ],
)
def test_cards_passwords_and_unstored_tokens_are_never_offered(filled, token):
    assert filled.offers(token) == []


@pytest.mark.parametrize(
    ("field_name", "refused"),
    [
        *((t, True) for t in ("cc-number", "cc-exp", "cc-some-future-part", "transaction-amount")),
        *((t, True) for t in ("new-password", "current-password", "one-time-code")),
        *((t, False) for t in ("email", "tel", "address-line1", "name", "bday", "cc", "transaction")),
    ],
)
def test_never_filled_names_cards_secrets_and_payment_terms(field_name, refused):
    assert never_filled(field_name) is refused


def test_a_section_orders_without_hiding_the_others(filled):
    offers = filled.offers("shipping address-line1")
    assert [o.value for o in offers] == ["1 Depot Way", "8 Rue de la Paix", "Postfach 9"]
    assert offers[0].label == "Shipping — 1 Depot Way, Boston"


def test_parts_that_do_not_exist_are_not_offered(filled):
    # Area code is only defined for +1 numbers; the French one has none.
    assert [o.value_id for o in filled.offers("tel-area-code")] == ["phone:tel001:tel-area-code"]
    assert [o.value for o in filled.offers("address-line2")] == ["Bâtiment B"]


@pytest.mark.parametrize(
    ("line", "number", "street"),
    [
        ("8 Rue de la Paix", "8", "Rue de la Paix"),
        ("221B Baker Street", "221B", "Baker Street"),
        ("12-14 High St", "12-14", "High St"),
        ("8, rue de Rivoli", "8", "rue de Rivoli"),
        ("Hauptstraße 12", "12", "Hauptstraße"),
        ("Via Roma 5a", "5a", "Via Roma"),
        ("ul. Długa 5/7", "5/7", "ul. Długa"),
        ("Calle Mayor, 3", "3", "Calle Mayor"),
        ("Strada Lungă nr. 4", "4", "Strada Lungă"),
        ("Avenida Paulista, nº 1000", "1000", "Avenida Paulista"),
        ("Leninskiy  prospekt 32A", "32A", "Leninskiy prospekt"),
    ],
)
def test_a_street_line_splits_into_number_and_name_in_either_order(line, number, street):
    assert street_parts(line) == (number, street)


@pytest.mark.parametrize(
    "line",
    ["Flat 3, 12 Main St", "Rue du 8 Mai 1945", "5th Avenue 12", "Postfach 9", "PO Box 12", "Main Street", "12"],
)
def test_a_street_line_that_cannot_be_split_safely_is_not(line):
    assert street_parts(line) is None


def test_an_address_whose_line_does_not_split_offers_no_parts(filled):
    # The billing address is a post box: no house number or street name is made up for it.
    assert [o.value for o in filled.offers("billing house-number")] == ["8", "1"]
    assert [o.value for o in filled.offers("street-name")] == ["Rue de la Paix", "Depot Way"]


def test_a_full_name_alone_gives_its_parts(vault):
    vault.update(VaultProfile(names=[PersonName(full="Ada Quintessa Lovelace")]))
    assert first(vault, "given-name") == "Ada"
    assert first(vault, "additional-name") == "Quintessa"
    assert first(vault, "family-name") == "Lovelace"
    assert first(vault, "name") == "Ada Quintessa Lovelace"


def test_release_gives_the_offered_value_for_that_token_only(filled):
    offer = filled.offers("shipping postal-code")[0]
    assert filled.release(offer.value_id, "shipping postal-code") == "02108"
    assert filled.release(offer.value_id, "email") is None  # an id cannot be released under another token
    assert filled.release("address:nosuch:postal-code", "postal-code") is None


def test_release_of_an_item_edited_away_gives_none(filled):
    offer = filled.offers("email")[0]
    filled.update(PROFILE.model_copy(update={"emails": PROFILE.emails[1:]}))
    assert filled.release(offer.value_id, "email") is None


def test_memberships_for_a_site_include_its_subdomains_only(filled):
    assert [o.value for o in filled.memberships_for_site("lindenhof.test")] == ["LH-0042"]
    assert [o.label for o in filled.memberships_for_site("shop.lindenhof.test")] == ["Lindenhof Club"]
    assert filled.memberships_for_site("notlindenhof.test") == []
    assert filled.memberships_for_site("evil.example") == []


@pytest.mark.parametrize(
    ("site", "program_sites", "matches"),
    [
        ("shop.lindenhof.test", ["lindenhof.test"], True),  # a registrable domain: its subdomains too
        ("www.lindenhof.test", ["lindenhof.test"], True),
        ("127.0.0.1:8080", ["127.0.0.1:8080"], True),  # a local site: itself
        ("[::1]:8000", ["[::1]:8000"], True),
        ("localhost:80", ["localhost:80"], True),
        ("127.0.0.1:8080", ["0.0.1:8080"], False),  # an address has no parent
        ("10.0.0.1:8080", ["1:8080"], False),
        ("192.168.0.1:80", ["168.0.1:80"], False),
        ("127.0.0.1:8080", ["127.0.0.1:8081"], False),  # nor another port
        ("nas.10.0.0.1", ["10.0.0.1"], False),  # a bare address saved before sites had ports is no parent either
        ("notlindenhof.test", ["lindenhof.test"], False),
    ],
)
def test_a_local_site_matches_only_itself_and_a_domain_its_subdomains(site, program_sites, matches):
    assert site_matches(site, program_sites) is matches


def test_a_membership_kept_for_a_local_site_is_offered_on_that_site_only(filled):
    club = Membership(program="Router Club", number="RC-7", sites=["0.1:8080"])
    filled.update(PROFILE.model_copy(update={"memberships": [club]}))
    assert filled.memberships_for_site("127.0.0.1:8080") == []
    assert [o.value for o in filled.memberships_for_site("0.1:8080")] == ["RC-7"]


def test_value_ids_are_unique_and_stable_across_reads(filled):
    tokens = ["email", "tel", "postal-code", "address-line1", "name", "membership-number"]
    ids = [o.value_id for t in tokens for o in filled.offers(t)]
    assert len(ids) == len(set(ids))
    assert ids == [o.value_id for t in tokens for o in filled.offers(t)]


def test_a_shipping_recipient_comes_first_for_a_shipping_name(filled):
    gift = Address(id="adr009", label="shipping", recipient="Gift Recipient", lines=["9 Gift Road"], country="GB")
    filled.update(PROFILE.model_copy(update={"addresses": [*PROFILE.addresses, gift]}))
    assert [o.value for o in filled.offers("shipping name")] == ["Gift Recipient", "Dr Grace Brewster Hopper PhD"]
    assert [o.value for o in filled.offers("name")] == ["Dr Grace Brewster Hopper PhD"]
    assert filled.release("address:adr009:recipient", "shipping name") == "Gift Recipient"
