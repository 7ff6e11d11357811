// extension/content/content.js in jsdom: the glue that answers the service worker. The scripts are evaluated
// inside the jsdom window in the manifest's order, with a stand-in for the `chrome` API that records what the
// content script sends and hands the test its message listener.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { JSDOM, VirtualConsole } from "jsdom";

import { hear, spyListeners } from "./spy.mjs";

const SCRIPTS = ["shared/runtime-messages.js", "content/controls.js", "content/extract.js", "content/fill.js", "content/hold.js", "content/content.js"]
  .map((name) => readFileSync(new URL(`../../../extension/${name}`, import.meta.url), "utf8"));
const EXTENSION_ID = "ikcpjlmgjjaclpjfbepdglpcamkpgehj";
const SHOP = "http://127.0.0.1:8001";
const FORM = '<form><label>Email <input id="email" name="email" type="email"></label>' +
  '<label>Rewards card <input id="rewards" name="rewards"></label></form>';

function contentScript(body = FORM, url = `${SHOP}/checkout`) {
  // jsdom does not navigate when a form is sent, and says so: only the page's own errors are worth hearing.
  const virtualConsole = new VirtualConsole().forwardTo(console, { jsdomErrors: ["unhandled-exception"] });
  const dom = new JSDOM(`<!DOCTYPE html><html lang="en"><body>${body}</body></html>`, { url, runScripts: "outside-only", virtualConsole });
  const { window } = dom;
  const sent = [];
  let listener = null;
  window.chrome = {
    runtime: {
      id: EXTENSION_ID,
      sendMessage: async (message) => {
        sent.push(JSON.parse(JSON.stringify(message)));
        return { ok: true };
      },
      onMessage: { addListener: (fn) => { listener = fn; } },
    },
  };
  for (const script of SCRIPTS) window.eval(script);
  // As the service worker's tabs.sendMessage arrives: the answer is what the content script sendResponse'd.
  const deliver = (message) => {
    let answer;
    listener(message, { id: EXTENSION_ID }, (response) => { answer = JSON.parse(JSON.stringify(response)); });
    return answer;
  };
  return { window, document: window.document, $: (sel) => window.document.querySelector(sel), deliver, sent };
}

const EMAIL = { index: 0, value: "ada@example.org", expect: ["input", "email", "email", "email"] };

describe("values go only into a document on the origins the person was asked about", () => {
  test("the document that asked gets its values", () => {
    const { $, deliver } = contentScript();
    const report = deliver({ type: "fill.apply", values: [EMAIL], origin: { frame: SHOP, top: SHOP } });
    assert.deepEqual(report, { filled: [0], refused: [] });
    assert.equal($("#email").value, "ada@example.org");
  });

  // Regression: a frame keeps its id when it navigates; the page pointed it at its own copy of the form
  // (same controls, another origin) and the values approved for the first origin landed there.
  test("a document on another origin with the same form gets nothing, and says why", () => {
    const { $, deliver } = contentScript(FORM, "http://127.0.0.1:8002/form.html");
    const report = deliver({ type: "fill.apply", values: [EMAIL], origin: { frame: SHOP, top: SHOP } });
    assert.deepEqual(report, { filled: [], refused: [{ index: 0, reason: "wrong_origin" }], wrongOrigin: true });
    assert.equal($("#email").value, "");
  });

  test("a top document on the frame's origin but not the top origin it had gets nothing", () => {
    const { $, deliver } = contentScript();
    const report = deliver({ type: "fill.apply", values: [EMAIL], origin: { frame: SHOP, top: "http://127.0.0.1:9999" } });
    assert.equal(report.wrongOrigin, true);
    assert.equal($("#email").value, "");
  });

  test("a message without origins fills nothing, a consent box included", () => {
    const { $, deliver } = contentScript('<input type="checkbox" id="offers" checked aria-label="offers">');
    assert.equal(deliver({ type: "fill.apply", values: [{ index: 0, checked: false }] }).wrongOrigin, true);
    assert.equal(deliver({ type: "fill.apply", values: [{ index: 0, checked: false }], origin: { top: SHOP } }).wrongOrigin, true);
    assert.equal($("#offers").checked, true);
  });

  test("an empty fill answers whether this is still the document that asked", () => {
    const { deliver } = contentScript();
    assert.deepEqual(deliver({ type: "fill.apply", values: [], origin: { frame: SHOP, top: SHOP } }), { filled: [], refused: [] });
    assert.equal(deliver({ type: "fill.apply", values: [], origin: { frame: "http://127.0.0.1:8002", top: null } }).wrongOrigin, true);
  });

  test("a loyalty watch for another origin watches nothing", () => {
    const { window, deliver } = contentScript();
    const added = spyListeners(window);
    const fields = [{ index: 1, expect: REWARDS }];
    assert.deepEqual(deliver({ type: "loyalty.watch", fields, origin: { frame: "http://127.0.0.1:8002", top: null } }),
      { watching: [], reason: "wrong_origin" });
    assert.deepEqual(deliver({ type: "loyalty.watch", fields }), { watching: [], reason: "wrong_origin" });
    assert.deepEqual(added.map((a) => a.type), []);
    assert.deepEqual(deliver({ type: "loyalty.watch", fields, origin: ORIGIN }), { watching: [1] });
    assert.deepEqual(added.map((a) => a.type), ["change"]);
  });
});

