"""The field classifier on real phrasings, by language family, and the form purposes it derives.

Each form below is written the way shops in that language write it (labels, names, autocomplete
attributes as found in the wild). The tests need no corpus: they run on the shipped weights.
"""

from __future__ import annotations

import pytest

from companion.fields.classify import PROFFER_TOKENS, PURPOSES, FieldUnderstanding, understand
from companion.protocol.messages import FillRequestPayload
from companion.tokens import WHATWG_TOKENS, parse_autocomplete

ORIGIN = "https://shop.example"


def payload(*fields: dict, forms: list[dict] | None = None) -> FillRequestPayload:
    rows = []
    for i, f in enumerate(fields):
        row = {"index": i, "form_index": 0, "tag": "input", "type": "text", **f}
        rows.append(row)
    return FillRequestPayload.model_validate(
        {
            "page": {"url": ORIGIN + "/checkout", "top_origin": ORIGIN, "frame_origin": ORIGIN},
            "forms": forms if forms is not None else [{"index": 0}],
            "fields": rows,
        }
    )


def types(p: FillRequestPayload) -> list[str | None]:
    return [f.type for f in understand(p).fields]


def field(label: str = "", name: str = "", **extra) -> dict:
    return {"label": label, "name": name, **extra}


COUNTRIES = [
    {"value": c, "text": t}
    for c, t in [
        ("", "Bitte wählen"),
        ("DE", "Deutschland"),
        ("AT", "Österreich"),
        ("CH", "Schweiz"),
        ("FR", "Frankreich"),
        ("IT", "Italien"),
        ("NL", "Niederlande"),
        ("BE", "Belgien"),
        ("PL", "Polen"),
        ("ES", "Spanien"),
        ("DK", "Dänemark"),
        ("SE", "Schweden"),
        ("CZ", "Tschechien"),
        ("LU", "Luxemburg"),
        ("PT", "Portugal"),
        ("FI", "Finnland"),
        ("NO", "Norwegen"),
        ("IE", "Irland"),
        ("GB", "Großbritannien"),
        ("HU", "Ungarn"),
        ("SK", "Slowakei"),
        ("SI", "Slowenien"),
    ]
]


# --- Germanic ----------------------------------------------------------------------------------------


def test_german_checkout():
    p = payload(
        field("Vorname*", "billing[firstname]"),
        field("Nachname*", "billing[lastname]"),
        field("Straße und Hausnummer*", "billing[street]"),
        field("PLZ*", "billing[zip]"),
        field("Ort*", "billing[city]"),
        {"tag": "select", "type": "select-one", "label": "Land", "name": "billing[country]", "options": COUNTRIES},
        field("Telefonnummer (optional)", "billing[phone]", type="tel"),
        field("E-Mail-Adresse*", "billing[email]", type="email"),
    )
    assert types(p) == [
        "given-name",
        "family-name",
        "street-address",
        "postal-code",
        "address-level2",
        "country",
        "tel",
        "email",
    ]
    seen = understand(p)
    assert seen.purpose == "billing"  # an address asked for as the billing address, by its names
    assert all(f.section == "billing" for f in seen.fields)


def test_shipping_address_form_is_a_checkout():
    p = payload(
        field("Vorname", "firstname"),
        field("Nachname", "lastname"),
        field("Straße", "street"),
        field("Postleitzahl", "postcode"),
        field("Stadt", "city"),
        forms=[{"index": 0, "heading": "Lieferadresse", "submit_text": "Weiter zur Zahlung"}],
    )
    seen = understand(p)
    assert seen.purpose == "checkout"
    assert {f.section for f in seen.fields} == {"shipping"}


@pytest.mark.parametrize(
    ("labels", "purpose"),
    [
        # A delivery form that asks for the whole address in one box (Indonesian, Romanian, Turkish shops)
        (["Nama penerima", "Nomor telepon", "Alamat lengkap"], "checkout"),
        (["Full name", "Phone", "Delivery address"], "checkout"),
        # A contact form asks for a name and a message, and no address
        (["Full name", "Email", "Message"], "other"),
    ],
)
def test_a_name_and_one_whole_address_box_is_a_delivery_form(labels, purpose):
    names = ["recipient", "phone", "address"] if purpose == "checkout" else ["name", "email", "message"]
    fields = [field(label, name) for label, name in zip(labels, names, strict=True)]
    fields[-1]["tag"] = "textarea"
    fields[-1]["type"] = "textarea"
    assert understand(payload(*fields)).purpose == purpose


def test_a_card_beside_a_name_and_one_whole_address_box_is_a_checkout():
    p = payload(
        field("Full name", "name"),
        field("Delivery address", "address", tag="textarea", type="textarea"),
        field("Card number", "cardnumber", autocomplete="cc-number"),
        field("Expiry date", "expiry", autocomplete="cc-exp"),
    )
    assert understand(p).purpose == "checkout"


def test_dutch_address_with_house_number():
    p = payload(
        field("Voornaam", "firstName"),
        field("Achternaam", "lastName"),
        field("Postcode", "postalCode"),
        field("Huisnummer", "houseNumber"),
        field("Straatnaam", "street"),
        field("Woonplaats", "city"),
    )
    got = understand(p).fields
    assert [f.type for f in got[:3]] == ["given-name", "family-name", "postal-code"]
    assert got[3].type in ("street-address", "address-line1") and got[3].part == "house-number"
    assert got[4].type in ("street-address", "address-line1") and got[4].part == "street-name"
    assert got[5].type == "address-level2"


@pytest.mark.parametrize("number_label", ["Huisnummer", "Hausnummer"])
def test_a_house_number_box_the_site_named_a_second_line_wants_the_number(number_label):
    # Shop software names the boxes address1 and address2, autocomplete included, and the site labels the
    # second "Huisnummer": the person types the house number there. A hand-made model that trusts the
    # programmer name (as models trained on other sites did, held out): the label still decides.
    from companion.fields.model import LinearModel

    model = LinearModel(
        classes=("none", "address-line1", "address-line2", "house-number"),
        bias=(0.0, -5.0, -5.0, -5.0),
        weights={"ac:address-line1": {1: 10.0}, "ac:address-line2": {2: 10.0}, "h:house-number": {3: 4.0}},
        threshold=0.6,
    )
    p = payload(
        field("Straat", "addressFields_address1", autocomplete="address-line1"),
        field(number_label, "addressFields_address2", autocomplete="address-line2"),
    )
    got = understand(p, model=model).fields
    assert got[0].type in ("street-address", "address-line1") and got[0].part == "street-name"
    assert got[1].type in ("street-address", "address-line1") and got[1].part == "house-number"


@pytest.mark.parametrize(
    ("label", "part"),
    [
        ("Hausnr.", "house-number"),  # the number alone: the model's doubt is not about this box
        ("Straße und Hausnummer", None),  # the street with its number is the whole line, no part of it
        ("Wohnung Nr.", None),  # a flat's number is the rest of the address
    ],
)
def test_a_box_read_as_the_house_number_settles_the_models_doubt_between_number_and_rest(label, part):
    # Most forms put the house number and the flat side by side, and a model often cannot tell the two
    # boxes apart: here it gives each an even chance, neither above the threshold.
    from companion.fields.model import LinearModel

    model = LinearModel(
        classes=("none", "address-extra", "house-number", "street"),
        bias=(0.0, -5.0, -5.0, -5.0),
        weights={
            "h:house-number": {1: 10.0, 2: 10.0},
            "h:address-line2": {1: 1.0},
            "h:street-name": {3: 12.0},
        },
        threshold=0.6,
    )
    got = understand(payload(field("Straße", "street"), field(label, "field2")), model=model).fields[1]
    assert got.part == part
    if part:
        assert got.type in ("street-address", "address-line1")


def test_a_name_box_beside_the_other_half_of_a_name_asks_for_its_own_half():
    # Slavic forms ask "Имя" (read as a name) before "Фамилия", German ones "Name" after "Vorname": a model
    # that finds a "Name" box as likely the whole name as a half names nothing, and the neighbour decides.
    from companion.fields.model import LinearModel

    model = LinearModel(
        classes=("none", "name", "given-name", "family-name"),
        bias=(0.0, -5.0, -5.0, -5.0),
        weights={
            "h:name": {1: 8.0, 2: 8.0, 3: 8.0},
            "h:given-name": {2: 10.0},
            "h:family-name": {3: 10.0},
        },
        threshold=0.6,
    )

    def typed(*labels):
        return [f.type for f in understand(payload(*(field(label) for label in labels)), model=model).fields]

    assert typed("Name", "Surname") == ["given-name", "family-name"]
    assert typed("First name", "Name") == ["given-name", "family-name"]
    assert typed("Name", "Email") == [None, None]  # alone, the box may be the whole name or a half


def test_an_unsure_box_whose_label_names_one_thing_in_words_of_one_meaning_takes_it():
    # Models trained on other sites are unsure of a box with a label and no programmer name: "Country"
    # reads 0.45 a country. A label that says that alone, in words with one meaning, settles it when the
    # model leans the same way; a phone's or a name's words do not (a calling code's box is labelled
    # "Phone number +39" too), nor does a label that says two things.
    from companion.fields.model import LinearModel

    classes = ("none", "country", "tel", "postal-code", "address-level2")
    model = LinearModel(
        classes=classes,
        bias=(0.0, -5.0, -5.0, -5.0, -5.0),
        weights={f"h:{c}": {i: 5.0, 0: -0.2} for i, c in enumerate(classes) if i},
        threshold=0.6,
    )

    def typed(label):
        return understand(payload(field(label)), model=model).fields[0].type

    assert typed("Country") == "country"
    assert typed("Postleitzahl (optional)") == "postal-code"
    assert typed("Phone") is None
    assert typed("ZIP or city") is None


def test_an_unsure_box_of_a_rare_type_named_by_its_label_and_programmer_name_takes_it():
    # "Gender" with name="gender": a type with few examples leaves the model unsure even when the label and
    # the programmer's name agree, and the two witnesses then name it. Not for a common type, whose doubt
    # the model learned ("Phone type", name="phoneType"), nor on the label alone.
    from companion.fields.model import LinearModel

    classes = ("none", "sex", "additional-name", "tel")
    model = LinearModel(
        classes=classes,
        bias=(0.0, -5.0, -5.0, -5.0),
        weights={f"{source}:{c}": {i: 2.6} for i, c in enumerate(classes) if i for source in ("h", "i")},
        threshold=0.6,
    )

    def typed(label, name):
        return understand(payload(field(label, name)), model=model).fields[0].type

    assert typed("Gender", "gender") == "sex"
    assert typed("Middle name", "middleName") == "additional-name"
    assert typed("Gender", "field7") is None
    assert typed("Phone type", "phoneType") is None


def test_a_street_box_without_a_number_box_takes_the_whole_line():
    got = understand(payload(field("Voornaam"), field("Straat", "street"), field("Postcode"), field("Plaats"))).fields
    assert got[1].type in ("street-address", "address-line1") and got[1].part is None


def test_swedish_and_danish_labels():
    assert types(payload(field("Förnamn"), field("Efternamn"), field("Postnummer"), field("Ort"))) == [
        "given-name",
        "family-name",
        "postal-code",
        "address-level2",
    ]
    assert types(payload(field("Fornavn"), field("Efternavn"), field("Postnr."), field("By"))) == [
        "given-name",
        "family-name",
        "postal-code",
        "address-level2",
    ]


# --- Romance -----------------------------------------------------------------------------------------


