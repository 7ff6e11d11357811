"""`proffer fields` on the safety trick pages, in real headless Chromium, served from 127.0.0.1.

One `proffer fields --json` run reads every page (one browser), as a person would run it. Each trick page
has a field named "trick" that a person could not see or must not have filled; the clean page, read first,
shows the same field fillable, so a rule that refuses everything cannot pass. The frame pages are served
from two ports: origins differ by port.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TRICKS = Path(__file__).resolve().parents[1] / "fixtures" / "tricks"

EXPECTED = {
    "display-none": "invisible: display:none (ancestor)",
    "visibility-hidden": "invisible: visibility:hidden",
    "opacity-ancestor": "invisible: opacity:0",
    "zero-size": "invisible: zero size",
    "off-screen": "invisible: off-screen",
    "clip": "invisible: clipped",
    "clip-ancestor": "invisible: clipped",
    "clip-path-polygon": "invisible: clipped",
    "filter-opacity": "invisible: opacity:0",
    "transparent-text": "invisible: transparent text",
    "aria-hidden": "invisible: aria-hidden",
    "inert": "invisible: inert",
    "covered": "invisible: covered",
    "disabled": "disabled",
    "readonly": "readonly",
    "password": "password",
    "one-time-code": "one-time-code",
    "card-number": "payment card",
    "hidden-second-email": "fishing: hidden second email (off-screen)",
    "decoy": "decoy",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the stdlib's signature
        pass


@functools.cache
def _handler():
    return functools.partial(_QuietHandler, directory=str(TRICKS))


def _serve() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def origins() -> Iterator[tuple[str, str]]:
    top, top_base = _serve()
    other, other_base = _serve()
    try:
        yield top_base, other_base
    finally:
        for server in (top, other):
            server.shutdown()
            server.server_close()


def proffer_fields(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "companion", "fields", *args], capture_output=True, text=True, timeout=300, env=env
    )


@pytest.fixture(scope="module")
def reports(origins) -> dict[str, dict]:
    top, _ = origins
    names = ["clean", *EXPECTED]
    done = proffer_fields("--json", *(f"{top}/{name}.html" for name in names))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["page"] for line in lines] == [f"{top}/{name}.html" for name in names], "one line per page, in order"
    return dict(zip(names, lines, strict=True))


def trick_field(report: dict) -> dict:
    [field] = [f for f in report["fields"] if f["name"] == "trick"]
    return field


def test_the_clean_page_fills_the_same_field(reports):
    clean = reports["clean"]
    field = trick_field(clean)
    assert (field["type"], field["fillable"]) == ("email", True)
    assert all(f["fillable"] for f in clean["fields"] if f["name"] in ("given", "family", "trick"))
    assert [f["index"] for f in clean["fields"]] == list(range(len(clean["fields"])))


@pytest.mark.parametrize("trick", sorted(EXPECTED))
def test_each_trick_is_refused_with_its_reason(reports, trick):
    field = trick_field(reports[trick])
    assert (field["fillable"], field["reason"]) == (False, EXPECTED[trick])
    given = next(f for f in reports[trick]["fields"] if f["name"] == "given")
    assert given["fillable"], "the honest fields of the same form are still filled"


def test_the_visible_email_next_to_a_hidden_twin_is_still_fillable(reports):
    email = next(f for f in reports["hidden-second-email"]["fields"] if f["name"] == "email")
    assert (email["type"], email["fillable"]) == ("email", True)


def _frame_report(top: str, frame_base: str, *extra: str) -> dict:
    done = proffer_fields("--json", *extra, f"{top}/cross-origin-frame.html?frame={frame_base}/frame-form.html")
    assert done.returncode == 0, done.stderr
    [report] = [json.loads(line) for line in done.stdout.splitlines()]
    return report


def test_a_cross_origin_frame_is_refused_unless_approved(origins):
    top, other = origins
    report = _frame_report(top, other)
    [frame] = report["frames"]
    assert frame["frame_origin"] == other
    field = trick_field(frame)
    assert (field["type"], field["fillable"], field["reason"]) == ("email", False, "cross-origin frame")
    assert all(f["name"] != "trick" for f in report["fields"]), "frame fields are not numbered as the top page's"

    approved = _frame_report(top, other, "--approve-frame", other)
    assert trick_field(approved["frames"][0])["fillable"] is True


def test_a_same_origin_frame_needs_no_approval(origins):
    top, _ = origins
    report = _frame_report(top, top)
    assert trick_field(report["frames"][0])["fillable"] is True


def test_a_page_off_the_loopback_is_refused_without_touching_the_network():
    done = proffer_fields("--json", "https://shop.example/checkout")
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"].endswith("only pages on 127.0.0.1 or localhost can be loaded (no network)")


def test_a_missing_browser_is_named_with_the_way_to_point_at_another(tmp_path):
    missing = tmp_path / "no-chromium-here"
    done = proffer_fields(str(tmp_path / "page.html"), env={**os.environ, "PROFFER_CHROMIUM": str(missing)})
    assert done.returncode == 2
    assert f"Chromium not found at {missing}" in done.stderr
    assert "PROFFER_CHROMIUM" in done.stderr


# --- the runner under proffer fields: hostile pages are reported, never fatal, never online ---------------


def test_a_form_behind_thousands_of_hidden_inputs_is_read_with_its_page_index(tmp_path):
    # Over the cap on controls per message, hidden inputs give way (extract.js): the form is still read.
    states = "".join(f"<input type=hidden name=state{i} value=s{i}>" for i in range(2500))
    page = tmp_path / "states.html"
    page.write_text(f"<!doctype html>{states}<form><label>Email address <input name=email type=email></label></form>")
    done = proffer_fields("--json", str(page))
    assert done.returncode == 0, done.stderr
    fields = json.loads(done.stdout)["fields"]
    assert [(f["index"], f["name"], f["type"], f["fillable"]) for f in fields] == [(2500, "email", "email", True)]


WEB_COMPONENTS_PAGE = """<!doctype html>
<form>
  <label>Full name <input name=fullname autocomplete=name></label>
  <x-field label="Email address" field=email type=email></x-field>
  <x-field label="Postcode" field=postal style="display:none"></x-field>
  <x-fold><label>Promo code <input name=promo></label></x-fold>
  <button>Continue</button>
