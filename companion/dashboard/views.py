"""Dashboard views: translate HTTP into calls on the core and back, nothing more."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

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
            raise web.HTTPSeeOther(URL("/unlock").with_query(next=request.rel_url.path_qs))
        core.vault.touch()
        return await view(request)

    return wrapper


def local_path(target: str | None) -> str | None:
    r"""`target` if it can only mean a path on this server, else None.

    Browsers and yarl drop tabs and newlines from URLs, and browsers read a backslash as a slash, so
    "/\t/evil.example" or "/\evil.example" would leave the server as "//evil.example": any whitespace,
    control character or backslash is refused before anything is parsed (urlsplit drops them too).
    """
    if not target or "\\" in target or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return target


def dashboard_page(app: web.Application, path: str) -> bool:
    """Whether `path` (as sent, still percent-encoded) is a page this server shows: a GET route, not a file."""
    for route in app.router.routes():
        info = route.resource.get_info() if route.method == "GET" and route.resource else {}
        if info.get("path") == path or ("pattern" in info and info["pattern"].fullmatch(path)):
            return True
    return False


def safe_next(app: web.Application, target: str | None) -> str:
    """Where to go after unlocking: a dashboard page this server shows (query kept), never an open redirect."""
    path = local_path(target)
    if path is None or not dashboard_page(app, urlsplit(path).path):
        return "/"
    return path


async def unlock_form(request: web.Request) -> web.StreamResponse:
    core = request.app[CORE]
    if core.vault.state == "absent":
        raise web.HTTPSeeOther("/vault/setup")
    return aiohttp_jinja2.render_template(
        "unlock.html", request, {"next": safe_next(request.app, request.query.get("next")), "error": None}
    )


async def unlock(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    passphrase = str(form.get("passphrase", ""))
    target = safe_next(request.app, str(form.get("next", "/")))
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


@login_required  # else any local program, or a page, could lock the vault and end every session
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
