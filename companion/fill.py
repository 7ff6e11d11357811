"""One fill, from descriptors to released values, with the companion as the only judge.

``request`` classifies the fields, decides which may be filled at all, applies the person's standing
decisions — "never" fields are withheld, "always" fields are released at once (auto-fill) — and offers the
person's values for the rest. Offers go to the extension's approval window, never to the page: the service
worker holds them and the content script only ever receives values the person approved.

``approve`` releases values only for fields that were offered in that very request, for the frame that
asked, once: a request id is unguessable, single-use and expires, so a forged or replayed approval gets
nothing. Fields in a frame of another origin are never auto-filled, and approving them needs the person to
approve that frame's origin explicitly. Nor is a plain-http page (loopback aside): there a standing
"always" is only offered, in the window that warns about plain http. Every release and every refusal
becomes a ledger entry, with the decision that caused it: one entry for each purpose among the forms whose
fields it took, since a page may hold a checkout and a newsletter box, and standing decisions are kept for
the purpose of each field's own form.

A release is recorded when the values leave the companion, but the page may still not take them: the
content script refuses a value whose control changed, hid or turned into a password box since, a document of
another origin gets nothing, and a document may be gone. ``report`` hears from the service worker what the
page did with one release (the standing decisions' at ``request``, or the person's at ``approve``) and
appends an "undelivered" entry for the fields it did not take, so the ledger never says a shop got a value
it did not. A report can only take fields back, never release, change or re-record anything: it is good
once, for the frame that asked, for a minute after the release, and only for fields of that release. The
consent boxes a request sets by the person's standing preferences are reported on the same way, as that
request's "boxes": each change has its own ledger entry, and a box the page did not let go of gets an
"undelivered" entry naming it, so the ledger never says a box was unticked that the page kept ticked. A page
may undo a box change later, before its form is sent: so the boxes that first report named as set may be
reported on once more, at the form's submission, for as long as the request lives (``report``).

A lock of the vault voids every open offer (the offers hold the person's values) but not a release's
reportability: what a release keeps for its report (``Release``: where the request came from, and each
released field's type, page label, value id and keyed fingerprint) holds no personal value, so it is kept
until its minute is up. Appending the "undelivered" entry does need what the lock takes away — the ledger's
key, and the ledger with it — so a report accepted while the vault is locked goes to the ledger's inbox
(``companion.ledger.inbox``): sealed on disk to a key only the open vault has, so a restart loses nothing, and
appended, with the time it arrived, when the vault next opens, before anything reads the ledger. Until then no
view of the ledger can be shown, so none overstates. Without an inbox key (a vault from before the inbox,
until its next open makes one) or a writable inbox, such a report is held in memory only, as it was before
the inbox, and lost if the companion stops first.

Anyone who can write the data dir can seal a record to the inbox's public key, so a held report is checked
again when it is appended (``record_held``): every entry must take back fields of a release the ledger has,
for its request, as copies of what that release recorded, or the record is set aside; and a release already
corrected in the ledger (a crash between appending a held report and removing its record) is not corrected
twice.

Marketing and loyalty prompts are planned by ``companion.prompts`` from the person's standing preferences:
consent boxes are never offered a value, only unticked (or an opt-out ticked) in the refusing direction,
and declined enrolment or newsletter forms are offered nothing. A loyalty-number field with nothing in the
wallet for this site comes back with a ``keep`` offer: a number the person types there may be kept in the
wallet (``keep``), bound to this request's site and frame, only after their yes in Proffer's own window.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from typing import TypeVar

from companion.boxes import Box, as_entered, stand_ins
from companion.core import Core
from companion.decisions import Choice
from companion.fields.classify import PageUnderstanding, understand
from companion.fields.safety import assess_page
from companion.ledger.errors import LedgerCorrupt
from companion.ledger.inbox import HeldReport, HeldReportRefused
from companion.ledger.model import TERMS_SET_AGAIN, Decision, DisclosedField, LedgerDraft, LedgerEntry
from companion.prompts import TERMS_NOT_KEPT, TERMS_NOT_KEPT_AT_SUBMIT, plan_prompts
from companion.protocol import ErrorCode, ProtocolError
from companion.protocol.messages import (
    FieldVerdict,
    FillApprovePayload,
    FillApproveResult,
    FillDeclinePayload,
    FillDeclineResult,
    FilledValue,
    FillReportPayload,
    FillReportResult,
    FillRequestPayload,
    FillRequestResult,
    KeepOffer,
    Offer,
    WalletKeepPayload,
    WalletKeepResult,
)
from companion.sites import origin_of, path_of, site_of, trustworthy
from companion.tokens import MEMBERSHIP
from companion.vault import InvalidProfile, VaultLocked

log = logging.getLogger(__name__)
T = TypeVar("T")

REQUEST_TTL_SECONDS = 15 * 60
REPORT_TTL_SECONDS = 60  # the service worker reports right after the fill: a release is reportable this long
# The boxes a request set may be reported on once more, as their form is sent: a person takes minutes over a
# form, and the request's own lifetime bounds how long (the extension holds them a minute less, so that what it
# sees before its end reaches the companion before this one's).
SUBMIT_REPORT_TTL_SECONDS = REQUEST_TTL_SECONDS
BOXES = "boxes"  # a fill.report's release for the consent boxes a request set (the others are "once", "always")
UNDERSTOOD_PAGES = 64  # classifications kept for pages seen again (descriptors only, never a value)
MAX_PENDING = 64
SETTLED = "already decided on this page"  # a page that floods requests only pushes out its own older ones
TERMS = {
    Decision.ONCE: "approved once by the person in Proffer's approval window",
    Decision.ALWAYS: "released by the person's standing decision to always share this with the site",
    Decision.NEVER: "withheld by the person's standing decision never to share this with the site",
    Decision.UNTICKED: "offered in Proffer's approval window and left unticked by the person",
    Decision.DECLINED: "declined by the person in Proffer's approval window",
    Decision.UNDELIVERED: "released by Proffer, but not written into the page (the reason is given per field)",
}
TERMS_CLOSED = "approval window closed by the person: declined"


@dataclass
class OfferedField:
    token: str
    label: str
    offers: dict[str, Offer]  # value_id -> offer
    box: Box  # what the field can hold: the value is shown, released and fingerprinted as it goes in
    purpose: str  # of the form the field is in: what its ledger entry and standing decisions are for


@dataclass(frozen=True)
class KeepTicket:
    """Where a typed loyalty number may be kept from: the request's site and frame, and its loyalty fields."""

    keep_id: str
    site: str
    frame_origin: str
    fields: frozenset[int]
    created: float


