// extension/content/fill.js in jsdom: how values are written, what is refused, how selects are matched.
// The script is evaluated inside the jsdom window, as the browser evaluates a content script.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import vm from "node:vm";

import { JSDOM } from "jsdom";

// In the order the manifest loads them: fill.js numbers controls with controls.js.
const SCRIPTS = ["controls.js", "fill.js"].map((name) => readFileSync(new URL(`../../../extension/content/${name}`, import.meta.url), "utf8"));

function page(body, { lang = "en" } = {}) {
  const dom = new JSDOM(`<!DOCTYPE html><html lang="${lang}"><body>${body}</body></html>`, {
    runScripts: "outside-only",
  });
  for (const script of SCRIPTS) dom.window.eval(script);
  const { window } = dom;
  return { window, document: window.document, Fill: inThisRealm(window.ProfferFill), $: (sel) => window.document.querySelector(sel) };
}

// Results made in the jsdom window's realm have that realm's Object prototype, which deepStrictEqual tells
// apart from ours; the reports are plain JSON, so they are compared as such.
function inThisRealm(Fill) {
  const plain = (fn) => (...args) => JSON.parse(JSON.stringify(fn(...args)));
  return { ...Fill, fillField: plain(Fill.fillField), fillFields: plain(Fill.fillFields), setChecked: plain(Fill.setChecked) };
}

// Records the events a framework would see on `element`, in order.
function recordEvents(element, types = ["focus", "click", "input", "change", "blur"]) {
  const seen = [];
  for (const type of types) element.addEventListener(type, (event) => seen.push({ type, bubbles: event.bubbles, event }));
  return seen;
}

