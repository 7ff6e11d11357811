"""The companion's aiohttp application factory.

Every resource lives in ``cleanup_ctx`` (the core and its worker thread, the auto-lock timer), so tests can
build as many independent companions as they like, each on its own data dir; nothing is module state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor

import aiohttp_jinja2
import jinja2
from aiohttp import web

from companion.appkeys import (
    ALLOWED_HOSTS,
    CONTEXT,
    CORE,
    DATA_DIR,
    PEERS,
    SESSIONS,
    SETTINGS,
    TOKEN,
    WORKER,
    run_on_worker,
)
from companion.core import Core
from companion.dashboard.security import allowed_hosts, end_sessions, guard
from companion.fields.classify import prepare as prepare_fields
from companion.fill import FillService
from companion.handlers import Context
from companion.peers import OwnUserOnly, peer_check_available
from companion.routes import setup_routes
from companion.settings import MAX_MESSAGE_BYTES, DataDir, Settings

log = logging.getLogger(__name__)
AUTOLOCK_CHECK_SECONDS = 5.0


def init_app(data_dir: DataDir, settings: Settings | None = None) -> web.Application:
    settings = settings or data_dir.load_settings()
    data_dir.ensure()
    app = web.Application(client_max_size=MAX_MESSAGE_BYTES, middlewares=[guard])
    app[DATA_DIR] = data_dir
    app[SETTINGS] = settings
    app[TOKEN] = data_dir.ensure_token()
    app[ALLOWED_HOSTS] = allowed_hosts(settings.port)
    app[SESSIONS] = set()
    if peer_check_available():
        app[PEERS] = OwnUserOnly(os.geteuid())
    else:
        log.warning(
            "this system does not say which user a local connection comes from: other users of "
            "this computer can reach Proffer's port (the token and the passphrase still guard it)"
        )
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("companion.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app.cleanup_ctx.append(_core_ctx)
    app.cleanup_ctx.append(_autolock_ctx)
    setup_routes(app)
    return app


async def _core_ctx(app: web.Application) -> AsyncIterator[None]:
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="proffer-core")
    app[WORKER] = worker
    core = await asyncio.get_running_loop().run_in_executor(worker, Core, app[DATA_DIR], app[SETTINGS])
    port = app[SETTINGS].port
    fills = FillService(core, own_origins=frozenset({f"http://127.0.0.1:{port}", f"http://localhost:{port}"}))
    core.vault.on_lock(fills.forget_all)
    core.on_open(fills.record_held)
    core.vault.on_lock(lambda: end_sessions(app))
    app[CORE] = core
    app[CONTEXT] = Context(core=core, fills=fills, browser="")
    # The field model and keyword index take 0.1 s to ready; the worker does it before any page asks.
    worker.submit(prepare_fields).add_done_callback(_log_failure)
    yield
    await run_on_worker(app, core.close)
    worker.shutdown(wait=True)


def _log_failure(done: Future[None]) -> None:
    if done.exception() is not None:  # a broken weights file: each form will say so when it comes
        log.error("the field model could not be readied: %s", done.exception())


async def _autolock_ctx(app: web.Application) -> AsyncIterator[None]:
    async def tick() -> None:
        while True:
            await asyncio.sleep(AUTOLOCK_CHECK_SECONDS)
            try:
                if await run_on_worker(app, app[CORE].vault.lock_if_idle):
                    log.info("vault locked after %s idle minutes", app[SETTINGS].autolock_minutes)
            except Exception:
                log.exception("auto-lock check failed")

    task = asyncio.create_task(tick())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
