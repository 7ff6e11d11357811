// extension/background/tab-badge.js: a notice said as a form was sent is still on the tab after the navigation
// that sending it makes, which clears a tab's own badge; on that one page, and for a short time only. The
// worker's listeners run in a fake browser (fake-browser.mjs) whose navigations clear the badge as Chromium's do.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";

import { NOTICE_MS, showAcrossNavigation, showOnTab, showState } from "../../../extension/background/tab-badge.js";
import { fakeBrowser } from "./fake-browser.mjs";

const AS_SENT = {
  text: "✓",
  title: "Proffer: shop.example undid Proffer's change to \"Email me offers\": Proffer set it again as the form was sent",
  color: "#5b3f9e",
};
const ON_PAGE = { text: "✓", title: "Proffer: on shop.example, by your standing preferences: unticked \"Email me offers\"", color: "#5b3f9e" };
const TOP = { tabId: 7, frameId: 0 };
const LOCKED = { text: "🔒", title: "Proffer: the vault is locked", color: "#5b6677" };
const ALL_WELL = { text: "", title: "Proffer", color: "#a4262c" };

let browser;
beforeEach(async () => {
  browser = fakeBrowser();
  await browser.startWorker();
});
afterEach(() => browser.restore());

const kept = () => Object.keys(browser.session.tabNotices || {}).map(Number);

// The form was sent, and sending it loads the next page in the tab: it commits, then it loads.
async function nextPage(tabId) {
  await browser.navigate(tabId);
  await browser.loaded(tabId);
}

test("a notice said as the form was sent is on the tab's next page, from its commit to its load", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  assert.deepEqual(browser.badgeOf(7), AS_SENT);
  await browser.navigate(7);
  assert.deepEqual(browser.badgeOf(7), AS_SENT, "shown again once the browser cleared it");
  await browser.loaded(7);
  assert.deepEqual(browser.badgeOf(7), AS_SENT);
});

test("it is shown on that one page: the page after it shows nothing", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  await nextPage(7);
  assert.deepEqual(kept(), [], "forgotten once shown on the loaded page");
  await nextPage(7);
  assert.deepEqual(browser.badgeOf(7), {});
});

test("the browser may stop the worker before the next page commits", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  browser.stopWorker();
  await nextPage(7); // the tab's update wakes the worker
  assert.deepEqual(browser.badgeOf(7), AS_SENT);
});

test("said after the next page committed, it is on that page and forgotten once it has loaded", async () => {
  await browser.navigate(7);
  await showAcrossNavigation(TOP, AS_SENT);
  await browser.loaded(7);
  assert.deepEqual(browser.badgeOf(7), AS_SENT);
  await nextPage(7);
  assert.deepEqual(browser.badgeOf(7), {});
});

test("after its time, a next page shows nothing: the person is elsewhere by then", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  await browser.advance(NOTICE_MS, { timers: false });
  await browser.navigate(7);
  assert.deepEqual(browser.badgeOf(7), {});
  assert.deepEqual(kept(), []);
});

test("other tabs' pages and a tab's other changes leave it be", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  await nextPage(8);
  await browser.tabUpdated(7, { title: "Thank you" });
  assert.deepEqual(kept(), [7]);
  await browser.navigate(7);
  assert.deepEqual(browser.badgeOf(7), AS_SENT);
});

test("a newer notice on the tab's page replaces it: the next page does not bring the old one back", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  await showOnTab(7, ON_PAGE);
  assert.deepEqual(browser.badgeOf(7), ON_PAGE);
  await nextPage(7);
  assert.deepEqual(browser.badgeOf(7), {});
});

test("a notice about the page it is on goes with that page", async () => {
  await showOnTab(7, ON_PAGE);
  await nextPage(7);
  assert.deepEqual(browser.badgeOf(7), {});
  assert.deepEqual(kept(), []);
});

test("a form sent from a frame: nothing is kept, as a frame's navigation leaves the tab's badge as it is", async () => {
  await showAcrossNavigation({ tabId: 7, frameId: 3 }, AS_SENT);
  assert.deepEqual(browser.badgeOf(7), AS_SENT);
  assert.deepEqual(kept(), []);
});

test("a notice kept for a tab is forgotten when the tab closes", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  await showAcrossNavigation({ tabId: 8, frameId: 0 }, AS_SENT);
  await browser.closeTab(7);
  assert.deepEqual(kept(), [8]);
});

// --- the badge for all tabs, and the tabs' own ---------------------------------------------------------
// A tab's own text, colour and title win over the badge for all tabs on that tab (fake-browser.mjs shownOn, as
// Chromium's getBadgeText({tabId}) and getTitle({tabId})).

test("a warning for all tabs is shown on a tab with a notice too, and on the tab's next page", async () => {
  await showOnTab(7, ON_PAGE);
  await showAcrossNavigation({ tabId: 8, frameId: 0 }, AS_SENT);
  await showState(LOCKED);
  assert.deepEqual(browser.shownOn(7), LOCKED);
  assert.deepEqual(browser.shownOn(8), LOCKED);
  assert.deepEqual(browser.shownOn(9), LOCKED, "a tab with no badge of its own");
  assert.deepEqual(kept(), [], "the notice kept for tab 8's next page is older than the warning");
  await nextPage(8);
  assert.deepEqual(browser.shownOn(8), LOCKED);
});

test("nothing to say leaves a tab's notice be", async () => {
  await showOnTab(7, ON_PAGE);
  await showAcrossNavigation({ tabId: 8, frameId: 0 }, AS_SENT);
  await showState(ALL_WELL);
  assert.deepEqual(browser.shownOn(7), ON_PAGE);
  assert.deepEqual(browser.shownOn(8), AS_SENT);
  assert.deepEqual(kept(), [8]);
});

test("a tab that showed a warning shows the state that follows it, until a notice is said there again", async () => {
  await showOnTab(7, ON_PAGE);
  await showState(LOCKED);
  await showState(ALL_WELL);
  assert.deepEqual(browser.shownOn(7), ALL_WELL, "not a stale lock");
  await showState(LOCKED);
  assert.deepEqual(browser.shownOn(7), LOCKED);
  await showOnTab(7, ON_PAGE);
  assert.deepEqual(browser.shownOn(7), ON_PAGE, "a notice newer than the warning");
  await showState(ALL_WELL);
  assert.deepEqual(browser.shownOn(7), ON_PAGE);
});

test("a notice shown again on the tab's next page is a notice like any other", async () => {
  await showAcrossNavigation(TOP, AS_SENT);
  await showState(ALL_WELL);
  await browser.navigate(7);
  assert.deepEqual(browser.shownOn(7), AS_SENT);
  await showState(LOCKED);
  assert.deepEqual(browser.shownOn(7), LOCKED);
});

test("a tab that closes is forgotten: no warning is painted on it", async () => {
  await showOnTab(7, ON_PAGE);
  await showOnTab(8, ON_PAGE);
  await browser.closeTab(7);
  assert.deepEqual(Object.keys(browser.session.ownBadges), ["8"]);
  await showState(LOCKED);
  assert.deepEqual(browser.badgeOf(7), {});
});
