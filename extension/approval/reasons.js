// Why Proffer will not fill a field, in the person's words, for the approval window's "will not fill" list.
//
// The companion's safety rules (companion/fields/safety.py) give stable reasons that `proffer fields` and the
// tests read ("invisible: covered", "fishing: hidden second email (off-screen)"); a person reading the
// approval window needs to know what that means for them. The rule's own words stay, in brackets, so that
// the window and `proffer fields` can be compared. Reasons the companion already words for the person
// ("nothing in the vault for this field") are shown as they are.

const RULES = {
  invisible: "hidden on the page",
  fishing: "a hidden copy of a field you can see: the page may be fishing for it",
  decoy: "a trap the page set for bots or for the browser's own autofill, not a field for you",
  password: "a password: Proffer never fills secrets",
  "one-time-code": "a one-time code: Proffer never fills secrets",
  "payment card": "a payment card field: Proffer does not handle cards",
  "not a text control": "not a box for typed text",
  disabled: "the page does not let anyone type there",
  readonly: "the page does not let anyone type there",
  "cross-origin frame": "inside a frame from another site, which you have not approved",
};
// More precise words for some of the hidden fields: what the person can do about it.
const HIDDEN = {
  covered: "something on the page is drawn over it; close it, and Proffer asks again",
};

/** The words for `reason` (a safety rule's reason, or words already meant for the person). */
export function skippedInWords(reason) {
  if (!reason) return "not fillable";
  const [rule, detail = ""] = reason.split(/:\s*/, 2);
  const words = (rule === "invisible" && HIDDEN[detail.trim()]) || RULES[rule];
  return words ? `${words} (${reason})` : reason;
}
