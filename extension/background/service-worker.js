// Proffer's service worker: routes messages, opens the approval window, talks to the companion.
//
// Treat it as disposable: listeners are registered at top level and everything that must outlive it
// (open approvals) lives in storage.session, written through one promise chain.
//
// Senders are checked before handlers: content scripts (running in hostile pages) may send FORM_SEEN,
// LOYALTY_TYPED and BOXES_SUBMITTED and nothing else; every other message must come from one of Proffer's
// own extension pages. Unknown types are refused loudly.

import "../shared/runtime-messages.js";
import { CompanionError, request } from "./native-client.js";
import { coolingUntil, endCooldown, forgetTabCooldowns, heldBack, isWakeAlarm, noteDeclined, wakeAfter } from "./cooldown.js";
import { reportFill } from "./fill-report.js";
import { approvalFlags, otherDocument, pageForRequest, sendToDocument, stillThere, targetOf } from "./page-info.js";
import { applyPrompts, boxesSubmitted, forgetFrame, forgetTab, loyaltyTyped, watchLoyalty } from "./prompts.js";
import { serialQueue } from "./serial.js";
import { forgetTabNotice, notice, showOnTab, showState, tabUpdated } from "./tab-badge.js";
import { now, startFill } from "./timings.js";

const M = globalThis.ProfferMessages;
const EXTENSION_ORIGIN = chrome.runtime.getURL("");
const APPROVAL_PAGE = "approval/approval.html";
const WINDOW_SIZE = { width: 520, height: 680 };
const PAGE_CHANGED = "The page this window asked about has changed or closed: nothing was filled.";

// --- state that survives the worker being stopped ------------------------------------------------------

const serialized = serialQueue();

// An approval or a queued form names the document it is for in `target` (page-info.js targetOf): its tab,
// frame, documentId and origins, kept there only. A record from before targets existed names no document:
// it is dropped as it is read, never acted on.
function withTargets(records) {
  for (const [key, record] of Object.entries(records)) if (!record || !record.target) delete records[key];
  return records;
}

async function loadApprovals() {
  const { approvals = {} } = await chrome.storage.session.get("approvals");
  return withTargets(approvals);
}

function putApproval(key, record) {
  return serialized(async () => {
    const approvals = await loadApprovals();
    approvals[key] = record;
    await chrome.storage.session.set({ approvals });
  });
}

// One approval window per tab: a form seen in another frame of a tab that already has one waits here
// (the newest per frame) until that window is gone, so a page full of frames cannot open a stack of windows.
async function loadQueued() {
  const { queued = {} } = await chrome.storage.session.get("queued");
  return withTargets(queued);
}

// Tab id -> frame id of a form that is with the companion now, its window not yet in storage.session.
const asking = new Map();

// Ask now, wait in the queue, or drop (that frame already has a window); decided and claimed in one step
// so that two frames seen at the same moment cannot both open a window. A frame keeps its id when it
// navigates: what is open or queued for an earlier document of this frame is taken off here and returned
// as `stale`, for the caller to decline and close (see dropStale).
function claimOrQueue(target, payload, view) {
  const { tabId, frameId } = target;
  return serialized(async () => {
    const [approvals, queued] = await Promise.all([loadApprovals(), loadQueued()]);
    const stale = [];
    for (const [key, a] of Object.entries(approvals)) {
      if (a.target.tabId === tabId && a.target.frameId === frameId && otherDocument(a.target, target)) {
        stale.push(a);
        delete approvals[key];
      }
    }
    const queueKey = `${tabId}:${frameId}`;
    if (queued[queueKey] && otherDocument(queued[queueKey].target, target)) delete queued[queueKey];
    await chrome.storage.session.set({ approvals, queued });
    const open = Object.values(approvals).filter((a) => a.target.tabId === tabId);
    if (open.some((a) => a.target.frameId === frameId) || asking.get(tabId) === frameId) return { status: "pending", stale };
    const cooling = await heldBack();
    if (open.length || asking.has(tabId) || cooling(tabId, target.topOrigin)) {
      queued[queueKey] = { target, payload, view };
      await chrome.storage.session.set({ queued });
      return { status: "queued", stale };
    }
    asking.set(tabId, frameId);
    return { status: "ask", stale };
  });
}

