"""The ledger pages in real headless Chromium, against a real companion process, with a ledger holding
hostile strings from pages (markup and script in site names, labels, purposes, paths): every view answers
its question, shows those strings as text, runs none of them, and logs no console error."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from companion.decisions import Choice, DecisionStore
from companion.ledger.chain import GENESIS, entry_hash
from companion.ledger.model import Decision, DisclosedField, LedgerDraft
from companion.ledger.store import Ledger
from companion.vault import Vault
from tests.companion.ledger.receipt_schemas import validate_receipt
from tests.e2e.harness import CHROMIUM, PASSPHRASE, Proffer

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVIL_SITE = '</title>"><img src=x onerror="window.__pwned=1">evil.example'
EVIL_STALE_SITE = '<iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>old.example'
EVIL_LABEL = "<script>window.__pwned=2</script>E-mail"
EVIL_PURPOSE = "<b onmouseover=alert(3)>checkout</b>"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def draft(site, fields, decision=Decision.ONCE, purpose="checkout", label="Email", path="/checkout"):
    return LedgerDraft(
        site=site,
        origin=f"https://{site}" if "<" not in site else "https://evil.example",
        path=path,
        frame_origin="https://evil.example" if "<" in site else f"https://{site}",
        purpose=purpose,
        fields=tuple(DisclosedField(type=t, label=label, value_id=v, fingerprint=f) for t, v, f in fields),
        decision=decision,
        terms="approved once in the approval window",
        browser="chromium",
    )


@pytest.fixture
def person(tmp_path):
    person = Proffer.create(tmp_path)
    person.create_vault(FIXTURES / "person.vcf")
    vault = Vault(person.data_dir.vault_dir)
    vault.unlock(PASSPHRASE)
    email = vault.offers("email")[0]
    current = vault.fingerprint(email.value)
    ledger = Ledger.open(person.data_dir.ledger_dir, vault.subkey("ledger"))
    given = [("email", email.value_id, current)]
    ledger.append(draft("alpha.example", given), now=START)
    ledger.append(draft("beta.example", [("email", email.value_id, "0" * 64)]), now=START + timedelta(days=1))
    ledger.append(
        draft(EVIL_SITE, given, purpose=EVIL_PURPOSE, label=EVIL_LABEL, path="/<svg onload=alert(4)>"),
        now=START + timedelta(days=2),
    )
    ledger.append(draft("alpha.example", [("tel", None, None)], Decision.DECLINED), now=START + timedelta(days=3))
    stale_given = [("email", email.value_id, "0" * 64)]  # an email since changed in the vault
    ledger.append(draft(EVIL_STALE_SITE, stale_given, label=EVIL_LABEL), now=START + timedelta(days=4))
    for i in range(60):  # enough for two pages
        ledger.append(
            draft("gamma.example", [("postal-code", "a:1:postal", "f" * 64)]), now=START + timedelta(days=40, hours=i)
        )
    ledger.close()
    decisions = DecisionStore(person.data_dir.decisions_file, vault.sealer("decisions"))
    decisions.set("alpha.example", "email", Choice.ALWAYS)
    decisions.close()
    vault.lock()
    person.email = email.value
    return person


@pytest.fixture
def page(playwright, person, tmp_path):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
        env={**person.env},
    )
    try:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
        yield page
    finally:
        browser.close()


def not_pwned(page):
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x], svg[onload], b[onmouseover], iframe, script").count() == 0


def test_every_ledger_view_answers_and_shows_hostile_strings_as_text(person, page):
    with person.companion():
        page.goto(person.dashboard + "/ledger")
        assert "/unlock" in page.url
        page.fill("#passphrase", PASSPHRASE)
        page.click("#unlock-submit")
        page.wait_for_url("**/ledger")

        # The dashboard's icon is served (Chromium asks for one on every page: a missing one is a console error).
        assert page.get_attribute("head link[rel=icon]", "href") == "/static/favicon.svg"
        icon = page.request.get(person.dashboard + "/static/favicon.svg")
        assert icon.ok and icon.headers["content-type"] == "image/svg+xml" and b"<svg" in icon.body()

        # Timeline: newest first, paged, filterable; the activity chart has its months.
        assert page.text_content("#result-count").strip() == "65 matching entries, page 1 of 2."
        assert page.locator("#timeline tbody tr").count() == 50
        assert page.locator("#activity svg g.bar").count() == 2
        not_pwned(page)
        page.click("#page-next")
        page.wait_for_url("**/ledger?page=2")
        assert page.locator("#timeline tbody tr").count() == 15
        evil_row = page.locator("#timeline tbody tr", has_text="onmouseover")
        assert evil_row.locator("td.site").text_content() == EVIL_SITE
        assert evil_row.locator("td.purpose").text_content() == EVIL_PURPOSE
        assert EVIL_LABEL in evil_row.locator("td.fields").text_content()
        assert "/<svg onload=alert(4)>" in evil_row.locator("td.page").text_content()
        not_pwned(page)

        # The hostile entry's consent receipt: valid against the published Kantara schema, the site as data.
        with page.expect_download() as download:
            evil_row.locator("a[download]", has_text="receipt").click()
        receipt = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        validate_receipt(receipt)
        assert receipt["piiControllers"][0]["piiController"] == EVIL_SITE
        assert receipt["services"][0]["purposes"][0]["purpose"] == EVIL_PURPOSE
        page.select_option("#f-site", "alpha.example")
        page.select_option("#f-decision", "declined")
        page.click("#filter-submit")
        page.wait_for_url("**decision=declined**")
        assert page.text_content("#result-count").strip() == "1 matching entry."
        assert page.text_content("#timeline td.decision") == "declined"
        page.goto(person.dashboard + "/ledger?since=not-a-date")
        assert "since: 'not-a-date' is not a date" in page.text_content("#filter-errors")

        # Sites, and the hostile site's own page, reached by its link.
        page.goto(person.dashboard + "/ledger/sites")
        assert page.locator("#sites tbody tr").count() == 5
        not_pwned(page)
        page.click(f"#sites a:text-is('{EVIL_SITE}')")
        page.wait_for_url("**/ledger/site?site=**")
        assert page.text_content("#site-title") == EVIL_SITE
        assert page.title() == f"{EVIL_SITE} · Proffer"
        assert "email" in page.text_content("#site-summary")
        assert EVIL_LABEL in page.locator("#site-entries td.fields").text_content()
        assert page.locator("#request-body").count() == 0  # the request is its own page, made when asked for
        not_pwned(page)

        # Its access request, on its own page: the site, label and purpose as text in the letter.
        page.click("#request-access")
        page.wait_for_url("**/ledger/site/request?**kind=access**")
        assert page.text_content("#request-site") == EVIL_SITE
        assert page.title() == f"Access request: {EVIL_SITE} · Proffer"
        assert EVIL_SITE in page.input_value("#request-subject")
        assert f"for {EVIL_PURPOSE}: email (“{EVIL_LABEL}”)" in page.input_value("#request-body")
        not_pwned(page)

        # A busy site's page lists its entries a page at a time; its request lists every one of them.
        page.goto(person.dashboard + "/ledger/site?site=gamma.example")
        count = " ".join(page.text_content("#site-count").split())
        assert count.startswith("60 entries, newest first, page 1 of 2 (")
        assert page.locator("#site-entries tbody tr").count() == 50
        assert page.get_attribute("#site-entries tbody tr time", "datetime").startswith("2026-04-13T21:00")
        page.click("#page-next")
        page.wait_for_url("**/ledger/site?site=gamma.example&page=2")
        assert page.locator("#site-entries tbody tr").count() == 10
        page.click("#request-access")
        page.wait_for_url("**/ledger/site/request?site=gamma.example&kind=access")
        body = page.input_value("#request-body")
        assert "(60 times)" in body and body.count("\n- ") == 60
        assert "2026-04-11 10:00 UTC" in body and "2026-04-13 21:00 UTC" in body  # the first and the last
        assert page.text_content("#request-count").strip().endswith("60 disclosures.")

        # Requests for a site: exactly what it got, and a mail link.
        page.goto(person.dashboard + "/ledger/site?site=alpha.example")
        page.click("#request-erasure")
        page.wait_for_url("**/ledger/site/request?site=alpha.example&kind=erasure")
        assert page.get_attribute("#request-erasure", "aria-current") == "page"
        body = page.input_value("#request-body")
        assert "Article 17" in body and "2026-03-02 10:00 UTC" in body and "tel" not in body.split("following")[1]
        page.fill("#request-to", "dpo@alpha.example")
        page.click("#request-mailto-make")
        page.wait_for_selector("#request-mailto")
        assert page.get_attribute("#request-mailto", "href").startswith("mailto:dpo@alpha.example?subject=Erasure")
        assert page.input_value("#request-body") == body
        page.click("#back-to-site")
        page.wait_for_url("**/ledger/site?site=alpha.example")

        # Its standing decision, revoked from the site page.
        page.goto(person.dashboard + "/ledger/site?site=alpha.example")
        decision_row = page.locator("#standing-decisions tbody tr")
        assert decision_row.count() == 1 and "always" in decision_row.text_content()
        decision_row.locator("button", has_text="Revoke").click()
        page.wait_for_url("**/decisions?site=alpha.example")
        page.goto(person.dashboard + "/ledger/site?site=alpha.example")
        assert page.is_visible("#no-decisions")

        # Who knows what.
        page.goto(person.dashboard + "/ledger/who-knows-what")
        headers = [h.strip() for h in page.locator("#grid thead th").all_text_contents()]
        assert headers == ["Site", "email", "postal-code"]
        gamma = page.locator("#grid tbody tr", has_text="gamma.example")
        assert gamma.locator("td.given").text_content().strip() == "● 60"
        assert page.locator("#grid tbody th", has_text="evil.example").text_content() == EVIL_SITE
        assert page.locator("#grid tbody th", has_text="old.example").text_content() == EVIL_STALE_SITE
        not_pwned(page)

        # Search by value: only its fingerprint is compared.
        page.goto(person.dashboard + "/ledger/search")
        page.fill("#search-value", person.email)
        page.click("#search-submit")
        page.wait_for_selector("#search-sites")
        assert page.text_content("#search-sites") == f"Given to: {EVIL_SITE}, alpha.example."
        assert page.locator("#search-results tbody tr").count() == 2
        assert person.email not in page.url
        not_pwned(page)
        page.fill("#search-value", "nobody@nowhere.example")
        page.click("#search-submit")
        page.wait_for_selector("#search-none")

        # Stale: beta got an email that has changed since; gamma got a value the vault never had.
        page.goto(person.dashboard + "/ledger/stale")
        rows = page.locator("#stale tbody tr").all_text_contents()
        assert any("beta.example" in r and "changed in your vault" in r for r in rows)
        assert any("gamma.example" in r and "removed from your vault" in r for r in rows)
        assert not any("alpha.example" in r for r in rows)
        assert page.locator("#stale tbody a", has_text="old.example").text_content() == EVIL_STALE_SITE
        not_pwned(page)

        # Integrity, exports and a receipt.
        page.goto(person.dashboard + "/ledger/verify")
        assert page.text_content("#verify-ok").startswith("All 65 entries check out")
        not_pwned(page)
        page.goto(person.dashboard + "/ledger")
        with page.expect_download() as download:
            page.click("#export-csv")
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert len(rows) == 66 and EVIL_SITE in {r[3] for r in rows} and EVIL_STALE_SITE in {r[3] for r in rows}
        with page.expect_download() as download:
            page.click("#export-jsonl")
        documents = [json.loads(line) for line in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
        assert [d["seq"] for d in documents] == list(range(1, 66))
        previous = GENESIS
        for document in documents:  # the chain re-checks from the downloaded file alone
            assert document["prev_hash"] == previous and entry_hash(document) == document["hash"]
            previous = document["hash"]
        assert documents[2]["site"] == EVIL_SITE and documents[2]["fields"][0]["label"] == EVIL_LABEL
        with page.expect_download() as download:
            page.locator("#timeline a[download]", has_text="receipt").first.click()
        validate_receipt(json.loads(Path(download.value.path()).read_text(encoding="utf-8")))

        not_pwned(page)
    assert page.problems == []
