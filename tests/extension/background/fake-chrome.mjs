// A fake of the few browser APIs the service worker uses, with a fake companion behind its native port and
// a fake content script behind tabs.sendMessage, so a test can drive the real service-worker.js in node.
// Any API it does not know answers with a no-op (events) or an async function resolving to undefined, so
// the worker may use more of the browser than these tests look at.

const ID = "proffertestextensionidabcdefghij";

function events() {
  return { addListener() {}, removeListener() {}, hasListener: () => false };
}

function namespace(known) {
  return new Proxy(known, {
    get: (target, name) => {
      if (name in target) return target[name];
      return String(name).startsWith("on") ? events() : async () => undefined;
    },
  });
}

function requestAnswer(requestId, origin, rest) {
  return { request_id: requestId, site: new URL(origin).hostname, origin, frame_origin: origin, purpose: "checkout", ...rest };
}

/** Answers the fake companion gives to fill.request: values filled at once, or offers for the window. */
export const answerFor = {
  autofilled: (requestId, origin, values) =>
    requestAnswer(requestId, origin, { fields: [], needs_approval: false, autofilled: values }),
  offer: (requestId, origin, offers) =>
    requestAnswer(requestId, origin, {
      fields: offers.map(({ index, value_id, value }) => ({
        index,
        type: "email",
        label: "Email",
        fillable: true,
        offers: [{ value_id, value, label: "personal" }],
      })),
      needs_approval: true,
      autofilled: [],
    }),
};

const DEFAULT_ANSWERS = {
  "fill.report": (payload) => ({ request_id: payload.request_id, recorded: payload.refused.length }),
  "fill.decline": (payload) => ({ request_id: payload.request_id, recorded: 0 }),
};

/** Install `globalThis.chrome`; returns the handles a test uses to drive and observe the worker. */
export function installChrome() {
  let onRuntimeMessage = null;
  let windows = 0;
  const session = {};
  const fake = {
    id: ID,
    badge: { text: "" },
    page: { apply: () => ({ filled: [], refused: [] }) }, // the content script's answer to fill.apply
    companion: { received: [], answers: {} }, // envelopes the companion got; its results by message type
  };

  function connectNative() {
    const listeners = [];
    return {
      onMessage: { addListener: (fn) => listeners.push(fn) },
      onDisconnect: events(),
      postMessage(envelope) {
        fake.companion.received.push(envelope);
        const answer = fake.companion.answers[envelope.type] ?? DEFAULT_ANSWERS[envelope.type];
        const result = typeof answer === "function" ? answer(envelope.payload) : answer;
        setTimeout(() => listeners.forEach((fn) => fn({ v: 1, id: envelope.id, ok: true, result })), 0);
      },
    };
  }

  globalThis.chrome = namespace({
    runtime: namespace({
      id: ID,
      lastError: undefined,
      getURL: (path) => `chrome-extension://${ID}/${path}`,
      onMessage: { addListener: (fn) => { onRuntimeMessage = fn; } },
      connectNative,
    }),
    storage: {
      session: {
        get: async (key) => (key in session ? { [key]: structuredClone(session[key]) } : {}),
        set: async (items) => { Object.assign(session, structuredClone(items)); },
      },
    },
    tabs: namespace({
      sendMessage: async (_tabId, message) => {
        if (message.type === "fill.apply") return fake.page.apply(message.values || []);
        if (message.type === "loyalty.watch") return { watching: [] };
        return undefined;
      },
    }),
    windows: namespace({ create: async () => ({ id: (windows += 1) }), remove: async () => {} }),
    action: namespace({ setBadgeText: async ({ text }) => { fake.badge.text = text; } }),
  });
  globalThis.chrome = new Proxy(globalThis.chrome, {
    get: (target, name) => (name in target ? target[name] : namespace({})),
  });

  /** Deliver a runtime message to the worker as `sender`; resolves with its answer. */
  fake.send = (message, sender) => new Promise((resolve) => onRuntimeMessage(message, sender, resolve));
  fake.fromExtensionPage = (message) =>
    fake.send(message, { id: ID, url: `chrome-extension://${ID}/approval/approval.html` });
  return fake;
}
