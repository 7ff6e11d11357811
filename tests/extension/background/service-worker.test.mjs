// extension/background/service-worker.js in node, against a stand-in browser and companion (fake-browser.mjs).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import { COOLDOWN_MS } from "../../../extension/background/cooldown.js";
import { fakeBrowser, idle } from "./fake-browser.mjs";

const SHOP = "http://127.0.0.1:8001";
const FIELDS = [{ index: 0, tag: "input", type: "email", name: "email", id: "email", label: "Email", visible: true }];
const TOP = { tabId: 7, frameId: 0, documentId: "doc-top", url: `${SHOP}/checkout`, fields: FIELDS };
const FRAME = { tabId: 7, frameId: 3, documentId: "doc-frame", url: `${SHOP}/offers.html`, topUrl: `${SHOP}/checkout`, fields: FIELDS };
// Chromium fires a packed MV3 extension's alarm no sooner than this after it is set.
const CHROMIUM_ALARM_MIN_MS = 30000;

let browser;
beforeEach(() => {
  browser = fakeBrowser();
});
afterEach(() => browser.restore());

const asked = () => browser.companion.filter((m) => m.type === "fill.request").map((m) => m.payload.page.url);

// The person declines the top frame's window; the form another frame shows meanwhile waits for the cooldown.
async function declineThenQueue() {
  await browser.startWorker();
  assert.deepEqual(await browser.formSeen(TOP), { ok: true, result: { status: "asking" } });
  const [key] = Object.keys(browser.session.approvals);
  assert.equal((await browser.fromApprovalWindow({ type: "approval.decline", request: key })).ok, true);
  assert.deepEqual(await browser.formSeen(FRAME), { ok: true, result: { status: "queued" } });
  assert.deepEqual(asked(), [TOP.url]);
  return browser.now;
}

describe("a form held back by a cooldown is asked about when the cooldown ends", () => {
  test("with the worker awake, as soon as a short cooldown ends: long before any alarm could fire", async () => {
    const declinedAt = await declineThenQueue();
    await browser.advance(COOLDOWN_MS - 500);
    assert.deepEqual(asked(), [TOP.url], "still cooling");
    await browser.advance(1000);
    assert.deepEqual(asked(), [TOP.url, FRAME.url]);
    assert.equal(browser.windows.size, 1, "its window is open");
    assert.ok(browser.now < declinedAt + CHROMIUM_ALARM_MIN_MS);
  });

  // Regression: the end of a cooldown was a setTimeout only. The browser stops an idle worker and its timers
  // with it, and the queued form waited until some unrelated event woke the worker.
  test("when the browser stopped the worker meanwhile: an alarm wakes it", async () => {
    const declinedAt = await declineThenQueue();
    const alarms = [...browser.alarms.values()];
    assert.equal(alarms.length, 1, "an alarm for the end of the cooldown");
    assert.ok(alarms[0].scheduledTime >= declinedAt + COOLDOWN_MS, "not before the cooldown ends");
    assert.ok(alarms[0].scheduledTime <= declinedAt + CHROMIUM_ALARM_MIN_MS, "not later than Chromium needs");

    browser.stopWorker();
    await browser.advance(CHROMIUM_ALARM_MIN_MS, { timers: false });
    assert.deepEqual(asked(), [TOP.url], "a stopped worker's timer never fires");
    await browser.fireAlarms();
    assert.deepEqual(asked(), [TOP.url, FRAME.url]);
    assert.equal(browser.windows.size, 1, "its window is open");
  });

  test("a long cooldown's alarm fires when it ends, not earlier", async () => {
    await declineThenQueue();
    // Decline the next windows too (after each cooldown, the queued form asks again): the streak grows.
    for (let i = 0; i < 4; i += 1) {
      await browser.advance(60000);
      const [key] = Object.keys(browser.session.approvals);
      await browser.fromApprovalWindow({ type: "approval.decline", request: key });
      await browser.formSeen(FRAME);
    }
    const declinedAt = browser.now;
    const { cooldowns } = browser.session;
    const until = Math.max(...Object.values(cooldowns).map((c) => c.until));
    assert.ok(until - declinedAt > CHROMIUM_ALARM_MIN_MS, "a cooldown longer than Chromium's minimum");
    const [alarm] = browser.alarms.values();
    assert.ok(alarm.scheduledTime >= until && alarm.scheduledTime <= until + 1000, `${alarm.scheduledTime - until} ms late`);
  });
});

