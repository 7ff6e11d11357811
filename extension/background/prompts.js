// Marketing and loyalty prompts in the service worker: it executes what the companion decided.
//
// - Consent boxes the companion set by the person's standing preferences (a pre-ticked opt-in unticked, a
//   "do NOT send offers" twin ticked) go to the frame that asked, and the badge says what was done: it is
//   never silent. The approval window lists the same `handled` items; the ledger has an entry for each.
//   What the content script could not set (the box gone, disabled, another document, the page flipping it
//   back) goes back to the companion as the request's `fill.report` for "boxes", so the ledger says that
//   change did not happen; the badge says so too.
// - The boxes the page let go are held by the content script until their form is sent (content/hold.js): a
//   box the page undid meanwhile is set again then. What it found comes back as BOXES_SUBMITTED, for the
//   hold this worker gave it, and goes to the companion as that request's one report at the submission
//   (`stage: "submit"`), so the ledger says which boxes the page undid and whether they were set again. The
//   badge says it too, and still on the page that sending the form loads (tab-badge.js): that page would
//   clear it.
// - Loyalty-number fields the wallet has nothing for are watched by the content script. When the person
//   types a number there, Proffer's own window asks whether to keep it; only their yes sends `wallet.keep`.
//   The page never sees that window, and a number typed by the page's own scripts (an untrusted event) is
//   never offered, see content.js.
//
// What must outlive the worker (which frames are watched, and for which keep ticket; which boxes are held,
// for which request) is in storage.session.

import "../shared/runtime-messages.js";
import { reportAtSubmit, reportFill } from "./fill-report.js";
import { request } from "./native-client.js";
import { otherDocument, pageForRequest, sendToDocument, targetOf } from "./page-info.js";
import { serialQueue } from "./serial.js";
import { notice, showAcrossNavigation, showOnTab } from "./tab-badge.js";

const M = globalThis.ProfferMessages;
const MAX_NUMBER = 64;
// How long the boxes set are held: the companion's request lifetime (SUBMIT_REPORT_TTL_SECONDS in
// companion/fill.py, 15 minutes) less a minute, so that what is found before the end reaches the companion
// before its own.
export const HOLD_MS = 14 * 60 * 1000;

const serialized = serialQueue();

async function loadWatches() {
  const { loyaltyWatches = {} } = await chrome.storage.session.get("loyaltyWatches");
  return loyaltyWatches;
}

function frameKey(tabId, frameId) {
  return `${tabId}:${frameId}`;
}

// hold id -> {requestId, frameOrigin, site, target, boxes, labels, until}: the boxes a content script holds.
async function loadHolds() {
  const { boxHolds = {} } = await chrome.storage.session.get("boxHolds");
  for (const [id, hold] of Object.entries(boxHolds)) if (!hold || !(hold.until >= Date.now())) delete boxHolds[id];
  return boxHolds;
}

const ACTIONS = {
  unticked: "unticked",
  ticked: "ticked",
  declined: "declined",
  never: "did not fill",
};

/** One line for the badge's title, e.g. `unticked "Email me offers"; declined "Join our rewards program"`. */
export function describeHandled(handled) {
  return handled.map((h) => `${ACTIONS[h.action] || h.action} "${h.label}"`).join("; ");
}

/** Set the consent boxes the companion decided on, and say so on the badge. Returns how many were set. */
export async function applyPrompts(result, target, expect = {}) {
  const { tabId } = target;
  const handled = result.handled || [];
  if (result.boxes && result.boxes.length) {
    const entries = result.boxes.map((b) => ({ index: b.index, checked: b.checked, ...(expect[b.index] ? { expect: expect[b.index] } : {}) }));
    const hold = { id: crypto.randomUUID(), ms: HOLD_MS };
    const report = await sendToDocument(target, { type: M.FILL_APPLY, values: entries, hold });
    const { request_id: requestId, frame_origin: frameOrigin, boxes } = result;
    const reported = await reportFill(request, { requestId, frameOrigin, release: "boxes", values: boxes, report });
    if (!report) return 0; // the document that asked is gone: nothing was set
    if (reported) await keepHold(hold.id, result, target, report.filled);
    if (report.wrongOrigin || (report.refused && report.refused.length)) {
      // The page would not let a box go (it re-ticked it, or hid it): the person should know.
      const title = `${result.site} would not let Proffer untick a marketing box: check the form`;
      await showOnTab(tabId, notice("!", title, "#a4262c"));
      return 0;
    }
  }
  if (!handled.length) return 0;
  const title = `on ${result.site}, by your standing preferences: ${describeHandled(handled)}`;
  await showOnTab(tabId, notice("✓", title, "#5b3f9e"));
  return handled.length;
}

// The record of a hold, for the content script's BOXES_SUBMITTED: the boxes the first report said were set.
function keepHold(id, result, target, filled) {
  const set = new Set(result.boxes.map((b) => b.index));
  const boxes = [...new Set(Array.isArray(filled) ? filled : [])].filter((index) => set.has(index));
  if (!boxes.length) return null;
  const labels = {};
  for (const h of result.handled || []) for (const index of h.fields || []) labels[index] = h.label;
  const { request_id: requestId, frame_origin: frameOrigin, site } = result;
  return serialized(async () => {
    const holds = await loadHolds();
    holds[id] = { requestId, frameOrigin, site, target, boxes, labels, until: Date.now() + HOLD_MS };
    await chrome.storage.session.set({ boxHolds: holds });
  });
}

