"""The one table of message handlers: message type -> function of (companion, payload) -> result.

Handlers run on the companion's single worker thread (see ``companion.app``), so they may block on the
KDF or on fsync without stalling the event loop, and never run two at once against the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from companion import __version__
from companion.core import Core
from companion.fill import FillService
from companion.ledger.model import LedgerEntry
from companion.protocol import PROTOCOL_VERSION
from companion.protocol.messages import (
    FillApprovePayload,
    FillDeclinePayload,
    FillReportPayload,
    FillRequestPayload,
    PingResult,
    SiteAutofillPayload,
    SiteDecision,
    SiteDisclosure,
    SiteForgetResult,
    SitePayload,
    SiteSummaryResult,
    VaultStatusResult,
    VaultUnlockPayload,
    WalletKeepPayload,
)
from companion.settings import LOOPBACK
from companion.sites import site_of


@dataclass(frozen=True)
class Context:
    core: Core
    fills: FillService
    browser: str  # which browser family the native host says it serves ("" from the CLI)


def ping(ctx: Context, _: BaseModel) -> PingResult:
    return PingResult(
        companion_version=__version__,
        protocol=PROTOCOL_VERSION,
        vault=ctx.core.vault.state,
        dashboard=f"http://{LOOPBACK}:{ctx.core.settings.port}/",
    )


def vault_status(ctx: Context, _: BaseModel) -> VaultStatusResult:
    return VaultStatusResult(state=ctx.core.vault.state)


def vault_unlock(ctx: Context, payload: VaultUnlockPayload) -> VaultStatusResult:
    ctx.core.unlock(payload.passphrase)
    return VaultStatusResult(state=ctx.core.vault.state)


def vault_lock(ctx: Context, _: BaseModel) -> VaultStatusResult:
    ctx.core.lock()
    return VaultStatusResult(state=ctx.core.vault.state)


def fill_request(ctx: Context, payload: FillRequestPayload) -> BaseModel:
    return ctx.fills.request(payload, browser=ctx.browser)


def fill_approve(ctx: Context, payload: FillApprovePayload) -> BaseModel:
    return ctx.fills.approve(payload)


def fill_decline(ctx: Context, payload: FillDeclinePayload) -> BaseModel:
    return ctx.fills.decline(payload)


def fill_report(ctx: Context, payload: FillReportPayload) -> BaseModel:
    return ctx.fills.report(payload)


def wallet_keep(ctx: Context, payload: WalletKeepPayload) -> BaseModel:
    return ctx.fills.keep(payload)


RECENT_FOR_POPUP = 5


def site_summary(ctx: Context, payload: SitePayload) -> SiteSummaryResult:
    site = site_of(payload.origin)
    decisions = ctx.core.decisions
    recent = ctx.core.ledger.query(site=site, limit=RECENT_FOR_POPUP).items
    return SiteSummaryResult(
        site=site,
        autofill=decisions.autofill_enabled(site),
        decisions=[
            SiteDecision(id=d.id, field_type=d.field_type, purpose=d.purpose, choice=d.choice.value)
            for d in decisions.list(site)
        ],
        recent=[_disclosure(ctx, e) for e in recent],
    )


def _disclosure(ctx: Context, entry: LedgerEntry) -> SiteDisclosure:
    """One of the popup's last disclosures: a release says what its page took apart from what it did not."""
    gone = ctx.core.ledger.not_received(entry.id) if entry.released else frozenset()
    return SiteDisclosure(
        time=entry.time,
        purpose=entry.purpose,
        decision=str(entry.decision),
        field_types=[f.type for i, f in enumerate(entry.fields) if i not in gone],
        not_taken=[f.type for i, f in enumerate(entry.fields) if i in gone],
    )


def site_forget(ctx: Context, payload: SitePayload) -> SiteForgetResult:
    site = site_of(payload.origin)
    return SiteForgetResult(site=site, removed=ctx.core.decisions.forget_site(site))


def site_autofill(ctx: Context, payload: SiteAutofillPayload) -> SiteSummaryResult:
    ctx.core.decisions.set_autofill(site_of(payload.origin), payload.enabled)
    return site_summary(ctx, SitePayload(origin=payload.origin))


HANDLERS: dict[str, Callable[[Context, Any], BaseModel]] = {
    "system.ping": ping,
    "vault.status": vault_status,
    "vault.unlock": vault_unlock,
    "vault.lock": vault_lock,
    "fill.request": fill_request,
    "fill.approve": fill_approve,
    "fill.decline": fill_decline,
    "fill.report": fill_report,
    "wallet.keep": wallet_keep,
    "site.summary": site_summary,
    "site.forget": site_forget,
    "site.autofill": site_autofill,
}