describe("an approval or a queued form names its document once, in its target", () => {
  const TARGET = { tabId: 7, frameId: 0, documentId: "doc-top", frameOrigin: SHOP, topOrigin: SHOP };
  const FRAME_TARGET = { tabId: 7, frameId: 3, documentId: "doc-frame", frameOrigin: SHOP, topOrigin: SHOP };
  const stored = (records) => Object.values(records).map((r) => ({ keys: Object.keys(r).sort(), target: r.target }));

  test("an open approval and a form queued behind it", async () => {
    await browser.startWorker();
    await browser.formSeen(TOP);
    await browser.formSeen(FRAME);
    assert.deepEqual(stored(browser.session.approvals), [{ keys: ["expect", "flags", "kind", "result", "target", "view", "windowId"], target: TARGET }]);
    assert.deepEqual(stored(browser.session.queued), [{ keys: ["payload", "target", "view"], target: FRAME_TARGET }]);
  });

  test("a locked vault's window, and the offer that replaces it once the person has unlocked", async () => {
    browser.vault.locked = true;
    await browser.startWorker();
    assert.deepEqual(await browser.formSeen(TOP), { ok: true, result: { status: "vault_locked" } });
    assert.deepEqual(stored(browser.session.approvals), [{ keys: ["code", "kind", "payload", "target", "view", "windowId"], target: TARGET }]);
    browser.vault.locked = false;
    const [key] = Object.keys(browser.session.approvals);
    const retried = await browser.fromApprovalWindow({ type: "approval.retry", request: key });
    assert.equal(retried.ok, true, JSON.stringify(retried));
    assert.deepEqual(Object.keys(browser.session.approvals), [retried.result.request]);
    assert.deepEqual(stored(browser.session.approvals), [{ keys: ["expect", "flags", "kind", "result", "target", "view", "windowId"], target: TARGET }]);
  });

  test("a queued form from a version before targets is dropped when the queue is read, and the rest goes on", async () => {
    browser.session.queued = { "7:5": { tabId: 7, frameId: 5, payload: { page: { top_origin: SHOP } }, view: "7:5:old" } };
    await browser.startWorker();
    await browser.formSeen(TOP);
    await browser.formSeen(FRAME);
    // The person closes the window: the queue is read, the old record dropped, the frame's form asked about
    // when the cooldown ends.
    const [windowId] = browser.windows.keys();
    await browser.closeWindow(windowId);
    await browser.advance(COOLDOWN_MS + 200);
    assert.deepEqual(asked(), [TOP.url, FRAME.url]);
    assert.deepEqual(Object.keys(browser.session.queued), []);
  });
});