def test_french_delivery_address():
    p = payload(
        field("Prénom", "prenom"),
        field("Nom", "nom"),
        field("Adresse", "adresse1"),
        field("Complément d'adresse (facultatif)", "adresse2"),
        field("Code postal", "cp"),
        field("Ville", "ville"),
        field("Téléphone portable", "telephone", type="tel"),
    )
    assert types(p) == [
        "given-name",
        "family-name",
        "address-line1",
        "address-line2",
        "postal-code",
        "address-level2",
        "tel",
    ]


def test_spanish_and_italian_addresses():
    spanish = payload(
        field("Nombre", "nombre"),
        field("Apellidos", "apellidos"),
        field("Dirección", "direccion"),
        field("Código postal", "codigo_postal"),
        field("Ciudad", "ciudad"),
        field("Provincia", "provincia"),
    )
    assert types(spanish) == [
        "given-name",
        "family-name",
        "street-address",
        "postal-code",
        "address-level2",
        "address-level1",
    ]
    italian = payload(
        field("Nome", "nome"),
        field("Cognome", "cognome"),
        field("Indirizzo", "indirizzo"),
        field("CAP", "cap"),
        field("Città", "citta"),
        field("Provincia", "provincia"),
    )
    assert types(italian) == [
        "given-name",
        "family-name",
        "street-address",
        "postal-code",
        "address-level2",
        "address-level1",
    ]


def test_portuguese_brazil():
    p = payload(field("Nome"), field("Sobrenome"), field("CEP"), field("Cidade"), field("Celular", type="tel"))
    assert types(p) == ["given-name", "family-name", "postal-code", "address-level2", "tel"]


# --- Slavic ------------------------------------------------------------------------------------------


def test_polish_checkout():
    p = payload(
        field("Imię", "imie"),
        field("Nazwisko", "nazwisko"),
        field("Ulica", "ulica"),
        field("Kod pocztowy", "kod_pocztowy"),
        field("Miejscowość", "miasto"),
        field("Telefon", "telefon", type="tel"),
        field("Adres e-mail", "email", type="email"),
    )
    got = types(p)
    assert got[:2] == ["given-name", "family-name"]
    assert got[2] in ("street-address", "address-line1")
    assert got[3:] == ["postal-code", "address-level2", "tel", "email"]


def test_russian_and_czech_labels():
    russian = payload(
        field("Имя", "firstname"),
        field("Фамилия", "lastname"),
        field("Город", "city"),
        field("Индекс", "zip"),
        field("Телефон", "phone", type="tel"),
    )
    assert types(russian) == ["given-name", "family-name", "address-level2", "postal-code", "tel"]
    czech = payload(
        field("Jméno", "jmeno"), field("Příjmení", "prijmeni"), field("Město", "mesto"), field("PSČ", "psc")
    )
    assert types(czech) == ["given-name", "family-name", "address-level2", "postal-code"]


# A city box with a label and nothing else, straight after the surname: the model alone is below the
# threshold (0.53 to 0.57; on real pages a street line usually comes between, and the neighbours pull that
# way), and the label, in words of one meaning, settles it. (A known miss until 2026-11-25.)
LABELS_ALONE_CITY_AFTER_SURNAME = [
    pytest.param(["Jméno", "Příjmení", "Město", "PSČ"], id="czech"),
    pytest.param(["Имя", "Фамилия", "Город", "Индекс"], id="russian"),
    pytest.param(["Meno", "Priezvisko", "Mesto", "PSČ"], id="slovak"),
]


@pytest.mark.parametrize("labels", LABELS_ALONE_CITY_AFTER_SURNAME)
def test_city_label_alone_after_the_surname(labels):
    assert types(payload(*(field(label) for label in labels))) == [
        "given-name",
        "family-name",
        "address-level2",
        "postal-code",
    ]


def test_labels_alone_with_the_street_between():
    for labels in (["Имя", "Фамилия", "Улица", "Город", "Индекс"], ["Meno", "Priezvisko", "Ulica", "Mesto", "PSČ"]):
        got = types(payload(*(field(label) for label in labels)))
        assert got[:2] == ["given-name", "family-name"] and got[3:] == ["address-level2", "postal-code"], got
        assert got[2] in ("street-address", "address-line1")


# --- More families, one form each: (labels and names as shops in that language write them, expected) ---
# Labels alone (no name or id) where a language's own words must carry the field, as on many real pages.

FAMILY_FORMS = [
    pytest.param(
        [
            ("Prenume", "firstname"),
            ("Nume", "lastname"),
            ("Adresă", "address"),
            ("Oraș", "city"),
            ("Județ", "county"),
            ("Cod poștal", "postcode"),
            ("Telefon", "telephone"),
        ],
        "given-name family-name street-address address-level2 address-level1 postal-code tel",
        id="romance-romanian",
    ),
    pytest.param(
        [
            ("Ім'я", "firstname"),
            ("Прізвище", "lastname"),
            ("Телефон", "phone"),
            ("Місто", "city"),
            ("Поштовий індекс", "zip"),
        ],
        "given-name family-name tel address-level2 postal-code",
        id="slavic-ukrainian",  # the apostrophe in "Ім'я" is part of the word
    ),
    pytest.param(
        [("Име", "firstname"), ("Фамилия", "lastname"), ("Град", "city"), ("Пощенски код", "postcode")],
        "given-name family-name address-level2 postal-code",
        id="slavic-bulgarian",
    ),
    pytest.param(
        [
            ("Ime", "ime"),
            ("Prezime", "prezime"),
            ("Adresa", "adresa"),
            ("Grad", "grad"),
            ("Poštanski broj", "postanski_broj"),
            ("Telefon", "telefon"),
        ],
        "given-name family-name street-address address-level2 postal-code tel",
        id="slavic-serbian-latin",  # "prezime" holds "ime" (first name): only a word start counts
    ),
    pytest.param(
        [("Meno", ""), ("Priezvisko", ""), ("Ulica", ""), ("Mesto", ""), ("PSČ", ""), ("Telefón", "")],
        "given-name family-name street-address address-level2 postal-code tel",
        id="slavic-slovak-labels-alone",
    ),
    pytest.param(
        [
            ("Όνομα", "firstname"),
            ("Επώνυμο", "lastname"),
            ("Διεύθυνση", "address"),
            ("Ταχυδρομικός κώδικας", "postcode"),
            ("Πόλη", "city"),
            ("Κινητό τηλέφωνο", "mobile"),
        ],
        "given-name family-name street-address postal-code address-level2 tel",
        id="hellenic-greek",
    ),
    pytest.param(
        [("ΟΝΟΜΑ", ""), ("ΕΠΩΝΥΜΟ", ""), ("ΤΑΧΥΔΡΟΜΙΚΟΣ ΚΩΔΙΚΑΣ", ""), ("ΠΟΛΗ", "")],
        "given-name family-name postal-code address-level2",
        id="hellenic-greek-capitals",  # capitals drop the tonos: "ΤΑΧΥΔΡΟΜΙΚΟΣ", not "-ικός"
    ),
    pytest.param(
        [("Οδός", ""), ("Αριθμός", ""), ("Τ.Κ.", ""), ("Πόλη", "")],
        "street-address street-address postal-code address-level2",
        id="hellenic-greek-short-postcode",  # street name and number are parts of one line; "Τ.Κ."
    ),
    pytest.param(
        [
            ("Etunimi", "etunimi"),
            ("Sukunimi", "sukunimi"),
            ("Katuosoite", "katuosoite"),
            ("Postinumero", "postinumero"),
            ("Postitoimipaikka", "postitoimipaikka"),
            ("Puhelinnumero", "puhelin"),
            ("Sähköpostiosoite", "sahkoposti"),
        ],
        "given-name family-name street-address postal-code address-level2 tel email",
        id="uralic-finnish",  # "postinumero" is not a house "numero"
    ),
    pytest.param(
        [
            ("Vezetéknév", "lastname"),
            ("Keresztnév", "firstname"),
            ("Irányítószám", "zip"),
            ("Település", "city"),
            ("Utca, házszám", "street"),
            ("Telefonszám", "phone"),
            ("E-mail cím", "email"),
        ],
        "family-name given-name postal-code address-level2 street-address tel email",
        id="uralic-hungarian",  # family name first
    ),
    pytest.param(
        [
            ("Ad", "ad"),
            ("Soyad", "soyad"),
            ("Cep Telefonu", "telefon"),
            ("E-posta", "eposta"),
            ("Adres", "adres"),
            ("Posta Kodu", "postakodu"),
        ],
        "given-name family-name tel email street-address postal-code",
        id="turkic-turkish",
    ),
    pytest.param(
        [
            ("الاسم الأول", "first_name"),
            ("اسم العائلة", "last_name"),
            ("رقم الجوال", "mobile"),
            ("البريد الإلكتروني", "email"),
            ("المدينة", "city"),
            ("العنوان", "address"),
        ],
        "given-name family-name tel email address-level2 street-address",
        id="semitic-arabic",
    ),
    pytest.param(
        [("Nama Depan", ""), ("Nama Belakang", ""), ("Alamat", ""), ("Kota", ""), ("Kode Pos", ""), ("Nomor HP", "")],
        "given-name family-name street-address address-level2 postal-code tel",
        id="austronesian-indonesian-labels-alone",
    ),
]


@pytest.mark.parametrize(("labels_and_names", "expected"), FAMILY_FORMS)
def test_language_families(labels_and_names, expected):
    kinds = {"tel": "tel", "email": "email"}
    wanted = expected.split()
    fields = [
        field(label, name, type=kinds.get(token, "text"))
        for (label, name), token in zip(labels_and_names, wanted, strict=True)
    ]
    assert types(payload(*fields)) == wanted


