// The toolbar popup: is the companion reachable, is the vault open; lock it, open the dashboard; for the
// current tab, whether a form of its page waits for a cooldown after a decline, with "Ask now"; and for the
// site in the current tab, its standing decisions, its last disclosures, auto-fill on/off, "forget this site".

import "../shared/runtime-messages.js";
import { el, sendToWorker } from "../shared/ui.js";

const M = globalThis.ProfferMessages;
const statusLine = document.getElementById("status");
const actions = document.getElementById("actions");
const siteSection = document.getElementById("site");
const waitingSection = document.getElementById("waiting");

function webOrigin(url) {
  try {
    const { protocol, origin } = new URL(url || "");
    return protocol === "http:" || protocol === "https:" ? origin : null;
  } catch {
    return null;
  }
}

async function currentTab() {
  // activeTab lets the popup read the URL of the tab it was opened on, and nothing more. Opened as a page of
  // its own (no web page can open it: it is not web-accessible), it may be told the tab and origin instead.
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  const origin = webOrigin(tab && tab.url);
  if (origin) return { tabId: tab.id, origin };
  const params = new URLSearchParams(location.search);
  const tabId = Number.parseInt(params.get("tab"), 10);
  return { tabId: Number.isInteger(tabId) ? tabId : null, origin: webOrigin(params.get("origin")) };
}

// A form of this tab's page held back by the cooldown after a decline (background/cooldown.js): say so, and
// let the person ask about it now rather than when the cooldown ends.
let countdown = null;

function renderWaiting(state, tab) {
  clearInterval(countdown);
  waitingSection.hidden = !state.waiting;
  if (!state.waiting) {
    waitingSection.replaceChildren();
    return;
  }
  const until = Date.now() + state.askedIn;
  const text = el("p", { id: "waiting-text" });
  const tick = () => {
    const seconds = Math.ceil((until - Date.now()) / 1000);
    if (seconds > 0) {
      text.textContent = `A form on this page is waiting (asked again in ${seconds} s)`;
    } else {
      clearInterval(countdown);
      refreshWaiting(tab); // the cooldown is over: the worker asks about the form now
    }
  };
  const askNow = el("button", { type: "button", id: "ask-now" }, "Ask now");
  askNow.addEventListener("click", async () => {
    askNow.disabled = true;
    clearInterval(countdown);
    await sendToWorker({ type: M.WAITING_ASK, tabId: tab.tabId, origin: tab.origin });
    refreshWaiting(tab);
  });
  waitingSection.replaceChildren(text, el("p", {}, askNow));
  tick();
  countdown = setInterval(tick, 1000);
}

async function refreshWaiting(tab) {
  if (tab.tabId === null || !tab.origin) return renderWaiting({ waiting: false }, tab);
  const answer = await sendToWorker({ type: M.WAITING_GET, tabId: tab.tabId, origin: tab.origin });
  renderWaiting(answer.ok ? answer.result : { waiting: false }, tab);
}

// A ledger entry's decision as the person would say it (companion/ledger/model.py, Decision).
const DECISION_WORDS = {
  once: "shared once",
  always: "shared by your standing decision",
  declined: "declined",
  unticked: "offered, not ticked",
  never: "withheld (never share)",
  undelivered: "sent, but the page did not take", // values released, or a consent box set by your preference
};

function inWords(decision) {
  return DECISION_WORDS[decision] || decision;
}

// An entry's fields as the companion sends them: for a release, what its page took, then what it did not.
function fieldsInWords({ field_types: took, not_taken: notTaken }) {
  if (!notTaken.length) return took.join(", ");
  const missed = `not taken by the page: ${notTaken.join(", ")}`;
  return took.length ? `${took.join(", ")} (${missed})` : `nothing (${missed})`;
}

function renderSite(summary, origin) {
  const autofill = el("input", { type: "checkbox", id: "autofill", checked: summary.autofill });
  autofill.addEventListener("change", async () => {
    const answer = await sendToWorker({ type: M.SITE_AUTOFILL, origin, enabled: autofill.checked });
    if (answer.ok) renderSite(answer.result, origin);
  });
  const forget = el("button", { type: "button", id: "forget-site" }, "Forget this site");
  forget.addEventListener("click", async () => {
    const answer = await sendToWorker({ type: M.SITE_FORGET, origin });
    if (answer.ok) refreshSite(origin);
  });
  const decisions = summary.decisions.length
    ? el("ul", { id: "site-decisions" }, ...summary.decisions.map((d) =>
      el("li", {}, `${d.choice === "always" ? "Always share" : "Never share"} ${d.field_type}`,
        d.purpose ? ` (for ${d.purpose})` : "")))
    : el("p", { className: "muted", id: "site-decisions" }, "No standing decisions: Proffer asks each time.");
  const recent = summary.recent.length
    ? el("ul", { id: "site-recent" }, ...summary.recent.map((r) =>
      el("li", {}, `${r.time.slice(0, 16).replace("T", " ")} — ${inWords(r.decision)}: ${fieldsInWords(r)}`)))
    : el("p", { className: "muted", id: "site-recent" }, "Nothing shared with this site yet.");
  siteSection.replaceChildren(
    el("h2", { id: "site-name" }, summary.site),
    el("h3", {}, "Standing decisions"), decisions,
    el("p", {}, autofill, el("label", { htmlFor: "autofill" }, " Fill \"always\" fields without asking")),
    el("h3", {}, "Last disclosures"), recent,
    el("p", {}, forget),
  );
  siteSection.hidden = false;
}

async function refreshSite(origin) {
  if (!origin) return;
  const answer = await sendToWorker({ type: M.SITE_SUMMARY, origin });
  if (answer.ok) renderSite(answer.result, origin);
}

async function refresh() {
  const tab = await currentTab();
  refreshWaiting(tab); // a form waits in the worker whatever the companion's state
  const answer = await sendToWorker({ type: M.STATUS_GET });
  const status = answer.ok ? answer.result : { reachable: false, problem: answer.error.message };
  document.body.dataset.reachable = String(status.reachable);
  actions.replaceChildren();
  if (!status.reachable) {
    statusLine.className = "bad";
    statusLine.textContent = "The companion is not reachable: nothing will be filled. Start it with `proffer serve`.";
    statusLine.title = status.problem || "";
    return;
  }
  document.body.dataset.vault = status.vault;
  statusLine.className = status.vault === "unlocked" ? "ok" : "bad";
  statusLine.textContent = {
    unlocked: "Connected. Your vault is open.",
    locked: "Connected. Your vault is locked.",
    absent: "Connected. You have no vault yet.",
  }[status.vault];
  const dashboard = el("button", { type: "button", id: "open-dashboard" }, "Open dashboard");
  dashboard.addEventListener("click", () => window.open(status.dashboard, "_blank", "noopener"));
  actions.append(dashboard);
  if (status.vault === "unlocked") {
    const lock = el("button", { type: "button", id: "lock" }, "Lock now");
    lock.addEventListener("click", async () => {
      await sendToWorker({ type: M.VAULT_LOCK });
      refresh();
    });
    actions.append(lock);
    await refreshSite(tab.origin);
  }
}

refresh();
