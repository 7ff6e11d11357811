import pytest

from companion.vault import Vault

PASSPHRASE = "correct horse battery staple"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def vault_dir(tmp_path):
    return tmp_path / "data" / "vault"


@pytest.fixture
def vault(vault_dir, clock):
    """A new, unlocked vault with the shipped KDF parameters and a hand-moved clock."""
    v = Vault(vault_dir, autolock_seconds=600, clock=clock)
    v.create(PASSPHRASE)
    return v
