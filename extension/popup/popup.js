// The toolbar popup: is the companion reachable, is the vault open; lock it, open the dashboard.

import "../shared/runtime-messages.js";
import { el, sendToWorker } from "../shared/ui.js";

const M = globalThis.ProfferMessages;
const statusLine = document.getElementById("status");
const actions = document.getElementById("actions");

async function refresh() {
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
  }
}

refresh();