@dataclass(frozen=True)
class Place:
    """Where a request came from, as its ledger entries record it: no offer, no value."""

    request_id: str
    site: str
    origin: str
    path: str
    frame_origin: str
    purpose: str
    browser: str


@dataclass(frozen=True)
class Given:
    """One field of a release, as the ledger recorded it."""

    entry_id: str  # the ledger entry that recorded it
    place: int  # its place among that entry's fields
    field: DisclosedField
    purpose: str  # that entry's: a report taking the field back says it was for that


@dataclass(frozen=True)
class Release:
    """What left the companion for one request, until the page's report on it (or a minute): values (the
    standing decisions' or the person's, one ledger entry per purpose of the forms they went into) or consent
    box changes (an entry each).

    It holds no personal value (a ``DisclosedField`` has the value's id and keyed fingerprint, never the value),
    so it outlives a lock of the vault: see the module's docstring."""

    where: Place  # the request they were released for: site, page, frame, purpose, browser
    fields: dict[int, Given]  # page index -> how the ledger recorded it
    released: float
    terms: str  # of the "undelivered" entries a report on it appends


@dataclass(frozen=True)
class PendingFill(Place):
    """A request with offers open: what the lock voids (its offers hold the person's values)."""

    created: float
    frame_approval: bool
    offered: dict[int, OfferedField] = field(default_factory=dict)

    @property
    def where(self) -> Place:
        """The request's place alone, without its offers: what a release may keep past a lock."""
        return Place(**{f.name: getattr(self, f.name) for f in dataclass_fields(Place)})