@pytest.mark.parametrize(
    ("label", "kind", "named"),
    [
        ("Keresztnév", "given-name", True),  # Hungarian first name
        ("Keresztnév", "search", False),  # ... holds "keres" (search) only inside a longer word
        ("Prezime", "given-name", False),  # Serbian family name holds "ime" (first name)
        ("Prenume", "family-name", False),  # Romanian first name holds "nume" (family name)
        ("Postinumero", "house-number", False),  # Finnish postcode holds "numero"
        ("Puhelinnumero", "house-number", False),  # Finnish phone number too
        ("Поштовий індекс", "postal-code", True),  # Ukrainian, with its own "і"
        ("Τ.Κ.", "postal-code", True),  # Greek short form, read as "τ κ"
        ("Ім'я", "given-name", True),  # Ukrainian first name, read as "ім я"
        ("Code postal", "email", False),  # French postcode holds "e post" (Nordic e-mail) across a space
        ("E-post", "email", True),  # Swedish, Norwegian
        ("E-posta adresi", "email", True),  # Turkish
        ("Vor- und Zuname", "full-name", True),  # German full name
        ("Σταθερό τηλέφωνο", "tel", True),  # Greek landline
        ("Commune", "address-level2", True),  # French, Belgian municipality
        ("Stiege", "address-line2", True),  # Austrian staircase, part of the second line
        ("Boîte", "address-line2", True),  # Belgian letter box
        ("Етаж", "address-line2", True),  # Bulgarian floor
        ("Phone number", "house-number", False),  # a specific kind explains the generic word away
        ("Número de teléfono", "house-number", False),
        ("Card number", "house-number", False),
        ("Hausnummer", "house-number", True),
        ("Company name", "name", False),
        ("Name on card", "name", False),
        ("First and last name", "full-name", True),  # ... but given and family names do not: this is the whole name
        ("First name", "name", False),  # the word "name" in a first or last name is not the whole name
        ("Last name", "name", False),
        ("Name", "name", True),
        ("ФИО", "full-name", True),  # Russian initials of surname, name, patronymic
        ("Ім'я та прізвище", "full-name", True),  # Ukrainian "name and surname"
        ("Phone (optional)", "address-line2", False),  # "optional" is a kind of its own
        ("Phone (optional)", "optional", True),
        ("Address line 2 (optional)", "address-line2", True),
        ("Τηλ.", "tel", True),  # Greek phone, abbreviated
        ("Κιν.", "tel", True),  # Greek mobile, abbreviated
        ("Körzetszám", "tel-area-code", True),  # Hungarian area code
        ("Épület", "address-line2", True),  # Hungarian building
        ("Номер на блок", "address-line2", True),  # Bulgarian block of flats
        ("No. Exterior", "house-number", True),  # Mexican street number
        ("No. Interior", "address-line2", True),  # Mexican flat number
        ("Будинок", "house-number", True),  # Ukrainian house
        ("Název firmy", "organization", True),  # Czech company name
        ("Patronymic", "additional-name", True),
        ("Warehouse pick-up", "house-number", False),
        ("Država", "country", True),  # Serbian, Croatian, Slovene country
        ("Kućni broj", "house-number", True),  # Croatian house number
        ("Broj kartice", "house-number", False),  # ... but a card number is not one
        ("Broj kartice", "cc-number", True),
        ("Stairs", "address-line2", True),
        ("Numărul locuinței", "address-line2", True),  # Romanian dwelling number
        ("Kortinhaltija", "cc-name", True),  # Finnish card holder, in one word
        ("Titolare carta", "cc-name", True),  # Italian card holder
        ("CID or CCV", "cc-csc", True),  # the common transposition of CVV
        ("Adresse e-mail", "street-address", False),  # an e-mail address is not a postal one
        ("E-Mail-Adresse", "street-address", False),
        ("Адрес электронной почты", "street-address", False),
        ("Adresse", "street-address", True),
        ("Допълнение към адреса", "address-line2", True),  # Bulgarian "addition to the address"
        # Words written with punctuation, read as the page's text is read: the marks become spaces
        ("Ел. пошта", "email", True),  # Macedonian, Serbian e-mail
        ("Е-пошта", "email", True),
        ('דוא"ל', "email", True),  # Hebrew e-mail, an abbreviation
        ("Nom d'utilisateur", "username", True),
        ("Nom d'utilisateur", "family-name", False),
        ("Nom de rue", "family-name", False),  # French street name
        ("Nom de rue", "street-name", True),
        ("First & last name", "full-name", True),
        ("Ф.И.О.", "full-name", True),
        ("N°", "house-number", True),
        ("c/o", "address-line2", True),
        ("시/군/구", "address-level2", True),  # Korean city, county, district
        ("Date d'expiration", "cc-exp", True),
        ("MM / YY", "cc-exp", True),
        ("DD/MM/YYYY", "cc-exp", False),  # a birth date
        ("Don't send me offers", "opt-out", True),
        ("J'accepte les conditions générales", "terms", True),
        ("ชื่อ-นามสกุล", "full-name", True),  # Thai, whose vowel marks are not word characters to Python
        ("อีเมล", "email", True),
        # A name for an address in the person's address book, and directions for the courier
        ("Address nickname (optional)", "address-label", True),
        ("Address nickname (optional)", "street-address", False),  # its "address" is not a postal one
        ("Address title", "honorific-prefix", False),
        ("Label alamat", "address-label", True),  # Indonesian
        ("Adres başlığı", "address-label", True),  # Turkish
        ("Directions to reach", "delivery-notes", True),
        ("Ponto de referência", "delivery-notes", True),  # Portuguese
        ("Comments for the courier", "delivery-notes", True),
        # A company's legal name, and a Finnish noun in its genitive ("the company's name")
        ("Razão social", "organization", True),  # Brazilian Portuguese
        ("Raison sociale", "organization", True),  # French
        ("Yrityksen nimi", "organization", True),
        ("Yrityksen nimi", "name", False),  # not a person's name
        ("Numéro de porte", "address-line2", True),  # French door (of a flat)
        ("דואר אלקטרוני", "email", True),  # Hebrew, written out
        ("الرقم البريدى", "postal-code", True),  # Arabic "postal number"
        ("Imejl adresa", "email", True),  # Serbian
        ("Andar", "address-line2", True),  # Portuguese floor
        ("Türnummer", "address-line2", True),  # Austrian door number
        # A phone's code is the calling code alone, unless the whole number is asked for with it
        ("Telephone code", "tel", False),
        ("Telephone code", "tel-country-code", True),
        ("Mobile number (with country code)", "tel-country-code", False),
        ("Mobile number (with country code)", "tel", True),
        # The rest of an address, and what a shop asks for in a job title's place
        ("Door", "address-line2", True),
        ("Front door delivery", "address-line2", False),
        ("Address addition", "address-line2", True),
        ("Altura", "house-number", True),  # Argentine street number
        ("Comuna", "address-level3", True),  # Chilean, Argentine district
        ("Επάγγελμα", "organization-title", True),  # Greek profession
        ("Berufsbezeichnung", "organization-title", True),
        # A code for one use, in many languages; and a discount code is no postcode
        ("Egyszer használatos kód", "one-time-code", True),  # Hungarian
        ("Code à usage unique", "one-time-code", True),
        ("Jednorázový kód", "one-time-code", True),  # Czech
        ("Одноразовый код", "one-time-code", True),
        ("Slevový kód", "postal-code", False),  # Czech discount code
        ("Pin Code", "postal-code", True),  # India's postcode
        # A second surname is not the family name Proffer keeps, and an address's name is no person's
        ("Segundo apellido", "family-name", False),
        ("Apellido materno", "second-surname", True),
        ("Apellido paterno", "family-name", True),
        ("Name of address", "name", False),
        ("Nom de l'adresse", "family-name", False),
        # A place's name is no person's name
        ("City name", "name", False),
        ("Име на квартала", "given-name", False),  # Bulgarian "name of the neighbourhood"
        ("Nom de la ville", "family-name", False),
        ("Nom de la ville", "address-level2", True),
        # A Belgian letter box is the rest of the address
        ("Mailbox number", "address-line2", True),  # a Belgian letter box, Amazon's "mailboxNumber"
        ("Busnummer", "address-line2", True),
        # English's article is not French's year: "an" was read as a year in every email box that said it
        ("Enter an email to receive the order status", "year", False),
        ("Please enter an address", "year", False),
        ("Année", "year", True),
        # Nor is its "by" the Danish and Norwegian town
        ("By creating an account, you agree to our terms", "address-level2", False),
        ("Pay by card", "address-level2", False),
        ("By", "address-level2", True),
        ("Postnr. og by", "address-level2", True),
        # and the "via" of "via e-mail" is not the Italian street
        ("Receive news and offers via e-mail", "street-name", False),
        ("Jeg samtykker til at modtage henvendelser via e-mail", "street-name", False),
        ("Via e numero civico", "street-name", True),
        # The code of a country a phone number starts with, as each language says it
        ("Landekode", "tel-country-code", True),  # Danish, Norwegian
        ("Landskod", "tel-country-code", True),  # Swedish
        ("Maatunnus", "tel-country-code", True),  # Finnish
        ("Ländervorwahl", "tel-country-code", True),  # German
        ("Indicativo", "tel-country-code", True),  # Portuguese
        ("Código do país", "tel-country-code", True),
        ("Ülke kodu", "tel-country-code", True),  # Turkish
        ("Kod kraju", "tel-country-code", True),  # Polish
        ("Országkód", "tel-country-code", True),  # Hungarian
        ("Κωδικός χώρας", "tel-country-code", True),  # Greek
        ("Kode negara", "tel-country-code", True),  # Indonesian
        ("Код країни", "tel-country-code", True),  # Ukrainian
        # Everyday words of the corpus's languages that no table held
        ("Móvil", "tel", True),  # Spanish
        ("Automóvil", "tel", False),
        ("Nomor telepon", "tel", True),  # Indonesian
        ("Surel", "email", True),
        ("Nomor rumah", "house-number", True),
        ("Електронна пошта", "email", True),  # Ukrainian
        ("Компанія", "organization", True),
        ("Фирма", "organization", True),  # Bulgarian, Russian
        ("Дата на раждане", "bday", True),  # Bulgarian
        ("Апартамент", "address-line2", True),
        ("Datum rođenja", "bday", True),  # Serbian, Croatian
        ("Stan", "address-line2", True),
        ("Număr", "house-number", True),  # Romanian
        ("Număr de telefon", "house-number", False),
        ("شقة", "address-line2", True),  # Arabic
        # The parts of an address and of a name in more of the corpus's languages
        ("Lakásszám", "address-line2", True),  # Hungarian flat number
        ("Apartman", "address-line2", True),  # Turkish
        ("Lantai", "address-line2", True),  # Indonesian floor
        ("Broj stana", "address-line2", True),  # Serbo-Croatian flat number
        ("Poschodie", "address-line2", True),  # Slovak floor
        ("Під'їзд", "address-line2", True),  # Ukrainian entrance
        ("N. civico", "house-number", True),  # Italian
        ("Numara", "house-number", True),  # Turkish, alone
        ("Telefon numarası", "house-number", False),  # ... not a phone's number
        ("Stadtteil", "address-level3", True),  # German district
        ("Dzielnica", "address-level3", True),  # Polish
        ("Kerület", "address-level3", True),  # Hungarian
        ("Industry sector", "address-level3", False),
        ("Регіон", "address-level1", True),  # Ukrainian
        ("Osavaltio/provinssi", "address-level1", True),  # Finnish state, province
        ("Maa/alue", "country", True),  # Finnish country or area
        ("Ταχ. Κώδικας", "postal-code", True),  # Greek, abbreviated
        ("T.K.", "postal-code", True),  # ... in Latin capitals
        ("P.C.", "postal-code", True),
        ("PC model", "postal-code", False),
        ("Пощ. код", "postal-code", True),  # Bulgarian, abbreviated
        ("Settlement", "address-level2", True),  # Hungarian "Település" in English
        ("UF", "address-level1", True),  # Brazilian state
        ("Megszólítás", "honorific-prefix", True),  # Hungarian salutation
        ("Oslovení", "honorific-prefix", True),  # Czech
        ("Título", "honorific-prefix", True),  # Spanish, Portuguese
        ("Herr/Frau", "honorific-prefix", True),  # the first options of a salutation list
        ("Mr/Mrs", "honorific-prefix", True),
        ("Sexo", "sex", True),  # Spanish, Portuguese
        ("Kjønn", "sex", True),  # Norwegian
        ("Jenis kelamin", "sex", True),  # Indonesian
        ("Mellannamn", "additional-name", True),  # Swedish middle name
        ("Nome do meio", "additional-name", True),  # Portuguese
        ("Бащино име", "additional-name", True),  # Bulgarian patronymic
        ("Società", "organization", True),  # Italian
        ("Επωνυμία", "organization", True),  # Greek trade name ...
        ("Επώνυμο", "organization", False),  # ... not the surname
        ("Επώνυμο", "family-name", True),
        ("Brukernavn", "username", True),  # Norwegian
        ("Korisničko ime", "username", True),  # Serbo-Croatian
        ("Mobiel", "tel", True),  # Dutch
        ("Telemóvel", "tel", True),  # European Portuguese
        ("Cumpleaños", "bday", True),  # Spanish birthday
        ("Населений пункт", "address-level2", True),  # Ukrainian locality
        ("Családi név", "family-name", True),  # Hungarian
        # What a sign-up form's button says
        ("Créer un compte", "new", True),
        ("Hesap oluştur", "new", True),  # Turkish
        ("Załóż konto", "new", True),  # Polish
        ("Daftar", "new", True),  # Indonesian "sign up", alone ...
        ("Daftar alamat", "new", False),  # ... not the "list" of "address list"
        ("Increase quantity", "new", False),
        ("会員登録", "new", True),  # Japanese "sign up" ...
        ("ご登録のメールアドレス", "new", False),  # ... not the "registered" email a sign-in asks for
        # Card words in more of the corpus's languages: a card box read as anything else could be filled
        ("Номер картки", "cc-number", True),  # Ukrainian
        ("Číslo platobnej karty", "cc-number", True),  # Slovak
        ("Utløpsdato", "cc-exp", True),  # Norwegian
        ("Masa berlaku", "cc-exp", True),  # Indonesian
        ("Sikkerhedskode", "cc-csc", True),  # Danish
        ("Imię i nazwisko na karcie", "cc-name", True),  # Polish
        ("Όνομα κατόχου", "cc-name", True),  # Greek
        ("Kart üzerindeki isim", "cc-name", True),  # Turkish
        # A repeat of the email, and a phone's extension
        ("Bekreft e-post", "confirm", True),  # Norwegian
        ("E-postayı onayla", "confirm", True),  # Turkish
        ("Ponovite e-mail", "confirm", True),  # Serbo-Croatian
        ("Correio eletrónico", "email", True),  # European Portuguese
        ("Durchwahl", "tel-extension", True),
        # The person to ask for at a business, whose whole name is asked; a contact form's "Contact" is not
        ("Contact person", "name", True),
        ("Ansprechpartner", "name", True),
        ("Yhteyshenkilö", "name", True),  # Finnish
        ("Osoba kontaktowa", "name", True),  # Polish
        ("Contact us", "name", False),
        # The date masks written in a birthday's boxes, in the corpus's languages
        ("JJJJ", "year", True),  # Dutch and German
        ("AAAA", "year", True),  # French, Spanish, Portuguese, Italian
        ("TT", "day", True),  # German
        ("GG", "day", True),  # Italian
        ("Mellék", "tel-extension", True),  # Hungarian
        ("Dahili", "tel-extension", True),  # Turkish
        # News sent to the person is marketing; a name or a menu with "News" in it is not
        ("I would like to receive e-mail notices and service news", "marketing", True),
        ("Apotea's news email", "marketing", True),
        ("I agree to the Fox News Terms of Use", "marketing", False),
        ("About us News History", "marketing", False),
        ("I agree to the terms of the Steam Subscriber Agreement", "marketing", False),  # a contract's name
        # Signing in, in the corpus's languages; words that also mean joining are not read as it
        ("Log In", "sign-in", True),
        ("Se connecter", "sign-in", True),
        ("Iniciar sesión", "sign-in", True),
        ("Zaloguj się", "sign-in", True),
        ("Logga in", "sign-in", True),
        ("Giriş Yap", "sign-in", True),
        ("Войти", "sign-in", True),
        ("ログイン", "sign-in", True),
        ("Anmelden", "sign-in", False),  # also "subscribe" ("Newsletter anmelden")
        ("Blog index", "sign-in", False),
        # Keeping a session open, which consents to nothing
        ("Keep me signed in", "stay-signed-in", True),
        ("Angemeldet bleiben", "stay-signed-in", True),
        ("Rester connecté", "stay-signed-in", True),
        ("Zapamiętaj mnie", "stay-signed-in", True),
        ("Ține-mă minte", "stay-signed-in", True),
        ("次回から自動的にログインする", "stay-signed-in", True),
        # A company's number for the state is no company name, and a job title no salutation
        ("Company VAT", "organization", False),
        ("Company registration number", "organization", False),
        ("Y-tunnus", "vat-number", True),
        ("Organisationsnummer", "vat-number", True),
        ("Company position", "organization", False),
        ("Job title", "honorific-prefix", False),
        ("Company name", "organization", True),
        ("Organization type", "organization", False),  # what kind of company, not its name
        ("Company size", "organization", False),
        ("Rechtsform", "organization-detail", True),
        ("Forme juridique", "organization-detail", True),
        ("Δραστηριότητα Εταιρίας", "organization", False),  # Greek "company activity"
        # The one who receives the parcel speaks of the delivery, in every language
        ("Empfänger", "shipping-section", True),
        ("Destinatario", "shipping-section", True),
        ("Alıcının Adı Soyadı", "shipping-section", True),
        ("Получатель", "shipping-section", True),
        ("收件人", "shipping-section", True),
        ("区县", "address-level3", True),  # Chinese district or county
        ("门牌号", "house-number", True),
        ("מחוז", "address-level1", True),  # Hebrew district
        ("מספר בית", "house-number", True),
        ("Ziua", "day", True),  # Romanian date selects: the day, the year
        ("Anul", "year", True),
        # The phone's codes: a Greek "code" that is no password, a Finnish area code that is no number
        ("Κωδικός κλήσης", "tel-country-code", True),
        ("Κωδικός κλήσης", "password", False),
        ("Κωδικός κουπονιού", "password", False),
        ("Suuntanumero", "tel-area-code", True),
        ("Suuntanumero", "house-number", False),
        ("国家代码", "tel-country-code", True),
        ("국가 번호", "tel-country-code", True),
        ("セイ", "family-name", True),  # the readings of the family and the given name, in katakana
        ("メイ", "given-name", True),
        ("メインアドレス", "given-name", False),  # a main address
        # A second first name is a middle name, not the first name
        ("Segundo nombre", "additional-name", True),
        ("Segundo nombre", "given-name", False),
        ("Deuxième prénom", "given-name", False),
        # Instructions for the courier are no address, though they speak of one
        ("Do we need additional instructions to find this address?", "delivery-notes", True),
        ("Do we need additional instructions to find this address?", "street-address", False),
        ("Special instructions", "delivery-notes", True),
    ],
)
def test_keyword_kinds_of_one_word(label, kind, named):
    from companion.fields import text, vocabulary

    assert (kind in vocabulary.kinds_in(text.human(label))) is named


