// extension/background/cooldown.js: after each decline in a row, a page waits longer for its next window.
import assert from "node:assert/strict";
import { test } from "node:test";

import { afterDecline, COOLDOWN_MS, MAX_COOLDOWN_MS, STREAK_MS } from "../../../extension/background/cooldown.js";

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
