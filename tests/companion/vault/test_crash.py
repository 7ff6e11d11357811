"""A process killed (SIGKILL) in the middle of writing leaves the old or the new state, never a broken one.

A real child process rewrites the vault in a loop and reports each completed write; the parent kills it at
a random moment and checks that the vault opens and holds the last reported state or the one after it.
"""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from companion.vault import Address, Email, Vault, VaultProfile
from tests.companion.vault.conftest import PASSPHRASE

OTHER_PASSPHRASE = "the other passphrase of the pair"

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from companion.vault import Address, Email, Vault, VaultProfile

    vault_dir, mode, passphrase, other = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    vault = Vault(vault_dir)
    vault.unlock(passphrase)
    # Big enough that a write takes a while, so kills often land inside one.
    addresses = [Address(lines=[f"{n} Long Street Name For Size"], city="Town") for n in range(50)]
    generation = 0
    print("ready", flush=True)
    while True:
        generation += 1
        if mode == "profile":
            vault.update(VaultProfile(emails=[Email(address=f"gen-{generation}@example.org")], addresses=addresses))
        else:
            old, new = (passphrase, other) if generation % 2 else (other, passphrase)
            vault.change_passphrase(old, new)
        print(generation, flush=True)
    """
)


def run_and_kill(vault_dir, mode, delay):
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(vault_dir), mode, PASSPHRASE, OTHER_PASSPHRASE],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    reported = [int(line) for line in child.stdout.read().split() if line.isdigit()]
    child.stdout.close()
    # Age what the killed write left behind, as if this were the next start a while later.
    for leftover in vault_dir.glob(".*.tmp"):
        os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    return reported[-1] if reported else 0


@pytest.fixture
def filled_vault(vault, vault_dir):
    vault.update(VaultProfile(emails=[Email(address="gen-0@example.org")], addresses=[Address(lines=["x"])]))
    vault.lock()
    return vault_dir


@pytest.mark.parametrize("seed", range(6))
def test_kill_during_profile_writes(filled_vault, seed):
    last = run_and_kill(filled_vault, "profile", random.Random(seed).uniform(0.05, 0.6))
    vault = Vault(filled_vault)
    vault.unlock(PASSPHRASE)
    on_disk = int(vault.profile().emails[0].address.removeprefix("gen-").removesuffix("@example.org"))
    assert on_disk in (last, last + 1)
    assert not list(filled_vault.glob(".*.tmp"))  # leftovers of the killed write are swept on unlock


@pytest.mark.parametrize("seed", range(3))
def test_kill_during_passphrase_changes(filled_vault, seed):
    run_and_kill(filled_vault, "passphrase", random.Random(seed).uniform(0.2, 1.5))
    # Whether the change in flight landed or not, exactly one of the two passphrases opens the vault,
    # and what it opens is intact.
    opened = []
    for candidate in (PASSPHRASE, OTHER_PASSPHRASE):
        vault = Vault(filled_vault)
        try:
            vault.unlock(candidate)
        except Exception:
            continue
        opened.append(candidate)
        assert vault.profile().emails[0].address == "gen-0@example.org"
    assert len(opened) == 1
    assert not list(filled_vault.glob(".*.tmp"))  # leftovers of the killed write are swept on unlock
