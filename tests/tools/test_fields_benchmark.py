"""benchmarks/fields.py's reading of page purposes against DuckDuckGo's page names, and what the
classification benchmark says without a corpus."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.fields import purpose_agreement

CLASSIFY_BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "fields_classify.py"


def test_page_names_that_say_a_purpose_are_compared_and_others_are_not():
    purposes = {
        "ddg-test-forms/etsy_signup.html": "account-signup",
        "ddg-test-forms/cnbc_signup.html": "login",
        "ddg-test-forms/example_com_login.html": "login",
        "ddg-test-forms/shop_checkout.html": "billing",
        "ddg-test-forms/bank_change-password.html": "account-signup",  # a name that is not read
        "ddg-test-forms/contact.html": "other",  # no purpose in the name
        "firefox-ai-form-autofill/training/EN_login.html": "checkout",  # not DuckDuckGo's naming
    }
    found = purpose_agreement(purposes)
    assert found["signup"] == {"pages": 2, "agree": 1, "otherwise": {"login": 1}}
    assert found["login"] == {"pages": 1, "agree": 1, "otherwise": {}}
    assert found["checkout"] == {"pages": 1, "agree": 0, "otherwise": {"billing": 1}}
    assert found["newsletter"] == {"pages": 0, "agree": 0, "otherwise": {}}


def test_the_classify_benchmark_says_where_the_corpus_is_missing(tmp_path):
    missing = tmp_path / "forms"
    done = subprocess.run(
        [
            sys.executable,
            str(CLASSIFY_BENCHMARK),
            "--corpus",
            str(missing),
            "--descriptors",
            str(tmp_path / "none.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"no corpus pages under {missing}" in done.stderr
    assert "Traceback" not in done.stderr
