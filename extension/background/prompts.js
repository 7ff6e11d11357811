// Marketing and loyalty prompts in the service worker: it executes what the companion decided.
//
// - Consent boxes the companion set by the person's standing preferences (a pre-ticked opt-in unticked, a
//   "do NOT send offers" twin ticked) go to the frame that asked, and the badge says what was done: it is
//   never silent. The approval window lists the same `handled` items; the ledger has an entry for each.
//   What the content script could not set (the box gone, disabled, another document, the page flipping it
//   back) goes back to the companion as the request's `fill.report` for "boxes", so the ledger says that
//   change did not happen; the badge says so too.
// - Loyalty-number fields the wallet has nothing for are watched by the content script. When the person
//   types a number there, Proffer's own window asks whether to keep it; only their yes sends `wallet.keep`.
//   The page never sees that window, and a number typed by the page's own scripts (an untrusted event) is
//   never offered, see content.js.
//
// What must outlive the worker (which frames are watched, and for which keep ticket) is in storage.session.

import "../shared/runtime-messages.js";
import { reportFill } from "./fill-report.js";
import { request } from "./native-client.js";
import { otherDocument, pageForRequest, sendToDocument, targetOf } from "./page-info.js";
import { serialQueue } from "./serial.js";

const M = globalThis.ProfferMessages;
const MAX_NUMBER = 64;

const serialized = serialQueue();

async function loadWatches() {
  const { loyaltyWatches = {} } = await chrome.storage.session.get("loyaltyWatches");
  return loyaltyWatches;
}

function frameKey(tabId, frameId) {
  return `${tabId}:${frameId}`;
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
    const report = await sendToDocument(target, { type: M.FILL_APPLY, values: entries });
    const { request_id: requestId, frame_origin: frameOrigin, boxes } = result;
    await reportFill(request, { requestId, frameOrigin, release: "boxes", values: boxes, report });
    if (!report) return 0; // the document that asked is gone: nothing was set
    if (report.wrongOrigin || (report.refused && report.refused.length)) {
      // The page would not let a box go (it re-ticked it, or hid it): the person should know.
      await badge(tabId, "!", `${result.site} would not let Proffer untick a marketing box: check the form`, "#a4262c");
      return 0;
    }
  }
  if (!handled.length) return 0;
  await badge(tabId, "✓", `on ${result.site}, by your standing preferences: ${describeHandled(handled)}`, "#5b3f9e");
  return handled.length;
}

async function badge(tabId, text, title, color) {
  await chrome.action.setBadgeText({ text, tabId });
  await chrome.action.setBadgeBackgroundColor({ color, tabId });
  await chrome.action.setTitle({ title: `Proffer: ${title}`, tabId });
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

/** Forget the watch of one frame: the document it was set on is gone. */
export function forgetFrame(tabId, frameId) {
  return serialized(async () => {
    const watches = await loadWatches();
    delete watches[frameKey(tabId, frameId)];
    await chrome.storage.session.set({ loyaltyWatches: watches });
  });
}

/** Forget the watches of a tab that is gone. */
export function forgetTab(tabId) {
  return serialized(async () => {
    const watches = await loadWatches();
    for (const key of Object.keys(watches)) if (key.startsWith(`${tabId}:`)) delete watches[key];
    await chrome.storage.session.set({ loyaltyWatches: watches });
  });
}
