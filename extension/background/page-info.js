// What the service worker trusts about where a form is: the browser's own account of the sender, not
// what the content script says. The content script's page info is used only for what the browser does not
// tell (the top origin of a frame in a tab whose URL we may not read).

import "../shared/runtime-messages.js";

function parsed(url) {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function originOf(url) {
  const origin = parsed(url)?.origin;
  return origin && origin !== "null" ? origin : "";
}

export function pageForRequest(claimed, sender) {
  const frameOrigin = sender.origin && sender.origin !== "null" ? sender.origin : originOf(sender.url);
  const topOrigin = sender.frameId === 0 ? frameOrigin : originOf(sender.tab && sender.tab.url) ||
    (claimed && typeof claimed.top_origin === "string" ? claimed.top_origin : "");
  const title = claimed && typeof claimed.title === "string" ? claimed.title.slice(0, 300) : "";
  return { url: sender.url.slice(0, 8192), top_origin: topOrigin, frame_origin: frameOrigin, title };
}

/**
 * Whether no one on the network can read a page or swap it: https, or http on a loopback host (localhost, a
 * name under .localhost, 127.0.0.0/8, [::1]). The companion's rule (`trustworthy` in companion/sites.py),
 * which decides whether a standing "always" fills without asking; tests/fixtures/trustworthy-origins.json
 * holds the cases both are tested against. The URL parser has already lowercased the host, written an IPv4
 * address in dotted decimal and an IPv6 one in its shortest form, in brackets.
 */
export function trustworthy(originOrUrl) {
  const url = parsed(originOrUrl);
  if (!url || !url.hostname) return false;
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  const host = url.hostname.replace(/\.+$/, "");
  return host === "localhost" || host.endsWith(".localhost") || /^127(\.\d+){3}$/.test(host) || host === "[::1]";
}

/** Warnings the approval window must show before the person shares anything. */
export function approvalFlags(page) {
  const top = parsed(page.top_origin);
  return {
    insecure: Boolean(top) && top.protocol === "http:" && !trustworthy(page.top_origin),
    crossOriginFrame: page.frame_origin !== page.top_origin,
    frameOrigin: page.frame_origin,
    topOrigin: page.top_origin,
  };
}

// --- where approved values may go ----------------------------------------------------------------------
//
// A frame keeps its frameId when it navigates, so "tab 7, frame 3" may hold another document, of another
// origin, by the time the person approves. A target names the document that asked: its documentId where
// the browser gives one (messages then reach that document or none), and always the origins it had, which
// the content script compares with its own before it fills or watches anything (content.js).

/** The document a form came from: the browser's sender record, and the page information taken from it. */
export function targetOf(sender, page) {
  return {
    tabId: sender.tab.id,
    frameId: sender.frameId,
    documentId: typeof sender.documentId === "string" && sender.documentId ? sender.documentId : null,
    frameOrigin: page.frame_origin,
    topOrigin: page.top_origin,
  };
}

/** Do two targets name different documents of the same frame (a navigation between them)? */
export function otherDocument(a, b) {
  if (!a || !b) return false;
  if (a.documentId && b.documentId) return a.documentId !== b.documentId;
  return a.frameOrigin !== b.frameOrigin;
}

/**
 * Send a FILL_APPLY or LOYALTY_WATCH message to exactly the target's document, with the origins it must
 * have. Resolves to the content script's answer, or null when nothing received it (the document is gone:
 * navigated away or closed), which callers treat as "not filled".
 */
export async function sendToDocument(target, message) {
  const options = target.documentId ? { documentId: target.documentId } : { frameId: target.frameId };
  const origin = { frame: target.frameOrigin, top: target.frameId === 0 ? target.topOrigin : null };
  try {
    return (await chrome.tabs.sendMessage(target.tabId, { ...message, origin }, options)) ?? null;
  } catch {
    return null; // "Could not establish connection. Receiving end does not exist."
  }
}

/** Is the target's document still there, on the origin it had? Asked before anything is released for it. */
export async function stillThere(target) {
  const report = await sendToDocument(target, { type: globalThis.ProfferMessages.FILL_APPLY, values: [] });
  return Boolean(report) && !report.wrongOrigin;
}
