// Lindenhof Outfitters: the only script of the demo shop. It opens and closes the shop's dialogs; the
// newsletter pop-up opens by itself after a delay on the home page, once per browser session, the way
// real shops' pop-ups do.
(() => {
  "use strict";
  const SEEN_KEY = "lindenhof-newsletter-seen";

  function dialog(id) {
    const element = document.getElementById(id);
    return element instanceof HTMLDialogElement ? element : null;
  }

  function open(id) {
    const d = dialog(id);
    if (d && !d.open) d.showModal();
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-opens], [data-closes]") : null;
    if (!target) return;
    if (target.dataset.opens) open(target.dataset.opens);
    if (target.dataset.closes) dialog(target.dataset.closes)?.close();
  });

  const newsletter = dialog("newsletter-dialog");
  if (newsletter) {
    newsletter.addEventListener("close", () => sessionStorage.setItem(SEEN_KEY, "1"));
    const delay = Number.parseInt(newsletter.dataset.autoOpenMs ?? "", 10);
    if (Number.isFinite(delay) && !sessionStorage.getItem(SEEN_KEY)) {
      setTimeout(() => open("newsletter-dialog"), delay);
    }
  }
})();
