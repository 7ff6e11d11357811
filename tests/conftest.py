"""Suite-wide rules. In CI (CI=true) nothing may skip: a skipped end-to-end test is a failed one."""

import os

import pytest

IN_CI = os.environ.get("CI") == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and IN_CI and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # A whole module can skip while it is collected (pytest.importorskip at its top): the same rule.
    outcome = yield
    report = outcome.get_result()
    if report.skipped and IN_CI:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"
