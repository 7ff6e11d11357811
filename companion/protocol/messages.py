"""Payload and result models, and the one table of message types.

Naming follows the role of a model on the wire: ``…Payload`` is what a request carries, ``…Result`` what
a successful answer carries. Descriptors are what the content script reads from a page: never a value
the person typed, only what a careful human would read to understand the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from companion.protocol.envelope import WireModel

Text = Annotated[str, Field(max_length=2000)]
ShortText = Annotated[str, Field(max_length=300)]
Origin = Annotated[str, Field(max_length=2048)]
RequestId = Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ValueId = Annotated[str, Field(min_length=1, max_length=128)]
VaultState = Literal["absent", "locked", "unlocked"]

MAX_FIELDS = 2000


# --- what the content script sees ---------------------------------------------------------------------


class PageInfo(WireModel):
    url: Annotated[str, Field(max_length=8192)]
    top_origin: Origin
    frame_origin: Origin
    title: ShortText = ""


class FormDescriptor(WireModel):
    index: Annotated[int, Field(ge=0)]
    id: ShortText = ""
    name: ShortText = ""
    action_origin: Origin | None = None
    heading: ShortText = ""  # the nearest heading inside or just before the form
    submit_text: ShortText = ""  # text of its submit button(s)
    text: Text = ""  # the form's own visible text, trimmed (labels, legends, paragraphs)
    field_count: Annotated[int, Field(ge=0)] = 0
    in_dialog: bool = False  # inside a modal, pop-up or role=dialog
    # Not a <form>: controls outside any form, grouped by their container (a dialog, a fieldset, the page).
    synthetic: bool = False


class SelectOption(WireModel):
    value: ShortText
    text: ShortText


class FieldDescriptor(WireModel):
    index: Annotated[int, Field(ge=0)]  # position in querySelectorAll('input, select, textarea'), then shadow roots
    form_index: Annotated[int, Field(ge=0)] | None = None
    position_in_form: Annotated[int, Field(ge=0)] | None = None
    tag: Literal["input", "select", "textarea"]
    type: Annotated[str, Field(max_length=32)] = "text"
    name: ShortText = ""
    id: ShortText = ""
    autocomplete: ShortText = ""
    label: Text = ""  # label[for], wrapping label, aria-labelledby, joined
    aria_label: ShortText = ""
    placeholder: ShortText = ""
    title: ShortText = ""
    nearby_text: ShortText = ""  # text just before the field when no label names it
    options: Annotated[list[SelectOption], Field(max_length=400)] = []
    maxlength: int | None = None
    inputmode: Annotated[str, Field(max_length=32)] = ""
    pattern: ShortText = ""
    checked: bool | None = None  # state of a checkbox or radio (a page state, not a personal value)
    visible: bool = True
    hidden_reason: Annotated[str, Field(max_length=64)] | None = None
    disabled: bool = False
    readonly: bool = False


# --- messages -----------------------------------------------------------------------------------------


class EmptyPayload(WireModel):
    pass


class PingResult(WireModel):
    companion_version: str
    protocol: int
    vault: VaultState
    dashboard: str  # the dashboard's URL, for the popup's link


class VaultStatusResult(WireModel):
    state: VaultState


class VaultUnlockPayload(WireModel):
    passphrase: Annotated[str, Field(min_length=1, max_length=1024)]


class FillRequestPayload(WireModel):
    page: PageInfo
    forms: Annotated[list[FormDescriptor], Field(max_length=200)] = []
    fields: Annotated[list[FieldDescriptor], Field(max_length=MAX_FIELDS)]
    # Indexes of fields the person already decided about on this page view (set by the service worker from
    # its own records, never by the page): a form that changes or grows does not ask about them again, and
    # a field filled at once is not overwritten after the person edited it.
    settled: Annotated[list[Annotated[int, Field(ge=0)]], Field(max_length=MAX_FIELDS)] = []


class Offer(WireModel):
    """A value the companion proposes for a field, shown to the person in the approval window only."""

    value_id: ValueId
    value: Text
    label: ShortText = ""


class FieldVerdict(WireModel):
    index: int
    type: str | None  # a WHATWG autocomplete token, one of Proffer's own tokens, or None
    label: ShortText
    fillable: bool
    reason: ShortText | None = None  # why a field is not fillable, or why it was classified so
    offers: list[Offer] = []
    # What the field's own form is for (the page's purpose for a field outside any form): its ledger entry
    # and the standing decisions chosen for it are for this purpose.
    purpose: str | None = None


class FilledValue(WireModel):
    index: int
    value: str


class BoxChange(WireModel):
    """A consent box to set now, by the person's standing preferences: an opt-in unticked, an opt-out ticked."""

    index: int
    checked: bool


