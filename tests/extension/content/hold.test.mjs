// extension/content/hold.js in jsdom: the consent boxes Proffer set are held until their form is sent, and a
// box the page undid meanwhile is set again then. The scripts run inside the jsdom window in the manifest's
// order. jsdom fires a trusted submit event for requestSubmit() but no formdata event: the tests dispatch
// one as the browser would, with the list of what the form sends.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { JSDOM, VirtualConsole } from "jsdom";

import { hear, spyListeners } from "./spy.mjs";

const SCRIPTS = ["content/controls.js", "content/extract.js", "content/fill.js", "content/hold.js"]
  .map((name) => readFileSync(new URL(`../../../extension/${name}`, import.meta.url), "utf8"));

const SIGNUP = '<form id="signup"><input id="email" name="email" value="ada@example.org">' +
  '<label><input type="checkbox" id="offers" name="newsletter" checked> Email me offers</label>' +
  '<label><input type="checkbox" id="no-offers" name="no_partner_offers"> Do NOT send me partner offers</label>' +
  '<button id="send">Create account</button></form>' +
  '<form id="other"><input type="checkbox" id="elsewhere" name="elsewhere" checked aria-label="elsewhere"></form>';

const OFFERS = ["input", "checkbox", "newsletter", "offers"];
const NO_OFFERS = ["input", "checkbox", "no_partner_offers", "no-offers"];

function page(body = SIGNUP) {
  const virtualConsole = new VirtualConsole(); // jsdom does not navigate: it says so, and nobody needs to hear it
  const { window } = new JSDOM(`<!DOCTYPE html><html><body>${body}</body></html>`, {
    url: "http://127.0.0.1:8001/account/register", runScripts: "outside-only", virtualConsole,
  });
  for (const script of SCRIPTS) window.eval(script);
  const $ = (selector) => window.document.querySelector(selector);
  return { window, $, document: window.document };
}

// As Proffer sets them (fill.js, the way content.js does for a FILL_APPLY), then held: unticked the opt-in at
// 1, ticked its twin at 2. Returns what reached `report`, and the hold's end.
function setAndHold(p, { ms = 60000, clock } = {}) {
  const { window, $ } = p;
  const boxes = [
    { index: 1, checked: false, expect: OFFERS, element: $("#offers") },
    { index: 2, checked: true, expect: NO_OFFERS, element: $("#no-offers") },
  ];
  assert.deepEqual(plain(window.ProfferFill.fillFields(window.document, boxes)), { filled: [1, 2], refused: [] });
  const reports = [];
  const report = (found) => reports.push(plain(found));
  const stop = window.ProfferHold.holdBoxes(boxes, { ms, report, ...(clock ? { clock } : {}) });
  return { reports, stop };
}

const plain = (value) => JSON.parse(JSON.stringify(value)); // out of the jsdom window's realm
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

// What the browser does as it sends the form: the submit event (a page handler may cancel it), then, unless
// cancelled, the list of what the form sends, with a formdata event that may still change it.
function send(p, { cancel = false, seen } = {}) {
  const { window, $ } = p;
  const form = $("#signup");
  const cancelling = (event) => event.preventDefault();
  if (cancel) form.addEventListener("submit", cancelling);
  let submitted = false;
  form.addEventListener("submit", (event) => { submitted = !event.defaultPrevented; }, { once: true });
  form.requestSubmit();
  form.removeEventListener("submit", cancelling);
  return submitted ? formData(p, form, seen) : null;
}

// `seen`: how the content script sees the list (as it is, unless told).
function formData(p, form, seen = (data) => data) {
  const { window } = p;
  const data = new window.FormData(form);
  const event = new window.Event("formdata", { bubbles: true });
  event.formData = seen(data);
  form.dispatchEvent(event);
  return [...data.entries()].map(([name, value]) => `${name}=${value}`);
}

// A FormData as a Firefox content script sees the page's: FormData's own methods and its @@iterator are there,
// but the iterators entries(), keys() and values() return have next() and nothing they would inherit from
// %IteratorPrototype%, Symbol.iterator among them.
function throughXray(data) {
  const bare = (iterator) => ({ next: () => iterator.next() });
  const seen = { [Symbol.iterator]: () => bare(data.entries()) };
  for (const method of ["append", "delete", "get", "getAll", "has", "set", "forEach"]) {
    seen[method] = (...args) => data[method](...args);
  }
  for (const method of ["entries", "keys", "values"]) seen[method] = () => bare(data[method]());
  return seen;
}

// The person clicks the box (on it, its label, or by the keyboard): a trusted click, then the change it makes.
function personClicks(added, element) {
  hear(added, element, "click");
  element.checked = !element.checked;
  hear(added, element, "change");
}

