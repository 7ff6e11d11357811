"""`proffer backup FILE` and `proffer restore FILE`: one encrypted file with the vault, ledger and decisions.

Both take the vault's passphrase from ``--passphrase-file`` or a hidden prompt, never from the command
line. The work is in ``companion.backup``; this module only translates arguments and errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from companion.backup import backup, restore
from companion.commands.vault import PassphraseUnavailable, read_passphrase
from companion.vault import VaultError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    common = subparsers.common_parent
    for name, func, help_text in (
        ("backup", run_backup, "write one encrypted file with the vault, ledger and decisions"),
        ("restore", run_restore, "replace this data dir's vault, ledger and decisions with a backup's"),
    ):
        parser = subparsers.add_parser(name, parents=[common], help=help_text)
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            metavar="FILE",
            help="read the vault passphrase from FILE ('-' = standard input) instead of asking",
        )
        parser.set_defaults(func=_guarded(name, func))


def _guarded(name: str, action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except (VaultError, PassphraseUnavailable) as exc:
            print(f"proffer {name}: {exc}", file=sys.stderr)
        except OSError as exc:
            print(f"proffer {name}: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1

    return run


def run_backup(args: argparse.Namespace) -> int:
    summary = backup(args.data_dir, read_passphrase(args.passphrase_file), args.file)
    print(f"backed up {summary.files} files to {summary.path} ({summary.bytes} bytes, encrypted)")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    summary = restore(args.data_dir, read_passphrase(args.passphrase_file), args.file)
    print(f"restored {summary.files} files from {summary.path} into {args.data_dir.root}")
    return 0
