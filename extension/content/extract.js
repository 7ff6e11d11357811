// Field extraction: what a careful human would read about each form control, and whether they could see it.
//
// A classic script (MV3 content scripts are not modules). Every function takes the document and window it
// works on, so the same code runs in a real page, in jsdom (tests/extension/extract/) and in the headless
// runner behind `proffer fields` (companion/fields/runner.py). It defines globalThis.ProfferExtract, and
// module.exports when loaded by node.
//
// Design notes:
// - No values leave the page. A text control's .value is never read; only the page's own text is (labels,
//   placeholders, option texts of a select, button captions) and the on/off state of checkboxes and radios.
// - A field's index is its position in document.querySelectorAll("input, select, textarea"), the same
//   numbering the companion, the corpus labels and the fill step use; controls inside open shadow roots
//   are numbered on after those (controls.js, which also steps up across shadow hosts). Every control is
//   described, hidden and button types included: the companion decides what matters, and needs hidden
//   twins to spot fishing. Only past the cap on controls per message do <input type=hidden> give way
//   (describedControls).
// - The page is hostile: every string is whitespace-collapsed and cut to the wire model's bounds
//   (companion/protocol/messages.py), counts are capped, and nothing here throws on odd markup.
// - Visibility is judged the way a person sees the page: display/visibility/opacity along the ancestors,
//   zero or tiny size, off-screen, clipped by an ancestor, aria-hidden, inert, and covered by another
//   element drawn over it (controls.js). Without layout (jsdom) the geometric checks are skipped, because
//   every box there measures 0x0.
// - Speed: computed styles are cached per element for one extraction (ancestors are shared by many fields),
//   each control's labels come from one pass over the page's labels, and text walks stop at their length cap.
(function (root) {
  "use strict";

  // Loaded before this file in the page (manifest.json, companion/fields/runner.py); required under node.
  const Controls = root.ProfferControls || require("./controls.js");
  const { CONTROL_SELECTOR, closestAcross, parentAcross, renderedParent, byIdNear, precedes } = Controls;
  const { filterOpacity, clipPathEmpty, textTransparent, coveredBy } = Controls;
  const LIMITS = Object.freeze({
    short: 300, // ShortText
    text: 2000, // Text
    type: 32,
    reason: 64,
    url: 8192,
    origin: 2048,
    options: 400,
    fields: 2000, // MAX_FIELDS
    forms: 200,
    nearbyDepth: 5, // ancestor levels walked looking for the text before an unlabelled field
  });
  // A box smaller than this (CSS px) in either direction is not something a person can type into.
  const TINY_PX = 2;
  const OPACITY_FLOOR = 0.1;
  const SKIPPED_TEXT_TAGS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "SELECT", "OPTION", "TEXTAREA", "SVG"]);
  const HEADING_SELECTOR = "h1, h2, h3, h4, h5, h6, legend, [role=heading]";
  const SUBMIT_SELECTORS = ["button:not([type])", "button[type=submit]", "input[type=submit]", "input[type=image]"];
  const SUBMIT_SELECTOR = SUBMIT_SELECTORS.join(", ");
  const SUBMIT_BUTTONS = 5; // the captions a form's submit_text is made of
  const DIALOG_SELECTOR =
    'dialog, [role=dialog], [role=alertdialog], [aria-modal=true], [class*="modal" i], [class*="popup" i]';
  // Containers that make a sensible group for controls outside any <form>.
  const GROUP_SELECTOR = "[role=form], [role=search], dialog, [role=dialog], [role=alertdialog], fieldset";
  const CHECKABLE = new Set(["checkbox", "radio"]);

  const collapse = (s) => (s || "").replace(/\s+/g, " ").trim();
  // Cut to n UTF-16 units (never more code points than the wire model allows) without splitting a
  // surrogate pair: a lone surrogate is not valid Unicode and would break encoding further on.
  const clip = (s, n) => {
    if (s.length <= n) return s;
    const code = s.charCodeAt(n - 1);
    return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
  };
  const cut = (s, n) => clip(collapse(s), n);
  const attr = (el, name) => el.getAttribute(name) || "";

  /** The text a reader sees inside `node`, without controls' contents or scripts; stops at `limit` chars. */
  function textOf(node, limit) {
    const parts = [];
    let length = 0;
    // Iterative depth-first walk: a hostile page can nest elements deeper than the call stack.
    const stack = [node];
    while (stack.length && length < limit) {
      const n = stack.pop();
      if (n.nodeType === 3) {
        const t = n.nodeValue;
        if (t && t.trim()) {
          parts.push(t);
          length += t.length;
        }
        continue;
      }
      if (n.nodeType !== 1) continue;
      if (SKIPPED_TEXT_TAGS.has(n.nodeName.toUpperCase()) || n.hasAttribute("hidden")) continue;
      if (n.getAttribute("aria-hidden") === "true") continue;
      for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
    }
    return cut(parts.join(" "), limit);
  }

  const clipsOverflow = (v) => v === "hidden" || v === "clip";

  /**
   * What the checks read of one element's computed style. Each read of a live computed style is a lookup
   * of its own (about half a microsecond in Chromium, a whole one for a shorthand), ancestors are shared by
   * many fields, and most facts are wanted for only some elements (visibility for the field itself, overflow
   * only for its ancestors): each fact is read when a check first asks for it, and kept for the extraction.
   */
  class Facts {
    constructor(style, shorthandOnly) {
      this.style = style;
      this.shorthandOnly = shorthandOnly;
      this.rect = null; // the element's box, read by boxOf when a layout check or a caption needs it
      this._display = null;
      this._visibility = null;
      this._opacity = null;
      this._contentHidden = null;
      this._clippedAway = null;
      this._overflow = null;
    }

    get display() {
      if (this._display === null) this._display = this.style.display;
      return this._display;
    }

    get visibility() {
      if (this._visibility === null) this._visibility = this.style.visibility;
      return this._visibility;
    }

    get opacity() {
      if (this._opacity === null) {
        const opacity = parseFloat(this.style.opacity);
        // filter: opacity(0) fades an element as surely as opacity does, and is passed down the same way.
        this._opacity = (Number.isNaN(opacity) ? 1 : opacity) * filterOpacity(this.style.filter);
      }
      return this._opacity;
    }

    get contentHidden() {
      if (this._contentHidden === null) this._contentHidden = this.style.contentVisibility === "hidden";
      return this._contentHidden;
    }

    /** Whether a clip rect or a clip-path leaves nothing of the element to see. */
    get clippedAway() {
      if (this._clippedAway === null) {
        const s = this.style;
        // clip applies only to an absolutely positioned box and is "auto" nearly everywhere: it is read
        // first, and position only behind a rect.
        this._clippedAway = (isClipRectEmpty(s.clip) && (s.position === "absolute" || s.position === "fixed")) ||
          clipPathEmpty(s.clipPath);
      }
      return this._clippedAway;
    }

    /** Whether the element cuts off what overflows it, across (x) and down (y). */
    get overflow() {
      if (this._overflow === null) {
        const s = this.style;
        const overflowX = s.overflowX;
        const overflowY = s.overflowY;
        // A browser computes both longhands, and serialises the shorthand from them: reading it as well
        // would tell nothing new. jsdom (the unit tests) leaves the longhands at their initial value and
        // reports only a declared shorthand, so there it is read too (makeFacts says which is which).
        const [shortX, shortY = shortX] = this.shorthandOnly && overflowX === "visible" && overflowY === "visible"
          ? (s.overflow || "").split(" ")
          : [];
        this._overflow = {
          x: clipsOverflow(overflowX) || clipsOverflow(shortX),
          y: clipsOverflow(overflowY) || clipsOverflow(shortY),
        };
      }
      return this._overflow;
    }
  }

  function makeFacts(doc, win) {
    const cache = new Map();
    // No browser leaves the root's computed overflow shorthand empty; jsdom does unless a test declares it.
    const shorthandOnly = doc.documentElement ? win.getComputedStyle(doc.documentElement).overflow === "" : false;
    return (el) => {
      let f = cache.get(el);
      if (f === undefined) {
        f = new Facts(win.getComputedStyle(el), shorthandOnly);
        cache.set(el, f);
      }
      return f;
    };
  }

  /**
   * A function that tells, for an element, what it and the elements it is drawn inside add up to: `add(up,
   * el)` makes an element's state from the state above it (`top` above the highest). Every element's state
   * is worked out once per extraction, as ancestors are shared by many fields.
   */
  function makeInherited(add, top) {
    const cache = new Map();
    return (el) => {
      // Iterative, not recursive: a hostile page can nest elements deeper than the call stack.
      const pending = [];
      let node = el;
      while (node && !cache.has(node)) {
        pending.push(node);
        node = renderedParent(node);
      }
      let up = node ? cache.get(node) : top;
      for (let i = pending.length - 1; i >= 0; i--) {
        up = add(up, pending[i]);
        cache.set(pending[i], up);
      }
      return up;
    };
  }

  /** What an element passes on to its descendants: display:none or content-visibility:hidden, and opacity. */
  function makeChain(facts) {
    return makeInherited((up, el) => {
      const f = facts(el);
      return {
        none: up.none || f.display === "none",
        contentHidden: up.contentHidden || f.contentHidden,
        opacity: up.opacity * f.opacity,
      };
    }, { none: false, contentHidden: false, opacity: 1 });
  }

  /**
   * What may cut off what is drawn inside an element, from it up to (not including) the root element:
   * whether any of them leaves nothing to see (`away`: a clip or clip-path), and those whose overflow is
   * clipped (`clippers`, nearest first, as a list of {el, facts, next}), to be measured against a field's
   * box. Most elements have neither, so most fields are measured against none.
   */
  function makeClips(facts, doc) {
    const NONE = { away: false, clippers: null };
    return makeInherited((up, el) => {
      if (el === doc.documentElement) return NONE;
      const f = facts(el);
      const away = up.away || f.clippedAway;
      const overflow = f.overflow;
      if (!overflow.x && !overflow.y) return away === up.away ? up : { away, clippers: up.clippers };
      return { away, clippers: { el, facts: f, next: up.clippers } };
    }, NONE);
  }

  const NO_LABELS = Object.freeze([]);

  /**
   * The labels of a control, as el.labels lists them (in tree order; none for a control that cannot have
   * any). el.labels is a live list the browser fills by walking the control's whole tree the first time it
   * is read after a change: for each of 200 controls on a page of 6,000 elements that was 60 ms of a 100 ms
   * first extraction. One pass over each tree's labels finds the same ones: label.control is the very test
   * el.labels applies, and a label names only a control of its own tree.
   */
  function makeLabels() {
    const byRoot = new Map(); // document or shadow root -> Map(control -> [label])
    return (el) => {
      const root = el.getRootNode();
      let owners = byRoot.get(root);
      if (owners === undefined) {
        owners = new Map();
        const labels = typeof root.querySelectorAll === "function" ? root.querySelectorAll("label") : NO_LABELS;
        for (let i = 0; i < labels.length; i++) {
          const control = labels[i].control;
          if (!control) continue;
          const list = owners.get(control);
          if (list) list.push(labels[i]);
          else owners.set(control, [labels[i]]);
        }
        byRoot.set(root, owners);
      }
      return owners.get(el) || NO_LABELS;
    };
  }

  /** An element's box, read once per extraction: the layout checks and the caption reading share it. */
  function boxOf(el, ctx) {
    const f = ctx.facts(el);
    return f.rect || (f.rect = el.getBoundingClientRect());
  }

  function hasLayout(doc) {
    const de = doc.documentElement;
    return !!de && (de.clientWidth > 0 || de.clientHeight > 0);
  }

  function isClipRectEmpty(clip) {
    // "rect(0px, 0px, 0px, 0px)" or "rect(1px, 1px, 1px, 1px)": the screen-reader-only pattern.
    const m = /^rect\(([^)]*)\)$/.exec(clip || "");
    if (!m) return false;
    const [top, right, bottom, left] = m[1].split(/[ ,]+/).map((v) => parseFloat(v) || 0);
    return right - left <= TINY_PX || bottom - top <= TINY_PX;
  }

  /**
   * Why a person could not see or use `el`, or null when they can. Style checks walk the ancestors once
   * (cached); geometric checks need layout.
   */
  function hiddenReason(el, ctx) {
    const tag = el.nodeName.toLowerCase();
    if (tag === "input" && (attr(el, "type").toLowerCase() === "hidden")) return "type=hidden";
    if (closestAcross(el, "[inert]")) return "inert";
    if (closestAcross(el, '[aria-hidden="true"]')) return "aria-hidden";
    const own = ctx.facts(el);
    if (own.display === "none") return "display:none";
    const up = renderedParent(el);
    const parent = up ? ctx.chain(up) : null;
    if (parent && parent.none) return "display:none (ancestor)";
    if (parent && parent.contentHidden) return "content-visibility:hidden";
    // visibility is inherited and a child may turn it back on, so the element's own computed value decides.
    if (own.visibility === "hidden" || own.visibility === "collapse") return "visibility:hidden";
    if ((parent ? parent.opacity : 1) * own.opacity < OPACITY_FLOOR) return "opacity:0";
    // A checkbox is drawn by its box, not its text; any other control whose text is transparent would take
    // a value the person cannot see.
    if (!CHECKABLE.has(controlType(el, tag)) && textTransparent(own.style)) return "transparent text";
    if (!ctx.layout) return null;

    const rect = boxOf(el, ctx);
    if (rect.width < TINY_PX || rect.height < TINY_PX) {
      return rect.width === 0 || rect.height === 0 ? "zero size" : "tiny size";
    }
    const left = rect.left + ctx.scrollX;
    const top = rect.top + ctx.scrollY;
    if (left + rect.width <= 0 || top + rect.height <= 0 || left >= ctx.pageWidth || top >= ctx.pageHeight) {
      return "off-screen";
    }
    if (own.clippedAway) return "clipped";
    const clips = up ? ctx.clips(up) : null;
    if (clips && clips.away) return "clipped";
    // Only overflow that cuts content off counts: a scrolling container's content can be scrolled to.
    for (let c = clips ? clips.clippers : null; c; c = c.next) {
      const f = c.facts;
      const box = boxOf(c.el, ctx);
      const overlapW = Math.min(box.right, rect.right) - Math.max(box.left, rect.left);
      const overlapH = Math.min(box.bottom, rect.bottom) - Math.max(box.top, rect.top);
      if ((f.overflow.x && overlapW < TINY_PX) || (f.overflow.y && overlapH < TINY_PX)) return "clipped";
    }
    // Last, as it asks the browser's hit test: another element drawn over the field. A checkbox is left to
    // its label (shops draw their own box over the real one).
    if (!CHECKABLE.has(controlType(el, tag)) && coveredBy(el, ctx.win, rect, ctx.labels(el))) return "covered";
    return null;
  }

  /**
   * Custom-styled checkboxes and radios hide the real control (opacity 0, 1px) and draw a visible label in
   * its place; a person sees and clicks that label. Only purely visual hiding is forgiven, never
   * display/visibility/aria-hidden/inert, and only when a label for it is itself visible.
   */
  function visibleThroughLabel(el, reason, ctx) {
    if (!["opacity:0", "zero size", "tiny size", "clipped"].includes(reason)) return false;
    const labels = ctx.labels(el);
    return labels.some((label) => label !== el && !label.contains(el) && hiddenReason(label, ctx) === null) ||
      labels.some((label) => label.contains(el) && labelBoxVisible(label, ctx));
  }

  function labelBoxVisible(label, ctx) {
    if (closestAcross(label, "[inert], [aria-hidden=true]")) return false;
    const c = ctx.chain(label);
    if (c.none || c.opacity < OPACITY_FLOOR || ctx.facts(label).visibility === "hidden") return false;
    if (!ctx.layout) return true;
    const r = boxOf(label, ctx);
    return r.width >= TINY_PX && r.height >= TINY_PX;
  }

  function labelText(el, labels) {
    const parts = [];
    const seen = new Set();
    const add = (node) => {
      if (!node || seen.has(node)) return;
      seen.add(node);
      const t = textOf(node, LIMITS.text);
      if (t) parts.push(t);
    };
    for (const label of labels) add(label);
    for (const id of attr(el, "aria-labelledby").split(/\s+/).filter(Boolean).slice(0, 10)) {
      add(byIdNear(el, id));
    }
    return cut(parts.join(" "), LIMITS.text);
  }

  // A component's controls count as its own (one level of shadow tree: enough to keep its text off a field).
  const hasMatch = (node, selector) => node.nodeType === 1 && (node.matches(selector) ||
    !!node.querySelector(selector) || !!(node.shadowRoot && node.shadowRoot.querySelector(selector)));
  const containsControl = (node) => hasMatch(node, CONTROL_SELECTOR);
  // Text belongs to a box a person sees: an <input type=hidden> between a caption and its box (a page's
  // copy of the value for its own script) takes no text from it.
  const SEEN_CONTROL_SELECTOR = "input:not([type=hidden]), select, textarea";
  const ownsText = (node) => hasMatch(node, SEEN_CONTROL_SELECTOR);

  /** Text of the closest siblings in one direction, stopping at the first sibling that holds a control. */
  // Text that says something: a lone "*" (the required mark) or ":" names nothing, keep looking past it.
  const WORDY = /[\p{L}\p{N}]/u;

  function siblingText(node, forward) {
    for (let sib = forward ? node.nextSibling : node.previousSibling; sib; sib = forward ? sib.nextSibling : sib.previousSibling) {
      if (sib.nodeType === 3) {
        const t = collapse(sib.nodeValue);
        if (WORDY.test(t)) return t;
        continue;
      }
      if (sib.nodeType !== 1) continue;
      if (ownsText(sib)) return null; // that text belongs to another field
      const t = textOf(sib, LIMITS.short * 2);
      if (WORDY.test(t)) return t;
    }
    return "";
  }

  /** False when `label` names, by for=, another control than `el`: then it is that control's. */
  function mayName(label, el) {
    const target = attr(label, "for");
    // The id is compared, not label.control: pages repeat ids (a shipping and a billing copy of one form),
    // and a for= naming no control at all (a wrapper's id, a name) is a slip of the site's.
    if (!target || target === attr(el, "id")) return true;
    const named = byIdNear(el, target);
    return !named || named === el || !named.matches(CONTROL_SELECTOR);
  }

  /**
   * The one <label> that `next` (an element after a field, holding no control) holds as its only text, as a
   * last resort (<input><div><label>Post code</label></div>), unless its for= names another control.
   */
  function wrappedLabel(next, el) {
    if (next.nodeName === "LABEL") return null;
    const labels = next.querySelectorAll("label");
    if (labels.length !== 1 || textOf(next, LIMITS.short) !== textOf(labels[0], LIMITS.short)) return null;
    return mayName(labels[0], el) ? labels[0] : null;
  }

  // What a person clicks or picks from, not a caption: a clear or show-password button drawn inside a box,
  // a dropdown's list of options drawn over the boxes below it.
  const INTERACTIVE_SELECTOR = "button, a[href], [role=button], [role=link], [role=option], [role=listbox]";

  /**
   * The text of `next` (an element after a field, holding no control) when it is drawn where a person reads
   * it as the field's caption: a floating label written after its input (<input placeholder=" "><span>
   * Street</span>), read inside the box at its left, or on its top edge once it floats up; or, where the
   * page's style did not draw it over the box (a copy of the page saved without it), on the box's line
   * right after it. Text after a box drawn below it (an error, the next question) or far along its line is
   * not the box's: hence layout, not markup.
   */
  function drawnCaption(next, el, ctx) {
    if (!ctx.layout) return "";
    if (hasMatch(next, INTERACTIVE_SELECTOR)) return ""; // a component's <button> too, in its shadow tree
    const box = boxOf(el, ctx);
    const r = boxOf(next, ctx);
    if (box.width < TINY_PX || box.height < TINY_PX || r.width < TINY_PX || r.height < TINY_PX) return "";
    const middle = (r.top + r.bottom) / 2;
    const over = middle >= box.top - box.height / 2 && middle <= box.bottom &&
      r.left >= box.left - TINY_PX && r.left < box.left + box.width / 2;
    const after = middle >= box.top && middle <= box.bottom &&
      r.left >= box.right - TINY_PX && r.left <= box.right + box.height;
    if (!over && !after) return "";
    const t = textOf(next, LIMITS.short);
    return WORDY.test(t) ? t : "";
  }

  /**
   * The text just before an unlabelled field (after it, for a checkbox or radio, where their captions sit):
   * its own siblings first, then each ancestor's, up to a few levels, never across another control.
   */
  function nearbyText(el, ctx) {
    const checkable = CHECKABLE.has(attr(el, "type").toLowerCase());
    const tail = (t) => {
      // The end of a long text is nearest the field; start on a whole character.
      let start = Math.max(0, t.length - LIMITS.short);
      const code = t.charCodeAt(start);
      if (code >= 0xdc00 && code <= 0xdfff) start += 1;
      return cut(t.slice(start), LIMITS.short);
    };
    let node = el;
    // Last resorts, used only when no text before the box speaks, at any level: a floating label in a
    // wrapper of its own, then text after the box drawn as its caption (a custom select's shown value and a
    // hint after a box are drawn there too, and the caption before it is the surer one).
    let wrapped = null;
    let drawn = "";
    for (let depth = 0; node && depth < LIMITS.nearbyDepth; depth++) {
      if (checkable) {
        const after = siblingText(node, true);
        if (after) return cut(after, LIMITS.short);
        const before = siblingText(node, false);
        if (before) return tail(before);
        if (after === null || before === null) return "";
      } else {
        const before = siblingText(node, false);
        if (before === null) break;
        if (before) return tail(before);
        // A "floating" label drawn over the box often follows it in the markup, without a for= attribute
        // or with one the site wired to another box: the person reads the label where it is drawn.
        const next = node.nextElementSibling;
        if (next && !ownsText(next)) { // text in an element that holds a box is that box's
          if (next.nodeName === "LABEL") {
            const t = textOf(next, LIMITS.short);
            if (t) return t;
          }
          drawn = drawn || drawnCaption(next, el, ctx);
          wrapped = wrapped || wrappedLabel(next, el);
        }
      }
      node = parentAcross(node); // from the top of a component's shadow tree, on to the text around its host
      if (!node || node.nodeName === "BODY" || node.nodeName === "FORM") break;
    }
    return wrapped ? textOf(wrapped, LIMITS.short) : drawn;
  }

  // Text that stripping and collapsing ASCII whitespace would leave as it is.
  const UNTIDY = /[\t\n\f\r]|^ | $|  /;

  function optionsOf(select) {
    const out = [];
    const options = select.options || [];
    // The length of the live list is asked once: nothing changes the page while it is read.
    const count = Math.min(options.length, LIMITS.options);
    for (let i = 0; i < count; i++) {
      const o = options[i];
      // option.text is the option's text whitespace-stripped and collapsed (HTML spec); a value is kept
      // exact, because the fill step selects by it. Most options hold one tidy text node, and then
      // textContent is that same string, read at a third of the cost (a script or other element inside
      // an option, or untidy whitespace, leaves it to option.text).
      const whole = o.firstElementChild === null ? o.textContent : null;
      const text = clip(whole !== null && !UNTIDY.test(whole) ? whole : o.text, LIMITS.short);
      const value = o.getAttribute("value");
      out.push({ value: value === null ? text : clip(value, LIMITS.short), text });
    }
    return out;
  }

  function controlType(el, tag) {
    if (tag === "select") return el.multiple ? "select-multiple" : "select-one";
    if (tag === "textarea") return "textarea";
    // el.type normalises unknown types to "text", as the browser treats them.
    return cut((el.type || attr(el, "type") || "text").toLowerCase(), LIMITS.type);
  }

  function originOf(url, base) {
    try {
      return new URL(url, base).origin;
    } catch {
      return null;
    }
  }

  function pageInfo(doc, win) {
    const frameOrigin = win.location.origin;
    let topOrigin = frameOrigin;
    if (win.top !== win) {
      const ancestors = win.location.ancestorOrigins; // Chromium only
      if (ancestors && ancestors.length) topOrigin = ancestors[ancestors.length - 1];
      else {
        try {
          topOrigin = win.top.location.origin;
        } catch {
          topOrigin = originOf(doc.referrer) || "null"; // Firefox, cross-origin: the service worker knows better
        }
      }
    }
    return {
      url: clip(doc.URL, LIMITS.url),
      top_origin: clip(String(topOrigin), LIMITS.origin),
      frame_origin: clip(String(frameOrigin), LIMITS.origin),
      title: cut(doc.title, LIMITS.short),
    };
  }

  /**
   * The sensible container of a control outside any form: the closest group (a dialog, a fieldset, an
   * element whose role is a form), passing over a <fieldset> drawn around this one box alone. Such a
   * fieldset is the box's outline (an outlined text field), not a group: the boxes of the form it is one
   * of are each in a fieldset of their own, and only the container around them all shows them together.
   */
  function groupAround(el, framesOneBox, shadowBoxes) {
    let group = closestAcross(el, GROUP_SELECTOR);
    while (group && group.nodeName === "FIELDSET") {
      if (!framesOneBox.has(group)) framesOneBox.set(group, seenBoxesUpTo(group, shadowBoxes, 2) <= 1);
      if (!framesOneBox.get(group)) break;
      const above = parentAcross(group);
      group = above ? closestAcross(above, GROUP_SELECTOR) : null;
    }
    return group;
  }

  /**
   * How many boxes a person sees `container` holds, counted up to `limit`: those of its own tree, and those
   * of the components drawn in it (from `shadowBoxes`, the seen boxes in shadow trees), which
   * querySelectorAll does not reach: a fieldset around a row of custom fields is a group, not an outline.
   */
  function seenBoxesUpTo(container, shadowBoxes, limit) {
    let seen = container.querySelectorAll(SEEN_CONTROL_SELECTOR).length;
    const own = container.getRootNode(); // boxes of its own tree are counted above
    for (let i = 0; i < shadowBoxes.length && seen < limit; i++) {
      const box = shadowBoxes[i];
      if (box.getRootNode() !== own && holdsAcross(container, box)) seen += 1;
    }
    return seen;
  }

  /** Whether `node` is inside `container`, in its tree or in a component drawn there (host by host). */
  function holdsAcross(container, node) {
    for (let n = node; n; ) {
      if (container.contains(n)) return true;
      const top = n.getRootNode();
      n = top.nodeType === 11 && top.host ? top.host : null;
    }
    return false;
  }

  /** The nearest heading inside `container`, else the closest one before it in document order (bounded). */
  function headingFor(container) {
    const inside = container.querySelector(HEADING_SELECTOR);
    if (inside) return textOf(inside, LIMITS.short);
    let node = container;
    for (let depth = 0; node && depth < 4; depth++) {
      for (let sib = node.previousElementSibling, n = 0; sib && n < 6; sib = sib.previousElementSibling, n++) {
        const h = sib.matches(HEADING_SELECTOR) ? sib : sib.querySelector(HEADING_SELECTOR);
        if (h) return textOf(h, LIMITS.short);
        if (ownsText(sib)) return "";
      }
      node = parentAcross(node);
    }
    return "";
  }

  /**
   * The first `n` elements under `container` (in document order) that match one of `selectors`, which no
   * element matches two of: container.querySelectorAll(selectors.join(", ")).slice(0, n). Chromium answers a
   * single selector several times faster than a list of them (a list is matched selector by selector at
   * every element), so each is asked alone and the first few of each are put back in document order.
   */
  function firstMatches(container, selectors, n) {
    const found = [];
    for (const selector of selectors) {
      const list = container.querySelectorAll(selector);
      for (let i = 0; i < list.length && i < n; i++) found.push(list[i]);
    }
    if (found.length > 1) found.sort((a, b) => (precedes(a, b) ? -1 : 1));
    return found.slice(0, n);
  }

  function submitTextOf(controls, container) {
    const texts = [];
    const buttons = new Set(firstMatches(container, SUBMIT_SELECTORS, SUBMIT_BUTTONS));
    if (buttons.size < SUBMIT_BUTTONS) {
      for (const el of controls) if (el.matches(SUBMIT_SELECTOR)) buttons.add(el); // form= attribute owners
    }
    for (const b of Array.from(buttons).slice(0, SUBMIT_BUTTONS)) {
      // A button's value/alt is its caption, the page's own text, not something a person typed.
      const t = b.nodeName === "BUTTON" ? textOf(b, LIMITS.short) : attr(b, "value") || attr(b, "alt");
      if (t) texts.push(collapse(t));
    }
    return cut(texts.join(" | "), LIMITS.short);
  }

  function inDialog(container) {
    const dialog = closestAcross(container, DIALOG_SELECTOR);
    // <body class="modal-open"> marks the page while a modal shows; it does not put every form in one.
    const doc = container.ownerDocument;
    return !!dialog && dialog !== doc.body && dialog !== doc.documentElement;
  }

  function describeForm(index, container, controls, synthetic, base) {
    const isForm = !synthetic;
    const action = isForm ? container.getAttribute("action") : null;
    return {
      index,
      id: cut(attr(container, "id"), LIMITS.short),
      name: cut(isForm ? attr(container, "name") : attr(container, "aria-label"), LIMITS.short),
      action_origin: action ? originOf(action, base) : null,
      heading: headingFor(container),
      submit_text: submitTextOf(controls, container),
      text: textOf(container, LIMITS.text),
      field_count: controls.length,
      in_dialog: inDialog(container),
      synthetic,
    };
  }

  /**
   * Describe every control of `doc`. Returns {page, forms, fields}, shaped as the companion's
   * FillRequestPayload. Controls beyond MAX_FIELDS are left out (their indexes would still be right).
   */
  function extractPage(doc, win) {
    const ctx = {
      doc,
      win,
      facts: null,
      chain: null,
      clips: null,
      labels: makeLabels(),
      layout: hasLayout(doc),
      scrollX: win.scrollX || 0,
      scrollY: win.scrollY || 0,
      pageWidth: Math.max(doc.documentElement.scrollWidth, doc.documentElement.clientWidth),
      pageHeight: Math.max(doc.documentElement.scrollHeight, doc.documentElement.clientHeight),
    };
    ctx.facts = makeFacts(doc, win);
    ctx.chain = makeChain(ctx.facts);
    ctx.clips = makeClips(ctx.facts, doc);
    const base = doc.baseURI;
    const controls = describedControls(doc);

    // Group controls: real forms in document order (el.form honours the form= attribute), then one
    // synthetic group per sensible container for controls outside any form.
    const groups = new Map(); // container -> {controls, synthetic}
    const framesOneBox = new Map(); // fieldset -> whether it holds no other box a person sees
    const shadowBoxes = controls.map(({ el }) => el)
      .filter((el) => el.getRootNode() !== doc && el.matches(SEEN_CONTROL_SELECTOR));
    const groupOf = new Map(); // control -> container
    const positionOf = new Map(); // control -> position in its group
    for (const form of Array.from(doc.forms)) groups.set(form, { controls: [], synthetic: false });
    const body = doc.body || doc.documentElement;
    for (const { el } of controls) {
      // A control in a component's shadow tree has no form owner (el.form stays in its own tree); it
      // belongs with the form its host is drawn in.
      const owner = el.form || (el.getRootNode() === doc ? null : closestAcross(el, "form"));
      let container = owner && groups.has(owner) ? owner : null;
      if (!container) {
        container = groupAround(el, framesOneBox, shadowBoxes) || body;
        if (!groups.has(container)) groups.set(container, { controls: [], synthetic: true });
      }
      const members = groups.get(container).controls;
      positionOf.set(el, members.length);
      members.push(el);
      groupOf.set(el, container);
    }
    const forms = [];
    const formIndex = new Map();
    for (const [container, group] of groups) {
      if (group.controls.length === 0 && group.synthetic) continue;
      if (forms.length >= LIMITS.forms) break;
      formIndex.set(container, forms.length);
      forms.push(describeForm(forms.length, container, group.controls, group.synthetic, base));
    }

    const fields = controls.map(({ el, index }) => {
      const tag = el.nodeName.toLowerCase();
      const type = controlType(el, tag);
      const container = groupOf.get(el);
      const fIndex = formIndex.has(container) ? formIndex.get(container) : null;
      const label = labelText(el, ctx.labels(el));
      const ariaLabel = cut(attr(el, "aria-label"), LIMITS.short);
      let reason = hiddenReason(el, ctx);
      if (reason && CHECKABLE.has(type) && visibleThroughLabel(el, reason, ctx)) reason = null;
      const maxLength = tag === "select" ? -1 : el.maxLength;
      return {
        index,
        form_index: fIndex,
        position_in_form: fIndex === null ? null : positionOf.get(el),
        tag,
        type,
        name: cut(attr(el, "name"), LIMITS.short),
        id: cut(attr(el, "id"), LIMITS.short),
        autocomplete: cut(attr(el, "autocomplete"), LIMITS.short),
        label,
        aria_label: ariaLabel,
        placeholder: cut(attr(el, "placeholder"), LIMITS.short),
        title: cut(attr(el, "title"), LIMITS.short),
        nearby_text: label || ariaLabel ? "" : nearbyText(el, ctx),
        options: tag === "select" ? optionsOf(el) : [],
        maxlength: Number.isInteger(maxLength) && maxLength >= 0 ? maxLength : null,
        inputmode: cut(attr(el, "inputmode"), LIMITS.type),
        pattern: cut(attr(el, "pattern"), LIMITS.short),
        checked: CHECKABLE.has(type) ? !!el.checked : null,
        visible: reason === null,
        hidden_reason: reason === null ? null : reason.slice(0, LIMITS.reason),
        disabled: el.matches(":disabled"), // also a disabled fieldset, except inside its first legend
        readonly: tag !== "select" && !!el.readOnly,
      };
    });
    return { page: pageInfo(doc, win), forms, fields };
  }

  /**
   * The controls one extraction describes, each with its index (Controls.controlsOf).
   * A page may hold more than one message carries (LIMITS.fields). Then <input type=hidden> is left out
   * first: no one types in one, and a page of thousands of controls is nearly always one of hidden inputs
   * (a country-and-state table kept in the markup) that would otherwise push the form itself past the cap.
   */
  function describedControls(doc) {
    let controls = Controls.controlsOf(doc).map((el, index) => ({ el, index }));
    if (controls.length > LIMITS.fields) {
      controls = controls.filter(({ el }) => !(el.nodeName === "INPUT" && el.type === "hidden"));
    }
    return controls.slice(0, LIMITS.fields);
  }

  /**
   * Call `callback()` (debounced by `delayMs`, at most every 4 x delayMs while the page keeps changing)
   * when controls are added to `doc` or something that holds controls changes how it is shown (a modal
   * opening, a step of a single-page checkout). Open shadow roots are watched too, each from the first
   * callback after it appeared. Returns a function that stops watching.
   */
  function watchForms(doc, callback, delayMs = 250) {
    const win = doc.defaultView;
    let timer = null;
    let firstPending = 0;
    // Whether a change since the last scan touched controls, or only added components. A component
    // is worth a scan only once it turns out to hold a control: a feed that keeps adding cards drawn in
    // shadow roots must not cost an extraction a second.
    let controlsChanged = false;
    const fire = () => {
      timer = null;
      firstPending = 0;
      const changed = controlsChanged;
      controlsChanged = false;
      try {
        const fresh = watchShadowRoots();
        if (changed || fresh.some((shadow) => shadow.querySelector(CONTROL_SELECTOR))) callback();
      } catch (err) {
        // A failing callback must not stop the watching.
        if (win.console) win.console.error("Proffer: form scan failed", err);
      }
    };
    const schedule = () => {
      const now = Date.now();
      if (!firstPending) firstPending = now;
      if (timer !== null) win.clearTimeout(timer);
      const wait = now - firstPending >= delayMs * 4 ? 0 : delayMs;
      timer = win.setTimeout(fire, wait);
    };
    // A component (a custom element, or any element given a shadow root) may draw its controls a moment
    // after it is added, in a tree this observer does not see yet: adding one means looking for new
    // shadow roots to watch, and scanning if one of them already holds a control.
    const component = (n) => !!n.shadowRoot || n.localName.includes("-");
    const addsComponent = (n) => component(n) || Array.prototype.some.call(n.getElementsByTagName("*"), component);
    const touchesControls = (m) => m.type === "childList"
      ? Array.prototype.some.call(m.addedNodes, containsControl)
      : m.target.nodeType === 1 && containsControl(m.target);
    const addsComponents = (m) => m.type === "childList" &&
      Array.prototype.some.call(m.addedNodes, (n) => n.nodeType === 1 && addsComponent(n));
    const observer = new win.MutationObserver((mutations) => {
      if (mutations.some(touchesControls)) controlsChanged = true;
      else if (!mutations.some(addsComponents)) return;
      schedule();
    });
    const options = {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["style", "class", "hidden", "open", "aria-hidden", "inert", "disabled", "type"],
    };
    const watched = new WeakSet();
    /** Starts watching the open shadow roots not watched yet, and returns them. */
    function watchShadowRoots() {
      const fresh = [];
      for (const shadow of Controls.shadowRootsOf(doc)) {
        if (watched.has(shadow)) continue;
        watched.add(shadow);
        observer.observe(shadow, options);
        fresh.push(shadow);
      }
      return fresh;
    }
    observer.observe(doc.documentElement, options);
    watchShadowRoots();
    return () => {
      observer.disconnect();
      if (timer !== null) win.clearTimeout(timer);
      timer = null;
    };
  }

  // [tag, type, name, id] as a descriptor gives them: what makes a control the one the person approved a
  // value for, checked again before the value is written (a page may reorder its controls meanwhile).
  function controlIdentity(el) {
    const tag = el.nodeName.toLowerCase();
    return [tag, controlType(el, tag), cut(attr(el, "name"), LIMITS.short), cut(attr(el, "id"), LIMITS.short)];
  }

  // Has `el` the identity `expect` ([tag, type, name, id], as the service worker sent it)?
  function hasIdentity(el, expect) {
    const own = controlIdentity(el);
    return Array.isArray(expect) && expect.length === own.length && expect.every((part, i) => part === own[i]);
  }

  const api = Object.freeze({
    CONTROL_SELECTOR, LIMITS, extractPage, watchForms, hiddenReason, textOf, controlIdentity, hasIdentity,
  });
  root.ProfferExtract = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})(globalThis);
