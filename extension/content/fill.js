// Proffer's fill code: puts the values the person approved into the page, in a way the page's framework
// notices, and refuses at the last moment anything that should not be filled.
//
// A classic script (MV3 content scripts cannot be modules) that defines `globalThis.ProfferFill` and, under
// node, `module.exports`, so the same file runs in the page and in the jsdom tests. Pure functions over a
// document and its window; no state between calls.
//
// Design notes
// - Frameworks keep their own copy of an input's value. React installs a value property on each controlled
//   input and ignores an `input` event whose value it already saw, so `el.value = x` followed by an event
//   is swallowed. Writing through the *prototype's* native setter (HTMLInputElement.prototype's `value`
//   descriptor) bypasses the instance property, so React's tracker sees a change when the event arrives.
//   Vue's v-model and Angular's DefaultValueAccessor listen to `input` (Angular also to `compositionend`,
//   which only matters while an IME composes). We focus first, set, then fire `input` and `change`
//   (bubbling, like a person typing and leaving the field) and blur, so "touched"/"dirty" states and
//   blur-time validation run as they would for a person. Focus and blur are fired as events; the real
//   focus is not moved (see focus() below).
// - Checkboxes are changed by `click()`: its activation behaviour toggles `checked` and fires `input` and
//   `change`, and React listens to `click` for checkboxes.
// - The content script extracted the fields a moment ago, and the page may have changed them since (a
//   hostile page can hide a field after the person approved it). So every fill re-checks: still in the
//   document, visible and not covered by another element, enabled, writable, and not a kind of field
//   Proffer never fills (passwords, files, hidden inputs, payment cards, one-time codes), and checks again
//   after the focus events, right before the write or the click, since the page's focus handlers run in
//   between. A refusal carries a reason; nothing is ever read out of a field into the report.
// - Selects are matched by option value or text: exact, then case-, accent- and punctuation-insensitive,
//   then numerically ("03" = "3"), then ISO 3166-2 suffixes ("DE-BY" = "BY"), then as a month (number or
//   name in English or the page's language), then as a country (code or name in English or the page's
//   language, through Intl.DisplayNames, so "United Kingdom" finds "Vereinigtes Königreich").
(function defineProfferFill(root) {
  "use strict";

  // The numbering of controls and the way up across shadow hosts, shared with extract.js (controls.js is
  // loaded before this file in the page; required under node).
  const Controls = root.ProfferControls || require("./controls.js");
  const { closestAcross, renderedParent, filterOpacity, clipPathEmpty, textTransparent, coveredBy } = Controls;

  const REASONS = Object.freeze({
    NO_SUCH_FIELD: "no_such_field",
    DUPLICATE: "duplicate_index",
    BAD_ENTRY: "bad_entry",
    NOT_A_FIELD: "not_a_field",
    DETACHED: "detached",
    INVISIBLE: "invisible",
    COVERED: "covered",
    DISABLED: "disabled",
    READONLY: "readonly",
    NEVER_FILLED_TYPE: "never_filled_type",
    PAYMENT_CARD: "payment_card",
    ONE_TIME_CODE: "one_time_code",
    BAD_VALUE: "bad_value",
    EMPTY_VALUE: "empty_value",
    VALUE_NOT_ACCEPTED: "value_not_accepted",
    NO_MATCHING_OPTION: "no_matching_option",
    OPTION_DISABLED: "option_disabled",
    CANNOT_UNTICK_RADIO: "cannot_untick_radio",
    PAGE_REVERTED: "page_reverted_change",
    TOO_LONG: "longer_than_field_allows",
  });

  // Input types Proffer never writes to, whatever the companion says.
  const NEVER_FILLED_TYPES = new Set(["password", "file", "hidden"]);
  const NOT_VALUE_TYPES = new Set(["submit", "button", "reset", "image", "range", "color"]);
  const CHECKABLE_TYPES = new Set(["checkbox", "radio"]);
  // Types whose value the browser sanitises (a number field drops "abc"): probed before the real field.
  const SANITISED_TYPES = new Set(["number", "email", "date", "month", "week", "time", "datetime-local", "url"]);
  const MIN_VISIBLE_PX = 2;
  const MIN_OPACITY = 0.1;
  const COUNTRY_ALIASES = new Map([
    ["uk", "GB"], ["great britain", "GB"], ["england", "GB"], ["scotland", "GB"], ["wales", "GB"],
    ["usa", "US"], ["united states of america", "US"], ["u s a", "US"], ["u s", "US"],
  ]);

  // ---- what may be filled -------------------------------------------------------------------------------

  function kindOf(element) {
    const tag = element && element.localName;
    if (tag === "select" || tag === "textarea") return tag;
    if (tag !== "input") return null;
    const type = (element.type || "text").toLowerCase();
    return CHECKABLE_TYPES.has(type) ? "checkable" : "input";
  }

  function autocompleteTokens(element) {
    return (element.getAttribute("autocomplete") || "").toLowerCase().split(/\s+/).filter(Boolean);
  }

  // A real layout engine reports a size for the root element; jsdom reports 0 for everything, so size and
  // position checks only run where they mean something.
  function hasLayout(win) {
    return win.document.documentElement.getBoundingClientRect().width > 0;
  }

  function elementHidden(element, win) {
    if (closestAcross(element, "[hidden], [inert], [aria-hidden='true'], dialog:not([open])")) return true;
    const closedDetails = closestAcross(element, "details:not([open])");
    if (closedDetails && !closestAcross(element, "summary")) return true;
    const own = win.getComputedStyle(element);
    if (own.visibility !== "visible") return true;
    // Checkboxes are drawn by their box; any other control with transparent text would hide its value.
    if (kindOf(element) !== "checkable" && textTransparent(own)) return true;
    let opacity = 1;
    for (let node = element; node && node.nodeType === 1; node = renderedParent(node)) {
      const style = win.getComputedStyle(node);
      if (style.display === "none") return true;
      opacity *= Number.parseFloat(style.opacity || "1") * filterOpacity(style.filter);
      if (clipPathEmpty(style.clipPath) || /^rect\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\)$/.test(style.clip || "")) {
        return true;
      }
    }
    if (opacity < MIN_OPACITY) return true;
    if (!hasLayout(win)) return false;
    const rect = element.getBoundingClientRect();
    if (rect.width < MIN_VISIBLE_PX || rect.height < MIN_VISIBLE_PX) return true;
    // Entirely above or left of the document's origin: pushed off-screen, where no person can see it.
    return rect.right + win.scrollX <= 0 || rect.bottom + win.scrollY <= 0;
  }

  // Shops hide the real checkbox and draw their own next to its label; the person sees and clicks the
  // label, so a checkbox counts as visible when it or one of its labels is.
  function isVisible(element, win) {
    if (!elementHidden(element, win)) return true;
    if (kindOf(element) !== "checkable") return false;
    return Array.from(element.labels || []).some((label) => !elementHidden(label, win));
  }

  // Why this is a kind of box Proffer never touches (a secret, a card, a one-time code, no box at all),
  // whatever its state; null for any other. Also what content.js asks before offering a typed loyalty
  // number to be kept: what is typed into such a box is never offered.
  function kindRefusal(element) {
    const kind = kindOf(element);
    if (!kind) return REASONS.NOT_A_FIELD;
    if (kind === "input" || kind === "checkable") {
      const type = (element.type || "text").toLowerCase();
      if (NEVER_FILLED_TYPES.has(type)) return REASONS.NEVER_FILLED_TYPE;
      if (NOT_VALUE_TYPES.has(type)) return REASONS.NOT_A_FIELD;
    }
    const tokens = autocompleteTokens(element);
    if (tokens.some((token) => token.startsWith("cc-"))) return REASONS.PAYMENT_CARD;
    if (tokens.includes("one-time-code")) return REASONS.ONE_TIME_CODE;
    if (tokens.includes("current-password") || tokens.includes("new-password")) return REASONS.NEVER_FILLED_TYPE;
    return null;
  }

  // Why this element must not be written to, from its attributes and state alone (no layout is read).
  function stateRefusal(element) {
    if (!kindOf(element)) return REASONS.NOT_A_FIELD;
    if (!element.isConnected) return REASONS.DETACHED;
    const refusal = kindRefusal(element);
    if (refusal) return refusal;
    if (element.disabled || element.matches(":disabled")) return REASONS.DISABLED;
    if (element.readOnly) return REASONS.READONLY;
    return null;
  }

  // Why this element must not be written to now, or null when it may be. A box another element is drawn
  // over is refused too (controls.js): the person would not see what went into it. A checkbox is left to
  // its label, as in isVisible.
  function refusalFor(element, win) {
    const refusal = stateRefusal(element);
    if (refusal) return refusal;
    if (!isVisible(element, win)) return REASONS.INVISIBLE;
    if (kindOf(element) !== "checkable" && hasLayout(win) && stillCovered(element, win)) return REASONS.COVERED;
    return null;
  }

  // A sticky bar or a banner may be over a box only where the page happens to be scrolled to: the box is
  // brought into view and looked at again. What still covers it then follows it (an overlay of the page's
  // own making) or covers the whole window.
  function stillCovered(element, win) {
    if (!coveredBy(element, win)) return false;
    element.scrollIntoView({ block: "center", inline: "nearest" });
    return !!coveredBy(element, win);
  }

  // ---- writing ------------------------------------------------------------------------------------------

  function nativeValueSetter(element, win) {
    const proto = {
      input: win.HTMLInputElement.prototype,
      textarea: win.HTMLTextAreaElement.prototype,
      select: win.HTMLSelectElement.prototype,
    }[element.localName];
    return Object.getOwnPropertyDescriptor(proto, "value").set;
  }

  // Focus and blur are announced with the events a person's focus change fires (focus/focusin, then
  // blur/focusout), not by moving the real focus: the caret stays where the person has it, nothing
  // scrolls, and no layout is forced per field (real focus() cost about a millisecond a field).
  function focus(element) {
    const win = element.ownerDocument.defaultView;
    element.dispatchEvent(new win.FocusEvent("focus"));
    element.dispatchEvent(new win.FocusEvent("focusin", { bubbles: true, composed: true }));
  }

  function blur(element) {
    const win = element.ownerDocument.defaultView;
    element.dispatchEvent(new win.FocusEvent("blur"));
    element.dispatchEvent(new win.FocusEvent("focusout", { bubbles: true, composed: true }));
  }

  // The page's own focus handlers run inside focus(): one can turn the field into a password, card or
  // hidden box, or hide it, after fillField checked it. So the check runs again between the focus events
  // and the write, and a field that fails it now is left as it is (blurred, never written).
  function refusedAfterFocus(element, win) {
    focus(element);
    const refusal = refusalFor(element, win);
    if (refusal) blur(element);
    return refusal;
  }

  function writeValue(element, value, win) {
    const refusal = refusedAfterFocus(element, win);
    if (refusal) return { ok: false, reason: refusal };
    nativeValueSetter(element, win).call(element, value);
    element.dispatchEvent(
      new win.InputEvent("input", { bubbles: true, composed: true, inputType: "insertReplacementText", data: value }),
    );
    element.dispatchEvent(new win.Event("change", { bubbles: true }));
    blur(element);
    return { ok: true, reason: null };
  }

  // Would this input type keep the value as given? Asked of a detached twin, so the real field is untouched
  // (and never read) when the answer is no.
  function acceptedByType(element, value) {
    const type = (element.type || "text").toLowerCase();
    if (!SANITISED_TYPES.has(type)) return true;
    const probe = element.ownerDocument.createElement("input");
    probe.type = type;
    probe.value = value;
    return probe.value === value;
  }

  // The write itself, once fillField found the element visible; the value decides the rest.
  function write(element, value, win) {
    const kind = kindOf(element);
    if (kind === "checkable") {
      if (typeof value !== "boolean") return { ok: false, reason: REASONS.BAD_VALUE };
      if (element.checked === value) return { ok: true, reason: null };
      if (!value && element.type === "radio") return { ok: false, reason: REASONS.CANNOT_UNTICK_RADIO };
      const refusal = refusedAfterFocus(element, win);
      if (refusal) return { ok: false, reason: refusal };
      element.click();
      blur(element);
      // The page may cancel the click or flip the box back in its handler.
      return element.checked === value ? { ok: true, reason: null } : { ok: false, reason: REASONS.PAGE_REVERTED };
    }
    if (typeof value !== "string") return { ok: false, reason: REASONS.BAD_VALUE };
    if (value === "") return { ok: false, reason: REASONS.EMPTY_VALUE };
    // A one-line box silently drops line breaks, which would glue "12 Main St" to "Flat 3": the lines of
    // a street address go into it joined by a comma, as people write an address on one line. The companion
    // already sends values joined for <input> boxes (companion/boxes.py); this guards the page regardless.
    if (kind === "input") value = oneLine(value);
    if (kind === "select") {
      const option = matchOption(element, value, pageLanguage(element));
      if (!option) return { ok: false, reason: REASONS.NO_MATCHING_OPTION };
      if (option.disabled) return { ok: false, reason: REASONS.OPTION_DISABLED };
      return writeValue(element, option.value, win);
    }
    if (kind === "input" && !acceptedByType(element, value)) return { ok: false, reason: REASONS.VALUE_NOT_ACCEPTED };
    if (element.maxLength > 0 && value.length > element.maxLength) return { ok: false, reason: REASONS.TOO_LONG };
    return writeValue(element, value, win);
  }

  function oneLine(value) {
    return value.includes("\n") || value.includes("\r")
      ? value
          .split(/\s*[\r\n]+\s*/)
          .filter((line) => line !== "")
          .join(", ")
      : value;
  }

  function defaultWindow(element) {
    return element && element.ownerDocument ? element.ownerDocument.defaultView : null;
  }

  // Ticks (true) or unticks (false) a checkbox, or ticks a radio button, with click-equivalent events.
  function setChecked(element, checked, win = defaultWindow(element)) {
    if (kindOf(element) !== "checkable" || typeof checked !== "boolean") return { ok: false, reason: REASONS.BAD_VALUE };
    return fillField(element, checked, win);
  }

  // One field: a string for inputs, textareas and selects, a boolean for checkboxes and radios.
  function fillField(element, value, win = defaultWindow(element)) {
    if (!kindOf(element) || !win) return { ok: false, reason: REASONS.NOT_A_FIELD };
    const refusal = refusalFor(element, win);
    if (refusal) return { ok: false, reason: refusal };
    return write(element, value, win);
  }

  // ---- matching select options --------------------------------------------------------------------------

  function pageLanguage(element) {
    const owner = closestAcross(element, "[lang]");
    const lang = (owner && owner.getAttribute("lang")) || element.ownerDocument.documentElement.lang || "en";
    return lang.split(/[-_]/)[0].toLowerCase() || "en";
  }

  function normalise(text) {
    return String(text)
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .replace(/ß/g, "ss")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  const DIGITS = /^\s*\d+\s*$/;

  function asNumber(text) {
    return DIGITS.test(text) ? Number.parseInt(text, 10) : null;
  }

  const monthTables = new Map();

  // normalised month name (long and short forms) -> 1..12, for English and the given language.
  function monthTable(lang) {
    const key = lang;
    if (monthTables.has(key)) return monthTables.get(key);
    const table = new Map();
    for (const locale of new Set(["en", lang])) {
      for (const form of ["long", "short"]) {
        let format;
        try {
          format = new Intl.DateTimeFormat(locale, { month: form, timeZone: "UTC" });
        } catch {
          continue; // an unknown language tag: English still applies
        }
        for (let month = 1; month <= 12; month += 1) {
          table.set(normalise(format.format(Date.UTC(2001, month - 1, 15))), month);
        }
      }
    }
    monthTables.set(key, table);
    return table;
  }

  function monthByName(text, lang) {
    return monthTable(lang).get(normalise(text)) ?? null;
  }

  const regionNamers = new Map();
  const countryNames = new Map();

  function regionNamersFor(lang) {
    if (!regionNamers.has(lang)) {
      const namers = [];
      for (const locale of new Set(["en", lang])) {
        try {
          namers.push(new Intl.DisplayNames([locale], { type: "region", fallback: "none" }));
        } catch {
          // an unknown language tag: English still applies
        }
      }
      regionNamers.set(lang, namers);
    }
    return regionNamers.get(lang);
  }

  function isCountryCode(text) {
    return /^\s*[A-Za-z]{2}\s*$/.test(text);
  }

  function asCountryCode(text) {
    const code = text.trim().toUpperCase();
    return code === "UK" ? "GB" : code;
  }

  // The normalised names of one ISO 3166-1 alpha-2 code in English and the given language, plus aliases.
  function namesOfCountry(code, lang) {
    const key = `${lang}:${code}`;
    if (!countryNames.has(key)) {
      const names = new Set();
      for (const namer of regionNamersFor(lang)) {
        const name = namer.of(code);
        if (name && name !== code) names.add(normalise(name));
      }
      for (const [alias, aliasCode] of COUNTRY_ALIASES) if (aliasCode === code) names.add(alias);
      countryNames.set(key, names);
    }
    return countryNames.get(key);
  }

  const regionTables = new Map();

  // normalised country name -> code, for every code: only needed when neither the value nor the options
  // carry a code, and costly to build (about 100 ms), so built on first need only.
  function regionTable(lang) {
    if (regionTables.has(lang)) return regionTables.get(lang);
    const table = new Map(COUNTRY_ALIASES);
    const A = "A".charCodeAt(0);
    for (let i = 0; i < 26; i += 1) {
      for (let j = 0; j < 26; j += 1) {
        const code = String.fromCharCode(A + i, A + j);
        // Deprecated and exceptional codes repeat a country's name ("UK" is "United Kingdom" too): the
        // first, alphabetical, code keeps the name, which puts the assigned code ("GB") first.
        for (const name of namesOfCountry(code, lang)) if (!table.has(name)) table.set(name, code);
      }
    }
    regionTables.set(lang, table);
    return table;
  }

  // Does an option text stand for the same country as the value? Codes are compared as codes, a code and
  // a name through the code's names; two names through the full table.
  function sameCountry(valueText, optionText, lang) {
    if (isCountryCode(valueText) && isCountryCode(optionText)) return asCountryCode(valueText) === asCountryCode(optionText);
    if (isCountryCode(optionText)) return namesOfCountry(asCountryCode(optionText), lang).has(normalise(valueText));
    if (isCountryCode(valueText)) return namesOfCountry(asCountryCode(valueText), lang).has(normalise(optionText));
    return false;
  }

  function countryByName(text, lang) {
    return regionTable(lang).get(normalise(text)) ?? null;
  }

  function optionTexts(option) {
    return [option.value, option.text, option.label].filter((t) => typeof t === "string" && t.trim() !== "");
  }

  function looksLikeMonthSelect(options, lang) {
    return options.filter((o) => monthByName(o.text, lang) !== null).length >= 12;
  }

  // The option of `select` that stands for `value`, or null. Earlier rules win; within a rule, the first
  // option in document order.
  function matchOption(select, value, lang = pageLanguage(select)) {
    const options = Array.from(select.options);
    const wanted = normalise(value);
    const number = asNumber(value);
    const rules = [
      (o) => o.value === value,
      (o) => wanted !== "" && optionTexts(o).some((t) => normalise(t) === wanted),
      (o) => number !== null && optionTexts(o).some((t) => asNumber(t) === number),
      (o) => {
        const upper = String(value).trim().toUpperCase();
        const optionValue = o.value.trim().toUpperCase();
        return optionValue !== "" && upper !== "" && (optionValue.endsWith(`-${upper}`) || upper.endsWith(`-${optionValue}`));
      },
      (() => {
        let month; // worked out on first use: the month tables cost milliseconds, and most selects match earlier
        return (o) => {
          if (month === undefined) {
            month = monthByName(value, lang) ?? (number !== null && looksLikeMonthSelect(options, lang) ? number : null);
            if (month !== null && (month < 1 || month > 12)) month = null;
          }
          return month !== null && optionTexts(o).some((t) => asNumber(t) === month || monthByName(t, lang) === month);
        };
      })(),
      (o) => optionTexts(o).some((t) => sameCountry(value, t, lang)),
      (() => {
        if (isCountryCode(value)) return () => false;
        let code; // looked up on first use: most selects match before this rule
        return (o) => {
          if (code === undefined) code = countryByName(value, lang);
          return code !== null && optionTexts(o).some((t) => !isCountryCode(t) && countryByName(t, lang) === code);
        };
      })(),
    ];
    for (const rule of rules) {
      const found = options.find((o) => rule(o));
      if (found) return found;
    }
    return null;
  }

  // ---- many fields at once ------------------------------------------------------------------------------

  // entries: [{index, value}] (value a string), or [{index, checked}] for a checkbox or radio; index is the
  // position in document.querySelectorAll("input, select, textarea"), then in open shadow roots
  // (controls.js). Returns
  // {filled: [index, ...], refused: [{index, reason}, ...]}: positions and reasons only, never a value.
  //
  // Each field is checked right before its own write, after the page's handlers for the previous field ran:
  // a page that hides or disables a field in reaction to a fill stops that field's fill.
  function fillFields(doc, entries) {
    if (!Array.isArray(entries)) throw new TypeError("fillFields expects an array of {index, value} entries");
    const win = doc.defaultView;
    const controls = Controls.controlsOf(doc);
    const report = { filled: [], refused: [] };
    const refuse = (index, reason) => report.refused.push({ index, reason });
    const seen = new Set();
    for (const entry of entries) {
      const index = entry && Number.isInteger(entry.index) && entry.index >= 0 ? entry.index : null;
      if (index === null) {
        refuse(null, REASONS.BAD_ENTRY);
        continue;
      }
      if (seen.has(index)) {
        refuse(index, REASONS.DUPLICATE);
        continue;
      }
      seen.add(index);
      const element = controls[index];
      if (!element) {
        refuse(index, REASONS.NO_SUCH_FIELD);
        continue;
      }
      const result = fillField(element, typeof entry.checked === "boolean" ? entry.checked : entry.value, win);
      if (result.ok) report.filled.push(index);
      else refuse(index, result.reason);
    }
    return report;
  }

  const api = Object.freeze({ fillField, fillFields, setChecked, matchOption, kindRefusal, REASONS });
  root.ProfferFill = api;
  if (typeof module === "object" && module && module.exports) module.exports = api;
})(globalThis);