describe("a box the page undoes before the form is sent", () => {
  // Regression: a shop ticked its marketing box again on a timer after Proffer unticked it, and the form sent it
  // ticked while the ledger said Proffer had unticked it.
  test("is set again as the form is sent, and the form sends it as Proffer set it", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true; // the page, later: a timer, a focus handler
    p.$("#no-offers").checked = false;
    const sent = send(p);
    assert.equal(p.$("#offers").checked, false);
    assert.equal(p.$("#no-offers").checked, true);
    assert.deepEqual(sent, ["email=ada@example.org", "no_partner_offers=on"]);
    await tick();
    assert.deepEqual(reports, [{ restored: [1, 2], refused: [] }]);
  });

  test("undone in the page's own submit handler, it is set again in what the form sends", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#signup").addEventListener("submit", () => { p.$("#offers").checked = true; }); // after Proffer's look
    const sent = send(p);
    assert.equal(p.$("#offers").checked, false);
    assert.deepEqual(sent, ["email=ada@example.org", "no_partner_offers=on"]);
    await tick();
    assert.deepEqual(reports, [{ restored: [1], refused: [] }]);
  });

  // Regression: in Firefox, the content script's `[...formData.entries()]` threw "is not iterable", and the form
  // sent the box the page had ticked again in its submit handler (tests/e2e/test_firefox.py).
  test("the list is amended as Firefox's content scripts see it, through an Xray wrapper", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#signup").addEventListener("submit", () => {
      p.$("#offers").checked = true;
      p.$("#no-offers").checked = false;
    });
    const sent = send(p, { seen: throughXray });
    assert.deepEqual([p.$("#offers").checked, p.$("#no-offers").checked], [false, true]);
    assert.deepEqual(sent, ["email=ada@example.org", "no_partner_offers=on"]);
    await tick();
    assert.deepEqual(reports, [{ restored: [1, 2], refused: [] }]);
  });

  test("a list the content script cannot change is reported: the form sends the box as the page left it", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#signup").addEventListener("submit", () => { p.$("#offers").checked = true; });
    const locked = () => { throw new Error("Permission denied to access object"); };
    const sent = send(p, { seen: (data) => ({ ...throughXray(data), forEach: locked, append: locked, delete: locked }) });
    assert.equal(p.$("#offers").checked, false, "set again on the page all the same");
    assert.deepEqual(sent, ["email=ada@example.org", "newsletter=on", "no_partner_offers=on"]);
    await tick();
    assert.deepEqual(reports, [{ restored: [], refused: [{ index: 1, reason: "page_reverted_change" }] }]);
  });

  test("a box as Proffer set it is left alone, and nothing is reported", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    const clicks = [];
    p.$("#offers").addEventListener("click", () => clicks.push("offers"));
    assert.deepEqual(send(p), ["email=ada@example.org", "no_partner_offers=on"]);
    await tick();
    assert.deepEqual(reports, []);
    assert.deepEqual(clicks, []);
  });

  test("one the page will not let go is reported not set again, and the form sends what the page kept", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true;
    p.$("#offers").addEventListener("click", (event) => event.preventDefault());
    assert.deepEqual(send(p), ["email=ada@example.org", "newsletter=on", "no_partner_offers=on"]);
    await tick();
    assert.deepEqual(reports, [{ restored: [], refused: [{ index: 1, reason: "page_reverted_change" }] }]);
  });

  // Proffer writes to no box the person cannot see, and to no control but the one it set.
  const untouchable = [
    ["hid", (p) => { p.$("#offers").closest("label").hidden = true; }, "invisible"],
    ["gave another identity", (p) => { p.$("#offers").name = "consent"; }, "field_changed"],
    ["moved to another index", (p) => { p.$("#email").before(p.document.createElement("input")); }, "field_changed"],
  ];
  for (const [what, trick, reason] of untouchable) {
    test(`one the page ${what} is not set again`, async () => {
      const p = page();
      const { reports } = setAndHold(p);
      p.$("#offers").checked = true;
      trick(p);
      send(p);
      assert.equal(p.$("#offers").checked, true);
      await tick();
      assert.deepEqual(reports, [{ restored: [], refused: [{ index: 1, reason }] }]);
    });
  }

  test("a ticked twin the page disabled is reported: a disabled box sends nothing", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#no-offers").disabled = true;
    assert.deepEqual(send(p), ["email=ada@example.org"]);
    assert.equal(p.$("#no-offers").checked, true);
    await tick();
    assert.deepEqual(reports, [{ restored: [], refused: [{ index: 2, reason: "disabled" }] }]);
  });

  test("a ticked twin the page removed is reported, an unticked opt-in it removed sends nothing and is not", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#no-offers").remove();
    p.$("#offers").remove();
    assert.deepEqual(send(p), ["email=ada@example.org"]);
    await tick();
    assert.deepEqual(reports, [{ restored: [], refused: [{ index: 2, reason: "detached" }] }]);
  });
});