describe("the popup's \"Ask now\": a form held back by a cooldown, asked about when the person says so", () => {
  const THIS_PAGE = { tabId: TOP.tabId, origin: SHOP };
  const waiting = (on = THIS_PAGE) => browser.fromPopup({ type: "waiting.get", ...on });
  const askNow = (on = THIS_PAGE) => browser.fromPopup({ type: "waiting.ask", ...on });

  test("the popup sees the waiting form and how long it waits; Ask now asks at once and ends the streak", async () => {
    await declineThenQueue();
    await browser.advance(1000);
    assert.deepEqual(await waiting(), { ok: true, result: { waiting: true, askedIn: COOLDOWN_MS - 1000 } });
    assert.deepEqual(await askNow(), { ok: true, result: { asked: true } });
    await idle();
    assert.deepEqual(asked(), [TOP.url, FRAME.url], "asked before the cooldown ended");
    assert.equal(browser.windows.size, 1, "its window is open");
    assert.deepEqual(await waiting(), { ok: true, result: { waiting: false } });
    // The streak ended, as when the person shares: the next decline holds back for the first cooldown again.
    const [key] = Object.keys(browser.session.approvals);
    await browser.fromApprovalWindow({ type: "approval.decline", request: key });
    await browser.formSeen(TOP);
    assert.deepEqual(await waiting(), { ok: true, result: { waiting: true, askedIn: COOLDOWN_MS } });
  });

  // Regression: Ask now ended the cooldown, but the timer and the alarm set for its end stayed, and fired
  // later for a cooldown that was over.
  test("Ask now takes the wake-ups set for the cooldown's end with it: no timer, no alarm", async () => {
    const declinedAt = await declineThenQueue();
    const wakeAt = (at) => at > declinedAt && at <= declinedAt + COOLDOWN_MS + 1000;
    assert.equal(browser.timers.filter(wakeAt).length, 1, "a timer for the cooldown's end");
    assert.equal(browser.alarms.size, 1, "and an alarm");
    assert.deepEqual(await askNow(), { ok: true, result: { asked: true } });
    await idle();
    assert.deepEqual(browser.timers.filter(wakeAt), [], "the timer is cleared");
    assert.deepEqual([...browser.alarms.keys()], [], "the alarm is cleared");
    // The next decline sets them again, for its own cooldown.
    const [key] = Object.keys(browser.session.approvals);
    await browser.fromApprovalWindow({ type: "approval.decline", request: key });
    assert.equal(browser.alarms.size, 1);
  });

  test("a tab that closes takes its wake-ups with it", async () => {
    const declinedAt = await declineThenQueue();
    for (const fn of globalThis.chrome.tabs.onRemoved.listeners) fn(TOP.tabId);
    await idle();
    assert.deepEqual(browser.timers.filter((at) => at > declinedAt), []);
    assert.deepEqual([...browser.alarms.keys()], []);
  });

  test("a content script cannot send either message: refused, the cooldown holds, nothing is asked", async () => {
    await declineThenQueue();
    for (const type of ["waiting.ask", "waiting.get"]) {
      for (const document of [TOP, FRAME]) {
        const answer = await browser.fromContentScript(document, { type, ...THIS_PAGE });
        assert.deepEqual(answer, { ok: false, error: { code: "unknown_type", message: "message refused" } }, `${type} from ${document.url}`);
      }
    }
    await browser.advance(COOLDOWN_MS - 500);
    assert.deepEqual(asked(), [TOP.url], "still cooling");
    assert.equal((await waiting()).result.waiting, true);
  });

  test("it speaks of the tab and top origin it names only", async () => {
    await declineThenQueue();
    for (const other of [{ tabId: 8, origin: SHOP }, { tabId: TOP.tabId, origin: "http://127.0.0.1:8002" }]) {
      assert.deepEqual(await waiting(other), { ok: true, result: { waiting: false } }, JSON.stringify(other));
      assert.deepEqual(await askNow(other), { ok: true, result: { asked: false } }, JSON.stringify(other));
    }
    assert.deepEqual(asked(), [TOP.url]);
    assert.equal((await waiting()).result.waiting, true, "this page's cooldown still holds");
    const bad = await askNow({ tabId: "7", origin: SHOP });
    assert.equal(bad.error.code, "bad_request");
  });

  test("with nothing waiting, or a form that waits for an open window rather than a cooldown, nothing changes", async () => {
    await browser.startWorker();
    await browser.formSeen(TOP);
    await browser.formSeen(FRAME); // queued behind the open window: no cooldown holds it
    assert.deepEqual(await waiting(), { ok: true, result: { waiting: false } });
    assert.deepEqual(await askNow(), { ok: true, result: { asked: false } });
    const [key] = Object.keys(browser.session.approvals);
    await browser.fromApprovalWindow({ type: "approval.decline", request: key });
    assert.equal((await waiting()).result.waiting, true, "after the decline, the frame's form waits for the cooldown");
    // A cooldown with no form waiting: Ask now does not end it.
    await askNow();
    await idle();
    const [next] = Object.keys(browser.session.approvals);
    await browser.fromApprovalWindow({ type: "approval.decline", request: next });
    assert.deepEqual(await askNow(), { ok: true, result: { asked: false } });
    assert.deepEqual(await browser.formSeen(TOP), { ok: true, result: { status: "queued" } }, "still cooling");
  });
});

