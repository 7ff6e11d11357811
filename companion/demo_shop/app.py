"""The demo shop's aiohttp application factory and the headers every response carries.

The shop is a stand-in for a hostile retailer only in the sense that Proffer must treat it like one; the
shop itself is well behaved: a strict Content-Security-Policy (no inline script or style, nothing from
another origin, forms post only to itself), no framing, no referrer, nothing cached. It has no state: it
keeps nothing a person types, it only shows it back on the thank-you page.

``init_app()`` takes no data dir: the shop is independent of any Proffer, so tests can start as many as they
like, each on its own free port.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from companion.demo_shop import views
from companion.demo_shop.appkeys import NEWSLETTER_DELAY_MS

SITE_DIR = Path(__file__).parent / "site"
MAX_POST_BYTES = 64 * 1024  # the largest form here is well under 4 KiB
DEFAULT_NEWSLETTER_DELAY_MS = 2500

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        # Errors (404, 413, redirects) are responses too and get the same headers.
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def init_app(*, newsletter_delay_ms: int = DEFAULT_NEWSLETTER_DELAY_MS) -> web.Application:
    """The shop. ``newsletter_delay_ms`` is how long the home page waits before its newsletter pop-up."""
    if newsletter_delay_ms < 0:
        raise ValueError("newsletter_delay_ms must be >= 0")
    app = web.Application(client_max_size=MAX_POST_BYTES, middlewares=[security_headers])
    app[NEWSLETTER_DELAY_MS] = newsletter_delay_ms
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(SITE_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    lang = "{lang:en|de}"
    app.router.add_get("/", views.root)
    app.router.add_get(f"/{lang}/", views.home)
    app.router.add_get(f"/{lang}/checkout", views.checkout_page)
    app.router.add_post(f"/{lang}/checkout", views.checkout_submit)
    app.router.add_get(f"/{lang}/account/register", views.signup_page)
    app.router.add_post(f"/{lang}/account/register", views.signup_submit)
    app.router.add_post(f"/{lang}/newsletter", views.newsletter_submit)
    app.router.add_get(f"/{lang}/rewards", views.rewards_page)
    app.router.add_post(f"/{lang}/rewards", views.rewards_lookup_submit)
    app.router.add_get(f"/{lang}/rewards/join", views.rewards_join_page)
    app.router.add_post(f"/{lang}/rewards/join", views.rewards_join_submit)
    app.router.add_static("/static/", SITE_DIR / "static", follow_symlinks=False)
    return app
