// The approval window: an extension page in its own window, so the retailer's page can neither draw over
// it nor click it. It shows the site, the purpose and the exact value each field would get; nothing is
// shared unless the person ticks it (no pre-ticked boxes), and closing the window declines.
//
// Keyjacking: the page decides when this window opens, so the person may still be typing into the page.
// Each view focuses its heading, never a control, and its decision controls ignore input until the window
// has been shown and focused for a moment (arming.js). The buttons act on a click (or Enter/Space on the
// button itself) only: Enter elsewhere in a form submits nothing.

import "../shared/runtime-messages.js";
import { el, sendToWorker } from "../shared/ui.js";
import { armAfterDelay } from "./arming.js";
import { fieldPurposeNote, purposeInWords } from "./purposes.js";
import { skippedInWords } from "./reasons.js";

const M = globalThis.ProfferMessages;
const key = new URLSearchParams(location.search).get("request");
const main = document.getElementById("main");


function showError(message) {
  const existing = document.getElementById("error");
  const node = existing || el("p", { id: "error", className: "error", role: "alert" });
  node.textContent = message;
  if (!existing) main.prepend(node);
}

// The view's heading takes the focus when the window opens: screen readers announce it, and Tab goes on
// from there to the controls. Nothing a stray key could act on is focused.
function heading(id, text) {
  return el("h1", { id, tabIndex: -1 }, text);
}

