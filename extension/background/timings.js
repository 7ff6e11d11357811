// A small in-memory record of how long each fill took, for benchmarks/fill.py and for anyone profiling:
// when the service worker got form.seen, when standing-decision values were in the page, when the approval
// window was opened. Times are high-resolution epoch milliseconds, comparable with extension pages' clocks.
// Nothing here leaves the worker; it holds no values, and only the last few fills.

const KEEP = 50;
const records = [];
let sequence = 0;

export function now() {
  return performance.timeOrigin + performance.now();
}

export function startFill(tabId, frameId) {
  sequence += 1;
  const record = { seq: sequence, tabId, frameId, seenAt: now() };
  records.push(record);
  if (records.length > KEEP) records.shift();
  return record;
}

export function recentFills() {
  return records.map((r) => ({ ...r }));
}

globalThis.profferTimings = recentFills;
