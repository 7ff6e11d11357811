"""What one ledger entry records: what, to whom, when, why, under which terms."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Decision(StrEnum):
    ONCE = "once"  # approved in the approval window for this request
    ALWAYS = "always"  # released by a standing decision, without a window
    DECLINED = "declined"  # the person declined, or closed the window
    UNTICKED = "unticked"  # offered, but the person left it unticked while approving others
    NEVER = "never"  # withheld by a standing "never"
    # Released (or a consent box set by Proffer), but the page did not take it: the extension's report after the fill
    UNDELIVERED = "undelivered"


def _absent(value: object) -> bool:
    return value is None


def later() -> Any:
    """A key added after the first ledgers were written: left out of an entry that does not use it, so every
    older entry dumps back exactly as it was stored (the JSON Lines export is re-checked against the chain)."""
    return Field(default=None, exclude_if=_absent)


class DisclosedField(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str  # the field's token (WHATWG autocomplete or Proffer's own)
    label: str = ""  # the page's label for it, as the person saw it in the window
    value_id: str | None = None  # which vault value, by id (None for refusals of no particular value)
    fingerprint: str | None = None  # keyed fingerprint of the value: matches without keeping the value
    # In an "undelivered" entry only: the field's place among the fields of the release it corrects, and why
    # the page did not take it (a reason from the extension's closed set, e.g. "field_changed").
    position: int | None = later()
    reason: str | None = later()


class LedgerDraft(BaseModel):
    """An entry as the fill flow hands it to the ledger; the ledger adds id, time and the chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: str  # registrable domain
    origin: str  # the top page's origin
    path: str  # the page path, without query string or fragment
    frame_origin: str
    purpose: str
    fields: tuple[DisclosedField, ...]
    decision: Decision
    terms: str = ""  # the terms in force (e.g. "approved once in the approval window")
    browser: str = ""
    request_id: str = ""
    release_id: str | None = later()  # "undelivered" only: the entry that released those values (or set that box)

    @model_validator(mode="after")
    def _undelivered_names_its_release(self) -> LedgerDraft:
        """An "undelivered" entry says which release it corrects, and where and why for every field; no other
        entry says any of that."""
        undelivered = self.decision is Decision.UNDELIVERED
        if undelivered != (self.release_id is not None):
            raise ValueError("release_id goes with an undelivered entry, and only with one")
        for f in self.fields:
            if undelivered != (f.position is not None and f.position >= 0 and bool(f.reason)):
                raise ValueError("every field of an undelivered entry has its position and reason; no other field does")
        return self


class LedgerEntry(LedgerDraft):
    """A draft as the ledger keeps it: numbered, timed and chained to the entry before it.

    ``hash`` is SHA-256 over ``prev_hash`` and the canonical JSON of the entry without ``hash`` (see
    ``companion.ledger.chain``); ``time`` is UTC in ISO 8601 with a ``Z``.
    """

    id: str
    seq: int
    time: str
    prev_hash: str
    hash: str

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.time)

    @property
    def released(self) -> bool:
        """True when values went to the site (the person approved, or a standing "always")."""
        return self.decision in RELEASED


RELEASED = frozenset({Decision.ONCE, Decision.ALWAYS})

# The terms of the note that the page undid Proffer's change to a consent box before its form was sent, and
# Proffer set it again then (``companion.fill``). The text is what marks the note (hashed into each one, so it
# never changes): the note is a "never" entry, to be read as one, but it refuses nothing the box's own entry did
# not, so nothing counts it as a refusal (``is_set_again_note``).
TERMS_SET_AGAIN = (
    "the page undid Proffer's change to this box before the form was sent; Proffer set it again as the form was"
    " sent, by the person's standing preference"
)


def is_set_again_note(entry: LedgerDraft | Mapping[str, Any]) -> bool:
    """Whether ``entry`` (a model, or a document as stored) is a note that Proffer set a consent box again as
    its form was sent: shown on the timeline, but not one more refusal, since the box's change already is one."""
    if isinstance(entry, LedgerDraft):
        decision, terms = entry.decision, entry.terms
    else:
        decision, terms = entry["decision"], entry.get("terms")
    return decision == Decision.NEVER and terms == TERMS_SET_AGAIN


class FieldGiven(NamedTuple):
    type: str
    label: str


class Disclosure(NamedTuple):
    """What a request to a shop lists of one released entry: when, where, why and which fields.

    Read for every disclosure to a site at once (thousands, at a busy shop), so it is made straight from the
    authenticated record, without building the whole ``LedgerEntry``; it has the attributes ``requests``
    reads from one, so the request text is the same from either.
    """

    seq: int
    site: str
    time: str
    origin: str
    path: str
    purpose: str
    fields: tuple[FieldGiven, ...]
    decision: str

    @classmethod
    def from_document(cls, document: Mapping[str, Any], not_received: Collection[int]) -> Disclosure:
        """``not_received``: positions of the entry's fields the page did not take, left out (required: a
        disclosure read without them would say the shop got what its page never took)."""
        fields = [f for i, f in enumerate(document["fields"]) if i not in not_received]
        return cls(
            document["seq"],
            document["site"],
            document["time"],
            document["origin"],
            document["path"],
            document["purpose"],
            tuple([FieldGiven(f["type"], f.get("label", "")) for f in fields]),
            document["decision"],
        )

    @property
    def released(self) -> bool:
        return self.decision in RELEASED


# Why a page did not take a value (the reasons of PROTOCOL.md's fill.report), as the person reads them.
NOT_TAKEN = {
    "field_changed": "the page had put another box in its place",
    "wrong_origin": "the frame had moved to another site",
    "document_gone": "the page had gone",
    "invisible": "the box was hidden",
    "covered": "the page had drawn something over the box",
    "disabled": "the box was disabled",
    "readonly": "the box was read-only",
    "detached": "the box had been removed",
    "no_such_field": "the box had been removed",
    "never_filled_type": "the box had become a password or hidden box",
    "payment_card": "the box had become a payment card box",
    "one_time_code": "the box had become a one-time code box",
    "value_not_accepted": "the box would not take that value",
    "longer_than_field_allows": "the box was too short for it",
    "no_matching_option": "no choice in the list matched",
    "option_disabled": "that choice was disabled",
    "page_reverted_change": "the page undid it",
    "changed_by_person": "you changed it yourself",
}


def why_not_taken(reason: str) -> str:
    """A reason from an "undelivered" field, in words (the dashboard's timeline, consent receipts)."""
    return NOT_TAKEN.get(reason, f"the page refused it ({reason})")


TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, UTC: string order is time order


def utc_stamp(moment: datetime) -> str:
    """An entry's ``time``; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous: give a time zone (the ledger is in UTC)")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)
