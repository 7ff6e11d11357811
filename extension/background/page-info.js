// What the service worker trusts about where a form is: the browser's own account of the sender, not
// what the content script says. The content script's page info is used only for what the browser does not
// tell (the top origin of a frame in a tab whose URL we may not read).

function originOf(url) {
  try {
    const { origin } = new URL(url);
    return origin === "null" ? "" : origin;
  } catch {
    return "";
  }
}

export function pageForRequest(claimed, sender) {
  const frameOrigin = sender.origin && sender.origin !== "null" ? sender.origin : originOf(sender.url);
  const topOrigin = sender.frameId === 0 ? frameOrigin : originOf(sender.tab && sender.tab.url) ||
    (claimed && typeof claimed.top_origin === "string" ? claimed.top_origin : "");
  const title = claimed && typeof claimed.title === "string" ? claimed.title.slice(0, 300) : "";
  return { url: sender.url.slice(0, 8192), top_origin: topOrigin, frame_origin: frameOrigin, title };
}

/** Warnings the approval window must show before the person shares anything. */
export function approvalFlags(page) {
  return {
    insecure: page.top_origin.startsWith("http:") && !/^http:\/\/(127\.0\.0\.1|localhost)(:|$)/.test(page.top_origin),
    crossOriginFrame: page.frame_origin !== page.top_origin,
    frameOrigin: page.frame_origin,
    topOrigin: page.top_origin,
  };
}
