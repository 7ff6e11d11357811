// DOM helpers for Proffer's extension pages. Text goes in as text nodes, never as markup: values and labels
// come from retailer pages and are hostile.

/** Create an element with properties (or aria-/data- attributes) and children (strings become text). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name.startsWith("aria-") || name === "role") node.setAttribute(name, value);
    else node[name] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** Send a message to the service worker; resolves to {ok, result} or {ok: false, error}. */
export async function sendToWorker(message) {
  try {
    const answer = await chrome.runtime.sendMessage(message);
    return answer || { ok: false, error: { code: "internal_error", message: "no answer from Proffer" } };
  } catch (error) {
    return { ok: false, error: { code: "internal_error", message: error.message } };
  }
}