// Approvals whose document is gone: recorded as closed (nothing released) and their windows closed.
async function dropStale(records) {
  for (const record of records) {
    await decline(record, "closed").catch((error) => console.warn("Proffer: decline failed", error));
    await closeWindowOf(record);
  }
}

// The queued forms of tabs with no window open and nothing being asked, one per tab, taken off the queue
// and claimed.
function takeReadyQueued() {
  return serialized(async () => {
    const [queued, approvals] = await Promise.all([loadQueued(), loadApprovals()]);
    const busy = new Set([...Object.values(approvals).map((a) => a.target.tabId), ...asking.keys()]);
    const cooling = await heldBack();
    const ready = [];
    for (const [key, item] of Object.entries(queued)) {
      const { tabId, frameId, topOrigin } = item.target;
      if (busy.has(tabId) || cooling(tabId, topOrigin)) continue;
      busy.add(tabId);
      asking.set(tabId, frameId);
      ready.push(item);
      delete queued[key];
    }
    await chrome.storage.session.set({ queued });
    return ready;
  });
}

// Returns the targets asked about.
async function askQueued() {
  const asked = [];
  for (const item of await takeReadyQueued()) {
    // A queued form waited while its frame could navigate: ask only if the document that sent it is there.
    if (!(await stillThere(item.target))) {
      asking.delete(item.target.tabId);
      continue;
    }
    ask(item.payload, item.target, item.view).catch((error) => console.warn("Proffer: ask failed", error));
    asked.push(item.target);
  }
  return asked;
}

function dropQueuedForTab(tabId) {
  return serialized(async () => {
    const queued = await loadQueued();
    for (const [key, item] of Object.entries(queued)) if (item.target.tabId === tabId) delete queued[key];
    await chrome.storage.session.set({ queued });
  });
}

// What the person already decided about on each page view (tab, frame, document), as control keys.
// Sent as `settled` with the next request from that view, so a form that grows or changes (a pop-up, a
// step of a single-page checkout) asks only about what is new, and a value filled at once is not
// overwritten after the person edited it. A navigation is a new view; the page cannot write here.
function pageView(tabId, frameId, documentKey) {
  return `${tabId}:${frameId}:${documentKey || ""}`;
}

// index -> a key for the control that survives other controls coming and going: its identity and how
// many controls before it share that identity.
function controlKeys(byIndex) {
  const seen = new Map();
  const keys = {};
  for (const index of Object.keys(byIndex).map(Number).sort((a, b) => a - b)) {
    const identity = JSON.stringify(byIndex[index]);
    const n = seen.get(identity) || 0;
    seen.set(identity, n + 1);
    keys[index] = `${identity}#${n}`;
  }
  return keys;
}

async function loadSettled() {
  const { settled = {} } = await chrome.storage.session.get("settled");
  return settled;
}

function settle(view, indexes, expect) {
  if (!view || !indexes.length) return Promise.resolve();
  return serialized(async () => {
    const settled = await loadSettled();
    const keys = new Set(settled[view] || []);
    // A frame shows one document at a time: what was settled for its earlier documents is of no more use.
    const frame = view.slice(0, view.indexOf(":", view.indexOf(":") + 1) + 1);
    for (const other of Object.keys(settled)) if (other !== view && other.startsWith(frame)) delete settled[other];
    const byIndex = controlKeys(expect || {});
    for (const index of indexes) if (byIndex[index]) keys.add(byIndex[index]);
    settled[view] = [...keys];
    await chrome.storage.session.set({ settled });
  });
}

function settleOffered(record) {
  const offered = (record.result.fields || []).filter((f) => f.offers && f.offers.length).map((f) => f.index);
  return settle(record.view, offered, record.expect);
}

async function settledIn(view, payload) {
  const settled = new Set((await loadSettled())[view] || []);
  const byIndex = controlKeys(identities(payload));
  return (payload.fields || []).map((f) => f.index).filter((index) => settled.has(byIndex[index]));
}

