"""Proffer in real Firefox: Debian's firefox-esr with the unpacked extension as a temporary add-on, the real
native host registered for Firefox (allowed_extensions = the Gecko id) and started by the browser, the real
companion, and pages served from 127.0.0.1.

The Chromium tests cover the flows in depth; these prove the same extension works where Firefox differs: a
background page (scripts) instead of a service worker, moz-extension:// pages, why a native port closed
(port.error, not runtime.lastError), windows.create and windows.onRemoved, and content scripts that see the
page through Xray wrappers (filling framework controls, amending the FormData of a form being sent). Each test
starts its own Firefox (a few seconds) for its own person."""

import os
from pathlib import Path

import pytest
from marionette_driver.by import By
from marionette_driver.keys import Keys

from tests.e2e.firefox import FIREFOX, GECKO_ID, firefox
from tests.e2e.framework_pages import require_vendor
from tests.e2e.harness import free_port, static_server, wait_until
from tests.e2e.test_fields_cli import EXPECTED as TRICK_REASONS
from tests.e2e.test_fill_flow import CHECKOUT, COOKIE_WALL, EMAIL
from tests.e2e.test_prompts import RECEIVED, RETICK_ON_SUBMIT, SIGN_UP_TYPED, TERMS_SET_AGAIN, after_the_report

pytestmark = pytest.mark.e2e

TRICKS = Path(__file__).resolve().parents[1] / "fixtures" / "tricks"
APPROVAL_PAGE = "approval/approval.html"


@pytest.fixture
def browser_name():
    return "firefox"


@pytest.fixture
def ff(person):
    if not os.access(FIREFOX, os.X_OK):
        pytest.skip(f"no Firefox at {FIREFOX}: apt-get install firefox-esr, or set PROFFER_FIREFOX")
    with firefox(person) as browser:
        yield browser


def open_form(ff, url, tab=None):
    """Load ``url`` in ``tab`` (the first tab by default); return the approval window it makes Proffer open,
    switched to and ready."""
    known = set(ff.marionette.window_handles)
    ff.marionette.switch_to_window(tab or ff.tab)
    ff.marionette.navigate(url)
    window = ff.wait_for_window(APPROVAL_PAGE, known)
    ff.wait_for_selector("body[data-ready=true]")
    wait_armed(ff)
    return window


def wait_armed(ff):
    """Wait out the approval window's security delay. Its decision controls ignore input until then, and
    WebDriver's click, unlike Playwright's, does not wait for a control to be enabled."""
    ff.wait_for_selector("body[data-armed=true]")


def offered_types(ff):
    """The field types the approval window offers, in its order."""
    return [e.text.strip("()") for e in ff.marionette.find_elements(By.CSS_SELECTOR, ".field .type")]


def row(ff, field_type):
    return ff.marionette.find_element(
        By.XPATH, f"//div[contains(@class, 'field')][.//span[@class='type' and text()='({field_type})']]"
    )


def tick(ff, *field_types):
    for field_type in field_types:
        row(ff, field_type).find_element(By.CSS_SELECTOR, "input[name=share]").click()


def test_the_extension_reaches_the_companion_only_through_the_host_registered_for_firefox(person, ff):
    # One manifest serves both browsers; Firefox may skip Chromium's key and nothing else.
    assert [w for w in ff.manifest_warnings() if "processing key:" not in w] == []
    with person.companion():
        person.unlock()
        person.cli("install-host", "--browser", "firefox", "--uninstall")
        ff.open_extension_page("popup/popup.html")
        ff.wait_for_selector("body[data-reachable=false]")
        # Firefox says why a native port closed in port.error (runtime.lastError stays unset there).
        reason = ff.marionette.find_element(By.ID, "status").get_attribute("title")
        assert "No such native application org.proffer.companion" in reason, reason

        person.install_host("firefox")
        manifest = person.home / ".mozilla/native-messaging-hosts/org.proffer.companion.json"
        assert GECKO_ID in manifest.read_text()
        ff.marionette.refresh()
        body = ff.wait_for_selector("body[data-reachable=true]")
        assert body.get_attribute("data-vault") == "unlocked"
        assert ff.marionette.find_element(By.ID, "status").text == "Connected. Your vault is open."


