import pytest

from tests.e2e import framework_pages
from tests.e2e.harness import Proffer, free_port, shop_server

ROOT_FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser_name():
    """The browser the person's native host is registered for; a test module may override it."""
    return "chromium"


@pytest.fixture
def person(tmp_path, browser_name):
    """A fresh Proffer: data dir with a vault made from tests/fixtures/person.vcf, host registered."""
    person = Proffer.create(tmp_path)
    person.create_vault(ROOT_FIXTURES / "person.vcf")
    person.install_host(browser_name)
    return person


@pytest.fixture(scope="session")
def shop(tmp_path_factory):
    import os

    with shop_server(free_port(), dict(os.environ)) as base:
        yield base


@pytest.fixture(scope="module")
def fixture_server():
    """The framework fixture pages, with the frameworks from node_modules under /vendor/."""
    with framework_pages.serve() as base:
        yield base
