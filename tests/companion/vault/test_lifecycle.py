"""Create, unlock, lock, auto-lock and passphrase changes."""

import pytest

from companion.vault import (
    Email,
    Vault,
    VaultAbsent,
    VaultExists,
    VaultLocked,
    VaultProfile,
    WeakPassphrase,
    WrongPassphrase,
)
from tests.companion.vault.conftest import PASSPHRASE


def with_email(vault, address="someone@example.org"):
    vault.update(VaultProfile(emails=[Email(address=address)]))


def test_a_new_dir_has_no_vault_and_refuses_unlock(vault_dir):
    v = Vault(vault_dir)
    assert v.state == "absent"
    with pytest.raises(VaultAbsent):
        v.unlock(PASSPHRASE)
    with pytest.raises(VaultLocked):
        v.offers("email")


def test_create_leaves_it_unlocked_and_empty(vault):
    assert vault.state == "unlocked"
    assert vault.profile() == VaultProfile()
    assert vault.offers("email") == []


def test_create_twice_is_refused_and_keeps_the_first(vault, vault_dir):
    with_email(vault)
    with pytest.raises(VaultExists):
        Vault(vault_dir).create("another long passphrase")
    again = Vault(vault_dir)
    again.unlock(PASSPHRASE)
    assert again.profile().emails[0].address == "someone@example.org"


def test_short_passphrase_is_refused(vault_dir):
    with pytest.raises(WeakPassphrase):
        Vault(vault_dir).create("short")
    assert Vault(vault_dir).state == "absent"


def test_lock_forgets_values_and_keys_until_unlocked(vault, clock):
    with_email(vault)
    closed = []
    vault.on_lock(lambda: closed.append(True))
    vault.lock()
    assert vault.state == "locked"
    assert closed == [True]
    for call in (lambda: vault.offers("email"), lambda: vault.subkey("ledger"), lambda: vault.profile()):
        with pytest.raises(VaultLocked):
            call()
    vault.unlock(PASSPHRASE)
    assert [o.value for o in vault.offers("email")] == ["someone@example.org"]


def test_a_sealer_handed_out_stops_working_when_the_vault_locks(vault):
    sealer = vault.sealer("decisions")
    blob = sealer.seal(b"standing decisions", b"decisions.db")
    assert sealer.open(blob, b"decisions.db") == b"standing decisions"
    vault.lock()
    with pytest.raises(VaultLocked):
        sealer.open(blob, b"decisions.db")


def test_wrong_passphrase_is_refused_and_changes_nothing(vault, vault_dir):
    with_email(vault)
    before = {p.name: p.read_bytes() for p in vault_dir.iterdir()}
    vault.lock()
    with pytest.raises(WrongPassphrase):
        vault.unlock("not the right passphrase")
    assert vault.state == "locked"
    assert {p.name: p.read_bytes() for p in vault_dir.iterdir()} == before


def test_auto_lock_after_idle_time(vault, clock):
    locked = []
    vault.on_lock(lambda: locked.append(True))
    clock.advance(599)
    assert vault.lock_if_idle() is False
    vault.touch()
    clock.advance(599)
    assert vault.lock_if_idle() is False
    assert vault.state == "unlocked"
    clock.advance(2)
    assert vault.lock_if_idle() is True
    assert vault.state == "locked"
    assert locked == [True]
    assert vault.lock_if_idle() is False  # already locked: nothing to do


def test_no_value_is_served_past_the_idle_deadline_even_before_the_periodic_check(vault, clock):
    with_email(vault)
    clock.advance(601)
    with pytest.raises(VaultLocked):
        vault.offers("email")
    assert vault.state == "locked"


def test_autolock_zero_means_never(vault_dir, clock):
    v = Vault(vault_dir, autolock_seconds=0, clock=clock)
    v.create(PASSPHRASE)
    clock.advance(10**9)
    assert v.lock_if_idle() is False
    assert v.state == "unlocked"


def test_change_passphrase_opens_with_the_new_one_only(vault, vault_dir):
    with_email(vault)
    key_before = (vault_dir / "key.json").read_bytes()
    fingerprint = vault.fingerprint("x")
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("a wrong old passphrase", "a brand new passphrase")
    assert (vault_dir / "key.json").read_bytes() == key_before
    vault.change_passphrase(PASSPHRASE, "a brand new passphrase")
    assert vault.state == "unlocked"
    other = Vault(vault_dir)
    with pytest.raises(WrongPassphrase):
        other.unlock(PASSPHRASE)
    other.unlock("a brand new passphrase")
    assert other.profile().emails[0].address == "someone@example.org"
    # The data key is kept, so stores keyed from it (the ledger) stay readable and fingerprints stable.
    assert other.fingerprint("x") == fingerprint


def test_subkeys_differ_per_purpose_and_per_vault(vault, tmp_path):
    assert len(vault.subkey("ledger")) == 32
    assert vault.subkey("ledger") != vault.subkey("decisions")
    assert vault.subkey("ledger") == vault.subkey("ledger")
    other = Vault(tmp_path / "other")
    other.create(PASSPHRASE)
    assert other.subkey("ledger") != vault.subkey("ledger")


def test_fingerprint_is_keyed_and_stable(vault, tmp_path):
    import hashlib

    fp = vault.fingerprint("ada@example.org")
    assert fp == vault.fingerprint("ada@example.org")
    assert fp != vault.fingerprint("ada@example.net")
    assert fp != hashlib.sha256(b"ada@example.org").hexdigest()  # not guessable without the key
    assert len(fp) == 64


def test_another_process_writing_the_profile_is_seen(vault, vault_dir):
    with_email(vault, "first@example.org")
    cli = Vault(vault_dir)
    cli.unlock(PASSPHRASE)
    with_email(cli, "second@example.org")
    assert [o.value for o in vault.offers("email")] == ["second@example.org"]