def test_approved_fields_are_filled_and_the_ledger_records_them(person, ff, shop):
    with person.companion():
        person.unlock()
        open_form(ff, shop + CHECKOUT)
        assert "127.0.0.1" in ff.marionette.find_element(By.ID, "origin").text
        assert ff.marionette.find_elements(By.CSS_SELECTOR, "input[name=share]:checked") == []  # nothing pre-ticked
        assert EMAIL in ff.marionette.find_element(By.ID, "main").text  # the exact value is shown
        tick(ff, "email", "given-name", "family-name")
        ff.marionette.find_element(By.ID, "approve").click()
        ff.marionette.switch_to_window(ff.tab)
        wait_until(lambda: ff.value("#email") == EMAIL, what="the email to be filled")
        assert ff.value("#ship-given-name") == "Ada"
        assert ff.value("#ship-family-name") == "Marker-Lovelace"
        for field_id in ("phone", "ship-street", "ship-postal-code", "card-number"):
            assert ff.value(f"#{field_id}") == ""  # offered and left unticked, or never offered
        wait_until(lambda: ff.marionette.window_handles == [ff.tab], what="the approval window to close")

        (given,) = [e for e in person.ledger() if e["decision"] == "once"]
        assert given["browser"] == "firefox" and given["site"] == shop.removeprefix("http://")  # host and port
        assert sorted(f["type"] for f in given["fields"]) == ["email", "shipping family-name", "shipping given-name"]


def test_a_standing_decision_fills_without_asking_and_closing_the_window_declines(person, ff, shop):
    with person.companion():
        person.unlock()
        open_form(ff, shop + CHECKOUT)
        row(ff, "email").find_element(By.CSS_SELECTOR, "select.remember option[value=always]").click()
        ff.marionette.find_element(By.ID, "approve").click()
        ff.marionette.switch_to_window(ff.tab)
        wait_until(lambda: ff.value("#email") == EMAIL, what="the first fill")

        open_form(ff, shop + CHECKOUT)  # the next visit: a new document, its fields empty
        assert "email" not in offered_types(ff) and "tel" in offered_types(ff)  # not asked again
        ff.marionette.close()  # the person closes the window: a decline
        ff.marionette.switch_to_window(ff.tab)
        wait_until(lambda: ff.value("#email") == EMAIL, what="the standing decision's fill")
        wait_until(lambda: any(e["decision"] == "declined" for e in person.ledger()), what="the refusal")
        decisions = [e["decision"] for e in person.ledger()]
        assert decisions.count("always") == 1 and ff.value("#phone") == ""


def test_a_hidden_second_email_is_neither_offered_nor_filled(person, ff):
    with person.companion(), static_server(free_port(), TRICKS) as site:
        person.unlock()
        open_form(ff, f"{site}/hidden-second-email.html")
        offered = offered_types(ff)
        assert offered.count("email") == 1, offered  # the visible one; its off-screen twin is refused
        tick(ff, *offered)  # the person shares everything they are shown
        ff.marionette.find_element(By.ID, "approve").click()
        ff.marionette.switch_to_window(ff.tab)
        wait_until(lambda: ff.value("#email") == EMAIL, what="the visible email to be filled")
        assert ff.value("#given") == "Ada"
        assert ff.value("#trick") == ""


def test_a_form_under_a_cookie_banner_is_offered_once_the_person_closes_it(person, ff, tmp_path):
    """Firefox's hit test finds the banner over the form as Chromium's does; the person's click closing it
    has the page read again."""
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "join.html").write_text(COOKIE_WALL, encoding="utf-8")
    with person.companion(), static_server(free_port(), site_dir) as site:
        person.unlock()
        known = set(ff.marionette.window_handles)
        ff.marionette.switch_to_window(ff.tab)
        ff.marionette.navigate(f"{site}/join.html")
        ff.marionette.execute_script("return new Promise((done) => setTimeout(done, 1500))")
        assert set(ff.marionette.window_handles) == known, "nothing visible to ask about"
        ff.marionette.find_element(By.ID, "accept").click()
        ff.wait_for_window(APPROVAL_PAGE, known)
        ff.wait_for_selector("body[data-ready=true]")
        wait_armed(ff)
        assert "email" in offered_types(ff)
        tick(ff, "email")
        ff.marionette.find_element(By.ID, "approve").click()
        ff.marionette.switch_to_window(ff.tab)
        wait_until(lambda: ff.value("#email") == EMAIL, what="the email, once uncovered")


def test_every_safety_trick_is_refused_for_the_reason_chromium_gives(person, ff):
    """The page's layout is read by the content script in the browser it runs in: Firefox must see the same
    hidden, covered and secret fields as Chromium (test_fields_cli), and still offer the honest ones."""
    wrong = {}
    with person.companion(), static_server(free_port(), TRICKS) as site:
        person.unlock()
        open_form(ff, f"{site}/clean.html")  # first, nothing to detect: the same field is offered
        assert offered_types(ff) == ["given-name", "family-name", "email"]
        for trick, reason in sorted(TRICK_REASONS.items()):
            ff.marionette.close()  # declines, and leaves the tab free for the next page's window
            # Each page in a tab of its own: in one tab, windows closed in a row hold the next one back for
            # longer each time (extension/background/cooldown.js).
            ff.marionette.switch_to_window(ff.tab)
            tab = ff.marionette.open(type="tab", focus=True)["handle"]
            open_form(ff, f"{site}/{trick}.html", tab)
            refused = [
                e.get_property("textContent") for e in ff.marionette.find_elements(By.CSS_SELECTOR, ".skipped li")
            ]
            if "given-name" not in offered_types(ff) or not any(r.endswith(f"({reason})") for r in refused):
                wrong[trick] = (offered_types(ff), refused)
    assert wrong == {}


