"""One fill, end to end, with real parts: Debian's Chromium with the unpacked extension, the real native
host started by the browser, the real companion, the bundled demo shop, and the dashboard."""

import re
from contextlib import contextmanager

import pytest

from tests.e2e import framework_pages
from tests.e2e.harness import PASSPHRASE, browser, wait_until

pytestmark = pytest.mark.e2e

CHECKOUT = "/en/checkout"
EMAIL = "ada.e2e-marker-5521@example.org"


def open_checkout(context, shop):
    """Open the demo checkout and return (page, approval window)."""
    return open_with_approval(context, shop + CHECKOUT)


def open_with_approval(context, url):
    """Open ``url`` and return (page, the approval window it brings up)."""
    with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
        page = context.new_page()
        page.goto(url)
    window = info.value
    window.wait_for_selector("body[data-ready=true]")
    return page, window


def wait_armed(window):
    """Wait out the approval window's security delay: its decision controls ignore input until then."""
    window.wait_for_selector("body[data-armed=true]")


def row_for(window, field_type):
    return window.locator(".field", has=window.locator(".type", has_text=f"({field_type})")).first


def tick(window, *field_types):
    for field_type in field_types:
        row_for(window, field_type).locator("input[name=share]").check()


def always_share_email(context, shop):
    """First visit: share the email and remember "always" for it; returns the page once it is filled."""
    page, window = open_checkout(context, shop)
    row_for(window, "email").locator("select.remember").select_option("always")
    window.click("#approve")
    wait_until(lambda: page.input_value("#email") == EMAIL, what="the first fill")
    return page


def approve_while_the_page_swaps_the_email_box(context, shop):
    """The person approves email and first name; meanwhile the page puts the phone box where the email box
    was (same position, another control). Returns the page once the first name is filled."""
    page, window = open_checkout(context, shop)
    tick(window, "email", "given-name")
    page.evaluate("""() => {
      const email = document.getElementById('email');
      email.parentNode.insertBefore(document.getElementById('phone'), email);
    }""")
    window.click("#approve")
    wait_until(lambda: page.input_value("#ship-given-name") == "Ada", what="the unchanged control filled")
    return page


def tab_ids(worker):
    """The ids of the tabs in the browser's ordinary windows (not Proffer's approval window). Proffer has no
    "tabs" permission to read their URLs: a test tells a page's tab by the id that appeared when it opened it."""
    return set(worker.evaluate("async () => (await chrome.tabs.query({windowType: 'normal'})).map((t) => t.id)"))


def open_checkout_in_its_tab(context, worker, shop):
    """Open the demo checkout in a new tab; return (page, approval window, the tab's id)."""
    before = tab_ids(worker)
    page, window = open_checkout(context, shop)
    [tab_id] = tab_ids(worker) - before
    return page, window, tab_id


def badge_on(worker, tab_id):
    """What the toolbar button shows in the tab: (badge text, title); the badge for all tabs where the tab has
    none of its own."""
    return tuple(
        worker.evaluate(
            "async (tabId) => [await chrome.action.getBadgeText({tabId}), await chrome.action.getTitle({tabId})]",
            tab_id,
        )
    )


def autofill_notice_on(worker, tab_id):
    """The tab's badge once it says that standing decisions filled one field there."""
    text, title = badge_on(worker, tab_id)
    return (text, title) if text == "1" and "filled 1 field(s) on" in title else None


def ledger_with(person, decision):
    """The whole ledger, once it holds an entry of ``decision``; None before."""
    entries = person.ledger()
    return entries if any(e["decision"] == decision for e in entries) else None


def dashboard_text(context, person):
    page = context.new_page()
    page.goto(person.dashboard + "/unlock")
    page.fill("#passphrase", PASSPHRASE)
    page.click("#unlock-submit")
    page.wait_for_url(re.compile(r".*/$"))
    text = page.inner_text("main")
    page.close()
    return text


