"""Marketing and loyalty prompts, met on the person's terms: what to do about them on one page.

The classifier names the prompts (``marketing-opt-in`` and ``marketing-opt-out`` boxes, ``loyalty-enroll``
boxes, enrolment and newsletter forms by their purpose); the person's ``PromptPreferences`` say what to do;
this module turns both into a plan for one ``fill.request``. The companion decides and the extension only
executes: the plan's box changes go to the content script as they are, and every refusal in it becomes a
ledger entry, because a refusal is part of the record too.

- Marketing, "untick" (the default): a pre-ticked opt-in is unticked and an unticked "tick if you do NOT
  want offers" twin is ticked. "leave": both stay as the shop set them.
- Enrolment, "decline": a "join our rewards programme" form is offered nothing (no window for it), and a
  pre-ticked "join" box is unticked. "ask": the form goes to the approval window like any other.
- Newsletters, "never": a newsletter form (pop-up or not) is offered nothing. "ask": it goes to the window.
  A form counts as a newsletter sign-up here only when its own words say so (newsletter, subscribe,
  offers...): a lone email box is also how many checkouts start, and that must never be refused unasked.

Only boxes the safety rules let Proffer touch are changed (visible, enabled), never in a frame of another
origin (the person has not approved that frame, and nothing is written there unasked), and only in their
refusing direction: Proffer never ticks an opt-in, a "join" box or a terms box for anyone.
Terms boxes are left alone in every case. The page may still refuse a change (the box is gone, disabled or
hidden by then, or the page flips it back as it is clicked): the content script says so, and the service
worker's ``fill.report`` for the request's "boxes" makes the ledger say the change did not happen (see
``companion.fill``). A page may also undo a change later, after the content script saw it hold (a timer, a
focus handler, its own submit handler): the content script holds the boxes it set until their form is sent
(``extension/content/hold.js``), sets such a box again as it is, and one more report on the boxes, at the
submission, makes the ledger say so: a box set again gets a "never" entry of its own, a note that refuses
nothing more (``companion.ledger.model.TERMS_SET_AGAIN``), one it could not set again, or that the person
changed themselves, an "undelivered" one. Not seen: what a page does after the form's formdata event, a form
it posts without a submit event or ``new FormData``, and anything after that one report or the hold's time
(see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from companion.decisions import EnrollmentChoice, MarketingChoice, NewsletterChoice, PromptPreferences
from companion.fields import text, vocabulary
from companion.fields.classify import PageUnderstanding
from companion.fields.safety import Verdict
from companion.ledger.model import Decision, DisclosedField
from companion.protocol.messages import BoxChange, FillRequestPayload, FormDescriptor, PromptHandled
from companion.tokens import CONSENT_TOKENS, LOYALTY_ENROLL, MARKETING_OPT_IN, MARKETING_OPT_OUT

TERMS_UNTICKED_MARKETING = "pre-ticked marketing consent unticked by Proffer, by the person's standing preference"
TERMS_TICKED_OPT_OUT = "'no marketing' box ticked by Proffer, by the person's standing preference"
TERMS_UNTICKED_ENROLL = "pre-ticked loyalty enrolment unticked by Proffer, by the person's standing preference"
TERMS_DECLINED_ENROLL = "loyalty programme enrolment declined quietly, by the person's standing preference"
TERMS_NEVER_NEWSLETTER = "newsletter sign-up never filled, by the person's standing preference"
TERMS_NOT_KEPT = "set by Proffer by the person's standing preference, but the page did not keep it (why: per field)"
TERMS_NOT_KEPT_AT_SUBMIT = (
    "set by Proffer by the person's standing preference, but undone before the form was sent and not set again"
    " (why: per field)"
)

REASON_UNTICKED = "pre-ticked: unticked by your standing preference"
REASON_TICKED = "ticked to refuse offers, by your standing preference"
REASON_LEFT = "left as the shop set it, by your standing preference"
REASON_CONSENT = "Proffer never gives consent for you"
REASON_ENROLL = "you decline loyalty enrolment prompts (standing preference)"
REASON_NEWSLETTER = "you never fill newsletter sign-ups (standing preference)"


@dataclass(frozen=True)
class Refusal:
    """One ledger entry the plan asks for."""

    purpose: str
    decision: Decision
    terms: str
    fields: tuple[DisclosedField, ...]
    box: int | None = None  # the consent box this entry says Proffer set (its index), for the page's report


@dataclass
class PromptPlan:
    boxes: list[BoxChange] = field(default_factory=list)
    handled: list[PromptHandled] = field(default_factory=list)
    # field index -> why it gets no offer (consent boxes, and fields of forms declined by preference)
    withheld: dict[int, str] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)


def plan_prompts(
    payload: FillRequestPayload,
    understanding: PageUnderstanding,
    safety: dict[int, Verdict],
    preferences: PromptPreferences,
) -> PromptPlan:
    plan = PromptPlan()
    same_origin = payload.page.frame_origin == payload.page.top_origin
    descriptors = {f.index: f for f in payload.fields}
    forms = {f.index: f for f in payload.forms}
    declined_forms: dict[int | None, tuple[str, list[int]]] = {}
    for seen in understanding.fields:
        descriptor = descriptors[seen.index]
        fillable = safety[seen.index][0] and same_origin
        purpose = understanding.purpose_of(descriptor.form_index)
        if seen.type in CONSENT_TOKENS:
            plan.withheld[seen.index] = _consent_box(
                plan, seen.type, seen.label, seen.index, descriptor.checked, fillable, purpose, preferences
            )
            continue
        if not fillable or not seen.type:
            continue
        if purpose == "loyalty-enrollment" and preferences.enrollment is EnrollmentChoice.DECLINE:
            plan.withheld[seen.index] = REASON_ENROLL
        elif (
            purpose == "newsletter"
            and preferences.newsletter is NewsletterChoice.NEVER
            and speaks_of_marketing(forms.get(descriptor.form_index) if descriptor.form_index is not None else None)
        ):
            plan.withheld[seen.index] = REASON_NEWSLETTER
        else:
            continue
        declined_forms.setdefault(descriptor.form_index, (purpose, []))[1].append(seen.index)
    labels = {seen.index: seen.label for seen in understanding.fields}
    types = {seen.index: seen.type or "" for seen in understanding.fields}
    for form_index, (purpose, indexes) in declined_forms.items():
        enrolment = purpose == "loyalty-enrollment"
        heading = _form_heading(forms.get(form_index) if form_index is not None else None, purpose)
        plan.handled.append(
            PromptHandled(
                kind="loyalty-enrollment" if enrolment else "newsletter",
                action="declined" if enrolment else "never",
                label=heading,
                fields=indexes,
            )
        )
        plan.refusals.append(
            Refusal(
                purpose=purpose,
                decision=Decision.DECLINED if enrolment else Decision.NEVER,
                terms=TERMS_DECLINED_ENROLL if enrolment else TERMS_NEVER_NEWSLETTER,
                fields=tuple(DisclosedField(type=types[i], label=labels[i]) for i in indexes),
            )
        )
    return plan


def _consent_box(
    plan: PromptPlan,
    kind: str,
    label: str,
    index: int,
    checked: bool | None,
    fillable: bool,
    purpose: str,
    preferences: PromptPreferences,
) -> str:
    """Decide one consent box; returns the reason shown for it (it never gets a vault value)."""
    if not fillable or checked is None:
        return REASON_CONSENT
    if kind in (MARKETING_OPT_IN, MARKETING_OPT_OUT):
        if preferences.marketing is MarketingChoice.LEAVE:
            return REASON_LEFT
        opt_in = kind == MARKETING_OPT_IN
        if opt_in and checked:
            _change(plan, kind, label, index, purpose, False, TERMS_UNTICKED_MARKETING)
            return REASON_UNTICKED
        if not opt_in and not checked:
            _change(plan, kind, label, index, purpose, True, TERMS_TICKED_OPT_OUT)
            return REASON_TICKED
        return REASON_CONSENT
    if kind == LOYALTY_ENROLL and checked:
        if preferences.enrollment is EnrollmentChoice.DECLINE:
            _change(plan, kind, label, index, purpose, False, TERMS_UNTICKED_ENROLL)
            return REASON_UNTICKED
        return REASON_LEFT
    return REASON_CONSENT


def _change(plan: PromptPlan, kind: str, label: str, index: int, purpose: str, checked: bool, terms: str) -> None:
    plan.boxes.append(BoxChange(index=index, checked=checked))
    plan.handled.append(
        PromptHandled(kind=kind, action="ticked" if checked else "unticked", label=label[:300], fields=[index])
    )
    refused = (DisclosedField(type=kind, label=label),)
    plan.refusals.append(Refusal(purpose=purpose, decision=Decision.NEVER, terms=terms, fields=refused, box=index))


def speaks_of_marketing(form: FormDescriptor | None) -> bool:
    """A newsletter sign-up by its own words: its heading or button ("Subscribe to our newsletter"), or the
    text of a pop-up. A checkout's contact step with an opt-in box in it speaks of offers only in the box."""
    if form is None:
        return False
    own = text.human(" ".join((form.heading, form.submit_text)))
    if "marketing" in vocabulary.kinds_in(own):
        return True
    return form.in_dialog and "marketing" in vocabulary.kinds_in(text.human(form.text[:300]))


def _form_heading(form: FormDescriptor | None, purpose: str) -> str:
    heading = " ".join((form.heading if form else "").split())[:120]
    return heading or ("a loyalty programme sign-up" if purpose == "loyalty-enrollment" else "a newsletter sign-up")
