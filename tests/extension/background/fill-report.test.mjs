// After a fill the service worker tells the companion which released values the page did not take
// (`fill.report`): extension/background/fill-report.js builds the report, and the service worker sends it on
// both paths, the values a standing decision released at once and those the person approved.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { fillReport, reportAtSubmit, reportFill, submitReport } from "../../../extension/background/fill-report.js";
import { HOLD_MS } from "../../../extension/background/prompts.js";
import { MESSAGE_TYPES } from "../../../extension/shared/protocol.js";
import { validate } from "../../../extension/shared/schema.js";
import { fakeBrowser, idle } from "./fake-browser.mjs";

const REQUEST_ID = "Qm9uam91ciBsZSBtb25kZQ";
const SHOP = "https://shop.example";
const released = [{ index: 0, value: "ada@example.org" }, { index: 2, value: "Ada" }];
const base = { requestId: REQUEST_ID, frameOrigin: SHOP, release: "once", values: released };

function valid(payload) {
  assert.deepEqual(validate(MESSAGE_TYPES["fill.report"].payload, payload), []);
  return payload;
}

test("the page's answer becomes the report: written and refused indexes, with reasons", () => {
  const report = { filled: [2], refused: [{ index: 0, reason: "field_changed" }] };
  assert.deepEqual(valid(fillReport({ ...base, report })), {
    request_id: REQUEST_ID,
    frame_origin: SHOP,
    release: "once",
    filled: [2],
    refused: [{ index: 0, reason: "field_changed" }],
  });
});

test("no document answered: every released value is reported as not taken", () => {
  const payload = valid(fillReport({ ...base, release: "always", report: null }));
  assert.deepEqual(payload.refused, [{ index: 0, reason: "document_gone" }, { index: 2, reason: "document_gone" }]);
  assert.deepEqual(payload.filled, []);
  assert.equal(payload.release, "always");
});

test("a document of another origin refused everything, and says so", () => {
  const report = { filled: [], refused: [{ index: 0, reason: "wrong_origin" }, { index: 2, reason: "wrong_origin" }], wrongOrigin: true };
  assert.deepEqual(valid(fillReport({ ...base, report })).refused.map((r) => r.reason), ["wrong_origin", "wrong_origin"]);
});

test("a reason the companion does not know goes as 'other'; indexes not released, or said twice, are left out", () => {
  const report = {
    filled: [2, 2, 7],
    refused: [{ index: 0, reason: "made_up_by_a_page" }, { index: null, reason: "bad_entry" }, { index: 2, reason: "invisible" }, { index: 9, reason: "invisible" }],
  };
  const payload = valid(fillReport({ ...base, report }));
  assert.deepEqual(payload.filled, [2]);
  assert.deepEqual(payload.refused, [{ index: 0, reason: "other" }]);
});

test("every reason the content script gives is one the companion accepts", async () => {
  const { default: fill } = await import("../../../extension/content/fill.js");
  const accepted = MESSAGE_TYPES["fill.report"].payload.$defs.RefusedField.properties.reason.enum;
  for (const reason of [...Object.values(fill.REASONS), "field_changed", "wrong_origin"]) {
    assert.ok(accepted.includes(reason), `${reason} is not in the companion's closed set`);
  }
});

test("reportFill sends fill.report, sends nothing for an empty release, and never throws", async () => {
  const sent = [];
  await reportFill(async (type, payload) => sent.push([type, payload]), { ...base, report: { filled: [0, 2], refused: [] } });
  await reportFill(async (type, payload) => sent.push([type, payload]), { ...base, values: [], report: null });
  assert.deepEqual(sent.map(([type]) => type), ["fill.report"]);
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(await reportFill(async () => { throw new Error("companion gone"); }, { ...base, report: null }), null);
  } finally {
    console.warn = warn;
  }
});

// --- the service worker itself, in a fake browser with a fake companion (fake-browser.mjs) ---------------

const browser = fakeBrowser();
await browser.startWorker();
after(() => browser.restore());

const FIELDS = [
  { index: 0, tag: "input", type: "email", name: "email", id: "email" },
  { index: 1, tag: "input", type: "text", name: "fname", id: "fname" },
];

function fillRequestAnswer(requestId, rest) {
  return { request_id: requestId, site: "shop.example", origin: SHOP, frame_origin: SHOP, purpose: "checkout", ...rest };
}