PromptKind = Literal["marketing-opt-in", "marketing-opt-out", "loyalty-enroll", "loyalty-enrollment", "newsletter"]


class PromptHandled(WireModel):
    """What Proffer did about a marketing or loyalty prompt by the person's standing preferences, to show them."""

    kind: PromptKind
    action: Literal["unticked", "ticked", "declined", "never"]
    label: ShortText  # the box's label, or the form's heading
    fields: list[int] = []


class KeepOffer(WireModel):
    """Loyalty-number fields with nothing in the wallet for them: a number the person types there may be
    kept in the wallet, if they say yes in Proffer's own window (``wallet.keep``)."""

    keep_id: RequestId
    fields: list[int]
    program: ShortText  # a suggested programme name, for the person to correct


class FillRequestResult(WireModel):
    request_id: RequestId
    site: str
    origin: str
    frame_origin: str
    purpose: str
    fields: list[FieldVerdict]
    needs_approval: bool
    # Values released at once by the person's standing "always" decisions (auto-fill), for the content script.
    autofilled: list[FilledValue] = []
    # The fields sit in a frame of another origin: approving needs the person to approve that origin too.
    frame_approval: bool = False
    # Consent boxes set at once by the person's standing preferences (for the content script), and what was
    # done about marketing and loyalty prompts (for the approval window, the badge and the popup).
    boxes: list[BoxChange] = []
    handled: list[PromptHandled] = []
    keep: KeepOffer | None = None


class Approval(WireModel):
    index: Annotated[int, Field(ge=0)]
    value_id: ValueId
    remember: bool = False  # "always share this with this site, for this purpose"


class FillApprovePayload(WireModel):
    request_id: RequestId
    frame_origin: Origin  # must match the request's: a request id is only good for the frame that asked
    approvals: Annotated[list[Approval], Field(max_length=MAX_FIELDS)]
    never: Annotated[list[Annotated[int, Field(ge=0)]], Field(max_length=MAX_FIELDS)] = []  # "never share"
    approved_frame_origin: Origin | None = None  # required when the request needed frame approval


class FillApproveResult(WireModel):
    request_id: str
    values: list[FilledValue]


class FillDeclinePayload(WireModel):
    request_id: RequestId
    frame_origin: Origin
    reason: Literal["declined", "closed"]


class FillDeclineResult(WireModel):
    request_id: str
    recorded: int


# Why the page did not take a released value: the content script's reasons (extension/content/fill.js
# REASONS, and content.js's "field_changed" and "wrong_origin"), "document_gone" when no document answered,
# "changed_by_person" (a consent box the person changed themselves before the form was sent: only in a report
# at the form's submission, see extension/content/hold.js), and "other" for a reason the service worker does
# not know (it maps any such to "other" before sending).
FillRefusal = Literal[
    "field_changed",
    "wrong_origin",
    "document_gone",
    "no_such_field",
    "duplicate_index",
    "bad_entry",
    "not_a_field",
    "detached",
    "invisible",
    "covered",
    "disabled",
    "readonly",
    "never_filled_type",
    "payment_card",
    "one_time_code",
    "bad_value",
    "empty_value",
    "value_not_accepted",
    "no_matching_option",
    "option_disabled",
    "cannot_untick_radio",
    "page_reverted_change",
    "longer_than_field_allows",
    "changed_by_person",
    "other",
]


class RefusedField(WireModel):
    index: Annotated[int, Field(ge=0)]
    reason: FillRefusal


