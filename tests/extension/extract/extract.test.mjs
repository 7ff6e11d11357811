// extract.js in jsdom: what it reads, what it must never read, how it groups and judges visibility.
// jsdom has no layout, so geometric checks are exercised with stubbed boxes; tests/e2e/test_fields_cli.py
// covers the same tricks in real Chromium.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import { JSDOM } from "jsdom";

import { MESSAGE_TYPES } from "../../../extension/shared/protocol.js";
import { validate } from "../../../extension/shared/schema.js";

const require = createRequire(import.meta.url);
const { extractPage, watchForms, LIMITS, controlIdentity, CONTROL_SELECTOR } = require("../../../extension/content/extract.js");

function load(body, { url = "https://shop.example/checkout", title = "Checkout" } = {}) {
  const dom = new JSDOM(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`, {
    url,
    pretendToBeVisual: true,
  });
  return dom.window;
}

const extract = (win) => extractPage(win.document, win);
const byName = (payload, name) => payload.fields.find((f) => f.name === name);

test("the output is a valid fill.request payload", () => {
  const win = load(`<form><label>Email <input name=email type=email></label><select name=c><option value=de>Germany</option></select>
    <textarea name=note></textarea><input type=submit value=Go></form><input name=loose>`);
  const payload = extract(win);
  assert.deepEqual(validate(MESSAGE_TYPES["fill.request"].payload, payload), []);
  assert.deepEqual(payload.page, {
    url: "https://shop.example/checkout", top_origin: "https://shop.example", frame_origin: "https://shop.example", title: "Checkout",
  });
});

test("every control is numbered in querySelectorAll order, hidden and button types included", () => {
  const win = load(`<input type=hidden name=csrf><form><input name=a><button>Send</button><input type=submit name=s>
    <select name=b></select></form><textarea name=c></textarea><input type=bogus name=d>`);
  const { fields } = extract(win);
  assert.deepEqual(fields.map((f) => [f.index, f.name, f.tag, f.type]), [
    [0, "csrf", "input", "hidden"], [1, "a", "input", "text"], [2, "s", "input", "submit"],
    [3, "b", "select", "select-one"], [4, "c", "textarea", "textarea"], [5, "d", "input", "text"],
  ]);
});

test("label text comes from label[for], a wrapping label and aria-labelledby, joined", () => {
  const win = load(`<form>
    <label for=fn>First name</label><input id=fn name=fn>
    <label>Country <select name=country><option>Germany</option><option>France</option></select></label>
    <span id=l1>Phone</span><span id=l2>(mobile)</span><input name=tel aria-labelledby="l1 l2">
    <label for=both>Email</label><span id=hint>for receipts</span><input id=both name=both aria-labelledby=hint>
    <input name=aria aria-label="Postcode" placeholder="12345" title="Your postcode">
  </form>`);
  const payload = extract(win);
  assert.equal(byName(payload, "fn").label, "First name");
  assert.equal(byName(payload, "country").label, "Country", "option texts are not part of a label");
  assert.equal(byName(payload, "tel").label, "Phone (mobile)");
  assert.equal(byName(payload, "both").label, "Email for receipts");
  const aria = byName(payload, "aria");
  assert.deepEqual([aria.aria_label, aria.placeholder, aria.title, aria.label], ["Postcode", "12345", "Your postcode", ""]);
});

test("nearby text names unlabelled fields, never across another control", () => {
  const win = load(`<form><table>
    <tr><td>Straße</td><td><input name=street></td></tr>
    <tr><td>PLZ</td><td><div><span>*</span><span><input name=zip></span></div></td></tr>
  </table>
  <div><span>Vorname</span> <input name=given></div>
  <div><input name=first><input name=second></div>
  <input type=checkbox name=news> Send me offers
  <div class=floating><input name=city><label>City</label></div>
  <div class=field><input name=pcode placeholder=" "><div class=deco><label>Post code</label><span></span></div></div>
  <div class=field><input name=odd><div><label for=elsewhere>Other's label</label></div></div><input id=elsewhere>
  <div class=field><input name=kind><div><label>Home</label><label>Work</label></div></div>
  <div class=field><input name=busy><div><label>Note</label> Tell us more</div></div>
  <div><input id=town name=town1><label for=town>Town</label></div><div><input id=town name=town2><label for=town>Town</label></div>
  <div id=wrap><div><input name=mobile> <label for=wrap>Mobile phone</label></div></div>
  <div><span>Full name</span><div><input name=full><div><label>Add an address</label></div></div></div>
  <div><span>Gender</span> <input type=radio name=g value=f> Female <input type=radio name=g value=m> Male</div>
  <label for=x>Labelled</label><input id=x name=labelled>
  <div><label>Miasto</label><div></div><input type=hidden name=city_id><input name=town_shown></div>
  <div><span>Kod</span><span><input type=hidden name=code_id></span><input name=code_shown></div>
  </form>`);
  const payload = extract(win);
  assert.equal(byName(payload, "street").nearby_text, "Straße");
  assert.equal(byName(payload, "zip").nearby_text, "PLZ", "a lone required mark names nothing");
  assert.equal(byName(payload, "given").nearby_text, "Vorname");
  assert.equal(byName(payload, "second").nearby_text, "", "the text before belongs to the previous control");
  assert.equal(byName(payload, "news").nearby_text, "Send me offers", "a checkbox's caption follows it");
  assert.equal(byName(payload, "city").nearby_text, "City", "a floating label follows its box");
  assert.equal(byName(payload, "pcode").nearby_text, "Post code", "also in a wrapper of its own");
  assert.equal(byName(payload, "odd").nearby_text, "", "a label for another control is that control's");
  assert.equal(byName(payload, "kind").nearby_text, "", "two labels: neither is surely the field's");
  assert.equal(byName(payload, "busy").nearby_text, "", "a wrapper with more to say than its label");
  assert.equal(byName(payload, "town2").nearby_text, "Town", "a repeated id still names its own box");
  assert.equal(byName(payload, "mobile").nearby_text, "Mobile phone", "a for= naming no control is a slip");
  assert.equal(byName(payload, "full").nearby_text, "Full name", "text before the box outranks a wrapped label");
  assert.deepEqual(payload.fields.filter((f) => f.name === "g").map((f) => f.nearby_text), ["Female", "Male"]);
  assert.equal(byName(payload, "labelled").nearby_text, "", "only asked for when no label names the field");
  assert.equal(byName(payload, "town_shown").nearby_text, "Miasto", "a hidden input owns no caption");
  assert.equal(byName(payload, "code_shown").nearby_text, "Kod", "nor does a wrapper holding only one");
});

test("no value typed into the page ever leaves it", () => {
  const win = load(`<form><label>Note <textarea name=note>prefilled secret</textarea></label>
    <input name=email><input name=pw type=password><input type=checkbox name=cb checked></form>`);
  const doc = win.document;
  doc.querySelector("[name=email]").value = "typed-by-person@example.org";
  doc.querySelector("[name=pw]").value = "hunter2-secret";
  doc.querySelector("[name=note]").value = "private note";
  const text = JSON.stringify(extract(win));
  for (const secret of ["typed-by-person", "hunter2", "private note", "prefilled secret"]) {
    assert.ok(!text.includes(secret), `${secret} leaked`);
  }
  assert.equal(byName(extract(win), "cb").checked, true, "a checkbox's state is page state, reported");
});

test("select options are summarised, capped at the wire limit", () => {
  const many = Array.from({ length: 450 }, (_, i) => `<option value="v${i}">Option ${i}</option>`).join("");
  const win = load(`<select name=big>${many}</select><select name=small><option>No value attr</option></select>`);
  const payload = extract(win);
  assert.equal(byName(payload, "big").options.length, LIMITS.options);
  assert.deepEqual(byName(payload, "big").options[1], { value: "v1", text: "Option 1" });
  assert.deepEqual(byName(payload, "small").options, [{ value: "No value attr", text: "No value attr" }]);
});

test("past the cap on controls, hidden inputs give way so the form itself is still described", () => {
  const hidden = Array.from({ length: LIMITS.fields + 100 }, (_, i) => `<input type=hidden name=state${i}>`).join("");
  const win = load(`<form>${hidden}<label>Email <input name=email type=email></label>
    <input type=checkbox name=news></form><input name=q>`);
  const payload = extract(win);
  assert.deepEqual(validate(MESSAGE_TYPES["fill.request"].payload, payload), []);
  const email = byName(payload, "email");
  assert.ok(email, "the form's own field is described");
  const all = win.document.querySelectorAll(CONTROL_SELECTOR);
  assert.equal(all[email.index], win.document.querySelector("[name=email]"), "its index is still its place on the page");
  assert.equal(byName(payload, "q").index, LIMITS.fields + 102);
  assert.equal(payload.fields.filter((f) => f.type === "hidden").length, 0);

  // Below the cap, hidden inputs are described as ever (fishing checks read them).
  const few = extract(load(`<form><input type=hidden name=csrf><input name=email></form>`));
  assert.deepEqual(few.fields.map((f) => [f.index, f.type]), [[0, "hidden"], [1, "text"]]);
});

test("past the cap even without hidden inputs, the first controls are described, numbered as on the page", () => {
  const boxes = Array.from({ length: LIMITS.fields + 5 }, (_, i) => `<input name=b${i}>`).join("");
  const payload = extract(load(`<input type=hidden name=h><form>${boxes}</form>`));
  assert.equal(payload.fields.length, LIMITS.fields);
  assert.deepEqual(payload.fields.slice(0, 2).map((f) => [f.index, f.name]), [[1, "b0"], [2, "b1"]]);
});

test("hostile sizes are cut to the wire model's bounds", () => {
  const long = "x".repeat(5000);
  const win = load(`<form><label for=a>${long}</label><input id=a name="${long}" placeholder="${long}" maxlength=20 pattern="[0-9]+"></form>`);
  const payload = extract(win);
  const field = payload.fields[0];
  assert.equal(field.label.length, 2000);
  assert.equal(field.name.length, 300);
  assert.equal(field.placeholder.length, 300);
  assert.equal(field.maxlength, 20);
  assert.equal(field.pattern, "[0-9]+");
  assert.deepEqual(validate(MESSAGE_TYPES["fill.request"].payload, payload), []);
});

test("cutting never splits a character made of two UTF-16 units", () => {
  const label = "a".repeat(1999) + "😀 and more";
  const win = load(`<label for=a>${label}</label><input id=a name=a><select name=s><option>${"b".repeat(299)}😀</option></select>`);
  const payload = extract(win);
  assert.equal(payload.fields[0].label, "a".repeat(1999));
  assert.equal(payload.fields[1].options[0].text, "b".repeat(299));
  assert.ok(payload.fields[0].label.isWellFormed() && payload.fields[1].options[0].text.isWellFormed());
});

test("a caption written after its box names it only where it is drawn as its caption", () => {
  const markup = `<form>
    <span><input name=street placeholder=" "><span id=street_cap>Street</span></span>
    <div><input name=flat><div id=flat_err>Please fill in this field</div></div>
    <div><input name=code><span id=code_btn role=button>Apply</span></div>
    <div><input name=coupon><span id=coupon_hint>Optional</span></div>
    <div><div><input name=zip></div><span id=zip_cap>Post code</span></div>
    <span><input name=house><span id=house_cap>House</span></span>
    <span><input name=far><span id=far_note>Why we ask</span></span>
    <div><span>Country</span><div><input name=country><span id=country_shown>Canada</span></div></div>
    <div><input name=promo><x-button id=promo_btn>Apply</x-button></div>
  </form>`;
  const win = load(markup);
  // A component's button: its caption is slotted text, the button it is drawn in is in its shadow tree
  win.document.getElementById("promo_btn").attachShadow({ mode: "open" }).innerHTML = "<button><slot></slot></button>";
  Object.defineProperty(win.document.documentElement, "clientWidth", { value: 1024 });
  Object.defineProperty(win.document.documentElement, "clientHeight", { value: 768 });
  const rows = ["street", "flat", "code", "coupon", "zip", "house", "far", "country", "promo"];
  const boxes = {
    street_cap: [14, 5, 50, 20], // inside the box, at its left: a floating label at rest
    flat_err: [10, 32, 200, 16], // under the box: an error message
    code_btn: [14, 5, 50, 20], // inside the box, but something to click
    coupon_hint: [150, 5, 50, 20], // inside the box, in its right half
    zip_cap: [14, -10, 60, 20], // on the box's top edge: a label floated up
    house_cap: [212, 6, 40, 18], // right after the box, on its line: a page drawn without its style
    far_note: [400, 6, 80, 18], // far along the line
    country_shown: [14, 5, 60, 20], // a custom select's value, drawn over its box
    promo_btn: [14, 5, 50, 20], // inside the box, a component's button
  };
  win.Element.prototype.getBoundingClientRect = function () {
    const name = this.getAttribute("name");
    const id = this.id;
    const row = rows.findIndex((r) => r === name || (id && id.startsWith(r)));
    const [x, y, w, h] = name ? [10, 0, 200, 30] : boxes[id] || [0, 0, 0, 0];
    const top = 100 * Math.max(row, 0) + y;
    return { left: x, top, width: w, height: h, right: x + w, bottom: top + h, x, y: top };
  };
  const payload = extract(win);
  const nearby = (name) => byName(payload, name).nearby_text;
  assert.equal(nearby("street"), "Street");
  assert.equal(nearby("flat"), "", "an error drawn under the box is not its name");
  assert.equal(nearby("code"), "", "nor a button drawn inside it");
  assert.equal(nearby("promo"), "", "nor a component's button, its <button> in its shadow tree");
  assert.equal(nearby("coupon"), "", "nor text at the box's right end");
  assert.equal(nearby("zip"), "Post code", "one level up, floated onto the top edge");
  assert.equal(nearby("house"), "House");
  assert.equal(nearby("far"), "", "text far along the box's line is not its caption");
  assert.equal(nearby("country"), "Country", "the text before a box, at any level, outranks text drawn after it");
  assert.equal(byName(extract(load(markup)), "street").nearby_text, "", "without layout, only a <label> after a box is read");
});

test("forms: the form attribute, positions, heading, submit text, dialogs, and formless groups", () => {
  const win = load(`
    <h2>Join our rewards club</h2>
    <form id=join action="https://rewards.example/join"><input name=email><button type=submit>Sign up now</button></form>
    <input name=late form=join>
    <div role=dialog><p>Get 10% off</p><input name=popup_email><button>Subscribe</button></div>
    <input name=search>`);
  const payload = extract(win);
  const [form, dialogGroup, pageGroup] = payload.forms;
  assert.equal(payload.forms.length, 3);
  assert.deepEqual(
    [form.id, form.action_origin, form.heading, form.submit_text, form.field_count, form.synthetic, form.in_dialog],
    ["join", "https://rewards.example", "Join our rewards club", "Sign up now", 2, false, false],
  );
  assert.deepEqual([byName(payload, "late").form_index, byName(payload, "late").position_in_form], [0, 1]);
  assert.deepEqual([dialogGroup.synthetic, dialogGroup.in_dialog, dialogGroup.submit_text], [true, true, "Subscribe"]);
  assert.match(dialogGroup.text, /Get 10% off/);
  assert.deepEqual([byName(payload, "popup_email").form_index, byName(payload, "search").form_index], [1, 2]);
  assert.equal(pageGroup.synthetic, true);
});

test("a fieldset drawn around one box alone is its outline, not a group of its own", () => {
  const win = load(`
    <div role=form>
      <fieldset><input name=street placeholder=Street></fieldset>
      <fieldset><legend>House</legend><input name=house><input type=hidden name=house_id></fieldset>
      <fieldset><legend>Delivery</legend><input name=zip><input name=town></fieldset>
    </div>
    <fieldset><input name=note></fieldset>`);
  const payload = extract(win);
  const formOf = (name) => byName(payload, name).form_index;
  assert.equal(formOf("street"), formOf("house"), "the outlined boxes of one form share its group");
  assert.notEqual(formOf("zip"), formOf("street"), "a fieldset of two boxes is a group");
  assert.equal(formOf("zip"), formOf("town"));
  assert.equal(payload.forms[formOf("street")].field_count, 3, "the outline group holds street, house and its id");
  assert.deepEqual([byName(payload, "house").nearby_text, byName(payload, "house").position_in_form], ["House", 1]);
  assert.equal(payload.forms[formOf("note")].synthetic, true, "with no group above, the page's body is the group");
  assert.notEqual(formOf("note"), formOf("street"));
});

test("a body marked modal-open does not put every form in a dialog", () => {
  const win = load(`<form id=plain><input name=plain></form><div class="modal"><form><input name=m></form></div>`);
  win.document.body.className = "modal-open";
  const payload = extract(win);
  assert.deepEqual(payload.forms.map((f) => f.in_dialog), [false, true]);
});

test("style tricks: display, visibility, opacity on an ancestor, aria-hidden, inert, type=hidden", () => {
  const win = load(`<style>.gone{display:none}</style><form>
    <input name=shown>
    <div class=gone><input name=ancestor_none></div>
    <input name=self_none style="display:none">
    <input name=invisible style="visibility:hidden">
    <div style="visibility:hidden"><input name=back_on style="visibility:visible"></div>
    <div style="opacity:0"><input name=faded></div>
    <div aria-hidden="true"><input name=aria></div>
    <div inert><input name=inert></div>
    <input type=hidden name=hid>
    <fieldset disabled><legend><input name=in_legend></legend><input name=dis></fieldset>
    <input name=ro readonly>
  </form>`);
  const payload = extract(win);
  const reason = (name) => byName(payload, name).hidden_reason;
  assert.equal(byName(payload, "shown").visible, true);
  assert.equal(reason("shown"), null);
  assert.equal(reason("ancestor_none"), "display:none (ancestor)");
  assert.equal(reason("self_none"), "display:none");
  assert.equal(reason("invisible"), "visibility:hidden");
  assert.equal(reason("back_on"), null, "a child may make itself visible again");
  assert.equal(reason("faded"), "opacity:0");
  assert.equal(reason("aria"), "aria-hidden");
  assert.equal(reason("inert"), "inert");
  assert.equal(reason("hid"), "type=hidden");
  for (const name of ["ancestor_none", "faded", "aria", "inert", "hid"]) assert.equal(byName(payload, name).visible, false);
  assert.deepEqual([byName(payload, "dis").disabled, byName(payload, "ro").readonly], [true, true]);
  assert.equal(byName(payload, "in_legend").disabled, false, "the first legend of a disabled fieldset stays usable");
  assert.deepEqual([byName(payload, "shown").disabled, byName(payload, "shown").readonly], [false, false]);
});

test("a clip path leaves nothing to see when its shape has no area", () => {
  const { clipPathEmpty, filterOpacity, textTransparent } = require("../../../extension/content/controls.js");
  for (const empty of ["inset(50%)", "circle(0px at 50% 50%)", "polygon(0px 0px, 0px 0px, 0px 0px)",
    "polygon(0% 0%, 100% 0%, 50% 0%)", "polygon(evenodd, 10px 10px, 10px 10px, 10px 10px)"]) {
    assert.equal(clipPathEmpty(empty), true, empty);
  }
  for (const shown of ["none", "inset(10%)", "polygon(0% 0%, 100% 0%, 100% 100%)", "polygon(0px 0px, 50% 0%, 50% 50%)",
    "url(#shape)"]) {
    assert.equal(clipPathEmpty(shown), false, shown);
  }
  assert.deepEqual(["opacity(0)", "blur(1px) opacity(50%)", "none", ""].map(filterOpacity), [0, 0.5, 1, 1]);
  assert.equal(textTransparent({ color: "rgba(0, 0, 0, 0)" }), true);
  assert.equal(textTransparent({ color: "rgb(0, 0, 0)", webkitTextFillColor: "rgba(0, 0, 0, 0)" }), true);
  assert.equal(textTransparent({ color: "rgb(0 0 0 / 0)" }), true);
  assert.equal(textTransparent({ color: "rgba(0, 0, 0, 0.5)" }), false);
  assert.equal(textTransparent({ color: "rgb(20, 20, 20)", webkitTextFillColor: "rgb(20, 20, 20)" }), false);
});

test("style tricks a computed style tells: a filter, transparent text (clip paths need layout: test_fields_cli)", () => {
  const win = load(`<form>
    <div style="filter: blur(1px) opacity(0)"><input name=filtered></div>
    <div style="filter: opacity(50%)"><input name=half></div>
    <input name=ghost style="color: transparent">
    <input type=checkbox name=drawn style="color: transparent">
  </form>`);
  const payload = extract(win);
  const reason = (name) => byName(payload, name).hidden_reason;
  assert.equal(reason("filtered"), "opacity:0", "filter: opacity(0) on an ancestor");
  assert.equal(reason("half"), null, "half faded is still seen");
  assert.equal(reason("ghost"), "transparent text");
  assert.equal(reason("drawn"), null, "a checkbox is drawn by its box, not its text");
  for (const name of ["filtered", "ghost"]) assert.equal(byName(payload, name).visible, false);
});
test("geometry tricks, with layout stubbed: zero size, off-screen, clipped by an ancestor", () => {
  const win = load(`<form><input name=ok><input name=zero><input name=away>
    <div id=box style="overflow:hidden"><input name=clipped></div></form>`);
  const doc = win.document;
  Object.defineProperty(doc.documentElement, "clientWidth", { value: 1280 });
  Object.defineProperty(doc.documentElement, "clientHeight", { value: 900 });
  const boxes = {
    ok: [10, 10, 200, 30], zero: [10, 50, 0, 0], away: [-10000, 50, 200, 30], clipped: [10, 100, 200, 30], box: [10, 100, 200, 0],
  };
  const rect = ([x, y, w, h]) => ({ left: x, top: y, width: w, height: h, right: x + w, bottom: y + h, x, y });
  win.Element.prototype.getBoundingClientRect = function () {
    const key = this.getAttribute("name") || this.id;
    return rect(boxes[key] || [0, 0, 1280, 900]);
  };
  const payload = extract(win);
  const reasons = Object.fromEntries(payload.fields.map((f) => [f.name, f.hidden_reason]));
  assert.deepEqual(reasons, { ok: null, zero: "zero size", away: "off-screen", clipped: "clipped" });
});

test("covered, with layout and the hit test stubbed: only what paints over a field's centre hides it", () => {
  const win = load(`<form><input name=open><input name=banner><input name=ghost><input name=glass>
    <span><input id=floating name=floating><label for=floating id=float>Email</label></span>
    <input name=below><input type=checkbox name=box></form>
    <div id=cookies style="background-color: rgb(255, 255, 255)"><p id=cookie_text>We use cookies</p></div>
    <div id=faded style="background-color: rgb(255, 255, 255); opacity: 0">x</div>
    <div id=dim style="background-color: rgba(0, 0, 0, 0.2)"><span id=dim_text>dim</span></div>`);
  const doc = win.document;
  Object.defineProperty(doc.documentElement, "clientWidth", { value: 1024 });
  Object.defineProperty(doc.documentElement, "clientHeight", { value: 768 });
  Object.defineProperty(doc.documentElement, "scrollHeight", { value: 3000 }); // a page longer than the window
  const order = ["open", "banner", "ghost", "glass", "floating", "below", "box"];
  win.Element.prototype.getBoundingClientRect = function () {
    const row = order.indexOf(this.getAttribute("name"));
    const top = this.getAttribute("name") === "below" ? 2000 : 40 * Math.max(row, 0);
    return { left: 10, top, width: 200, height: 30, right: 210, bottom: top + 30, x: 10, y: top };
  };
  // What the browser would find on top at each row's centre.
  const onTop = { open: null, banner: "#cookie_text", ghost: "#faded", glass: "#dim_text", floating: "#float", box: "#cookie_text" };
  doc.elementFromPoint = (x, y) => {
    const name = order[Math.floor(y / 40)];
    return onTop[name] ? doc.querySelector(onTop[name]) : doc.querySelector(`[name=${name}]`);
  };
  const payload = extract(win);
  const reasons = Object.fromEntries(payload.fields.map((f) => [f.name, f.hidden_reason]));
  assert.deepEqual(reasons, {
    open: null,
    banner: "covered", // text inside an opaque banner: the banner hides it
    ghost: null, // an opaque element no one sees hides nothing
    glass: null, // a faint tint lets the field show through
    floating: null, // its own label, drawn over it
    below: null, // out of the viewport: the hit test cannot tell
    box: null, // a checkbox is left to its label
  });
  assert.equal(byName(payload, "banner").visible, false);
});

test("a background colour's alpha, as computed styles write it", () => {
  const { colourAlpha } = require("../../../extension/content/controls.js");
  const cases = [["transparent", 0], ["rgba(0, 0, 0, 0)", 0], ["rgb(255, 255, 255)", 1], ["rgba(0, 0, 0, 0.5)", 0.5],
    ["rgb(0 0 0 / 25%)", 0.25], ["color(srgb 1 1 1 / 0.4)", 0.4], ["", 0]];
  for (const [colour, alpha] of cases) assert.equal(colourAlpha(colour), alpha, colour);
});

test("a custom checkbox hidden under its visible label counts as visible", () => {
  const win = load(`<form><input type=checkbox id=terms name=terms style="opacity:0"><label for=terms>I accept</label>
    <input type=checkbox id=sneaky name=sneaky style="opacity:0"><label for=sneaky style="display:none">x</label>
    <input type=text id=txt name=txt style="opacity:0"><label for=txt>Name</label></form>`);
  const payload = extract(win);
  assert.equal(byName(payload, "terms").visible, true);
  assert.equal(byName(payload, "sneaky").hidden_reason, "opacity:0", "its label is hidden too");
  assert.equal(byName(payload, "txt").hidden_reason, "opacity:0", "only checkboxes and radios are drawn by labels");
});

test("watchForms calls back once, debounced, when controls appear; not for unrelated changes; stops", async () => {
  const win = load(`<div id=app></div>`);
  const doc = win.document;
  let calls = 0;
  const stop = watchForms(doc, () => calls++, 20);
  doc.getElementById("app").append(doc.createElement("p"));
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, 0, "a paragraph is not a form");
  const form = doc.createElement("form");
  form.innerHTML = "<input name=a><input name=b>";
  doc.getElementById("app").append(form);
  doc.getElementById("app").append(doc.createElement("input"));
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(calls, 1, "two insertions close together make one scan");
  stop();
  doc.getElementById("app").append(doc.createElement("select"));
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, 1, "nothing after stop()");
});

test("a control's identity is the [tag, type, name, id] its descriptor gives", () => {
  const long = "n".repeat(LIMITS.short + 50);
  const win = load(`<form><input name="${long}" id=a type=EMAIL><select name=s><option>x</option></select>
    <select multiple name=m></select><textarea id=t></textarea><input type=checkbox name=c><input></form>`);
  const payload = extract(win);
  const controls = win.document.querySelectorAll(CONTROL_SELECTOR);
  assert.equal(payload.fields.length, controls.length);
  for (const field of payload.fields) {
    assert.deepEqual(controlIdentity(controls[field.index]), [field.tag, field.type, field.name, field.id]);
  }
  assert.notDeepEqual(controlIdentity(controls[0]), controlIdentity(controls[5]));
});
