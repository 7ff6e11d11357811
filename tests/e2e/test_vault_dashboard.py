"""The vault in the dashboard, in real headless Chromium against a real companion process: first-run
creation with strength feedback, vCard import, editing with validation errors, removal, lock; then no
marker value in plaintext anywhere under the data dir."""

import json
import re
from pathlib import Path

import pytest

from tests.e2e.harness import CHROMIUM, PASSPHRASE, Proffer, browser, wait_until

pytestmark = pytest.mark.e2e

VCARD = Path(__file__).resolve().parents[1] / "companion" / "vault" / "fixtures" / "marker4-v40.vcf"
MARKERS = ["Marker4Family", "marker4@example.org", "6175550142", "Marker4 St", "dash-marker-3391@example.org"]


@pytest.fixture
def fresh(tmp_path):
    """A Proffer with no vault yet."""
    return Proffer.create(tmp_path)


@pytest.fixture
def page(playwright, fresh):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
        env={**fresh.env},
    )
    try:
        yield browser.new_page()
    finally:
        browser.close()


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to, so no check reads the old page."""
    with page.expect_navigation():
        page.click(selector)


def export(person: Proffer) -> dict:
    return json.loads(person.cli("vault", "export", "--passphrase-file", str(person.passphrase_file())).stdout)


def test_create_import_edit_validate_remove_and_lock(fresh, page):
    person = fresh
    with person.companion():
        page.goto(person.dashboard + "/")
        assert page.url.endswith("/vault/setup")

        # Live strength feedback, then the companion's own refusal of a weak passphrase.
        page.fill("#passphrase", "aaaaaaaaaaaa")
        assert page.text_content("#strength-text").startswith("Too weak")
        page.fill("#confirm", "aaaaaaaaaaaa")
        submit(page, "#setup-submit")
        assert "too easy to guess" in page.text_content("#setup-error")
        page.fill("#passphrase", PASSPHRASE)
        assert page.text_content("#strength-text") == "Strong."
        page.fill("#confirm", PASSPHRASE + " typo")
        submit(page, "#setup-submit")
        assert page.text_content("#setup-error") == "The two passphrases differ."
        page.fill("#passphrase", PASSPHRASE)
        page.fill("#confirm", PASSPHRASE)
        submit(page, "#setup-submit")
        assert page.url.endswith("/vault?welcome=1")
        assert page.is_visible("#welcome")

        page.set_input_files("#vcard", str(VCARD))
        submit(page, "#import-submit")
        notice = page.text_content("#vault-notice")
        assert notice.startswith("Imported: 1 names, 1 emails, 2 phones, 1 addresses, 1 birthday.")
        assert page.input_value("#emails-new-address") == ""
        emails = page.locator("form.vault-item[id^=form-emails-]:not([id$=-new]) input[name=address]")
        assert emails.count() == 1

        # A bad email: refused with a message at the form, what was typed is kept.
        page.fill("#emails-new-label", "shopping")
        page.fill("#emails-new-address", "dash-marker-3391-at-example.org")
        submit(page, "#save-emails-new")
        assert page.text_content("#errors-emails-new").strip() == (
            "address: not an email address (expected something like name@example.org)"
        )
        assert page.input_value("#emails-new-address") == "dash-marker-3391-at-example.org"
        page.fill("#emails-new-address", "dash-marker-3391@example.org")
        submit(page, "#save-emails-new")
        assert emails.count() == 2
        assert not page.is_visible("#errors-emails-new")

        # A postal code that is not one of the address's country.
        address_form = page.locator("form.vault-item[id^=form-addresses-]:not([id$=-new])").first
        address_id = address_form.get_attribute("id").removeprefix("form-")
        page.fill(f"#{address_id}-postal_code", "ABC")
        submit(page, f"#save-{address_id}")
        assert "postal code 'ABC': not a postal code of United States" in page.text_content(f"#errors-{address_id}")
        page.fill(f"#{address_id}-postal_code", "01102")
        page.select_option(f"#{address_id}-label", "shipping")
        submit(page, f"#save-{address_id}")
        assert page.input_value(f"#{address_id}-postal_code") == "01102"

        # A phone: national format in, and a birthday with a day that does not exist.
        page.fill("#phones-new-label", "home")
        page.fill("#phones-new-country_code", "+44")
        page.fill("#phones-new-national", "020 7946 0000")
        submit(page, "#save-phones-new")
        page.fill("#birthday-main-month", "2")
        page.fill("#birthday-main-day", "30")
        submit(page, "#save-birthday-main")
        assert "not a day of the year" in page.text_content("#errors-birthday-main")

        # A membership (sites as typed: mixed case, www., spaces) and the work details.
        page.fill("#memberships-new-program", "Lindenhof Club")
        page.fill("#memberships-new-number", "LH-3391")
        page.fill("#memberships-new-sites", "www.Lindenhof.test, shop.example")
        submit(page, "#save-memberships-new")
        page.fill("#organization-main-name", "Marker Works")
        page.fill("#organization-main-title", "Engineer")
        submit(page, "#save-organization-main")
        assert page.input_value("#organization-main-title") == "Engineer"
        assert page.input_value("input[name=number]") == "LH-3391"

        # Remove the imported email.
        first_email = page.locator("form.vault-item[id^=form-emails-]:not([id$=-new])").first
        submit(page, "#delete-" + first_email.get_attribute("id").removeprefix("form-"))
        assert emails.count() == 1

        submit(page, "nav button:has-text('Lock')")
        assert re.search(r"/unlock", page.url)

    saved = export(person)
    assert [e["address"] for e in saved["emails"]] == ["dash-marker-3391@example.org"]
    assert saved["addresses"][0]["postal_code"] == "01102"
    assert saved["addresses"][0]["label"] == "shipping"
    assert {(p["country_code"], p["national"]) for p in saved["phones"]} >= {("44", "2079460000")}
    assert saved["birthday"] == {"year": None, "month": 4, "day": 12}  # the bad edit changed nothing
    assert [(m["program"], m["number"], m["sites"]) for m in saved["memberships"]] == [
        ("Lindenhof Club", "LH-3391", ["lindenhof.test", "shop.example"])
    ]
    assert saved["organization"] == {"name": "Marker Works", "title": "Engineer"}

    for path in (p for p in person.data_dir.root.rglob("*") if p.is_file()):
        content = path.read_bytes()
        for marker in MARKERS:
            assert marker.encode() not in content, f"{marker} in plaintext in {path}"


def test_change_passphrase_in_the_dashboard(fresh, page):
    person = fresh
    person.create_vault(VCARD)
    with person.companion():
        person.unlock()
        page.goto(person.dashboard + "/unlock?next=/vault")
        page.fill("#passphrase", PASSPHRASE)
        submit(page, "#unlock-submit")
        assert page.url.endswith("/vault")
        page.fill("#current-passphrase", "not the passphrase")
        page.fill("#new-passphrase", "a completely new passphrase")
        page.fill("#confirm-passphrase", "a completely new passphrase")
        submit(page, "#passphrase-submit")
        assert page.text_content("#vault-problem-1") == "The current passphrase is not right; nothing was changed."
        page.fill("#current-passphrase", PASSPHRASE)
        page.fill("#new-passphrase", "a completely new passphrase")
        page.fill("#confirm-passphrase", "a completely new passphrase")
        submit(page, "#passphrase-submit")
        assert page.text_content("#vault-notice") == "Passphrase changed. Use the new one from now on."
    wrong = person.cli("vault", "export", "--passphrase-file", str(person.passphrase_file()), check=False)
    assert wrong.returncode == 1


# The unique values of tests/fixtures/person.vcf, which the `person` fixture's vault is made from.
PERSON_MARKERS = [
    "ada.e2e-marker-5521@example.org",
    "Marker-Lovelace",
    "Quintessa",
    "7700905521",
    "5521 Marker Street",
    "OX1 5QX",
]


def test_after_a_whole_scenario_no_marker_is_in_plaintext_under_the_data_dir(playwright, person, shop):
    """Vault from a vCard (CLI), a demo-shop checkout with every offered field approved, the dashboard's
    overview and vault pages viewed: then every byte under the data dir is searched for the markers."""
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                shop_page = context.new_page()
                shop_page.goto(shop + "/en/checkout")
            window = info.value
            window.wait_for_selector("body[data-ready=true]")
            boxes = window.locator("input[name=share]")
            for index in range(boxes.count()):
                boxes.nth(index).check()
            window.click("#approve")
            wait_until(lambda: shop_page.input_value("#email") == PERSON_MARKERS[0], what="the fill")
            dashboard = context.new_page()
            dashboard.goto(person.dashboard + "/unlock?next=/vault")
            dashboard.fill("#passphrase", PASSPHRASE)
            submit(dashboard, "#unlock-submit")
            assert dashboard.input_value("input[name=address]") == PERSON_MARKERS[0]
            dashboard.goto(person.dashboard + "/")
            assert "127.0.0.1" in dashboard.inner_text("main")  # the overview lists the release
    files = [p for p in person.data_dir.root.rglob("*") if p.is_file()]
    assert any(p.is_relative_to(person.data_dir.ledger_dir) for p in files)  # the fill was recorded
    for path in files:
        content = path.read_bytes()
        for marker in PERSON_MARKERS:
            for encoded in (marker.encode(), marker.lower().encode(), marker.encode("utf-16-le")):
                assert encoded not in content, f"{marker!r} in plaintext in {path}"