class FillReportPayload(WireModel):
    """What the page did with values the companion released, or with the consent boxes it set: it can only
    say that some were not written."""

    request_id: RequestId
    frame_origin: Origin  # must match the request's
    # Which release: the standing decisions' values ("always", in the fill.request answer), the person's
    # ("once", in the fill.approve answer), or the consent boxes the person's standing preferences set
    # ("boxes", in the fill.request answer). Each is reported on at most once, within a minute of the release.
    release: Literal["always", "once", "boxes"]
    # When: right after the fill ("fill"), or, for "boxes" only and at most once more, as the form holding
    # them was submitted ("submit"): which boxes the page had undone since and Proffer set again (`restored`),
    # and which it could not set again or the person changed themselves (`refused`). A submit report says
    # nothing is `filled`: it can only take a box change back, or note that the page tried.
    stage: Literal["fill", "submit"] = "fill"
    filled: Annotated[list[Annotated[int, Field(ge=0)]], Field(max_length=MAX_FIELDS)] = []
    restored: Annotated[list[Annotated[int, Field(ge=0)]], Field(max_length=MAX_FIELDS)] = []
    refused: Annotated[list[RefusedField], Field(max_length=MAX_FIELDS)] = []

    @model_validator(mode="after")
    def _submit_is_for_boxes_and_only_takes_back(self) -> FillReportPayload:
        if self.stage == "fill" and (self.restored or any(r.reason == "changed_by_person" for r in self.refused)):
            raise ValueError("restored boxes and the person's own changes are reported only at the form's submission")
        if self.stage == "submit" and (self.release != "boxes" or self.filled):
            raise ValueError("a report at the form's submission is about boxes, and names none as filled")
        return self


class FillReportResult(WireModel):
    request_id: str
    # released fields (or set boxes) recorded as not received (not kept) by the page, and at a submission the
    # boxes recorded as set again; if the vault is locked, they are recorded when it opens
    recorded: int


class WalletKeepPayload(WireModel):
    keep_id: RequestId  # from the fill.request answer that found the loyalty field
    frame_origin: Origin  # must match that request's
    index: Annotated[int, Field(ge=0)]  # the field the person typed into; one of the answer's keep.fields
    number: Annotated[str, Field(min_length=1, max_length=64)]
    program: Annotated[str, Field(min_length=1, max_length=100)]


class WalletKeepResult(WireModel):
    site: str
    program: str
    kept: bool  # False when the wallet already held this number for this site


class SitePayload(WireModel):
    origin: Origin  # the page the popup was opened on


class SiteDecision(WireModel):
    id: str
    field_type: str
    purpose: str | None
    choice: Literal["always", "never"]


class SiteDisclosure(WireModel):
    time: str
    purpose: str
    decision: str
    # The entry's field types; for a release, only those its page took (what the site got) ...
    field_types: list[str]
    # ... and those it did not take, from later "undelivered" entries (empty for any other entry).
    not_taken: list[str]


class SiteSummaryResult(WireModel):
    site: str
    autofill: bool
    decisions: list[SiteDecision]
    recent: list[SiteDisclosure]


class SiteForgetResult(WireModel):
    site: str
    removed: int


class SiteAutofillPayload(WireModel):
    origin: Origin
    enabled: bool


@dataclass(frozen=True)
class MessageSpec:
    payload: type[BaseModel]
    result: type[BaseModel]
    summary: str


MESSAGE_TYPES: dict[str, MessageSpec] = {
    "system.ping": MessageSpec(EmptyPayload, PingResult, "Is the companion there, and is the vault open?"),
    "vault.status": MessageSpec(EmptyPayload, VaultStatusResult, "The vault's state."),
    "vault.unlock": MessageSpec(VaultUnlockPayload, VaultStatusResult, "Open the vault with the passphrase."),
    "vault.lock": MessageSpec(EmptyPayload, VaultStatusResult, "Forget the key now."),
    "fill.request": MessageSpec(
        FillRequestPayload,
        FillRequestResult,
        "Field descriptors in; each field's type, whether it may be filled, and the values on offer out.",
    ),
    "fill.approve": MessageSpec(
        FillApprovePayload, FillApproveResult, "The person approved these fields: release their values."
    ),
    "fill.decline": MessageSpec(
        FillDeclinePayload, FillDeclineResult, "The person declined or closed the window: record the refusal."
    ),
    "fill.report": MessageSpec(
        FillReportPayload,
        FillReportResult,
        "After a fill: which released values (or boxes set) the page did not take, and why; recorded in the ledger.",
    ),
    "wallet.keep": MessageSpec(
        WalletKeepPayload,
        WalletKeepResult,
        "The person said yes to keeping a number they typed into a shop's loyalty field in the wallet.",
    ),
    "site.summary": MessageSpec(
        SitePayload, SiteSummaryResult, "For the popup: this site's standing decisions and last disclosures."
    ),
    "site.forget": MessageSpec(SitePayload, SiteForgetResult, "Forget every standing decision for this site."),
    "site.autofill": MessageSpec(
        SiteAutofillPayload, SiteSummaryResult, "Turn auto-fill on or off for this site; answers its summary."
    ),
}
