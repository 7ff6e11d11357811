"""Whether a value may go into a field at all: the rules no classification, decision or approval overrides.

A value in a page IS a disclosure (the page's scripts read it before any submit), so a field is refused
unless every rule below lets it through. Each refusal carries a short, stable reason string: the CLI
prints it, the approval window shows it, tests compare it, so the strings are part of the interface.

Order of the rules (the first that refuses names the reason):
1. Secrets and cards: passwords, one-time codes and payment card fields are never filled. Proffer holds
   neither; the check looks at the input type and the site's own autocomplete attribute as well as the
   classifier's token, so a mislabelled card box is still refused.
2. Controls that carry no typed value (buttons, files, ranges, colours) are not filled.
3. Visibility: a field the person cannot see is never filled. If it looks like a hidden copy of a
   field that IS visible in the same form (a second email box behind display:none), the page may be
   fishing for values a person would not knowingly give, and the reason says so. A box that says it is
   part of another address ("billing_firstname" beside a shipping one) is a folded section, not a copy,
   and a hidden box beside a visible list of the same kind is the widget for other countries.
4. A box whose programmer name says it is a trap ("honeypot", "fakeemailremembered") is a decoy: a page
   sets one to catch bots, or to take the browser's own autofill in place of the real box, and hides it
   from the person. Shown or not, a value in it marks the sender as a bot or goes where no one looked.
5. Disabled and read-only fields are not the person's to change.
6. A field inside a frame whose origin differs from the top page's is refused unless that frame origin is
   in ``approved_frame_origins`` (the person approved it in the approval window, or the caller is building
   an offer that the person must approve together with the origin).
7. A field the classifier could not name gets nothing: a value in the wrong field is a leak; an empty
   field only costs a keystroke.

``assess`` judges one field (the fill flow calls it per field); ``assess_page`` judges all fields of a
payload at once and can use every field's token for the fishing check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from companion.fields import text, vocabulary
from companion.protocol.messages import FieldDescriptor, FillRequestPayload
from companion.tokens import CARD_TOKENS, SECRET_TOKENS, parse_autocomplete

# The reasons, as stable strings. Invisible and fishing reasons carry the extraction's detail after ":".
PASSWORD = "password"  # noqa: S105  # a reason string, not a secret
ONE_TIME_CODE = "one-time-code"
PAYMENT_CARD = "payment card"
NO_VALUE_CONTROL = "not a text control"
INVISIBLE = "invisible"
FISHING = "fishing"
DECOY = "decoy"
DISABLED = "disabled"
READONLY = "readonly"
CROSS_ORIGIN_FRAME = "cross-origin frame"
NO_TYPE = "no type"

# Input types that never take a typed value. "hidden" is judged by visibility (its hidden_reason).
NO_VALUE_INPUT_TYPES = frozenset({"submit", "button", "reset", "image", "file", "range", "color"})
# Input types whose kind alone tells what the field asks for, for spotting hidden copies.
TELLING_INPUT_TYPES = frozenset({"email", "tel"})

Verdict = tuple[bool, str | None]


@dataclass(frozen=True)
class _FormKinds:
    """What the visible fields of each form ask for (form index, or None for fields outside forms), for
    the forms that hide a box: no other form is looked at twice."""

    visible: Mapping[int | None, frozenset[str]]

    @classmethod
    def of(cls, payload: FillRequestPayload, tokens: Mapping[int, str | None]) -> _FormKinds:
        hiding = {f.form_index for f in payload.fields if not f.visible and f.type != "hidden"}
        seen: dict[int | None, set[str]] = {}
        for field in payload.fields:
            if field.visible and field.form_index in hiding:
                seen.setdefault(field.form_index, set()).update(_kinds(field, tokens.get(field.index)))
        return cls({form: frozenset(kinds) for form, kinds in seen.items()})


def _kinds(field: FieldDescriptor, token: str | None) -> set[str]:
    """What a field asks for, by every account (the classifier's token, the site's hint, the input type),
    each with the address the field itself says it belongs to and its tag: "given-name@billing/input".

    The tag counts because a shop shows a list of states for some countries and a box for the others,
    the one not needed hidden: a hidden state box beside a visible state list is that other widget."""
    kinds: set[str] = set()
    if token:
        kinds.add(token)
    hint = parse_autocomplete(field.autocomplete)
    if hint is not None:
        kinds.add(hint.token)
    if field.tag == "input" and field.type in TELLING_INPUT_TYPES:
        kinds.add(field.type)
    section = (hint.section if hint else None) or _named_section(field)
    return {f"{kind}@{section or ''}/{field.tag}" for kind in kinds}


def _name_kinds(field: FieldDescriptor) -> set[str]:
    """The keyword kinds the field's programmer names (name and id, not its label) speak of."""
    return vocabulary.kinds_in_words(text.identifier(f"{field.name[:200]} {field.id[:200]}").split())


