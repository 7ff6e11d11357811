"""companion/sites.py: which pages a standing "always" may fill without asking.

The cases are shared with the extension's test of its own rule (tests/extension/background/page-info.test.mjs),
so the approval window's warning and the companion's auto-fill cannot drift apart.
"""

import json
from pathlib import Path

import pytest

from companion.sites import trustworthy

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "trustworthy-origins.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["origin"] or "(empty)" for c in CASES])
def test_trustworthy_follows_the_shared_table(case: dict) -> None:
    assert trustworthy(case["origin"]) is case["trustworthy"], case["why"]
