"""Who may talk to the companion's HTTP server, and what the browser may do with its pages.

The server listens on 127.0.0.1 only, but any web page the person visits can still make their browser
send requests to it, and every other user of the computer can connect to it. Four defences, in this
middleware, apply to every request:

* **Own user only** — the kernel names the user that owns the connecting socket (``peers.py``); only
  programs running as the companion's user are answered. A session cookie that the browser sent to
  another user's server on another 127.0.0.1 port is of no use to that user.

* **Host allowlist** — a DNS-rebinding page reaches us under its own host name; only ``127.0.0.1:PORT`` and
  ``localhost:PORT`` are served.
* **CSRF** — every state-changing request must come from our own pages: ``Sec-Fetch-Site`` must be
  ``same-origin`` (or ``none``, a typed URL or bookmark) when the browser sends it, and ``Origin``, when
  present, must be one of our origins. A state change that carries neither header is not from a modern
  browser's page; the session cookie (SameSite=Strict) is then still required by the views.
* **Headers** — a strict Content-Security-Policy (no inline script, no framing), nosniff, no referrer,
  no caching of pages that show personal data.

The native endpoint is authenticated by its bearer token instead and refuses anything with an Origin.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from companion.appkeys import ALLOWED_HOSTS, PEERS, SESSIONS

SESSION_COOKIE = "proffer_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send `Origin: null` on our own form posts
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def allowed_hosts(port: int) -> frozenset[str]:
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


def _refuse(status: int, reason: str) -> web.Response:
    return web.Response(status=status, text=reason + "\n", headers=SECURITY_HEADERS)


def cross_site_reason(request: web.Request) -> str | None:
    """Why a state-changing request does not come from our own pages, or None when it does."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"cross-site request refused (Sec-Fetch-Site: {fetch_site})"
    origin = request.headers.get("Origin")
    if origin is not None:
        ours = {f"http://{host}" for host in request.app[ALLOWED_HOSTS]}
        if origin not in ours:
            return "cross-origin request refused (Origin is not the dashboard)"
    return None


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    peers = request.app.get(PEERS)
    if peers is not None and not peers.admits(request.transport):
        return _refuse(403, "Proffer answers only programs of the user it runs for")
    if request.host not in request.app[ALLOWED_HOSTS]:
        return _refuse(421, "unknown Host: Proffer answers only on 127.0.0.1")
    if request.path != "/native" and request.method not in SAFE_METHODS:
        reason = cross_site_reason(request)
        if reason:
            return _refuse(403, reason)
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# --- sessions: a dashboard session exists only after the person typed the passphrase ----------------


def has_session(request: web.Request) -> bool:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return bool(cookie) and cookie in request.app[SESSIONS]


def start_session(request: web.Request, response: web.StreamResponse) -> None:
    session = secrets.token_urlsafe(32)
    request.app[SESSIONS].add(session)
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="Strict", path="/")


def end_sessions(app: web.Application) -> None:
    """Every session ends when the vault locks: unlocking again means typing the passphrase again."""
    app[SESSIONS].clear()
