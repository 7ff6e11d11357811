// The security delay of Proffer's windows, against keyjacking: a page decides when an approval window opens
// (it only has to show a form), so it can time that to the person's typing and have their next keys land in
// the window — Space ticks a box, Enter presses a button. Browsers' own permission prompts defend the same
// way: nothing actionable has focus when the window opens, and its decision controls ignore input until it
// has been shown for a moment. When the window gets the focus back, or is shown again after being hidden,
// they are disarmed and the delay starts again. (A blur alone disarms nothing: keys cannot reach a window
// without focus, and the focus coming back restarts the delay; a blur not followed by a focus event —
// Tab out of a popup that has no toolbar — must not leave the window unusable.)
//
// The controls are disabled while unarmed (the browser then ignores clicks and keys on them, and
// Playwright's actions wait for them), the region they belong to is aria-busy, and any change that reaches
// one anyway is undone. The page cannot script this window; the delay is only about the person's own input.

export const ARM_DELAY_MS = 600;

const FIELDS = "input, select, textarea";

/**
 * Guard `controls` (buttons, inputs, fieldsets) of `win`'s document until it has been shown, or focused
 * again, for `delay` ms. `busy` (optional) is the region marked aria-busy while unarmed. Returns { armed() }.
 */
export function armAfterDelay(win, controls, { delay = ARM_DELAY_MS, busy = null } = {}) {
  const doc = win.document;
  let armed = false;
  let timer = null;
  let snapshot = new Map();
  let lastFocused = null;

  const guarded = (node) => node instanceof win.Node && controls.some((c) => c === node || c.contains(node));
  const fields = () => controls.flatMap((c) => (c.matches(FIELDS) ? [c] : [...c.querySelectorAll(FIELDS)]));
  const stateOf = (field) => (field.type === "checkbox" || field.type === "radio" ? field.checked : field.value);

  function show(next) {
    armed = next;
    for (const control of controls) control.disabled = !next;
    if (busy) busy.setAttribute("aria-busy", String(!next));
    doc.body.dataset.armed = String(next);
  }

  function disarm() {
    win.clearTimeout(timer);
    timer = null;
    if (armed) {
      if (guarded(doc.activeElement)) lastFocused = doc.activeElement;
      snapshot = new Map(fields().map((field) => [field, stateOf(field)]));
    }
    show(false);
  }

  function armLater() {
    disarm();
    if (doc.visibilityState === "hidden") return;
    timer = win.setTimeout(() => {
      timer = null;
      show(true);
      // Back where the person was, if focus was lost when the control was disabled.
      if (lastFocused && lastFocused.isConnected && (!doc.activeElement || doc.activeElement === doc.body)) {
        lastFocused.focus();
      }
      lastFocused = null;
    }, delay);
  }

  // Whatever reaches a guarded control while unarmed is undone and goes no further.
  function undo(event) {
    if (armed || !guarded(event.target)) return;
    if (snapshot.has(event.target)) {
      const before = snapshot.get(event.target);
      if (typeof before === "boolean") event.target.checked = before;
      else event.target.value = before;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }
  function refuseKey(event) {
    if (!armed && guarded(event.target) && event.key !== "Tab" && event.key !== "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }
  for (const type of ["click", "input", "change"]) doc.addEventListener(type, undo, true);
  doc.addEventListener("keydown", refuseKey, true);

  win.addEventListener("focus", (event) => event.target === win && armLater());
  doc.addEventListener("visibilitychange", () => (doc.visibilityState === "hidden" ? disarm() : armLater()));

  snapshot = new Map(fields().map((field) => [field, stateOf(field)]));
  armLater();

  return { armed: () => armed };
}
