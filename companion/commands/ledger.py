"""`proffer ledger verify|export|receipt|request`: the disclosure ledger from the command line.

Every action needs the vault's key (``--passphrase-file FILE``, or a hidden prompt on a terminal) and reads
the ledger without taking the companion's write lock, so it works while the companion runs.

``verify`` exits 0 when the chain, every record and the checkpoint check out, and 1 with the place and the
kind of damage otherwise (2 when it could not run at all: no vault, wrong passphrase).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

from companion.commands.vault import PassphraseUnavailable, open_vault
from companion.ledger.errors import LedgerError
from companion.ledger.export import write_csv, write_jsonl
from companion.ledger.receipt import NotADisclosure, consent_receipt
from companion.ledger.requests import build_request, mailto_link
from companion.ledger.store import Ledger, verify_folder
from companion.storage import atomic_write
from companion.vault import VaultError

EXIT_DAMAGED = 1
EXIT_CANNOT_RUN = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ledger", help="verify and export the disclosure ledger")
    actions = parser.add_subparsers(dest="ledger_action", required=True, metavar="ACTION")
    secret = argparse.ArgumentParser(add_help=False)
    secret.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="read the vault passphrase from FILE ('-' = stdin)"
    )
    parents = [subparsers.common_parent, secret]

    verify = actions.add_parser("verify", parents=parents, help="check the hash chain and say where it breaks")
    verify.add_argument("--json", action="store_true", help="print the report as one JSON object")
    verify.set_defaults(func=_guarded(run_verify))

    export = actions.add_parser("export", parents=parents, help="write the whole ledger as CSV or JSON Lines")
    export.add_argument("--format", choices=("csv", "jsonl"), default="jsonl")
    export.add_argument("file", type=Path, nargs="?", metavar="FILE", help="write to FILE (mode 0600), not stdout")
    export.set_defaults(func=_guarded(run_export))

    receipt = actions.add_parser("receipt", parents=parents, help="a Kantara v1.1 consent receipt for one entry")
    receipt.add_argument("entry_id", metavar="ENTRY_ID")
    receipt.add_argument("--jurisdiction", default="unknown", help="e.g. GB, DE, US-CA")
    receipt.add_argument("--principal", default=None, help="how the receipt names you (default: a pseudonym)")
    receipt.set_defaults(func=_guarded(run_receipt))

    request = actions.add_parser("request", parents=parents, help="an access or erasure request to one shop")
    request.add_argument("kind", choices=("access", "erasure"))
    request.add_argument("site", help="the shop's site, as the ledger names it (e.g. shop.example)")
    request.add_argument("--name", default="", help="your name, for the signature")
    request.add_argument("--contact", default="", help="the email or phone you used with this shop")
    request.add_argument("--mailto", metavar="ADDRESS", help="also print a mailto: link to this address")
    request.set_defaults(func=_guarded(run_request))


def _fail(message: str, code: int = EXIT_CANNOT_RUN) -> int:
    print(f"proffer ledger: {message}", file=sys.stderr)
    return code


def _guarded(action: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except (VaultError, PassphraseUnavailable, LedgerError, NotADisclosure, ValueError) as exc:
            return _fail(str(exc))
        except OSError as exc:
            return _fail(f"{exc.filename or ''}: {exc.strerror or exc}")

    return run


def _ledger_key(args: argparse.Namespace) -> bytes:
    vault = open_vault(args)
    try:
        return vault.subkey("ledger")
    finally:
        vault.lock()


def _open(args: argparse.Namespace) -> Ledger:
    ledger = Ledger.open(args.data_dir.ledger_dir, _ledger_key(args), read_only=True)
    if ledger.problem is not None:
        print(f"proffer ledger: warning: {ledger.problem.message}; showing what comes before it", file=sys.stderr)
    return ledger


def _emit(text: str, file: Path | None) -> None:
    if file is None:
        sys.stdout.write(text)
    else:
        atomic_write(file, text.encode("utf-8"))  # 0600: it names every shop you dealt with
        print(f"wrote {file}", file=sys.stderr)


def run_verify(args: argparse.Namespace) -> int:
    report = verify_folder(args.data_dir.ledger_dir, _ledger_key(args))
    if args.json:
        print(json.dumps(report.model_dump(mode="json")))
    elif report.ok:
        print(f"ledger ok: {report.count} entries, chain intact, head {report.head_hash}")
    else:
        problem = report.problem
        assert problem is not None
        print(f"ledger DAMAGED ({problem.kind}): {problem.message}")
        print(f"{report.count} entries verify before it; head of the intact part {report.head_hash}")
    return 0 if report.ok else EXIT_DAMAGED


def run_export(args: argparse.Namespace) -> int:
    ledger = _open(args)
    try:
        out = io.StringIO(newline="")
        count = (write_csv if args.format == "csv" else write_jsonl)(ledger.entries(), out)
    finally:
        ledger.close()
    _emit(out.getvalue(), args.file)
    print(f"{count} entries exported", file=sys.stderr)
    return 0


def run_receipt(args: argparse.Namespace) -> int:
    ledger = _open(args)
    try:
        entry = ledger.entry(args.entry_id)
        undelivered = ledger.undelivered(args.entry_id)
    finally:
        ledger.close()
    if entry is None:
        return _fail(f"no ledger entry has the id {args.entry_id!r}")
    options = {"jurisdiction": args.jurisdiction}
    if args.principal:
        options["principal_id"] = args.principal
    print(json.dumps(consent_receipt(entry, undelivered, **options), indent=2, ensure_ascii=False))
    return 0


def run_request(args: argparse.Namespace) -> int:
    ledger = _open(args)
    try:
        request = build_request(args.kind, args.site, ledger, name=args.name, contact=args.contact)
    finally:
        ledger.close()
    print(f"Subject: {request.subject}\n\n{request.body}")
    if args.mailto:
        print(f"\n{mailto_link(args.mailto, request)}")
    return 0
