// After a fill, the companion hears what the page did with the values it released (`fill.report`).
//
// The companion records a release when it answers, before the values reach the page; the content script
// may still refuse some (the control changed, hid, or became a password box; the document is of another
// origin) or the document may be gone. Without this report the ledger would say the shop got values it
// never did. The report names only indexes of that release, and reasons from the companion's closed set:
// a reason the worker does not know goes as "other". The consent boxes the companion set by the person's
// standing preferences are reported on the same way, as the request's "boxes" (prompts.js): a box the page
// did not let go of is recorded as a change that did not happen.

import { MESSAGE_TYPES } from "../shared/protocol.js";

const REASONS = new Set(MESSAGE_TYPES["fill.report"].payload.$defs.RefusedField.properties.reason.enum);
const GONE = "document_gone"; // no document answered: nothing was written
const OTHER = "other";

/**
 * The `fill.report` payload for one release: `values` are what it released ([{index, value}], or the boxes
 * it set, [{index, checked}]), `report` the content script's answer to FILL_APPLY ({filled, refused}), or
 * null when no document answered.
 */
export function fillReport({ requestId, frameOrigin, release, values, report }) {
  const released = new Set(values.map((v) => v.index));
  const named = new Set();
  const take = (index) => {
    if (!released.has(index) || named.has(index)) return false; // not this release's, or said already
    named.add(index);
    return true;
  };
  if (!report) {
    return {
      request_id: requestId,
      frame_origin: frameOrigin,
      release,
      filled: [],
      refused: [...released].map((index) => ({ index, reason: GONE })),
    };
  }
  const filled = (Array.isArray(report.filled) ? report.filled : []).filter(take);
  const refused = (Array.isArray(report.refused) ? report.refused : [])
    .filter((r) => r && take(r.index))
    .map((r) => ({ index: r.index, reason: REASONS.has(r.reason) ? r.reason : OTHER }));
  return { request_id: requestId, frame_origin: frameOrigin, release, filled, refused };
}

/**
 * Send the report with `send` (native-client's `request`). A failure is logged, never thrown: the values
 * are in the page (or not) either way, and the ledger keeps the release as it was recorded.
 */
export async function reportFill(send, details) {
  if (!details.values.length) return null;
  try {
    return await send("fill.report", fillReport(details));
  } catch (error) {
    console.warn("Proffer: the fill report did not reach the companion", error);
    return null;
  }
}