describe("writing values", () => {
  test("a text input gets the value through focus, input, change and blur, bubbling", () => {
    const { Fill, $, window } = page('<form><label>Name <input id="n"></label></form>');
    const form = $("form");
    const bubbled = [];
    form.addEventListener("input", () => bubbled.push("input"));
    form.addEventListener("change", () => bubbled.push("change"));
    const seen = recordEvents($("#n"));
    assert.deepEqual(Fill.fillField($("#n"), "Ada", window), { ok: true, reason: null });
    assert.equal($("#n").value, "Ada");
    assert.deepEqual(seen.map((e) => e.type), ["focus", "input", "change", "blur"]);
    assert.ok(seen[1].event instanceof window.InputEvent);
    assert.equal(seen[1].event.inputType, "insertReplacementText");
    assert.deepEqual(bubbled, ["input", "change"]);
  });

  test("focus and blur are announced, focusin/focusout bubbling, but the person's focus stays where it was", () => {
    const { Fill, $, window, document } = page('<input id="typing" aria-label="search"><input id="n" aria-label="name">');
    $("#typing").focus();
    const bubbled = [];
    document.body.addEventListener("focusin", () => bubbled.push("focusin"));
    document.body.addEventListener("focusout", () => bubbled.push("focusout"));
    const seen = recordEvents($("#n"));
    assert.deepEqual(Fill.fillField($("#n"), "Ada", window), { ok: true, reason: null });
    assert.deepEqual(seen.map((e) => e.type), ["focus", "input", "change", "blur"]);
    assert.ok(seen[0].event instanceof window.FocusEvent);
    assert.deepEqual(bubbled, ["focusin", "focusout"]);
    assert.equal(document.activeElement, $("#typing"));
  });

  test("the value goes through the prototype's native setter, past an instance setter (React's tracker)", () => {
    const { Fill, $, window } = page('<input id="n" aria-label="name">');
    const input = $("#n");
    const native = Object.getOwnPropertyDescriptor(window.HTMLInputElement.prototype, "value");
    // React tracks the last value it saw through a setter on the element itself and ignores an input event
    // when the DOM value equals it. A plain `input.value = x` would update the tracker and be ignored.
    let tracked = "";
    Object.defineProperty(input, "value", {
      configurable: true,
      get() { return native.get.call(this); },
      set(v) { tracked = v; native.set.call(this, v); },
    });
    let reactWouldSeeChange = null;
    input.addEventListener("input", () => { reactWouldSeeChange = native.get.call(input) !== tracked; });
    Fill.fillField(input, "Ada", window);
    assert.equal(reactWouldSeeChange, true);
    assert.equal(tracked, "");
    assert.equal(native.get.call(input), "Ada");
  });

  test("textarea and select use their own prototypes' setters", () => {
    const { Fill, $, window } = page(`
      <textarea id="t" aria-label="note"></textarea>
      <select id="s" aria-label="country"><option value="">-</option><option value="DE">Germany</option></select>`);
    const calls = [];
    for (const [name, ctor] of [["textarea", window.HTMLTextAreaElement], ["select", window.HTMLSelectElement]]) {
      const native = Object.getOwnPropertyDescriptor(ctor.prototype, "value");
      Object.defineProperty(ctor.prototype, "value", {
        configurable: true,
        get: native.get,
        set(v) { calls.push(name); native.set.call(this, v); },
      });
    }
    assert.equal(Fill.fillField($("#t"), "Leave at the door", window).ok, true);
    assert.equal(Fill.fillField($("#s"), "Germany", window).ok, true);
    assert.deepEqual(calls, ["textarea", "select"]);
    assert.equal($("#t").value, "Leave at the door");
    assert.equal($("#s").value, "DE");
  });

  test("a value the input type would mangle is refused and the field left alone", () => {
    const { Fill, $, window } = page(`
      <input id="num" type="number" aria-label="n"><input id="d" type="date" aria-label="d">`);
    const seen = recordEvents($("#num"));
    assert.deepEqual(Fill.fillField($("#num"), "twelve", window), { ok: false, reason: "value_not_accepted" });
    assert.deepEqual(seen, []);
    assert.equal(Fill.fillField($("#d"), "10/12/1979", window).reason, "value_not_accepted");
    assert.equal(Fill.fillField($("#d"), "1979-12-10", window).ok, true);
    assert.equal($("#d").value, "1979-12-10");
    assert.equal(Fill.fillField($("#num"), "12", window).ok, true);
  });

  test("a value longer than the field's maxlength is refused rather than cut or overflowed", () => {
    const { Fill, $, window } = page('<input id="plz" maxlength="5" aria-label="PLZ">');
    assert.deepEqual(Fill.fillField($("#plz"), "OX1 4AR", window), { ok: false, reason: "longer_than_field_allows" });
    assert.equal($("#plz").value, "");
    assert.equal(Fill.fillField($("#plz"), "79100", window).ok, true);
  });

  test("a street address's lines go into a one-line box joined by commas, and into a textarea as lines", () => {
    const { Fill, $, window } = page('<input id="street" aria-label="Address"><textarea id="lines" aria-label="Address"></textarea>');
    const address = "12 Main Street\nFlat 3 \r\n\nNorth Wing";
    assert.equal(Fill.fillField($("#street"), address, window).ok, true);
    assert.equal($("#street").value, "12 Main Street, Flat 3, North Wing");
    assert.equal(Fill.fillField($("#lines"), address, window).ok, true);
    assert.equal($("#lines").value, address.replace(/\r\n/g, "\n"));
  });

  test("each field is checked at its own write: a handler disabling the next field stops its fill", () => {
    const { Fill, $, document } = page('<input id="a" aria-label="a"><input id="b" aria-label="b">');
    $("#a").addEventListener("input", () => { $("#b").disabled = true; });
    const report = Fill.fillFields(document, [{ index: 0, value: "one" }, { index: 1, value: "two" }]);
    assert.deepEqual(report, { filled: [0], refused: [{ index: 1, reason: "disabled" }] });
    assert.equal($("#b").value, "");
  });

  test("non-string values and empty strings are refused for value fields", () => {
    const { Fill, $, window } = page('<input id="n" aria-label="n">');
    assert.equal(Fill.fillField($("#n"), 42, window).reason, "bad_value");
    assert.equal(Fill.fillField($("#n"), "", window).reason, "empty_value");
    assert.equal(Fill.fillField($("#n"), true, window).reason, "bad_value");
    assert.equal($("#n").value, "");
  });
});

