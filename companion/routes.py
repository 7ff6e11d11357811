"""Every URL the companion serves, declared in one place."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from companion.dashboard import decision_views, ledger_views, vault_views, views
from companion.native_api import native_endpoint

STATIC_DIR = Path(__file__).parent / "dashboard" / "static"


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/native", native_endpoint)
    app.router.add_get("/", views.overview)
    app.router.add_get("/unlock", views.unlock_form)
    app.router.add_post("/unlock", views.unlock)
    app.router.add_post("/lock", views.lock)
    app.router.add_post("/settings/autolock", views.set_autolock)
    app.router.add_static("/static/", STATIC_DIR, follow_symlinks=False)
    # Feature views add their own routes below, one line each.
    decision_views.setup_routes(app)
    vault_views.setup_routes(app)
    ledger_views.setup_routes(app)
