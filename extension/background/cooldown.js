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

/** The person shared something, or clicked "Ask now" in the popup: the cooldown and the streak end. */
export function endCooldown(tabId, topOrigin) {
  return serialized(async () => {
    const cooldowns = await loadCooldowns();
    delete cooldowns[keyOf(tabId, topOrigin)];
    await chrome.storage.session.set({ cooldowns });
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

/** Forget the cooldowns of a tab that is gone. */
export function forgetTabCooldowns(tabId) {
  return serialized(async () => {
    const cooldowns = await loadCooldowns();
    for (const key of Object.keys(cooldowns)) if (key.startsWith(`${tabId} `)) delete cooldowns[key];
    await chrome.storage.session.set({ cooldowns });
  });
}
