// extension/background/cooldown.js: after each decline in a row, a page waits longer for its next window.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { afterDecline, ALARM_MIN_MS, COOLDOWN_MS, MAX_COOLDOWN_MS, STREAK_MS } from "../../../extension/background/cooldown.js";

const MANIFEST = new URL("../../../extension/manifest.json", import.meta.url);

test("the first decline holds the next window back for the base cooldown", () => {
  assert.deepEqual(afterDecline(undefined, 1000), { streak: 1, at: 1000, until: 1000 + COOLDOWN_MS });
});

test("each decline in a row doubles the cooldown, up to the cap: a page cannot open window after window", () => {
  let entry;
  let now = 0;
  const waits = [];
  for (let i = 0; i < 8; i += 1) {
    entry = afterDecline(entry, now);
    waits.push(entry.until - now);
    now = entry.until + 50; // the page asks again as soon as it may, and is declined again
  }
  assert.deepEqual(waits.slice(0, 4), [COOLDOWN_MS, 2 * COOLDOWN_MS, 4 * COOLDOWN_MS, 8 * COOLDOWN_MS]);
  assert.equal(waits.at(-1), MAX_COOLDOWN_MS);
  assert.ok(waits.every((w, i) => i === 0 || w >= waits[i - 1]));
});

test("a decline long after the last one starts a new streak", () => {
  const old = afterDecline(afterDecline(undefined, 0), 10);
  assert.equal(old.streak, 2);
  assert.equal(afterDecline(old, 10 + STREAK_MS).streak, 1);
});

// How soon Chrome fires a packed MV3 extension's alarm at the earliest: 30 s from Chrome 120, a minute before
// (developer.chrome.com/docs/extensions/reference/api/alarms). Regression: the manifest admitted Chrome 116,
// where the alarm that wakes a stopped worker at the end of a cooldown came up to half a minute late.
function chromeAlarmMinimumMs(version) {
  return version >= 120 ? 30000 : 60000;
}

test("every Chrome the manifest admits fires the cooldown's alarm as soon as the worker asks for it", () => {
  const manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
  const oldest = Number.parseInt(manifest.minimum_chrome_version, 10);
  assert.ok(Number.isInteger(oldest), "the manifest names the oldest Chrome it runs on");
  assert.ok(chromeAlarmMinimumMs(oldest) <= ALARM_MIN_MS, `Chrome ${oldest} fires alarms no sooner than a minute`);
});