function dropSettledForTab(tabId) {
  return serialized(async () => {
    const settled = await loadSettled();
    for (const view of Object.keys(settled)) if (view.startsWith(`${tabId}:`)) delete settled[view];
    await chrome.storage.session.set({ settled });
  });
}

function takeApproval(key) {
  return serialized(async () => {
    const approvals = await loadApprovals();
    const record = approvals[key];
    delete approvals[key];
    await chrome.storage.session.set({ approvals });
    return record;
  });
}

// --- the toolbar badge says what state Proffer is in ---------------------------------------------------
//
// For all tabs: the vault is locked, the companion is not reachable, or nothing ("" when the companion has
// just answered with the vault open). What Proffer did on one page is said on that page's tab only
// (tab-badge.js showOnTab), which a warning for all tabs replaces (tab-badge.js showState).

async function showBadge(text, title, color = "#a4262c") {
  await showState({ text, title: title ? `Proffer: ${title}` : "Proffer", color });
}

// --- from content scripts -----------------------------------------------------------------------------

function fromTab(sender, type) {
  if (!sender.tab || typeof sender.tab.id !== "number" || typeof sender.frameId !== "number") {
    throw new CompanionError("bad_request", `${type} must come from a tab`);
  }
}

async function onFormSeen(message, sender) {
  fromTab(sender, M.FORM_SEEN);
  const payload = { ...message.payload, page: pageForRequest(message.payload && message.payload.page, sender) };
  const target = targetOf(sender, payload.page);
  const view = pageView(sender.tab.id, sender.frameId, sender.documentId || sender.url);
  const { status, stale } = await claimOrQueue(target, payload, view);
  if (stale.length) {
    await forgetFrame(target.tabId, target.frameId);
    await dropStale(stale);
  }
  if (status !== "ask") return { status };
  return ask(payload, target, view);
}

// Ask the companion about a form (its page information already taken from the browser's sender record),
// the tab already claimed; when no window is left open, a queued form of the tab is asked about next.
async function ask(payload, target, view) {
  try {
    return await askClaimed({ ...payload, settled: await settledIn(view, payload) }, target, view);
  } finally {
    asking.delete(target.tabId);
    await askQueued();
  }
}

async function askClaimed(payload, target, view) {
  const timing = startFill(target.tabId, target.frameId);
  let result;
  try {
    result = await request("fill.request", payload);
  } catch (error) {
    if (error.code === "vault_locked" || error.code === "vault_absent") {
      await showBadge("🔒", "the vault is locked", "#5b6677");
      await openApproval(`locked-${crypto.randomUUID()}`, { kind: "locked", code: error.code, payload, view }, target);
      return { status: error.code };
    }
    if (error.code === "companion_unavailable") {
      await showBadge("!", "the companion is not reachable");
    }
    throw error;
  }
  timing.answeredAt = now();
  await showBadge("", ""); // the companion answered, with the vault open: no "locked", no "not reachable"
  const expect = identities(payload);
  const filled = await applyAutofill(result, target, timing, expect);
  await applyPrompts(result, target, expect);
  await settle(view, [...result.autofilled, ...(result.boxes || [])].map((v) => v.index), expect);
  await watchLoyalty(result, target, expect);
  if (!result.needs_approval) return { status: filled ? "autofilled" : "nothing-to-offer" };
  timing.requestId = result.request_id;
  await openApproval(result.request_id, { kind: "offer", result, flags: approvalFlags(payload.page), expect, view }, target);
  timing.windowCreatedAt = now();
  return { status: "asking" };
}

// index -> [tag, type, name, id] of every control a request described, so the content script can check that
// a value goes into the control it was approved for (see content.js).
function identities(payload) {
  const byIndex = {};
  for (const f of (payload && payload.fields) || []) byIndex[f.index] = [f.tag, f.type, f.name, f.id];
  return byIndex;
}

function expecting(values, byIndex) {
  return values.map((v) => (byIndex && byIndex[v.index] ? { ...v, expect: byIndex[v.index] } : v));
}