</form>
<script>
  customElements.define("x-field", class extends HTMLElement {
    connectedCallback() {
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = "<label for=f></label><input id=f>";
      root.querySelector("label").textContent = this.getAttribute("label");
      root.querySelector("input").name = this.getAttribute("field");
      root.querySelector("input").type = this.getAttribute("type") || "text";
    }
  });
  // Draws what is put in it inside a folded box: the person sees none of it.
  customElements.define("x-fold", class extends HTMLElement {
    connectedCallback() {
      this.attachShadow({ mode: "open" }).innerHTML = "<div style='display:none'><slot></slot></div>";
    }
  });
</script>"""


def test_fields_inside_web_components_are_read_judged_and_numbered_after_the_page_s_own(tmp_path):
    page = tmp_path / "components.html"
    page.write_text(WEB_COMPONENTS_PAGE)
    done = proffer_fields("--json", str(page))
    assert done.returncode == 0, done.stderr
    fields = {f["name"]: f for f in json.loads(done.stdout)["fields"]}
    # The page's own controls keep their querySelectorAll positions; the components' follow.
    assert [fields[n]["index"] for n in ("fullname", "promo", "email", "postal")] == [0, 1, 2, 3]
    assert [fields[n]["type"] for n in ("email", "postal")] == ["email", "postal-code"], "read by their labels"
    assert fields["email"]["fillable"] is True
    assert (fields["postal"]["fillable"], fields["postal"]["reason"]) == (False, "invisible: display:none (ancestor)")
    assert fields["promo"]["fillable"] is False, "slotted into a folded box"
    assert fields["promo"]["reason"].startswith("invisible")


def test_a_hanging_page_is_reported_and_the_run_goes_on(tmp_path, playwright):
    from companion.fields.runner import PageRunner, run_pages

    hang = tmp_path / "hang.html"
    hang.write_text("<!doctype html><form><input name=a></form><script>while (true) {}</script>")
    late = tmp_path / "late.html"
    late.write_text("<!doctype html><form><input name=a></form><script>setTimeout(() => { while (true) {} })</script>")
    wedge = tmp_path / "wedge.html"  # starts looping just after load: may be read or not, but must not wedge the next
    wedge.write_text(
        "<!doctype html><form><input name=a></form>"
        "<script>addEventListener('load', () => setTimeout(() => { while (true) {} }, 200))</script>"
    )
    fine = tmp_path / "fine.html"
    fine.write_text("<!doctype html><form><label>Email <input name=email type=email></label></form>")
    targets = [str(hang), str(late), str(fine), str(wedge), str(fine)]
    with PageRunner(timeout_s=4, playwright=playwright) as runner:
        results = list(run_pages(targets, runner=runner, progress=False))
    assert [r.error is None for r in results[:3]] == [False, False, True]
    assert "does not respond" in results[0].error
    assert [f.name for f in results[2].payload.fields] == ["email"]
    assert results[4].error is None, "a page is not blamed for the one before it"


def test_requests_off_the_loopback_are_blocked(tmp_path, origins, playwright):
    from companion.fields.runner import PageRunner

    top, _ = origins
    page = tmp_path / "net.html"
    page.write_text(
        "<!doctype html><form><input name=email type=email></form>"
        '<img src="http://shop.example/pixel.png">'
        f'<img src="{top}/clean.html">'
        '<script>fetch("http://93.184.216.34/").catch(() => {})</script>'
    )
    with PageRunner(timeout_s=10, playwright=playwright) as runner:
        result = runner.extract(str(page))
    assert result.error is None
    assert result.blocked_requests == 2, "the two off-loopback requests, not the 127.0.0.1 one"


def fields_of(html: str, tmp_path, playwright) -> dict:
    """The descriptors of a page made of ``html``, as the runner behind `proffer fields` extracts them, by name."""
    from companion.fields.runner import PageRunner

    page = tmp_path / "page.html"
    page.write_text(html)
    with PageRunner(timeout_s=10, playwright=playwright) as runner:
        result = runner.extract(str(page))
    assert result.error is None
    return {f.name: f for f in result.payload.fields}


def test_visibility_in_real_layout_custom_checkboxes_and_sr_only_text(tmp_path, playwright):
    by_name = fields_of(
        "<!doctype html><style>.box{position:absolute;opacity:0;width:1px;height:1px}</style><form>"
        "<input type=checkbox id=terms name=terms class=box><label for=terms>I accept the terms</label>"
        "<input type=checkbox id=sneaky name=sneaky class=box><label for=sneaky style='font-size:0'></label>"
        "<label>Email <input name=email type=email></label>"
        "<div style='height:3000px'></div><input name=below_fold>"
        "</form>",
        tmp_path,
        playwright,
    )
    assert (by_name["terms"].visible, by_name["terms"].hidden_reason) == (True, None), "drawn by its visible label"
    assert by_name["sneaky"].visible is False, "its label has no size either"
    assert by_name["email"].visible and by_name["below_fold"].visible, "below the fold is not hidden"


def test_what_may_be_drawn_over_a_field_in_real_layout(tmp_path, playwright):
    """The hit test's view of the overlays shops draw on purpose: none of these hides the field, nor does a
    panel over the right part of it. A banner over the whole field does."""
    by_name = fields_of(
        "<!doctype html><style>p{position:relative;margin:20px;width:300px} input{width:100%;box-sizing:border-box}"
        "p>*:not(input){position:absolute;left:0;top:0}"
        ".flag{width:24px;height:100%;background:#ccc}</style><form>"
        "<p><input id=float name=float><label for=float style='background:#fff'>Email</label></p>"
        "<p><input name=hint><span style='pointer-events:none;background:#fff;width:100%'>Your name</span></p>"
        "<p><input name=flagged style='padding-left:30px'><span class=flag></span></p>"
        "<p><input name=glass><span style='width:100%;height:100%;background:rgba(0,0,0,.2)'></span></p>"
        "<p><input name=wrapped><span style='width:100%;height:100%'><b>&nbsp;</b></span></p>"
        "<p><input name=half><span style='left:40%;width:60%;height:100%;background:#fff'></span></p>"
        "<p style='position:fixed;top:80%'><input name=banner></p>"
        "</form><div style='position:fixed;left:0;right:0;bottom:0;height:40%;background:#fff'>Cookies?</div>",
        tmp_path,
        playwright,
    )
    reasons = {name: f.hidden_reason for name, f in by_name.items()}
    shown = {"float": None, "hint": None, "flagged": None, "glass": None, "wrapped": None, "half": None}
    assert reasons == {**shown, "banner": "covered"}


def test_watch_forms_notices_a_form_that_appears_later_in_real_chromium(tmp_path, playwright):
    from companion.fields.runner import CHROMIUM, CHROMIUM_ARGS, extraction_source

    page_file = tmp_path / "spa.html"
    page_file.write_text("<!doctype html><div id=app>Loading…</div>")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))
    try:
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.add_script_tag(content=extraction_source())
        page.evaluate(
            """() => {
              window.scans = [];
              ProfferExtract.watchForms(document, () => {
                window.scans.push(ProfferExtract.extractPage(document, window).fields.map((f) => f.name));
              }, 50);
              setTimeout(() => {
                document.getElementById("app").innerHTML = "<form><input name=email type=email></form>";
              }, 100);
            }"""
        )
        page.wait_for_function("window.scans.length > 0", timeout=5000)
        page.wait_for_timeout(200)
        assert page.evaluate("window.scans") == [["email"]]
    finally:
        browser.close()
