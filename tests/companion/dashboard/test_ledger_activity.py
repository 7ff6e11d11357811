"""The timeline's activity chart: a bar says what was shared and refused that month, and a month with neither
(only corrections from fill reports, or a release whose page took nothing) has no bar."""

import re
from datetime import UTC, datetime

from tests.companion.dashboard.test_security import login
from tests.companion.ledger.conftest import make_draft, make_undelivered
from tests.companion.test_native_api import unlocked

EMAIL_TEL = (("email", "e1", "fp-e1"), ("tel", "t1", "fp-t1"))


async def activity(companion) -> str:
    """The timeline's activity section, as the dashboard serves it."""
    await login(companion)
    timeline = await (await companion.get("/ledger")).text()
    start = timeline.index('id="activity"')
    return timeline[start : timeline.index("</section>", start)]


def bars(section: str) -> list[str]:
    return re.findall(r"<title>(.*?)</title>", section)


async def test_a_month_of_corrections_only_has_no_bar(companion):
    ledger = (await unlocked(companion)).ledger
    # Released just before midnight at the end of January; the page's report comes after it, in February.
    late = ledger.append(make_draft(fields=EMAIL_TEL), now=datetime(2026, 1, 31, 23, 59, 50, tzinfo=UTC))
    ledger.append(make_undelivered(late, 1), now=datetime(2026, 2, 1, 0, 0, 5, tzinfo=UTC))
    # In March, a release whose page took nothing: nothing was shared that month.
    gone = ledger.append(make_draft(fields=EMAIL_TEL), now=datetime(2026, 3, 10, 12, tzinfo=UTC))
    ledger.append(make_undelivered(gone, 0, 1, reason="document_gone"), now=datetime(2026, 3, 10, 12, 0, 1, tzinfo=UTC))
    section = await activity(companion)
    assert bars(section) == ["Jan 2026: 1 shared, 0 refused"]
    assert section.count('<g class="bar">') == 1


async def test_a_ledger_of_corrections_only_says_nothing_was_shared_or_refused(companion):
    ledger = (await unlocked(companion)).ledger
    gone = ledger.append(make_draft(fields=EMAIL_TEL), now=datetime(2026, 3, 10, 12, tzinfo=UTC))
    ledger.append(make_undelivered(gone, 0, 1, reason="document_gone"), now=datetime(2026, 3, 10, 12, 0, 1, tzinfo=UTC))
    section = await activity(companion)
    assert "<svg" not in section
    assert '<p class="muted" id="activity-none">Nothing shared or refused yet.</p>' in section
