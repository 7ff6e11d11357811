"""`proffer serve` runs the companion (and its dashboard); `proffer stop` stops it.

The companion records its port and process id in the data dir's companion.json once it listens, so the
native host, the CLI and `proffer stop` find it; the file is removed again on a clean exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging
import os
import signal
import subprocess
import sys
import time

from aiohttp import web

from companion.app import init_app
from companion.client import CompanionUnavailable, running_pid, send
from companion.settings import LOOPBACK, ConfigError, DataDir
from companion.storage import atomic_write

READY_TIMEOUT_SECONDS = 15.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve", parents=[subparsers.common_parent], help="run the companion and the dashboard on 127.0.0.1"
    )
    serve.add_argument("--port", type=int, default=None, help="dashboard port (default: config.json, else 47615)")
    serve.add_argument("--detach", action="store_true", help="start in the background and return once it answers")
    serve.set_defaults(func=run_serve)
    stop = subparsers.add_parser("stop", parents=[subparsers.common_parent], help="stop a running companion")
    stop.set_defaults(func=run_stop)


def run_serve(args: argparse.Namespace) -> int:
    data_dir: DataDir = args.data_dir
    try:
        settings = data_dir.load_settings()
    except ConfigError as exc:
        print(f"proffer: {exc}", file=sys.stderr)
        return 2
    if args.port is not None:
        settings = settings.model_copy(update={"port": args.port})
    if running_pid(data_dir):
        try:
            send(data_dir, "system.ping", timeout=2)
        except CompanionUnavailable:
            pass
        else:
            print(
                f"Proffer is already running for {data_dir.root} on http://{LOOPBACK}:{data_dir.read_runtime()['port']}/"
            )
            return 0
    if args.detach:
        return _detach(data_dir, settings.port)
    data_dir.ensure()
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[logging.FileHandler(data_dir.log_file), logging.StreamHandler()],
    )
    try:
        asyncio.run(_serve(data_dir, init_app(data_dir, settings), settings.port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(
                f"proffer: port {settings.port} on {LOOPBACK} is in use by another program; "
                "choose another with --port or in config.json",
                file=sys.stderr,
            )
            return 1
        raise
    return 0


async def _serve(data_dir: DataDir, app: web.Application, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, LOOPBACK, port)
        await site.start()
        atomic_write(data_dir.runtime_file, json.dumps({"port": port, "pid": os.getpid()}).encode())
        logging.getLogger("proffer").info("Proffer is running: dashboard at http://%s:%d/", LOOPBACK, port)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await stopping.wait()
    finally:
        # Close first (the port, then the vault and the ledger), and only then say so: `proffer stop` returns
        # when this file is gone, and the next `proffer serve` must find the port and the ledger free.
        try:
            await runner.cleanup()
        finally:
            runtime = data_dir.read_runtime()
            if runtime and runtime.get("pid") == os.getpid():
                data_dir.runtime_file.unlink(missing_ok=True)


def _detach(data_dir: DataDir, port: int) -> int:
    data_dir.ensure()
    with open(data_dir.log_file, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "companion",
                "serve",
                "--data-dir",
                str(data_dir.root),
                "--port",
                str(port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(
                f"proffer: the companion exited at start (code {process.returncode}); see {data_dir.log_file}",
                file=sys.stderr,
            )
            return 1
        runtime = data_dir.read_runtime()
        if runtime and runtime.get("pid") == process.pid:
            with contextlib.suppress(CompanionUnavailable):
                send(data_dir, "system.ping", timeout=2)
                print(f"Proffer is running (pid {process.pid}): dashboard at http://{LOOPBACK}:{port}/")
                return 0
        time.sleep(0.05)
    print(
        f"proffer: the companion did not answer within {READY_TIMEOUT_SECONDS:.0f} s; see {data_dir.log_file}",
        file=sys.stderr,
    )
    return 1


def run_stop(args: argparse.Namespace) -> int:
    data_dir: DataDir = args.data_dir
    pid = running_pid(data_dir)
    if pid is None:
        print(f"No companion is running for {data_dir.root}.")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if running_pid(data_dir) is None or not data_dir.runtime_file.exists():
            print(f"Stopped the companion (pid {pid}).")
            return 0
        time.sleep(0.05)
    print(f"proffer: the companion (pid {pid}) did not stop within 10 s", file=sys.stderr)
    return 1
