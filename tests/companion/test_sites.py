"""companion/sites.py: which pages a standing "always" may fill without asking.

The cases are shared with the extension's test of its own rule (tests/extension/background/page-info.test.mjs),
so the approval window's warning and the companion's auto-fill cannot drift apart.
"""

import json
from pathlib import Path

import pytest

from companion.sites import local, portless, trustworthy

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "trustworthy-origins.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["origin"] or "(empty)" for c in CASES])
def test_trustworthy_follows_the_shared_table(case: dict) -> None:
    assert trustworthy(case["origin"]) is case["trustworthy"], case["why"]


@pytest.mark.parametrize(
    ("site", "stale"),
    [
        ("127.0.0.1", True),  # as site_of named local addresses before they had a port
        ("::1", True),
        ("192.168.1.20", True),
        ("localhost", True),
        ("127.0.0.1:8088", False),
        ("[::1]:8000", False),
        ("localhost:80", False),
        ("example.co.uk", False),
        ("", False),
    ],
)
def test_portless_finds_local_sites_named_before_they_had_a_port(site: str, stale: bool) -> None:
    assert portless(site) is stale


@pytest.mark.parametrize(
    ("site", "is_local"),
    [
        ("127.0.0.1:8088", True),
        ("[::1]:8000", True),
        ("localhost:80", True),
        ("127.0.0.1", True),  # bare, as named before sites had a port
        ("localhost", True),
        ("example.co.uk", False),
        ("0.1", False),  # what site_of makes of a dotted name under a numeric top-level label: a domain
    ],
)
def test_local_sites_are_addresses_and_single_label_hosts(site: str, is_local: bool) -> None:
    assert local(site) is is_local