describe("the last line of defence", () => {
  const cases = [
    ["a password", '<input id="x" type="password" aria-label="p">', "never_filled_type"],
    ["a file input", '<input id="x" type="file" aria-label="f">', "never_filled_type"],
    ["a hidden input", '<input id="x" type="hidden">', "never_filled_type"],
    ["a text field for a new password", '<input id="x" autocomplete="new-password" aria-label="p">', "never_filled_type"],
    ["a card number", '<input id="x" autocomplete="cc-number" aria-label="c">', "payment_card"],
    ["a sectioned card expiry", '<input id="x" autocomplete="section-pay billing cc-exp" aria-label="c">', "payment_card"],
    ["a one-time code", '<input id="x" autocomplete="one-time-code" aria-label="c">', "one_time_code"],
    ["a disabled input", '<input id="x" disabled aria-label="d">', "disabled"],
    ["an input in a disabled fieldset", '<fieldset disabled><input id="x" aria-label="d"></fieldset>', "disabled"],
    ["a readonly input", '<input id="x" readonly aria-label="r">', "readonly"],
    ["an input under display:none", '<div style="display:none"><input id="x" aria-label="h"></div>', "invisible"],
    ["an input with visibility:hidden", '<input id="x" style="visibility:hidden" aria-label="h">', "invisible"],
    ["an input inherited visibility:hidden", '<div style="visibility:hidden"><input id="x" aria-label="h"></div>', "invisible"],
    ["a transparent input", '<div style="opacity:0.3"><input id="x" style="opacity:0.2" aria-label="h"></div>', "invisible"],
    ["an input under [hidden]", '<div hidden><input id="x" aria-label="h"></div>', "invisible"],
    ["an inert input", '<div inert><input id="x" aria-label="h"></div>', "invisible"],
    ["an aria-hidden input", '<div aria-hidden="true"><input id="x" aria-label="h"></div>', "invisible"],
    ["an input in a closed dialog", '<dialog><input id="x" aria-label="h"></dialog>', "invisible"],
    ["an input in closed details", '<details><summary>More</summary><input id="x" aria-label="h"></details>', "invisible"],
    ["a clipped input", '<input id="x" style="clip-path: inset(50%)" aria-label="h">', "invisible"],
    ["an input clipped to a point", '<input id="x" style="clip-path: polygon(0 0, 0 0, 0 0)" aria-label="h">', "invisible"],
    ["an input faded by a filter", '<div style="filter: opacity(0)"><input id="x" aria-label="h"></div>', "invisible"],
    ["an input with transparent text", '<input id="x" style="color: transparent" aria-label="h">', "invisible"],
    ["a submit button", '<input id="x" type="submit" value="Go">', "not_a_field"],
  ];
  for (const [what, html, reason] of cases) {
    test(`refuses ${what} (${reason}) and fires nothing`, () => {
      const { Fill, $, window } = page(html);
      const element = $("#x");
      const before = element.value;
      const seen = recordEvents(element);
      assert.deepEqual(Fill.fillField(element, "ada@example.org", window), { ok: false, reason });
      assert.equal(element.value, before);
      assert.deepEqual(seen, []);
    });
  }

  test("a field removed from the page after extraction is refused", () => {
    const { Fill, $, window } = page('<input id="x" aria-label="x">');
    const element = $("#x");
    element.remove();
    assert.deepEqual(Fill.fillField(element, "Ada", window), { ok: false, reason: "detached" });
  });

  test("an input inside an open dialog is filled", () => {
    const { Fill, $, window } = page('<dialog open><input id="x" aria-label="x"></dialog>');
    assert.equal(Fill.fillField($("#x"), "Ada", window).ok, true);
  });

  test("a field another element is drawn over is refused as covered, after it was scrolled into view (stubbed)", () => {
    const { Fill, $, window, document } = page(`<input id="a" aria-label="a"><input id="b" aria-label="b">
      <input id="c" aria-label="c"><input type="checkbox" id="d" aria-label="d">
      <div id="cover" style="background-color: white">Sale!</div>`);
    let covered = new Set(); // the boxes the page has drawn over, where it is scrolled to now
    const scrolled = [];
    window.Element.prototype.scrollIntoView = function () {
      scrolled.push(this.id);
      if (this.id === "c") covered.delete("c"); // under a sticky bar: in view, it shows
    };
    // The hit test answers for the box last measured: the cover where the page drew one, else the box.
    window.Element.prototype.getBoundingClientRect = function () {
      const hit = covered.has(this.id);
      document.elementFromPoint = () => (hit ? $("#cover") : this);
      return { left: 0, top: 0, width: 100, height: 20, right: 100, bottom: 20 };
    };
    assert.deepEqual(Fill.fillField($("#a"), "Ada", window), { ok: true, reason: null });
    covered = new Set(["b", "c", "d"]);
    const seen = recordEvents($("#b"));
    assert.deepEqual(Fill.fillField($("#b"), "Ada", window), { ok: false, reason: "covered" });
    assert.equal($("#b").value, "");
    assert.deepEqual(seen, []);
    assert.deepEqual(Fill.fillField($("#c"), "Ada", window), { ok: true, reason: null }, "uncovered once in view");
    assert.equal($("#c").value, "Ada");
    assert.deepEqual(Fill.setChecked($("#d"), true, window), { ok: true, reason: null }, "a box is left to its label");
    assert.deepEqual(scrolled, ["b", "c"], "only a covered box is scrolled to, and the checkbox not at all");
  });

  test("a field hidden after the fill was approved is refused by fillFields", () => {
    const { Fill, $, document } = page('<input id="a" aria-label="a"><input id="b" aria-label="b">');
    $("#b").style.display = "none"; // the page hides the field between extraction and fill
    const report = Fill.fillFields(document, [{ index: 0, value: "one" }, { index: 1, value: "two" }]);
    assert.deepEqual(report, { filled: [0], refused: [{ index: 1, reason: "invisible" }] });
    assert.equal($("#b").value, "");
  });
});