describe("a form in an open shadow root", () => {
  // A submit event does not leave its shadow tree: the hold listens at the root the box lives in.
  test("is held there as in the document", async () => {
    const p = page('<div id="host"></div>');
    const root = p.$("#host").attachShadow({ mode: "open" });
    root.innerHTML = '<form><input type="checkbox" id="offers" name="newsletter" checked aria-label="Email me offers"></form>';
    const box = root.querySelector("#offers");
    const boxes = [{ index: 0, checked: false, expect: OFFERS, element: box }];
    assert.deepEqual(plain(p.window.ProfferFill.fillFields(p.document, boxes)), { filled: [0], refused: [] });
    const reports = [];
    p.window.ProfferHold.holdBoxes(boxes, { ms: 60000, report: (found) => reports.push(plain(found)) });
    box.checked = true;
    root.querySelector("form").requestSubmit();
    assert.equal(box.checked, false);
    await tick();
    assert.deepEqual(reports, [{ restored: [0], refused: [] }]);
  });
});

describe("what is and is not a submission, and what is reported", () => {
  test("a submission the page cancels sets boxes again, and reports them with the next one that goes out", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true;
    send(p, { cancel: true }); // a single-page app, or a form the page would not let go yet
    assert.equal(p.$("#offers").checked, false);
    await tick();
    assert.deepEqual(reports, [], "a page could stage such a submission to use up the one report");
    p.$("#no-offers").checked = false;
    send(p);
    await tick();
    assert.deepEqual(reports, [{ restored: [1, 2], refused: [] }]);
  });

  test("a box not set again is reported at once, even at a submission the page cancels", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true;
    p.$("#offers").addEventListener("click", (event) => event.preventDefault());
    send(p, { cancel: true });
    await tick();
    assert.deepEqual(reports, [{ restored: [], refused: [{ index: 1, reason: "page_reverted_change" }] }]);
  });

  test("only one report, whatever comes after it; later submissions are still held", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true;
    send(p);
    await tick();
    p.$("#offers").checked = true;
    p.$("#no-offers").checked = false;
    send(p);
    await tick();
    assert.equal(reports.length, 1);
    assert.equal(p.$("#offers").checked, false);
    assert.equal(p.$("#no-offers").checked, true);
  });

  test("a submit event the page dispatches itself is no submission", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true;
    p.$("#signup").dispatchEvent(new p.window.Event("submit", { bubbles: true, cancelable: true }));
    await tick();
    assert.equal(p.$("#offers").checked, true);
    assert.deepEqual(reports, []);
  });

  test("new FormData(form) in the page's own code gets the box as Proffer set it", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true;
    assert.deepEqual(formData(p, p.$("#signup")), ["email=ada@example.org", "no_partner_offers=on"]);
    assert.equal(p.$("#offers").checked, false);
    await tick();
    assert.deepEqual(reports, [], "set again, but no form went out: held on");
  });

  test("another form's submission leaves the boxes alone", async () => {
    const p = page();
    const { reports } = setAndHold(p);
    p.$("#offers").checked = true;
    p.$("#other").requestSubmit();
    await tick();
    assert.equal(p.$("#offers").checked, true);
    assert.deepEqual(reports, []);
  });

  test("after the hold's time, nothing is held", async () => {
    const p = page();
    let now = 1000;
    const { reports } = setAndHold(p, { ms: 60000, clock: () => now });
    now += 60001;
    p.$("#offers").checked = true;
    send(p);
    await tick();
    assert.equal(p.$("#offers").checked, true);
    assert.deepEqual(reports, []);
  });

  test("the hold can be ended", async () => {
    const p = page();
    const { reports, stop } = setAndHold(p);
    stop();
    p.$("#offers").checked = true;
    send(p);
    await tick();
    assert.equal(p.$("#offers").checked, true);
    assert.deepEqual(reports, []);
  });
});

describe("the person's own change is theirs", () => {
  test("a box the person ticks themselves is left ticked, and reported as their change", async () => {
    const p = page();
    const added = spyListeners(p.window);
    const { reports } = setAndHold(p);
    personClicks(added, p.$("#offers"));
    const sent = send(p);
    assert.equal(p.$("#offers").checked, true);
    assert.ok(sent.includes("newsletter=on"));
    await tick();
    assert.deepEqual(reports, [{ restored: [], refused: [{ index: 1, reason: "changed_by_person" }] }]);
  });

  test("a page's click() is not the person's, though the change it makes is trusted", async () => {
    const p = page();
    const added = spyListeners(p.window);
    const { reports } = setAndHold(p);
    hear(added, p.$("#offers"), "click", false); // the page's script: box.click()
    p.$("#offers").checked = true;
    hear(added, p.$("#offers"), "change"); // the change a click() causes is the browser's own, and trusted
    send(p);
    assert.equal(p.$("#offers").checked, false);
    await tick();
    assert.deepEqual(reports, [{ restored: [1], refused: [] }]);
  });

  test("the person set it back as Proffer had it, and the page undid that: set again", async () => {
    const p = page();
    const added = spyListeners(p.window);
    const { reports } = setAndHold(p);
    personClicks(added, p.$("#offers")); // ticked by the person
    personClicks(added, p.$("#offers")); // and unticked again
    p.$("#offers").checked = true; // the page
    send(p);
    assert.equal(p.$("#offers").checked, false);
    await tick();
    assert.deepEqual(reports, [{ restored: [1], refused: [] }]);
  });
});
