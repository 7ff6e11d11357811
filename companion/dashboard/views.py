"""Dashboard views: translate HTTP into calls on the core and back, nothing more."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

import aiohttp_jinja2
from aiohttp import web

from companion.appkeys import CORE, DATA_DIR, SETTINGS, run_on_worker
from companion.dashboard.security import end_sessions, has_session, start_session
from companion.vault import VaultAbsent, WrongPassphrase

View = Callable[[web.Request], Awaitable[web.StreamResponse]]
RECENT = 20


def login_required(view: View) -> View:
    """Pages with personal data need a session, which needs the vault open."""

    @functools.wraps(view)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        core = request.app[CORE]
        if core.vault.state == "absent":
            raise web.HTTPSeeOther("/vault/setup")
        if core.vault.state != "unlocked" or not has_session(request):
            raise web.HTTPSeeOther(f"/unlock?next={request.rel_url.path}")
        core.vault.touch()
        return await view(request)

    return wrapper


def safe_next(target: str | None) -> str:
    """Only our own paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def unlock_form(request: web.Request) -> web.StreamResponse:
    core = request.app[CORE]
    if core.vault.state == "absent":
        raise web.HTTPSeeOther("/vault/setup")
    return aiohttp_jinja2.render_template(
        "unlock.html", request, {"next": safe_next(request.query.get("next")), "error": None}
    )


async def unlock(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    passphrase = str(form.get("passphrase", ""))
    target = safe_next(str(form.get("next", "/")))
    core = request.app[CORE]
    error = None
    try:
        if not passphrase:
            raise WrongPassphrase("type your passphrase")
        await run_on_worker(request.app, core.unlock, passphrase)
    except WrongPassphrase as exc:
        error = str(exc) or "That passphrase does not open the vault."
    except VaultAbsent:
        raise web.HTTPSeeOther("/vault/setup") from None
    if error:
        response = aiohttp_jinja2.render_template("unlock.html", request, {"next": target, "error": error})
        response.set_status(400)
        return response
    response = web.HTTPSeeOther(target)
    start_session(request, response)
    raise response


async def lock(request: web.Request) -> web.StreamResponse:
    core = request.app[CORE]
    await run_on_worker(request.app, core.lock)
    end_sessions(request.app)
    raise web.HTTPSeeOther("/unlock")


async def _overview(request: web.Request, autolock_minutes: object, autolock_error: str | None) -> web.Response:
    core = request.app[CORE]
    page = await run_on_worker(request.app, lambda: core.ledger.query(limit=RECENT))
    return aiohttp_jinja2.render_template(
        "overview.html",
        request,
        {
            "entries": page.items,
            "total": page.total,
            "vault_state": core.vault.state,
            "autolock_minutes": autolock_minutes,
            "autolock_error": autolock_error,
        },
    )


@login_required
async def overview(request: web.Request) -> web.StreamResponse:
    return await _overview(request, request.app[SETTINGS].autolock_minutes, None)


@login_required
async def set_autolock(request: web.Request) -> web.StreamResponse:
    """How long the vault stays open without use; kept in config.json and applied at once."""
    form = await request.post()
    raw = str(form.get("autolock_minutes", "")).strip()
    current = request.app[SETTINGS]
    try:
        settings = type(current).model_validate({**current.model_dump(), "autolock_minutes": raw})
    except ValueError:
        response = await _overview(request, raw, "Give a whole number of minutes from 0 (never) to 1440 (a day).")
        response.set_status(400)
        return response
    await run_on_worker(request.app, request.app[DATA_DIR].save_settings, settings)
    current.autolock_minutes = settings.autolock_minutes  # the app's settings object is shared, not replaced
    await run_on_worker(request.app, request.app[CORE].set_autolock_minutes, settings.autolock_minutes)
    raise web.HTTPSeeOther("/#autolock")
