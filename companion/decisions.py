"""The person's standing decisions: for a site and a field type — optionally for one purpose — always
share (and which value), never share, or ask each time (the default, stored as no decision at all).

Lookup order for a field: a decision for (site, type, this purpose), else (site, type, any purpose), else
ask. The most specific decision wins, so "always share my email with this shop for checkout, never for
newsletters" is two decisions that never conflict.

Also here: whether auto-fill of "always" fields is on, globally and per site, and the person's standing
preferences for marketing and loyalty prompts (``PromptPreferences``), set once for every site.

Stored as one sealed TinyDB document (``decisions.json`` in the vault's folder) under a key derived from
the vault's, so it opens and closes with the vault.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from tinydb import Query, TinyDB

from companion.storage import Sealer, open_db

LOOKUP_CACHE = 1024


class Choice(StrEnum):
    ALWAYS = "always"
    NEVER = "never"
    ASK = "ask"


class MarketingChoice(StrEnum):
    UNTICK = "untick"  # untick pre-ticked opt-ins, tick "do NOT send me offers" twins
    LEAVE = "leave"  # leave marketing boxes as the shop set them


class EnrollmentChoice(StrEnum):
    ASK = "ask"  # show a "join our rewards programme" form in the approval window like any other
    DECLINE = "decline"  # decline it quietly: nothing offered, no window, a refusal in the ledger


class NewsletterChoice(StrEnum):
    ASK = "ask"
    NEVER = "never"  # never fill a newsletter sign-up (pop-up or form): nothing offered, a refusal recorded


class PromptPreferences(BaseModel):
    """How Proffer meets marketing and loyalty prompts on every site, until the person changes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    marketing: MarketingChoice = MarketingChoice.UNTICK
    enrollment: EnrollmentChoice = EnrollmentChoice.ASK
    newsletter: NewsletterChoice = NewsletterChoice.ASK


class DecisionRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    site: str = Field(min_length=1, max_length=253)
    field_type: str = Field(min_length=1, max_length=64)
    purpose: str | None = None  # None: any purpose
    choice: Choice
    value_id: str | None = None  # for "always": which of the person's values
    updated: str  # ISO time, UTC


class DecisionStore:
    def __init__(self, path: Path, sealer: Sealer) -> None:
        self._db: TinyDB = open_db(path, sealer)
        # A fill looks up one decision per field, each a query TinyDB answers by reading the whole document;
        # its query cache (emptied on every write) answers the same (site, type) again from memory, and the
        # default ten entries are fewer than one checkout's fields.
        self._decisions = self._db.table("decisions", cache_size=LOOKUP_CACHE)
        self._autofill = self._db.table("autofill")
        self._preferences = self._db.table("preferences")

    def close(self) -> None:
        self._db.close()

    # --- reading ---

    def lookup(self, site: str, field_type: str, purpose: str) -> DecisionRecord | None:
        """The decision that applies to this field, or None (ask)."""
        q = Query()
        found = [
            DecisionRecord.model_validate(d)
            for d in self._decisions.search((q.site == site) & (q.field_type == field_type))
        ]
        specific = [d for d in found if d.purpose == purpose]
        general = [d for d in found if d.purpose is None]
        return (specific or general or [None])[0]

    def list(self, site: str | None = None) -> list[DecisionRecord]:
        rows = self._decisions.all() if site is None else self._decisions.search(Query().site == site)
        return sorted(
            (DecisionRecord.model_validate(d) for d in rows), key=lambda d: (d.site, d.field_type, d.purpose or "")
        )

    def get(self, decision_id: str) -> DecisionRecord | None:
        row = self._decisions.get(Query().id == decision_id)
        return DecisionRecord.model_validate(row) if row else None

    def autofill_enabled(self, site: str) -> bool:
        """Auto-fill needs both the global switch and the site's switch on (both on by default)."""
        q = Query()
        global_row = self._autofill.get(q.site == "*")
        site_row = self._autofill.get(q.site == site)
        return (global_row or {}).get("enabled", True) and (site_row or {}).get("enabled", True)

    def autofill_settings(self) -> dict[str, bool]:
        return {row["site"]: row["enabled"] for row in self._autofill.all()}

    def preferences(self) -> PromptPreferences:
        """The person's prompt preferences; the defaults until they set any."""
        row = self._preferences.get(Query().key == "prompts")
        if row is None:
            return PromptPreferences()
        return PromptPreferences.model_validate({k: v for k, v in row.items() if k != "key"})

    # --- writing ---

    def set(
        self,
        site: str,
        field_type: str,
        choice: Choice,
        *,
        purpose: str | None = None,
        value_id: str | None = None,
    ) -> DecisionRecord | None:
        """Record a decision; ASK removes any decision for exactly this (site, type, purpose)."""
        q = Query()
        match = (q.site == site) & (q.field_type == field_type) & (q.purpose == purpose)
        self._decisions.remove(match)
        if choice is Choice.ASK:
            return None
        record = DecisionRecord(
            id=secrets.token_hex(8),
            site=site,
            field_type=field_type,
            purpose=purpose,
            choice=choice,
            value_id=value_id if choice is Choice.ALWAYS else None,
            updated=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self._decisions.insert(record.model_dump(mode="json"))
        return record

    def revoke(self, decision_id: str) -> bool:
        return bool(self._decisions.remove(Query().id == decision_id))

    def forget_site(self, site: str) -> int:
        """Remove every decision and setting for a site; returns how many decisions went."""
        removed = self._decisions.remove(Query().site == site)
        self._autofill.remove(Query().site == site)
        return len(removed)

    def set_preferences(self, preferences: PromptPreferences) -> None:
        row = {"key": "prompts", **preferences.model_dump(mode="json")}
        self._preferences.upsert(row, Query().key == "prompts")

    def set_autofill(self, site: str | None, enabled: bool) -> None:
        """Turn auto-fill on or off for one site, or globally (site None)."""
        key = site or "*"
        self._autofill.upsert({"site": key, "enabled": enabled}, Query().site == key)
