// Controls inside open shadow roots (web components), in jsdom: how they are numbered, read, judged
// visible and watched. tests/e2e/test_fields_cli.py and tests/e2e/test_fill_frameworks.py cover the same
// in real Chromium.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import { JSDOM } from "jsdom";

const require = createRequire(import.meta.url);
const { controlsOf, shadowRootsOf, closestAcross, parentAcross, renderedParent, byIdNear } =
  require("../../../extension/content/controls.js");
const { extractPage, watchForms } = require("../../../extension/content/extract.js");

function load(body) {
  const dom = new JSDOM(`<!doctype html><html><body>${body}</body></html>`, {
    url: "https://shop.example/checkout",
    pretendToBeVisual: true,
  });
  return dom.window;
}

/** Gives the element matching `selector` an open (or closed) shadow root holding `html`. */
function shadow(doc, selector, html, mode = "open") {
  const host = (doc.querySelector(selector) || findInRoots(doc, selector));
  const root = host.attachShadow({ mode });
  root.innerHTML = html;
  return root;
}

function findInRoots(doc, selector) {
  for (const r of shadowRootsOf(doc)) {
    const found = r.querySelector(selector);
    if (found) return found;
  }
  return null;
}

const names = (controls) => controls.map((el) => el.getAttribute("name"));
const byName = (payload, name) => payload.fields.find((f) => f.name === name);

test("controls in open shadow roots are numbered after the document's own, root by root", () => {
  const win = load(`<input name=a><x-card id=one></x-card><input name=b><div id=two></div><x-safe id=closed></x-safe>
    <textarea name=c></textarea>`);
  const doc = win.document;
  shadow(doc, "#one", "<input name=s1><x-inner id=inner></x-inner><input name=s2>");
  shadow(doc, "#inner", "<select name=nested></select>");
  shadow(doc, "#two", "<textarea name=s3></textarea>");
  shadow(doc, "#closed", "<input name=secret>", "closed");

  const controls = controlsOf(doc);
  assert.deepEqual(names(controls), ["a", "b", "c", "s1", "s2", "nested", "s3"],
    "the document's indexes do not move; a nested root follows its host's root; a closed root is not entered");
  assert.deepEqual(names(controls.slice(0, 3)), names(Array.from(doc.querySelectorAll("input, select, textarea"))));
  assert.deepEqual(names(extractPage(doc, win).fields.map((f) => controls[f.index])), names(controls));
});

test("controls keep document order whatever their mix of kinds (each kind is listed apart)", () => {
  // Inputs with a few selects and textareas among them (placed by search), then as many of each (past
  // MAX_PLACED the list selector is asked instead); nested at different depths, in the document and a root.
  const markup = (count, every) => Array.from({ length: count }, (_, i) => {
    const kind = i % every === 0 ? (i % (2 * every) === 0 ? "select" : "textarea") : "input";
    const control = `<${kind} name=n${i}>${kind === "input" ? "" : `</${kind}>`}`;
    return i % 5 === 0 ? `<div><p>${control}</p></div>` : control;
  }).join("");
  for (const [count, every] of [[300, 7], [300, 2], [20, 1]]) {
    const win = load(`<form>${markup(count, every)}</form><x-card id=host></x-card><textarea name=last></textarea>`);
    const doc = win.document;
    const root = shadow(doc, "#host", markup(40, 3));
    const expected = [...doc.querySelectorAll("input, select, textarea"), ...root.querySelectorAll("input, select, textarea")];
    const controls = controlsOf(doc);
    assert.equal(controls.length, count + 41);
    assert.ok(controls.every((el, i) => el === expected[i]), `${count} controls, one in ${every} not an input`);
  }
});

