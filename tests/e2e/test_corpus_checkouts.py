"""The whole flow on real retailer checkout pages from the development corpus, served on 127.0.0.1.

Pages are chosen by a fixed rule, not by how well Proffer does on them: Firefox-AI pages whose labels
include an email, a postal code and a street line, sorted by name, every k-th so that twelve pages
spread across the corpus's countries. For each: the approval window opens with offers; the person ticks
everything; every offered field then holds exactly the value shown (or, for a select, an option was
chosen), and no other control changed. Issue 5 asks for at least ten such pages.

The corpus is third-party markup: it is unpacked from ../shared into the ignored .cache folder, never
committed. CI has ../shared beside the clone.
"""

import json
import time

import pytest

from benchmarks.fields import ARCHIVE, ensure_corpus
from tests.e2e.harness import browser, free_port, static_server

pytestmark = pytest.mark.e2e
PAGES = 12
REQUIRED = 10
SNAPSHOT = """(() => {
  const controls = Array.from(document.querySelectorAll('input, select, textarea'));
  return [controls.map(e => e.tagName),
          controls.map(e => e.type === 'checkbox' || e.type === 'radio' ? String(e.checked) : e.value)];
})()"""


def snapshot(page):
    """Every frame's controls: frame number -> (tags, values)."""
    found = {}
    for number, frame in enumerate(page.frames):
        try:
            tags, values = frame.evaluate(SNAPSHOT)
        except Exception:  # a frame that navigated or closed meanwhile
            continue
        found[number] = (tuple(tags), tuple(values))
    return found


def checkout_pages(corpus):
    labelled = {}
    with (corpus / "fields.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            field = json.loads(line)
            if field["source"] == "firefox-ai-form-autofill":
                labelled.setdefault(field["page"], set()).add(field["whatwg"])
    eligible = sorted(
        page
        for page, types in labelled.items()
        if {"email", "postal-code"} <= types and types & {"address-line1", "street-address"}
    )
    return eligible[:: len(eligible) // PAGES][:PAGES]


def wait_for_window(context, page, timeout=25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        window = next((p for p in context.pages if "approval/approval.html" in p.url), None)
        if window is not None:
            return window
        page.wait_for_timeout(100)  # not time.sleep: Playwright's sync API takes in new pages only while waiting
    return None


def try_page(context, url):
    """None when the whole flow worked on the page, else what went wrong."""
    page = context.new_page()
    try:
        page.goto(url, timeout=30000)
        window = wait_for_window(context, page)
        if window is None:
            return "no approval window"
        window.wait_for_selector("body[data-ready=true]")
        offered = {}
        for box in window.locator("input[name=share]").all():
            index = int(box.get_attribute("data-index"))
            value = window.locator(f"#value-{index}")
            offered[index] = value.inner_text() if value.count() else None  # None: a choice among values
            box.check()
        if len(offered) < 3:
            return f"only {len(offered)} field(s) offered"
        # Indexes count controls in the document of the frame that asked, which may be a same-origin iframe.
        before = snapshot(page)
        window.click("#approve")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and snapshot(page) == before:
            page.wait_for_timeout(100)
        page.wait_for_timeout(300)
        after = snapshot(page)
        changed = [n for n in before if before[n] != after.get(n)]
        if len(changed) > 1:
            return f"controls changed in {len(changed)} frames"
        frame = changed[0] if changed else 0
        problems = []
        for n in before:
            if n != frame and before[n] != after.get(n):
                problems.append(f"frame {n} changed")
        tags, old_values, new_values = before[frame][0], before[frame][1], after[frame][1]
        for index, (old, new) in enumerate(zip(old_values, new_values, strict=True)):
            if index not in offered and old != new:
                problems.append(f"control {index} changed but was not approved")
            elif index in offered and tags[index] != "SELECT" and offered[index] is not None and new != offered[index]:
                problems.append(f"control {index} holds {new!r}, not the approved value")
        filled = sum(1 for index in offered if index < len(new_values) and new_values[index] != old_values[index])
        if filled < len(offered) // 2:
            problems.append(f"only {filled} of {len(offered)} approved fields were filled")
        return "; ".join(problems) or None
    finally:
        for extra in context.pages[1:]:
            extra.close()


def test_the_flow_works_on_real_checkout_pages(playwright, person):
    if not ARCHIVE.is_file():
        pytest.skip(f"the corpus is not beside this clone ({ARCHIVE})")
    corpus = ensure_corpus()
    chosen = checkout_pages(corpus)
    assert len(chosen) == PAGES
    with person.companion(), static_server(free_port(), corpus / "pages") as base:
        person.unlock()
        with browser(playwright, person) as (context, _worker):
            outcomes = {page: try_page(context, f"{base}/{page}") for page in chosen}
    failed = {page: why for page, why in outcomes.items() if why}
    print(f"corpus checkouts: {PAGES - len(failed)} of {PAGES} worked end to end; failures: {failed}")
    assert PAGES - len(failed) >= REQUIRED, failed