const ORIGIN = { frame: SHOP, top: SHOP };
const REWARDS = ["input", "text", "rewards", "rewards"];

function personTypes(added, element, value) {
  element.value = value;
  hear(added, element, "change");
}

// Regression: watches were bound by index only and never re-checked, so a page could shift the numbering or
// turn the watched box into a password or card box, and what the person typed there was offered to be kept
// as a membership number.
describe("loyalty watches hold on to the control the companion named", () => {
  test("the person's number typed into the named box is offered, a page's is not", () => {
    const { window, $, deliver, sent } = contentScript();
    const added = spyListeners(window);
    assert.deepEqual(deliver({ type: "loyalty.watch", fields: [{ index: 1, expect: REWARDS }], origin: ORIGIN }), { watching: [1] });
    sent.length = 0;
    $("#rewards").value = "123";
    $("#rewards").dispatchEvent(new window.Event("change")); // a page script: untrusted
    personTypes(added, $("#rewards"), "PX-4711");
    assert.deepEqual(sent, [{ type: "loyalty.typed", index: 1, number: "PX-4711" }]);
  });

  test("a watch without the identity, or for a control the page has shifted there, watches nothing", () => {
    const { window, document, deliver } = contentScript();
    const added = spyListeners(window);
    assert.deepEqual(deliver({ type: "loyalty.watch", fields: [1], origin: ORIGIN }), { watching: [] });
    assert.deepEqual(deliver({ type: "loyalty.watch", fields: [{ index: 1 }], origin: ORIGIN }), { watching: [] });
    // The page puts a password box where the rewards box was numbered.
    const password = document.createElement("input");
    password.type = "password";
    password.name = "pw";
    document.querySelector("#email").after(password);
    assert.deepEqual(deliver({ type: "loyalty.watch", fields: [{ index: 1, expect: REWARDS }], origin: ORIGIN }), { watching: [] });
    assert.deepEqual(added, []);
  });

  const tricks = [
    ["a password box", (el) => { el.type = "password"; }],
    ["a hidden input", (el) => { el.type = "hidden"; }],
    ["a card number box", (el) => { el.setAttribute("autocomplete", "cc-number"); }],
    ["a card box by section", (el) => { el.setAttribute("autocomplete", "section-pay cc-csc"); }],
    ["a one-time-code box", (el) => { el.setAttribute("autocomplete", "one-time-code"); }],
    ["a new-password box", (el) => { el.setAttribute("autocomplete", "new-password"); }],
  ];
  for (const [what, trick] of tricks) {
    test(`a watched box the page turned into ${what} offers nothing the person types`, () => {
      const { window, $, deliver, sent } = contentScript();
      const added = spyListeners(window);
      assert.deepEqual(deliver({ type: "loyalty.watch", fields: [{ index: 1, expect: REWARDS }], origin: ORIGIN }), { watching: [1] });
      sent.length = 0;
      trick($("#rewards"));
      personTypes(added, $("#rewards"), "hunter2-secret");
      assert.deepEqual(sent, []);
    });

    test(`a box that is already ${what} is not watched`, () => {
      const { window, $, deliver } = contentScript();
      const added = spyListeners(window);
      trick($("#rewards"));
      const expect = window.ProfferExtract.controlIdentity($("#rewards"));
      assert.deepEqual(deliver({ type: "loyalty.watch", fields: [{ index: 1, expect }], origin: ORIGIN }), { watching: [] });
      assert.deepEqual(added, []);
    });
  }

  test("a watched box moved to another index offers nothing", () => {
    const { window, document, $, deliver, sent } = contentScript();
    const added = spyListeners(window);
    assert.deepEqual(deliver({ type: "loyalty.watch", fields: [{ index: 1, expect: REWARDS }], origin: ORIGIN }), { watching: [1] });
    sent.length = 0;
    document.querySelector("form").prepend(document.createElement("input"));
    personTypes(added, $("#rewards"), "PX-4711");
    assert.deepEqual(sent, []);
  });
});