// Values released by the person's standing "always" decisions go straight to the document that asked, and
// the badge of its tab says so: auto-fill is never silent, and what was done on one page is said on that page.
async function applyAutofill(result, target, timing, expect) {
  if (!result.autofilled.length) return 0;
  const values = expecting(result.autofilled, expect);
  const report = await sendToDocument(target, { type: M.FILL_APPLY, values });
  timing.autofilledAt = now(); // the values are in the page; the badge below is the browser's chrome
  const { request_id: requestId, frame_origin: frameOrigin, autofilled } = result;
  await reportFill(request, { requestId, frameOrigin, release: "always", values: autofilled, report });
  if (!report || !report.filled.length) {
    await showOnTab(target.tabId, notice("!", "the page changed before Proffer could fill it: nothing was filled", "#a4262c"));
    return 0;
  }
  const n = report.filled.length;
  await showOnTab(target.tabId, notice(String(n), `filled ${n} field(s) on ${result.site} by your standing decisions`, "#1f6f5c"));
  return n;
}

// `target` is the document that asked (page-info.js): whatever the person approves goes to it or nowhere.
async function openApproval(key, record, target) {
  const url = chrome.runtime.getURL(`${APPROVAL_PAGE}?request=${encodeURIComponent(key)}`);
  const win = await chrome.windows.create({ url, type: "popup", focused: true, ...WINDOW_SIZE });
  await putApproval(key, { ...record, target, windowId: win.id });
}

// --- from Proffer's own pages (approval window, popup) ------------------------------------------------

async function closeWindowOf(record) {
  if (record && typeof record.windowId === "number") {
    try {
      await chrome.windows.remove(record.windowId);
    } catch {
      // already closed by the person
    }
  }
}

async function approvalGet({ request: key }) {
  const approvals = await loadApprovals();
  const record = approvals[key];
  if (!record) throw new CompanionError("unknown_request", "This request was already answered or has expired.");
  return { kind: record.kind, code: record.code, result: record.result, flags: record.flags };
}

async function approvalDecide({ request: key, approvals: chosen, never = [], approvedFrameOrigin = null }) {
  const record = await takeApproval(key);
  if (!record || record.kind !== "offer") {
    throw new CompanionError("unknown_request", "This request was already answered or has expired.");
  }
  try {
    // The frame may hold another document by now (a navigation keeps the frame id): release nothing
    // unless the one that asked is still there, on its origin. The ledger records a release when the
    // companion answers fill.approve, so this check comes before it.
    if (!(await stillThere(record.target))) {
      await decline(record, "closed");
      throw new CompanionError("page_changed", PAGE_CHANGED);
    }
    if (chosen.length) await endCooldown(record.target.tabId, record.target.topOrigin);
    await settleOffered(record);
    const released = await request("fill.approve", {
      request_id: record.result.request_id,
      frame_origin: record.result.frame_origin,
      approvals: chosen,
      never,
      approved_frame_origin: approvedFrameOrigin,
    });
    const report = await sendToDocument(record.target, { type: M.FILL_APPLY, values: expecting(released.values, record.expect) });
    const { request_id: requestId, frame_origin: frameOrigin } = record.result;
    await reportFill(request, { requestId, frameOrigin, release: "once", values: released.values, report });
    return { filled: report ? report.filled.length : 0, report };
  } finally {
    await closeWindowOf(record);
  }
}

async function decline(record, reason) {
  if (record && (record.kind === "offer" || record.kind === "locked")) {
    const { tabId, topOrigin } = record.target;
    const wait = await noteDeclined(tabId, topOrigin);
    await wakeAfter(wait + 100, tabId, topOrigin, () => askQueued()); // what the tab showed meanwhile is asked about then
  }
  if (!record || record.kind !== "offer") return { recorded: 0 };
  await settleOffered(record);
  return request("fill.decline", {
    request_id: record.result.request_id,
    frame_origin: record.result.frame_origin,
    reason,
  });
}

async function approvalDecline({ request: key }) {
  const record = await takeApproval(key);
  try {
    return await decline(record, "declined");
  } finally {
    await closeWindowOf(record);
  }
}