@pytest.mark.parametrize(
    ("name", "kind"), [("Sei", "family-name"), ("name_sei", "family-name"), ("MeiKana", "given-name")]
)
def test_japanese_names_in_romaji_are_read_in_programmer_names(name, kind):
    from companion.fields import text, vocabulary

    assert kind in vocabulary.kinds_in_words(text.identifier(name).split())


@pytest.mark.parametrize(("label", "kind"), [("Sei un'azienda?", "family-name"), ("Mei", "given-name")])
def test_romaji_names_are_not_read_in_labels(label, kind):
    # In a label "sei" is Italian ("you are") and "mei" Dutch (May).
    from companion.fields import text, vocabulary

    assert kind not in vocabulary.kinds_in(text.human(label))
    assert kind in vocabulary.kinds_in_words(text.identifier(label).split())  # where a programmer wrote it


def test_keyword_tables_hold_no_punctuation_the_text_never_has():
    # Text is read with punctuation turned into spaces ("Nom d'utilisateur" -> "nom d utilisateur"), so a
    # table word written with an apostrophe, a hyphen, a slash or a dot could never match.
    import re

    from companion.fields import vocabulary

    for kind, pattern in vocabulary.PATTERNS:
        # Leave out the regular-expression syntax (classes such as [a-z], groups, counts, any-character),
        # then look for a written mark: an escaped dot, or punctuation kept as it is.
        syntax_free = re.sub(r"\[[^\]]*\]|\(\?<?[:!=]|\{\d+,\d*\}|(?<!\\)\.", "", pattern)
        assert not re.search(r"['’\"&/°,;:-]|\\\.", syntax_free), (kind, pattern)


@pytest.mark.parametrize(
    ("unrelated", "naming", "kind"),
    [  # a short word names a kind; the same letters inside an unrelated word do not
        ("Intercom", "Vill inte ha nyhetsbrev", "opt-out"),  # Swedish "not", inside "interest", "international"
        ("Cardholder name", "Old password", "current"),
        ("Confirmation", "Firma", "organization"),  # Spanish "confirmation" holds German, Polish "company"
        ("Sobrenome", "Nome", "given-name"),  # Portuguese surname holds Portuguese, Italian "name"
        ("Cognome", "Nome", "given-name"),  # Italian surname
        ("Fecha de nacimiento", "Imię", "given-name"),  # Spanish birth date holds Polish "first name"
        ("Estado", "Stad", "address-level2"),  # Spanish, Portuguese state holds Dutch, Swedish "city"
        ("Upgrade", "Grad", "address-level2"),  # Serbo-Croatian "city"
        ("Adgangskode", "Kod", "postal-code"),  # Danish password holds Polish "postcode"
        ("Személyes adatok", "Země", "country"),  # Hungarian "personal" holds Czech "country"
        ("Private", "VAT number", "vat-number"),
        ("United Kingdom", "Unit", "address-line2"),
        ("Cancelling an order", "Cell phone", "tel"),
        ("Почтовый индекс", "Электронная почта", "email"),  # Russian postal code holds "mail"
        ("Nieuwsbrief", "Nieuw wachtwoord", "new"),  # Dutch newsletter holds "new"
        ("Against", "Enter again", "confirm"),
        ("Phone extension", "Tên", "given-name"),  # Vietnamese "name", folded to "ten"
        ("Kartennummer", "Tên", "given-name"),
        ("Kontonummer", "Kön", "sex"),  # Swedish "sex", folded to "kon"
        ("Payment plan", "Län", "address-level1"),  # Swedish county, folded to "lan"
        ("Jalan", "Län", "address-level1"),
        ("Biaya pengantaran", "Țara", "country"),  # Romanian country, folded to "tara"
        ("Akceptuje regulamin", "Új jelszó", "new"),  # Hungarian "new", folded to "uj"
        ("Novedades", "Nové heslo", "new"),  # Czech "new", folded to "nove"
        ("Повідомлення", "Номер дома", "house-number"),  # Ukrainian "message" holds Russian "house"
        ("Escalate", "Scala", "address-line2"),
        ("Supporter", "Porte", "address-line2"),  # French door, inside English and French words
        ("Andare", "Andar", "address-line2"),  # Italian "to go"
        ("Имейл", "Име", "given-name"),  # Bulgarian email holds Bulgarian "name"
        ("Имејл", "Име", "given-name"),  # and Serbian
        ("Imejl", "Ime", "given-name"),
        ("会社名", "名", "given-name"),  # Japanese: the company's name, not the person's first
        ("建物名", "名", "given-name"),  # the building's name
        ("お名前", "名", "given-name"),  # the whole name
        ("الرمز البريدي", "البريد الإلكتروني", "email"),  # Arabic postal code holds "mail"
        ("الرقم البريدى", "بريد إلكتروني", "email"),
        ("성별", "성", "family-name"),  # Korean "sex" begins with "surname"
        ("Surname Surname", "Name and surname", "full-name"),  # a label read twice is not a whole name
        ("Votre prénom complet", "Votre nom complet", "full-name"),  # French: the whole first name
    ],
)
def test_a_word_inside_another_word_names_nothing(unrelated, naming, kind):
    from companion.fields import text, vocabulary

    assert kind not in vocabulary.kinds_in(text.human(unrelated))
    assert kind in vocabulary.kinds_in(text.human(naming))


@pytest.mark.parametrize(
    "parts",
    [
        ["First and last name"],
        ["Vor- und Zuname"],
        ["Imię i nazwisko"],
        ["Full name", "Enter first name"],  # a label for the whole name over a placeholder for half of it
    ],
)
def test_the_halves_of_a_whole_name_ask_for_the_whole_name(parts):
    from companion.fields import text, vocabulary

    kinds = vocabulary.kinds_in_parts(text.human(part) for part in parts)
    assert "full-name" in kinds
    assert "given-name" not in kinds
    assert "family-name" not in kinds


def test_turkish_dotted_capital_i_is_one_word():
    from companion.fields import text

    assert text.human("İlçe") == "ilce"
    assert text.human("İL / İLÇE") == "il ilce"


# --- East Asian --------------------------------------------------------------------------------------


