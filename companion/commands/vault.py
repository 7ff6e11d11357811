"""`proffer vault init|unlock|lock|status|import|export|passphrase`: the vault from the command line.

The passphrase is never an argument (it would sit in the shell history and in `ps`): it comes from
``--passphrase-file FILE`` (``-`` for standard input) or, on a terminal, from a hidden prompt.

``init``, ``import``, ``export`` and ``passphrase`` work on the vault's files directly, so they work with
or without a running companion (a running one notices a rewritten profile and re-reads it). ``unlock``,
``lock`` and ``status`` are about the running companion's memory, so they go to it over its token-checked
loopback endpoint.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path

from companion.client import CompanionError, CompanionUnavailable, send
from companion.settings import DataDir
from companion.storage import atomic_write
from companion.vault import InvalidProfile, Vault, VaultError


class PassphraseUnavailable(Exception):
    """No passphrase file was given and there is no terminal to ask on."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("vault", help="create, open, close, import and export the vault")
    actions = parser.add_subparsers(dest="vault_action", required=True, metavar="ACTION")
    common = subparsers.common_parent
    secret = argparse.ArgumentParser(add_help=False)
    secret.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="read the passphrase from FILE ('-' = standard input) instead of asking",
    )

    init = actions.add_parser("init", parents=[common, secret], help="create a new, empty vault")
    init.add_argument("--import", dest="vcard", type=Path, metavar="CARD.vcf", help="then import this vCard")
    init.set_defaults(func=run_init)

    unlock = actions.add_parser("unlock", parents=[common, secret], help="open the vault in the running companion")
    unlock.set_defaults(func=run_unlock)
    lock = actions.add_parser("lock", parents=[common], help="make the running companion forget the key now")
    lock.set_defaults(func=run_lock)
    status = actions.add_parser("status", parents=[common], help="absent, locked or unlocked")
    status.set_defaults(func=run_status)

    imp = actions.add_parser("import", parents=[common, secret], help="add your own contact card (vCard 3.0/4.0)")
    imp.add_argument("vcard", type=Path, metavar="CARD.vcf")
    imp.set_defaults(func=run_import)

    export = actions.add_parser(
        "export", parents=[common, secret], help="print everything in the vault as JSON (plaintext!)"
    )
    export.add_argument("file", type=Path, nargs="?", metavar="FILE", help="write to FILE (mode 0600), not stdout")
    export.set_defaults(func=run_export)

    change = actions.add_parser("passphrase", parents=[common, secret], help="change the vault's passphrase")
    change.add_argument("--new-passphrase-file", type=Path, metavar="FILE", help="read the new passphrase from FILE")
    change.set_defaults(func=run_change_passphrase)


# --- passphrases -------------------------------------------------------------------------------------------


def read_passphrase(source: Path | None, prompt: str = "Vault passphrase: ", confirm: bool = False) -> str:
    if source is not None:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
        passphrase = text.removesuffix("\n").removesuffix("\r")
        if not passphrase:
            raise PassphraseUnavailable(f"the passphrase file {source} is empty")
        return passphrase
    if not sys.stdin.isatty():
        raise PassphraseUnavailable("no terminal to ask for the passphrase on: use --passphrase-file FILE")
    passphrase = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to be sure: ") != passphrase:
        raise PassphraseUnavailable("the two passphrases differ; nothing was changed")
    return passphrase


def _fail(message: str) -> int:
    print(f"proffer vault: {message}", file=sys.stderr)
    return 1