async function approvalRetry({ request: key }) {
  // After the person unlocked the vault: ask again with what the page showed, in this same window.
  const record = await takeApproval(key);
  if (!record || record.kind !== "locked") throw new CompanionError("unknown_request", "Nothing to retry.");
  // The stored form is from the document that asked: if the frame shows another now, ask nothing.
  if (!(await stillThere(record.target))) {
    await closeWindowOf(record);
    throw new CompanionError("page_changed", PAGE_CHANGED);
  }
  let result;
  try {
    result = await request("fill.request", { ...record.payload, settled: await settledIn(record.view, record.payload) });
  } catch (error) {
    await putApproval(key, record);
    throw error;
  }
  await showBadge("", ""); // the companion answered, with the vault open: no "locked", no "not reachable"
  const expect = identities(record.payload);
  // Values the standing decisions released were recorded as released: they go into the page now too.
  await applyAutofill(result, record.target, {}, expect);
  await applyPrompts(result, record.target, expect);
  await watchLoyalty(result, record.target, expect);
  if (!result.needs_approval) {
    await closeWindowOf(record);
    return { request: null };
  }
  await settle(record.view, [...result.autofilled, ...(result.boxes || [])].map((v) => v.index), expect);
  const next = { kind: "offer", result, flags: approvalFlags(record.payload.page), expect, view: record.view };
  await putApproval(result.request_id, { ...next, target: record.target, windowId: record.windowId });
  return { request: result.request_id };
}

// The person typed a number into a shop's loyalty field: ask, in Proffer's own window, whether to keep it.
async function onLoyaltyTyped(message, sender) {
  fromTab(sender, M.LOYALTY_TYPED);
  const record = await loyaltyTyped(message, sender);
  if (!record) return { status: "ignored" };
  await openApproval(`keep-${crypto.randomUUID()}`, record, targetOf(sender, pageForRequest(null, sender)));
  return { status: "asking" };
}

// A form was sent whose consent boxes Proffer set the page had undone meanwhile (prompts.js, content/hold.js).
async function onBoxesSubmitted(message, sender) {
  fromTab(sender, M.BOXES_SUBMITTED);
  return { status: (await boxesSubmitted(message, sender)) ? "reported" : "ignored" };
}

// The person's answer in the keep window: only a yes reaches the companion, and it keeps the number for the
// site it recorded with the keep ticket.
async function keepDecide({ request: key, keep, program }) {
  const record = await takeApproval(key);
  if (!record || record.kind !== "keep") throw new CompanionError("unknown_request", "Nothing to keep.");
  try {
    if (keep !== true) return { kept: false };
    const { keep_id, frame_origin, index, number } = record.result;
    const named = String(program || "").trim().slice(0, 100) || record.result.program;
    return await request("wallet.keep", { keep_id, frame_origin, index, number, program: named });
  } finally {
    await closeWindowOf(record);
  }
}

async function statusGet() {
  try {
    const pong = await request("system.ping");
    await showBadge(pong.vault === "unlocked" ? "" : "🔒", pong.vault === "unlocked" ? "" : "the vault is locked", "#5b6677");
    return { reachable: true, ...pong };
  } catch (error) {
    await showBadge("!", "the companion is not reachable");
    return { reachable: false, code: error.code || "companion_unavailable", problem: error.message };
  }
}

async function siteMessage(type, { origin, enabled }) {
  return request(type, type === "site.autofill" ? { origin, enabled } : { origin });
}

async function vaultLock() {
  const state = await request("vault.lock");
  await showBadge("🔒", "the vault is locked", "#5b6677");
  return state;
}

// The popup's "a form on this page is waiting" and its "Ask now" (cooldown.js). The popup names the tab it
// was opened on and that tab's top origin; the answer speaks of that pair only, and only of whether a form
// from it is held back by a cooldown and until when, never of what the form is.
async function heldBackUntil({ tabId, origin }) {
  if (!Number.isInteger(tabId) || typeof origin !== "string") {
    throw new CompanionError("bad_request", "a tab id and its top origin are needed");
  }
  const queued = Object.values(await loadQueued());
  if (!queued.some((item) => item.target.tabId === tabId && item.target.topOrigin === origin)) return 0;
  return coolingUntil(tabId, origin);
}

