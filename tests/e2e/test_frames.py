"""A form inside a frame of another origin: an explicit warning, never filled silently, and filled only
when the person approves that frame's origin too."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.harness import browser, free_port, static_server, wait_until
from tests.e2e.test_fill_flow import EMAIL, tick

pytestmark = pytest.mark.e2e
FRAMES = Path(__file__).resolve().parents[1] / "fixtures" / "frames"


def frame_of(page, port):
    return wait_until(lambda: next((f for f in page.frames if f":{port}/" in f.url), None), what="the frame")


@contextmanager
def framed_shop(playwright, person):
    """A shop page framing another origin's form, and the approval window it opens: (page, window, shop URL,
    the frame's port), with the companion unlocked and both servers running."""
    shop_port, frame_port = free_port(), free_port()
    with person.companion(), static_server(shop_port, FRAMES) as shop, static_server(frame_port, FRAMES):
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                page = context.new_page()
                page.goto(f"{shop}/shop.html?frame_port={frame_port}")
            window = info.value
            window.wait_for_selector("body[data-ready=true]")
            yield page, window, shop, frame_port


def test_cross_origin_frame_warns_and_needs_the_frame_approved(playwright, person):
    with framed_shop(playwright, person) as (page, window, _shop, frame_port):
        warning = window.inner_text("#warning-frame")
        assert f"127.0.0.1:{frame_port}" in warning and "another site" in warning
        tick(window, "email")
        window.click("#approve")  # the frame's origin is not approved yet: refused in the window
        window.wait_for_selector("#error")
        assert frame_of(page, frame_port).input_value("#email") == ""
        window.check("#approve-frame")
        window.click("#approve")
        frame = frame_of(page, frame_port)
        wait_until(lambda: frame.input_value("#email") == EMAIL, what="the frame's email")
        assert frame.input_value("#given") == ""


def test_forms_in_two_frames_get_one_window_at_a_time(playwright, person):
    port = free_port()
    with person.companion(), static_server(port, FRAMES) as shop:
        person.unlock()
        with browser(playwright, person) as (context, _worker):

            def windows():
                return [p for p in context.pages if "approval/approval.html" in p.url and not p.is_closed()]

            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                page = context.new_page()
                page.goto(f"{shop}/two-frames.html")
            first = info.value
            first.wait_for_selector("body[data-ready=true]")
            page.wait_for_timeout(1500)  # both frames have long since sent their forms
            assert len(windows()) == 1
            with context.expect_page(lambda p: "approval/approval.html" in p.url, timeout=15000) as info:
                first.close()  # declines; the other frame's form is asked about next
            second = info.value
            second.wait_for_selector("body[data-ready=true]")
            tick(second, "email")
            second.click("#approve")
            frames = [f for f in page.frames if f.url.endswith("/form.html")]
            assert len(frames) == 2
            wait_until(lambda: sorted(f.input_value("#email") for f in frames) == ["", EMAIL], what="one frame filled")
            assert all(f.input_value("#given") == "" for f in frames)
            page.wait_for_timeout(500)
            assert windows() == []


# Regression: a frame keeps its frame id when it navigates. The shop framed another origin's form, the
# window rightly warned about that origin, then the shop pointed the frame at its own copy of the form; the
# person approved the other origin and the value landed in the shop's copy, with the ledger recording a
# disclosure to the other origin.
def test_a_frame_navigated_to_the_tops_copy_of_the_form_gets_nothing(playwright, person):
    with framed_shop(playwright, person) as (page, window, shop, frame_port):
        assert f"127.0.0.1:{frame_port}" in window.inner_text("#warning-frame")
        page.evaluate("document.getElementById('provider').src = '/form.html'")  # the shop's own copy
        # page.frames is brought up to date only while Playwright is called: wait through it.
        copy_url = f"{shop}/form.html"
        copy = wait_until(
            lambda: page.wait_for_timeout(50) or next((f for f in page.frames if f.url == copy_url), None),
            what="the shop's copy in the frame",
        )
        copy.wait_for_selector("#email")
        page.wait_for_timeout(500)  # the copy's content script has run
        if not window.is_closed():  # the window may already be gone: its document is
            try:
                window.check("#approve-frame")
                tick(window, "email")
                window.click("#approve")
            except PlaywrightError as error:  # closed under the click: as good as refused
                assert window.is_closed(), error
        page.wait_for_timeout(1500)
        assert copy.input_value("#email") == ""
        assert copy.input_value("#given") == ""
        decisions = [e["decision"] for e in person.ledger()]
        assert "once" not in decisions
        assert "declined" in decisions  # the offer to the other origin is recorded as not taken