// Regression: the re-check ran before the focus events, so a page's focus handler could turn the approved
// field into a password, hidden or card box, or hide it, and the value was written all the same.
describe("a page's focus handler changing the field after the check", () => {
  const tricks = [
    ["into a password box", (el) => { el.type = "password"; }, "never_filled_type"],
    ["into a hidden input", (el) => { el.type = "hidden"; }, "never_filled_type"],
    ["out of sight with display:none", (el) => { el.style.display = "none"; }, "invisible"],
    ["into a card number box", (el) => { el.setAttribute("autocomplete", "cc-number"); }, "payment_card"],
  ];
  for (const [what, trick, reason] of tricks) {
    for (const type of ["focus", "focusin"]) {
      test(`a text field turned ${what} on ${type} is refused and keeps no value`, () => {
        const { Fill, $, window } = page('<input id="x" aria-label="name">');
        const element = $("#x");
        element.addEventListener(type, () => trick(element));
        const seen = recordEvents(element, ["input", "change"]);
        assert.deepEqual(Fill.fillField(element, "Ada", window), { ok: false, reason });
        assert.equal(element.value, "");
        assert.equal(element.getAttribute("value"), null);
        assert.deepEqual(seen, []);
      });
    }

    if (reason !== "never_filled_type") { // a select has no type to change
      test(`a select turned ${what} on focus is refused and keeps its option`, () => {
        const { Fill, $, window } = page('<select id="x" aria-label="c"><option value="">-</option><option value="GB">UK</option></select>');
        const element = $("#x");
        element.addEventListener("focus", () => trick(element));
        assert.deepEqual(Fill.fillField(element, "GB", window), { ok: false, reason });
        assert.equal(element.value, "");
      });
    }

    test(`a checkbox turned ${what} on focus is neither clicked nor changed`, () => {
      const { Fill, $, window } = page('<input type="checkbox" id="x" checked aria-label="offers">');
      const element = $("#x");
      element.addEventListener("focus", () => trick(element));
      const seen = recordEvents(element, ["click", "input", "change"]);
      assert.deepEqual(Fill.setChecked(element, false, window), { ok: false, reason });
      assert.equal(element.checked, true);
      assert.deepEqual(seen, []);
    });
  }
});