async function waitingGet(message) {
  const until = await heldBackUntil(message);
  return until ? { waiting: true, askedIn: until - Date.now() } : { waiting: false };
}

// The person asked for the form now: the cooldown ends, and the streak with it, as when they share. Only
// while a form from that tab and top origin waits for it: otherwise nothing changes. askQueued checks that
// the form's document is still there, and asks only if the tab has no window open.
async function waitingAsk(message) {
  if (!(await heldBackUntil(message))) return { asked: false };
  await endCooldown(message.tabId, message.origin);
  const asked = await askQueued();
  return { asked: asked.some((target) => target.tabId === message.tabId) };
}

const TRUSTED_HANDLERS = {
  [M.APPROVAL_GET]: approvalGet,
  [M.APPROVAL_DECIDE]: approvalDecide,
  [M.APPROVAL_DECLINE]: approvalDecline,
  [M.APPROVAL_RETRY]: approvalRetry,
  [M.KEEP_DECIDE]: keepDecide,
  [M.STATUS_GET]: statusGet,
  [M.VAULT_LOCK]: vaultLock,
  [M.SITE_SUMMARY]: (message) => siteMessage("site.summary", message),
  [M.SITE_FORGET]: (message) => siteMessage("site.forget", message),
  [M.SITE_AUTOFILL]: (message) => siteMessage("site.autofill", message),
  [M.WAITING_GET]: waitingGet,
  [M.WAITING_ASK]: waitingAsk,
};

function fromExtensionPage(sender) {
  // Content scripts report the page's URL; only Proffer's own pages have an extension URL.
  return typeof sender.url === "string" && sender.url.startsWith(EXTENSION_ORIGIN) && !sender.frameId;
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id || !message || typeof message.type !== "string") return false;
  let work;
  if (fromExtensionPage(sender)) {
    const handler = TRUSTED_HANDLERS[message.type];
    work = handler ? handler(message, sender) : null;
  } else if (message.type === M.FORM_SEEN) {
    work = onFormSeen(message, sender);
  } else if (message.type === M.LOYALTY_TYPED) {
    work = onLoyaltyTyped(message, sender);
  } else if (message.type === M.BOXES_SUBMITTED) {
    work = onBoxesSubmitted(message, sender);
  }
  if (!work) {
    console.warn(`Proffer refused a ${JSON.stringify(message.type)} message from ${sender.url}`);
    sendResponse({ ok: false, error: { code: "unknown_type", message: "message refused" } });
    return false;
  }
  work.then(
    (result) => sendResponse({ ok: true, result }),
    (error) => sendResponse({ ok: false, error: { code: error.code || "internal_error", message: error.message } }),
  );
  return true; // the answer comes asynchronously
});

// Closing the approval window is a decline. Whoever closed it, a form another frame of that tab showed
// meanwhile is asked about next.
chrome.windows.onRemoved.addListener(async (windowId) => {
  const approvals = await loadApprovals();
  for (const [key, record] of Object.entries(approvals)) {
    if (record.windowId !== windowId) continue;
    const taken = await takeApproval(key);
    if (taken) await decline(taken, "closed").catch((error) => console.warn("Proffer: decline failed", error));
  }
  await askQueued();
});

// A cooldown ended, perhaps while the worker was stopped: ask about what its tab showed meanwhile.
chrome.alarms.onAlarm.addListener((alarm) => {
  if (isWakeAlarm(alarm)) askQueued().catch((error) => console.warn("Proffer: ask failed", error));
});

// A tab's next page committed or loaded: a notice said as its form was sent is shown there again (tab-badge.js).
chrome.tabs.onUpdated.addListener((tabId, change) => {
  tabUpdated(tabId, change).catch((error) => console.warn("Proffer: the tab's notice was not shown again", error));
});

chrome.tabs.onRemoved.addListener((tabId) => {
  dropQueuedForTab(tabId);
  dropSettledForTab(tabId);
  forgetTabCooldowns(tabId);
  forgetTabNotice(tabId);
});
chrome.tabs.onRemoved.addListener((tabId) => forgetTab(tabId));
