// The numbering of a page's form controls that every part of Proffer shares, the way up the tree from a
// control when part of the page lives in shadow roots (web components), and the readings of computed
// style and of the browser's hit test that extraction and filling both judge visibility by.
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

  const CONTROL_TAGS = ["input", "select", "textarea"];
  const CONTROL_SELECTOR = CONTROL_TAGS.join(", ");
  const MAX_SHADOW_ROOTS = 1000;
  // How many controls of the less common kinds (controlsIn) are placed among the most common one by search;
  // past it, the list selector is asked instead.
  const MAX_PLACED = 64;

  // Every element of a document or shadow tree, in tree order. A document's own live list is kept up to date
  // by the browser and read by index without building a list: a fifth of an extraction's time went into the
  // static list querySelectorAll("*") makes. A shadow root has no such list.
  function everyElement(scope) {
    return scope.getElementsByTagName ? scope.getElementsByTagName("*") : scope.querySelectorAll("*");
  }

  /** The open shadow roots under `doc`, in the order their controls are numbered. */
  function shadowRootsOf(doc) {
    const roots = [];
    const stack = [doc];
    while (stack.length && roots.length < MAX_SHADOW_ROOTS) {
      const scope = stack.pop();
      if (scope !== doc) roots.push(scope);
      const found = [];
      const all = everyElement(scope);
      // A live list's length is a call into the browser each time it is asked; nothing changes meanwhile.
      const count = all.length;
      for (let i = 0; i < count; i++) if (all[i].shadowRoot) found.push(all[i].shadowRoot);
      for (let i = found.length - 1; i >= 0; i--) stack.push(found[i]);
    }
    return roots;
  }

  /** Whether `a` comes before `b` in document order (both in one tree). */
  function precedes(a, b) {
    return (a.compareDocumentPosition(b) & a.DOCUMENT_POSITION_FOLLOWING) !== 0;
  }

  /**
   * Appends to `controls` those of one document or shadow tree, in the order of
   * scope.querySelectorAll(CONTROL_SELECTOR). Chromium answers a single selector several times faster than a
   * list (it tries a list selector by selector at every element: 0.31 ms on a page of 6,300 elements, 0.04 ms
   * for one tag), so each kind is asked apart. A page has mostly one kind (inputs); the few others are put
   * among them in document order by binary search. Past MAX_PLACED of those, the list is asked for instead.
   */
  function controlsIn(scope, controls) {
    // Indexed, not Array.from or spread: those step through a list's iterator, three times slower (a page of
    // 5,000 hidden inputs spent a third of its extraction there).
    const append = (list, from, to) => {
      for (let i = from; i < to; i++) controls.push(list[i]);
    };
    const lists = CONTROL_TAGS.map((tag) => scope.querySelectorAll(tag)).sort((a, b) => b.length - a.length);
    const [most] = lists;
    const others = [];
    for (let k = 1; k < lists.length; k++) {
      // One more than can be placed is enough to know the list must be asked for.
      for (let i = 0, count = lists[k].length; i < count && others.length <= MAX_PLACED; i++) others.push(lists[k][i]);
    }
    if (others.length > MAX_PLACED) {
      const all = scope.querySelectorAll(CONTROL_SELECTOR);
      append(all, 0, all.length);
      return;
    }
    others.sort((a, b) => (precedes(a, b) ? -1 : 1));
    const count = most.length;
    let from = 0;
    for (const el of others) {
      // The first of `most` from `from` on that comes after el: el goes just before it.
      let low = from;
      let high = count;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (precedes(most[mid], el)) low = mid + 1;
        else high = mid;
      }
      append(most, from, low);
      controls.push(el);
      from = low;
    }
    append(most, from, count);
  }

  /** Every control of `doc`, in index order: the document's own, then those in open shadow roots. */
  function controlsOf(doc) {
    const controls = [];
    controlsIn(doc, controls);
    for (const shadow of shadowRootsOf(doc)) controlsIn(shadow, controls);
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

  // Readings of computed style. A hostile page hides a field in more ways than display and opacity; these
  // are the ones a computed style tells outright, so extraction (which offers fields) and filling (which
  // checks again at the last moment) read them alike.

  /** The factor a computed `filter` scales opacity by: "opacity(0)" hides as surely as opacity: 0. */
  function filterOpacity(filter) {
    if (!filter || filter === "none") return 1; // nearly every element: no regex to run
    let factor = 1;
    for (const m of filter.matchAll(/opacity\(\s*([\d.]+)(%?)\s*\)/g)) {
      const value = Number.parseFloat(m[1]);
      if (!Number.isNaN(value)) factor *= m[2] ? value / 100 : value;
    }
    return Math.min(1, factor);
  }

  /**
   * Whether a computed `clip-path` leaves nothing to see: inset by half or more, a circle or ellipse of
   * radius 0, or a polygon with no area ("polygon(0px 0px, 0px 0px, 0px 0px)").
   */
  function clipPathEmpty(clipPath) {
    const value = clipPath || "";
    if (/^inset\(\s*(50|100)%/.test(value) || /^(circle|ellipse)\(\s*0(px|%)?[\s)]/.test(value)) return true;
    const polygon = /^polygon\((?:\s*(?:nonzero|evenodd)\s*,)?([^)]*)\)$/.exec(value);
    if (!polygon) return false;
    const points = polygon[1].split(",").map((pair) => pair.trim().split(/\s+/));
    if (points.some((p) => p.length !== 2 || p.some((v) => !/^-?[\d.]+(px|%)?$/.test(v)))) return false;
    const units = new Set(points.flat().map((v) => v.replace(/^-?[\d.]+/, "") || "px"));
    if (units.size > 1) return false; // mixed units: the area cannot be told without the box
    let twiceArea = 0;
    for (let i = 0; i < points.length; i++) {
      const [x1, y1] = points[i].map(Number.parseFloat);
      const [x2, y2] = points[(i + 1) % points.length].map(Number.parseFloat);
      twiceArea += x1 * y2 - x2 * y1;
    }
    return Math.abs(twiceArea) < 1;
  }

  /**
   * Whether the text a person would read in the control is fully transparent ("color: transparent", or
   * Chromium's -webkit-text-fill-color): a value written there could not be seen.
   */
  function textTransparent(style) {
    const fill = style.webkitTextFillColor || style.color || "";
    return fill === "transparent" || /^rgba\([^)]*,\s*0(\.0+)?\s*\)$/.test(fill) ||
      /^(rgb|color)\([^)]*\/\s*0(\.0+)?%?\s*\)$/.test(fill);
  }

  // ---- covered by another element ----------------------------------------------------------------------
  //
  // A field can pass every style check and still be out of sight: the page draws another element over it.
  // The browser's own hit test says what is on top at a point. What may sit over a field without hiding
  // it: the field's own labels (a floating label), and anything that paints nothing (a transparent wrapper);
  // elements with pointer-events: none are not hit at all (a placeholder drawn by the page). What hides it:
  // an element with a background of half opacity or more, a background image, or a picture (a loaded img,
  // video, canvas, svg, iframe), itself seen. The centre is asked first; only when something hides it are
  // four more points asked, and the field counts as covered only when every point inside the viewport is
  // hidden: a banner over part of it, or an icon drawn at its edge, leaves it in sight. A field wholly
  // outside the viewport cannot be tested, and is taken as not covered.

  const PICTURES = new Set(["video", "canvas", "svg", "iframe", "object", "embed", "picture"]);
  const COVER_OPACITY = 0.1; // an element fainter than this hides nothing (the same floor as for fields)
  const COVER_ALPHA = 0.5; // a background at least this opaque hides what is under it
  // Where a field is looked at, as fractions of its box: the centre, then left, right, upper and lower.
  const PROBES = [[0.5, 0.5], [0.15, 0.5], [0.85, 0.5], [0.5, 0.2], [0.5, 0.8]];

  /** The alpha of a computed colour ("rgba(0, 0, 0, 0.5)", "rgb(0 0 0 / 50%)", "transparent"). */
  function colourAlpha(colour) {
    if (!colour || colour === "transparent") return 0;
    const m = /^(?:rgba?|color)\(([^)]*)\)$/.exec(colour);
    if (!m) return 1;
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    const alpha = parts.length >= 4 ? parts[parts.length - 1] : "1";
    const value = Number.parseFloat(alpha);
    if (Number.isNaN(value)) return 1;
    return alpha.endsWith("%") ? value / 100 : value;
  }

  /** Whether `node` is `el` or one of the elements `el` is drawn inside, across shadow hosts and slots. */
  function holds(node, el) {
    for (let n = el; n; n = renderedParent(n)) if (n === node) return true;
    return false;
  }

  function seen(node, win) {
    let opacity = 1;
    for (let n = node; n && n.nodeType === 1; n = renderedParent(n)) {
      const style = win.getComputedStyle(n);
      const own = Number.parseFloat(style.opacity);
      opacity *= (Number.isNaN(own) ? 1 : own) * filterOpacity(style.filter);
      if (opacity < COVER_OPACITY) return false;
    }
    return win.getComputedStyle(node).visibility === "visible";
  }

  function paints(node, win) {
    // An image that did not load draws nothing over the field (a blocked icon, a lazy one not yet fetched).
    if (node.localName === "img") return node.naturalWidth > 0;
    if (PICTURES.has(node.localName)) return true;
    const style = win.getComputedStyle(node);
    return (style.backgroundImage && style.backgroundImage !== "none") || colourAlpha(style.backgroundColor) >= COVER_ALPHA;
  }

  /** What hides `el` at the viewport point (x, y), or null when the person sees the field there. */
  function coverAt(el, labels, scope, win, x, y) {
    const hit = scope.elementFromPoint(x, y);
    if (!hit || holds(hit, el) || el.contains(hit)) return null;
    if (Array.from(labels || el.labels || []).some((label) => label === hit || label.contains(hit))) return null;
    // Between the hit and the nearest element that holds the field, anything that paints hides it; the
    // elements that hold the field are drawn beneath it.
    for (let node = hit; node && !holds(node, el); node = renderedParent(node)) {
      if (paints(node, win) && seen(node, win)) return node;
    }
    return null;
  }

  /**
   * The element drawn over `el` that hides it from the person, or null. Needs a real layout (a browser, not
   * jsdom): without elementFromPoint, or with the field outside the viewport, null. A caller that has
   * already read el.getBoundingClientRect() and el's labels (extraction) passes them, not to read them twice.
   */
  function coveredBy(el, win, knownRect = null, labels = null) {
    const scope = el.getRootNode();
    if (typeof scope.elementFromPoint !== "function") return null;
    const rect = knownRect || el.getBoundingClientRect();
    let cover = null;
    for (const [fx, fy] of PROBES) {
      const x = rect.left + rect.width * fx;
      const y = rect.top + rect.height * fy;
      if (!(x >= 0 && y >= 0 && x < win.innerWidth && y < win.innerHeight)) continue;
      const found = coverAt(el, labels, scope, win, x, y);
      if (!found) return null;
      cover = cover || found;
    }
    return cover;
  }

  const api = Object.freeze({
    CONTROL_SELECTOR, MAX_SHADOW_ROOTS, shadowRootsOf, controlsOf, precedes, parentAcross, renderedParent,
    closestAcross, byIdNear, filterOpacity, clipPathEmpty, textTransparent, colourAlpha, coveredBy,
  });
  root.ProfferControls = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})(globalThis);
