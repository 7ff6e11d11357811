// A stand-in for the parts of chrome.* the service worker uses, with a companion behind its native port, so
// that extension/background/service-worker.js runs in node.
//
// The browser outlives the worker: storage.session, alarms, windows and the companion belong to the
// browser; listeners and timers to one life of the worker. `startWorker()` begins a life (a fresh instance of
// the module, which registers its listeners at top level); `stopWorker()` ends it as the browser does an idle
// worker: its timers never fire and its native port closes. Time is the browser's clock: `advance(ms)` moves
// it and runs the timers of the live worker that fall due, `advance(ms, { timers: false })` moves it while the
// worker sleeps.
//
// A test file that uses this replaces globalThis.chrome, setTimeout, clearTimeout and Date.now for its whole
// run (node --test runs each file in a process of its own).

const EXTENSION_ID = "ikcpjlmgjjaclpjfbepdglpcamkpgehj";
const WORKER = new URL("../../../extension/background/service-worker.js", import.meta.url);
const APPROVAL_PAGE = `chrome-extension://${EXTENSION_ID}/approval/approval.html`;
const POPUP_PAGE = `chrome-extension://${EXTENSION_ID}/popup/popup.html`;

let lives = 0; // a module URL is evaluated once per process: each life of the worker needs its own

const clone = (value) => (value === undefined ? undefined : structuredClone(value));

function event() {
  const listeners = [];
  return { addListener: (fn) => listeners.push(fn), listeners };
}

