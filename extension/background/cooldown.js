// Repeat approval windows, held back. A page decides when a window opens: after each decline it could show
// a control with a new name (new, so not settled) and have a new, focused window open at once, for ever.
// So after the person declines or closes a window, forms from that tab and top-level origin wait for a
// cooldown that doubles with each decline in a row (4 s, 8 s, … at most a minute), as browsers embargo a
// permission prompt the person keeps dismissing.
//
// Why wait rather than drop, or wait for the person to ask from the popup: the settled fields already keep
// what the person decided from being asked again, so what a held-back form asks about is new (the next step
// of a checkout, a second frame's form). A person who declined one question still expects the next one —
// only not in a window that jumps up the moment they closed the last. Held-back forms wait in the tab's
// queue (the newest per frame) and are asked about when the cooldown ends.
//
// The person sees that one waits, though, and need not wait with it: the toolbar popup says that a form of
// its tab is held back and for how long, and its "Ask now" ends the cooldown of that tab and top origin and
// asks at once. Only Proffer's own pages may send that (the worker's trusted handlers), so the page cannot,
// and no page can open the popup: it is the person's click.
//
// The key is the top-level origin, not the registrable site: the worker has no Public Suffix List (that is
// the companion's), and the top page decides what its frames show, so its origin is what is throttled.
// Sharing anything ends the streak; so does "Ask now", ten minutes without a decline, or the tab closing.
//
// The end of a cooldown wakes the worker to ask about what waited (wakeAfter): a timer for the short
// cooldowns, an alarm in case the browser stopped the worker meanwhile. A cooldown that ends early (the
// person shared, clicked "Ask now", or closed the tab) takes both with it: they would only ask about what is
// ready, but a wake-up for a cooldown that is over is noise, and a stale alarm would outlive the tab.

import { serialQueue } from "./serial.js";

export const COOLDOWN_MS = 4000;
export const MAX_COOLDOWN_MS = 60000;
export const STREAK_MS = 10 * 60 * 1000;

/** The cooldown entry after one more decline, given the previous one (or none). */
export function afterDecline(previous, now) {
  const streak = previous && now - previous.at < STREAK_MS ? previous.streak + 1 : 1;
  return { streak, at: now, until: now + Math.min(COOLDOWN_MS * 2 ** (streak - 1), MAX_COOLDOWN_MS) };
}

function keyOf(tabId, topOrigin) {
  return `${tabId} ${topOrigin}`;
}

const serialized = serialQueue();

async function loadCooldowns() {
  const { cooldowns = {} } = await chrome.storage.session.get("cooldowns");
  return cooldowns;
}

/** The person declined (or closed) a window for this tab and top origin. Returns the cooldown in ms. */
export function noteDeclined(tabId, topOrigin) {
  return serialized(async () => {
    const cooldowns = await loadCooldowns();
    const now = Date.now();
    const entry = afterDecline(cooldowns[keyOf(tabId, topOrigin)], now);
    cooldowns[keyOf(tabId, topOrigin)] = entry;
    await chrome.storage.session.set({ cooldowns });
    return entry.until - now;
  });
}

/** The person shared something, or clicked "Ask now" in the popup: the cooldown and the streak end, and
 * so does the wake-up set for the cooldown's end. */
export function endCooldown(tabId, topOrigin) {
  return serialized(async () => {
    const cooldowns = await loadCooldowns();
    delete cooldowns[keyOf(tabId, topOrigin)];
    await chrome.storage.session.set({ cooldowns });
    await stopWaking([keyOf(tabId, topOrigin)]);
  });
}

/** A test for "is a window for this tab and top origin held back now?", read once. */
export async function heldBack() {
  const cooldowns = await loadCooldowns();
  const now = Date.now();
  return (tabId, topOrigin) => {
    const entry = cooldowns[keyOf(tabId, topOrigin)];
    return Boolean(entry) && now < entry.until;
  };
}

/** When the cooldown of this tab and top origin ends (epoch ms), or 0 if it is not cooling now. */
export async function coolingUntil(tabId, topOrigin) {
  const entry = (await loadCooldowns())[keyOf(tabId, topOrigin)];
  return entry && Date.now() < entry.until ? entry.until : 0;
}

/** Forget the cooldowns of a tab that is gone, and their wake-ups. */
export function forgetTabCooldowns(tabId) {
  return serialized(async () => {
    const cooldowns = await loadCooldowns();
    const gone = Object.keys(cooldowns).filter((key) => key.startsWith(`${tabId} `));
    for (const key of gone) delete cooldowns[key];
    await chrome.storage.session.set({ cooldowns });
    await stopWaking(gone);
  });
}

// --- the end of a cooldown ------------------------------------------------------------------------------
//
// What a tab showed during a cooldown waits in the queue until the cooldown ends. A timer alone would lose
// it: the browser stops an idle worker (Chromium after 30 s without an event) and its timers with it, and
// the queued form would wait for some unrelated event. An alarm wakes the worker (the worker's onAlarm,
// registered at top level), but Chromium fires a packed MV3 extension's alarm no sooner than 30 s after it is
// set (an unpacked one's after 1 s: extensions/browser/api/alarms/alarms_api_constants.h), and most
// cooldowns are shorter (4 s, 8 s, …). So a timer asks at the end of a short cooldown, while the worker
// that just handled the decline is almost certainly still running, and the alarm is the durable backstop,
// on time for the longer ones. Firefox has the same API (the "alarms" permission; onAlarm wakes its
// background script), and MDN names no minimum for it.
//
// Before Chrome 120 that minimum was a minute, and an alarm set sooner fired after a minute
// (developer.chrome.com/docs/extensions/reference/api/alarms): a worker stopped during a 32 s cooldown
// would have asked half a minute late. Hence the manifest's minimum_chrome_version, 120.

const WAKE_ALARM = "cooldown-over";
export const ALARM_MIN_MS = 30000;
const timers = new Map(); // tab and top origin -> the timer of this life of the worker

function alarmName(key) {
  return `${WAKE_ALARM} ${key}`;
}

/** Is this one of the alarms wakeAfter sets? */
export function isWakeAlarm(alarm) {
  return alarm.name.startsWith(`${WAKE_ALARM} `);
}

/** Call `wake` in `ms`, and have an alarm wake the worker then too, for this tab and top origin. */
export async function wakeAfter(ms, tabId, topOrigin, wake) {
  const key = keyOf(tabId, topOrigin);
  clearTimeout(timers.get(key)); // a later decline there replaces the wake-up with a later one
  timers.set(key, setTimeout(() => {
    timers.delete(key);
    wake();
  }, ms));
  try {
    await chrome.alarms.create(alarmName(key), { when: Date.now() + Math.max(ms, ALARM_MIN_MS) });
  } catch (error) {
    console.warn("Proffer: no alarm for the end of a cooldown", error); // the timer may still do
  }
}

async function stopWaking(keys) {
  for (const key of keys) {
    clearTimeout(timers.get(key));
    timers.delete(key);
    try {
      await chrome.alarms.clear(alarmName(key));
    } catch (error) {
      console.warn("Proffer: the alarm for the end of a cooldown stays", error); // it only asks what is ready
    }
  }
}
