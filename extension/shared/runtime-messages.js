// The names of the messages that travel inside the extension (content script <-> service worker <->
// extension pages), defined once. A classic script, so content scripts can load it; the service worker
// and pages import it for its side effect and read globalThis.ProfferMessages.
globalThis.ProfferMessages = Object.freeze({
  // content script -> service worker (untrusted senders: the only types they may send)
  FORM_SEEN: "form.seen",
  LOYALTY_TYPED: "loyalty.typed", // the person typed a number into a watched loyalty field
  BOXES_SUBMITTED: "boxes.submitted", // a form was sent whose consent boxes Proffer set had been undone meanwhile
  // service worker -> content script
  FILL_APPLY: "fill.apply",
  LOYALTY_WATCH: "loyalty.watch",
  // extension pages -> service worker (trusted senders only)
  APPROVAL_GET: "approval.get",
  APPROVAL_DECIDE: "approval.decide",
  APPROVAL_DECLINE: "approval.decline",
  APPROVAL_RETRY: "approval.retry",
  KEEP_DECIDE: "keep.decide",
  STATUS_GET: "status.get",
  VAULT_LOCK: "vault.lock",
  SITE_SUMMARY: "site.summary",
  SITE_FORGET: "site.forget",
  SITE_AUTOFILL: "site.autofill",
  WAITING_GET: "waiting.get", // the popup: is a form of this tab and top origin held back by a cooldown?
  WAITING_ASK: "waiting.ask", // the person's "Ask now": end that cooldown and ask about the form at once
});