def test_japanese_address_form():
    p = payload(
        field("姓", "last_name"),
        field("名", "first_name"),
        field("郵便番号", "zip"),
        field("都道府県", "pref"),
        field("市区町村", "addr01"),
        field("電話番号", "tel", type="tel"),
        field("メールアドレス", "mail", type="email"),
    )
    got = types(p)
    assert got[:4] == ["family-name", "given-name", "postal-code", "address-level1"]
    assert got[4] == "address-level2"
    assert got[5:] == ["tel", "email"]


def test_korean_and_chinese_labels():
    korean = payload(
        field("이름", "name"),
        field("이메일", "email", type="email"),
        field("휴대폰 번호", "mobile", type="tel"),
        field("우편번호", "zipcode"),
    )
    assert types(korean) == ["name", "email", "tel", "postal-code"]
    assert types(payload(field("邮箱"), field("手机号码", type="tel"))) == ["email", "tel"]


@pytest.mark.xfail(reason="known miss: the model is below its threshold for a lone Korean address box", strict=True)
def test_korean_address_box():
    korean = payload(field("우편번호", "zipcode"), field("주소", "addr1"))
    assert types(korean) == ["postal-code", "street-address"]


@pytest.mark.xfail(
    reason="known miss: two-box forms lean to 'nothing' in the corpus (search, sign-in), and the label loses",
    strict=True,
)
def test_a_first_name_beside_the_email_of_a_newsletter_form():
    newsletter = payload(
        field("Email", "email", type="email"),
        field("First name", "given"),
        forms=[{"index": 0, "heading": "Join our newsletter", "submit_text": "Subscribe"}],
    )
    assert types(newsletter) == ["email", "given-name"]


# --- Secrets and cards (recognised so that the safety layer refuses them) ------------------------------


def test_the_name_on_the_card_is_card_data_and_the_billing_name_is_not():
    # A checkout that asks for the cardholder's name in parts beside the billing address's own parts: the
    # first are read as a card's (never filled), the second as the person's.
    p = payload(
        field("First name", "billing_firstname"),
        field("Last name", "billing_lastname"),
        field("Cardholder first name", "cardHolderFirstName"),
        field("Cardholder last name", "cardHolderLastName"),
        field("Card number", "cardNumber", inputmode="numeric"),
        field("Karteninhaber Vorname", "inhaber_vorname"),
        field("Karteninhaber Nachname", "inhaber_nachname"),
    )
    assert types(p) == [
        "given-name",
        "family-name",
        "cc-given-name",
        "cc-family-name",
        "cc-number",
        "cc-given-name",
        "cc-family-name",
    ]


def test_card_fields_are_recognised_in_german():
    p = payload(
        field("Karteninhaber", "cardholder"),
        field("Kartennummer", "cardnumber", inputmode="numeric"),
        {
            "tag": "select",
            "type": "select-one",
            "label": "Gültig bis Monat",
            "name": "expMonth",
            "options": [{"value": f"{m:02d}", "text": f"{m:02d}"} for m in range(1, 13)],
        },
        {
            "tag": "select",
            "type": "select-one",
            "label": "Jahr",
            "name": "expYear",
            "options": [{"value": str(y), "text": str(y)} for y in range(2026, 2036)],
        },
        field("Prüfnummer (CVC)", "cvc", maxlength=4),
    )
    assert types(p) == ["cc-name", "cc-number", "cc-exp-month", "cc-exp-year", "cc-csc"]
    assert understand(p).purpose == "billing"


DATE_ROW = [
    field("", "day", placeholder="dd", maxlength=2, inputmode="numeric"),
    field("", "month", placeholder="mm", maxlength=2, inputmode="numeric"),
    field("", "year", placeholder="jjjj", maxlength=4, inputmode="numeric"),
]


@pytest.mark.parametrize(
    "birth",
    [
        {"autocomplete": "bday-day"},  # H&M: only the site's token says whose date it is
        {"label": "Geburtsdatum"},
        {"label": "Date of birth", "placeholder": ""},
    ],
)
def test_a_day_month_and_year_row_that_speaks_of_a_birth_is_the_birthday(birth):
    # A card's expiry has no day: whatever the month and year boxes read as alone, the row is a date.
    day, month, year = DATE_ROW
    p = payload(field("First name", "firstName"), field("Last name", "lastName"), {**day, **birth}, month, year)
    assert types(p)[2:] == ["bday-day", "bday-month", "bday-year"]
    # The order of the parts is the country's: month first in the United States.
    assert types(payload({**month, **birth}, {**day}, year)) == ["bday-month", "bday-day", "bday-year"]


def test_a_day_month_and_year_row_whose_years_are_past_is_the_birthday():
    # Twitter's sign-up: "Month", "Day", "Year" selects, no word of a birth; the year list runs back into
    # the last century, which no card's expiry does.
    def select(label, texts):
        return field(label, "", tag="select", type="select-one", options=[{"value": t, "text": t} for t in texts])

    month = select("Month", ["Month", "January", "February", "March"])
    day = select("Day", ["Day", *(str(d) for d in range(1, 32))])
    past = select("Year", ["Year", *(str(y) for y in range(2012, 1950, -1))])
    assert types(payload(month, day, past)) == ["bday-month", "bday-day", "bday-year"]
    # Years to come are no birth: the row is some date, and its year no birthday's (nor a card's).
    coming = select("Year", ["Year", *(str(y) for y in range(2026, 2040))])
    assert types(payload(month, day, coming))[2] is None


@pytest.mark.parametrize(("caption", "birthday"), [("Geboortedatum", True), ("Date of delivery", False)])
def test_the_text_before_a_date_row_is_the_rows_caption(caption, birthday):
    # The boxes say only "dd", "mm", "jjjj"; the words before the first box name the whole row.
    day, month, year = DATE_ROW
    p = payload(field("Email", "email", type="email"), {**day, "nearby_text": caption}, month, year)
    assert (types(p)[1:] == ["bday-day", "bday-month", "bday-year"]) is birthday


@pytest.mark.parametrize(
    "row",
    [
        # Rakuten: the programmer names say phone, the placeholders show the parts' lengths
        [
            field("", "telFirst", type="tel", placeholder="000"),
            field("", "telSecond", type="tel", placeholder="0000"),
            field("", "telLast", type="tel", placeholder="0000"),
        ],
        # A North American number in three boxes of 3, 3 and 4 characters
        [field("Phone", "phone1", maxlength=3), field("", "phone2", maxlength=3), field("", "phone3", maxlength=4)],
    ],
)
def test_a_phone_number_typed_in_three_short_boxes_takes_its_parts(row):
    # Read alone, each box looked like the whole number, which would not fit.
    p = payload(field("Last name", "lastName"), *row, field("Email", "email", type="email"))
    assert types(p)[1:4] == ["tel-area-code", "tel-local-prefix", "tel-local-suffix"]


def test_three_whole_phone_boxes_are_no_split_number():
    # Home, work and mobile: each box takes a whole number.
    boxes = [
        field(label, name, type="tel", maxlength=15)
        for label, name in [("Home phone", "home"), ("Work phone", "work"), ("Mobile", "mobile")]
    ]
    assert types(payload(*boxes)) == ["tel", "tel", "tel"]
    # It is their length that tells: cut to a few characters each, the same boxes are one number's parts.
    short = [{**box, "maxlength": 4} for box in boxes]
    assert types(payload(*short)) == ["tel-area-code", "tel-local-prefix", "tel-local-suffix"]


def test_a_day_month_and_year_row_is_no_card_expiry():
    # Without a word of a birth the row may be any date (a delivery, a departure): no card, and no type.
    p = payload(field("Card number", "cardNumber", autocomplete="cc-number"), *DATE_ROW)
    assert not {"cc-exp", "cc-exp-month", "cc-exp-year"} & set(types(p))
    # A month and a year alone are still a card's expiry.
    month, year = DATE_ROW[1:]
    expiry = payload(field("Card number", "cardNumber", autocomplete="cc-number"), month, year)
    assert types(expiry)[1:] == ["cc-exp-month", "cc-exp-year"]


def email_and_password(submit_text: str) -> FillRequestPayload:
    return payload(
        field("E-mail", "email", type="email"),
        field("Password", "password", type="password"),
        forms=[{"index": 0, "submit_text": submit_text}],
    )


# A sign-in form often has a second button that leads to registering: its first button speaks for it.
@pytest.mark.parametrize("buttons", ["Log in", "Sign in | Register"])
def test_login_form_has_a_current_password(buttons):
    seen = understand(email_and_password(buttons))
    assert [f.type for f in seen.fields] == ["email", "current-password"]
    assert seen.purpose == "login"


