"""Typed keys for what the aiohttp application carries, and the one way to reach the core from a view."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from aiohttp import web

from companion.core import Core
from companion.handlers import Context
from companion.peers import OwnUserOnly
from companion.settings import DataDir, Settings

T = TypeVar("T")

DATA_DIR = web.AppKey("data_dir", DataDir)
SETTINGS = web.AppKey("settings", Settings)
TOKEN = web.AppKey("token", str)
ALLOWED_HOSTS = web.AppKey("allowed_hosts", frozenset)
CORE = web.AppKey("core", Core)
CONTEXT = web.AppKey("context", Context)
WORKER = web.AppKey("worker", ThreadPoolExecutor)
SESSIONS = web.AppKey("sessions", set)
PEERS = web.AppKey("peers", OwnUserOnly)  # absent where the kernel cannot say who a peer is


async def run_on_worker(app: web.Application, fn: Callable[..., T], *args: object) -> T:
    """Run core work on the single worker thread: it may block (KDF, fsync) and is never concurrent."""
    return await asyncio.get_running_loop().run_in_executor(app[WORKER], fn, *args)
