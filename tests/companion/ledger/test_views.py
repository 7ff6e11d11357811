"""The read side the dashboard uses: filters, paging, per-site summaries, the grid, search, activity, staleness."""

from datetime import date

import pytest

from companion.ledger.model import Decision
from companion.ledger.requests import build_request

from .conftest import HOSTILE, T0, at, make_draft


@pytest.fixture
def history(ledger):
    """A small, known history: two shops and a newsletter, over three weeks."""
    plan = [
        (0, "alpha.example", Decision.ONCE, (("email", "e1", "fp-e1"), ("tel", "t1", "fp-t1")), "checkout"),
        (1, "alpha.example", Decision.DECLINED, (("bday", None, None),), "loyalty-signup"),
        (2, "beta.example", Decision.ALWAYS, (("email", "e1", "fp-e1"),), "newsletter"),
        (8, "beta.example", Decision.UNTICKED, (("tel", "t1", None),), "newsletter"),
        (9, "alpha.example", Decision.ONCE, (("email", "e2", "fp-e2"),), "checkout"),
        (20, "gamma.example", Decision.NEVER, (("email", None, None),), "checkout"),
        (33, "beta.example", Decision.ONCE, (("postal-code", "a1", "fp-a1"),), "checkout"),
    ]
    return [
        ledger.append(make_draft(site, decision=decision, fields=fields, purpose=purpose), now=at(day))
        for day, site, decision, fields, purpose in plan
    ]


def seqs(page):
    return [e.seq for e in page.items]


def test_query_is_newest_first_with_total_and_paging(ledger, history):
    page = ledger.query(limit=3)
    assert seqs(page) == [7, 6, 5] and page.total == 7
    assert seqs(ledger.query(offset=3, limit=3)) == [4, 3, 2]
    assert seqs(ledger.query(offset=6, limit=3)) == [1]
    assert ledger.query(offset=50).items == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"site": "alpha.example"}, [5, 2, 1]),
        ({"site": "nobody.example"}, []),
        ({"field_type": "email"}, [6, 5, 3, 1]),
        ({"field_type": "tel", "site": "beta.example"}, [4]),
        ({"purpose": "newsletter"}, [4, 3]),
        ({"decision": Decision.ONCE}, [7, 5, 1]),
        ({"decision": "never"}, [6]),
        ({"since": at(8)}, [7, 6, 5, 4]),
        ({"until": at(8)}, [3, 2, 1]),
        ({"since": date(2026, 1, 6), "until": date(2026, 1, 13)}, [4, 3, 2]),
        ({"site": "alpha.example", "decision": "once", "since": at(5)}, [5]),
    ],
)
def test_query_filters(ledger, history, filters, expected):
    page = ledger.query(**filters)
    assert seqs(page) == expected
    assert page.total == len(expected)


def test_query_rejects_bad_paging_and_naive_times(ledger, history):
    with pytest.raises(ValueError):
        ledger.query(limit=5000)
    with pytest.raises(ValueError):
        ledger.query(offset=-1)
    with pytest.raises(ValueError, match="time zone"):
        ledger.query(since=T0.replace(tzinfo=None))


def test_sites(ledger, history):
    by_site = {s.site: s for s in ledger.sites()}
    assert [s.site for s in ledger.sites()] == ["beta.example", "gamma.example", "alpha.example"]
    alpha = by_site["alpha.example"]
    assert (alpha.entries, alpha.released, alpha.refused) == (3, 2, 1)
    assert alpha.first_seen == history[0].time and alpha.last_seen == history[4].time
    assert alpha.field_types == ("email", "tel")  # the declined bday is not "given"
    assert by_site["gamma.example"].field_types == ()
    assert by_site["beta.example"].field_types == ("email", "postal-code")


def test_one_site(ledger, history):
    assert ledger.site("alpha.example") == {s.site: s for s in ledger.sites()}["alpha.example"]
    assert ledger.site("nobody.example") is None
    ledger.append(make_draft("alpha.example", fields=(("bday", "b1", "fp-b1"),)), now=at(40))
    alpha = ledger.site("alpha.example")  # kept current by appends
    assert (alpha.entries, alpha.released, alpha.field_types) == (4, 3, ("bday", "email", "tel"))