function formSeen(tabId) {
  return browser.formSeen({ tabId, frameId: 0, documentId: `doc-${tabId}`, url: `${SHOP}/checkout`, fields: FIELDS });
}

function reportsSent() {
  return browser.companion.filter((m) => m.type === "fill.report").map((m) => m.payload);
}

test("the worker reports on values a standing decision filled at once", async () => {
  browser.answers["fill.request"] = fillRequestAnswer(REQUEST_ID, {
    fields: [], needs_approval: false, autofilled: [{ index: 0, value: "ada@example.org" }],
  });
  browser.page.apply = () => ({ filled: [], refused: [{ index: 0, reason: "field_changed" }] });
  const answer = await formSeen(7);
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.deepEqual(reportsSent().at(-1), {
    request_id: REQUEST_ID,
    frame_origin: SHOP,
    release: "always",
    filled: [],
    refused: [{ index: 0, reason: "field_changed" }],
  });
  assert.equal(browser.shownOn(7).text, "!", "nothing was filled, and the badge of its tab says so");
});

// The page asks about its email box; the person approves the one value on offer in the window.
async function approveEmail(tabId, requestId) {
  browser.answers["fill.request"] = fillRequestAnswer(requestId, {
    fields: [{ index: 0, type: "email", label: "Email", fillable: true, offers: [{ value_id: "email:1", value: "ada@example.org", label: "personal" }] }],
    needs_approval: true,
    autofilled: [],
  });
  browser.answers["fill.approve"] = { request_id: requestId, values: [{ index: 0, value: "ada@example.org" }] };
  const asked = await formSeen(tabId);
  assert.deepEqual(asked, { ok: true, result: { status: "asking" } });
  return browser.fromApprovalWindow({ type: "approval.decide", request: requestId, approvals: [{ index: 0, value_id: "email:1" }] });
}

test("the worker reports on the values the person approved, after writing them", async () => {
  const requestId = "QXBwcm92ZWQgb25jZSBoZXJl";
  const applied = [];
  browser.page.apply = (values) => {
    applied.push(values);
    return values.length ? { filled: [], refused: [{ index: 0, reason: "invisible" }] } : { filled: [], refused: [] };
  };
  const decided = await approveEmail(8, requestId);
  assert.equal(decided.ok, true, JSON.stringify(decided));
  assert.deepEqual(applied.map((v) => v.length), [0, 1], "asked whether the document is there, then filled");
  const types = browser.companion.map((m) => m.type);
  assert.ok(types.lastIndexOf("fill.report") > types.lastIndexOf("fill.approve"));
  assert.deepEqual(reportsSent().at(-1), {
    request_id: requestId,
    frame_origin: SHOP,
    release: "once",
    filled: [],
    refused: [{ index: 0, reason: "invisible" }],
  });
});

test("values approved for a document that went away meanwhile are reported as not taken", async () => {
  browser.page.apply = (values) => {
    if (values.length) throw new Error("Could not establish connection. Receiving end does not exist.");
    return { filled: [], refused: [] };
  };
  await approveEmail(9, "R29uZSBiZWZvcmUgdGhlIGZpbGw");
  assert.deepEqual(reportsSent().at(-1).refused, [{ index: 0, reason: "document_gone" }]);
});

// --- the consent boxes the companion set by the person's standing preferences --------------------------

const BOXES = [{ index: 2, checked: false }, { index: 3, checked: true }];

function boxesSet(requestId) {
  browser.answers["fill.request"] = fillRequestAnswer(requestId, {
    fields: [], needs_approval: false, autofilled: [], boxes: BOXES,
    handled: [
      { kind: "marketing-opt-in", action: "unticked", label: "Email me offers", fields: [2] },
      { kind: "marketing-opt-out", action: "ticked", label: "Do NOT send me offers", fields: [3] },
    ],
  });
}

// Regression: the ledger said a box was unticked when the page had ticked it again, or removed it.
test("the worker reports on the boxes it set: the one the page flipped back is not taken", async () => {
  const requestId = "Qm94ZXMgc2V0IGJ5IHByZWZz";
  boxesSet(requestId);
  const applied = [];
  browser.page.apply = (values) => {
    applied.push(values.map((v) => [v.index, v.checked]));
    return { filled: [3], refused: [{ index: 2, reason: "page_reverted_change" }] };
  };
  const answer = await formSeen(10);
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.deepEqual(applied, [[[2, false], [3, true]]], "the boxes went to the page as the companion said");
  assert.deepEqual(reportsSent().at(-1), {
    request_id: requestId,
    frame_origin: SHOP,
    release: "boxes",
    filled: [3],
    refused: [{ index: 2, reason: "page_reverted_change" }],
  });
  assert.equal(browser.badge.text, "!", "the badge says the page would not let a box go");
});

