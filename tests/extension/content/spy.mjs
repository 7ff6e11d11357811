// Records the listeners the content scripts add to inputs, so a test can call one as the browser would for
// the person's own doing (jsdom cannot make a trusted event).
export function spyListeners(window) {
  const added = [];
  const original = window.HTMLInputElement.prototype.addEventListener;
  window.HTMLInputElement.prototype.addEventListener = function spy(type, listener, ...rest) {
    added.push({ type, element: this, listener });
    return original.call(this, type, listener, ...rest);
  };
  return added;
}

/** Call the recorded `type` listeners of `element` with an event that says whether it is trusted. */
export function hear(added, element, type, isTrusted = true) {
  for (const a of added) if (a.element === element && a.type === type) a.listener({ type, isTrusted });
}
