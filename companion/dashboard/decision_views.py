"""Standing decisions in the dashboard: list them per site and across sites, change, revoke, auto-fill; and
the person's standing preferences for marketing and loyalty prompts, set once for every site."""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from companion.appkeys import CORE, run_on_worker
from companion.dashboard.views import login_required
from companion.decisions import Choice, EnrollmentChoice, MarketingChoice, NewsletterChoice, PromptPreferences
from companion.fields.classify import PURPOSES
from companion.sites import portless


@login_required
async def decisions_page(request: web.Request) -> web.StreamResponse:
    core = request.app[CORE]
    site = request.query.get("site") or None

    def load() -> dict:
        store = core.decisions
        records = store.list(site)
        by_site: dict[str, list] = {}
        for record in records:
            by_site.setdefault(record.site, []).append(record)
        autofill = store.autofill_settings()
        return {
            "site": site,
            "by_site": by_site,
            "global_autofill": autofill.get("*", True),
            "site_autofill": {s: store.autofill_enabled(s) for s in by_site},
            "stale_sites": {s for s in by_site if portless(s)},
            "purposes": PURPOSES,
            "prompts": store.preferences(),
        }

    return aiohttp_jinja2.render_template("decisions.html", request, await run_on_worker(request.app, load))


@login_required
async def change_decision(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    core = request.app[CORE]
    decision_id = request.match_info["decision_id"]
    try:
        choice = Choice(str(form.get("choice", "")))
    except ValueError:
        raise web.HTTPBadRequest(text="choice must be always, never or ask") from None

    def change() -> None:
        record = core.decisions.get(decision_id)
        if record is None:
            raise web.HTTPNotFound(text="no such decision")
        if choice is Choice.ASK:
            core.decisions.revoke(decision_id)
        else:
            core.decisions.set(record.site, record.field_type, choice, purpose=record.purpose, value_id=record.value_id)

    await run_on_worker(request.app, change)
    raise web.HTTPSeeOther(_back(form))


@login_required
async def forget_site(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    site = str(form.get("site", ""))
    await run_on_worker(request.app, request.app[CORE].decisions.forget_site, site)
    raise web.HTTPSeeOther("/decisions")


@login_required
async def set_autofill(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    site = str(form.get("site", "")) or None
    enabled = form.get("enabled") == "on"
    await run_on_worker(request.app, request.app[CORE].decisions.set_autofill, site, enabled)
    raise web.HTTPSeeOther(_back(form))


@login_required
async def set_prompt_preferences(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        preferences = PromptPreferences(
            marketing=MarketingChoice(str(form.get("marketing", ""))),
            enrollment=EnrollmentChoice(str(form.get("enrollment", ""))),
            newsletter=NewsletterChoice(str(form.get("newsletter", ""))),
        )
    except ValueError:
        problem = "marketing: untick or leave; enrollment: ask or decline; newsletter: ask or never"
        raise web.HTTPBadRequest(text=problem) from None
    await run_on_worker(request.app, request.app[CORE].decisions.set_preferences, preferences)
    raise web.HTTPSeeOther(_back(form))


def _back(form: MultiDictProxy) -> str:
    site = str(form.get("back_site", ""))
    return f"/decisions?{urlencode({'site': site})}" if site else "/decisions"


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/decisions", decisions_page)
    app.router.add_post("/decisions/{decision_id}", change_decision)
    app.router.add_post("/decisions-forget", forget_site)
    app.router.add_post("/autofill", set_autofill)
    app.router.add_post("/prompt-preferences", set_prompt_preferences)
