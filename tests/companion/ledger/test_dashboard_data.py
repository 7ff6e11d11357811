"""The dashboard's ledger data functions, without HTTP: filters, paging links, the chart, search and staleness."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from companion.dashboard.ledger_views import (
    PAGE_SIZE,
    activity_chart,
    grid_data,
    request_data,
    search_data,
    site_data,
    stale_data,
    timeline_data,
)
from companion.ledger.model import Decision

from .conftest import HOSTILE, at, make_draft


@dataclass
class Offer:
    value_id: str
    value: str


class FakeVault:
    """What the views ask of the vault: current offers per token, and keyed fingerprints."""

    def __init__(self, values):
        self.values = values  # token -> [(value_id, value)]

    def offers(self, token):
        return [Offer(v, x) for v, x in self.values.get(token, [])]

    def fingerprint(self, value):
        return f"fp:{value}"

    def profile(self):
        return type("Profile", (), {"memberships": []})()


def test_timeline_pages_and_keeps_filters_in_its_links(ledger):
    for i in range(PAGE_SIZE + 5):
        ledger.append(make_draft(HOSTILE if i % 2 else "plain.example"), now=at(i))
    data = timeline_data(ledger, {"site": HOSTILE, "page": "1"})
    assert data["total"] == 27 and data["pages"] == 1 and data["next"] is None
    everything = timeline_data(ledger, {})
    assert everything["pages"] == 2 and everything["previous"] is None
    query = parse_qs(urlsplit(everything["next"]).query)
    assert query == {"page": ["2"]}
    second = timeline_data(ledger, {"page": "2", "decision": "once"})
    assert len(second["entries"]) == 5
    link = timeline_data(ledger, {"site": HOSTILE, "decision": "once"})["entries"][0]["site_link"]
    assert parse_qs(urlsplit(link).query)["site"] == [HOSTILE]  # encoded, and decodes back exactly


def test_timeline_names_bad_filters_and_ignores_them(ledger):
    ledger.append(make_draft(), now=at(0))
    data = timeline_data(ledger, {"decision": "maybe", "since": "yesterday", "until": "2026-13-40", "page": "x"})
    assert data["total"] == 1 and data["page"] == 1
    assert [e.split(":")[0] for e in data["errors"]] == ["decision", "since", "until"]


def test_activity_chart_stacks_and_scales():
    chart = activity_chart([(date(2026, 1, 1), 8, 2), (date(2026, 2, 1), 0, 5)], width=200, height=120)
    first, second = chart["bars"]
    assert chart["peak"] == 10
    assert first["released_h"] == 80.0 and first["refused_h"] == 20.0  # (120 - 20) px for the peak
    assert first["refused_y"] + first["refused_h"] == first["released_y"]
    assert second["released_h"] == 0 and second["refused_h"] == 50.0
    assert activity_chart([])["bars"] == []


def test_grid_site_search_and_stale(ledger):
    ledger.append(make_draft("a.example", fields=(("email", "e1", "fp:old@example.org"),)), now=at(0))
    ledger.append(make_draft("b.example", fields=(("email", "e1", "fp:new@example.org"),)), now=at(1))
    ledger.append(make_draft("b.example", decision=Decision.DECLINED), now=at(2))
    vault = FakeVault({"email": [("e1", "new@example.org")]})

    grid = grid_data(ledger)
    assert grid["field_types"] == ("email",)
    assert [(r["site"], r["cells"][0][0]) for r in grid["rows"]] == [("a.example", 1), ("b.example", 1)]

    found = search_data(ledger, vault, "  new@example.org ")
    assert [s["site"] for s in found["sites"]] == ["b.example"]
    assert search_data(ledger, vault, "   ")["searched"] is False

    stale = stale_data(ledger, vault)["stale"]
    assert [(s["item"].site, s["item"].removed) for s in stale] == [("a.example", False)]

    site = site_data(ledger, "b.example", [], {})
    assert site["summary"].released == 1 and site["summary"].refused == 1
    assert site["total"] == 2 and [e["entry"].seq for e in site["entries"]] == [3, 2]
    assert site_data(ledger, "nobody.example", [], {})["summary"] is None

    request = request_data(ledger, "b.example", {"kind": "erasure", "to": "dpo@b.example"})
    assert request["request"].kind == "erasure" and request["request"].disclosures == 1
    assert request["mailto"].startswith("mailto:dpo@b.example?") and request["mailto_short"] is False
    bad = request_data(ledger, "b.example", {"to": "not an address"})
    assert bad["mailto_error"] and bad["mailto"] is None and bad["kind"] == "access"
    assert request_data(ledger, "b.example", {"kind": "<script>"})["request"].kind == "access"


def test_timeline_shows_damage_found_on_open(folder, key):
    from companion.ledger import disk
    from companion.ledger.store import Ledger

    ledger = Ledger.open(folder, key, segment_entries=3)
    for i in range(5):
        ledger.append(make_draft(), now=at(i))
    ledger.close()
    lines = disk.segment_path(folder, 1).read_bytes().splitlines(keepends=True)
    disk.segment_path(folder, 1).write_bytes(lines[0] + lines[2])
    ledger = Ledger.open(folder, key, segment_entries=3)
    try:
        data = timeline_data(ledger, {})
        assert data["problem"].kind == "deleted" and data["total"] == 1
    finally:
        ledger.close()


def test_a_site_page_is_paged_and_reads_no_more_than_its_page(ledger, monkeypatch):
    """A busy shop's page costs one page of entries: it neither lists nor reads back the rest (at 100,000
    entries, building the request texts on every view made the busiest site's page the slowest view)."""
    for i in range(PAGE_SIZE + 7):
        ledger.append(make_draft(HOSTILE, path=f"/step-{i}"), now=at(i))
    ledger.append(make_draft("other.example"), now=at(99))
    read = []
    real_read = ledger._read
    monkeypatch.setattr(ledger, "_read", lambda row: (read.append(row.seq), real_read(row))[1])
    monkeypatch.setattr(ledger, "disclosures", lambda *a, **k: pytest.fail("the site page built a request"))

    first = site_data(ledger, HOSTILE, [], {})
    assert len(read) == PAGE_SIZE and len(first["entries"]) == PAGE_SIZE
    assert (first["total"], first["page"], first["pages"], first["previous"]) == (PAGE_SIZE + 7, 1, 2, None)
    assert [e["entry"].seq for e in first["entries"]][:2] == [PAGE_SIZE + 7, PAGE_SIZE + 6]  # newest first
    assert "request" not in first and "mailto" not in first
    query = parse_qs(urlsplit(first["next"]).query)
    assert urlsplit(first["next"]).path == "/ledger/site" and query == {"site": [HOSTILE], "page": ["2"]}

    second = site_data(ledger, HOSTILE, [], {"page": "2"})
    assert [e["entry"].seq for e in second["entries"]] == list(range(7, 0, -1)) and second["next"] is None
    assert parse_qs(urlsplit(second["previous"]).query) == {"site": [HOSTILE], "page": ["1"]}
    assert site_data(ledger, HOSTILE, [], {"page": "nonsense"})["page"] == 1

    for kind, link in first["request_links"].items():  # the requests have their own page, built on demand
        assert urlsplit(link).path == "/ledger/site/request"
        assert parse_qs(urlsplit(link).query) == {"site": [HOSTILE], "kind": [kind]}