// The consent boxes the companion set come with a `hold` from the service worker: held until their form is sent.
describe("consent boxes Proffer set are held until their form is sent", () => {
  const BOXES = '<form id="signup"><input type="checkbox" id="offers" name="newsletter" checked aria-label="Email me offers">' +
    '<input type="checkbox" id="stubborn" name="partners" checked aria-label="Partner offers"></form>';
  const UNTICK = [
    { index: 0, checked: false, expect: ["input", "checkbox", "newsletter", "offers"] },
    { index: 1, checked: false, expect: ["input", "checkbox", "partners", "stubborn"] },
  ];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  test("a box the page ticks again is unticked as the form is sent, and the worker hears of it", async () => {
    const { $, deliver, sent } = contentScript(BOXES);
    $("#stubborn").addEventListener("click", (event) => event.preventDefault()); // refused at once: not held
    const report = deliver({ type: "fill.apply", values: UNTICK, origin: ORIGIN, hold: { id: "hold-1", ms: 60000 } });
    assert.deepEqual(report, { filled: [0], refused: [{ index: 1, reason: "page_reverted_change" }] });
    sent.length = 0;
    $("#offers").checked = true; // the page, later
    $("#signup").requestSubmit();
    assert.equal($("#offers").checked, false);
    await settle();
    assert.deepEqual(sent, [{ type: "boxes.submitted", hold: "hold-1", restored: [0], refused: [] }]);
  });

  test("boxes set without a hold, or values, are not held", async () => {
    const { $, deliver, sent } = contentScript(BOXES);
    deliver({ type: "fill.apply", values: UNTICK.slice(0, 1), origin: ORIGIN });
    sent.length = 0;
    $("#offers").checked = true;
    $("#signup").requestSubmit();
    await settle();
    assert.equal($("#offers").checked, true);
    assert.deepEqual(sent, []);
  });

  test("a hold for another origin holds nothing", async () => {
    const { $, deliver, sent } = contentScript(BOXES);
    const origin = { frame: "http://127.0.0.1:8002", top: "http://127.0.0.1:8002" };
    assert.equal(deliver({ type: "fill.apply", values: UNTICK, origin, hold: { id: "hold-2", ms: 60000 } }).wrongOrigin, true);
    $("#offers").checked = true;
    $("#signup").requestSubmit();
    await settle();
    assert.equal($("#offers").checked, true);
    assert.deepEqual(sent.filter((m) => m.type === "boxes.submitted"), []);
  });
});