class FillService:
    def __init__(
        self, core: Core, clock: Callable[[], float] = time.monotonic, own_origins: frozenset[str] = frozenset()
    ) -> None:
        self.core = core
        self.clock = clock
        # The dashboard's own origins: its forms (the vault editor above all) are the person's, not a shop's.
        self.own_origins = own_origins
        self._pending: dict[str, PendingFill] = {}
        self._understood: OrderedDict[bytes, PageUnderstanding] = OrderedDict()
        self._keep: dict[str, KeepTicket] = {}
        self._released: dict[tuple[str, str], Release] = {}  # (request id, once, always or boxes) -> the release
        self._at_submit: dict[tuple[str, str], Release] = {}  # (request id, boxes) -> the boxes reported set

    # --- the messages ---

    def request(self, payload: FillRequestPayload, browser: str = "") -> FillRequestResult:
        vault, decisions = self.core.vault, self.core.decisions
        page = payload.page
        top_origin = origin_of(page.top_origin) or page.top_origin
        if top_origin in self.own_origins or page.frame_origin in self.own_origins:
            return FillRequestResult(
                request_id=secrets.token_urlsafe(18),
                site=top_origin,
                origin=top_origin,
                frame_origin=page.frame_origin,
                purpose="other",
                fields=[],
                needs_approval=False,
            )
        vault.touch()
        understanding = self._understand(payload)
        site = site_of(top_origin)
        cross_origin = page.frame_origin != top_origin
        pending = PendingFill(
            request_id=secrets.token_urlsafe(18),
            site=site,
            origin=top_origin,
            path=path_of(page.url),
            frame_origin=page.frame_origin,
            purpose=understanding.purpose,
            browser=browser,
            created=self.clock(),
            frame_approval=cross_origin,
        )
        # A cross-origin frame's fields may be offered, but only approved together with the frame's origin.
        approvable_frames = frozenset({page.frame_origin}) if cross_origin else frozenset()
        # A standing "always" fills without asking only the top page itself, and only over https or loopback:
        # the site leaves the scheme out, and a plain-http page may be anyone's on the person's network.
        autofill = not cross_origin and trustworthy(top_origin) and decisions.autofill_enabled(site)
        safety = assess_page(payload, {f.index: f.type for f in understanding.fields}, approvable_frames)
        for index in set(payload.settled) & safety.keys():
            safety[index] = (False, SETTLED)  # decided on this page view already: not asked or set again
        prompts = plan_prompts(payload, understanding, safety, decisions.preferences())
        loyalty_fields: list[int] = []
        verdicts: list[FieldVerdict] = []
        released: list[FilledValue] = []
        always: list[tuple[str, FilledValue, DisclosedField]] = []  # (purpose, value, as recorded)
        withheld: list[tuple[str, DisclosedField]] = []
        boxes = {f.index: Box.of(f) for f in payload.fields}
        form_of = {f.index: f.form_index for f in payload.fields}
        for seen in understanding.fields:
            # A box for one part of the street line (its house number, its street name) is offered that
            # part, under the part's own token, so that decisions and the ledger say what was shared.
            wanted = seen.part or seen.type
            token = f"{seen.section} {wanted}" if seen.section and wanted else wanted
            box = boxes.get(seen.index, Box(one_line=True))
            # The purpose of the field's own form, not the page's: a standing "always" for a checkout's email
            # does not fill the newsletter box in the same page's footer, and the ledger says which was which.
            purpose = understanding.purpose_of(form_of.get(seen.index))
            fillable, reason = safety[seen.index]
            offers: list[Offer] = []
            if seen.index in prompts.withheld:
                fillable, reason = False, prompts.withheld[seen.index]
            if fillable and token:
                standing = decisions.lookup(site, token, purpose)
                if standing is not None and standing.choice is Choice.NEVER:
                    withheld.append((purpose, DisclosedField(type=token, label=seen.label)))
                    fillable, reason = False, "you chose never to share this with this site"
                elif standing is not None and standing.choice is Choice.ALWAYS and autofill and standing.value_id:
                    value = self._release(standing.value_id, token, box)
                    if value is not None:
                        filled = FilledValue(index=seen.index, value=value)
                        released.append(filled)
                        always.append((purpose, filled, self._disclosed(token, seen.label, standing.value_id, value)))
                        reason = "filled by your standing decision"
                if fillable and not any(r.index == seen.index for r in released):
                    offers, too_long = self._offers(token, site, box)
                    if offers:
                        pending.offered[seen.index] = OfferedField(
                            token=token,
                            label=seen.label,
                            offers={o.value_id: o for o in offers},
                            box=box,
                            purpose=purpose,
                        )
                    elif too_long:
                        reason = f"your saved value is longer than this box allows ({box.limit} characters)"
                    else:
                        reason = "nothing in the vault for this field"
                if token == MEMBERSHIP and fillable and not offers:
                    loyalty_fields.append(seen.index)
            verdicts.append(
                FieldVerdict(
                    index=seen.index,
                    type=wanted,
                    label=seen.label[:300],
                    fillable=fillable,
                    reason=(reason or seen.reason or "")[:300] or None,
                    offers=offers,
                    purpose=purpose,
                )
            )
        if always:
            self._remember_release(pending, Decision.ALWAYS, self._record_values(pending, Decision.ALWAYS, always))
        for purpose, fields in _by_purpose(withheld):
            self._record(pending, Decision.NEVER, fields, purpose=purpose)
        set_boxes: dict[int, Given] = {}
        for refusal in prompts.refusals:
            entry = self._record(pending, refusal.decision, list(refusal.fields), refusal.terms, refusal.purpose)
            if refusal.box is not None:
                set_boxes[refusal.box] = Given(entry.id, 0, entry.fields[0], entry.purpose)
        if set_boxes:
            self._remember_release(pending, BOXES, set_boxes, TERMS_NOT_KEPT)
        if pending.offered:
            self._remember(pending)
        keep = self._keep_offer(pending, loyalty_fields) if loyalty_fields and not cross_origin else None
        return FillRequestResult(
            request_id=pending.request_id,
            site=site,
            origin=top_origin,
            frame_origin=page.frame_origin,
            purpose=pending.purpose,
            fields=verdicts,
            needs_approval=bool(pending.offered),
            autofilled=released,
            frame_approval=pending.frame_approval,
            boxes=prompts.boxes,
            handled=prompts.handled,
            keep=keep,
        )

    def approve(self, payload: FillApprovePayload) -> FillApproveResult:
        pending = self._take(payload.request_id, payload.frame_origin)
        if pending.frame_approval and payload.approvals and payload.approved_frame_origin != pending.frame_origin:
            raise ProtocolError(
                ErrorCode.NOT_OFFERED, f"sharing with the frame {pending.frame_origin} was not approved explicitly"
            )
        approved = self._check_approvals(pending, payload)
        vault, decisions = self.core.vault, self.core.decisions
        vault.touch()
        released: list[FilledValue] = []
        disclosed: list[tuple[str, FilledValue, DisclosedField]] = []
        for approval in payload.approvals:
            offered = pending.offered[approval.index]
            value = self._release(approval.value_id, offered.token, offered.box)
            if value is None:
                continue  # edited away since the offer (or edited to more than the box holds): nothing to release
            filled = FilledValue(index=approval.index, value=value)
            released.append(filled)
            disclosed.append(
                (offered.purpose, filled, self._disclosed(offered.token, offered.label, approval.value_id, value))
            )
            if approval.remember and not pending.frame_approval:
                decisions.set(
                    pending.site, offered.token, Choice.ALWAYS, purpose=offered.purpose, value_id=approval.value_id
                )
        never = set(payload.never)
        for index in sorted(never):
            offered = pending.offered[index]
            decisions.set(pending.site, offered.token, Choice.NEVER, purpose=offered.purpose)
        if disclosed:
            self._remember_release(pending, Decision.ONCE, self._record_values(pending, Decision.ONCE, disclosed))
        refused = {
            Decision.NEVER: [i for i in sorted(pending.offered) if i in never],
            Decision.UNTICKED: [i for i in sorted(pending.offered) if i not in approved and i not in never],
        }
        for decision, indexes in refused.items():
            self._record_refused(pending, decision, indexes)
        return FillApproveResult(request_id=payload.request_id, values=released)

    def decline(self, payload: FillDeclinePayload) -> FillDeclineResult:
        pending = self._take(payload.request_id, payload.frame_origin)
        terms = TERMS[Decision.DECLINED] if payload.reason == "declined" else TERMS_CLOSED
        self._record_refused(pending, Decision.DECLINED, sorted(pending.offered), terms)
        return FillDeclineResult(request_id=payload.request_id, recorded=len(pending.offered))

    def report(self, payload: FillReportPayload) -> FillReportResult:
        """Record which values (or box changes) of one release the page did not take, and why.

        Every index must be one the release wrote to the ledger (filled or refused, never both, never twice);
        one bad index voids the whole report and nothing is recorded, and the release stays reportable. A
        report that is accepted ends the release's reportability, whatever it says. One "undelivered" entry
        is appended per ledger entry the refused fields came from: one for values, one per box.

        The first report on a request's boxes leaves those it named as set reportable once more, at the form's
        submission (``stage`` "submit"), within the request's lifetime. That report can say of each only that
        the page undid it and Proffer set it again (``restored``: one "never" entry for them all, saying so,
        while the vault is open: a note, not a correction, it is not held through a lock), or that it was not
        set again (``refused``: "undelivered", as above); never that a box is set that the ledger says is not.
        """
        self._expire()
        key = (payload.request_id, payload.release)
        reportable = self._at_submit if payload.stage == "submit" else self._released
        release = reportable.get(key)
        if release is None or release.where.frame_origin != payload.frame_origin:
            raise ProtocolError(ErrorCode.UNKNOWN_REQUEST)
        named = [*payload.filled, *payload.restored, *(r.index for r in payload.refused)]
        for index in named:
            if index not in release.fields:
                raise ProtocolError(ErrorCode.NOT_OFFERED, f"field {index} was not released in this request")
        if len(set(named)) != len(named):
            raise ProtocolError(ErrorCode.BAD_REQUEST, "a field is reported on twice")
        # By the entry that recorded them, in release order, for that entry's purpose.
        undelivered: dict[tuple[str, str], list[DisclosedField]] = {}
        for refused in sorted(payload.refused, key=lambda r: (release.fields[r.index].place, r.index)):
            given = release.fields[refused.index]
            taken_back = given.field.model_copy(update={"position": given.place, "reason": refused.reason})
            undelivered.setdefault((given.entry_id, given.purpose), []).append(taken_back)
        drafts = [
            self._draft(release.where, Decision.UNDELIVERED, fields, release.terms, purpose, release_id=entry_id)
            for (entry_id, purpose), fields in undelivered.items()
        ]
        if drafts:
            try:
                ledger = self.core.ledger
            except VaultLocked:
                # Appended when the vault opens (``record_held``); on disk before this report is answered.
                self.core.inbox.hold(HeldReport(datetime.now(UTC), tuple(drafts)))
            else:
                for draft in drafts:
                    ledger.append(draft)
        noted = self._note_set_again(release, payload.restored)
        del reportable[key]
        if payload.release == BOXES and payload.stage == "fill":
            self._hold_for_submit(key, release, payload.filled)
        return FillReportResult(request_id=payload.request_id, recorded=sum(map(len, undelivered.values())) + noted)

    def keep(self, payload: WalletKeepPayload) -> WalletKeepResult:
        """Keep a typed loyalty number in the wallet, for the site of the request that found the field.

        Only the extension's own window sends this, after the person's yes; the ticket still binds it to
        the frame and the fields the companion recognised, and the site comes from the ticket, never from
        the message. A ticket serves until a number is kept with it, or it expires.
        """
        self._expire()
        ticket = self._keep.get(payload.keep_id)
        if ticket is None or ticket.frame_origin != payload.frame_origin or payload.index not in ticket.fields:
            raise ProtocolError(ErrorCode.UNKNOWN_REQUEST)
        number = " ".join(payload.number.split())
        if not number or not any(c.isalnum() for c in number):
            raise ProtocolError(ErrorCode.BAD_REQUEST, "a membership number needs at least one letter or digit")
        try:
            kept = self.core.vault.keep_membership(" ".join(payload.program.split()), number, ticket.site)
        except InvalidProfile as exc:
            raise ProtocolError(ErrorCode.BAD_REQUEST, "; ".join(exc.problems)) from None
        del self._keep[payload.keep_id]
        return WalletKeepResult(site=ticket.site, program=payload.program, kept=kept)

    def forget_all(self) -> None:
        """Called when the vault locks: offers and keep tickets made while it was open are void. Releases stay
        reportable for their minute: they hold no value, and a report on them may only take fields back."""
        self._pending.clear()
        self._keep.clear()

    def record_held(self) -> None:
        """Called when the vault opens: append the reports accepted while it was locked, as of their arrival."""
        self.core.deliver_held(self._append_held)

    def _append_held(self, held: HeldReport) -> None:
        """Append one held report's entries, checked as ``report`` checked them (see the module's docstring)."""
        ledger = self.core.ledger
        if ledger.problem is not None:
            # Nothing can be appended, and the releases past the damage are not indexed: keep it for later.
            raise LedgerCorrupt(f"the ledger is damaged, held reports wait: {ledger.problem.message}")
        for draft in held.drafts:
            if not _takes_back(ledger.entry(draft.release_id or ""), draft):
                raise HeldReportRefused(
                    f"it names a release ({draft.release_id}) the ledger does not have for that request, "
                    "or fields that release did not record"
                )
        for draft in held.drafts:
            if ledger.undelivered(draft.release_id or ""):
                log.info("a held report on %s was in the ledger already: not appended again", draft.release_id)
                continue
            ledger.append(draft, now=held.arrived)

    # --- helpers ---

    def _understand(self, payload: FillRequestPayload) -> PageUnderstanding:
        """The classifier's reading of the page; a page seen again with the same descriptors (a checkout the
        person returns to, where "always" fields are filled at once) is read from memory."""
        key = hashlib.blake2b(payload.model_dump_json(exclude={"settled"}).encode(), digest_size=16).digest()
        found = self._understood.get(key)
        if found is None:
            found = self._understood[key] = understand(payload)
            while len(self._understood) > UNDERSTOOD_PAGES:
                self._understood.popitem(last=False)
        else:
            self._understood.move_to_end(key)
        return found

    @staticmethod
    def _check_approvals(pending: PendingFill, payload: FillApprovePayload) -> set[int]:
        """Every approval must match an offer of this request; one bad approval voids the whole message."""
        approved: set[int] = set()
        for approval in payload.approvals:
            offered = pending.offered.get(approval.index)
            if offered is None or approval.value_id not in offered.offers or approval.index in approved:
                raise ProtocolError(ErrorCode.NOT_OFFERED, f"field {approval.index} was not offered that value")
            approved.add(approval.index)
        for index in payload.never:
            if index not in pending.offered or index in approved:
                raise ProtocolError(ErrorCode.NOT_OFFERED, f"field {index} cannot be both shared and never shared")
        return approved

    def _offers(self, token: str, site: str, box: Box) -> tuple[list[Offer], bool]:
        """The vault's values for ``token`` (or, when none fits, for its first stand-in with one that does)
        as the box will hold them, and whether any were left out because the box cannot hold them."""
        vault = self.core.vault
        too_long = False
        for form in stand_ins(token):
            found = vault.memberships_for_site(site) if form.endswith(MEMBERSHIP) else vault.offers(form)
            offers = []
            for o in found:
                value = as_entered(o.value, box)
                if value is not None:
                    offers.append(Offer(value_id=o.value_id, value=value[:2000], label=o.label[:300]))
            too_long = too_long or len(offers) < len(found)
            if offers:
                return offers, too_long
        return [], too_long

    def _release(self, value_id: str, token: str, box: Box) -> str | None:
        """The value ``value_id`` names among the offers for ``token`` or its stand-ins, as the box will
        hold it; None when it was edited away since, or no longer fits."""
        for form in stand_ins(token):
            value = self.core.vault.release(value_id, form)
            if value is not None:
                return as_entered(value, box)
        return None

    def _disclosed(self, token: str, label: str, value_id: str, value: str) -> DisclosedField:
        fingerprint = self.core.vault.fingerprint(value)
        return DisclosedField(type=token, label=label, value_id=value_id, fingerprint=fingerprint)

    def _keep_offer(self, pending: PendingFill, fields: list[int]) -> KeepOffer:
        self._expire()
        while len(self._keep) >= MAX_PENDING:
            self._keep.pop(next(iter(self._keep)))
        ticket = KeepTicket(
            keep_id=secrets.token_urlsafe(18),
            site=pending.site,
            frame_origin=pending.frame_origin,
            fields=frozenset(fields),
            created=self.clock(),
        )
        self._keep[ticket.keep_id] = ticket
        return KeepOffer(keep_id=ticket.keep_id, fields=fields, program=pending.site[:300])

    def _record(
        self,
        pending: PendingFill,
        decision: Decision,
        fields: list[DisclosedField],
        terms: str | None = None,
        purpose: str | None = None,
    ) -> LedgerEntry:
        return self.core.ledger.append(self._draft(pending.where, decision, fields, terms, purpose))

    @staticmethod
    def _draft(
        where: Place,
        decision: Decision,
        fields: list[DisclosedField],
        terms: str | None = None,
        purpose: str | None = None,
        release_id: str | None = None,
    ) -> LedgerDraft:
        return LedgerDraft(
            site=where.site,
            origin=where.origin,
            path=where.path,
            frame_origin=where.frame_origin,
            purpose=purpose or where.purpose,
            fields=tuple(fields),
            decision=decision,
            terms=terms or TERMS[decision],
            browser=where.browser,
            request_id=where.request_id,
            release_id=release_id,
        )

    @staticmethod
    def _given(entry: LedgerEntry, values: list[FilledValue]) -> dict[int, Given]:
        """What ``entry`` recorded, by page index; ``values`` are in its order."""
        pairs = enumerate(zip(values, entry.fields, strict=True))
        return {v.index: Given(entry.id, place, given, entry.purpose) for place, (v, given) in pairs}

    def _record_values(
        self, pending: PendingFill, decision: Decision, values: list[tuple[str, FilledValue, DisclosedField]]
    ) -> dict[int, Given]:
        """One entry for the values released into each purpose's forms; what they recorded, by page index."""
        given: dict[int, Given] = {}
        for purpose, group in _by_purpose((p, (v, d)) for p, v, d in values):
            entry = self._record(pending, decision, [d for _, d in group], purpose=purpose)
            given.update(self._given(entry, [v for v, _ in group]))
        return given

    def _record_refused(
        self, pending: PendingFill, decision: Decision, indexes: list[int], terms: str | None = None
    ) -> None:
        """One entry for the offered fields of each purpose that were not released (``indexes``, page order)."""
        offered = [pending.offered[i] for i in indexes]
        for purpose, group in _by_purpose((o.purpose, DisclosedField(type=o.token, label=o.label)) for o in offered):
            self._record(pending, decision, group, terms, purpose)

    def _remember_release(
        self, pending: PendingFill, release: str, fields: dict[int, Given], terms: str = TERMS[Decision.UNDELIVERED]
    ) -> None:
        """Keep what left the companion, by page index, for the page's report on it."""
        self._expire()
        while len(self._released) >= MAX_PENDING:
            self._released.pop(next(iter(self._released)))
        self._released[(pending.request_id, release)] = Release(pending.where, fields, self.clock(), terms)

    def _note_set_again(self, release: Release, restored: list[int]) -> int:
        """The boxes the page undid and Proffer set again as their form was sent: one "never" entry says so.
        Only while the ledger is open: the note corrects nothing, and what the inbox holds through a lock is
        corrections alone, checked as such when the vault opens (``_append_held``). Returns how many it noted."""
        if not restored:
            return 0
        try:
            ledger = self.core.ledger
        except VaultLocked:
            return 0
        again = [release.fields[index].field for index in sorted(restored)]
        ledger.append(self._draft(release.where, Decision.NEVER, again, TERMS_SET_AGAIN))
        return len(restored)

    def _hold_for_submit(self, key: tuple[str, str], release: Release, filled: list[int]) -> None:
        """The boxes the first report on them named as set, kept for one report more at the form's submission."""
        held = {index: release.fields[index] for index in filled}
        if not held:
            return
        while len(self._at_submit) >= MAX_PENDING:
            self._at_submit.pop(next(iter(self._at_submit)))
        self._at_submit[key] = Release(release.where, held, release.released, TERMS_NOT_KEPT_AT_SUBMIT)

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
        for keep_id in [k for k, t in self._keep.items() if t.created < cutoff]:
            del self._keep[keep_id]
        report_cutoff = self.clock() - REPORT_TTL_SECONDS
        for key in [k for k, r in self._released.items() if r.released < report_cutoff]:
            del self._released[key]
        submit_cutoff = self.clock() - SUBMIT_REPORT_TTL_SECONDS
        for key in [k for k, r in self._at_submit.items() if r.released < submit_cutoff]:
            del self._at_submit[key]


def _takes_back(release: LedgerEntry | None, correction: LedgerDraft) -> bool:
    """Whether ``correction`` could be a report's on ``release``: the same request, place, frame and purpose,
    and each of its fields a copy of the release's at its position (``FillService.report`` makes them so)."""
    if release is None or release.decision not in (Decision.ONCE, Decision.ALWAYS, Decision.NEVER):
        return False
    if _where(release) != _where(correction):
        return False
    given = release.fields
    return all(
        f.position is not None
        and f.position < len(given)
        and given[f.position] == f.model_copy(update={"position": None, "reason": None})
        for f in correction.fields
    )


def _where(record: LedgerEntry | LedgerDraft) -> tuple[object, ...]:
    """The request, place, frame and purpose a ledger record is about."""
    return (record.request_id, record.site, record.origin, record.path, record.frame_origin, record.purpose)


def _by_purpose(items: Iterable[tuple[str, T]]) -> list[tuple[str, list[T]]]:
    """Items grouped by purpose, the groups in the order their purposes first come."""
    grouped: dict[str, list[T]] = {}
    for purpose, item in items:
        grouped.setdefault(purpose, []).append(item)
    return list(grouped.items())
