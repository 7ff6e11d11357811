"""Backup and restore: one encrypted file; restore refuses a wrong passphrase or damage, touching nothing."""

import os

import pytest

from companion import cli
from companion.backup import BackupCorrupt, BackupRefused, backup, restore
from companion.settings import DataDir
from companion.vault import Email, Vault, VaultProfile, WrongPassphrase

PASSPHRASE = "backup test passphrase, long enough"
MARKER = "backup-marker-5521@example.org"


def snapshot(data_dir: DataDir) -> dict[str, bytes]:
    return {str(p.relative_to(data_dir.root)): p.read_bytes() for p in sorted(data_dir.root.rglob("*")) if p.is_file()}


@pytest.fixture
def data_dir(tmp_path):
    """A data dir with a vault holding a marker, a sealed ledger segment, a decisions file and run files."""
    data_dir = DataDir(tmp_path / "data")
    data_dir.ensure()
    vault = Vault(data_dir.vault_dir)
    vault.create(PASSPHRASE)
    vault.update(VaultProfile(emails=[Email(address=MARKER)]))
    sealer = vault.sealer("ledger")
    (data_dir.ledger_dir).mkdir()
    (data_dir.ledger_dir / "segment-000001.sealed").write_bytes(sealer.seal(b"entry one", b"segment-000001"))
    (data_dir.root / "decisions.sealed").write_bytes(vault.sealer("decisions").seal(b"always", b"decisions"))
    (data_dir.root / "config.json").write_text('{"port": 47999}')
    data_dir.ensure_token()
    (data_dir.root / "companion.log").write_text("log line\n")
    vault.lock()
    return data_dir


def kept(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k not in {"native-token", "companion.log"}}


def test_round_trip_restores_exactly_the_backed_up_state(data_dir, tmp_path):
    original = snapshot(data_dir)
    summary = backup(data_dir, PASSPHRASE, tmp_path / "proffer.backup")
    assert summary.files == 5  # key, profile, ledger segment, decisions, config
    # Life goes on: the vault is edited, a ledger segment lost, a new file appears, the token rotates.
    vault = Vault(data_dir.vault_dir)
    vault.unlock(PASSPHRASE)
    vault.update(VaultProfile())
    vault.lock()
    (data_dir.ledger_dir / "segment-000001.sealed").unlink()
    (data_dir.ledger_dir / "segment-000002.sealed").write_bytes(b"later")
    (data_dir.token_file).write_text("a newer token")

    restore(data_dir, PASSPHRASE, tmp_path / "proffer.backup")

    after = snapshot(data_dir)
    assert kept(after) == kept(original)
    assert after["native-token"] == b"a newer token"  # belongs to this machine's running instance, kept
    assert not [p for p in data_dir.root.iterdir() if p.name.startswith(".")]  # no staging left behind
    vault = Vault(data_dir.vault_dir)
    vault.unlock(PASSPHRASE)
    assert [o.value for o in vault.offers("email")] == [MARKER]


def test_restore_on_a_new_machine(data_dir, tmp_path):
    backup(data_dir, PASSPHRASE, tmp_path / "proffer.backup")
    fresh = DataDir(tmp_path / "elsewhere")
    restore(fresh, PASSPHRASE, tmp_path / "proffer.backup")
    assert kept(snapshot(fresh)) == kept(snapshot(data_dir))


def test_the_backup_holds_no_value_in_clear(data_dir, tmp_path):
    backup(data_dir, PASSPHRASE, tmp_path / "proffer.backup")
    blob = (tmp_path / "proffer.backup").read_bytes()
    assert MARKER.encode() not in blob
    assert b"entry one" not in blob
    assert b"segment-000001" not in blob  # even the file names are inside the encrypted part


def test_backup_refuses_a_passphrase_that_does_not_open_the_vault(data_dir, tmp_path):
    with pytest.raises(WrongPassphrase):
        backup(data_dir, "not the vault passphrase", tmp_path / "proffer.backup")
    assert not (tmp_path / "proffer.backup").exists()


def test_backup_refuses_to_write_inside_the_data_dir(data_dir):
    with pytest.raises(BackupRefused, match="outside the data dir"):
        backup(data_dir, PASSPHRASE, data_dir.root / "proffer.backup")


def test_restore_with_a_wrong_passphrase_changes_nothing(data_dir, tmp_path):
    backup(data_dir, PASSPHRASE, tmp_path / "proffer.backup")
    before = snapshot(data_dir)
    with pytest.raises(WrongPassphrase):
        restore(data_dir, "not the passphrase", tmp_path / "proffer.backup")
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("where", ["magic", "header", "payload-start", "payload-middle", "tag"])
def test_restore_of_a_damaged_backup_names_it_and_changes_nothing(data_dir, tmp_path, where):
    path = tmp_path / "proffer.backup"
    backup(data_dir, PASSPHRASE, path)
    blob = bytearray(path.read_bytes())
    header_end = blob.index(b"}") + 1
    offset = {"magic": 3, "header": 40, "payload-start": header_end + 2, "payload-middle": len(blob) // 2 + 100}.get(
        where, len(blob) - 1
    )
    blob[offset] ^= 0x20
    path.write_bytes(bytes(blob))
    before = snapshot(data_dir)
    with pytest.raises(BackupCorrupt, match=r"proffer\.backup"):
        restore(data_dir, PASSPHRASE, path)
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("keep", [5, 30, 400, -1])
def test_restore_of_a_truncated_backup_is_refused(data_dir, tmp_path, keep):
    path = tmp_path / "proffer.backup"
    backup(data_dir, PASSPHRASE, path)
    path.write_bytes(path.read_bytes()[:keep])
    before = snapshot(data_dir)
    with pytest.raises(BackupCorrupt, match=r"proffer\.backup"):
        restore(data_dir, PASSPHRASE, path)
    assert snapshot(data_dir) == before


def test_restore_is_refused_while_the_companion_runs(data_dir, tmp_path):
    backup(data_dir, PASSPHRASE, tmp_path / "proffer.backup")
    data_dir.runtime_file.write_text(f'{{"port": 47999, "pid": {os.getpid()}}}')
    before = snapshot(data_dir)
    with pytest.raises(BackupRefused, match="running"):
        restore(data_dir, PASSPHRASE, tmp_path / "proffer.backup")
    assert snapshot(data_dir) == before


def test_cli_backup_and_restore(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("vault", "backup"))
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    target = tmp_path / "cli.backup"
    base = ["--data-dir", str(data_dir.root), "--passphrase-file", str(secret)]
    assert cli.main(["backup", str(target), *base]) == 0
    assert "backed up 5 files" in capsys.readouterr().out
    secret.write_text("a wrong passphrase\n")
    assert cli.main(["restore", str(target), *base]) == 1
    assert "does not open the backup" in capsys.readouterr().err