describe("checkboxes", () => {
  test("unticking a pre-ticked marketing box fires click, input and change", () => {
    const { Fill, $, window } = page('<input type="checkbox" id="m" checked><label for="m">Send me offers</label>');
    const seen = recordEvents($("#m"));
    assert.deepEqual(Fill.setChecked($("#m"), false, window), { ok: true, reason: null });
    assert.equal($("#m").checked, false);
    assert.deepEqual(seen.map((e) => e.type), ["focus", "click", "input", "change", "blur"]);
    assert.ok(seen.filter((e) => e.type !== "focus" && e.type !== "blur").every((e) => e.bubbles));
  });

  test("a box already in the wanted state is left alone", () => {
    const { Fill, $, window } = page('<input type="checkbox" id="m" aria-label="m">');
    const seen = recordEvents($("#m"));
    assert.deepEqual(Fill.setChecked($("#m"), false, window), { ok: true, reason: null });
    assert.deepEqual(seen, []);
  });

  test("fillField with a boolean ticks, and a page that flips the box back is reported", () => {
    const { Fill, $, window } = page('<input type="checkbox" id="a" aria-label="a"><input type="checkbox" id="b" checked aria-label="b">');
    assert.equal(Fill.fillField($("#a"), true, window).ok, true);
    assert.equal($("#a").checked, true);
    $("#b").addEventListener("click", (event) => event.preventDefault());
    assert.deepEqual(Fill.setChecked($("#b"), false, window), { ok: false, reason: "page_reverted_change" });
    assert.equal($("#b").checked, true);
  });

  test("a string is not a checkbox state, and a radio cannot be unticked", () => {
    const { Fill, $, window } = page('<input type="checkbox" id="c" aria-label="c"><input type="radio" id="r" name="r" checked aria-label="r">');
    assert.equal(Fill.fillField($("#c"), "true", window).reason, "bad_value");
    assert.equal($("#c").checked, false);
    assert.equal(Fill.setChecked($("#r"), false, window).reason, "cannot_untick_radio");
  });

  test("a visually hidden checkbox counts as visible through its visible label, not without one", () => {
    const { Fill, $, window } = page(`
      <input type="checkbox" id="styled" checked style="opacity:0"><label for="styled">Offers</label>
      <input type="checkbox" id="bare" checked style="opacity:0" aria-label="bare">
      <div style="display:none"><label for="bare">hidden label</label></div>`);
    assert.equal(Fill.setChecked($("#styled"), false, window).ok, true);
    assert.deepEqual(Fill.setChecked($("#bare"), false, window), { ok: false, reason: "invisible" });
    assert.equal($("#bare").checked, true);
  });

  test("a disabled pre-ticked box is refused", () => {
    const { Fill, $, window } = page('<input type="checkbox" id="c" checked disabled aria-label="c">');
    assert.equal(Fill.setChecked($("#c"), false, window).reason, "disabled");
    assert.equal($("#c").checked, true);
  });
});