def test_approve_three_of_four_fills_exactly_those_and_the_dashboard_shows_it(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            assert "127.0.0.1" in window.inner_text("#origin")
            assert window.locator("input[name=share]:checked").count() == 0  # nothing pre-ticked
            assert EMAIL in window.inner_text("main")  # the exact value is shown
            tick(window, "email", "given-name", "family-name")
            window.click("#approve")
            wait_until(lambda: page.input_value("#email") == EMAIL, what="the email to be filled")
            assert page.input_value("#ship-given-name") == "Ada"
            assert page.input_value("#ship-family-name") == "Marker-Lovelace"
            assert page.input_value("#phone") == ""  # offered, left unticked: untouched
            for field_id in ("ship-street", "ship-city", "ship-postal-code", "card-number", "checkout-rewards"):
                assert page.input_value(f"#{field_id}") == ""
            text = dashboard_text(context, person)
            assert "once" in text and "unticked" in text and "127.0.0.1" in text


def test_a_control_swapped_in_after_approval_gets_nothing(playwright, person, shop):
    """Values are bound to the control they were approved for, not just to its position in the page."""
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page = approve_while_the_page_swaps_the_email_box(context, shop)
            page.wait_for_timeout(300)
            assert page.input_value("#phone") == "" and page.input_value("#email") == ""


def test_a_value_the_page_did_not_take_is_recorded_as_not_received_and_not_known(playwright, person, shop):
    """The ledger records a release before the values reach the page; when the page swaps a control in
    between, the extension's report makes the ledger say the shop never got that value, and the dashboard's
    "who knows what" stops counting it."""
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page = approve_while_the_page_swaps_the_email_box(context, shop)
            entries = wait_until(lambda: ledger_with(person, "undelivered"), what="the undelivered entry")
            once = next(e for e in entries if e["decision"] == "once")
            [undelivered] = [e for e in entries if e["decision"] == "undelivered"]
            assert undelivered["release_id"] == once["id"]
            email_place = [f["type"] for f in once["fields"]].index("email")
            assert [(f["type"], f["position"], f["reason"]) for f in undelivered["fields"]] == [
                ("email", email_place, "field_changed")
            ]
            assert page.input_value("#email") == "" and page.input_value("#phone") == ""
            dash = context.new_page()
            dash.goto(person.dashboard + "/unlock?next=/ledger/who-knows-what")
            dash.fill("#passphrase", PASSPHRASE)
            dash.click("#unlock-submit")
            dash.wait_for_url(re.compile(r".*/ledger/who-knows-what$"))
            columns = dash.locator("#grid thead th").all_inner_texts()
            assert columns == ["Site", "shipping given-name"]  # the email the page did not take is not counted
            dash.goto(person.dashboard + "/ledger")
            assert "the page had put another box in its place" in dash.inner_text("#timeline")
            assert dash.locator("#timeline .field.not-received").count() == 1


def test_decline_fills_nothing_and_records_the_refusal(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            with window.expect_event("close"):
                window.click("#decline")
            page.wait_for_timeout(300)
            assert page.input_value("#email") == ""
            assert "declined" in dashboard_text(context, person)


def test_closing_the_window_declines(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            window.close()
            wait_until(lambda: "declined" in dashboard_text(context, person), timeout=10, what="a refusal")
            assert page.input_value("#email") == ""


def test_companion_down_leaves_the_page_untouched_and_the_popup_says_so(playwright, person, shop):
    # The companion cannot start: its config is broken, so the native host's auto-start fails too.
    person.data_dir.config_file.write_text('{"port": "not a port"}')
    with browser(playwright, person) as (context, worker):
        page = context.new_page()
        page.goto(shop + CHECKOUT)
        page.wait_for_timeout(1500)
        assert len([p for p in context.pages if "approval" in p.url]) == 0
        assert page.input_value("#email") == ""
        popup = context.new_page()
        popup.goto(f"chrome-extension://{worker.url.split('/')[2]}/popup/popup.html")
        popup.wait_for_selector("body[data-reachable=false]")
        assert "not reachable" in popup.inner_text("#status")
        assert worker.evaluate("chrome.action.getBadgeText({})") == "!"


def test_remember_then_next_visit_fills_without_a_window_and_revoke_asks_again(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, worker):
            always_share_email(context, shop)
            # Next visit: the email is filled by the standing decision; the window still asks for the rest.
            page2, window2, tab2 = open_checkout_in_its_tab(context, worker, shop)
            wait_until(lambda: page2.input_value("#email") == EMAIL, what="auto-fill")
            assert row_for(window2, "email").count() == 0  # not asked again
            window2.click("#decline")
            # Auto-fill is never silent, and it is said on the tab it was done in, on no other.
            _, title = wait_until(lambda: autofill_notice_on(worker, tab2), what="the auto-fill notice on its tab")
            assert title.startswith("Proffer: filled 1 field(s) on 127.0.0.1:")
            others = tab_ids(worker) - {tab2}
            assert others, "the first visit's tab, at least"
            assert all(not autofill_notice_on(worker, tab) for tab in others)
            assert worker.evaluate("chrome.action.getBadgeText({})") == ""  # the badge for all tabs
            # Revoke in the dashboard: the next visit asks again.
            dash = context.new_page()
            dash.goto(person.dashboard + "/unlock?next=/decisions")
            dash.fill("#passphrase", PASSPHRASE)
            dash.click("#unlock-submit")
            dash.wait_for_url(re.compile(r".*/decisions$"))
            dash.select_option("select[name=choice]", "ask")
            dash.click(".site-decisions button:has-text('Save') >> nth=0")
            dash.wait_for_selector("#no-decisions")
            page3, window3, tab3 = open_checkout_in_its_tab(context, worker, shop)
            assert row_for(window3, "email").count() == 1
            assert page3.input_value("#email") == ""
            # A form in another tab leaves the notice where it was, and does not bring it to its own tab.
            assert autofill_notice_on(worker, tab2)
            assert not autofill_notice_on(worker, tab3)


def test_never_leaves_the_field_empty_and_records_it(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            row_for(window, "tel").locator("select.remember").select_option("never")
            tick(window, "email")
            window.click("#approve")
            wait_until(lambda: page.input_value("#email") == EMAIL, what="the fill")
            page2, window2 = open_checkout(context, shop)
            assert row_for(window2, "tel").count() == 0
            assert page2.input_value("#phone") == ""
            text = dashboard_text(context, person)
            assert "never" in text


def test_locked_vault_shows_the_unlock_prompt_and_retry_works(playwright, person, shop):
    with person.companion(), browser(playwright, person) as (context, _worker):
        with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
            page = context.new_page()
            page.goto(shop + CHECKOUT)
        window = info.value
        window.wait_for_selector("#locked")
        assert "locked" in window.inner_text("#locked")
        person.unlock()
        window.click("#retry")
        window.wait_for_selector("input[name=share]")
        tick(window, "email")
        window.click("#approve")
        wait_until(lambda: page.input_value("#email") == EMAIL, what="the fill after unlocking")


def test_after_unlocking_the_always_fields_are_filled_too(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            always_share_email(context, shop)
            person.cli("vault", "lock")
            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                page2 = context.new_page()
                page2.goto(shop + CHECKOUT)
            locked = info.value
            locked.wait_for_selector("#locked")
            person.unlock()
            locked.click("#retry")
            wait_until(lambda: page2.input_value("#email") == EMAIL, what="the 'always' fill after unlocking")


def test_the_locked_vault_is_shown_on_a_tab_with_an_auto_fill_notice_too(playwright, person, shop):
    """A tab's own badge wins over the badge for all tabs in that tab: the warning that the vault is locked must
    not be hidden behind an earlier notice, nor stay behind once the vault is open again."""
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, worker):
            always_share_email(context, shop)
            _page2, window2, tab2 = open_checkout_in_its_tab(context, worker, shop)
            wait_until(lambda: autofill_notice_on(worker, tab2), what="the auto-fill notice on its tab")
            window2.click("#decline")
            person.cli("vault", "lock")
            before = tab_ids(worker)
            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                page3 = context.new_page()
                page3.goto(shop + CHECKOUT)
            locked = info.value
            locked.wait_for_selector("#locked")
            [tab3] = tab_ids(worker) - before
            for tab in (tab2, tab3):
                assert wait_until(
                    lambda t=tab: badge_on(worker, t) == ("🔒", "Proffer: the vault is locked"),
                    what=f"the lock in tab {tab}",
                )
            person.unlock()
            locked.click("#retry")
            wait_until(lambda: page3.input_value("#email") == EMAIL, what="the 'always' fill after unlocking")
            wait_until(lambda: autofill_notice_on(worker, tab3), what="the auto-fill notice on the third tab")
            assert badge_on(worker, tab2) == ("", "Proffer")  # the lock has gone from there too


def test_a_form_that_grows_asks_only_about_the_new_field(playwright, person, shop):
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, worker):
            page, window = open_checkout(context, shop)
            tick(window, "email")
            window.click("#approve")
            wait_until(lambda: page.input_value("#email") == EMAIL, what="the email to be filled")
            page.fill("#email", "typed-by-the-person@example.org")  # the person's own edit must stand
            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                page.evaluate("""() => {
                  const field = document.createElement('p');
                  field.innerHTML = '<label for="bd">Date of birth</label> ' +
                    '<input id="bd" type="date" autocomplete="bday">';
                  document.getElementById('email').closest('form').prepend(field);
                }""")
            again = info.value
            again.wait_for_selector("body[data-ready=true]")
            assert row_for(again, "bday").count() == 1
            assert row_for(again, "email").count() == 0 and row_for(again, "given-name").count() == 0
            assert again.locator("input[name=share]").count() == 1
            again.click("#decline")
            assert page.input_value("#email") == "typed-by-the-person@example.org"
            # A new document in the same tab asks about everything again, and its view replaces the old one.
            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                page.reload()
            reloaded = info.value
            reloaded.wait_for_selector("body[data-ready=true]")
            assert row_for(reloaded, "email").count() == 1
            reloaded.click("#decline")
            page.wait_for_timeout(300)
            views = worker.evaluate("chrome.storage.session.get('settled')")["settled"]
            assert len(views) == 1, views


def test_a_form_of_web_components_is_offered_and_filled_inside_their_shadow_roots(playwright, person, fixture_server):
    """A design-system form keeps its controls in the components' open shadow roots: they are offered like
    any other, and the approved value reaches the component's own control, which keeps it."""
    inner_email = (
        "() => document.querySelector('wc-text-field[control-id=email]').shadowRoot.getElementById('email').value"
    )
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_with_approval(context, fixture_server + "/web-components.html")
            tick(window, "email")
            window.click("#approve")
            wait_until(lambda: page.evaluate(inner_email) == EMAIL, what="the email inside its component")
            page.click("#rerender")
            state = page.evaluate("window.fixtureState")
            assert (state["email"], state["name"]) == (EMAIL, ""), "kept by the component; the unticked name untouched"
            assert state["offers"] is False  # the pre-ticked "Send me offers", unticked by the standing preference


def test_a_box_the_page_covers_after_approval_gets_nothing_and_the_ledger_says_why(playwright, person, shop):
    """A page may draw an opaque panel over an approved box before the fill, one that moves with the page:
    the person would not see what went in, so the box is refused at the last moment and the ledger says the
    page never got the value."""
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            tick(window, "email", "given-name")
            page.evaluate("""() => {
              const box = document.getElementById('email').getBoundingClientRect();
              const panel = document.createElement('div');
              panel.textContent = 'Free delivery today';
              Object.assign(panel.style, { position: 'absolute', background: '#fff', zIndex: 10,
                left: box.left + scrollX - 4 + 'px', top: box.top + scrollY - 4 + 'px',
                width: box.width + 8 + 'px', height: box.height + 8 + 'px' });
              document.body.append(panel);
            }""")
            window.click("#approve")
            wait_until(lambda: page.input_value("#ship-given-name") == "Ada", what="the uncovered box filled")
            entries = wait_until(lambda: ledger_with(person, "undelivered"), what="the undelivered entry")
            [undelivered] = [e for e in entries if e["decision"] == "undelivered"]
            assert [(f["type"], f["reason"]) for f in undelivered["fields"]] == [("email", "covered")]
            assert page.input_value("#email") == ""


def test_a_box_under_a_sticky_bar_is_scrolled_into_view_and_filled(playwright, person, shop):
    """A bar fixed to the top of the window covers whatever the page is scrolled under it; that box is not
    hidden, only out of view: it is brought into view and filled."""
    with person.companion():
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            page, window = open_checkout(context, shop)
            tick(window, "email")
            page.evaluate("""() => {
              const bar = document.createElement('div');
              bar.textContent = 'Free delivery today';
              Object.assign(bar.style, { position: 'fixed', left: 0, right: 0, top: 0, height: '120px',
                background: '#fff', zIndex: 10 });
              const room = document.createElement('div');
              room.style.height = '3000px';
              document.body.append(bar, room);
              const email = document.getElementById('email');
              scrollTo(0, email.getBoundingClientRect().top + scrollY - 40);
            }""")
            assert (
                page.evaluate(
                    "document.elementFromPoint(...(({left, top, width, height}) => "
                    "[left + width / 2, top + height / 2])(document.getElementById('email')"
                    ".getBoundingClientRect())).id"
                )
                != "email"
            ), "the bar is over the box"
            window.click("#approve")
            wait_until(lambda: page.input_value("#email") == EMAIL, what="the email, scrolled into view")


@contextmanager
def one_page_site(playwright, person, tmp_path, name, html):
    """Serve ``html`` as one page of a site, with the companion running and unlocked and the browser open;
    yields (the browser context, the page's URL)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / name).write_text(html, encoding="utf-8")
    with person.companion(), framework_pages.serve(site) as base:
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            yield context, f"{base}/{name}"


COOKIE_WALL = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Newsletter</title></head><body>
<h1>Join our newsletter</h1>
<form action="/join"><p><label for="email">Email</label> <input id="email" name="email" type="email"></p>
<p><label for="given">First name</label> <input id="given" name="given"></p><button>Subscribe</button></form>
<div id="cookies" style="position:fixed;inset:0;background:#fff">We use cookies.
<button id="accept" onclick="this.parentNode.remove()">Accept</button></div></body></html>"""


def test_a_form_under_a_cookie_banner_is_offered_once_the_person_closes_it(playwright, person, tmp_path):
    """Fields under a banner are not offered (the person cannot see them); closing the banner changes no
    control, so it is the person's click that has the page read again, and the form is offered then."""
    with one_page_site(playwright, person, tmp_path, "join.html", COOKIE_WALL) as (context, url):
        page = context.new_page()
        page.goto(url)
        page.wait_for_timeout(1500)
        assert not [p for p in context.pages if "approval/approval.html" in p.url], "nothing visible to ask about"
        with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
            page.click("#accept")
        window = info.value
        window.wait_for_selector("body[data-ready=true]")
        tick(window, "email")
        window.click("#approve")
        wait_until(lambda: page.input_value("#email") == EMAIL, what="the email, once uncovered")


CHECKOUT_WITH_NEWSLETTER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head>
<body>
  <form id="delivery"><h2>Delivery address</h2>
    <label for="email">Email address</label><input id="email" name="email" type="email">
    <label for="given">First name</label><input id="given" name="given_name">
    <label for="family">Last name</label><input id="family" name="family_name">
    <label for="street">Street address</label><input id="street" name="street">
    <label for="postcode">Postcode</label><input id="postcode" name="postcode">
    <label for="city">Town / City</label><input id="city" name="city">
    <button type="submit">Place order</button>
  </form>
  <footer><form id="newsletter"><h3>Subscribe to our newsletter</h3>
    <label for="news-email">Your email</label><input id="news-email" name="newsletter_email" type="email">
    <button type="submit">Subscribe</button>
  </form></footer>
</body></html>
"""


def test_a_footer_newsletter_box_is_shown_and_recorded_as_the_newsletters(playwright, person, tmp_path):
    """A checkout with a newsletter box in its footer: the window says the page is a checkout and marks the
    footer's box as a newsletter's; the ledger records each email for its own form's purpose."""
    with one_page_site(playwright, person, tmp_path, "checkout.html", CHECKOUT_WITH_NEWSLETTER) as (context, url):
        page, window = open_with_approval(context, url)
        assert "checkout" in window.inner_text("#purpose")
        rows = window.locator(".field", has=window.locator(".type", has_text="(email)"))
        assert rows.count() == 2
        notes = [rows.nth(i).locator(".field-purpose").all_inner_texts() for i in range(2)]
        assert notes == [[], ["for a newsletter"]]
        wait_armed(window)
        for i in range(2):
            rows.nth(i).locator("input[name=share]").check()
        window.click("#approve")
        wait_until(lambda: page.input_value("#news-email") == EMAIL, what="the footer's email")
        assert page.input_value("#email") == EMAIL
        entries = wait_until(lambda: ledger_with(person, "once"), what="the ledger entries")
        once = sorted((e["purpose"], [f["type"] for f in e["fields"]]) for e in entries if e["decision"] == "once")
        assert once == [("checkout", ["email"]), ("newsletter", ["email"])]
