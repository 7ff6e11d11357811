"""`proffer status`: is the companion running, is the vault open, where is everything."""

from __future__ import annotations

import argparse
import json

from companion.client import CompanionError, CompanionUnavailable, send
from companion.settings import CHROMIUM_EXTENSION_IDS, LOOPBACK, DataDir


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", parents=[subparsers.common_parent], help="show what is running")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data_dir: DataDir = args.data_dir
    status: dict[str, object] = {"data_dir": str(data_dir.root), "extension_id": CHROMIUM_EXTENSION_IDS[0]}
    try:
        pong = send(data_dir, "system.ping", timeout=3)
    except (CompanionUnavailable, CompanionError) as exc:
        status.update(running=False, problem=str(exc))
    else:
        port = data_dir.read_runtime()["port"]
        status.update(
            running=True,
            dashboard=f"http://{LOOPBACK}:{port}/",
            vault=pong["vault"],
            version=pong["companion_version"],
        )
    if args.json:
        print(json.dumps(status))
    else:
        for key, value in status.items():
            print(f"{key.replace('_', ' '):>14}: {value}")
    return 0 if status["running"] else 1