def _guarded(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the errors a person can act on into one line on stderr and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except InvalidProfile as exc:
            return _fail("the data is not valid:\n  " + "\n  ".join(exc.problems))
        except (VaultError, PassphraseUnavailable) as exc:
            return _fail(str(exc))
        except OSError as exc:
            return _fail(f"{exc.filename or ''}: {exc.strerror or exc}")
        except CompanionUnavailable as exc:
            return _fail(f"{exc}")
        except CompanionError as exc:
            return _fail(exc.message)

    return run


def open_vault(args: argparse.Namespace) -> Vault:
    """The data dir's vault, unlocked with the passphrase from --passphrase-file (or a prompt)."""
    vault = Vault(args.data_dir.vault_dir)
    if vault.state == "absent":
        vault.unlock("")  # raises VaultAbsent with the message that says how to create one
    vault.unlock(read_passphrase(args.passphrase_file))
    return vault


def _print_summary(summary: object) -> None:
    added = getattr(summary, "added", {})
    skipped = getattr(summary, "skipped", [])
    print("added: " + (", ".join(f"{n} {kind}" for kind, n in added.items()) or "nothing new"))
    for reason in skipped:
        print(f"  left out: {reason}")


# --- actions -----------------------------------------------------------------------------------------------


@_guarded
def run_init(args: argparse.Namespace) -> int:
    data_dir: DataDir = args.data_dir
    data_dir.ensure()
    vault = Vault(data_dir.vault_dir)
    if vault.state != "absent":
        return _fail(f"a vault already exists at {data_dir.vault_dir}")
    text = args.vcard.read_text(encoding="utf-8") if args.vcard else None  # read before creating anything
    vault.create(read_passphrase(args.passphrase_file, "New vault passphrase: ", confirm=True))
    print(f"vault created at {data_dir.vault_dir}")
    if text is not None:
        _print_summary(vault.import_vcard(text))
    vault.lock()
    return 0


@_guarded
def run_import(args: argparse.Namespace) -> int:
    text = args.vcard.read_text(encoding="utf-8")
    vault = open_vault(args)
    try:
        _print_summary(vault.import_vcard(text))
    finally:
        vault.lock()
    return 0


@_guarded
def run_export(args: argparse.Namespace) -> int:
    data_dir: DataDir = args.data_dir
    if args.file is not None and args.file.resolve().is_relative_to(data_dir.root):
        # Everything under the data dir is sealed; a plaintext export there would break that promise.
        return _fail(f"refusing to write a plaintext export inside the data dir {data_dir.root}")
    vault = open_vault(args)
    try:
        document = vault.export().model_dump_json(indent=2) + "\n"
    finally:
        vault.lock()
    if args.file is None:
        sys.stdout.write(document)
    else:
        atomic_write(args.file, document.encode("utf-8"), mode=0o600)
        print(f"exported to {args.file} (plaintext: keep it safe, delete it when done)", file=sys.stderr)
    return 0


@_guarded
def run_change_passphrase(args: argparse.Namespace) -> int:
    vault = Vault(args.data_dir.vault_dir)
    old = read_passphrase(args.passphrase_file, "Current passphrase: ")
    new = read_passphrase(args.new_passphrase_file, "New passphrase: ", confirm=True)
    vault.change_passphrase(old, new)
    print("passphrase changed")
    return 0


@_guarded
def run_unlock(args: argparse.Namespace) -> int:
    send(args.data_dir, "vault.status")  # fail fast, before asking for a passphrase, if none is running
    result = send(args.data_dir, "vault.unlock", {"passphrase": read_passphrase(args.passphrase_file)})
    print(f"vault: {result['state']}")
    return 0


@_guarded
def run_lock(args: argparse.Namespace) -> int:
    result = send(args.data_dir, "vault.lock")
    print(f"vault: {result['state']}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    data_dir: DataDir = args.data_dir
    try:
        state = send(data_dir, "vault.status", timeout=3)["state"]
        print(json.dumps({"state": state, "companion": "running"}))
        return 0
    except (CompanionUnavailable, CompanionError) as exc:
        on_disk = Vault(data_dir.vault_dir).state  # absent or locked: nothing is open without a companion
        print(json.dumps({"state": on_disk, "companion": "not running", "why": str(exc)}))
        return 0
