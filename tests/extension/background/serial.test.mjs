// extension/background/serial.js: read-modify-write steps on shared state run one at a time.
import { test } from "node:test";
import assert from "node:assert/strict";

import { serialQueue } from "../../../extension/background/serial.js";

test("steps run one after another, so none reads the state another is about to write", async () => {
  const serialized = serialQueue();
  let state = 0;
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  const increment = () => serialized(async () => {
    const seen = state;
    await tick(); // the storage round trip during which another message could be handled
    state = seen + 1;
  });
  await Promise.all([increment(), increment(), increment()]);
  assert.equal(state, 3);
});

test("a failing step rejects its own caller and does not stop the queue", async () => {
  const serialized = serialQueue();
  const failed = serialized(async () => { throw new Error("storage quota"); });
  const after = serialized(async () => "ran");
  await assert.rejects(failed, /storage quota/);
  assert.equal(await after, "ran");
});
