// extension/approval/arming.js in jsdom: the approval window's decision controls ignore input until the
// window has been shown, and focused again, for the security delay (keyjacking).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { JSDOM } from "jsdom";

import { armAfterDelay } from "../../../extension/approval/arming.js";

const DELAY = 40;

function windowWithForm() {
  const dom = new JSDOM(`<!DOCTYPE html><body><h1 tabindex="-1">shop.example asks for your details</h1>
    <form id="approval"><fieldset><input type="checkbox" id="box" name="share">
    <select id="remember"><option value="ask">Ask</option><option value="always">Always</option></select></fieldset>
    <button type="button" id="decline">Decline</button><button type="button" id="approve">Share ticked</button></form>`);
  const { window } = dom;
  const $ = (selector) => window.document.querySelector(selector);
  const clicks = [];
  $("#approve").addEventListener("click", () => clicks.push("approve"));
  const guard = armAfterDelay(window, [$("fieldset"), $("#decline"), $("#approve")], { busy: $("form"), delay: DELAY });
  return { window, $, guard, clicks };
}

function key(window, target, name) {
  const event = new window.KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event.defaultPrevented;
}

describe("the security delay", () => {
  test("when the window opens, nothing is armed: boxes, choices and buttons ignore clicks and keys", () => {
    const { window, $, guard, clicks } = windowWithForm();
    assert.equal(guard.armed(), false);
    assert.equal($("fieldset").disabled, true);
    assert.equal($("#approve").disabled, true);
    assert.equal($("form").getAttribute("aria-busy"), "true");
    assert.equal(window.document.body.dataset.armed, "false");
    $("#box").click();
    $("#approve").click();
    assert.equal($("#box").checked, false);
    assert.deepEqual(clicks, []);
    assert.equal(key(window, $("#box"), " "), true, "Space on a box is refused");
    assert.equal(key(window, $("#approve"), "Enter"), true, "Enter on a button is refused");
    assert.equal(key(window, $("#box"), "Tab"), false, "Tab still moves the focus");
  });

  test("a change that reaches a control while unarmed is undone and not passed on", () => {
    const { window, $ } = windowWithForm();
    const seen = [];
    $("#box").addEventListener("change", () => seen.push("box"));
    $("#remember").addEventListener("change", () => seen.push("remember"));
    $("#box").checked = true;
    $("#box").dispatchEvent(new window.Event("change", { bubbles: true }));
    $("#remember").value = "always";
    $("#remember").dispatchEvent(new window.Event("change", { bubbles: true }));
    assert.equal($("#box").checked, false);
    assert.equal($("#remember").value, "ask");
    assert.deepEqual(seen, []);
  });

  test("after the delay the controls work, by click and by key", async () => {
    const { window, $, guard, clicks } = windowWithForm();
    await sleep(DELAY * 3);
    assert.equal(guard.armed(), true);
    assert.equal($("fieldset").disabled, false);
    assert.equal($("form").getAttribute("aria-busy"), "false");
    assert.equal(window.document.body.dataset.armed, "true");
    $("#box").click();
    assert.equal($("#box").checked, true);
    assert.equal(key(window, $("#approve"), "Enter"), false);
    $("#approve").click();
    assert.deepEqual(clicks, ["approve"]);
  });

  test("the window getting the focus back starts the delay again; what the person did before stands", async () => {
    const { window, $, guard, clicks } = windowWithForm();
    await sleep(DELAY * 3);
    $("#box").click();
    $("#approve").focus();
    window.dispatchEvent(new window.FocusEvent("blur"));
    window.dispatchEvent(new window.FocusEvent("focus"));
    assert.equal(guard.armed(), false, "not at once on regaining focus");
    $("#box").click();
    $("#approve").click();
    assert.equal($("#box").checked, true, "the person's earlier tick stands, the new click is ignored");
    assert.deepEqual(clicks, []);
    await sleep(DELAY * 3);
    assert.equal(guard.armed(), true);
    assert.equal(window.document.activeElement, $("#approve"), "focus is back where the person left it");
  });

  test("focus moving inside the window, or leaving it, does not restart the delay; only the window's own focus does", async () => {
    const { window, $, guard } = windowWithForm();
    await sleep(DELAY * 3);
    $("#box").focus();
    $("#approve").focus();
    window.dispatchEvent(new window.FocusEvent("blur"));
    assert.equal(guard.armed(), true, "a blur alone disarms nothing: keys cannot reach an unfocused window");
    assert.equal(window.document.activeElement, $("#approve"));
  });

  test("a hidden window is disarmed and arms only once it is visible again", async () => {
    const { window, guard } = windowWithForm();
    await sleep(DELAY * 3);
    let state = "hidden";
    Object.defineProperty(window.document, "visibilityState", { get: () => state, configurable: true });
    window.document.dispatchEvent(new window.Event("visibilitychange"));
    assert.equal(guard.armed(), false);
    await sleep(DELAY * 3);
    assert.equal(guard.armed(), false, "never armed while hidden");
    state = "visible";
    window.document.dispatchEvent(new window.Event("visibilitychange"));
    assert.equal(guard.armed(), false);
    await sleep(DELAY * 3);
    assert.equal(guard.armed(), true);
  });
});