// Enter in a text box or on a checkbox submits its form: refused, so only a click on (or Enter/Space on)
// a button itself decides anything.
function formWithoutSubmit(props, ...children) {
  const form = el("form", props, ...children);
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

function fieldRow(field, pagePurpose) {
  const id = `share-${field.index}`;
  const box = el("input", { type: "checkbox", id, name: "share", checked: false });
  box.dataset.index = String(field.index);
  const label = el("label", { htmlFor: id }, field.label || field.type, " ", el("span", { className: "type" }, `(${field.type})`));
  const note = fieldPurposeNote(field, pagePurpose);
  if (note) label.append(" ", el("span", { className: "field-purpose", id: `purpose-${field.index}` }, note));
  const row = el("div", { className: "field" }, box, label);
  if (field.offers.length === 1) {
    const value = el("span", { className: "value", id: `value-${field.index}` }, field.offers[0].value);
    box.setAttribute("aria-describedby", value.id);
    box.dataset.valueId = field.offers[0].value_id;
    row.append(el("span"), value);
  } else {
    const choice = el("select", { id: `choice-${field.index}`, "aria-label": `Which value for ${field.label || field.type}` });
    choice.dataset.index = String(field.index);
    for (const offer of field.offers) {
      const text = offer.label && offer.label !== offer.value ? `${offer.value} — ${offer.label}` : offer.value;
      choice.append(el("option", { value: offer.value_id }, text));
    }
    row.append(el("span"), choice);
  }
  // What to do next time on this site; "always" implies sharing now, "never" implies not sharing now.
  const remember = el("select", { id: `remember-${field.index}`, className: "remember",
    "aria-label": `Next time ${field.label || field.type} is asked on this site` },
  el("option", { value: "ask" }, "Ask me next time"),
  el("option", { value: "always" }, "Always share this with this site"),
  el("option", { value: "never" }, "Never share this with this site"));
  remember.addEventListener("change", () => {
    if (remember.value === "always") box.checked = true;
    if (remember.value === "never") box.checked = false;
  });
  box.addEventListener("change", () => {
    if (box.checked && remember.value === "never") remember.value = "ask";
    if (!box.checked && remember.value === "always") remember.value = "ask";
  });
  row.append(el("span"), remember);
  return row;
}

const HANDLED = {
  unticked: "Unticked",
  ticked: "Ticked",
  declined: "Declined",
  never: "Not filled",
};

// What Proffer already did by the person's standing preferences (marketing boxes, declined prompts): shown,
// never silent. Each is in the ledger too.
function handledSection(handled) {
  return el("section", { id: "handled", className: "handled", "aria-labelledby": "handled-title" },
    el("h2", { id: "handled-title" }, "Done by your standing preferences"),
    el("ul", {}, ...handled.map((h) => el("li", { className: `handled-${h.action}` },
      `${HANDLED[h.action] || h.action}: ${h.label}`))),
    el("p", { className: "muted" }, "Change these preferences on the dashboard's decisions page."));
}

function renderOffer(view) {
  const { result, flags } = view;
  const offered = result.fields.filter((f) => f.offers.length > 0);
  const skipped = result.fields.filter((f) => f.offers.length === 0 && f.type);
  document.title = `Proffer — ${result.site}`;
  const title = heading("site", `${result.site} asks for your details`);
  main.replaceChildren(
    title,
    el("p", { className: "origin", id: "origin" }, flags.topOrigin),
    el("p", { className: "purpose", id: "purpose" }, `For ${purposeInWords(result.purpose)}.`),
  );
  if (flags.insecure) {
    main.append(el("p", { className: "warning", id: "warning-insecure", role: "alert" },
      "This page is not encrypted (http). Anyone on the network between you and the shop can read what you share."));
  }
  if (result.handled && result.handled.length) main.append(handledSection(result.handled));
  const form = formWithoutSubmit({ id: "approval" });
  let frameBox = null;
  if (flags.crossOriginFrame || result.frame_approval) {
    main.append(el("p", { className: "warning", id: "warning-frame", role: "alert" },
      `These fields are inside a frame from another site: ${result.frame_origin}. It, not ${flags.topOrigin}, would get what you share.`));
    frameBox = el("input", { type: "checkbox", id: "approve-frame", checked: false });
    form.append(el("div", { className: "field" }, frameBox,
      el("label", { htmlFor: "approve-frame" }, `I approve sharing with ${result.frame_origin}`)));
  }
  const fieldset = el("fieldset", {}, el("legend", {}, "Tick what you want to share"), ...offered.map((f) => fieldRow(f, result.purpose)));
  form.append(fieldset);
  if (skipped.length) {
    form.append(el("details", { className: "skipped" },
      el("summary", {}, `${skipped.length} field(s) Proffer will not fill`),
      el("ul", {}, ...skipped.map((f) => el("li", {}, `${f.label || f.type}: ${skippedInWords(f.reason)}`)))));
  }
  const approve = el("button", { type: "button", id: "approve", className: "primary" }, "Share ticked");
  const decline = el("button", { type: "button", id: "decline" }, "Decline");
  form.append(el("div", { className: "actions" }, decline, approve));
  main.append(form);

  const guard = armAfterDelay(window, [frameBox, fieldset, decline, approve].filter(Boolean), { busy: form });
  let sending = false;
  approve.addEventListener("click", async () => {
    if (!guard.armed() || sending) return;
    const approvals = [];
    const never = [];
    for (const box of form.querySelectorAll("input[name=share]")) {
      const index = Number(box.dataset.index);
      const remember = form.querySelector(`#remember-${index}`).value;
      if (box.checked) {
        const choice = form.querySelector(`#choice-${index}`);
        approvals.push({ index, value_id: choice ? choice.value : box.dataset.valueId, remember: remember === "always" });
      } else if (remember === "never") {
        never.push(index);
      }
    }
    if (frameBox && approvals.length && !frameBox.checked) {
      showError(`Tick "I approve sharing with ${result.frame_origin}" to share with this frame, or decline.`);
      frameBox.focus();
      return;
    }
    sending = true;
    const answer = await sendToWorker({
      type: M.APPROVAL_DECIDE, request: key, approvals, never,
      approvedFrameOrigin: frameBox && frameBox.checked ? result.frame_origin : null,
    });
    if (!answer.ok) {
      sending = false;
      showError(answer.error.message);
    }
  });
  decline.addEventListener("click", () => {
    if (guard.armed()) sendToWorker({ type: M.APPROVAL_DECLINE, request: key });
  });
  title.focus();
}

// The person typed a number into a shop's loyalty field: keep it in the wallet? Nothing is kept unless they
// say yes here; the page never sees this window.
function renderKeep(view) {
  const keep = view.result;
  document.title = `Proffer — keep your ${keep.site} membership?`;
  const program = el("input", { type: "text", id: "keep-program", value: keep.program, maxLength: 100,
    required: true, autocomplete: "off" });
  const yes = el("button", { type: "button", id: "keep-yes", className: "primary" }, "Keep it in my wallet");
  const no = el("button", { type: "button", id: "keep-no" }, "Not now");
  const title = heading("keep-title", `Keep this ${keep.site} membership number?`);
  const form = formWithoutSubmit({ id: "keep" },
    el("p", {}, el("label", { htmlFor: "keep-program" }, "Programme name "), program),
    el("div", { className: "actions" }, no, yes));
  main.replaceChildren(
    title,
    el("p", { className: "value", id: "keep-number" }, keep.number),
    el("p", { className: "muted", id: "keep-field" }, `You typed it into "${keep.label || "a loyalty number field"}".`
      + ` Proffer will offer it on ${keep.site} only, and ask you each time.`),
    form,
  );
  const guard = armAfterDelay(window, [program, no, yes], { busy: form });
  let sending = false;
  yes.addEventListener("click", async () => {
    if (!guard.armed() || sending) return;
    sending = true;
    const answer = await sendToWorker({ type: M.KEEP_DECIDE, request: key, keep: true, program: program.value });
    if (!answer.ok) {
      sending = false;
      showError(answer.error.message);
    }
  });
  no.addEventListener("click", () => {
    if (guard.armed()) sendToWorker({ type: M.KEEP_DECIDE, request: key, keep: false });
  });
  title.focus();
}

function renderLocked(view) {
  const absent = view.code === "vault_absent";
  const retry = el("button", { type: "button", id: "retry", className: "primary" }, "I have unlocked it — try again");
  const dashboard = el("a", { id: "open-dashboard", href: "#" }, absent ? "Create your vault" : "Open the dashboard to unlock");
  const title = heading("locked", absent ? "Proffer has no vault yet" : "Your Proffer vault is locked");
  main.replaceChildren(
    title,
    el("p", {}, absent
      ? "Create your vault in Proffer's dashboard, then try again. Nothing was filled."
      : "Unlock it with your passphrase to see what this page asks for. Nothing was filled."),
    el("p", {}, dashboard),
    el("div", { className: "actions" }, retry),
  );
  dashboard.addEventListener("click", async (event) => {
    event.preventDefault();
    const status = await sendToWorker({ type: M.STATUS_GET });
    if (status.ok && status.result.dashboard) window.open(status.result.dashboard, "_blank", "noopener");
  });
  const guard = armAfterDelay(window, [retry]);
  retry.addEventListener("click", async () => {
    if (!guard.armed()) return;
    const answer = await sendToWorker({ type: M.APPROVAL_RETRY, request: key });
    if (!answer.ok) return showError(answer.error.message);
    if (answer.result.request) location.replace(`approval.html?request=${encodeURIComponent(answer.result.request)}`);
  });
  title.focus();
}

let kind = null;
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  if (kind === "keep") sendToWorker({ type: M.KEEP_DECIDE, request: key, keep: false });
  else sendToWorker({ type: M.APPROVAL_DECLINE, request: key });
});

const answer = await sendToWorker({ type: M.APPROVAL_GET, request: key });
if (!answer.ok) {
  main.replaceChildren();
  showError(answer.error.message);
} else if (answer.result.kind === "locked") {
  renderLocked(answer.result);
} else if (answer.result.kind === "keep") {
  kind = "keep";
  renderKeep(answer.result);
} else {
  renderOffer(answer.result);
}
document.body.dataset.ready = "true";
// When the person could first see the window's content (high-resolution epoch ms), for benchmarks/fill.py.
document.body.dataset.shownAt = String(performance.timeOrigin + performance.now());