test("walking up from inside a component reaches its host, its slot and its document", () => {
  const win = load(`<form id=f lang=fr><x-field id=host><input name=slotted></x-field></form>`);
  const doc = win.document;
  const root = shadow(doc, "#host", `<div id=wrap><label for=e>E-mail</label><input id=e name=inner><slot></slot></div>`);
  const inner = root.getElementById("e");
  const slotted = doc.querySelector("[name=slotted]");

  assert.equal(parentAcross(root.getElementById("wrap")), doc.getElementById("host"));
  assert.equal(parentAcross(doc.documentElement), null);
  assert.equal(renderedParent(slotted), root.querySelector("slot"), "a slotted control is drawn in its slot");
  assert.equal(renderedParent(inner), root.getElementById("wrap"));
  assert.equal(closestAcross(inner, "form"), doc.getElementById("f"));
  assert.equal(closestAcross(inner, "[lang]").getAttribute("lang"), "fr");
  assert.equal(closestAcross(inner, "table"), null);
  assert.equal(byIdNear(inner, "e"), inner, "ids are looked up in the control's own tree");
  assert.equal(byIdNear(slotted, "e"), null);
});

test("a component's field is read like any other: its label, aria-labelledby, the text by its host, its form", () => {
  const win = load(`<form id=checkout><h2>Delivery</h2><input name=name>
      <x-email id=mail></x-email>
      <span>Rewards number</span><x-loyalty id=loyalty></x-loyalty><input name=after>
      <button>Place order</button></form>
    <span id=e>outside</span>`);
  const doc = win.document;
  shadow(doc, "#mail", `<label for=e>Email address</label><input id=e name=email type=email>
    <span id=hint>for your receipt</span><input name=confirm aria-labelledby=hint>`);
  shadow(doc, "#loyalty", `<div><input name=card></div>`);

  const payload = extractPage(doc, win);
  const email = byName(payload, "email");
  assert.equal(email.index, 2, "after the page's own two controls");
  assert.equal(email.label, "Email address");
  assert.equal(email.type, "email");
  assert.equal(byName(payload, "confirm").label, "for your receipt", "aria-labelledby ids are the component's");
  assert.equal(byName(payload, "card").nearby_text, "Rewards number", "text before the host names its field");
  assert.equal(byName(payload, "after").nearby_text, "", "a component holding a control is a field between");
  assert.equal(payload.forms.length, 1, "the component's controls are in the form the host is drawn in");
  for (const field of payload.fields) {
    assert.equal(field.form_index, 0);
    assert.equal(field.visible, true, field.name);
  }
  assert.deepEqual(payload.fields.map((f) => f.position_in_form), [0, 1, 2, 3, 4]);
});

test("a fieldset around custom fields is a group, though its boxes are in their components' shadow trees", () => {
  const win = load(`<main>
      <fieldset id=delivery><legend>Delivery</legend><x-field id=zip></x-field><x-field id=town></x-field></fieldset>
      <fieldset id=outline><x-field id=note></x-field></fieldset>
      <x-form id=app></x-form>
    </main>`);
  const doc = win.document;
  shadow(doc, "#zip", "<input name=zip>");
  shadow(doc, "#town", "<input name=town><input type=hidden name=town_id>");
  shadow(doc, "#note", "<input name=note>");
  // A fieldset drawn inside a component around boxes of its own tree and of a nested component
  const app = shadow(doc, "#app", "<fieldset><legend>Billing</legend><input name=bill_zip><x-city id=city></x-city></fieldset>");
  shadow(app, "#city", "<input name=bill_city>");

  const payload = extractPage(doc, win);
  const formOf = (name) => byName(payload, name).form_index;
  assert.equal(formOf("zip"), formOf("town"), "the two custom fields of one fieldset share its group");
  assert.equal(payload.forms[formOf("zip")].heading, "Delivery");
  assert.notEqual(formOf("note"), formOf("zip"), "a fieldset around one custom field is its outline");
  assert.equal(formOf("bill_zip"), formOf("bill_city"));
  assert.notEqual(formOf("bill_zip"), formOf("note"), "a fieldset inside a component counts its own and nested boxes");
});

