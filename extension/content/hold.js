// Proffer's hold on the consent boxes it set by the person's standing preferences, until their form is sent.
//
// A classic script that defines `globalThis.ProfferHold` and, under node, `module.exports` (like fill.js).
//
// A page may undo Proffer's change after the content script saw it hold: tick the marketing box again on a
// timer, when the person focuses another field, or in its own submit handler, or untick the "no offers"
// twin. What counts is what the form sends. So each box Proffer set is held until the document goes or the
// hold's time is up (the service worker says how long: the companion's request lifetime, less a minute), and
// looked at as its form is sent:
//
// - at `submit`, in the capture phase at the window (at the shadow root for a box inside one: a submit event
//   does not leave its shadow tree): before the page's own submit handlers on the form, which then see the box
//   as Proffer set it. A submit button, Enter and `requestSubmit()` fire it; `form.submit()` does not.
// - at `formdata`, likewise: after every submit handler has run, once the browser has listed what the form
//   sends. It fires for `form.submit()` too, and for `new FormData(form)`, which is how many single-page apps
//   collect a form before they post it. A box set again here is set again in that list as well, since the
//   list was made before.
//
// A box the page undid is set again as fill.js sets boxes (`setChecked`: the same checks, visible, enabled, a
// click-equivalent change), and only while it is the same control: the same element, at the same index, with
// the identity [tag, type, name, id] it was set as (content.js's rule for the boxes it watches). A box the
// person changed themselves is left as they set it: their click is trusted, and no page script can fake one
// (a script's click() is not trusted, though the change event it causes is).
//
// What was found goes to `report` once, after a submission's events: the boxes set again (`restored`) and
// those not, with why (`refused`: the fill.js reasons, "detached" or "field_changed" for a box no longer in its
// form as it was, "changed_by_person"). The companion takes one such report per request, and a page can stage
// submissions of its own, so it goes at the first submission the page let through (a trusted submit event it
// did not cancel: the form was sent), or at the first at which a box stayed undone (a report that can only
// make the ledger say less). Boxes set again at a submission the page cancelled (a single-page app that posts
// by itself, a form it would not let go) are held on and reported with the next. Every submission is held the
// same way; only the first report reaches the ledger.
//
// Not covered: a page that undoes a box after the formdata event (in a later task, as it posts), a page that
// reads the boxes itself and posts without a submit event or `new FormData` (many single-page apps), a box the
// page swaps for a copy of its own, what a submission after the report finds, and anything after the hold's
// time. A box set again at a submission that the page cancelled or made by `form.submit()`, with nothing else
// found, is not reported at all: the ledger then says what the form sent, without the note that the page
// tried.
(function defineProfferHold(root) {
  "use strict";

  const Controls = root.ProfferControls || require("./controls.js");
  const Extract = root.ProfferExtract || require("./extract.js");
  const Fill = root.ProfferFill || require("./fill.js");

  const PERSON = "changed_by_person";

  // Is `element` still the control at `index` of its document, with the identity it was described with, and
  // not a kind Proffer never touches (fill.js's rule)?
  function stillTheControl(element, index, expect) {
    return Controls.controlsOf(element.ownerDocument)[index] === element && Extract.hasIdentity(element, expect) &&
      !Fill.kindRefusal(element);
  }

  // What `form` sends of this box: something only when the box is in it, enabled and ticked.
  function sends(element, form) {
    return element.isConnected && element.form === form && element.checked && !element.matches(":disabled");
  }

  // The browser listed what the form sends before the box was set again: the list says it too now. Entries of
  // one name and value cannot be told apart by whoever receives them, so the first such one goes.
  //
  // In Firefox the content script sees the page's FormData through an Xray wrapper, which shows FormData's own
  // methods (append, delete, forEach, its @@iterator) but not what the iterators its entries() and keys() return
  // inherit from %IteratorPrototype%: they have next() and no Symbol.iterator, so `[...formData.entries()]`
  // throws "is not iterable" there. forEach reads the list in both browsers.
  function amend(formData, element, checked) {
    const { name, value } = element;
    if (!name || !formData) return;
    if (checked) {
      formData.append(name, value);
      return;
    }
    const entries = [];
    formData.forEach((v, key) => entries.push([key, v]));
    const at = entries.findIndex(([key, v]) => key === name && v === value);
    if (at < 0) return;
    entries.splice(at, 1);
    for (const key of new Set([name, ...entries.map(([k]) => k)])) formData.delete(key);
    for (const [key, v] of entries) formData.append(key, v);
  }

  /**
   * Hold `boxes` ([{index, checked, expect, element}]: the state Proffer set each to, and the element it set)
   * for `ms`. `report({restored, refused})` is called once, after the first submission that found a box not
   * as Proffer set it. Returns a function that ends the hold.
   */
  function holdBoxes(boxes, { ms, report, clock = Date.now }) {
    const held = boxes.filter((b) => b && b.element && typeof b.checked === "boolean" && Array.isArray(b.expect))
      .map((b) => ({ ...b, form: b.element.form, person: null, personClicked: false }));
    const listeners = [];
    const stop = () => {
      for (const [target, type, fn] of listeners.splice(0)) target.removeEventListener(type, fn, true);
    };
    if (!held.length) return stop;
    const win = held[0].element.ownerDocument.defaultView;
    const end = clock() + ms;
    const found = new Map(); // index -> {restored: true} or {reason}
    let reported = false;
    let flushing = false;
    let submitted = null; // the trusted submit event of the submission under way, if it had one
    const listen = (target, type, fn) => {
      target.addEventListener(type, fn, true);
      listeners.push([target, type, fn]);
    };

    // The person's own change: a trusted click on the box (on it, on its label, or by the keyboard), then the
    // change it made. A click the page cancelled makes no change; a later untrusted one clears it.
    for (const h of held) {
      listen(h.element, "click", (event) => {
        h.personClicked = event.isTrusted;
      });
      listen(h.element, "change", (event) => {
        if (h.personClicked && event.isTrusted) h.person = h.element.checked;
        h.personClicked = false;
      });
    }

    function keep(h, form, formData) {
      const { element, index, expect, checked } = h;
      if (sends(element, form) === checked) return null;
      const inForm = element.isConnected && element.form === form;
      if (inForm && h.person === element.checked) return { reason: PERSON };
      if (!element.isConnected) return { reason: Fill.REASONS.DETACHED };
      if (!inForm || !stillTheControl(element, index, expect)) return { reason: "field_changed" };
      const result = Fill.setChecked(element, checked);
      if (!result.ok) return { reason: result.reason };
      if (sends(element, form) !== checked) return { reason: Fill.REASONS.PAGE_REVERTED };
      try {
        amend(formData, element, checked);
      } catch {
        // The list already made could not be changed (a browser that will not let a content script at it):
        // the box is set again on the page, but the form sends it as the page left it, and the ledger says so.
        return { reason: Fill.REASONS.PAGE_REVERTED };
      }
      return { restored: true };
    }

    // Has the submit event of this submission run its course, uncancelled? Then the form is being sent.
    const goingOut = () => submitted !== null && submitted.eventPhase === 0 && !submitted.defaultPrevented;

    function flush() {
      flushing = false;
      const sent = goingOut();
      submitted = null;
      if (reported || !found.size) return;
      if (!sent && [...found.values()].every((outcome) => outcome.restored)) return; // held on: see above
      reported = true;
      const restored = [];
      const refused = [];
      for (const [index, outcome] of found) {
        if (outcome.restored) restored.push(index);
        else refused.push({ index, reason: outcome.reason });
      }
      report({ restored, refused });
    }

    // One submission fires submit and then formdata in one task: the last of them sees what the form sends.
    function atSubmission(form, formData) {
      if (clock() > end) {
        stop();
        return;
      }
      for (const h of held) {
        if (h.form !== form && h.element.form !== form) continue;
        const outcome = keep(h, form, formData);
        if (outcome) found.set(h.index, outcome);
      }
      if (!flushing) {
        flushing = true;
        win.setTimeout(flush, 0);
      }
    }

    for (const at of new Set(held.map((h) => h.element.getRootNode()))) {
      const target = at.nodeType === 9 ? win : at; // a document: its window hears the event first
      listen(target, "submit", (event) => {
        if (!event.isTrusted) return; // the page's own dispatchEvent: no submission at all
        submitted = event;
        atSubmission(event.target, null);
      });
      listen(target, "formdata", (event) => {
        atSubmission(event.target, event.formData);
        if (goingOut()) flush(); // now, while the document is surely still there: it is about to be replaced
      });
    }
    return stop;
  }

  const api = Object.freeze({ holdBoxes, stillTheControl });
  root.ProfferHold = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})(globalThis);
