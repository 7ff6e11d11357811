"""extension/content/fill.js in real Chromium, against real frameworks and the demo shop.

What matters is not what the DOM shows right after a fill but what the page's framework *kept*: each
fixture publishes its framework's own form state in ``window.fixtureState``, and the tests force a
re-render before reading it, because a framework that missed the change writes its stale value back then.
fill.js is injected with ``add_script_tag`` after controls.js, as the manifest loads them (no extension
needed: the code under test is the same file).
Everything is served from 127.0.0.1: fixtures and the npm packages' browser builds by a stdlib file server,
the demo shop by its own app on a free port.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from companion.demo_shop.app import init_app as init_shop
from companion.fields.runner import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.framework_pages import require_vendor

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# fill.js and what it loads after in the content script (manifest.json): controls.js numbers the controls.
FILL_SCRIPTS = (ROOT / "extension" / "content" / "controls.js", ROOT / "extension" / "content" / "fill.js")


def add_fill_script(page) -> None:
    for script in FILL_SCRIPTS:
        page.add_script_tag(path=str(script))


FRAMEWORKS = {
    "react": ("react.html", ("react.js", "react-dom.js")),
    "vue": ("vue.html", ("vue.js",)),
    "angularjs": ("angularjs.html", ("angular.js",)),
    "angular-like": ("angular-like.html", ()),
    "web-components": ("web-components.html", ()),
}
# What a person approved, by element id; the test turns ids into the positions fill.js takes (controls.js
# numbers them, the web components' controls inside their shadow roots included).
APPROVED = [
    {"id": "name", "value": "Ada Lovelace"},
    {"id": "email", "value": "ada@example.org"},
    {"id": "country", "value": "United Kingdom"},
    {"id": "month", "value": "December"},
    {"id": "offers", "checked": False},
]
EXPECTED_STATE = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB", "month": "12", "offers": False}

FILL_BY_ID = """(entries) => {
  const all = ProfferControls.controlsOf(document);
  const resolved = entries.map(({ id, ...rest }) => ({ index: all.findIndex((el) => el.id === id), ...rest }));
  return ProfferFill.fillFields(document, resolved);
}"""
READ_DOM = """() => {
  const byId = (id) => ProfferControls.controlsOf(document).find((el) => el.id === id);
  return {
    name: byId("name").value,
    email: byId("email").value,
    country: byId("country").value,
    month: byId("month").value,
    offers: byId("offers").checked,
  };
}"""


@pytest.fixture(scope="module")
def demo_shop() -> Iterator[str]:
    """The demo shop app on a free port, served by its own event loop in its own thread (Playwright's sync API
    runs a loop in this one)."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(init_shop(newsletter_delay_ms=60_000), access_log=None)

    async def start() -> int:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner.addresses[0][1]

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture(scope="module")
def browser(playwright):
    """One Chromium for the module, from the session's Playwright (a second sync Playwright cannot start in
    this thread while the session's runs)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))
    try:
        yield browser
    finally:
        browser.close()


def _page(browser, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"the page threw: {errors}"


@pytest.fixture
def page(browser):
    yield from _page(browser)


@pytest.fixture
def shop_page(browser):
    # The demo shop's CSP (script-src 'self') would block an injected <script>; a content script is exempt
    # from the page's CSP, so the context bypasses it to give fill.js the same footing.
    yield from _page(browser, bypass_csp=True)


def open_fixture(page, base: str, framework: str) -> None:
    html, vendored = FRAMEWORKS[framework]
    require_vendor(vendored)
    page.goto(f"{base}/{html}")
    page.wait_for_function("window.fixtureState !== undefined")
    add_fill_script(page)


def rerender(page) -> dict:
    before = page.evaluate("window.fixtureState.renders")
    page.click("#rerender")
    page.wait_for_function("(n) => window.fixtureState.renders === n + 1", arg=before)
    return page.evaluate("window.fixtureState")


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
def test_framework_state_keeps_filled_values_after_a_rerender(page, fixture_server, framework):
    open_fixture(page, fixture_server, framework)
    report = page.evaluate(FILL_BY_ID, APPROVED)
    assert report == {"filled": [0, 1, 2, 3, 4], "refused": []}
    state = rerender(page)
    assert {key: state[key] for key in EXPECTED_STATE} == EXPECTED_STATE
    assert page.evaluate(READ_DOM) == EXPECTED_STATE  # the re-render did not write stale values back


@pytest.mark.parametrize("framework", ["angularjs", "angular-like"])
def test_angular_forms_see_the_field_touched(page, fixture_server, framework):
    # Angular marks a control touched on blur; shops validate and show errors from that state.
    open_fixture(page, fixture_server, framework)
    page.evaluate(FILL_BY_ID, APPROVED[:1])
    assert rerender(page)["touched"]["name"] is True


def test_react_fixture_catches_a_plain_value_assignment(page, fixture_server):
    """The control: the way fill.js must NOT write (an assignment plus an event) is lost on re-render, so the
    React fixture really tells a kept value from a swallowed one."""
    open_fixture(page, fixture_server, "react")
    page.evaluate("""() => {
      const input = document.getElementById("name");
      input.value = "Ada Lovelace";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }""")
    assert rerender(page)["name"] == ""
    assert page.evaluate("document.getElementById('name').value") == ""


def test_web_components_fixture_catches_a_value_written_without_events(page, fixture_server):
    """The control for the components: a value put into the inner input without the events a person's typing
    fires never reaches the component, and its next render wipes it."""
    open_fixture(page, fixture_server, "web-components")
    page.evaluate("""() => {
      ProfferControls.controlsOf(document).find((el) => el.id === "name").value = "Ada Lovelace";
    }""")
    assert rerender(page)["name"] == ""
    assert page.evaluate(READ_DOM)["name"] == ""


def test_german_demo_checkout_fills_what_was_approved_and_refuses_the_rest(shop_page, demo_shop):
    page = shop_page
    page.goto(f"{demo_shop}/de/checkout")
    add_fill_script(page)
    approved = [
        {"id": "email", "value": "ada@example.org"},
        {"id": "ship-given-name", "value": "Ada"},
        {"id": "ship-family-name", "value": "Lovelace"},
        {"id": "ship-street", "value": "12 Marker Lane"},
        {"id": "ship-postal-code", "value": "OX1 4AR"},
        {"id": "ship-city", "value": "Oxford"},
        {"id": "ship-country", "value": "United Kingdom"},  # the option reads "Vereinigtes Königreich"
        {"id": "card-number", "value": "4242424242424242"},  # never: a payment card field
        {"id": "newsletter-email", "value": "ada@example.org"},  # never: inside the closed pop-up
    ]
    report = page.evaluate(FILL_BY_ID, approved)
    index_of = page.evaluate(
        """(ids) => { const all = [...document.querySelectorAll("input, select, textarea")];
                      return Object.fromEntries(ids.map((id) => [id, all.indexOf(document.getElementById(id))])); }""",
        [entry["id"] for entry in approved],
    )
    assert sorted(report["refused"], key=lambda r: r["index"]) == sorted(
        [
            {"index": index_of["card-number"], "reason": "payment_card"},
            {"index": index_of["newsletter-email"], "reason": "invisible"},
        ],
        key=lambda r: r["index"],
    )
    assert len(report["filled"]) == 7
    page.click("#place-order")
    page.wait_for_selector("#thank-you")
    received = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#received dd')].map((dd) => [dd.id, dd.textContent]))"
    )
    assert received["received-first_name"] == "Ada"
    assert received["received-zip"] == "OX1 4AR"
    assert received["received-country"] == "GB"
    assert received["received-cc_number"] == "— nicht angegeben"


def test_german_demo_signup_unticks_the_preticked_box_and_fills_the_birthday_parts(shop_page, demo_shop):
    page = shop_page
    page.goto(f"{demo_shop}/de/account/register")
    add_fill_script(page)
    approved = [
        {"id": "signup-given-name", "value": "Ada"},
        {"id": "signup-family-name", "value": "Lovelace"},
        {"id": "signup-email", "value": "ada@example.org"},
        {"id": "signup-password", "value": "not-from-proffer"},
        {"id": "birth-day", "value": "10"},
        {"id": "birth-month", "value": "December"},  # options read "Dezember", values 1..12
        {"id": "birth-year", "value": "1979"},
        {"id": "signup-marketing", "checked": False},
    ]
    report = page.evaluate(FILL_BY_ID, approved)
    assert [r["reason"] for r in report["refused"]] == ["never_filled_type"]
    assert page.evaluate("document.getElementById('signup-password').value") == ""
    # What the person does themselves: a password and the terms.
    page.fill("#signup-password", "a password typed by the person")
    page.check("#signup-terms")
    page.click("#create-account")
    page.wait_for_selector("#thank-you")
    assert page.text_content("#received-birth_day") == "10"
    assert page.text_content("#received-birth_month") == "12"
    assert page.text_content("#received-birth_year") == "1979"
    assert page.text_content("#received-newsletter") == "nein"


def test_rewards_modal_is_filled_only_once_open_and_takes_a_split_phone_number(shop_page, demo_shop):
    page = shop_page
    page.goto(f"{demo_shop}/de/rewards")
    add_fill_script(page)
    approved = [
        {"id": "join-given-name", "value": "Ada"},
        {"id": "join-family-name", "value": "Lovelace"},
        {"id": "join-email", "value": "ada@example.org"},
        {"id": "join-phone-country", "value": "+44"},
        {"id": "join-phone", "value": "7700 900431"},
    ]
    closed = page.evaluate(FILL_BY_ID, approved)
    assert closed["filled"] == []
    assert {r["reason"] for r in closed["refused"]} == {"invisible"}
    page.click("#rewards-join-open")
    page.wait_for_selector("#rewards-join-dialog[open]")
    opened = page.evaluate(FILL_BY_ID, approved)
    assert (len(opened["filled"]), opened["refused"]) == (5, [])
    page.check("#join-terms")
    page.click("#rewards-join-submit")
    page.wait_for_selector("#thank-you")
    assert page.text_content("#received-mobile_cc") == "+44"
    assert page.text_content("#received-mobile") == "7700 900431"
    assert page.text_content("#received-given") == "Ada"
