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
//
// The badge for all tabs says what state Proffer is in (showState: the vault locked, the companion not
// reachable, or nothing to say). A tab's own text, colour and title win over it on that tab, each on its own, in
// both browsers, until the tab's top document is replaced; Chromium lets the worker take back a tab's own text
// (text null) but not its own colour or title. So a warning said for all tabs would be hidden, for as long as the
// page stays, on every tab that once had a notice. To keep it from that, the worker remembers which tabs it gave
// a badge of their own (in storage.session), and a warning is painted on each of them as on all tabs, taking the
// place of the notice there and of one kept for a next page (the warning is the newer); from then on, that tab's
// own badge follows the state for all tabs, whatever it is, until a notice is said there again. "Nothing to say"
// leaves the notices as they are: it is said as every form is asked about, and a notice about one page must not
// be cleared by a form on another.

import { serialQueue } from "./serial.js";

// Long enough for the page a submission loads to arrive (a slow shop, a payment step), short enough that a
// notice kept for it is gone before the person is somewhere else.
export const NOTICE_MS = 2 * 60 * 1000;

const serialized = serialQueue();

/** What a tab's badge says: a short text, its colour, and the title that says it in words. */
export function notice(text, title, color) {
  return { text, title: `Proffer: ${title}`, color };
}

// tab id -> {text, title, color, at}: the notice to show again on that tab's next page, and when it was said.
async function loadKept() {
  const { tabNotices = {} } = await chrome.storage.session.get("tabNotices");
  return tabNotices;
}

function saveKept(tabNotices) {
  return chrome.storage.session.set({ tabNotices });
}

// tab id -> what the worker last painted as that tab's own badge: "notice" (about its page) or "state" (a copy
// of the state for all tabs). Kept until the tab closes: the worker cannot tell for sure when the browser has
// cleared a tab's own badge, and painting the state on a tab that has none changes nothing that shows.
async function loadOwn() {
  const { ownBadges = {} } = await chrome.storage.session.get("ownBadges");
  return ownBadges;
}

async function paint(tabId, { text, title, color }) {
  await chrome.action.setBadgeText({ text, tabId });
  await chrome.action.setBadgeBackgroundColor({ color, tabId });
  await chrome.action.setTitle({ title, tabId });
}

// Paint a notice on the tab, and remember that the tab has a badge of its own.
async function paintNotice(tabId, notice) {
  const own = await loadOwn();
  if (own[tabId] !== "notice") {
    own[tabId] = "notice";
    await chrome.storage.session.set({ ownBadges: own });
  }
  await paint(tabId, notice);
}

/**
 * Say `state` ({text, title, color}) for all tabs: what state Proffer is in, `text` "" when there is nothing to
 * say. A warning (any other text) is painted on every tab that has a badge of its own too, notices included,
 * and the notices kept for a next page are forgotten; "nothing to say" is painted on the tabs whose own badge
 * is a copy of an earlier state, and leaves notices as they are.
 */
export function showState(state) {
  return serialized(async () => {
    await chrome.action.setBadgeText({ text: state.text });
    await chrome.action.setBadgeBackgroundColor({ color: state.color });
    await chrome.action.setTitle({ title: state.title });
    const warning = state.text !== "";
    const own = await loadOwn();
    let changed = false; // "nothing to say" comes with every form asked about: most calls change nothing here
    for (const [tabId, shows] of Object.entries(own)) {
      if (shows === "notice" && !warning) continue;
      changed = changed || shows !== "state";
      own[tabId] = "state";
      try {
        await paint(Number(tabId), state);
      } catch {
        delete own[tabId]; // the tab is gone
        changed = true;
      }
    }
    if (changed) await chrome.storage.session.set({ ownBadges: own });
    if (warning && Object.keys(await loadKept()).length) await saveKept({});
  });
}

/** Say `notice` ({text, title, color}) on the tab's button, for the page it shows now. */
export function showOnTab(tabId, notice) {
  return serialized(async () => {
    const kept = await loadKept();
    if (tabId in kept) {
      delete kept[tabId]; // this notice is newer: the one kept for the next page would hide it
      await saveKept(kept);
    }
    await paintNotice(tabId, notice);
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
    await paintNotice(target.tabId, notice);
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
    if (fresh) await paintNotice(tabId, notice);
  });
}

/** Forget the notice kept for a tab that is gone, and that it had a badge of its own. */
export function forgetTabNotice(tabId) {
  return serialized(async () => {
    const [kept, own] = await Promise.all([loadKept(), loadOwn()]);
    if (tabId in kept) {
      delete kept[tabId];
      await saveKept(kept);
    }
    if (tabId in own) {
      delete own[tabId];
      await chrome.storage.session.set({ ownBadges: own });
    }
  });
}
