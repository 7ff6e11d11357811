"""One fill, from descriptors to released values, with the companion as the only judge.

``request`` classifies the fields, decides which may be filled at all, and offers the person's values for
the fillable ones. The offers go to the extension's approval window, never to the page: the service worker
holds them and the content script only ever receives values the person approved.

``approve`` releases values only for fields that were offered in that very request, for the frame that
asked, once: a request id is unguessable, single-use and expires, so a forged or replayed approval gets
nothing. Every release and every refusal becomes a ledger entry.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from companion.core import Core
from companion.fields.classify import understand
from companion.fields.safety import assess
from companion.ledger.model import Decision, DisclosedField, LedgerDraft
from companion.protocol import ErrorCode, ProtocolError
from companion.protocol.messages import (
    FieldVerdict,
    FillApprovePayload,
    FillApproveResult,
    FillDeclinePayload,
    FillDeclineResult,
    FilledValue,
    FillRequestPayload,
    FillRequestResult,
    Offer,
)
from companion.sites import origin_of, path_of, site_of

REQUEST_TTL_SECONDS = 15 * 60
MAX_PENDING = 64  # a page that floods requests only pushes out its own older ones
TERMS_ONCE = "approved once by the person in Proffer's approval window"
TERMS_REFUSED = "refused by the person in Proffer's approval window"


@dataclass
class OfferedField:
    token: str
    label: str
    offers: dict[str, Offer]  # value_id -> offer


@dataclass
class PendingFill:
    site: str
    origin: str
    path: str
    frame_origin: str
    purpose: str
    browser: str
    created: float
    request_id: str
    offered: dict[int, OfferedField] = field(default_factory=dict)


class FillService:
    def __init__(self, core: Core, clock: Callable[[], float] = time.monotonic) -> None:
        self.core = core
        self.clock = clock
        self._pending: dict[str, PendingFill] = {}

    def request(self, payload: FillRequestPayload, browser: str = "") -> FillRequestResult:
        vault = self.core.vault
        vault.touch()
        page = payload.page
        understanding = understand(payload)
        descriptors = {f.index: f for f in payload.fields}
        site = site_of(page.top_origin)
        pending = PendingFill(
            site=site,
            origin=origin_of(page.top_origin) or page.top_origin,
            path=path_of(page.url),
            frame_origin=page.frame_origin,
            purpose=understanding.purpose,
            browser=browser,
            created=self.clock(),
            request_id=secrets.token_urlsafe(18),
        )
        verdicts: list[FieldVerdict] = []
        for seen in understanding.fields:
            token = f"{seen.section} {seen.type}" if seen.section and seen.type else seen.type
            fillable, reason = assess(descriptors[seen.index], seen.type, payload)
            offers: list[Offer] = []
            if fillable and token:
                offers = self._offers(token, site)
                if not offers:
                    reason = "nothing in the vault for this field"
                else:
                    pending.offered[seen.index] = OfferedField(
                        token=token, label=seen.label, offers={o.value_id: o for o in offers}
                    )
            verdicts.append(
                FieldVerdict(
                    index=seen.index,
                    type=seen.type,
                    label=seen.label[:300],
                    fillable=fillable,
                    reason=(reason or seen.reason or None) and (reason or seen.reason)[:300],
                    offers=offers,
                )
            )
        if pending.offered:
            self._remember(pending)
        return FillRequestResult(
            request_id=pending.request_id,
            site=site,
            origin=pending.origin,
            frame_origin=page.frame_origin,
            purpose=understanding.purpose,
            fields=verdicts,
            needs_approval=bool(pending.offered),
        )

    def approve(self, payload: FillApprovePayload) -> FillApproveResult:
        pending = self._take(payload.request_id, payload.frame_origin)
        vault = self.core.vault
        vault.touch()
        released: list[FilledValue] = []
        disclosed: list[DisclosedField] = []
        approved_indexes: set[int] = set()
        # Check every approval before releasing anything: one bad approval voids the whole message.
        for approval in payload.approvals:
            offered = pending.offered.get(approval.index)
            if offered is None or approval.value_id not in offered.offers or approval.index in approved_indexes:
                raise ProtocolError(ErrorCode.NOT_OFFERED, f"field {approval.index} was not offered that value")
            approved_indexes.add(approval.index)
        for approval in payload.approvals:
            offered = pending.offered[approval.index]
            value = vault.release(approval.value_id, offered.token)
            if value is None:
                continue  # edited away since the offer: nothing to release
            released.append(FilledValue(index=approval.index, value=value))
            disclosed.append(
                DisclosedField(
                    type=offered.token,
                    label=offered.label,
                    value_id=approval.value_id,
                    fingerprint=vault.fingerprint(value),
                )
            )
        if disclosed:
            self._record(pending, Decision.ONCE, disclosed, TERMS_ONCE)
        unticked = [
            DisclosedField(type=o.token, label=o.label)
            for index, o in sorted(pending.offered.items())
            if index not in approved_indexes
        ]
        if unticked:
            self._record(pending, Decision.UNTICKED, unticked, TERMS_REFUSED)
        return FillApproveResult(request_id=payload.request_id, values=released)

    def decline(self, payload: FillDeclinePayload) -> FillDeclineResult:
        pending = self._take(payload.request_id, payload.frame_origin)
        refused = [DisclosedField(type=o.token, label=o.label) for _, o in sorted(pending.offered.items())]
        terms = TERMS_REFUSED if payload.reason == "declined" else "approval window closed by the person"
        self._record(pending, Decision.DECLINED, refused, terms)
        return FillDeclineResult(request_id=payload.request_id, recorded=len(refused))

    def _offers(self, token: str, site: str) -> list[Offer]:
        vault = self.core.vault
        found = vault.memberships_for_site(site) if token.endswith("membership-number") else vault.offers(token)
        return [Offer(value_id=o.value_id, value=o.value[:2000], label=o.label[:300]) for o in found]

    def _record(self, pending: PendingFill, decision: Decision, fields: list[DisclosedField], terms: str) -> None:
        self.core.ledger.append(
            LedgerDraft(
                site=pending.site,
                origin=pending.origin,
                path=pending.path,
                frame_origin=pending.frame_origin,
                purpose=pending.purpose,
                fields=tuple(fields),
                decision=decision,
                terms=terms,
                browser=pending.browser,
                request_id=pending.request_id,
            )
        )

    def _remember(self, pending: PendingFill) -> None:
        self._expire()
        while len(self._pending) >= MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))
        self._pending[pending.request_id] = pending

    def _take(self, request_id: str, frame_origin: str) -> PendingFill:
        """The pending request, removed so it can never be answered twice."""
        self._expire()
        pending = self._pending.get(request_id)
        if pending is None or pending.frame_origin != frame_origin:
            raise ProtocolError(ErrorCode.UNKNOWN_REQUEST)
        del self._pending[request_id]
        return pending

    def _expire(self) -> None:
        cutoff = self.clock() - REQUEST_TTL_SECONDS
        for request_id in [r for r, p in self._pending.items() if p.created < cutoff]:
            del self._pending[request_id]

    def forget_all(self) -> None:
        """Called when the vault locks: offers made while it was open are void."""
        self._pending.clear()
