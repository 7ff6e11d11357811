import pytest

from tests.e2e.harness import Proffer, free_port, shop_server

ROOT_FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def person(tmp_path):
    """A fresh Proffer: data dir with a vault made from tests/fixtures/person.vcf, host registered."""
    person = Proffer.create(tmp_path)
    person.create_vault(ROOT_FIXTURES / "person.vcf")
    person.install_host()
    return person


@pytest.fixture(scope="session")
def shop(tmp_path_factory):
    import os

    with shop_server(free_port(), dict(os.environ)) as base:
        yield base