# Where the focused control of the approval window is, and whether the fixed action bar covers it; null once
# focus has reached the bar itself.
FOCUS_PLACE = """
const focused = document.activeElement;
const bar = document.querySelector(".actions");
if (!focused || focused === document.body || bar.contains(focused)) return null;
const top = bar.getBoundingClientRect().top;
return { control: focused.id || focused.localName, hidden: focused.getBoundingClientRect().bottom > top };
"""


def test_no_control_reached_by_keyboard_is_hidden_behind_the_approval_windows_action_bar(person, ff, shop):
    """Regression: the bar is fixed over the window's bottom edge, and a control Tab had just reached sat
    behind it (found when Firefox's WebDriver refused to click a checkbox "another element obscures")."""
    with person.companion():
        person.unlock()
        open_form(ff, shop + CHECKOUT)
        m = ff.marionette
        assert m.execute_script("return document.documentElement.scrollHeight > innerHeight")  # it scrolls
        reached = []
        for _ in range(100):
            place = m.execute_script(FOCUS_PLACE)
            if place is None:
                break
            assert not place["hidden"], f"{place['control']} is behind the action bar (after {reached})"
            reached.append(place["control"])
            m.get_active_element().send_keys(Keys.TAB)
        assert len(reached) >= 2 * len(offered_types(ff)), reached  # every row's box and "next time" choice


def test_a_fill_from_the_content_script_reaches_reacts_own_state(person, ff, fixture_server):
    """Firefox's content scripts see the page through Xray wrappers, not as the page's own scripts do; React
    keeps its own copy of each value and writes it back on the next render unless it saw the change."""
    require_vendor(("react.js", "react-dom.js"))
    with person.companion():
        person.unlock()
        open_form(ff, f"{fixture_server}/react.html")
        tick(ff, "name", "email", "country")
        ff.marionette.find_element(By.ID, "approve").click()
        ff.marionette.switch_to_window(ff.tab)
        wait_until(lambda: ff.value("#email") == EMAIL, what="the email to be filled")
        ff.marionette.find_element(By.ID, "rerender").click()
        rendered = "return window.fixtureState.renders === 1 && window.fixtureState"
        state = wait_until(lambda: ff.marionette.execute_script(rendered, sandbox=None), what="React's next render")
        assert (state["name"], state["email"], state["country"]) == ("Ada Quintessa Marker-Lovelace", EMAIL, "GB")
        assert state["offers"] is False  # the pre-ticked "Send me offers", unticked by the standing preference
        assert ff.value("#email") == EMAIL  # the render did not write a stale value back


def test_a_form_of_web_components_is_filled_inside_their_shadow_roots(person, ff, fixture_server):
    """Through Xray wrappers too, a content script reaches the controls in a component's open shadow root,
    and the component keeps what was written there."""
    inner = "return document.querySelector('wc-text-field[control-id=email]').shadowRoot.getElementById('email').value"
    with person.companion():
        person.unlock()
        open_form(ff, f"{fixture_server}/web-components.html")
        assert "email" in offered_types(ff)
        tick(ff, "email")
        ff.marionette.find_element(By.ID, "approve").click()
        ff.marionette.switch_to_window(ff.tab)
        wait_until(lambda: ff.marionette.execute_script(inner, sandbox=None) == EMAIL, what="the email to be filled")
        ff.marionette.find_element(By.ID, "rerender").click()
        rendered = "return window.fixtureState.renders === 1 && window.fixtureState"
        state = wait_until(lambda: ff.marionette.execute_script(rendered, sandbox=None), what="the components' render")
        assert (state["email"], state["name"]) == (EMAIL, "")
        assert state["offers"] is False  # the pre-ticked "Send me offers", unticked by the standing preference


