// extension/approval/purposes.js: the approval window says what the page is for, and, on a field's row, what
// that field's own form is for when it is something else (its ledger entry and decisions are for that).
import assert from "node:assert/strict";
import { test } from "node:test";

import { fieldPurposeNote, purposeInWords } from "../../../extension/approval/purposes.js";

test("each purpose is put in words; an unknown one is just a form", () => {
  assert.equal(purposeInWords("checkout"), "checkout and delivery");
  assert.equal(purposeInWords("newsletter"), "a newsletter");
  assert.equal(purposeInWords("invented"), "a form");
  assert.equal(purposeInWords("toString"), "a form"); // not the table's own properties
  assert.equal(purposeInWords(undefined), "a form");
});

test("a field of a form for something else than the page says so; one of the page's own form says nothing", () => {
  assert.equal(fieldPurposeNote({ purpose: "newsletter" }, "checkout"), "for a newsletter");
  assert.equal(fieldPurposeNote({ purpose: "checkout" }, "checkout"), "");
  assert.equal(fieldPurposeNote({}, "checkout"), ""); // an older companion sends no purpose per field
  assert.equal(fieldPurposeNote({ purpose: null }, "login"), "");
});