test("boxes for a document that went away are reported as not set", async () => {
  boxesSet("Qm94ZXMgZm9yIGEgZ29uZSBwYWdl");
  browser.page.apply = () => {
    throw new Error("Could not establish connection. Receiving end does not exist.");
  };
  await formSeen(11);
  const report = reportsSent().at(-1);
  assert.equal(report.release, "boxes");
  assert.deepEqual(report.refused, [{ index: 2, reason: "document_gone" }, { index: 3, reason: "document_gone" }]);
});

test("boxes the page took are reported too, so the release is closed; no boxes, no report", async () => {
  boxesSet("Qm94ZXMgYWxsIHRha2VuIGhlcmU");
  browser.page.apply = (values) => ({ filled: values.map((v) => v.index), refused: [] });
  await formSeen(12);
  assert.deepEqual(reportsSent().at(-1), {
    request_id: "Qm94ZXMgYWxsIHRha2VuIGhlcmU", frame_origin: SHOP, release: "boxes", filled: [2, 3], refused: [],
  });
  const before = reportsSent().length;
  browser.answers["fill.request"] = fillRequestAnswer("Tm8gYm94ZXMgYXQgYWxsIGhlcmU", { fields: [], needs_approval: false, autofilled: [] });
  await formSeen(13);
  assert.equal(reportsSent().length, before);
});

// --- the boxes again, as their form is sent (content/hold.js): the one report at the submission ------------

test("the report at the submission names only the boxes held, each once, with reasons from the closed set", () => {
  const found = {
    restored: [2, 2, 5],
    refused: [{ index: 3, reason: "changed_by_person" }, { index: 2, reason: "invisible" }, { index: 7, reason: "invisible" }, null],
  };
  assert.deepEqual(valid(submitReport({ requestId: REQUEST_ID, frameOrigin: SHOP, boxes: [2, 3], found })), {
    request_id: REQUEST_ID,
    frame_origin: SHOP,
    release: "boxes",
    stage: "submit",
    restored: [2],
    refused: [{ index: 3, reason: "changed_by_person" }],
  });
  const made = submitReport({ requestId: REQUEST_ID, frameOrigin: SHOP, boxes: [2], found: { refused: [{ index: 2, reason: "by_the_page" }] } });
  assert.deepEqual(valid(made).refused, [{ index: 2, reason: "other" }]);
});

test("reportAtSubmit sends nothing when no held box is named", async () => {
  const sent = [];
  const send = async (type, payload) => sent.push([type, payload]);
  assert.equal(await reportAtSubmit(send, { requestId: REQUEST_ID, frameOrigin: SHOP, boxes: [2], found: { restored: [9] } }), null);
  assert.equal(await reportAtSubmit(send, { requestId: REQUEST_ID, frameOrigin: SHOP, boxes: [2], found: null }), null);
  assert.deepEqual(sent, []);
});

// Boxes set on tab `tabId`'s top document and held there; returns the hold's id, as the content script got it.
async function boxesHeld(tabId, requestId, answer = { filled: [2, 3], refused: [] }) {
  boxesSet(requestId);
  browser.page.apply = () => answer;
  await formSeen(tabId);
  const applied = browser.toPages.filter((m) => m.tabId === tabId && m.message.type === "fill.apply").at(-1).message;
  assert.deepEqual(applied.hold.ms, HOLD_MS);
  return applied.hold.id;
}

function submitted(tabId, message, documentId = `doc-${tabId}`) {
  return browser.fromContentScript({ tabId, frameId: 0, documentId, url: `${SHOP}/checkout` }, { type: "boxes.submitted", ...message });
}

