"""`proffer demo-shop` runs the bundled demo retailer, Lindenhof Outfitters, for trying Proffer.

It listens on 127.0.0.1 unless told otherwise: the shop is for one person's own browser, and the e2e tests
start it the same way a person would. It needs no data dir (it keeps nothing), but takes ``--data-dir``
like every command so scripts can pass it uniformly.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import sys

from aiohttp import web

from companion.demo_shop.app import init_app
from companion.settings import LOOPBACK

DEFAULT_SHOP_PORT = 8088


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo-shop",
        parents=[subparsers.common_parent],
        help="run the bundled demo shop (Lindenhof Outfitters) to try Proffer on",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_SHOP_PORT, help=f"port (default: {DEFAULT_SHOP_PORT})")
    parser.add_argument("--host", default=LOOPBACK, help=f"address to listen on (default: {LOOPBACK})")
    parser.set_defaults(func=run_demo_shop)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_demo_shop(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        print(f"proffer: --port must be between 1 and 65535, not {args.port}", file=sys.stderr)
        return 2
    if not _is_loopback(args.host):
        print(
            f"proffer: warning: the demo shop will be reachable from other machines on {args.host}",
            file=sys.stderr,
        )
    url = f"http://{args.host}:{args.port}/"
    try:
        web.run_app(
            init_app(),
            host=args.host,
            port=args.port,
            access_log=None,
            print=lambda _message: print(f"Lindenhof Outfitters (demo shop) is open at {url} — Ctrl+C stops it."),
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"proffer: port {args.port} on {args.host} is in use; choose another with --port", file=sys.stderr)
            return 1
        raise
    return 0