def _named_section(field: FieldDescriptor) -> str | None:
    """The address ("billing" or "shipping") the field's programmer names say it is part of, if just one.

    A checkout keeps its billing address folded away until the person unticks "same as shipping": those
    boxes are hidden, but they are not copies of the shipping boxes the person sees."""
    return vocabulary.one_section(_name_kinds(field))


def _decoy(field: FieldDescriptor) -> bool:
    """Whether the field's programmer names call it a trap: see rule 4."""
    return "decoy" in _name_kinds(field)


def _secret_or_card(field: FieldDescriptor, token: str | None) -> str | None:
    hint = parse_autocomplete(field.autocomplete)
    stated = {t for t in (token, hint.token if hint else None) if t}
    if field.tag == "input" and field.type == "password":
        return PASSWORD
    if "one-time-code" in stated:
        return ONE_TIME_CODE
    if stated & SECRET_TOKENS:
        return PASSWORD
    if stated & CARD_TOKENS:
        return PAYMENT_CARD
    return None


def _judge(
    field: FieldDescriptor,
    token: str | None,
    payload: FillRequestPayload,
    approved_frame_origins: frozenset[str],
    form_kinds: _FormKinds | None,
) -> Verdict:
    secret = _secret_or_card(field, token)
    if secret is not None:
        return False, secret
    if field.tag == "input" and field.type in NO_VALUE_INPUT_TYPES:
        return False, NO_VALUE_CONTROL
    if field.tag == "input" and field.type == "hidden":
        return False, f"{INVISIBLE}: type=hidden"  # whatever the visible flag says: no one can see one
    if not field.visible:
        detail = field.hidden_reason or "hidden"
        if field.type != "hidden" and form_kinds is not None:
            twins = _kinds(field, token) & form_kinds.visible.get(field.form_index, frozenset())
            if twins:
                return False, f"{FISHING}: hidden second {sorted(twins)[0].partition('@')[0]} ({detail})"
        return False, f"{INVISIBLE}: {detail}"
    if _decoy(field):
        return False, DECOY
    if field.disabled:
        return False, DISABLED
    if field.readonly:
        return False, READONLY
    page = payload.page
    if page.frame_origin != page.top_origin and page.frame_origin not in approved_frame_origins:
        return False, CROSS_ORIGIN_FRAME
    if not token:
        return False, NO_TYPE
    return True, None


def assess(
    field: FieldDescriptor,
    token: str | None,
    payload: FillRequestPayload,
    approved_frame_origins: frozenset[str] = frozenset(),
) -> Verdict:
    """May a value for `token` go into `field`? (True, None), or (False, reason).

    Pure. The fishing check compares an invisible field with the visible fields of its form by what their
    descriptors state (autocomplete hint, input type); ``assess_page`` compares by tokens too.
    """
    # Only an invisible field that is not an ordinary type=hidden input needs its neighbours looked at.
    needs_neighbours = not field.visible and field.type != "hidden"
    form_kinds = _visible_kinds(payload) if needs_neighbours else None
    return _judge(field, token, payload, approved_frame_origins, form_kinds)


# The fill flow calls assess once per field of one payload: the visible fields' kinds are worked out once
# per payload, not once per invisible field (a hostile page could send 2,000 of them). The entry holds the
# payload itself, so its id cannot be reused while cached.
_last_kinds: tuple[FillRequestPayload, _FormKinds] | None = None


def _visible_kinds(payload: FillRequestPayload) -> _FormKinds:
    global _last_kinds
    cached = _last_kinds
    if cached is not None and cached[0] is payload:
        return cached[1]
    kinds = _FormKinds.of(payload, {})
    _last_kinds = (payload, kinds)
    return kinds


def assess_page(
    payload: FillRequestPayload,
    tokens: Mapping[int, str | None],
    approved_frame_origins: frozenset[str] = frozenset(),
) -> dict[int, Verdict]:
    """Judge every field of `payload`; `tokens` maps a field's index to the classifier's token."""
    form_kinds = _FormKinds.of(payload, tokens)
    return {
        field.index: _judge(field, tokens.get(field.index), payload, approved_frame_origins, form_kinds)
        for field in payload.fields
    }


__all__ = [
    "CROSS_ORIGIN_FRAME",
    "DECOY",
    "DISABLED",
    "FISHING",
    "INVISIBLE",
    "NO_TYPE",
    "NO_VALUE_CONTROL",
    "ONE_TIME_CODE",
    "PASSWORD",
    "PAYMENT_CARD",
    "READONLY",
    "Verdict",
    "assess",
    "assess_page",
]
