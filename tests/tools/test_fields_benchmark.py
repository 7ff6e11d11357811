"""benchmarks/fields.py's reading of page purposes against DuckDuckGo's page names."""

from __future__ import annotations

from benchmarks.fields import purpose_agreement


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
