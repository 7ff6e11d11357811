"""The ledger in the dashboard: timeline, sites, who knows what, search, stale data, activity, exports,
receipts and requests to shops.

Each page has a pure data function (``*_data``) that takes the open ledger (and the vault, where values are
involved) and the query parameters, and returns what the template shows; the handlers only run it on the
core's worker thread and render. Everything from shops (site names, labels, purposes, paths) reaches the
templates as data and is escaped there (autoescape); links carry it only through ``urlencode``.

A release whose page did not take some values (an "undelivered" entry after it, from the extension's report
on the fill) is shown with those fields marked "not received", and the undelivered entry names each one's
reason in words; neither counts on the "who knows what" grid, and the release's consent receipt names them
as not collected (a release whose page took none of its values has no receipt). A consent box Proffer set by
the person's preference and the page did not let go of is marked "not done" the same way. A box the page undid
before its form was sent, which Proffer set again then, has an entry of its own that says so.

Corrections the ledger's inbox had to set aside (held while the vault was locked, then unreadable or not
fitting the ledger) are counted by file name, never opened, and the timeline and the integrity page say how
many there are and where: without them the ledger may overstate what some shops received.

A pasted value for search is POSTed, never put in a URL (history, logs), and only its keyed fingerprint is
compared: the ledger never held the value itself.

A site's page lists its entries a page at a time, like the timeline. The access and erasure requests list
every disclosure to the site, which means reading each one back (thousands at a busy shop), so they have
their own page (``/ledger/site/request``), built only when the person asks for one.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from companion.appkeys import CORE, run_on_worker
from companion.dashboard.views import login_required
from companion.ledger.export import write_csv, write_jsonl
from companion.ledger.inbox import Inbox
from companion.ledger.model import Decision, LedgerEntry, is_set_again_note, why_not_taken
from companion.ledger.receipt import NotADisclosure, consent_receipt
from companion.ledger.requests import build_request, fits_mail_link, mailto_link
from companion.ledger.store import Ledger
from companion.sites import portless
from companion.tokens import CONSENT_TOKENS
from companion.vault import Vault
from companion.vault.tokens import membership_offer

PAGE_SIZE = 50  # entries per page, on the timeline and on a site's page
CHART_BUCKETS = 24
FILTERS = ("site", "field_type", "purpose", "decision", "since", "until")
REQUEST_KINDS = ("access", "erasure")
SET_AGAIN, UNDONE = "set again as the form was sent", "the page had undone it"


def site_link(site: str, **extra: str | int) -> str:
    return "/ledger/site?" + urlencode({"site": site, **extra})


def request_link(site: str, kind: str) -> str:
    return "/ledger/site/request?" + urlencode({"site": site, "kind": kind})


def page_number(params: Mapping[str, str]) -> int:
    """The ``page`` asked for, from 1; anything else is page 1."""
    try:
        return max(1, int(params.get("page", "1")))
    except ValueError:
        return 1


def paging(number: int, total: int, link: Callable[[int], str]) -> dict[str, Any]:
    """What the pager shows: the page, how many there are, and the links to the neighbours."""
    pages = max(1, -(-total // PAGE_SIZE))
    return {
        "total": total,
        "page": number,
        "pages": pages,
        "previous": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < pages else None,
    }


# --- pure data functions -------------------------------------------------------------------------------------


def set_aside_data(inbox: Inbox) -> dict[str, Any]:
    """How many corrections the inbox set aside (None: its folder could not be listed), and where they are."""
    return {"count": inbox.set_aside(), "folder": str(inbox.folder)}


def timeline_data(ledger: Ledger, params: Mapping[str, str], inbox: Inbox | None = None) -> dict[str, Any]:
    """The filtered, paged timeline; bad filter values are named, not fatal. With ``inbox``, what it set aside."""
    filters = {k: params.get(k, "").strip() for k in FILTERS}
    errors: list[str] = []
    query: dict[str, Any] = {k: filters[k] for k in ("site", "field_type", "purpose") if filters[k]}
    if filters["decision"]:
        if filters["decision"] in {d.value for d in Decision}:
            query["decision"] = filters["decision"]
        else:
            errors.append(f"decision: {filters['decision']!r} is not one of {', '.join(d.value for d in Decision)}")
    for bound in ("since", "until"):
        if filters[bound]:
            try:
                query[bound] = date.fromisoformat(filters[bound])
            except ValueError:
                errors.append(f"{bound}: {filters[bound]!r} is not a date (YYYY-MM-DD)")
    number = page_number(params)
    page = ledger.query(**query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    active = {k: v for k, v in filters.items() if v}
    grid = ledger.who_knows_what()
    return {
        "entries": [entry_view(e, ledger) for e in page.items],
        **paging(number, page.total, lambda n: "/ledger?" + urlencode({**active, "page": n})),
        "filters": filters,
        "errors": errors,
        "sites": [s.site for s in ledger.sites()],
        "field_types": list(grid.field_types),
        "decisions": [d.value for d in Decision],
        "chart": activity_chart(ledger.activity("month")),
        "ledger_size": len(ledger),
        "problem": ledger.problem,  # damage found on open: shown, and nothing new is recorded until it is dealt with
        "set_aside": set_aside_data(inbox) if inbox is not None else None,
    }


def entry_view(entry: LedgerEntry, ledger: Ledger) -> dict[str, Any]:
    # A release's values the page did not take, or the consent boxes Proffer set (refusals) it did not keep.
    correctable = entry.released or entry.decision is Decision.NEVER
    not_received = ledger.not_received(entry.id) if correctable else frozenset()
    # A receipt for what was collected: none for a refusal, nor for a release its page took none of.
    collected = entry.released and len(not_received) < len(entry.fields)
    # A box the page undid before its form was sent, and Proffer set again then: its entry says so per box.
    again = is_set_again_note(entry)
    return {
        "entry": entry,
        "site_link": site_link(entry.site),
        "receipt_link": f"/ledger/receipt/{entry.id}" if collected else None,
        "when": entry.time[:19].replace("T", " ") + " UTC",
        "fields": [
            {
                "field": f,
                "not_received": i in not_received,
                "note": SET_AGAIN if again else "not done" if f.type in CONSENT_TOKENS else "not received",
                "reason": why_not_taken(f.reason) if f.reason else UNDONE if again else None,
            }
            for i, f in enumerate(entry.fields)
        ],
    }


def activity_chart(buckets: list[tuple[date, int, int]], width: int = 720, height: int = 120) -> dict[str, Any]:
    """Bars for the last ``CHART_BUCKETS`` months: released stacked under refused, in SVG coordinates."""
    shown = buckets[-CHART_BUCKETS:]
    peak = max((r + x for _, r, x in shown), default=0)
    slot = width / max(len(shown), 1)
    bars = []
    for i, (start, released, refused) in enumerate(shown):
        scale = (height - 20) / peak if peak else 0
        released_h, refused_h = released * scale, refused * scale
        bars.append(
            {
                "x": round(i * slot + 2, 1),
                "w": round(max(slot - 4, 1), 1),
                "released_y": round(height - 16 - released_h, 1),
                "released_h": round(released_h, 1),
                "refused_y": round(height - 16 - released_h - refused_h, 1),
                "refused_h": round(refused_h, 1),
                "label": start.strftime("%b %Y"),
                "short": start.strftime("%m/%y"),
                "released": released,
                "refused": refused,
            }
        )
    return {"width": width, "height": height, "bars": bars, "peak": peak}


def sites_data(ledger: Ledger) -> dict[str, Any]:
    """Every site, with its summary; a bare local address (see ``site_data``) is marked as from before ports."""
    return {"sites": [{"summary": s, "link": site_link(s.site), "portless": portless(s.site)} for s in ledger.sites()]}


def site_data(ledger: Ledger, site: str, decisions: list[Any], params: Mapping[str, str]) -> dict[str, Any]:
    """One site: its summary, a page of everything it got and when (newest first), its standing decisions,
    and links to the requests to send it. The requests are not built here: see ``request_data``.

    A bare local address (``127.0.0.1``) is a site as Proffer named it before local sites had a port: its
    entries are history, kept as recorded (the ledger is append-only and chained), and the page says so, led
    by the short note (``portless_note`` in ledger_macros.html) that marks it on the sites list and the grid."""
    number = page_number(params)
    page = ledger.query(site=site, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return {
        "site": site,
        "portless": portless(site),
        "summary": ledger.site(site),
        "entries": [entry_view(e, ledger) for e in page.items],
        **paging(number, page.total, lambda n: site_link(site, page=n)),
        "decisions": decisions,
        "request_links": {kind: request_link(site, kind) for kind in REQUEST_KINDS},
        "timeline_link": "/ledger?" + urlencode({"site": site}),
    }


def request_data(ledger: Ledger, site: str, params: Mapping[str, str]) -> dict[str, Any]:
    """The access or erasure request to ``site``, listing every disclosure to it, and a mail link on demand."""
    kind = params.get("kind", "access")
    if kind not in REQUEST_KINDS:
        kind = "access"
    request = build_request(kind, site, ledger)
    to = params.get("to", "").strip()
    mailto, mailto_error = None, None
    if to:
        try:
            mailto = mailto_link(to, request)
        except ValueError as exc:
            mailto_error = str(exc)
    return {
        "site": site,
        "kind": kind,
        "request": request,
        "to": to,
        "mailto": mailto,
        "mailto_error": mailto_error,
        "mailto_short": mailto is not None and not fits_mail_link(request),
        "request_links": {k: request_link(site, k) for k in REQUEST_KINDS},
        "site_link": site_link(site),
    }


def grid_data(ledger: Ledger) -> dict[str, Any]:
    grid = ledger.who_knows_what()
    return {
        "field_types": grid.field_types,
        "rows": [
            {
                "site": row.site,
                "link": site_link(row.site),
                "portless": portless(row.site),  # marked as on the sites list
                "cells": list(zip(row.times, row.last_given, strict=True)),
            }
            for row in grid.rows
        ],
    }


def current_fingerprints(vault: Vault, field_types: list[str]) -> dict[str, str]:
    """value id -> keyed fingerprint of what the vault holds now, for every type the ledger has seen."""
    current: dict[str, str] = {}
    for token in field_types:
        for offer in vault.offers(token):
            current.setdefault(offer.value_id, vault.fingerprint(offer.value))
    for membership in vault.profile().memberships:
        offer = membership_offer(membership)
        current.setdefault(offer.value_id, vault.fingerprint(offer.value))
    return current


def stale_data(ledger: Ledger, vault: Vault) -> dict[str, Any]:
    field_types = list(ledger.who_knows_what().field_types)
    stale = ledger.stale(current_fingerprints(vault, field_types))
    return {"stale": [{"item": s, "link": site_link(s.site)} for s in stale]}


def search_data(ledger: Ledger, vault: Vault, value: str) -> dict[str, Any]:
    value = value.strip()
    if not value:
        return {"searched": False, "results": [], "sites": []}
    found = ledger.search_fingerprint(vault.fingerprint(value))
    sites = list(dict.fromkeys(e.site for e in found))
    return {
        "searched": True,
        "results": [entry_view(e, ledger) for e in found],
        "sites": [{"site": s, "link": site_link(s)} for s in sites],
    }


# --- handlers ------------------------------------------------------------------------------------------------


def _ledger(request: web.Request) -> Ledger:
    return request.app[CORE].ledger


@login_required
async def timeline(request: web.Request) -> web.StreamResponse:
    data = await run_on_worker(request.app, timeline_data, _ledger(request), request.query, request.app[CORE].inbox)
    return aiohttp_jinja2.render_template("ledger_timeline.html", request, data)


@login_required
async def sites(request: web.Request) -> web.StreamResponse:
    data = await run_on_worker(request.app, sites_data, _ledger(request))
    return aiohttp_jinja2.render_template("ledger_sites.html", request, data)


@login_required
async def site(request: web.Request) -> web.StreamResponse:
    site_name = request.query.get("site", "")
    if not site_name:
        raise web.HTTPSeeOther("/ledger/sites")
    core = request.app[CORE]

    def load() -> dict[str, Any]:
        return site_data(core.ledger, site_name, core.decisions.list(site_name), request.query)

    data = await run_on_worker(request.app, load)
    return aiohttp_jinja2.render_template("ledger_site.html", request, data)


@login_required
async def site_request(request: web.Request) -> web.StreamResponse:
    site_name = request.query.get("site", "")
    if not site_name:
        raise web.HTTPSeeOther("/ledger/sites")
    data = await run_on_worker(request.app, request_data, _ledger(request), site_name, request.query)
    return aiohttp_jinja2.render_template("ledger_request.html", request, data)


@login_required
async def who_knows_what(request: web.Request) -> web.StreamResponse:
    data = await run_on_worker(request.app, grid_data, _ledger(request))
    return aiohttp_jinja2.render_template("ledger_grid.html", request, data)


@login_required
async def stale(request: web.Request) -> web.StreamResponse:
    core = request.app[CORE]
    data = await run_on_worker(request.app, lambda: stale_data(core.ledger, core.vault))
    return aiohttp_jinja2.render_template("ledger_stale.html", request, data)


@login_required
async def search_form(request: web.Request) -> web.StreamResponse:
    return aiohttp_jinja2.render_template(
        "ledger_search.html", request, {"searched": False, "results": [], "sites": []}
    )


@login_required
async def search(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    value = str(form.get("value", ""))[:2000]
    core = request.app[CORE]
    data = await run_on_worker(request.app, lambda: search_data(core.ledger, core.vault, value))
    return aiohttp_jinja2.render_template("ledger_search.html", request, data)


@login_required
async def export(request: web.Request) -> web.StreamResponse:
    kind = request.query.get("format", "jsonl")
    if kind not in ("csv", "jsonl"):
        raise web.HTTPBadRequest(text="format is csv or jsonl")
    ledger = _ledger(request)

    def build() -> str:
        out = io.StringIO(newline="")
        (write_csv if kind == "csv" else write_jsonl)(ledger.entries(), out)
        return out.getvalue()

    body = await run_on_worker(request.app, build)
    content_type = "text/csv" if kind == "csv" else "application/jsonl"
    return web.Response(
        text=body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="proffer-ledger.{kind}"'},
    )


@login_required
async def receipt(request: web.Request) -> web.StreamResponse:
    entry_id = request.match_info["entry_id"]
    ledger = _ledger(request)
    entry, undelivered = await run_on_worker(
        request.app, lambda: (ledger.entry(entry_id), ledger.undelivered(entry_id))
    )
    if entry is None:
        raise web.HTTPNotFound(text="no ledger entry has that id")
    try:
        document = consent_receipt(entry, undelivered, jurisdiction=request.query.get("jurisdiction", "unknown")[:64])
    except NotADisclosure as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return web.Response(
        text=json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="consent-receipt-{entry.id}.json"'},
    )


@login_required
async def verify(request: web.Request) -> web.StreamResponse:
    # Not on the core's worker: a full check takes seconds at 100,000 entries and must not hold up fills.
    report = await asyncio.to_thread(_ledger(request).verify)
    set_aside = await run_on_worker(request.app, set_aside_data, request.app[CORE].inbox)
    return aiohttp_jinja2.render_template("ledger_verify.html", request, {"report": report, "set_aside": set_aside})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/ledger", timeline)
    app.router.add_get("/ledger/sites", sites)
    app.router.add_get("/ledger/site", site)
    app.router.add_get("/ledger/site/request", site_request)
    app.router.add_get("/ledger/who-knows-what", who_knows_what)
    app.router.add_get("/ledger/stale", stale)
    app.router.add_get("/ledger/search", search_form)
    app.router.add_post("/ledger/search", search)
    app.router.add_get("/ledger/export", export)
    app.router.add_get("/ledger/receipt/{entry_id}", receipt)
    app.router.add_get("/ledger/verify", verify)