test("a component's field is hidden when its host is, or when the slot it is drawn in is", () => {
  const win = load(`<x-a id=gone style="display:none"></x-a><x-b id=inert inert></x-b><x-c id=aria aria-hidden=true></x-c>
    <x-d id=faded style="opacity:0"></x-d><x-e id=shown></x-e><x-f id=slots><input name=slotted></x-f>`);
  const doc = win.document;
  for (const [id, name] of [["gone", "g"], ["inert", "i"], ["aria", "a"], ["faded", "f"], ["shown", "s"]]) {
    shadow(doc, `#${id}`, `<div><input name=${name}></div>`);
  }
  shadow(doc, "#slots", `<div style="display:none"><slot></slot></div>`);

  const payload = extractPage(doc, win);
  const reason = (name) => byName(payload, name).hidden_reason;
  assert.equal(reason("g"), "display:none (ancestor)");
  assert.equal(reason("i"), "inert");
  assert.equal(reason("a"), "aria-hidden");
  assert.equal(reason("f"), "opacity:0");
  assert.equal(reason("s"), null);
  assert.equal(reason("slotted"), "display:none (ancestor)", "the component draws its slot inside a hidden box");
});

test("watchForms scans for a component that holds a control, not for one that holds none", async () => {
  const win = load(`<div id=app></div>`);
  const doc = win.document;
  win.customElements.define("x-card", class extends win.HTMLElement {
    connectedCallback() { this.attachShadow({ mode: "open" }).innerHTML = "<p>A product</p><button>Like</button>"; }
  });
  win.customElements.define("x-signup", class extends win.HTMLElement {
    connectedCallback() { this.attachShadow({ mode: "open" }).innerHTML = "<x-field></x-field>"; }
  });
  win.customElements.define("x-field", class extends win.HTMLElement {
    connectedCallback() { this.attachShadow({ mode: "open" }).innerHTML = "<input name=email>"; }
  });
  let calls = 0;
  const stop = watchForms(doc, () => calls++, 20);
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));

  for (let i = 0; i < 5; i++) doc.getElementById("app").append(doc.createElement("x-card"));
  await wait(80);
  assert.equal(calls, 0, "a feed of cards without controls is not a form");

  doc.getElementById("app").append(doc.createElement("x-signup"));
  await wait(80);
  assert.equal(calls, 1, "a component whose nested component holds an input counts");
  stop();
});

test("watchForms notices controls a component draws later, and changes inside a shadow root it has seen", async () => {
  const win = load(`<div id=app></div>`);
  const doc = win.document;
  win.customElements.define("x-signup", class extends win.HTMLElement {
    connectedCallback() {
      const root = this.attachShadow({ mode: "open" });
      win.setTimeout(() => { root.innerHTML = "<div id=step></div>"; }, 5); // drawn a moment later
    }
  });
  let calls = 0;
  const stop = watchForms(doc, () => calls++, 20);
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));

  doc.getElementById("app").append(doc.createElement("x-signup"));
  await wait(80);
  assert.equal(calls, 0, "an empty component is watched, not scanned");

  const step = shadowRootsOf(doc)[0].getElementById("step");
  step.append(doc.createElement("p"));
  await wait(60);
  assert.equal(calls, 0, "a paragraph in the component is not a form");
  step.append(doc.createElement("input"));
  await wait(80);
  assert.equal(calls, 1, "a control added inside the component's shadow root counts");

  stop();
  step.append(doc.createElement("select"));
  await wait(60);
  assert.equal(calls, 1, "nothing after stop()");
});

test("a page cannot make the walk endless: shadow roots are capped", () => {
  const { MAX_SHADOW_ROOTS } = require("../../../extension/content/controls.js");
  const win = load(`<div id=hosts></div>`);
  const doc = win.document;
  const hosts = doc.getElementById("hosts");
  for (let i = 0; i < MAX_SHADOW_ROOTS + 5; i++) {
    const host = doc.createElement("span");
    hosts.append(host);
    host.attachShadow({ mode: "open" }).innerHTML = `<input name=n${i}>`;
  }
  assert.equal(shadowRootsOf(doc).length, MAX_SHADOW_ROOTS);
  assert.equal(controlsOf(doc).length, MAX_SHADOW_ROOTS);
});
