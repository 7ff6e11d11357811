// What a form is for, in the person's words, for the approval window.
//
// The window says what the page is for ("For checkout and delivery."). A page may also hold a form for
// something else, such as a newsletter box in a checkout's footer. A field of such a form says so in its
// row, because its ledger entry and any "always" or "never" chosen for it are for that form's purpose
// (companion/fill.py).

export const PURPOSES = Object.freeze({
  checkout: "checkout and delivery",
  billing: "billing",
  "account-signup": "creating an account",
  newsletter: "a newsletter",
  "loyalty-enrollment": "joining a loyalty programme",
  "loyalty-lookup": "looking up a loyalty membership",
  login: "signing in",
  search: "a search",
  other: "a form",
});

/** The words for what a page or form is for: "checkout and delivery", or "a form" for what is not known. */
export function purposeInWords(purpose) {
  return Object.hasOwn(PURPOSES, purpose) ? PURPOSES[purpose] : PURPOSES.other;
}

/** "for a newsletter" when a field's form is for something other than the page, else "" (nothing to add). */
export function fieldPurposeNote(field, pagePurpose) {
  if (!field.purpose || field.purpose === pagePurpose) return "";
  return `for ${purposeInWords(field.purpose)}`;
}
