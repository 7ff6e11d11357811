"""The `proffer` command line: a thin dispatcher over ``companion.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from companion import __version__
from companion.settings import DataDir, default_data_dir

# Subcommand modules, in the order `proffer --help` lists them.
COMMAND_MODULES = (
    "serve",
    "status",
    "install_host",
    "vault",
    "backup",
    "ledger",
    "fields",
    "demo_shop",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="proffer", description="Share with shops only what you approve, and keep the record."
    )
    parser.add_argument("--version", action="version", version=f"proffer {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where Proffer keeps its data (default: $PROFFER_DATA_DIR or the platform's user data folder)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    subparsers.common_parent = common  # type: ignore[attr-defined]  # read by command modules
    for name in COMMAND_MODULES:
        importlib.import_module(f"companion.commands.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = DataDir(args.data_dir if args.data_dir is not None else default_data_dir())
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
