// The numbering of a page's form controls that every part of Proffer shares, and the way up the tree
// from a control when part of the page lives in shadow roots (web components).
//
// A classic script loaded before extract.js and fill.js (manifest.json); it defines
// globalThis.ProfferControls, and module.exports under node.
//
// Design notes:
// - Index i is the i-th control of document.querySelectorAll("input, select, textarea"): the numbering
//   the corpus labels, `proffer fields` and the wire protocol use. querySelectorAll does not enter shadow
//   trees, so the controls inside open shadow roots are numbered on after the last of those, root by root
//   (each host's root in document order, a root nested in it right after it). A page's light-DOM indexes
//   are therefore the same whether or not it also holds components.
// - Closed shadow roots are not entered: the page asked for them to stay its own, and a content script
//   would need a browser-specific call to look inside.
// - A hostile page can nest or multiply shadow roots without end, so the walk is iterative and capped.
(function (root) {
  "use strict";

  const CONTROL_SELECTOR = "input, select, textarea";
  const MAX_SHADOW_ROOTS = 1000;

  /** The open shadow roots under `doc`, in the order their controls are numbered. */
  function shadowRootsOf(doc) {
    const roots = [];
    const stack = [doc];
    while (stack.length && roots.length < MAX_SHADOW_ROOTS) {
      const scope = stack.pop();
      if (scope !== doc) roots.push(scope);
      const found = [];
      for (const el of scope.querySelectorAll("*")) if (el.shadowRoot) found.push(el.shadowRoot);
      for (let i = found.length - 1; i >= 0; i--) stack.push(found[i]);
    }
    return roots;
  }

  /** Every control of `doc`, in index order: the document's own, then those in open shadow roots. */
  function controlsOf(doc) {
    const controls = Array.from(doc.querySelectorAll(CONTROL_SELECTOR));
    for (const shadow of shadowRootsOf(doc)) controls.push(...shadow.querySelectorAll(CONTROL_SELECTOR));
    return controls;
  }

  /** The element above `node`, stepping from the top of a shadow tree to its host. */
  function parentAcross(node) {
    if (node.parentElement) return node.parentElement;
    const up = node.parentNode;
    return up && up.nodeType === 11 && up.host ? up.host : null;
  }

  /**
   * The element `node` is drawn inside: its slot when it is slotted into a component, else parentAcross.
   * Styles (display, opacity) are passed down this way, so visibility is judged along it.
   */
  function renderedParent(node) {
    return node.assignedSlot || parentAcross(node);
  }

  /** el.closest(selector), continued past shadow hosts. */
  function closestAcross(el, selector) {
    for (let node = el; node; ) {
      const found = node.closest(selector);
      if (found) return found;
      const top = node.getRootNode();
      node = top.nodeType === 11 && top.host ? top.host : null;
    }
    return null;
  }

  /** The element with `id` in the tree `el` belongs to (ids are scoped to a shadow tree). */
  function byIdNear(el, id) {
    const top = el.getRootNode();
    return typeof top.getElementById === "function" ? top.getElementById(id) : null;
  }

  const api = Object.freeze({
    CONTROL_SELECTOR, MAX_SHADOW_ROOTS, shadowRootsOf, controlsOf, parentAcross, renderedParent, closestAcross,
    byIdNear,
  });
  root.ProfferControls = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})(globalThis);