def test_who_knows_what(ledger, history):
    grid = ledger.who_knows_what()
    assert grid.field_types == ("email", "postal-code", "tel")
    assert [r.site for r in grid.rows] == ["alpha.example", "beta.example"]  # gamma got nothing
    alpha = grid.rows[0]
    assert alpha.times == (2, 0, 1)
    assert alpha.last_given == (history[4].time, None, history[0].time)
    assert grid.rows[1].times == (1, 1, 0)  # beta: email (always), postal-code; the unticked tel is not given


def test_search_fingerprint_finds_the_sites_that_got_a_value(ledger, history):
    found = ledger.search_fingerprint("fp-e1")
    assert [(e.site, e.seq) for e in found] == [("beta.example", 3), ("alpha.example", 1)]
    assert ledger.search_fingerprint("fp-t1") == [history[0]]  # the unticked offer of t1 released nothing
    assert ledger.search_fingerprint("unknown") == []


def test_activity_buckets(ledger, history):
    days = ledger.activity("day")
    assert days[0] == (date(2026, 1, 5), 1, 0) and days[1] == (date(2026, 1, 6), 0, 1)
    assert sum(r for _, r, _ in days) == 4 and sum(x for _, _, x in days) == 3
    assert ledger.activity("week") == [
        (date(2026, 1, 5), 2, 1),  # days 0-2: once, declined, always
        (date(2026, 1, 12), 1, 1),  # days 8, 9
        (date(2026, 1, 19), 0, 1),  # day 20
        (date(2026, 2, 2), 1, 0),  # day 33
    ]
    assert ledger.activity("month") == [(date(2026, 1, 1), 3, 3), (date(2026, 2, 1), 1, 0)]
    with pytest.raises(ValueError):
        ledger.activity("year")


def test_entry_by_id(ledger, history):
    assert ledger.entry(history[2].id) == history[2]
    assert ledger.entry("no-such-id") is None


def test_stale_values(ledger, history):
    current = {"e1": "fp-e1", "e2": "fp-e2-changed", "t1": "fp-t1"}  # e2 changed, a1 removed
    stale = ledger.stale(current)
    assert [(s.site, s.value_id, s.removed) for s in stale] == [
        ("alpha.example", "e2", False),
        ("beta.example", "a1", True),
    ]
    assert stale[0].entry_id == history[4].id and stale[0].given == history[4].time
    assert ledger.stale({"e1": "fp-e1", "e2": "fp-e2", "t1": "fp-t1", "a1": "fp-a1"}) == []


def test_stale_values_given_in_one_entry_are_listed_in_value_order(ledger):
    # However the index was built (line by line, or merged from segment summaries), one order: the
    # values one entry gave a site are listed by their id, not in the order the entry named them.
    fields = (("tel", "v-tel", "fp-tel"), ("email", "v-email", "fp-email"), ("bday", "v-bday", "fp-bday"))
    ledger.append(make_draft("gamma.example", fields=fields), now=at(50))
    stale = ledger.stale({})
    assert [(s.site, s.value_id) for s in stale if s.site == "gamma.example"] == [
        ("gamma.example", "v-bday"),
        ("gamma.example", "v-email"),
        ("gamma.example", "v-tel"),
    ]


def test_disclosures_are_every_release_to_the_site_oldest_first(ledger, history):
    assert [e.seq for e in ledger.disclosures("alpha.example")] == [1, 5]  # not the declined #2
    assert [e.seq for e in ledger.disclosures("beta.example")] == [3, 7]  # not the unticked #4
    assert ledger.disclosures("gamma.example") == [] and ledger.disclosures("nobody.example") == []


def test_disclosures_read_back_what_a_request_lists_exactly(ledger, history):
    hostile = ledger.append(make_draft("alpha.example", label=HOSTILE, path="/\ud800" + HOSTILE), now=at(40))
    found = ledger.disclosures("alpha.example")
    for disclosure, entry in zip(found, [history[0], history[4], hostile], strict=True):
        assert (disclosure.seq, disclosure.site, disclosure.time, disclosure.purpose) == (
            entry.seq,
            entry.site,
            entry.time,
            entry.purpose,
        )
        assert disclosure.origin + disclosure.path == entry.origin + entry.path
        assert [(f.type, f.label) for f in disclosure.fields] == [(f.type, f.label) for f in entry.fields]
        assert disclosure.released
    request = build_request("access", "alpha.example", ledger, today=date(2026, 3, 1))
    assert request.disclosures == 3 and HOSTILE in request.body  # the shop's own labels, as they were