/** Wait until the worker has nothing left to do but wait for timers, the companion or the browser. */
export async function idle() {
  for (let i = 0; i < 50; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

export function fakeBrowser({ now = Date.UTC(2026, 10, 23, 10, 0, 0) } = {}) {
  const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, dateNow: Date.now };
  let clock = now;
  let timers = [];
  let timerId = 0;
  let chrome = null;
  let port = null;
  const session = {};
  const alarms = new Map();
  const windows = new Map();
  let windowId = 100;
  const companion = []; // every message the worker sent the companion
  const vault = { locked: false };
  const toPages = []; // every message the worker sent a content script
  const answers = {}; // the companion's result by message type (a value, or a function of the payload)
  const page = { apply: null }; // the content script's answer to fill.apply, when a test sets one
  const badge = { text: "" }; // the text last set, for any tab or for all
  const allTabs = { text: "", color: "", title: "Proffer" }; // the badge for all tabs, as the manifest leaves it
  const tabBadges = new Map(); // tab id -> the tab's own {text, color, title}, which its next page clears

  globalThis.setTimeout = (fn, ms = 0) => {
    timerId += 1;
    timers.push({ id: timerId, at: clock + ms, fn });
    return timerId;
  };
  globalThis.clearTimeout = (id) => {
    timers = timers.filter((t) => t.id !== id);
  };
  Date.now = () => clock;

  function answer(message) {
    const { id, type, payload } = message;
    if (type in answers) return typeof answers[type] === "function" ? answers[type](payload) : answers[type];
    if (type === "fill.request") {
      const frame = payload.page.frame_origin;
      return {
        request_id: `request-${companion.length}-${"x".repeat(16)}`, site: "shop.example", origin: payload.page.top_origin,
        frame_origin: frame, purpose: "checkout", needs_approval: true, autofilled: [], frame_approval: false,
        fields: payload.fields.map((f) => ({
          index: f.index, type: "email", label: f.label || "", fillable: true,
          offers: [{ value_id: "email:1", value: "ada@example.org", label: "personal" }],
        })),
      };
    }
    if (type === "fill.decline") return { request_id: payload.request_id, recorded: 1 };
    if (type === "fill.report") return { request_id: payload.request_id, recorded: payload.refused.length };
    throw new Error(`the fake companion does not answer ${type} (${id})`);
  }

  function nativePort() {
    const onMessage = event();
    const onDisconnect = event();
    const p = {
      onMessage, onDisconnect,
      postMessage(message) {
        companion.push(clone(message));
        const reply = vault.locked && message.type === "fill.request"
          ? { v: 1, id: message.id, ok: false, error: { code: "vault_locked", message: "The vault is locked." } }
          : { v: 1, id: message.id, ok: true, result: answer(message) };
        Promise.resolve().then(() => onMessage.listeners.forEach((fn) => fn(clone(reply))));
      },
      disconnect() {
        onDisconnect.listeners.forEach((fn) => fn(p));
      },
    };
    return p;
  }

  function api() {
    return {
      runtime: {
        id: EXTENSION_ID,
        lastError: undefined,
        getURL: (path) => `chrome-extension://${EXTENSION_ID}/${path}`,
        onMessage: event(),
        connectNative: () => {
          port = nativePort();
          return port;
        },
      },
      storage: {
        session: {
          get: async (key) => (key in session ? { [key]: clone(session[key]) } : {}),
          set: async (items) => Object.assign(session, clone(items)),
        },
      },
      alarms: {
        create: async (name, info) => {
          alarms.set(name, { name, scheduledTime: info.when ?? clock + info.delayInMinutes * 60000 });
        },
        clear: async (name) => alarms.delete(name),
        onAlarm: event(),
      },
      windows: {
        create: async (options) => {
          windowId += 1;
          windows.set(windowId, options.url);
          return { id: windowId };
        },
        remove: async (id) => {
          if (!windows.delete(id)) throw new Error(`No window with id: ${id}.`);
          for (const fn of chrome.windows.onRemoved.listeners) await fn(id);
        },
        onRemoved: event(),
      },
      tabs: {
        // Every document is still there, on the origin it had: it fills what it is given, unless the test
        // plays the page (`page.apply`, which may throw as the browser does for a document that is gone).
        sendMessage: async (tabId, message, options) => {
          toPages.push({ tabId, message: clone(message), options });
          if (message.type === "fill.apply" && page.apply) return clone(page.apply(message.values || []));
          return { filled: (message.values || []).map((v) => v.index), refused: [] };
        },
        onRemoved: event(),
        onUpdated: event(),
      },
      action: {
        setBadgeText: async ({ text, tabId }) => {
          badge.text = text;
          setBadge(tabId, { text });
        },
        setBadgeBackgroundColor: async ({ color, tabId }) => setBadge(tabId, { color }),
        setTitle: async ({ title, tabId }) => setBadge(tabId, { title }),
      },
    };
  }

  // Without a tab id, the value for all tabs; with one, the tab's own, which wins over it on that tab.
  function setBadge(tabId, values) {
    if (tabId === undefined) Object.assign(allTabs, values);
    else tabBadges.set(tabId, { ...tabBadges.get(tabId), ...values });
  }

  // A message to the worker, as chrome.runtime.sendMessage delivers it; resolves to the worker's answer.
  function send(message, sender) {
    return new Promise((resolve) => {
      let answered = false;
      const reply = (response) => {
        answered = true;
        resolve(clone(response));
      };
      for (const fn of chrome.runtime.onMessage.listeners) fn(clone(message), { id: EXTENSION_ID, ...sender }, reply);
      if (!answered && !chrome.runtime.onMessage.listeners.length) resolve(undefined);
    });
  }

  return {
    session, alarms, windows, companion, toPages, vault, answers, page, badge,
    get now() {
      return clock;
    },
    /** When the live worker's timers fall due (epoch ms), soonest first. */
    get timers() {
      return timers.map((t) => t.at).sort((a, b) => a - b);
    },

    async startWorker() {
      lives += 1;
      chrome = api();
      globalThis.chrome = chrome;
      await import(`${WORKER.href}?life=${lives}`);
    },

    stopWorker() {
      timers = [];
      if (port) port.disconnect();
      port = null;
      chrome = null;
      globalThis.chrome = undefined;
    },

    async advance(ms, { timers: run = true } = {}) {
      const until = clock + ms;
      for (;;) {
        const due = run ? timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0] : undefined;
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        clock = due.at;
        due.fn();
        await idle();
      }
      clock = until;
    },

    /** The browser fires the alarms that are due, waking the worker first if it is stopped. */
    async fireAlarms() {
      if (!chrome) await this.startWorker();
      for (const alarm of [...alarms.values()].filter((a) => a.scheduledTime <= clock)) {
        alarms.delete(alarm.name);
        for (const fn of chrome.alarms.onAlarm.listeners) fn({ ...alarm });
      }
      await idle();
    },

    /** What a tab's own badge says: {text, color, title}, or {} when the tab has none. */
    badgeOf(tabId) {
      return { ...tabBadges.get(tabId) };
    },

    /**
     * What the person sees on the button in a tab: each of text, colour and title is the tab's own where it has
     * one, else the one for all tabs (as Chromium's getBadgeText({tabId}) and getTitle({tabId}) answer).
     */
    shownOn(tabId) {
      return { ...allTabs, ...tabBadges.get(tabId) };
    },

    /** The badge for all tabs: {text, color, title}. */
    get allTabs() {
      return { ...allTabs };
    },

    /**
     * A new top-level document of the tab commits, as Chromium does it: the tab's own badge is cleared, then
     * the worker (woken if it is stopped) hears tabs.onUpdated with status "loading".
     */
    async navigate(tabId) {
      tabBadges.delete(tabId);
      await this.tabUpdated(tabId, { status: "loading" });
    },

    /** The tab's page has loaded: tabs.onUpdated with status "complete". */
    async loaded(tabId) {
      await this.tabUpdated(tabId, { status: "complete" });
    },

    /** The browser reports a change of the tab (tabs.onUpdated), waking the worker if it is stopped. */
    async tabUpdated(tabId, change) {
      if (!chrome) await this.startWorker();
      for (const fn of chrome.tabs.onUpdated.listeners) fn(tabId, { ...change }, { id: tabId, ...change });
      await idle();
    },

    /** The person closes a tab. */
    async closeTab(tabId) {
      tabBadges.delete(tabId);
      for (const fn of chrome.tabs.onRemoved.listeners) fn(tabId);
      await idle();
    },

    /** The person closes a window. */
    async closeWindow(id) {
      await chrome.windows.remove(id);
      await idle();
    },

    /** A content script's form.seen, from a document of a tab's frame. */
    formSeen(document) {
      return this.fromContentScript(document, { type: "form.seen", payload: { page: { title: "Checkout" }, forms: [], fields: document.fields } });
    },

    /** Any message from a content script in a document of a tab's frame: the sender record is the browser's. */
    fromContentScript({ tabId, frameId, documentId, url, topUrl = url }, message) {
      return send(message, { tab: { id: tabId, url: topUrl }, frameId, documentId, url, origin: new URL(url).origin });
    },

    /** A message from Proffer's approval window. */
    fromApprovalWindow(message) {
      return send(message, { url: `${APPROVAL_PAGE}?request=${encodeURIComponent(message.request)}`, frameId: 0 });
    },

    /** A message from Proffer's toolbar popup (an extension page in no tab). */
    fromPopup(message) {
      return send(message, { url: POPUP_PAGE, origin: `chrome-extension://${EXTENSION_ID}` });
    },

    restore() {
      this.stopWorker();
      globalThis.setTimeout = real.setTimeout;
      globalThis.clearTimeout = real.clearTimeout;
      Date.now = real.dateNow;
    },
  };
}
