"""What one ledger entry records: what, to whom, when, why, under which terms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict


class Decision(StrEnum):
    ONCE = "once"  # approved in the approval window for this request
    ALWAYS = "always"  # released by a standing decision, without a window
    DECLINED = "declined"  # the person declined, or closed the window
    UNTICKED = "unticked"  # offered, but the person left it unticked while approving others
    NEVER = "never"  # withheld by a standing "never"


class DisclosedField(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str  # the field's token (WHATWG autocomplete or Proffer's own)
    label: str = ""  # the page's label for it, as the person saw it in the window
    value_id: str | None = None  # which vault value, by id (None for refusals of no particular value)
    fingerprint: str | None = None  # keyed fingerprint of the value: matches without keeping the value


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
    def from_document(cls, document: Mapping[str, Any]) -> Disclosure:
        return cls(
            document["seq"],
            document["site"],
            document["time"],
            document["origin"],
            document["path"],
            document["purpose"],
            tuple([FieldGiven(f["type"], f.get("label", "")) for f in document["fields"]]),
            document["decision"],
        )

    @property
    def released(self) -> bool:
        return self.decision in RELEASED


TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, UTC: string order is time order


def utc_stamp(moment: datetime) -> str:
    """An entry's ``time``; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous: give a time zone (the ledger is in UTC)")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)