// Regression: a page ticked its marketing box again after Proffer unticked it, and the ledger kept saying unticked.
test("what the content script found as the form was sent goes to the companion once, as the boxes' report", async () => {
  const requestId = "QXQgc3VibWlzc2lvbiB0aW1l";
  const hold = await boxesHeld(20, requestId);
  const refused = [{ index: 3, reason: "page_reverted_change" }, { index: 4, reason: "invisible" }];
  assert.deepEqual(await submitted(20, { hold, restored: [2], refused }), { ok: true, result: { status: "reported" } });
  assert.deepEqual(reportsSent().at(-1), {
    request_id: requestId, frame_origin: SHOP, release: "boxes", stage: "submit",
    restored: [2], refused: [{ index: 3, reason: "page_reverted_change" }],
  });
  assert.equal(browser.badge.text, "!", "the page would not let a box be set again: the person should know");
  const before = reportsSent().length;
  assert.deepEqual(await submitted(20, { hold, refused: [{ index: 2, reason: "invisible" }] }), { ok: true, result: { status: "ignored" } });
  assert.equal(reportsSent().length, before, "once");
});

test("a box set again is reported, and the badge says the page had undone it", async () => {
  const hold = await boxesHeld(21, "U2V0IGFnYWluIGF0IHNlbmQ");
  browser.stopWorker();
  await browser.startWorker(); // a new life of the worker: the hold is in storage.session, not in memory
  assert.deepEqual(await submitted(21, { hold, restored: [2], refused: [] }), { ok: true, result: { status: "reported" } });
  assert.deepEqual(reportsSent().at(-1).restored, [2]);
  assert.equal(browser.badge.text, "✓");
});

// Regression: sending the form loaded the shop's next page, and the browser cleared the badge with the page it was
// set on, often before the person could see it.
test("the badge that says so is on the page the form's sending loads, and on no page after it", async () => {
  const hold = await boxesHeld(28, "U2VlbiBvbiB0aGUgbmV4dCBwYWdl");
  assert.equal((await submitted(28, { hold, restored: [2], refused: [] })).result.status, "reported");
  await browser.navigate(28);
  await browser.loaded(28);
  const { text, title } = browser.badgeOf(28);
  assert.equal(text, "✓");
  assert.match(title, /undid Proffer's change to "Email me offers": Proffer set it again as the form was sent/);
  await browser.navigate(28);
  assert.deepEqual(browser.badgeOf(28), {});
});

test("only the document the hold was given to may use it, and only within its time", async () => {
  const hold = await boxesHeld(22, "T25seSB0aGF0IGRvY3VtZW50");
  const before = reportsSent().length;
  const found = { hold, restored: [2] };
  assert.equal((await submitted(22, found, "doc-another")).result.status, "ignored"); // the frame navigated
  assert.equal((await browser.fromContentScript({ tabId: 22, frameId: 3, documentId: "doc-22", url: `${SHOP}/checkout` },
    { type: "boxes.submitted", ...found })).result.status, "ignored"); // another frame
  assert.equal((await submitted(23, found, "doc-22")).result.status, "ignored"); // another tab
  assert.equal((await submitted(22, { hold: "made-up", restored: [2] })).result.status, "ignored");
  assert.equal(reportsSent().length, before);
  assert.equal((await submitted(22, found)).result.status, "reported", "none of those used the hold up");
  const late = await boxesHeld(24, "UGFzdCB0aGUgaG9sZCB0aW1l");
  await browser.advance(HOLD_MS + 1, { timers: false });
  assert.equal((await submitted(24, { hold: late, restored: [2] })).result.status, "ignored");
  assert.equal(reportsSent().length, before + 2, "the first report on the boxes of tab 24, and no other");
});

test("only boxes the first report said were set are held; none set, no hold", async () => {
  const hold = await boxesHeld(25, "Tm90IHNldCBhdCBmaXJzdA", { filled: [3], refused: [{ index: 2, reason: "page_reverted_change" }] });
  const before = reportsSent().length;
  assert.equal((await submitted(25, { hold, restored: [2] })).result.status, "ignored");
  assert.equal(reportsSent().length, before);
  const none = await boxesHeld(26, "Tm9uZSBzZXQgYXQgYWxsIGhlcmU", { filled: [], refused: [{ index: 2, reason: "invisible" }, { index: 3, reason: "invisible" }] });
  assert.ok(!(none in (browser.session.boxHolds || {})));
});

test("a hold is forgotten with its tab", async () => {
  const hold = await boxesHeld(27, "Rm9yZ290dGVuIHdpdGggdGFi");
  assert.ok(hold in browser.session.boxHolds);
  // the browser closes the tab
  for (const fn of globalThis.chrome.tabs.onRemoved.listeners) fn(27);
  await idle();
  assert.ok(!(hold in browser.session.boxHolds));
});
