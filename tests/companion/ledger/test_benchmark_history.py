"""The ledger benchmark's synthetic history exercises what a ledger in use holds: among its decisions, the
fill reports' corrections of both kinds, each a valid "undelivered" entry that the index applies."""

import random

from benchmarks.ledger import FIELD_TYPES, START, History

from .conftest import at


def test_the_benchmark_history_holds_corrections_of_values_and_of_boxes(ledger):
    history = History(random.Random(6), [f"shop{i}.example" for i in range(5)], {t: [] for t in FIELD_TYPES})
    for i in range(1500):
        draft, when = history.next(at(i / 100), before_change=False)
        history.appended(ledger.append(draft, now=when))
    kinds = history.kinds
    assert sum(kinds.values()) == len(ledger) == 1500
    assert kinds["field corrections"] > 20 and kinds["box corrections"] > 5  # a few percent of the entries
    assert ledger.query(decision="undelivered").total == kinds["field corrections"] + kinds["box corrections"]
    sites = ledger.sites()
    assert sum(s.not_taken for s in sites) == kinds["field corrections"]  # each names a release, once
    assert sum(s.boxes_not_done for s in sites) == kinds["box corrections"]
    assert ledger.query(limit=1).items[0].moment >= START