describe("matching select options", () => {
  const COUNTRIES_EN = '<option value="">Choose</option><option value="DE">Germany</option><option value="GB">United Kingdom</option><option value="CH">Switzerland</option>';
  const COUNTRIES_DE = '<option value="">Bitte wählen</option><option value="DE">Deutschland</option><option value="GB">Vereinigtes Königreich</option><option value="CH">Schweiz</option>';
  const NAMES_ONLY_DE = "<option>Deutschland</option><option>Vereinigtes Königreich</option><option>Österreich</option>";

  function selectOf(options, lang) {
    const { Fill, $ } = page(`<select id="s" aria-label="s">${options}</select>`, { lang });
    return (value) => Fill.matchOption($("#s"), value)?.value ?? null;
  }

  test("countries by code or by name, in English or the page's language", () => {
    const en = selectOf(COUNTRIES_EN, "en");
    assert.equal(en("GB"), "GB");
    assert.equal(en("united kingdom"), "GB");
    assert.equal(en("UK"), "GB");
    assert.equal(en("Deutschland"), null); // German names are only known on German pages
    const de = selectOf(COUNTRIES_DE, "de");
    assert.equal(de("United Kingdom"), "GB");
    assert.equal(de("Deutschland"), "DE");
    assert.equal(de("Switzerland"), "CH");
    const names = selectOf(NAMES_ONLY_DE, "de");
    assert.equal(names("GB"), "Vereinigtes Königreich");
    assert.equal(names("Austria"), "Österreich");
    assert.equal(names("osterreich"), "Österreich");
    assert.equal(names("Atlantis"), null);
  });

  test("regions by name, accent-insensitively, or by ISO 3166-2 code", () => {
    const regions = selectOf('<option value="DE-BW">Baden-Württemberg</option><option value="DE-BY">Bayern</option><option value="DE-BE">Berlin</option>', "de");
    assert.equal(regions("bayern"), "DE-BY");
    assert.equal(regions("Baden Wurttemberg"), "DE-BW");
    assert.equal(regions("BY"), "DE-BY");
    const short = selectOf('<option value="BY">Bavaria</option><option value="BE">Berlin</option>', "en");
    assert.equal(short("DE-BE"), "BE");
    assert.equal(short("Hessen"), null);
  });

  test("months by number or name, in English or the page's language", () => {
    const numbered = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
      .map((name, i) => `<option value="${i + 1}">${name}</option>`).join("");
    const de = selectOf(`<option value="">Monat</option>${numbered}`, "de");
    assert.equal(de("3"), "3");
    assert.equal(de("03"), "3");
    assert.equal(de("March"), "3");
    assert.equal(de("märz"), "3");
    assert.equal(de("Dec"), "12");
    assert.equal(de("13"), null);
    const coded = selectOf(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
      .map((v) => `<option value="${v}">${v[0].toUpperCase()}${v.slice(1)}</option>`).join(""), "en");
    assert.equal(coded("3"), "mar");
    assert.equal(coded("12"), "dec");
  });

  test("days and years numerically, and a number never lands in a non-month select as a month", () => {
    const days = selectOf('<option value="">Day</option><option value="01">1</option><option value="07">7</option><option value="10">10</option>', "en");
    assert.equal(days("7"), "07");
    assert.equal(days("01"), "01");
    assert.equal(days("3"), null);
    const years = selectOf("<option>1980</option><option>1979</option>", "en");
    assert.equal(years("1979"), "1979");
  });

  test("fillField on a select picks the matched option, refuses no match and disabled options", () => {
    const { Fill, $, window } = page(`<select id="s" aria-label="s">${COUNTRIES_DE}<option value="FR" disabled>Frankreich</option></select>`, { lang: "de" });
    const seen = recordEvents($("#s"));
    assert.deepEqual(Fill.fillField($("#s"), "United Kingdom", window), { ok: true, reason: null });
    assert.equal($("#s").value, "GB");
    assert.deepEqual(seen.map((e) => e.type), ["focus", "input", "change", "blur"]);
    assert.equal(Fill.fillField($("#s"), "Narnia", window).reason, "no_matching_option");
    assert.equal(Fill.fillField($("#s"), "FR", window).reason, "option_disabled");
    assert.equal($("#s").value, "GB");
  });
});