def sign_up_the_shop_ticks_again(ff, shop):
    """The shop's sign-up page, Proffer's window for it declined: the marketing box Proffer unticked by the
    person's standing preference, the shop's own submit handler that ticks it again (RETICK_ON_SUBMIT, put in
    after load, as Marionette can), and the person's entries, ready to be sent."""
    m = ff.marionette
    open_form(ff, f"{shop}/en/account/register")
    m.find_element(By.ID, "decline").click()
    m.switch_to_window(ff.tab)
    box = m.find_element(By.ID, "signup-marketing")
    wait_until(lambda: not box.is_selected(), what="the pre-ticked box to be unticked")
    m.execute_script(RETICK_ON_SUBMIT, sandbox=None)
    for selector, text in SIGN_UP_TYPED.items():
        m.find_element(By.CSS_SELECTOR, selector).send_keys(text)
    m.find_element(By.ID, "signup-terms").click()


def test_a_box_the_page_ticks_again_in_its_submit_handler_is_sent_unticked(person, ff, shop):
    """The shop ticks its marketing box again in its own submit handler, after Proffer unticked it by the
    person's standing preference (test_prompts in Chromium). The content script sets it again at the formdata
    event and takes it out of the FormData the page's event carries, which it reaches through an Xray wrapper."""
    m = ff.marionette
    with person.companion():
        person.unlock()
        sign_up_the_shop_ticks_again(ff, shop)
        m.find_element(By.ID, "create-account").click()
        ff.wait_for_selector("#thank-you")
        newsletter, no_offers = (m.find_element(By.CSS_SELECTOR, s).get_attribute("class") for s in RECEIVED)
        assert newsletter == "not-given", "the shop received the marketing box ticked"
        assert no_offers == "given"  # the twin Proffer ticked, which the page left alone
        change, [note], entries = after_the_report(person, lambda e: TERMS_SET_AGAIN in e["terms"])
        assert note["decision"] == "never" and note["request_id"] == change["request_id"]
        assert note["browser"] == "firefox"
        assert [f["label"] for f in note["fields"]] == [f["label"] for f in change["fields"]]
        assert not [e for e in entries if e["decision"] == "undelivered"]  # the change was honoured


# In the browser's own chrome: requests to POST to ``arguments[0]`` wait, suspended before they are sent, until
# the function it leaves on the window lets them go.
HOLD_POSTS = """
const [url] = arguments;
const held = [];
const watch = {
  observe(subject) {
    const channel = subject.QueryInterface(Ci.nsIHttpChannel);
    if (channel.requestMethod === "POST" && channel.URI.spec === url) {
      channel.suspend();
      held.push(channel);
    }
  },
};
Services.obs.addObserver(watch, "http-on-modify-request");
window.profferLetPostsGo = () => {
  Services.obs.removeObserver(watch, "http-on-modify-request");
  for (const channel of held.splice(0)) channel.resume();
  return true;
};
"""
# In one of Proffer's own pages: the toolbar button's badge text and title in every tab.
BADGES = """
return browser.tabs.query({}).then((tabs) => Promise.all(tabs.map((t) => Promise.all(
  [browser.action.getBadgeText({ tabId: t.id }), browser.action.getTitle({ tabId: t.id })]))));
"""
LOADED = "return document.readyState === 'complete' || new Promise((ok) => addEventListener('load', () => ok(true)))"


def test_the_badge_that_says_the_box_was_set_again_is_on_the_page_the_form_loads(person, ff, shop):
    """Firefox, too, clears a tab's badge when the tab loads another page (test_prompts in Chromium). The shop
    answers the submission only once the badge says what happened, on the page being left; the notice must be
    there on the thank-you page, and not on the page after it."""
    m = ff.marionette
    with person.companion():
        person.unlock()
        sign_up_the_shop_ticks_again(ff, shop)
        reader = ff.open_extension_page("popup/popup.html")

        def notices():
            m.switch_to_window(reader)
            badges = m.execute_script(BADGES, sandbox=None)
            m.switch_to_window(ff.tab)
            return [(text, title) for text, title in badges if title.endswith(TERMS_SET_AGAIN)]

        with m.using_context(m.CONTEXT_CHROME):
            m.execute_script(HOLD_POSTS, script_args=(f"{shop}/en/account/register",))
        m.switch_to_window(ff.tab)
        m.find_element(By.ID, "create-account").click()
        wait_until(notices, what="the notice, before the shop answers")
        assert not m.find_elements(By.ID, "thank-you")
        with m.using_context(m.CONTEXT_CHROME):
            assert m.execute_script("return window.profferLetPostsGo()")
        ff.wait_for_selector("#thank-you")
        m.execute_script(LOADED)
        [(text, title)] = wait_until(notices, timeout=5, what="the notice on the thank-you page")
        assert text == "✓" and title.startswith(f"Proffer: {shop.removeprefix('http://')} undid Proffer's change to")
        m.navigate("about:blank")  # the person goes on: the notice stays with the page it was about
        m.execute_script("return new Promise((done) => setTimeout(done, 500))")
        assert notices() == []
