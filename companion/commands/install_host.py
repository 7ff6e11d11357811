"""`proffer install-host`: let the browsers start Proffer's native messaging host."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from companion.hostinstall import BROWSERS, InstallError, install, uninstall


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "install-host",
        parents=[subparsers.common_parent],
        help="register the native messaging host with your browsers",
        description="Writes the native messaging host manifest for each browser (all by default) and a "
        "launcher in the data dir. Run it again after moving the data dir or the installation.",
    )
    parser.add_argument(
        "--browser", action="append", choices=BROWSERS, default=[], help="only this browser (repeatable)"
    )
    parser.add_argument(
        "--user-data-dir", type=Path, help="a Chromium-family profile folder started with --user-data-dir"
    )
    parser.add_argument(
        "--extension-id", action="append", default=[], help="also admit this extension id (development)"
    )
    parser.add_argument("--uninstall", action="store_true", help="remove the manifests and the launcher instead")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.uninstall:
            removed = uninstall(args.data_dir, args.browser, args.user_data_dir)
            for path in removed:
                print(f"removed {path}")
            if not removed:
                print("nothing to remove")
            return 0
        written = install(args.data_dir, args.browser, args.user_data_dir, tuple(args.extension_id))
    except InstallError as exc:
        print(f"proffer: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(f"native host launcher: {args.data_dir.host_dir}")
    return 0
