// extension/background/page-info.js: which pages the approval window warns about. The cases are the ones the
// companion's rule is tested against (tests/companion/test_sites.py), so the window's warning and the
// companion's auto-fill follow one rule.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { approvalFlags, trustworthy } from "../../../extension/background/page-info.js";

const { cases } = JSON.parse(readFileSync(new URL("../../fixtures/trustworthy-origins.json", import.meta.url), "utf8"));

test("trustworthy follows the table the companion is tested against", () => {
  const wrong = cases.filter((c) => trustworthy(c.origin) !== c.trustworthy).map((c) => `${c.origin} (${c.why})`);
  assert.deepEqual(wrong, []);
});

// A page the URL parser reads as http: (something that is no URL has no scheme to warn about).
const plainHttp = (origin) => URL.canParse(origin) && new URL(origin).protocol === "http:";

test("the approval window warns about exactly the plain-http pages that are not trustworthy", () => {
  for (const { origin, trustworthy: expected } of cases) {
    const flags = approvalFlags({ top_origin: origin, frame_origin: origin });
    assert.equal(flags.insecure, plainHttp(origin) && !expected, origin);
  }
  // Both kinds are in the table: some plain-http pages are warned about, some loopback ones are not.
  assert.ok(cases.some((c) => plainHttp(c.origin) && c.trustworthy));
  assert.ok(cases.some((c) => plainHttp(c.origin) && !c.trustworthy));
});