@pytest.mark.parametrize("name", ["password2", "ctl00$Login2$txtPassword", "TextBox2"])
def test_a_lone_password_box_numbered_two_is_no_repeat(name):
    # A "2" at the end of a name marks a repeated box ("email2"), but with no first box to repeat, the
    # form is a sign-in like any other.
    p = payload(
        field("User name", "username"),
        field("", name, type="password"),
        forms=[{"index": 0, "submit_text": "Log in"}],
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == ["username", "current-password"]
    assert seen.purpose == "login"


def test_a_hidden_second_password_box_is_no_repeat():
    # Bots fill every box; people see one. A decoy password box hidden beside the real one does not
    # make a sign-in a registration.
    p = payload(
        field("Email", "user[email]", type="email"),
        field("Password", "user[password]", type="password"),
        field("", "password", type="password", visible=False, hidden_reason="display:none"),
        forms=[{"index": 0, "submit_text": "Continue"}],
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == ["email", "current-password", "current-password"]
    assert seen.purpose == "login"


@pytest.mark.parametrize(
    ("label", "name"),
    [("Social Security Number", "SSN_1"), ("Steuernummer", "tin"), ("Numéro fiscal", "tax_id")],
)
def test_a_tax_number_typed_out_of_sight_is_no_password(label, name):
    p = payload(
        field("Last name", "lastName"),
        field(label, name, type="password"),
        field("Password", "password", type="password"),
    )
    assert types(p) == ["family-name", None, "current-password"]


@pytest.mark.parametrize(
    ("label", "name"),
    [("Your Answer", "tsecAnswer1"), ("Antwort auf die Sicherheitsfrage", "secAnswer"), ("Respuesta", "resp1")],
)
def test_a_security_answer_typed_out_of_sight_is_no_password(label, name):
    # A site asks for the answer to a security question in a password box: a secret still (the safety
    # layer refuses every password box a value), but no second password, so no repeat of the first.
    p = payload(
        field("Email", "email", type="email"),
        field("Password", "password", type="password"),
        field("Security question", "question", tag="select", type="select-one"),
        field(label, name, type="password"),
    )
    seen = understand(p)
    assert seen.fields[3].type is None
    assert seen.fields[1].type == "current-password"  # one password box: no repeat, so no new account


@pytest.mark.parametrize("button", ["Log in", "Sign in | Join now", "Einloggen", "Se connecter"])
def test_a_form_whose_first_button_signs_in_opens_an_account(button):
    # An airline's login asks for the member's number and last name with the password: more than who
    # the person is, yet the button says what the form does.
    p = payload(
        field("Member number or username", "loginId"),
        field("Last name", "lastName"),
        field("Password", "password", type="password"),
        forms=[{"index": 0, "submit_text": button}],
    )
    seen = understand(p)
    assert seen.fields[2].type == "current-password"
    assert seen.purpose == "login"


def test_signup_form_asks_for_a_new_password():
    p = payload(
        field("Vorname", "firstname"),
        field("Nachname", "lastname"),
        field("E-Mail", "email", type="email"),
        field("Passwort", "password", type="password"),
        field("Passwort wiederholen", "password_confirm", type="password"),
        forms=[{"index": 0, "submit_text": "Konto erstellen"}],
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == ["given-name", "family-name", "email", "new-password", "new-password"]
    assert seen.purpose == "account-signup"


def test_a_form_asking_for_a_username_and_an_email_makes_an_account():
    # Signing in takes one identifier: with both, and a single password, the form is registering.
    p = payload(
        field("Username", "penname"),
        field("Email", "email", type="email"),
        field("Password", "password", type="password"),
        forms=[{"index": 0, "submit_text": "Continue"}],
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == ["username", "email", "new-password"]
    assert seen.purpose == "account-signup"


@pytest.mark.parametrize("button", ["Create an account", "Sign up", "Registrieren", "Créer un compte", "Crear cuenta"])
def test_a_form_whose_button_says_it_makes_an_account_asks_for_a_new_password(button):
    seen = understand(email_and_password(button))
    assert [f.type for f in seen.fields] == ["email", "new-password"]
    assert seen.purpose == "account-signup"


def test_one_time_code_from_autocomplete_or_words():
    p = payload(field("Code", "code", autocomplete="one-time-code", inputmode="numeric", maxlength=6))
    assert types(p) == ["one-time-code"]
    p = payload(field("Bestätigungscode", "otp", inputmode="numeric", maxlength=6))
    assert types(p) == ["one-time-code"]


def test_a_row_of_code_boxes_is_a_one_time_code_whatever_each_box_says():
    # Six boxes with no maxlength whose ids say what the code verifies: alone, each reads as an email box.
    row = [{"type": "tel", "id": f"email-verification-single-otp-input-{i}"} for i in range(6)]
    assert types(payload(*row)) == ["one-time-code"] * 6
    # Four one-character boxes with no words at all, a hidden input among them.
    digits = [{"type": "text", "name": f"d{i}", "maxlength": 1} for i in range(4)]
    digits.insert(2, {"type": "hidden", "name": "code"})
    assert types(payload(*digits)) == ["one-time-code", "one-time-code", None, "one-time-code", "one-time-code"]
    # A row is four boxes or more, side by side: three initials boxes and a phone box are not a code.
    initials = [field(f"Initial {i}", f"initial{i}", maxlength=1) for i in range(3)]
    assert "one-time-code" not in types(payload(*initials, field("Phone", "phone", type="tel")))


def test_a_gift_cards_code_and_pin_are_a_means_of_payment_not_a_one_time_code():
    # An airline's checkout takes up to four gift cards, each a code and a PIN typed out of sight: a row of
    # boxes that each name a code, and PINs of six characters. Neither is a code sent to verify the person.
    cards = []
    for i in range(4):
        cards.append(field("Code", f"GiftCards.Entries[{i}].Code", maxlength=23))
        cards.append(field("PIN", f"GiftCards.Entries[{i}].PIN", type="password", maxlength=6))
    seen = types(payload(field("Email", "email", type="email"), *cards))
    assert "one-time-code" not in seen
    assert seen[2::2] == [None] * 4  # no password either: the card's PIN names no type, and is never filled
    # A voucher's PIN in a box of its own
    assert types(payload(field("Gutschein-PIN", "voucherPin", maxlength=6))) == [None]


@pytest.mark.parametrize("card_box", [0, 3])
def test_a_month_and_a_year_beside_a_card_number_or_its_code_are_its_expiry(card_box):
    # "MM" and "YY" between the card number and the CVV: a model that reads each as only a month or a year
    # names nothing, and one card box beside them (before the pair, or after it) makes them the expiry.
    from companion.fields.model import LinearModel

    model = LinearModel(
        classes=("none", "cc-number", "cc-csc"),
        bias=(0.0, -5.0, -5.0),
        weights={"h:cc-number": {1: 10.0}, "h:cc-csc": {2: 10.0}},
        threshold=0.6,
    )
    boxes = [field("Street"), field("MM", "m", maxlength=2), field("YY", "y", maxlength=2), field("Note")]
    boxes[card_box] = field("Card number") if card_box == 0 else field("CVV")
    seen = [f.type for f in understand(payload(*boxes), model=model).fields]
    assert seen[1:3] == ["cc-exp-month", "cc-exp-year"]
    # Beside no card box, a month and a year are any date: named nothing
    alone = [field("Street"), field("MM", "m", maxlength=2), field("YY", "y", maxlength=2), field("Note")]
    assert [f.type for f in understand(payload(*alone), model=model).fields][1:3] == [None, None]


def test_a_box_whose_words_name_a_cards_code_or_holder_is_one_whatever_the_model_says():
    # Card data is recognised by rule, so that the safety layer refuses it: a model that knows no card
    # names nothing, yet "CVV", "Prüfziffer" and "Name on card" say what they are. A verification or gift
    # card code does not, nor does a cardholder's address or first name (another part of the name).
    from companion.fields.model import LinearModel

    model = LinearModel(classes=("none", "email"), bias=(0.0, -5.0), weights={}, threshold=0.6)
    labels = ["CVV", "Prüfziffer", "Name on card", "Titolare carta", "Verification code", "Gift card code"]
    labels += ["Cardholder's billing address", "Cardholder's first name"]
    seen = [f.type for f in understand(payload(*(field(label) for label in labels)), model=model).fields]
    assert seen[:4] == ["cc-csc", "cc-csc", "cc-name", "cc-name"]
    assert not {"cc-csc", "cc-name"} & set(seen[4:])


# --- Nothing to detect -------------------------------------------------------------------------------


def test_search_box_and_hidden_tracking_fields_get_no_type():
    p = payload(
        {"type": "hidden", "name": "utm_source"},
        {"type": "hidden", "name": "email", "id": "tracking-email"},
        {"type": "search", "name": "q", "placeholder": "Search products"},
        {"type": "submit", "name": "go"},
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == [None, None, None, None]
    assert seen.purpose == "search"


def test_anonymous_field_is_left_alone():
    assert types(payload({"name": "", "id": ""})) == [None]


# --- Autocomplete attribute --------------------------------------------------------------------------


def test_autocomplete_attribute_gives_type_section_and_reason():
    p = payload(field("Code postal", "cp", autocomplete="section-a shipping postal-code"))
    seen = understand(p).fields[0]
    assert seen.type == "postal-code"
    assert seen.section == "shipping"
    assert seen.reason == "autocomplete attribute"


def test_autocomplete_is_evidence_not_law():
    # Seen in the wild: a postal code box marked new-password to keep browsers from autofilling it.
    assert types(payload(field("Kode Pos", "postal", autocomplete="new-password"))) == ["postal-code"]


@pytest.mark.parametrize("junk", ["off", "nope", "chrome-off-4711", "billing", "shipping street tel"])
def test_autocomplete_junk_is_not_a_token(junk):
    assert parse_autocomplete(junk) is None


def test_autocomplete_grammar():
    hint = parse_autocomplete("section-x billing mobile tel webauthn")
    assert (hint.token, hint.section, hint.contact) == ("tel", "billing", "mobile")
    assert parse_autocomplete("home postal-code") is None  # contact hints go only before contact tokens


# --- Proffer's own tokens ----------------------------------------------------------------------------


def test_consent_checkboxes():
    p = payload(
        field("Ich möchte den Newsletter abonnieren", "newsletter", type="checkbox"),
        field("Ich akzeptiere die AGB", "agb", type="checkbox"),
        field("I do not want to receive special offers", "optout", type="checkbox"),
    )
    assert types(p) == ["marketing-opt-in", "terms-accept", "marketing-opt-out"]


def test_keep_me_signed_in_is_no_consent_whatever_the_box_is_named():
    p = payload(
        field("Email address", "email", type="email"),
        field("Password", "password", type="password"),
        field("Keep me signed in", "newsletter", type="checkbox"),
        forms=[{"index": 0, "submit_text": "Sign in"}],
    )
    assert types(p) == ["email", "current-password", None]


def test_newsletter_form_purpose():
    p = payload(
        field("Your e-mail", "newsletter_email", type="email"),
        forms=[{"index": 0, "heading": "Subscribe to our newsletter", "submit_text": "Subscribe"}],
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == ["email"]
    assert seen.purpose == "newsletter"


@pytest.mark.parametrize(
    ("heading", "submit", "purpose"),
    [
        ("Sign up for emails", "Go!", "newsletter"),
        ("", "Get important news", "newsletter"),
        ("News", "Continue", "other"),  # a news site's heading is not an offer of news
        # The first step of a sign-in or a sign-up that asks for the email alone says nothing of a
        # newsletter: the ledger must not call it one.
        ("", "Continue", "other"),
        ("Welcome back", "Next", "other"),
        # ... unless it says it signs in: then it is the step before the password
        ("Sign in", "Continue", "login"),
        ("", "Email sign in link", "login"),
        ("Anmeldung", "Weiter", "other"),
        ("Log in or create an account", "Continue", "other"),
    ],
)
def test_a_lone_email_box_is_a_newsletter_only_when_its_form_says_so(heading, submit, purpose):
    p = payload(
        field("Email address", "email", type="email"),
        forms=[{"index": 0, "heading": heading, "submit_text": submit}],
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == ["email"]
    assert seen.purpose == purpose


def test_a_newsletter_with_a_box_for_each_list_is_a_newsletter():
    lists = ("Daily: our biggest stories", "Deals: the best prices of the week", "Weekly digest", "Podcasts")
    p = payload(
        *(
            field(f"{name}. Subscribe to this newsletter", f"newsletter-list-{i}", type="checkbox")
            for i, name in enumerate(lists)
        ),
        field("Email address", "email", type="email"),
        forms=[{"index": 0, "heading": "Newsletters", "submit_text": "Sign up"}],
    )
    seen = understand(p)
    assert [f.type for f in seen.fields] == ["marketing-opt-in"] * 4 + ["email"]
    assert seen.purpose == "newsletter"


# --- The interface -----------------------------------------------------------------------------------


def test_one_understanding_per_field_in_order_with_bounded_labels():
    long_label = "Bitte geben Sie hier Ihre vollständige Lieferadresse ein " * 5
    p = payload(field(long_label, "street"), field("", "zip"), {"type": "hidden", "name": "token"})
    seen = understand(p)
    assert [f.index for f in seen.fields] == [0, 1, 2]
    assert all(isinstance(f, FieldUnderstanding) for f in seen.fields)
    assert len(seen.fields[0].label) <= 120
    assert seen.fields[1].label == "zip"  # no human text: the name is the best label there is
    assert seen.purpose in PURPOSES
    allowed = WHATWG_TOKENS | set(PROFFER_TOKENS)
    assert all(f.type is None or f.type in allowed for f in seen.fields)


def test_a_card_form_beside_the_delivery_address_makes_a_checkout_page():
    # The shop keeps the card in a form of its own, and it has more boxes than the address form.
    address = [
        ("Full name", "name"),
        ("Street address", "street"),
        ("City", "city"),
        ("ZIP code", "zip"),
    ]
    card = [
        ("Name on card", "ccname"),
        ("Card number", "ccnumber"),
        ("Expiry month", "ccmonth"),
        ("Expiry year", "ccyear"),
        ("Security code", "cvc"),
        ("Email for the receipt", "receipt_email"),
    ]
    rows = [{"form_index": 0, "tag": "input", "type": "text", "label": text, "name": name} for text, name in address]
    rows += [{"form_index": 1, "tag": "input", "type": "text", "label": text, "name": name} for text, name in card]
    p = FillRequestPayload.model_validate(
        {
            "page": {"url": ORIGIN + "/checkout", "top_origin": ORIGIN, "frame_origin": ORIGIN},
            "forms": [{"index": 0, "heading": "Delivery address"}, {"index": 1, "heading": "Payment"}],
            "fields": [{"index": i, **row} for i, row in enumerate(rows)],
        }
    )
    seen = understand(p)
    assert seen.form_purposes == {0: "checkout", 1: "billing"}
    assert seen.purpose == "checkout"
    # Alone, the same card form is a payment.
    alone = p.model_copy(update={"fields": [f for f in p.fields if f.form_index == 1], "forms": p.forms[1:]})
    assert understand(alone).purpose == "billing"


def test_forms_get_their_own_purposes():
    p = FillRequestPayload.model_validate(
        {
            "page": {"url": ORIGIN + "/", "top_origin": ORIGIN, "frame_origin": ORIGIN},
            "forms": [{"index": 0, "submit_text": "Sign in"}, {"index": 1, "heading": "Newsletter"}],
            "fields": [
                {"index": 0, "form_index": 0, "tag": "input", "type": "email", "label": "Email"},
                {"index": 1, "form_index": 0, "tag": "input", "type": "password", "label": "Password"},
                {"index": 2, "form_index": 1, "tag": "input", "type": "email", "label": "Your email"},
            ],
        }
    )
    seen = understand(p)
    assert seen.form_purposes == {0: "login", 1: "newsletter"}
    assert seen.purpose == "login"


# --- Purposes and sections of whole checkouts ---------------------------------------------------------

CHECKOUT_TEXT = "Contact Shipping address Card details Place order"


def _checkout(*extra: dict, heading="Contact", text=CHECKOUT_TEXT, phone="Phone (for delivery questions)"):
    return payload(
        field("Email address", "email", type="email", autocomplete="email"),
        field(phone, "phone", type="tel", autocomplete="tel"),
        field("First name", "given_name"),
        field("Last name", "family_name"),
        field("Street address", "street"),
        field("Apartment, suite, etc. (optional)", "line2"),
        field("Postcode / ZIP", "postal_code"),
        field("Town / City", "city"),
        *extra,
        forms=[{"index": 0, "heading": heading, "submit_text": "Place order", "text": text}],
    )


CARD = (
    field("Name on card", "card_name"),
    field("Card number", "card_number", inputmode="numeric"),
    field("Expiry date (MM/YY)", "card_expiry"),
    field("Security code", "card_cvc", inputmode="numeric"),
)


def test_checkout_with_a_card_is_a_checkout_not_billing():
    # An earlier version called any form with a card number "billing", the demo shop's checkout included.
    seen = understand(_checkout(*CARD))
    assert [f.type for f in seen.fields][:8] == [
        "email",
        "tel",
        "given-name",
        "family-name",
        "address-line1",
        "address-line2",
        "postal-code",
        "address-level2",
    ]
    assert seen.purpose == "checkout"


def test_a_card_alone_is_billing_and_a_billing_address_with_a_card_too():
    assert understand(payload(*CARD, forms=[{"index": 0, "heading": "Payment"}])).purpose == "billing"
    billing = _checkout(*CARD, heading="Billing address", text="Billing address Payment Pay now", phone="Phone")
    assert understand(billing).purpose == "billing"


def test_shipping_heading_gives_a_section_to_the_address_not_to_email_phone_or_card():
    # An earlier version put "shipping" on the buyer's email and phone because the form said "Shipping".
    seen = understand(_checkout(*CARD))
    sections = {f.type: f.section for f in seen.fields}
    assert sections["given-name"] == sections["address-line1"] == sections["postal-code"] == "shipping"
    assert sections["email"] is None
    assert sections["tel"] is None
    assert sections["cc-number"] is None


def _address_form(form: dict, box: str) -> FillRequestPayload:
    labels = ("First name", "Last name", "Address", "City", "Zip code")
    return payload(
        *(field(label, label.lower().replace(" ", "_")) for label in labels),
        field(box, "same_address", type="checkbox"),
        forms=[{"index": 0, "text": " ".join((*labels, box, form.get("submit_text", ""))), **form}],
    )


@pytest.mark.parametrize(
    ("form", "box", "section", "purpose"),
    [
        # A tick box speaks of the other address: it does not make a delivery form the billing one
        ({}, "Use as billing address", None, "checkout"),
        ({"heading": "Delivery address"}, "Use as billing address", "shipping", "checkout"),
        ({"heading": "Billing address"}, "Ship to the same address", "billing", "billing"),
        ({"heading": "Rechnungsadresse"}, "Lieferadresse wie Rechnungsadresse", "billing", "billing"),
        # The form's own programmer name says which address it is
        ({"id": "shipping-address-form"}, "Use as billing address", "shipping", "checkout"),
        ({"name": "dwfrm_billing"}, "Same as shipping address", "billing", "billing"),
        # A button names the next step as often as this one
        ({"heading": "Secure checkout", "submit_text": "Continue to payment"}, "Save this address", None, "checkout"),
        (
            {"heading": "Delivery address", "submit_text": "Proceed to payment"},
            "Save this address",
            "shipping",
            "checkout",
        ),
    ],
)
def test_which_address_a_form_holds_is_read_from_it_not_from_its_tick_box(form, box, section, purpose):
    seen = understand(_address_form(form, box))
    assert [f.section for f in seen.fields if f.type] == [section] * 5
    assert seen.purpose == purpose


def test_a_form_named_login_with_a_lone_email_box_signs_in():
    p = payload(
        field("Email address", "email", type="email"), forms=[{"index": 0, "id": "login", "submit_text": "Continue"}]
    )
    assert understand(p).purpose == "login"


def test_contact_field_section_from_its_programmer_name_or_autocomplete():
    p = payload(
        field("Telefon", "shippingPhoneNumber", type="tel"),
        field("Telefon", "invoicePhoneNumber", type="tel"),
        field("E-Mail", "email", type="email", autocomplete="billing email"),
    )
    assert [f.section for f in understand(p).fields] == ["shipping", "billing", "billing"]


def test_sign_in_email_stays_email():
    # Labels disagree on a sign-in form's email (DuckDuckGo's say "username", Mozilla's "email"); Proffer
    # keeps what the field says it is, so the vault's email goes where an email is asked for.
    p = payload(
        field("Email", "login_email", type="email"),
        field("Password", "login_password", type="password"),
        forms=[{"index": 0, "submit_text": "Sign in"}],
    )
    assert types(p) == ["email", "current-password"]


def test_rewards_join_form_is_an_enrolment_and_its_mobile_box_no_membership_number():
    # The demo shop's join form was called a look-up: "join-phone" read as a phone keyed on rewards.
    p = payload(
        field("First name", "join-given-name"),
        field("Surname", "join-family-name"),
        field("Email", "join-email", type="email", autocomplete="email"),
        field("Mobile number (without country code)", "join-phone", type="tel"),
        field("I accept the Lindenhof Rewards terms", "join-terms", type="checkbox"),
        forms=[{"index": 0, "heading": "Join our rewards program", "submit_text": "Join now"}],
    )
    seen = understand(p)
    assert seen.fields[3].type != "membership-number"
    assert seen.purpose == "loyalty-enrollment"
    # whereas a box that asks for the phone number the rewards are kept under is that number
    lookup = payload(field("Rewards card number or phone number for rewards (optional)", "checkout-rewards"))
    assert types(lookup) == ["membership-number"]


def test_the_visible_form_speaks_for_the_page_not_a_hidden_bigger_one():
    # The demo shop's rewards page (a one-box look-up, and a hidden join form behind a button) was
    # called an enrolment: the hidden form had more fields.
    hidden = {"visible": False, "hidden_reason": "display:none (ancestor)", "form_index": 1}
    p = FillRequestPayload.model_validate(
        {
            "page": {"url": ORIGIN + "/rewards", "top_origin": ORIGIN, "frame_origin": ORIGIN},
            "forms": [
                {"index": 0, "heading": "Lindenhof Rewards"},
                {"index": 1, "heading": "Join our rewards program"},
            ],
            "fields": [
                {"index": 0, "form_index": 0, "tag": "input", "label": "Your rewards number", "name": "member_number"},
                {"index": 1, "tag": "input", "label": "First name", "name": "given_name", **hidden},
                {"index": 2, "tag": "input", "label": "Surname", "name": "family_name", **hidden},
                {"index": 3, "tag": "input", "type": "email", "label": "Email", "name": "email", **hidden},
            ],
        }
    )
    seen = understand(p)
    assert seen.form_purposes == {0: "loyalty-lookup", 1: "loyalty-enrollment"}
    assert seen.purpose == "loyalty-lookup"


def test_programmer_name_words_explain_away_too():
    from companion.fields import vocabulary

    assert vocabulary.kinds_in_words(["phone", "number"]) == {"tel"}
    assert vocabulary.kinds_in_words(["house", "number"]) == {"house-number"}
    assert "name" not in vocabulary.kinds_in_words(["company", "name"])
    assert vocabulary.kinds_in_words(["company", "ico"]) == {"vat-number"}  # the Czech company number
    # "postnumber", the Nordic "postnummer" in English, is the postcode and not a house number
    assert vocabulary.kinds_in_words(["dpostnumber"]) == {"postal-code"}


def test_a_one_letter_name_word_counts_only_run_together_with_its_neighbour():
    from companion.fields import text, vocabulary

    # A framework's path names no flat ("m.") and no CPR number ("c" + "pr")
    path = text.identifier("r:r:1:m:r:3:r:cr:1:c:pr:1:container:fs:inputAndLabel:c:i:input").split()
    assert vocabulary.kinds_in_words(path) == set()
    assert vocabulary.kinds_in_words(["n", "firstname"]) == {"given-name"}  # no house "n."
    # ... while run together, one letter still makes a word
    assert vocabulary.kinds_in_words(["f", "name"]) == {"given-name"}
    assert vocabulary.kinds_in_words(["i", "agree"]) == {"terms"}
    assert vocabulary.kinds_in_words(["q"]) == {"search"}  # the web's name for a query


@pytest.mark.parametrize(
    ("options", "feature"),
    [
        (["", "Mr", "Mrs", "Miss", "Ms", "Dr"], "opt:salutations"),
        (["Bitte wählen", "Frau", "Herr", "Divers / keine Anrede"], "opt:salutations"),
        (["Civilité", "M.", "Mme"], "opt:salutations"),
        (["Select Gender", "Female", "Male", "Rather Not Say"], "opt:sexes"),
        (["Køn", "Mand", "Kvinde"], "opt:sexes"),
        (["-- Por favor, seleccione --", "Masculino", "Femenino"], "opt:sexes"),
    ],
)
def test_a_select_listing_salutations_or_the_sexes_says_so(options, feature):
    assert feature in _select_evidence(options)


@pytest.mark.parametrize(
    "options",
    [["XS", "S", "M", "L", "XL"], ["Yes", "No"], ["Mr", "Mrs", *(f"Option {i}" for i in range(20))]],
)
def test_sizes_answers_and_long_lists_list_no_salutations(options):
    # "M" or "No" may be among them, and a long list may hold a title or two.
    assert not {"opt:salutations", "opt:sexes"} & set(_select_evidence(options))


@pytest.mark.parametrize(
    "options",
    [
        ["+30 Griechenland", "+31 Niederlande", "+32 Belgien", "+33 Frankreich", "+34 Spanien"],
        ["Afghanistan \u202a(+93)\u202c", "Albania \u202a(+355)\u202c", "Algeria (+213)", "Chad (+235)", "Peru (+51)"],
        ["BE +32", "NL +31", "FR +33", "DE +49", "LU +352"],
        ["Magyarország (+36)", "Külföld (+)"],  # a short list of the home code and "abroad"
        ["CA +1"],
    ],
)
def test_a_select_listing_calling_codes_says_so_wherever_the_code_stands(options):
    assert "opt:dial-codes" in _select_evidence(options)


@pytest.mark.parametrize(
    "options",
    [
        [f"Europe/{city}: 17 March 2023 at 17:38 GMT +0000" for city in ("Berlin", "Paris", "Rome", "Oslo", "Kyiv")],
        ["Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Size 10+", "C++"],
    ],
)
def test_time_zones_and_plus_signs_are_no_calling_codes(options):
    assert "opt:dial-codes" not in _select_evidence(options)


@pytest.mark.parametrize(
    ("descriptor", "feature"),
    [
        ({"placeholder": "+20"}, "h:tel-country-code"),
        ({"placeholder": "00962"}, "h:tel-country-code"),
        ({"label": "(+49)"}, "h:tel-country-code"),
        ({"nearby_text": "+30"}, "near:tel-country-code"),
    ],
)
def test_a_box_whose_only_text_is_a_calling_code_takes_one(descriptor, feature):
    from companion.fields.features import field_evidence
    from companion.protocol.messages import FieldDescriptor

    evidence = field_evidence(
        FieldDescriptor.model_validate({"index": 0, "tag": "input", "type": "text", **descriptor})
    )
    assert feature in evidence.own
    assert evidence.kinds == {"tel-country-code"}  # and no repeat read from the "2" that ends "00962"


@pytest.mark.parametrize(
    "descriptor",
    [
        {"placeholder": "+1 (555) 555-0100"},
        {"placeholder": "+49 30 1234567"},
        {"placeholder": "20"},
        {"placeholder": "Size 10+"},
        {"label": "+ 254", "placeholder": "e.g. 700200100"},  # the national box, the code drawn before it
        {"placeholder": "+20" + " " * 40 + "Phone number"},  # a code, then the words, far apart
        {"placeholder": "0000"},  # a mask of digits: no calling code starts with 0
        {"placeholder": "000"},
    ],
)
def test_a_whole_number_a_bare_number_or_an_adornment_is_no_calling_code(descriptor):
    from companion.fields.features import field_evidence
    from companion.protocol.messages import FieldDescriptor

    evidence = field_evidence(FieldDescriptor.model_validate({"index": 0, "tag": "input", **descriptor}))
    assert "tel-country-code" not in evidence.kinds


CALLING_CODES = [
    {"value": v, "text": t}
    for v, t in [
        ("49", "DE +49"),
        ("43", "AT +43"),
        ("41", "CH +41"),
        ("33", "FR +33"),
        ("39", "IT +39"),
        ("31", "NL +31"),
    ]
]


@pytest.mark.parametrize(("code_label", "phone_label"), [("Körzetszám", "Telefonszám"), ("Vorwahl", "Telefon")])
def test_an_area_code_box_before_a_phone_box_takes_the_area_code_and_that_box_the_rest(code_label, phone_label):
    # Libri's Hungarian checkout: "Körzetszám" (two characters) before "Telefonszám". A model that reads both
    # as the whole number put it in a box it cannot fit; the area code's words decide the pair. (The vault
    # splits a number so only where the split is fixed, in North America; elsewhere both get nothing.)
    from companion.fields.model import LinearModel

    model = LinearModel(
        classes=("none", "tel", "tel-country-code"),
        bias=(0.0, -5.0, -5.0),
        weights={"h:tel": {1: 10.0}, "h:tel-area-code": {1: 10.0}, "h:tel-country-code": {2: 10.0}},
        threshold=0.6,
    )
    pair = payload(field("Email", type="email"), field(code_label, maxlength=2), field(phone_label, type="tel"))
    assert [f.type for f in understand(pair, model=model).fields][1:] == ["tel-area-code", "tel-local"]
    # A box read as the calling code keeps that reading, whatever else its words say
    coded = payload(field("Country code"), field(phone_label, type="tel"))
    assert [f.type for f in understand(coded, model=model).fields] == ["tel-country-code", "tel-national"]


@pytest.mark.parametrize(
    ("code_label", "phone_label", "name"),
    [
        ("Ländervorwahl", "Telefonnummer", "phoneNumber"),
        ("Indicatif", "Téléphone", "telephone"),
        ("", "Mobile number", "mobile"),
    ],
)
def test_a_phone_box_after_a_calling_code_box_wants_the_national_number(code_label, phone_label, name):
    # "+49" is chosen in the select; the box beside it wants the rest of the number, not "+49" again.
    code = field(code_label, "phoneCode", tag="select", type="select-one", options=CALLING_CODES)
    phone = field(phone_label, name, type="tel")
    assert types(payload(field("Vorname", "firstName"), code, phone))[1:] == ["tel-country-code", "tel-national"]
    assert types(payload(field("Vorname", "firstName"), phone))[1] == "tel"


def test_the_models_doubt_between_the_whole_and_the_national_number_is_no_doubt_about_a_phone():
    # Neither class alone reaches the threshold; together they do, and the form's shape picks one.
    from companion.fields.model import LinearModel

    model = LinearModel(
        classes=("none", "tel", "tel-national", "tel-country-code"),
        bias=(0.0, -5.0, -5.0, -5.0),
        weights={"h:tel": {1: 5.7, 2: 5.5}, "opt:dial-codes": {3: 10.0}},
        threshold=0.6,
    )
    phone = field("Phone number", "phone")
    code = field("", "code", tag="select", type="select-one", options=CALLING_CODES)
    assert [f.type for f in understand(payload(phone), model=model).fields] == ["tel"]
    assert [f.type for f in understand(payload(code, phone), model=model).fields] == [
        "tel-country-code",
        "tel-national",
    ]
    # The site's autocomplete token alone does not decide: shops put "tel-national" on whole-number boxes.
    # (An unlabelled box it names, with type=tel as a second witness, keeps it:
    # test_autocomplete_and_input_type_agreeing_name_an_unlabelled_box.)
    named = field("Phone number", "phone", autocomplete="tel-national")
    assert [f.type for f in understand(payload(named), model=model).fields] == ["tel"]


def test_an_unsure_box_takes_the_class_its_autocomplete_token_names_when_the_model_finds_it_likely():
    # A "phone_1" box with no label: the model leans to the whole phone number (0.45), below the
    # threshold, and finds the calling code likely (0.35). The site's own token names the calling code,
    # so that is the box's type, though it was not the model's first choice.
    from companion.fields.model import LinearModel

    model = LinearModel(
        classes=("none", "tel", "tel-country-code", "email"),
        bias=(0.0, -5.0, -5.0, -5.0),
        weights={"i:tel": {0: -0.85, 1: 5.0, 2: 4.75}},
        threshold=0.6,
    )

    def typed(autocomplete):
        box = field("", "phone_1", autocomplete=autocomplete)
        return understand(payload(box), model=model).fields[0].type

    assert typed("tel-country-code") == "tel-country-code"
    assert typed("") is None  # no witness: the model alone is unsure
    assert typed("email") is None  # a token the model finds unlikely for the box names nothing


def _select_evidence(texts: list[str]) -> tuple[str, ...]:
    """The evidence features of a select offering these option texts."""
    from companion.fields.features import field_evidence
    from companion.protocol.messages import FieldDescriptor

    listed = [{"value": str(i), "text": t} for i, t in enumerate(texts)]
    return field_evidence(
        FieldDescriptor.model_validate({"index": 0, "tag": "select", "type": "select-one", "options": listed})
    ).own


def test_label_and_name_agreeing_is_a_feature_of_its_own():
    from companion.fields.features import field_evidence
    from companion.protocol.messages import FieldDescriptor

    def evidence(label, name):
        return field_evidence(
            FieldDescriptor.model_validate({"index": 0, "tag": "input", "type": "tel", **field(label, name)})
        )

    agreeing = evidence("Telefon", "telefon")
    assert "x:tel" in agreeing.own
    label_only = evidence("Telefon", "")
    assert not [f for f in label_only.own if f.startswith("x:")]


def test_a_phrase_must_stand_within_one_of_a_fields_texts():
    from companion.fields import vocabulary
    from companion.fields.features import field_evidence
    from companion.protocol.messages import FieldDescriptor

    # Label and aria-label both "Surname": read together they would hold "name surname", a whole name.
    surname = field_evidence(
        FieldDescriptor.model_validate(
            {"index": 0, "tag": "input", "type": "text", "label": "Surname *", "aria_label": "Surname"}
        )
    )
    assert "h:family-name" in surname.own
    assert "h:full-name" not in surname.own
    assert vocabulary.kinds_in_parts(["surname", "surname"]) == ("family-name",)
    # A phrase within one text still counts, and explaining away works across the texts.
    assert "full-name" in vocabulary.kinds_in_parts(["first and last name", "required"])
    assert "name" not in vocabulary.kinds_in_parts(["company name", "name"])


def test_autocomplete_and_label_agreeing_name_a_rare_type():
    # Birthdays are rare in the corpus, so the model alone is unsure of a lone date box at the top of
    # a form; the site's autocomplete token and the label saying the same thing settle it.
    p = payload(
        field("Date of birth", "", type="date", autocomplete="bday"),
        field("Email", "email", type="email", autocomplete="email"),
        field("Phone", "phone", type="tel"),
    )
    assert types(p) == ["bday", "email", "tel"]
    # One witness alone is not enough: the same box without a label the vocabulary reads stays unnamed.
    assert (
        types(payload(field("", "", type="date", autocomplete="bday"), field("Email", "email", type="email")))[0]
        is None
    )


def test_autocomplete_and_input_type_agreeing_name_an_unlabelled_box():
    # A long sign-up whose first box has no label or name at all: only the page's request to the
    # browser (type=tel, autocomplete=tel-national) says what it wants. Either witness alone is not enough.
    rest = [
        field("", "login"),
        field("", "password", type="password"),
        field("Répéter l'adresse e-mail", "emailRepeat", type="email", autocomplete="none"),
        *(field(label, name) for label, name in FRENCH_SIGNUP),
        field("Numéro de mobile", "mobile", type="tel"),
        field("Mot de passe", "password2", type="password"),
        field("Répéter le mot de passe", "password3", type="password"),
    ]
    # The model alone leans to "nothing here", and its runner-up is the plain phone, not the national one.
    assert types(payload(field("", "", type="tel", autocomplete="tel-national"), *rest))[0] == "tel-national"
    assert types(payload(field("", "", type="tel"), *rest))[0] is None
    assert types(payload(field("", "", type="text", autocomplete="tel-national"), *rest))[0] is None


FRENCH_SIGNUP = [
    ("Sexe", "gender"),
    ("Prénom", "firstName"),
    ("Nom", "lastName"),
    ("Date de naissance", "birthday"),
    ("Code postal", "zip"),
    ("Ville", "city"),
    ("Rue", "street"),
    ("Numéro de maison", "houseNumber"),
    ("Commune", "district"),
    ("Numéro de l'appartement", "apartment"),
    ("Bâtiment", "building"),
]


def test_a_card_or_secret_is_named_on_weaker_evidence_than_a_value_box():
    # A hand-made model that is as unsure of a card number box as of a phone box (0.55 against 0.45 for
    # "nothing"): the phone stays unnamed (a value in the wrong box leaks), the card is named (nothing
    # goes in it), and so is a password box.
    from math import log

    from companion.fields.classify import NEVER_FILLED_FLOOR
    from companion.fields.model import LinearModel

    lean = 50.0 + log(0.55 / 0.45)
    model = LinearModel(
        classes=("none", "cc-number", "tel", "new-password"),
        bias=(0.0, -50.0, -50.0, -50.0),
        weights={"h:cc-number": {1: lean}, "h:tel": {2: lean}, "h:password": {3: lean}},
        threshold=0.6,
    )
    assert NEVER_FILLED_FLOOR <= 0.55 < model.threshold
    seen = understand(payload(field("Card number"), field("Phone"), field("Choose a password")), model=model)
    assert [f.type for f in seen.fields] == ["cc-number", None, "new-password"]