describe("fillFields", () => {
  const FORM = `
    <form>
      <input id="given" aria-label="first name">
      <input id="pw" type="password" aria-label="password">
      <select id="country" aria-label="country"><option value="DE">Germany</option><option value="GB">United Kingdom</option></select>
      <input id="offers" type="checkbox" checked aria-label="offers">
      <textarea id="note" aria-label="note"></textarea>
    </form>`;

  test("fills by position in querySelectorAll('input, select, textarea') and reports positions only", () => {
    const { Fill, document, $ } = page(FORM);
    const report = Fill.fillFields(document, [
      { index: 0, value: "Ada-secret-7431" },
      { index: 1, value: "hunter2-7431" },
      { index: 2, value: "United Kingdom" },
      { index: 3, checked: false },
      { index: 4, value: "Ring twice" },
    ]);
    assert.deepEqual(report, { filled: [0, 2, 3, 4], refused: [{ index: 1, reason: "never_filled_type" }] });
    assert.equal($("#given").value, "Ada-secret-7431");
    assert.equal($("#pw").value, "");
    assert.equal($("#country").value, "GB");
    assert.equal($("#offers").checked, false);
    assert.equal($("#note").value, "Ring twice");
    assert.ok(!JSON.stringify(report).includes("7431"), "a report never carries a value");
  });

  test("bad, duplicate and out-of-range entries are refused one by one; the rest still fill", () => {
    const { Fill, document, $ } = page(FORM);
    const report = Fill.fillFields(document, [
      { index: 0, value: "Ada" },
      { index: 0, value: "Eve" },
      { index: 99, value: "x" },
      { index: -1, value: "x" },
      { index: "0", value: "x" },
      null,
    ]);
    assert.deepEqual(report.filled, [0]);
    assert.deepEqual(report.refused, [
      { index: 0, reason: "duplicate_index" },
      { index: 99, reason: "no_such_field" },
      { index: null, reason: "bad_entry" },
      { index: null, reason: "bad_entry" },
      { index: null, reason: "bad_entry" },
    ]);
    assert.equal($("#given").value, "Ada");
    assert.throws(() => Fill.fillFields(document, { index: 0, value: "x" }), { name: "TypeError" });
  });

  test("controls inside components are numbered after the page's own, and judged through their hosts", () => {
    const { Fill, document, window, $ } = page(`<form lang="de"><input id="given" aria-label="first name">
      <x-address id="shown"></x-address><x-address id="folded" style="display:none"></x-address>
      <x-address id="inert" inert></x-address></form>`);
    const roots = {};
    for (const id of ["shown", "folded", "inert"]) {
      roots[id] = $(`#${id}`).attachShadow({ mode: "open" });
      roots[id].innerHTML = `<input aria-label="city"><select aria-label="country"><option>Deutschland</option><option>Österreich</option></select>`;
    }
    const events = recordEvents(roots.shown.querySelector("input"), ["input", "change"]);
    const report = Fill.fillFields(document, [
      { index: 0, value: "Ada" },
      { index: 1, value: "Wien" },
      { index: 2, value: "Austria" },
      { index: 3, value: "Graz" },
      { index: 6, value: "Linz" },
    ]);
    assert.deepEqual(report, {
      filled: [0, 1, 2],
      refused: [{ index: 3, reason: "invisible" }, { index: 6, reason: "invisible" }],
    });
    assert.equal(roots.shown.querySelector("input").value, "Wien");
    assert.equal(roots.shown.querySelector("select").value, "Österreich", "option texts are read in the host's language");
    assert.deepEqual(events.map((e) => e.type), ["input", "change"]);
    assert.equal(roots.folded.querySelector("input").value, "");
    assert.equal(roots.inert.querySelector("input").value, "");
    assert.ok(window.document.querySelectorAll("input, select, textarea").length === 1, "querySelectorAll sees none of them");
  });
});

test("under node, fill.js also exports its functions through module.exports", () => {
  // As node loads it with require(): controls.js is required from beside it.
  const require = createRequire(new URL("../../../extension/content/fill.js", import.meta.url));
  const sandbox = { module: { exports: {} }, globalThis: undefined, require };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(SCRIPTS[1], sandbox);
  assert.deepEqual(Object.keys(sandbox.module.exports).sort(), ["REASONS", "fillField", "fillFields", "kindRefusal", "matchOption", "setChecked"]);
  assert.equal(sandbox.module.exports, sandbox.ProfferFill);
});
