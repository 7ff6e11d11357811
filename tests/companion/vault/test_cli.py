"""`proffer vault …` on the files: init, import, export, passphrase; and clear errors without a companion."""

import json
import stat

import pytest

from companion import cli
from companion.settings import DataDir
from companion.vault import Vault
from tests.companion.vault.test_vcard import FIXTURES

PASSPHRASE = "cli test passphrase, long enough"


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """Run `proffer` in-process with only the vault commands loaded; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("vault", "backup"))
    data = tmp_path / "data"

    def proffer(*argv):
        code = cli.main([*argv, "--data-dir", str(data)])
        out, err = capsys.readouterr()
        return code, out, err

    proffer.data_dir = DataDir(data)
    return proffer


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE + "\n")
    return path


def test_init_with_import_then_export(run, secret, tmp_path):
    code, out, _ = run("vault", "init", "--passphrase-file", str(secret), "--import", str(FIXTURES / "marker4-v40.vcf"))
    assert code == 0
    assert "vault created" in out
    assert "1 names, 1 emails, 2 phones, 1 addresses, 1 birthday" in out
    code, out, _ = run("vault", "export", "--passphrase-file", str(secret))
    assert code == 0
    exported = json.loads(out)
    assert exported["emails"][0]["address"] == "marker4@example.org"
    target = tmp_path / "export.json"
    assert run("vault", "export", str(target), "--passphrase-file", str(secret))[0] == 0
    assert json.loads(target.read_text()) == exported
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_inside_the_data_dir_is_refused(run, secret):
    run("vault", "init", "--passphrase-file", str(secret))
    inside = run.data_dir.root / "export.json"
    code, _, err = run("vault", "export", str(inside), "--passphrase-file", str(secret))
    assert code == 1
    assert "inside the data dir" in err
    assert not inside.exists()


def test_import_into_an_existing_vault(run, secret):
    run("vault", "init", "--passphrase-file", str(secret))
    code, out, _ = run("vault", "import", str(FIXTURES / "marker3-v30.vcf"), "--passphrase-file", str(secret))
    assert code == 0
    assert "left out: PHOTO" in out
    vault = Vault(run.data_dir.vault_dir)
    vault.unlock(PASSPHRASE)
    assert vault.offers("family-name")[0].value == "Marker3Family"


def test_wrong_passphrase_and_missing_vault_are_one_clear_line(run, secret, tmp_path):
    code, _, err = run("vault", "import", str(FIXTURES / "marker3-v30.vcf"), "--passphrase-file", str(secret))
    assert code == 1
    assert "no vault at" in err and "proffer vault init" in err
    run("vault", "init", "--passphrase-file", str(secret))
    wrong = tmp_path / "wrong"
    wrong.write_text("this is not the passphrase")
    code, _, err = run("vault", "export", "--passphrase-file", str(wrong))
    assert (code, err.strip()) == (1, "proffer vault: that passphrase does not open the vault; nothing was changed")


def test_init_twice_is_refused(run, secret):
    assert run("vault", "init", "--passphrase-file", str(secret))[0] == 0
    code, _, err = run("vault", "init", "--passphrase-file", str(secret))
    assert code == 1
    assert "already exists" in err


def test_no_terminal_and_no_passphrase_file_is_explained(run, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run("vault", "init")
    assert code == 1
    assert "--passphrase-file" in err
    assert Vault(run.data_dir.vault_dir).state == "absent"


def test_change_passphrase(run, secret, tmp_path):
    run("vault", "init", "--passphrase-file", str(secret))
    new = tmp_path / "new"
    new.write_text("an entirely new passphrase\n")
    code, out, _ = run("vault", "passphrase", "--passphrase-file", str(secret), "--new-passphrase-file", str(new))
    assert (code, out.strip()) == (0, "passphrase changed")
    assert run("vault", "export", "--passphrase-file", str(secret))[0] == 1
    assert run("vault", "export", "--passphrase-file", str(new))[0] == 0


def test_unlock_and_status_without_a_running_companion(run, secret):
    run("vault", "init", "--passphrase-file", str(secret))
    code, _, err = run("vault", "unlock", "--passphrase-file", str(secret))
    assert code == 1
    assert "no companion is running" in err
    code, out, _ = run("vault", "status")
    assert code == 0
    assert json.loads(out)["state"] == "locked"
    assert json.loads(out)["companion"] == "not running"


async def test_unlock_status_lock_go_to_the_running_companion(run, secret, companion, tmp_path):
    import asyncio
    import os

    run.data_dir.runtime_file.write_text(json.dumps({"port": companion.port, "pid": os.getpid()}))
    assert await asyncio.to_thread(run, "vault", "init", "--passphrase-file", str(secret)) == (
        0,
        f"vault created at {run.data_dir.vault_dir}\n",
        "",
    )
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase, sorry\n")
    code, _, err = await asyncio.to_thread(run, "vault", "unlock", "--passphrase-file", str(wrong))
    assert code == 1
    assert "does not open the vault" in err
    assert await asyncio.to_thread(run, "vault", "unlock", "--passphrase-file", str(secret)) == (
        0,
        "vault: unlocked\n",
        "",
    )
    code, out, _ = await asyncio.to_thread(run, "vault", "status")
    assert json.loads(out) == {"state": "unlocked", "companion": "running"}
    assert await asyncio.to_thread(run, "vault", "lock") == (0, "vault: locked\n", "")
    code, out, _ = await asyncio.to_thread(run, "vault", "status")
    assert json.loads(out)["state"] == "locked"