describe("what the standing \"always\" decisions filled is said on the tab it was filled in", () => {
  const OTHER = { tabId: 8, frameId: 0, documentId: "doc-other", url: `${SHOP}/account`, fields: FIELDS };
  const FILLED = { text: "1", color: "#1f6f5c", title: "Proffer: filled 1 field(s) on shop.example by your standing decisions" };
  const LOCKED = { text: "🔒", color: "#5b6677", title: "Proffer: the vault is locked" };
  let fills = 0;

  // The companion fills the email box by a standing decision on the checkout, and has nothing to fill elsewhere.
  beforeEach(async () => {
    browser.answers["fill.request"] = (payload) => {
      fills += 1;
      const checkout = payload.page.url.endsWith("/checkout");
      return {
        request_id: `Qm9uam91ciBsZSBtb25kZQ${fills}`, site: "shop.example", origin: SHOP, frame_origin: SHOP,
        purpose: "checkout", needs_approval: false, fields: [],
        autofilled: checkout ? [{ index: 0, value: "ada@example.org" }] : [],
      };
    };
    await browser.startWorker();
  });

  test("on that tab, and on no other", async () => {
    assert.deepEqual(await browser.formSeen(TOP), { ok: true, result: { status: "autofilled" } });
    assert.deepEqual(browser.shownOn(TOP.tabId), FILLED);
    assert.equal(browser.shownOn(OTHER.tabId).text, "", "another tab does not say it");
    assert.equal(browser.allTabs.text, "");
  });

  // Regression: the notice was the badge for all tabs: it showed on every tab, and the next form anywhere cleared it.
  test("a form on another tab leaves it be, and one filled there is said there", async () => {
    await browser.formSeen(TOP);
    assert.deepEqual(await browser.formSeen(OTHER), { ok: true, result: { status: "nothing-to-offer" } });
    assert.deepEqual(browser.shownOn(TOP.tabId), FILLED);
    assert.equal(browser.shownOn(OTHER.tabId).text, "");
    await browser.formSeen({ ...TOP, tabId: 9, documentId: "doc-9" });
    assert.deepEqual(browser.shownOn(9), FILLED);
    assert.deepEqual(browser.shownOn(TOP.tabId), FILLED);
    assert.equal(browser.shownOn(OTHER.tabId).text, "");
  });

  test("the page changed before Proffer could fill it: said on that tab only", async () => {
    browser.page.apply = () => ({ filled: [], refused: [{ index: 0, reason: "field_changed" }] });
    await browser.formSeen(TOP);
    assert.deepEqual(browser.shownOn(TOP.tabId), {
      text: "!", color: "#a4262c", title: "Proffer: the page changed before Proffer could fill it: nothing was filled",
    });
    assert.equal(browser.shownOn(OTHER.tabId).text, "");
  });

  test("the vault locked since: the tab says so too, and once it is open again no longer", async () => {
    await browser.formSeen(TOP);
    browser.vault.locked = true;
    assert.deepEqual(await browser.formSeen(OTHER), { ok: true, result: { status: "vault_locked" } });
    assert.deepEqual(browser.shownOn(OTHER.tabId), LOCKED);
    assert.deepEqual(browser.shownOn(TOP.tabId), LOCKED, "the tab's notice does not hide the warning");
    browser.vault.locked = false;
    const [key] = Object.keys(browser.session.approvals);
    assert.equal((await browser.fromApprovalWindow({ type: "approval.retry", request: key })).ok, true);
    for (const tabId of [TOP.tabId, OTHER.tabId]) {
      assert.deepEqual(browser.shownOn(tabId), { text: "", color: "#a4262c", title: "Proffer" }, `tab ${tabId}`);
    }
  });

  // The companion answering a form means the vault is open and the companion there: the warning for all tabs
  // goes, whether or not anything is filled.
  test("a warning for all tabs ends when the companion answers, with an auto-fill too", async () => {
    browser.vault.locked = true;
    await browser.formSeen(OTHER);
    assert.deepEqual(browser.allTabs, LOCKED);
    browser.vault.locked = false;
    await browser.formSeen(TOP);
    assert.equal(browser.allTabs.text, "");
    assert.equal(browser.allTabs.title, "Proffer");
    assert.deepEqual(browser.shownOn(TOP.tabId), FILLED);
  });
});
