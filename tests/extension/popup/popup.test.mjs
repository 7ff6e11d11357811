// extension/popup/popup.js in jsdom, with a stand-in chrome.*: the "a form on this page is waiting" notice
// speaks of the tab the popup was opened on, and "Ask now" asks the worker about that tab only.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { readFileSync } from "node:fs";

import { JSDOM } from "jsdom";

const POPUP = new URL("../../../extension/popup/", import.meta.url);
const HTML = readFileSync(new URL("popup.html", POPUP), "utf8").replace(/<script[^>]*><\/script>/, "");
const NAMES = ["document", "location", "Node", "chrome", "setInterval", "clearInterval"];

let dom;
let opened = 0; // a module URL is evaluated once per process: each popup needs its own

const settled = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Open the popup on a tab (what chrome.tabs.query gives it) with a URL's query; `answers` plays the worker.
 * Resolves to the page and every message the popup sent.
 */
async function openPopup({ tab, search = "", answers }) {
  dom = new JSDOM(HTML, { url: `chrome-extension://ikcpjlmgjjaclpjfbepdglpcamkpgehj/popup/popup.html${search}` });
  const sent = [];
  const { window } = dom;
  Object.assign(globalThis, {
    document: window.document,
    location: window.location,
    Node: window.Node,
    setInterval: window.setInterval.bind(window),
    clearInterval: window.clearInterval.bind(window),
    chrome: {
      tabs: { query: async () => (tab ? [tab] : []) },
      runtime: {
        sendMessage: async (message) => {
          sent.push(message);
          return { ok: true, result: answers(message) };
        },
      },
    },
  });
  opened += 1;
  await import(`${new URL("popup.js", POPUP).href}?popup=${opened}`);
  for (let i = 0; i < 20; i += 1) await settled();
  return { $: (selector) => window.document.querySelector(selector), sent };
}

afterEach(() => {
  dom.window.close(); // its timers with it
  for (const name of NAMES) delete globalThis[name];
});

const unreachable = { reachable: false, problem: "no companion in this test" };

test("on a web page's tab, the notice and Ask now name that tab and its origin, whatever the URL's query says", async () => {
  let waiting = true;
  const { $, sent } = await openPopup({
    tab: { id: 7, url: "https://shop.example/checkout?step=2" },
    search: "?tab=9&origin=https://other.example",
    answers: (m) => (m.type === "waiting.get" ? (waiting ? { waiting: true, askedIn: 7200 } : { waiting: false })
      : m.type === "waiting.ask" ? { asked: true } : unreachable),
  });
  assert.equal($("#waiting").hidden, false);
  assert.equal($("#waiting-text").textContent, "A form on this page is waiting (asked again in 8 s)");
  waiting = false;
  $("#ask-now").click();
  for (let i = 0; i < 20; i += 1) await settled();
  const asks = sent.filter((m) => m.type.startsWith("waiting."));
  assert.deepEqual(asks, [
    { type: "waiting.get", tabId: 7, origin: "https://shop.example" },
    { type: "waiting.ask", tabId: 7, origin: "https://shop.example" },
    { type: "waiting.get", tabId: 7, origin: "https://shop.example" },
  ]);
  assert.equal($("#waiting").hidden, true, "asked: nothing waits any more");
});

test("opened as a page of its own, it may be told the tab and origin", async () => {
  const { $, sent } = await openPopup({
    tab: { id: 12 }, // the popup's own tab: no URL it may read
    search: "?tab=9&origin=http://127.0.0.1:8001",
    answers: (m) => (m.type === "waiting.get" ? { waiting: false } : unreachable),
  });
  assert.deepEqual(sent.filter((m) => m.type === "waiting.get"), [{ type: "waiting.get", tabId: 9, origin: "http://127.0.0.1:8001" }]);
  assert.equal($("#waiting").hidden, true, "nothing waits: no notice, no button");
  assert.equal($("#ask-now"), null);
});

test("with no web page and no tab named, it asks the worker nothing about waiting forms", async () => {
  const { $, sent } = await openPopup({ tab: { id: 12 }, answers: () => unreachable });
  assert.deepEqual(sent.map((m) => m.type), ["status.get"]);
  assert.equal($("#waiting").hidden, true);
});

/** Open the popup, vault open, on shop.example, whose summary lists `recent`; resolves to the lines shown. */
async function recentLines(recent) {
  const { $ } = await openPopup({
    tab: { id: 7, url: "https://shop.example/checkout" },
    answers: (m) => ({
      "status.get": { reachable: true, vault: "unlocked", dashboard: "http://127.0.0.1:47615/" },
      "site.summary": { site: "shop.example", autofill: false, decisions: [], recent },
      "waiting.get": { waiting: false },
    })[m.type] ?? unreachable,
  });
  assert.equal($("#site-name").textContent, "shop.example");
  return [...document.querySelectorAll("#site-recent li")].map((li) => li.textContent);
}

test("the last disclosures say in words what happened, a value the page did not take included", async () => {
  const lines = await recentLines([
    { time: "2026-11-24T10:01:00+00:00", decision: "undelivered", field_types: ["email"], not_taken: [] },
    { time: "2026-11-24T10:00:00+00:00", decision: "once", field_types: ["email", "given-name"], not_taken: [] },
  ]);
  assert.deepEqual(lines, [
    "2026-11-24 10:01 — sent, but the page did not take: email",
    "2026-11-24 10:00 — shared once: email, given-name",
  ]);
});

test("a release says what its page took, and names what it did not take, as the companion tells it", async () => {
  const lines = await recentLines([
    { time: "2026-11-24T10:03:00+00:00", decision: "undelivered", field_types: ["email", "tel"], not_taken: [] },
    { time: "2026-11-24T10:02:00+00:00", decision: "always", field_types: [], not_taken: ["email", "tel"] },
    { time: "2026-11-24T10:01:00+00:00", decision: "undelivered", field_types: ["email"], not_taken: [] },
    { time: "2026-11-24T10:00:00+00:00", decision: "once", field_types: ["given-name"], not_taken: ["email"] },
  ]);
  assert.deepEqual(lines, [
    "2026-11-24 10:03 — sent, but the page did not take: email, tel",
    "2026-11-24 10:02 — shared by your standing decision: nothing (not taken by the page: email, tel)",
    "2026-11-24 10:01 — sent, but the page did not take: email",
    "2026-11-24 10:00 — shared once: given-name (not taken by the page: email)",
  ]);
});
