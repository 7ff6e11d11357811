"""Damaged files are detected, named, and nothing is overwritten."""

import json

import pytest

from companion.storage import AtomicStorage
from companion.vault import Email, Vault, VaultCorrupt, VaultProfile, WrongPassphrase
from tests.companion.vault.conftest import PASSPHRASE


@pytest.fixture
def closed_vault(vault, vault_dir):
    vault.update(VaultProfile(emails=[Email(address="tamper@example.org")]))
    vault.lock()
    return vault_dir


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("offset", [0, 10, 40, -1, -17])
def test_a_flipped_byte_in_the_profile_is_detected_and_named(closed_vault, offset):
    path = closed_vault / "profile.sealed"
    blob = bytearray(path.read_bytes())
    blob[offset] ^= 0x01
    path.write_bytes(bytes(blob))
    before = snapshot(closed_vault)
    with pytest.raises(VaultCorrupt, match=r"profile\.sealed"):
        Vault(closed_vault).unlock(PASSPHRASE)
    assert snapshot(closed_vault) == before


@pytest.mark.parametrize("keep", [0, 5, 30, -1])
def test_a_truncated_profile_is_detected_and_named(closed_vault, keep):
    path = closed_vault / "profile.sealed"
    blob = path.read_bytes()
    path.write_bytes(blob[:keep])
    with pytest.raises(VaultCorrupt, match=r"profile\.sealed"):
        Vault(closed_vault).unlock(PASSPHRASE)


def test_a_missing_profile_is_not_an_empty_vault(closed_vault):
    (closed_vault / "profile.sealed").unlink()
    with pytest.raises(VaultCorrupt, match="missing"):
        Vault(closed_vault).unlock(PASSPHRASE)


def test_a_flipped_byte_in_the_wrapped_key_is_damage_not_a_wrong_passphrase(closed_vault):
    path = closed_vault / "key.json"
    document = json.loads(path.read_text())
    wrapped = bytearray(document["wrapped_key"].encode())
    wrapped[20] = ord("A") if wrapped[20] != ord("A") else ord("B")
    document["wrapped_key"] = wrapped.decode()
    path.write_text(json.dumps(document))
    with pytest.raises(VaultCorrupt, match=r"key\.json"):
        Vault(closed_vault).unlock(PASSPHRASE)


def test_a_truncated_key_file_is_named(closed_vault):
    path = closed_vault / "key.json"
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(VaultCorrupt, match=r"key\.json"):
        Vault(closed_vault).unlock(PASSPHRASE)


def test_lowering_the_kdf_cost_in_the_key_file_is_refused(closed_vault):
    path = closed_vault / "key.json"
    document = json.loads(path.read_text())
    document["kdf"]["iterations"] = 1
    path.write_text(json.dumps(document))
    with pytest.raises(VaultCorrupt, match=r"key\.json"):
        Vault(closed_vault).unlock(PASSPHRASE)


def test_a_profile_from_another_vault_does_not_open(closed_vault, tmp_path):
    other = Vault(tmp_path / "other")
    other.create(PASSPHRASE)
    (closed_vault / "profile.sealed").write_bytes((tmp_path / "other" / "profile.sealed").read_bytes())
    with pytest.raises(VaultCorrupt, match=r"profile\.sealed"):
        Vault(closed_vault).unlock(PASSPHRASE)


def test_wrong_passphrase_is_told_apart_from_damage(closed_vault):
    with pytest.raises(WrongPassphrase):
        Vault(closed_vault).unlock("not the passphrase at all")


def test_a_sealed_store_moved_to_another_file_name_is_refused(vault, tmp_path):
    """The sealer binds each blob to its place: storage.AtomicStorage passes the file name."""
    sealer = vault.sealer("decisions")
    AtomicStorage(tmp_path / "a.json", sealer).write({"x": 1})
    (tmp_path / "b.json").write_bytes((tmp_path / "a.json").read_bytes())
    assert AtomicStorage(tmp_path / "a.json", sealer).read() == {"x": 1}
    with pytest.raises(VaultCorrupt, match=r"b\.json"):
        AtomicStorage(tmp_path / "b.json", sealer).read()


def test_a_blob_sealed_for_one_purpose_does_not_open_for_another(vault):
    blob = vault.sealer("ledger").seal(b"entry", b"ledger/0001")
    with pytest.raises(VaultCorrupt):
        vault.sealer("decisions").open(blob, b"ledger/0001")
    nonces = {vault.sealer("ledger").seal(b"entry", b"x")[8:20] for _ in range(50)}
    assert len(nonces) == 50  # a fresh nonce every time