def test_a_site_request_lists_every_disclosure_to_the_site(ledger):
    for i in range(PAGE_SIZE + 5):
        ledger.append(make_draft("a.example", path=f"/step-{i}"), now=at(i))
    ledger.append(make_draft("a.example", decision=Decision.DECLINED, path="/refused"), now=at(PAGE_SIZE + 9))
    ledger.append(make_draft("b.example", path="/elsewhere"), now=at(PAGE_SIZE + 10))
    for kind, article in (("access", "Article 15"), ("erasure", "Article 17")):
        data = request_data(ledger, "a.example", {"kind": kind})
        request = data["request"]
        assert data["kind"] == kind and request.kind == kind and article in request.body
        assert request.disclosures == PAGE_SIZE + 5  # more than one page of them: all, not the newest page
        lines = [line for line in request.body.splitlines() if line.startswith("- ")]
        assert lines == [
            f"- {at(i).strftime('%Y-%m-%d %H:%M')} UTC, on https://www.a.example/step-{i}, for checkout: "
            "email (“Email”)"
            for i in range(PAGE_SIZE + 5)
        ]  # each time, oldest first, with its page; not the refusal, not another site
        assert data["mailto"] is None and data["mailto_short"] is False
        assert parse_qs(urlsplit(data["site_link"]).query) == {"site": ["a.example"]}

    long = request_data(ledger, "a.example", {"kind": "erasure", "to": "dpo@a.example"})
    assert long["mailto_short"] is True  # too long for a mail link: the link carries the summary
    body = parse_qs(urlsplit(long["mailto"]).query)["body"][0]
    assert body == long["request"].short_body and f"email: {PAGE_SIZE + 5} times" in body

    nothing = request_data(ledger, "nobody.example", {})["request"]
    assert nothing.disclosures == 0 and "no data given to nobody.example" in nothing.body
