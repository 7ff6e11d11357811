// A tab's own badge: what Proffer did, or could not do, on that tab's page, said on the toolbar button (text,
// colour, and a title that says it in words) for that tab only.
//
// The browser clears a tab's own badge when the tab's top document is replaced: Chromium as a navigation of
// the top frame to another document commits (ExtensionActionRunner::DidFinishNavigation), Firefox as the
// location changes (MDN, action.setBadgeText: "reset when the user navigates this tab to a new page"). That is
// right for a notice about the page it is on. Not for the one said as a form is sent (prompts.js: the page
// undid the person's choice, and Proffer set it again or could not): sending a form of the top document
// usually loads another page in the tab, and the worker says what happened only once the companion has
// answered, while that page is on its way. Whether the notice lands before the commit, and is cleared with the
// page being left, or after it, and stays, was a race, and the page being left mostly won it.
//
// So that notice is kept, and shown again on the tab's next page: when that page commits (tabs.onUpdated
// "loading", which Chromium sends at the commit, having cleared the badge by the time the worker hears it;
// Firefox sends one as the load starts too, before it clears the badge) and, at the latest, when it has
// loaded ("complete"). Then it is forgotten; so it is when a newer notice is said on the tab, when the tab
// closes, and NOTICE_MS after it was said, so that it never turns up on some later, unrelated page. A form
// sent without a navigation (a page that posts by itself), or a notice said only once the next page had
// loaded, leaves it kept for the tab's next page within that time, where it is shown once more. It is kept in
// storage.session, not in memory: the browser may stop the worker between the submission and the next page.
// The status of tabs.onUpdated comes without the "tabs" permission, in both browsers; nothing else is needed.

import { serialQueue } from "./serial.js";

// Long enough for the page a submission loads to arrive (a slow shop, a payment step), short enough that a
// notice kept for it is gone before the person is somewhere else.
export const NOTICE_MS = 2 * 60 * 1000;

const serialized = serialQueue();

// tab id -> {text, title, color, at}: the notice to show again on that tab's next page, and when it was said.
async function loadKept() {
  const { tabNotices = {} } = await chrome.storage.session.get("tabNotices");
  return tabNotices;
}

function saveKept(tabNotices) {
  return chrome.storage.session.set({ tabNotices });
}

async function paint(tabId, { text, title, color }) {
  await chrome.action.setBadgeText({ text, tabId });
  await chrome.action.setBadgeBackgroundColor({ color, tabId });
  await chrome.action.setTitle({ title, tabId });
}

/** Say `notice` ({text, title, color}) on the tab's button, for the page it shows now. */
export function showOnTab(tabId, notice) {
  return serialized(async () => {
    const kept = await loadKept();
    if (tabId in kept) {
      delete kept[tabId]; // this notice is newer: the one kept for the next page would hide it
      await saveKept(kept);
    }
    await paint(tabId, notice);
  });
}

/**
 * Say `notice` on the button of `target`'s tab ({tabId, frameId}: where a form was sent), and again on the
 * tab's next page when the form was the top document's. A frame's navigation leaves the tab's badge as it is.
 */
export function showAcrossNavigation(target, notice) {
  if (target.frameId !== 0) return showOnTab(target.tabId, notice);
  return serialized(async () => {
    const kept = await loadKept();
    kept[target.tabId] = { ...notice, at: Date.now() };
    await saveKept(kept);
    await paint(target.tabId, notice);
  });
}

/** tabs.onUpdated: show the notice kept for the tab on the page that committed or loaded; forget it once loaded. */
export function tabUpdated(tabId, { status }) {
  if (status !== "loading" && status !== "complete") return Promise.resolve();
  return serialized(async () => {
    const kept = await loadKept();
    const notice = kept[tabId];
    if (!notice) return;
    const fresh = Date.now() - notice.at < NOTICE_MS;
    if (!fresh || status === "complete") {
      delete kept[tabId];
      await saveKept(kept);
    }
    if (fresh) await paint(tabId, notice);
  });
}

/** Forget the notice kept for a tab that is gone. */
export function forgetTabNotice(tabId) {
  return serialized(async () => {
    const kept = await loadKept();
    if (!(tabId in kept)) return;
    delete kept[tabId];
    await saveKept(kept);
  });
}
