"""What the person sees and keeps: the popup's view of a site, the approval window by keyboard, and a data
dir that holds no personal value in plaintext after a full scenario."""

import json
import re
import time
from pathlib import Path

import pytest

from tests.e2e.harness import EXTENSION_ID, browser, free_port, static_server, wait_until
from tests.e2e.test_fill_flow import CHECKOUT, EMAIL, dashboard_text, open_checkout, row_for, tick, wait_armed

pytestmark = pytest.mark.e2e

# Every personal value in tests/fixtures/person.vcf, as it could appear on disk.
MARKERS = [EMAIL, "Marker-Lovelace", "Quintessa", "5521 Marker Street", "OX1 5QX", "7700 905521", "7700905521"]


def test_no_personal_value_in_plaintext_under_the_data_dir_after_a_full_scenario(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            tick(window, "email", "given-name", "family-name", "address-line1", "postal-code", "tel")
            window.click("#approve")
            wait_until(lambda: page.input_value("#email") == EMAIL, what="the fill")
            assert "once" in dashboard_text(context, person)
    files = [p for p in person.data_dir.root.rglob("*") if p.is_file()]
    assert len(files) >= 4  # vault, ledger, decisions, token, ...
    for path in files:
        data = path.read_bytes()
        for marker in MARKERS:
            for encoding in ("utf-8", "utf-16-le"):
                assert marker.encode(encoding) not in data, f"{marker!r} in plaintext in {path}"


def test_popup_shows_the_sites_decisions_and_forgets_them(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            row_for(window, "email").locator("select.remember").select_option("always")
            row_for(window, "tel").locator("select.remember").select_option("never")
            window.click("#approve")
            wait_until(lambda: page.input_value("#email") == EMAIL, what="the fill")
            popup = context.new_page()
            popup.goto(f"chrome-extension://{EXTENSION_ID}/popup/popup.html?origin={shop}")
            popup.wait_for_selector("#site-decisions li")
            decisions = popup.inner_text("#site-decisions")
            assert "Always share" in decisions and "email" in decisions
            assert "Never share" in decisions and "tel" in decisions
            assert "shared once" in popup.inner_text("#site-recent")
            popup.click("#forget-site")
            popup.wait_for_selector("p#site-decisions")
            assert "asks each time" in popup.inner_text("#site-decisions")
            # Forgotten: the next visit asks for the email again instead of filling it.
            page2, window2 = open_checkout(context, shop)
            assert row_for(window2, "email").count() == 1
            assert page2.input_value("#email") == ""


def test_approval_window_works_by_keyboard_and_names_every_control(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            # Focus starts on the heading, not on anything a key could act on; Tab goes on from there.
            assert window.evaluate("document.activeElement.id") == "site"
            wait_armed(window)
            window.keyboard.press("Tab")
            assert window.evaluate("document.activeElement.getAttribute('name')") == "share"
            window.keyboard.press("Space")
            assert window.locator("input[name=share]:checked").count() == 1
            window.keyboard.press("Enter")  # Enter on a box submits nothing: only the Share button does
            page.wait_for_timeout(300)
            assert not window.is_closed() and page.input_value("#email") == ""
            named = "el => el.labels?.length > 0 || el.getAttribute('aria-label') || el.textContent.trim()"
            for control in window.locator("input, select, button").all():
                assert control.evaluate(named), control.evaluate("el => el.outerHTML")
            with window.expect_event("close"):
                window.keyboard.press("Escape")  # Escape declines
            page.wait_for_timeout(200)
            assert page.input_value("#email") == ""
            assert "declined" in dashboard_text(context, person)
            assert page.url.endswith(CHECKOUT)


APPROVAL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "approval"


def start_chatting(context, site):
    """The chat page, the first key typed into it, and the approval window that key made the page open."""
    page = context.new_page()
    page.goto(f"{site}/chat.html")
    page.click("#chat")
    with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
        page.keyboard.type("H")
    return page, info.value


def test_keys_typed_as_the_window_opens_neither_tick_nor_share(playwright, person):
    """Keyjacking: a chat page shows an email form on the person's first keystroke, so Proffer's window opens,
    focused, while they are still typing. Before the fix the first box had the focus: " i there⏎" ticked it
    and shared the email. Now nothing the keys reach acts until the window has been shown for a moment; a
    deliberate click after that still works."""
    with person.companion(), static_server(free_port(), APPROVAL_FIXTURES) as site:
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = start_chatting(context, site)
            window.wait_for_selector("body[data-ready=true]")
            window.keyboard.type(" i there")  # the rest of the message lands in the window
            window.keyboard.press("Enter")
            for key in ("Tab", "Space", "Enter", "Tab", "Space", "Enter"):
                window.keyboard.press(key)
            assert window.evaluate("document.body.dataset.armed") != "true", "typed within the delay"
            assert window.locator("input[name=share]:checked").count() == 0
            page.wait_for_timeout(500)
            assert not window.is_closed(), "nothing was submitted"
            assert page.input_value("#email") == ""
            assert not [e for e in person.ledger() if e["decision"] == "once"]
            # Their Tabs took the focus out of the window: clicking into it again starts the delay again, and
            # after it the person's own click ticks and shares.
            window.click("#site")
            assert window.evaluate("document.body.dataset.armed") == "false"
            wait_armed(window)
            tick(window, "email")
            window.click("#approve")
            wait_until(lambda: page.input_value("#email") == EMAIL, what="the deliberate share")


def test_after_a_decline_the_page_cannot_open_the_next_window_at_once(playwright, person):
    """After each decline the page shows a control with a new name (new, so not settled): the next window
    waits for the cooldown (extension/background/cooldown.js), then asks about the new control only."""
    with person.companion(), static_server(free_port(), APPROVAL_FIXTURES) as site:
        person.unlock()
        with browser(playwright, person) as (context, worker):

            def windows():
                return [p for p in context.pages if "approval/approval.html" in p.url and not p.is_closed()]

            page, window = start_chatting(context, site)
            with window.expect_event("close"):
                window.click("#decline")
            declined = time.monotonic()
            # Should the browser stop the worker meanwhile, an alarm wakes it when the cooldown ends.
            alarms = worker.evaluate(
                "async () => (await chrome.alarms.getAll()).map((a) => [a.name, a.scheduledTime - Date.now()])"
            )
            assert [name.split(" ")[0] for name, _ in alarms] == ["cooldown-over"], alarms
            assert 3000 < alarms[0][1] <= 30_000, alarms
            page.evaluate("addField()")
            page.wait_for_timeout(2000)
            assert windows() == [], "no window right after the decline"
            while not windows() and time.monotonic() - declined < 15:
                page.wait_for_timeout(100)  # Playwright takes in new pages only while it waits
            waited = time.monotonic() - declined
            assert 3.5 <= waited < 15, waited
            (again,) = windows()
            again.wait_for_selector("body[data-ready=true]")
            assert [t.strip("()") for t in again.locator(".field .type").all_inner_texts()] == ["tel"]


def queued_tabs(worker):
    """The tabs with a form waiting in the worker's queue."""
    queued = worker.evaluate("async () => (await chrome.storage.session.get('queued')).queued || {}")
    return [item["target"]["tabId"] for item in queued.values()]


def from_content_script(page, message):
    """``message`` sent to the worker by Proffer's own content script in ``page`` (its isolated world, reached
    through the DevTools protocol): what the retailer's page could make it send."""
    cdp = page.context.new_cdp_session(page)
    top = cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
    worlds = []

    def created(event):
        world = event["context"]
        if world["origin"] == f"chrome-extension://{EXTENSION_ID}" and world["auxData"].get("frameId") == top:
            worlds.append(world)

    cdp.on("Runtime.executionContextCreated", created)
    cdp.send("Runtime.enable")
    wait_until(lambda: worlds or page.wait_for_timeout(50), what="the content script's world")
    answer = cdp.send(
        "Runtime.evaluate",
        {
            "expression": f"chrome.runtime.sendMessage({json.dumps(message)})",
            "contextId": worlds[0]["id"],
            "awaitPromise": True,
            "returnByValue": True,
        },
    )
    cdp.detach()
    return answer["result"]["value"]


def test_the_popup_shows_a_form_held_back_after_a_decline_and_ask_now_asks_at_once(playwright, person):
    """After a decline the page's next form waits for a cooldown (extension/background/cooldown.js). The popup
    says so for its tab, and the person's "Ask now" there asks at once; the page cannot send that itself."""
    with person.companion(), static_server(free_port(), APPROVAL_FIXTURES) as site:
        person.unlock()
        with browser(playwright, person) as (context, worker):

            def next_window():
                return context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000)

            page, window = start_chatting(context, site)
            with window.expect_event("close"):
                window.click("#decline")
            with next_window() as info:
                page.evaluate("addField()")  # asked about when the first cooldown (4 s) ends
            with info.value.expect_event("close"):
                info.value.click("#decline")
            declined = time.monotonic()  # the second decline in a row: 8 s this time
            page.evaluate("addField()")
            (tab_id,) = wait_until(lambda: queued_tabs(worker), what="the new form to wait in the queue")

            # The page's own content script cannot ask for it: refused, and the form still waits.
            refused = from_content_script(page, {"type": "waiting.ask", "tabId": tab_id, "origin": site})
            assert refused == {"ok": False, "error": {"code": "unknown_type", "message": "message refused"}}

            popup = context.new_page()
            popup.goto(f"chrome-extension://{EXTENSION_ID}/popup/popup.html?tab={tab_id}&origin={site}")
            notice = popup.wait_for_selector("#waiting-text").inner_text()
            seconds = re.fullmatch(r"A form on this page is waiting \(asked again in (\d+) s\)", notice)
            assert seconds and 1 <= int(seconds[1]) <= 8, notice
            with next_window() as info:
                popup.click("#ask-now")
            waited = time.monotonic() - declined
            assert waited < 5, f"{waited:.1f} s after the decline: the 8 s cooldown was not ended"
            again = info.value
            again.wait_for_selector("body[data-ready=true]")
            assert [t.strip("()") for t in again.locator(".field .type").all_inner_texts()] == ["tel"]
            popup.wait_for_selector("#waiting", state="hidden")
            assert queued_tabs(worker) == []
            # The cooldown is over: the alarm set for its end went with it (the window asked now is undecided).
            assert worker.evaluate("async () => (await chrome.alarms.getAll()).map((a) => a.name)") == []
