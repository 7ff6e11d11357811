// The extension validates with the schemas generated from the Python models: what the companion would
// refuse, the extension refuses before sending.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ANSWER_SCHEMA, ERROR_CODES, MESSAGE_TYPES, REQUEST_SCHEMA } from "../../extension/shared/protocol.js";
import { validate } from "../../extension/shared/schema.js";

const page = { url: "https://shop.example/checkout", top_origin: "https://shop.example", frame_origin: "https://shop.example" };
const fillRequest = MESSAGE_TYPES["fill.request"].payload;

test("a well-formed fill request passes", () => {
  const payload = { page, forms: [], fields: [{ index: 0, tag: "input", type: "email", label: "Email" }] };
  assert.deepEqual(validate(fillRequest, payload), []);
});

test("unknown keys are refused, like the companion's strict models", () => {
  const payload = { page, fields: [{ index: 0, tag: "input", value: "typed by the person" }] };
  assert.match(validate(fillRequest, payload).join(), /\$\.fields\[0\]\.value: not allowed/);
});

test("wrong types, missing keys, bad enums and over-long strings are refused", () => {
  assert.match(validate(fillRequest, { page, fields: [{ index: "0", tag: "input" }] }).join(), /index/);
  assert.match(validate(fillRequest, { fields: [] }).join(), /\$\.page: missing/);
  assert.match(validate(fillRequest, { page, fields: [{ index: 0, tag: "iframe" }] }).join(), /tag/);
  assert.match(validate(fillRequest, { page, fields: [{ index: 0, tag: "input", label: "x".repeat(2001) }] }).join(), /too long/);
});

test("nullable fields accept null and their type, nothing else", () => {
  const field = (maxlength) => ({ page, fields: [{ index: 0, tag: "input", maxlength }] });
  assert.deepEqual(validate(fillRequest, field(null)), []);
  assert.deepEqual(validate(fillRequest, field(20)), []);
  assert.notDeepEqual(validate(fillRequest, field("20")), []);
});

test("envelopes: requests and both kinds of answers", () => {
  assert.deepEqual(validate(REQUEST_SCHEMA, { v: 1, id: "abc-1", type: "system.ping", payload: {} }), []);
  assert.notDeepEqual(validate(REQUEST_SCHEMA, { v: 1, id: "has space", type: "system.ping" }), []);
  assert.deepEqual(validate(ANSWER_SCHEMA, { v: 1, id: "abc-1", ok: true, result: { state: "locked" } }), []);
  const error = { v: 1, id: null, ok: false, error: { code: "too_large", message: "The message exceeds the 1 MiB cap." } };
  assert.deepEqual(validate(ANSWER_SCHEMA, error), []);
  assert.notDeepEqual(validate(ANSWER_SCHEMA, { ...error, error: { code: "made_up", message: "x" } }), []);
});

test("the error table and message table are exported", () => {
  assert.ok(ERROR_CODES.vault_locked);
  assert.deepEqual(Object.keys(MESSAGE_TYPES).sort(), [
    "fill.approve", "fill.decline", "fill.report", "fill.request", "site.autofill", "site.forget", "site.summary",
    "system.ping", "vault.lock", "vault.status", "vault.unlock", "wallet.keep",
  ]);
});
