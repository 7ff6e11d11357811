// extension/approval/reasons.js: the approval window says why a field will not be filled in the person's
// words, keeping the safety rule's own reason beside them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { skippedInWords } from "../../../extension/approval/reasons.js";

test("each safety rule's reason is put in words, the rule's own kept in brackets", () => {
  const cases = [
    ["invisible: covered", "something on the page is drawn over it; close it, and Proffer asks again (invisible: covered)"],
    ["invisible: display:none (ancestor)", "hidden on the page (invisible: display:none (ancestor))"],
    ["fishing: hidden second email (off-screen)",
      "a hidden copy of a field you can see: the page may be fishing for it (fishing: hidden second email (off-screen))"],
    ["decoy", "a trap the page set for bots or for the browser's own autofill, not a field for you (decoy)"],
    ["password", "a password: Proffer never fills secrets (password)"],
    ["payment card", "a payment card field: Proffer does not handle cards (payment card)"],
    ["cross-origin frame", "inside a frame from another site, which you have not approved (cross-origin frame)"],
  ];
  for (const [reason, words] of cases) assert.equal(skippedInWords(reason), words, reason);
});

test("words already meant for the person are shown as they are; no reason is still said", () => {
  assert.equal(skippedInWords("nothing in the vault for this field"), "nothing in the vault for this field");
  assert.equal(skippedInWords("you chose never to share this with this site"), "you chose never to share this with this site");
  assert.equal(skippedInWords(null), "not fillable");
  assert.equal(skippedInWords(""), "not fillable");
});
