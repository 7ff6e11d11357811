// The service worker's one connection to the native host, and request/answer matching over it.
//
// The port stays open while the service worker lives, so the host (and its keep-alive connection to the
// companion) stays warm: a round trip is about a millisecond, a cold start about fifty. Every answer is
// validated against the generated schema before anyone trusts it.

import { ANSWER_SCHEMA, MESSAGE_TYPES, PROTOCOL_VERSION } from "../shared/protocol.js";
import { validate } from "../shared/schema.js";

export const NATIVE_HOST = "org.proffer.companion";
const TIMEOUT_MS = 20000;

/** An answer with ok=false, or a failure to get one; `code` is from the protocol's error table. */
export class CompanionError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

let port = null;
const waiting = new Map(); // message id -> {resolve, reject, timer, type}

function failAll(code, message) {
  for (const [id, pending] of waiting) {
    clearTimeout(pending.timer);
    pending.reject(new CompanionError(code, message));
    waiting.delete(id);
  }
}

function connect() {
  const p = chrome.runtime.connectNative(NATIVE_HOST);
  p.onMessage.addListener((answer) => {
    const problems = validate(ANSWER_SCHEMA, answer);
    const pending = answer && typeof answer.id === "string" ? waiting.get(answer.id) : undefined;
    if (!pending) {
      if (answer && answer.ok === false && answer.id === null) {
        failAll(answer.error.code, answer.error.message); // the host refused the frame itself
      }
      return;
    }
    waiting.delete(answer.id);
    clearTimeout(pending.timer);
    if (problems.length) {
      pending.reject(new CompanionError("bad_frame", `malformed answer: ${problems.join("; ")}`));
    } else if (!answer.ok) {
      pending.reject(new CompanionError(answer.error.code, answer.error.message));
    } else {
      const resultProblems = validate(MESSAGE_TYPES[pending.type].result, answer.result);
      if (resultProblems.length) {
        pending.reject(new CompanionError("bad_frame", `malformed result: ${resultProblems.join("; ")}`));
      } else {
        pending.resolve(answer.result);
      }
    }
  });
  p.onDisconnect.addListener((disconnected) => {
    // Chromium reports why in runtime.lastError; Firefox in port.error.
    const why = (chrome.runtime.lastError && chrome.runtime.lastError.message) ||
      (disconnected.error && disconnected.error.message) || "the native host disconnected";
    if (port === p) port = null;
    failAll("companion_unavailable", `Proffer's companion is not reachable: ${why}`);
  });
  return p;
}

/** Send one message to the companion; resolves with its result or rejects with a CompanionError. */
export function request(type, payload = {}) {
  const spec = MESSAGE_TYPES[type];
  if (!spec) return Promise.reject(new CompanionError("unknown_type", `unknown message type ${type}`));
  const problems = validate(spec.payload, payload);
  if (problems.length) {
    return Promise.reject(new CompanionError("bad_request", problems.join("; ")));
  }
  const id = crypto.randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new CompanionError("companion_unavailable", "Proffer's companion did not answer in time"));
    }, TIMEOUT_MS);
    waiting.set(id, { resolve, reject, timer, type });
    try {
      if (!port) port = connect();
      port.postMessage({ v: PROTOCOL_VERSION, id, type, payload });
    } catch (error) {
      waiting.delete(id);
      clearTimeout(timer);
      port = null;
      reject(new CompanionError("companion_unavailable", `Proffer's companion is not reachable: ${error.message}`));
    }
  });
}
