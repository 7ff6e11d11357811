"""Exports (CSV, JSON Lines), the Kantara consent receipt, and the requests to shops."""

import csv
import io
import json
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import pytest

from companion.ledger.chain import GENESIS, entry_hash
from companion.ledger.export import CSV_COLUMNS, write_csv, write_jsonl
from companion.ledger.model import Decision
from companion.ledger.receipt import NotADisclosure, consent_receipt
from companion.ledger.requests import MAILTO_BODY_LIMIT, build_request, mailto_link

from .conftest import HOSTILE, at, make_draft
from .receipt_schemas import published, validate_receipt


@pytest.fixture
def entries(ledger):
    return [
        ledger.append(make_draft("alpha.example", fields=(("email", "e1", "fp1"), ("tel", "t1", "fp2"))), now=at(0)),
        ledger.append(make_draft("alpha.example", decision=Decision.DECLINED, label=HOSTILE), now=at(1)),
        ledger.append(make_draft(HOSTILE, label='=HYPERLINK("http://evil.example")', purpose="newsletter"), now=at(2)),
        ledger.append(make_draft("alpha.example", decision=Decision.ALWAYS, purpose="loyalty-signup"), now=at(3)),
    ]


def test_jsonl_is_the_exact_record_and_the_chain_rechecks(ledger, entries):
    out = io.StringIO()
    assert write_jsonl(ledger.entries(), out) == 4
    documents = [json.loads(line) for line in out.getvalue().splitlines()]
    assert documents == [e.model_dump(mode="json") for e in entries]
    previous = GENESIS
    for document in documents:  # anyone can re-check the chain from the export alone
        assert document["prev_hash"] == previous and entry_hash(document) == document["hash"]
        previous = document["hash"]
    assert documents[2]["site"] == HOSTILE


def test_csv_has_one_row_per_entry_and_neutralises_formulas(ledger, entries):
    out = io.StringIO()
    assert write_csv(ledger.entries(), out) == 4
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 5
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["field_types"] == "email | tel" and first["value_ids"] == "e1 | t1"
    assert first["hash"] == entries[0].hash and first["decision"] == "once"
    third = dict(zip(CSV_COLUMNS, rows[3], strict=True))
    assert third["site"] == HOSTILE  # markup is data: kept as is
    assert third["field_labels"] == '\'=HYPERLINK("http://evil.example")'  # but never a live formula


def test_receipt_is_valid_against_the_v1_1_schema(entries):
    receipt = consent_receipt(entries[0], [], jurisdiction="GB", principal_id="ada@example.org")
    validate_receipt(receipt)
    assert receipt["consentReceiptID"] == entries[0].id
    assert receipt["consentTimestamp"] == int(at(0).timestamp())
    assert receipt["piiControllers"][0]["piiController"] == "alpha.example"
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["piiCategory"] == ["email", "tel"] and purpose["purpose"] == "checkout"
    assert purpose["purposeCategory"] == ["Contracted Service"]
    standing = consent_receipt(entries[3], [])
    validate_receipt(standing)
    assert (
        "standing decision" in standing["collectionMethod"]
        and "revokes" in standing["services"][0]["purposes"][0]["termination"]
    )
    validate_receipt(consent_receipt(entries[2], []))  # hostile strings stay valid JSON strings


def test_the_schema_check_itself_catches_a_broken_receipt(entries):
    receipt = consent_receipt(entries[0], [])
    del receipt["piiControllers"][0]["piiController"]
    with pytest.raises(jsonschema.ValidationError):
        validate_receipt(receipt)
    receipt = consent_receipt(entries[0], [])
    receipt["consentTimestamp"] = entries[0].time
    with pytest.raises(jsonschema.ValidationError):
        validate_receipt(receipt)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda r: r.pop("spiCat"),  # required by the published schema only
        lambda r: r["services"][0]["purposes"][0].pop("thirdPartyDisclosure"),
        lambda r: r["services"][0]["purposes"][0].update(thirdPartyDisclosure=True),  # true needs a name
        lambda r: r["services"][0].pop("service"),
        lambda r: r["piiControllers"][0].pop("phone"),
    ],
)
def test_the_published_schema_itself_rejects_what_the_specification_forbids(entries, breakage):
    receipt = consent_receipt(entries[0], [])
    jsonschema.Draft4Validator(published()).validate(receipt)
    breakage(receipt)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(published()).validate(receipt)


def test_no_receipt_for_a_refusal(entries):
    with pytest.raises(NotADisclosure, match="declined"):
        consent_receipt(entries[1], [])


@pytest.mark.parametrize(("kind", "article"), [("access", "Article 15"), ("erasure", "Article 17")])
def test_requests_list_exactly_what_was_given_and_when(ledger, entries, kind, article):
    request = build_request(
        kind, "alpha.example", ledger, name="Ada", contact="ada@example.org", today=date(2026, 3, 1)
    )
    assert request.disclosures == 2  # the declined entry and the other site are not listed
    assert article in request.body and "CCPA" in request.body
    assert "alpha.example" in request.subject
    assert (
        "- 2026-01-05 09:00 UTC, on https://www.alpha.example/checkout, for checkout: email (“Email”), tel (“Email”)"
        in request.body
    )
    assert (
        "- 2026-01-08 09:00 UTC, on https://www.alpha.example/checkout, for loyalty-signup: email (“Email”)"
        in request.body
    )
    assert HOSTILE not in request.body
    assert "Ada" in request.body and "ada@example.org" in request.body and "2026-03-01" in request.body
    assert "- email: 2 times, first 2026-01-05, last 2026-01-08" in request.short_body
    assert "- tel: 1 time, first 2026-01-05, last 2026-01-05" in request.short_body


def test_request_for_a_site_that_got_nothing_says_so(ledger, entries):
    request = build_request("access", "nobody.example", ledger)
    assert request.disclosures == 0 and "no data given to nobody.example" in request.body


def test_mailto_link_round_trips_and_falls_back_to_the_summary(ledger, entries):
    request = build_request("erasure", "alpha.example", ledger)
    link = mailto_link("privacy@alpha.example", request)
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and unquote(parts.path) == "privacy@alpha.example"
    query = parse_qs(parts.query)
    assert query["subject"] == [request.subject] and query["body"] == [request.body]
    many = [ledger.append(make_draft("alpha.example"), now=at(10 + i)) for i in range(40)]
    long_request = build_request("access", "alpha.example", ledger)
    assert long_request.disclosures == 2 + len(many)
    long_link = mailto_link("privacy@alpha.example", long_request)
    assert parse_qs(urlsplit(long_link).query)["body"] == [long_request.short_body]
    assert len(long_link) < MAILTO_BODY_LIMIT + 400
    for bad in ("", "x@y\r\nBcc: z@w", "no-at-sign", "a@b?cc=c@d"):
        with pytest.raises(ValueError):
            mailto_link(bad, request)
