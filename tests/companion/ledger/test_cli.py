"""`proffer ledger verify|export|receipt|request`, run as the person would, against a real vault's key."""

import json
import os
import stat

import pytest

from companion.cli import main
from companion.dashboard.ledger_views import request_data
from companion.ledger import disk
from companion.ledger.model import Decision
from companion.ledger.store import Ledger
from companion.settings import DataDir
from companion.vault import Vault

from .conftest import HOSTILE, at, make_draft, make_undelivered

PASSPHRASE = "correct horse battery staple, ledger edition"


@pytest.fixture(scope="module")
def vault_home(tmp_path_factory):
    """One vault for the module: Argon2id is slow on purpose."""
    root = tmp_path_factory.mktemp("cli")
    data_dir = DataDir(root / "data")
    vault = Vault(data_dir.vault_dir)
    vault.create(PASSPHRASE)
    key = vault.subkey("ledger")
    vault.lock()
    secret = root / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    return data_dir, key, secret


def fresh_ledger(vault_home):
    """The module's vault with an empty ledger, open for appending."""
    data_dir, key, _ = vault_home
    for path in data_dir.ledger_dir.glob("*"):
        path.unlink()
    return Ledger.open(data_dir.ledger_dir, key, segment_entries=2)


@pytest.fixture
def populated(vault_home):
    data_dir, _, secret = vault_home
    ledger = fresh_ledger(vault_home)
    entries = [
        ledger.append(make_draft("alpha.example"), now=at(0)),
        ledger.append(make_draft("alpha.example", decision=Decision.DECLINED), now=at(1)),
        ledger.append(make_draft(HOSTILE, label=HOSTILE), now=at(2)),
    ]
    ledger.close()
    return data_dir, secret, entries


def run(capsys, data_dir, secret, *argv):
    code = main(["ledger", *argv[:1], "--data-dir", str(data_dir.root), "--passphrase-file", str(secret), *argv[1:]])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_verify_ok(capsys, populated):
    data_dir, secret, entries = populated
    code, out, _ = run(capsys, data_dir, secret, "verify")
    assert code == 0 and f"3 entries, chain intact, head {entries[-1].hash}" in out
    code, out, _ = run(capsys, data_dir, secret, "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_verify_says_where_and_exits_non_zero(capsys, populated):
    data_dir, secret, _ = populated
    path = disk.segment_path(data_dir.ledger_dir, 1)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[1])  # entry #1 deleted
    code, out, _ = run(capsys, data_dir, secret, "verify")
    assert code == 1
    assert "DAMAGED (deleted)" in out and "segment 1, line 1: entry #1 deleted" in out
    report = json.loads(run(capsys, data_dir, secret, "verify", "--json")[1])
    assert report["problem"]["kind"] == "deleted" and report["problem"]["seq"] == 1


def test_wrong_passphrase_cannot_run(capsys, populated, tmp_path):
    data_dir, _, _ = populated
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all, sorry")
    code, _, err = run(capsys, data_dir, wrong, "verify")
    assert code == 2 and "passphrase" in err


def test_export_jsonl_to_stdout_and_csv_to_a_private_file(capsys, populated, tmp_path):
    data_dir, secret, entries = populated
    code, out, _ = run(capsys, data_dir, secret, "export", "--format", "jsonl")
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [e.model_dump(mode="json") for e in entries]
    target = tmp_path / "ledger.csv"
    code, _, err = run(capsys, data_dir, secret, "export", "--format", "csv", str(target))
    assert code == 0 and "3 entries exported" in err
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert target.read_bytes().count(b"\r\n") == 4  # RFC 4180 line ends, header + 3 rows


def test_export_works_while_the_companion_holds_the_ledger(capsys, populated, vault_home):
    data_dir, secret, _ = populated
    held = Ledger.open(data_dir.ledger_dir, vault_home[1], segment_entries=2)
    try:
        code, out, _ = run(capsys, data_dir, secret, "export")
        assert code == 0 and len(out.splitlines()) == 3
    finally:
        held.close()


def test_receipt(capsys, populated):
    data_dir, secret, entries = populated
    code, out, _ = run(capsys, data_dir, secret, "receipt", entries[0].id, "--jurisdiction", "GB")
    receipt = json.loads(out)
    assert code == 0 and receipt["consentReceiptID"] == entries[0].id and receipt["jurisdiction"] == "GB"
    code, _, err = run(capsys, data_dir, secret, "receipt", entries[1].id)
    assert code == 2 and "refusal" in err
    code, _, err = run(capsys, data_dir, secret, "receipt", "no-such-entry")
    assert code == 2 and "no ledger entry" in err


def test_request(capsys, populated):
    data_dir, secret, _ = populated
    code, out, _ = run(
        capsys,
        data_dir,
        secret,
        "request",
        "erasure",
        "alpha.example",
        "--name",
        "Ada",
        "--mailto",
        "dpo@alpha.example",
    )
    assert code == 0
    assert out.startswith("Subject: Erasure request (GDPR Art. 17")
    assert "2026-01-05 09:00 UTC" in out and "2026-01-06" not in out  # the declined entry is not listed
    assert "mailto:dpo@alpha.example?subject=" in out


@pytest.fixture
def partly_taken(vault_home):
    """alpha got email and tel at day 0 but its page did not take tel; at day 3 its page took nothing."""
    data_dir, key, secret = vault_home
    ledger = fresh_ledger(vault_home)
    both = (("email", "e1", "fp-e1"), ("tel", "t1", "fp-t1"))
    first = ledger.append(make_draft("alpha.example", fields=both), now=at(0))
    ledger.append(make_undelivered(first, 1), now=at(0.001))
    second = ledger.append(make_draft("alpha.example"), now=at(3))
    ledger.append(make_undelivered(second, 0, reason="document_gone"), now=at(3.001))
    ledger.close()
    return data_dir, secret, key, (first, second)


def test_request_lists_only_what_the_pages_took_as_the_dashboard_does(capsys, partly_taken):
    data_dir, secret, key, _ = partly_taken
    code, out, _ = run(capsys, data_dir, secret, "request", "access", "alpha.example")
    assert code == 0
    assert "I gave alpha.example the following (1 times)" in out
    assert "- 2026-01-05 09:00 UTC, on https://www.alpha.example/checkout, for checkout: email (“Email”)\n" in out
    assert "tel" not in out.split("\n\n", 1)[1]  # not taken by the page: not the shop's
    assert "2026-01-08" not in out  # a release whose page took nothing
    ledger = Ledger.open(data_dir.ledger_dir, key, read_only=True)
    try:
        shown = request_data(ledger, "alpha.example", {"kind": "access"})["request"]
    finally:
        ledger.close()
    assert out.startswith(f"Subject: {shown.subject}\n\n{shown.body.rsplit('Date:', 1)[0]}")


def test_receipt_says_what_the_page_did_not_take(capsys, partly_taken):
    data_dir, secret, _, (first, second) = partly_taken
    code, out, _ = run(capsys, data_dir, secret, "receipt", first.id)
    receipt = json.loads(out)
    assert code == 0 and receipt["services"][0]["purposes"][0]["piiCategory"] == ["email"]
    assert receipt["collectionMethod"].endswith("not collected: tel (the page had put another box in its place)")
    code, _, err = run(capsys, data_dir, secret, "receipt", second.id)
    assert code == 2 and "took none" in err