/**
 * From a content script: a form was sent whose held boxes the page had undone. Only the document the hold
 * was given to may report on it, once, within its time, and only on its boxes; the companion hears it as the
 * request's report at the submission, and the badge says what happened, on the page the submission loads
 * too. Returns the companion's answer, or null when there was nothing to report.
 */
export async function boxesSubmitted(message, sender) {
  const id = message && message.hold;
  if (typeof id !== "string") return null;
  const hold = await serialized(async () => {
    const holds = await loadHolds();
    const found = holds[id];
    if (!found || found.target.tabId !== sender.tab.id || found.target.frameId !== sender.frameId ||
        otherDocument(found.target, senderDocument(sender))) return null;
    delete holds[id];
    await chrome.storage.session.set({ boxHolds: holds });
    return found;
  });
  if (!hold) return null;
  const { requestId, frameOrigin, boxes } = hold;
  const answer = await reportAtSubmit(request, { requestId, frameOrigin, boxes, found: message });
  if (!answer) return null;
  const named = (list) => list.map((index) => `"${hold.labels[index] || `box ${index}`}"`).join(", ");
  const undone = (message.refused || []).filter((r) => r && boxes.includes(r.index) && r.reason !== "changed_by_person");
  const again = (message.restored || []).filter((index) => boxes.includes(index));
  if (undone.length) {
    const title = `${hold.site} undid Proffer's change to ${named(undone.map((r) => r.index))} and would not let it be set again: the form was sent so`;
    await showAcrossNavigation(hold.target, notice("!", title, "#a4262c"));
  } else if (again.length) {
    const title = `${hold.site} undid Proffer's change to ${named(again)}: Proffer set it again as the form was sent`;
    await showAcrossNavigation(hold.target, notice("✓", title, "#5b3f9e"));
  }
  return answer;
}

/** Remember the loyalty fields of this answer and ask the document's content script to watch them. */
export async function watchLoyalty(result, target, expect = {}) {
  const key = frameKey(target.tabId, target.frameId);
  await serialized(async () => {
    const watches = await loadWatches();
    if (result.keep) {
      const labels = Object.fromEntries(result.fields.filter((f) => result.keep.fields.includes(f.index))
        .map((f) => [f.index, f.label]));
      watches[key] = {
        keepId: result.keep.keep_id, frameOrigin: result.frame_origin, site: result.site,
        program: result.keep.program, fields: result.keep.fields, labels, asked: {}, target,
      };
    } else {
      delete watches[key];
    }
    await chrome.storage.session.set({ loyaltyWatches: watches });
  });
  if (result.keep) {
    // With the identity each field was described with: the content script watches only that control.
    const fields = result.keep.fields.map((index) => ({ index, expect: expect[index] || null }));
    await sendToDocument(target, { type: M.LOYALTY_WATCH, fields });
  }
}

/**
 * From a content script: the person typed a number into a watched loyalty field. Returns the record for
 * the keep window, or null when there is nothing to ask (not watched, already asked for that number).
 */
export async function loyaltyTyped(message, sender) {
  const number = typeof message.number === "string" ? message.number.trim() : "";
  const index = message.index;
  if (!number || number.length > MAX_NUMBER || !Number.isInteger(index)) return null;
  return serialized(async () => {
    const watches = await loadWatches();
    const watch = watches[frameKey(sender.tab.id, sender.frameId)];
    if (!watch || !watch.fields.includes(index) || watch.asked[index] === number) return null;
    // The frame may show another document now: only the one that was asked about is watched.
    if (otherDocument(watch.target, senderDocument(sender))) return null;
    watch.asked[index] = number;
    await chrome.storage.session.set({ loyaltyWatches: watches });
    return {
      kind: "keep",
      result: {
        keep_id: watch.keepId, frame_origin: watch.frameOrigin, site: watch.site, program: watch.program,
        index, number, label: watch.labels[index] || "",
      },
    };
  });
}

function senderDocument(sender) {
  return targetOf(sender, pageForRequest(null, sender));
}

/** Forget the watch and the holds of one frame: the document they were set on is gone. */
export function forgetFrame(tabId, frameId) {
  return forget((tab, frame) => tab === tabId && frame === frameId);
}

/** Forget the watches and holds of a tab that is gone. */
export function forgetTab(tabId) {
  return forget((tab) => tab === tabId);
}

function forget(gone) {
  return serialized(async () => {
    const [watches, holds] = await Promise.all([loadWatches(), loadHolds()]);
    for (const key of Object.keys(watches)) if (gone(...key.split(":").map(Number))) delete watches[key];
    for (const [id, { target }] of Object.entries(holds)) if (gone(target.tabId, target.frameId)) delete holds[id];
    await chrome.storage.session.set({ loyaltyWatches: watches, boxHolds: holds });
  });
}
