"""`proffer install-host`: let the browsers start Proffer's native messaging host (or, with
``--uninstall``, stop letting them). The work is in ``companion.hostinstall``."""

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
        description="Write the native messaging host manifest for each browser (all of them by default) and "
        "the launcher they start, in the data dir. Run it again after moving the data dir or the installation.",
    )
    parser.add_argument(
        "--browser",
        action="append",
        choices=BROWSERS,
        default=[],
        help="only this browser (repeatable; default: all)",
    )
    parser.add_argument(
        "--user-data-dir",
        type=Path,
        default=None,
        help="a Chromium-family profile started with --user-data-dir: the manifest goes into "
        "DIR/NativeMessagingHosts (Firefox has no per-profile folder)",
    )
    parser.add_argument(
        "--extension-id",
        action="append",
        default=[],
        metavar="ID",
        help="also admit this Chromium extension id or Firefox add-on id (development; repeatable)",
    )
    parser.add_argument("--uninstall", action="store_true", help="remove the manifests and the launcher instead")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.uninstall:
            if args.extension_id:
                raise InstallError("--extension-id has no meaning with --uninstall")
            changes = uninstall(args.data_dir, args.browser, args.user_data_dir)
        else:
            changes = install(args.data_dir, args.browser, args.user_data_dir, args.extension_id)
    except InstallError as exc:
        print(f"proffer install-host: {exc}", file=sys.stderr)
        return 2
    for change in changes:
        note = f"  ({change.note})" if change.note else ""
        print(f"{change.action:>8} {change.path}{note}")
    if args.uninstall and not any(change.action == "removed" for change in changes):
        print(f"Nothing to remove: no native host manifest points at {args.data_dir.host_dir}.")
    return 0
