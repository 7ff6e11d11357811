// Proffer's content script: notices forms, sends their descriptors (never values) to the service worker,
// and writes the values the person approved. It runs in the page's isolated world: the page cannot call
// into it, and it never sees the vault.
(() => {
  "use strict";
  const M = globalThis.ProfferMessages;
  const SCAN_DELAY_MS = 250;
  // Input types that can carry a personal value; a page with none of these visible has nothing to ask about.
  const PERSONAL_INPUT_TYPES = new Set(["text", "email", "tel", "number", "date", "month", "url", ""]);

  let lastSignature = "";

  function signature(payload) {
    return payload.fields.map((f) => [f.index, f.tag, f.type, f.name, f.id, f.visible].join(":")).join("|");
  }

  function worthAsking(payload) {
    return payload.fields.some((f) =>
      f.visible && !f.disabled && !f.readonly && (f.tag !== "input" || PERSONAL_INPUT_TYPES.has(f.type)));
  }

  function scan() {
    const payload = globalThis.ProfferExtract.extractPage(document, window);
    recheckWhileCovered(payload);
    const sig = signature(payload);
    if (sig === lastSignature || !worthAsking(payload)) return;
    lastSignature = sig;
    chrome.runtime.sendMessage({ type: M.FORM_SEEN, payload }).catch(() => {
      // The service worker answers with a status; no answer means the extension is reloading.
    });
  }

  // A field another element is drawn over (a cookie banner, a sticky bar) is not offered. The page's own
  // changes may not touch any control when the person clears it away (a banner removed, a page scrolled),
  // so while a field is covered, the person's clicks, keys and scrolls have the page read again, once they
  // pause: a field uncovered then is offered, its changed visibility making a new signature.
  const RECHECK_EVENTS = ["click", "keyup", "scroll"];
  const RECHECK_DELAY_MS = 400;
  let recheckTimer = null;
  let rechecking = false;

  function recheckSoon(event) {
    if (!event.isTrusted) return; // the page cannot make Proffer read it over and over
    if (recheckTimer !== null) clearTimeout(recheckTimer);
    recheckTimer = setTimeout(() => {
      recheckTimer = null;
      scan();
    }, RECHECK_DELAY_MS);
  }

  function recheckWhileCovered(payload) {
    const covered = payload.fields.some((f) => f.hidden_reason === "covered");
    if (covered === rechecking) return;
    rechecking = covered;
    for (const type of RECHECK_EVENTS) {
      if (covered) window.addEventListener(type, recheckSoon, { capture: true, passive: true });
      else window.removeEventListener(type, recheckSoon, { capture: true });
    }
  }

  // Loyalty-number fields the wallet has nothing for (the companion named them): when the person types a
  // number there and leaves the field, the service worker may ask them, in Proffer's own window, whether
  // to keep it. Only a trusted change counts: the page's scripts cannot fake the person typing, and
  // Proffer's own fills fire untrusted events, so an approved fill is never offered back.
  // Each field comes with the identity ([tag, type, name, id]) it was described with, as values do: a
  // page can shift the numbering or turn the box into another, so a control that is not that one is not
  // watched, and a change is offered only while the box is still that control, at that index, and not a
  // kind Proffer never touches (a password, hidden, card or one-time-code box: fill.js's own rule).
  const watched = new WeakSet();
  const MAX_NUMBER = 64;
  const { stillTheControl } = globalThis.ProfferHold;

  function watchLoyalty(entries) {
    if (!Array.isArray(entries)) return [];
    const controls = globalThis.ProfferControls.controlsOf(document);
    const watching = [];
    for (const entry of entries) {
      const index = entry && Number.isInteger(entry.index) ? entry.index : null;
      const element = index === null ? null : controls[index];
      if (!element || element.tagName !== "INPUT" || !stillTheControl(element, index, entry.expect)) continue;
      watching.push(index);
      if (watched.has(element)) continue;
      watched.add(element);
      const { expect } = entry;
      element.addEventListener("change", (event) => {
        if (!event.isTrusted || !stillTheControl(element, index, expect)) return;
        const number = String(element.value || "").trim();
        if (!number || number.length > MAX_NUMBER) return;
        chrome.runtime.sendMessage({ type: M.LOYALTY_TYPED, index, number }).catch(() => {});
      });
    }
    return watching;
  }

  // Values come with the identity ([tag, type, name, id]) of the control they were approved for; one whose
  // control at that index is no longer that control is refused, never written somewhere else. The consent
  // boxes the companion set (a FILL_APPLY with a `hold`) are held, those the page let go, until their form is
  // sent (hold.js): what the page did to them by then goes to the service worker as BOXES_SUBMITTED.
  function applyValues(values, hold) {
    const controls = globalThis.ProfferControls.controlsOf(document);
    const refused = [];
    const kept = [];
    for (const entry of Array.isArray(values) ? values : []) {
      const element = entry && Number.isInteger(entry.index) ? controls[entry.index] : null;
      if (entry && entry.expect !== undefined && element && !globalThis.ProfferExtract.hasIdentity(element, entry.expect)) {
        refused.push({ index: entry.index, reason: "field_changed" });
      } else {
        kept.push(entry);
      }
    }
    const report = globalThis.ProfferFill.fillFields(document, kept);
    report.refused.push(...refused);
    if (hold && typeof hold.id === "string" && Number.isFinite(hold.ms)) holdBoxes(hold, kept, report.filled, controls);
    return report;
  }

  const MAX_HOLD_MS = 15 * 60 * 1000; // whatever the message says: the companion's request lifetime at most

  function holdBoxes(hold, entries, filled, controls) {
    const boxes = entries.filter((e) => typeof e.checked === "boolean" && filled.includes(e.index))
      .map((e) => ({ index: e.index, checked: e.checked, expect: e.expect, element: controls[e.index] }));
    globalThis.ProfferHold.holdBoxes(boxes, {
      ms: Math.min(Math.max(hold.ms, 0), MAX_HOLD_MS),
      report: (found) => chrome.runtime.sendMessage({ type: M.BOXES_SUBMITTED, hold: hold.id, ...found }).catch(() => {}),
    });
  }

  // Values and watches are meant for the document that asked, and carry the origins it had. A frame keeps
  // its id when it navigates, so a message may arrive in another document, one the person was never asked
  // about: a document on another origin gets nothing, whatever the message says (and one without origins
  // too). The service worker addresses the document itself where the browser can (documentId); this check
  // holds where it cannot.
  function meantForThisDocument(message) {
    const origin = message.origin;
    if (!origin || typeof origin.frame !== "string" || origin.frame !== location.origin) return false;
    if (window.top === window && origin.top !== location.origin) return false;
    return true;
  }

  function refuseAll(values) {
    const refused = (Array.isArray(values) ? values : [])
      .map((entry) => ({ index: entry && Number.isInteger(entry.index) ? entry.index : null, reason: "wrong_origin" }));
    return { filled: [], refused, wrongOrigin: true };
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || !message) return false;
    if (message.type === M.FILL_APPLY) {
      sendResponse(meantForThisDocument(message) ? applyValues(message.values, message.hold) : refuseAll(message.values));
    } else if (message.type === M.LOYALTY_WATCH) {
      if (!meantForThisDocument(message)) {
        sendResponse({ watching: [], reason: "wrong_origin" });
        return false;
      }
      sendResponse({ watching: watchLoyalty(message.fields) });
    }
    return false;
  });

  scan();
  globalThis.ProfferExtract.watchForms(document, scan, SCAN_DELAY_MS);
})();
