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
    const sig = signature(payload);
    if (sig === lastSignature || !worthAsking(payload)) return;
    lastSignature = sig;
    chrome.runtime.sendMessage({ type: M.FORM_SEEN, payload }).catch(() => {
      // The service worker answers with a status; no answer means the extension is reloading.
    });
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || !message || message.type !== M.FILL_APPLY) return false;
    sendResponse(globalThis.ProfferFill.fillFields(document, message.values));
    return false;
  });

  scan();
  globalThis.ProfferExtract.watchForms(document, scan, SCAN_DELAY_MS);
})();
