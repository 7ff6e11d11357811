// After a fill, the companion hears what the page did with the values it released (`fill.report`).
//
// The companion records a release when it answers, before the values reach the page; the content script
// may still refuse some (the control changed, hid, or became a password box; the document is of another
// origin) or the document may be gone. Without this report the ledger would say the shop got values it
// never did. The report names only indexes of that release, and reasons from the companion's closed set:
// a reason the worker does not know goes as "other". The consent boxes the companion set by the person's
// standing preferences are reported on the same way, as the request's "boxes" (prompts.js): a box the page
// did not let go of is recorded as a change that did not happen. The boxes it let go are held until their form
// is sent (content/hold.js), and reported on once more then if the page had undone any (`submitReport`).

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
  const take = once(released);
  if (!report) {
    return {
      request_id: requestId,
      frame_origin: frameOrigin,
      release,
      filled: [],
      refused: [...released].map((index) => ({ index, reason: GONE })),
    };
  }
  const filled = listed(report.filled).filter(take);
  return { request_id: requestId, frame_origin: frameOrigin, release, filled, refused: refusals(report.refused, take) };
}

/**
 * The report on a request's boxes as their form was sent: `boxes` are the indexes the first report said were
 * set (the only ones the companion takes), `found` the content script's BOXES_SUBMITTED ({restored, refused}).
 */
export function submitReport({ requestId, frameOrigin, boxes, found }) {
  const take = once(new Set(boxes));
  const restored = listed(found && found.restored).filter(take);
  const refused = refusals(found && found.refused, take);
  return { request_id: requestId, frame_origin: frameOrigin, release: "boxes", stage: "submit", restored, refused };
}

// A filter that lets each index of `allowed` through once: what is not the release's, or said already, is not.
function once(allowed) {
  const named = new Set();
  return (index) => {
    if (!allowed.has(index) || named.has(index)) return false;
    named.add(index);
    return true;
  };
}

function listed(value) {
  return Array.isArray(value) ? value : [];
}

function refusals(list, take) {
  return listed(list)
    .filter((r) => r && take(r.index))
    .map((r) => ({ index: r.index, reason: REASONS.has(r.reason) ? r.reason : OTHER }));
}

/**
 * Send the report with `send` (native-client's `request`). A failure is logged, never thrown: the values
 * are in the page (or not) either way, and the ledger keeps the release as it was recorded. Resolves to the
 * companion's answer, or null when nothing was sent or it was not taken.
 */
export async function reportFill(send, details) {
  if (!details.values.length) return null;
  return sendReport(send, fillReport(details));
}

/** Send the report at the form's submission, if it names any box; as reportFill, it never throws. */
export async function reportAtSubmit(send, details) {
  const payload = submitReport(details);
  if (!payload.restored.length && !payload.refused.length) return null;
  return sendReport(send, payload);
}

async function sendReport(send, payload) {
  try {
    return await send("fill.report", payload);
  } catch (error) {
    console.warn("Proffer: the fill report did not reach the companion", error);
    return null;
  }
}
