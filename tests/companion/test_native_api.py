"""The native endpoint at the protocol level: every check before the handler, every enforcement rule of
the fill flow. No browser here: these are the messages a forged or broken client could send."""

import io

import pytest

from companion.appkeys import CORE
from companion.decisions import Choice
from tests.companion.conftest import PASSPHRASE, VCARD

PAGE = {
    "url": "https://shop.example.co.uk/checkout?session=abc",
    "top_origin": "https://shop.example.co.uk",
    "frame_origin": "https://shop.example.co.uk",
    "title": "Checkout",
}
FIELDS = [
    {
        "index": 0,
        "form_index": 0,
        "tag": "input",
        "type": "email",
        "name": "email",
        "id": "email",
        "autocomplete": "email",
        "label": "Email address",
    },
    {
        "index": 1,
        "form_index": 0,
        "tag": "input",
        "type": "text",
        "name": "fname",
        "id": "fname",
        "autocomplete": "given-name",
        "label": "First name",
    },
    {
        "index": 2,
        "form_index": 0,
        "tag": "input",
        "type": "text",
        "name": "lname",
        "id": "lname",
        "autocomplete": "family-name",
        "label": "Last name",
    },
    {
        "index": 3,
        "form_index": 0,
        "tag": "input",
        "type": "tel",
        "name": "phone",
        "id": "phone",
        "autocomplete": "tel",
        "label": "Phone",
    },
    {
        "index": 4,
        "form_index": 0,
        "tag": "input",
        "type": "email",
        "name": "email2",
        "id": "email2",
        "autocomplete": "email",
        "label": "",
        "visible": False,
        "hidden_reason": "display:none",
    },
]
FORMS = [{"index": 0, "heading": "Your details", "submit_text": "Continue to payment", "field_count": 5}]


async def post(client, body, *, token=True, headers=None, raw=None):
    all_headers = {"Authorization": f"Bearer {client.token}"} if token else {}
    all_headers.update(headers or {})
    if raw is not None:
        response = await client.post("/native", data=raw, headers=all_headers)
    else:
        response = await client.post("/native", json=body, headers=all_headers)
    return response.status, await response.json()


def message(type_, payload=None, id_="t-1"):
    return {"v": 1, "id": id_, "type": type_, "payload": payload or {}}


async def unlocked(companion):
    core = companion.app[CORE]
    core.create(PASSPHRASE)
    core.vault.import_vcard(VCARD)
    return core


# --- the checks before any handler ------------------------------------------------------------------


async def test_ping_answers_with_version_and_vault_state(companion):
    status, answer = await post(companion, message("system.ping", id_="p-1"))
    assert status == 200 and answer["ok"] and answer["id"] == "p-1"
    assert answer["result"]["vault"] == "absent" and answer["result"]["protocol"] == 1
    assert answer["result"]["dashboard"] == f"http://127.0.0.1:{companion.port}/"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc", "Bearer "])
async def test_wrong_or_missing_token_is_refused(companion, data_dir, header):
    headers = {"Authorization": header} if header else {}
    status, answer = await post(companion, message("vault.unlock", {"passphrase": "x"}), token=False, headers=headers)
    assert status == 401 and answer["error"]["code"] == "unauthorized"
    assert not data_dir.vault_dir.exists() and not data_dir.ledger_dir.exists()


async def test_a_browser_page_cannot_use_the_native_endpoint_even_with_the_token(companion):
    status, answer = await post(companion, message("system.ping"), headers={"Origin": "https://evil.example"})
    assert status == 401 and answer["error"]["code"] == "unauthorized"


async def test_oversize_message_is_refused(companion):
    oversize = io.BytesIO(b"{" + b" " * (1024 * 1024 + 1) + b"}")
    status, answer = await post(companion, None, raw=oversize, headers={"Content-Type": "application/json"})
    assert status == 413 and answer["error"]["code"] == "too_large"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "bad_request"),
        (b"[1, 2]", "bad_request"),
        (b'{"v": 1, "id": "x", "type": "system.ping", "payload": {}, "extra": 1}', "bad_request"),
        (b'{"v": 2, "id": "x", "type": "system.ping", "payload": {}}', "unsupported_version"),
        (b'{"v": 1, "id": "x", "type": "vault.steal", "payload": {}}', "unknown_type"),
        (b'{"v": 1, "id": "x", "type": "vault.unlock", "payload": {"passphrase": 5}}', "bad_request"),
        (b'{"v": 1, "id": "x", "type": "system.ping", "payload": {"surprise": true}}', "bad_request"),
    ],
)
async def test_malformed_messages_get_a_clear_error_and_nothing_is_stored(companion, data_dir, body, code):
    status, answer = await post(companion, None, raw=body, headers={"Content-Type": "application/json"})
    assert status == 400 and answer["ok"] is False and answer["error"]["code"] == code
    assert answer["error"]["message"]
    assert not data_dir.vault_dir.exists() and not data_dir.ledger_dir.exists()


async def test_validation_errors_do_not_echo_the_passphrase(companion):
    body = message("vault.unlock", {"passphrase": "hunter2-secret", "remember": True})
    _, answer = await post(companion, body)
    assert answer["error"]["code"] == "bad_request" and "hunter2-secret" not in answer["error"]["message"]


async def test_wrong_host_header_is_refused(companion):
    response = await companion.post(
        "/native",
        json=message("system.ping"),
        headers={"Authorization": f"Bearer {companion.token}", "Host": "evil.example"},
    )
    assert response.status == 421


# --- the vault through the protocol --------------------------------------------------------------------


async def test_fill_request_without_a_vault_says_so(companion):
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": FIELDS}))
    assert answer["error"]["code"] == "vault_absent"


async def test_locked_vault_answers_vault_locked_and_wrong_passphrase_changes_nothing(companion):
    core = await unlocked(companion)
    core.lock()
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": FIELDS}))
    assert answer["error"]["code"] == "vault_locked"
    _, answer = await post(companion, message("vault.unlock", {"passphrase": "not it"}))
    assert answer["error"]["code"] == "wrong_passphrase"
    _, answer = await post(companion, message("vault.unlock", {"passphrase": PASSPHRASE}))
    assert answer["result"]["state"] == "unlocked"
    _, answer = await post(companion, message("vault.lock"))
    assert answer["result"]["state"] == "locked"


# --- the fill flow's enforcement --------------------------------------------------------------------


async def request_fill(companion):
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": FIELDS}))
    assert answer["ok"], answer
    return answer["result"]


def offer_for(result, index):
    field = next(f for f in result["fields"] if f["index"] == index)
    return field["offers"][0]["value_id"] if field["offers"] else None


async def test_offers_go_with_the_request_and_hidden_fields_get_none(companion):
    await unlocked(companion)
    result = await request_fill(companion)
    assert result["site"] == "example.co.uk" and result["needs_approval"]
    by_index = {f["index"]: f for f in result["fields"]}
    assert by_index[0]["offers"][0]["value"] == "ada.marker-7431@example.org" or any(
        o["value"] == "ada.marker-7431@example.org" for o in by_index[0]["offers"]
    )
    assert by_index[4]["fillable"] is False and by_index[4]["offers"] == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_dashboards_own_forms_get_no_offers_and_no_ledger_entry(companion, host):
    core = await unlocked(companion)
    origin = f"http://{host}:{companion.port}"
    page = {**PAGE, "url": f"{origin}/vault/edit", "top_origin": origin, "frame_origin": origin}
    _, answer = await post(companion, message("fill.request", {"page": page, "forms": FORMS, "fields": FIELDS}))
    assert answer["ok"], answer
    assert answer["result"]["fields"] == [] and not answer["result"]["needs_approval"]
    assert core.ledger.query(limit=5).total == 0


async def test_approve_releases_exactly_the_approved_fields_and_records_both_groups(companion):
    core = await unlocked(companion)
    result = await request_fill(companion)
    approvals = [{"index": i, "value_id": offer_for(result, i)} for i in (0, 1)]
    _, answer = await post(
        companion,
        message(
            "fill.approve",
            {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals},
        ),
    )
    assert answer["ok"], answer
    released = {v["index"]: v["value"] for v in answer["result"]["values"]}
    assert set(released) == {0, 1}
    assert released[1] == "Ada"
    page = core.ledger.query(limit=10)
    decisions = sorted(e.decision for e in page.items)
    assert decisions == ["once", "unticked"]
    once = next(e for e in page.items if e.decision == "once")
    assert {f.type for f in once.fields} == {"email", "given-name"}
    assert once.path == "/checkout" and once.site == "example.co.uk"  # no query string kept
    # Keyed fingerprints, never the values (a hex digest may hold "ada" by chance: compare whole values).
    assert all(f.fingerprint and f.fingerprint not in released.values() for f in once.fields)
    assert not any(value in f.fingerprint for value in released.values() for f in once.fields)
    unticked = next(e for e in page.items if e.decision == "unticked")
    assert {f.type for f in unticked.fields} == {"family-name", "tel"}


async def test_a_request_id_is_single_use(companion):
    await unlocked(companion)
    result = await request_fill(companion)
    body = {
        "request_id": result["request_id"],
        "frame_origin": PAGE["frame_origin"],
        "approvals": [{"index": 0, "value_id": offer_for(result, 0)}],
    }
    _, first = await post(companion, message("fill.approve", body))
    assert first["ok"]
    _, replay = await post(companion, message("fill.approve", body))
    assert replay["error"]["code"] == "unknown_request"


async def test_forged_request_id_and_wrong_frame_get_nothing(companion):
    core = await unlocked(companion)
    result = await request_fill(companion)
    approvals = [{"index": 0, "value_id": offer_for(result, 0)}]
    _, forged = await post(
        companion,
        message("fill.approve", {"request_id": "A" * 24, "frame_origin": PAGE["frame_origin"], "approvals": approvals}),
    )
    assert forged["error"]["code"] == "unknown_request"
    _, other_site = await post(
        companion,
        message(
            "fill.approve",
            {"request_id": result["request_id"], "frame_origin": "https://evil.example", "approvals": approvals},
        ),
    )
    assert other_site["error"]["code"] == "unknown_request"
    assert core.ledger.query(limit=10).total == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"index": 4, "value_id": "email:anything"},  # the hidden fishing field: never offered
        {"index": 99, "value_id": "email:anything"},  # not in the request at all
        "swap",  # a value offered for another field
    ],
)
async def test_approving_what_was_not_offered_releases_nothing(companion, bad):
    core = await unlocked(companion)
    result = await request_fill(companion)
    if bad == "swap":
        bad = {"index": 1, "value_id": offer_for(result, 0)}
    approvals = [{"index": 0, "value_id": offer_for(result, 0)}, bad]
    _, answer = await post(
        companion,
        message(
            "fill.approve",
            {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals},
        ),
    )
    assert answer["ok"] is False and answer["error"]["code"] == "not_offered"
    assert "result" not in answer or answer["result"] is None
    assert core.ledger.query(limit=10).total == 0


async def test_decline_records_a_refusal_and_voids_the_request(companion):
    core = await unlocked(companion)
    result = await request_fill(companion)
    _, answer = await post(
        companion,
        message(
            "fill.decline",
            {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "reason": "closed"},
        ),
    )
    assert answer["ok"] and answer["result"]["recorded"] == 4
    entries = core.ledger.query(limit=10).items
    assert [e.decision for e in entries] == ["declined"]
    _, late = await post(
        companion,
        message(
            "fill.approve",
            {
                "request_id": result["request_id"],
                "frame_origin": PAGE["frame_origin"],
                "approvals": [{"index": 0, "value_id": offer_for(result, 0)}],
            },
        ),
    )
    assert late["error"]["code"] == "unknown_request"


async def test_locking_voids_open_offers(companion):
    core = await unlocked(companion)
    result = await request_fill(companion)
    core.lock()
    core.unlock(PASSPHRASE)
    _, answer = await post(
        companion,
        message(
            "fill.approve",
            {
                "request_id": result["request_id"],
                "frame_origin": PAGE["frame_origin"],
                "approvals": [{"index": 0, "value_id": offer_for(result, 0)}],
            },
        ),
    )
    assert answer["error"]["code"] == "unknown_request"


async def test_a_page_seen_again_is_not_classified_again_but_a_changed_one_is(companion, monkeypatch):
    import companion.fill as fill

    await unlocked(companion)
    calls = []
    real = fill.understand
    monkeypatch.setattr(fill, "understand", lambda payload: calls.append(payload) or real(payload))
    first = await request_fill(companion)
    again = await request_fill(companion)
    assert len(calls) == 1 and first["fields"] == again["fields"] and first["request_id"] != again["request_id"]
    changed = [{**FIELDS[0], "label": "Work email"}, *FIELDS[1:]]
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": changed}))
    assert answer["ok"] and len(calls) == 2


async def test_settled_fields_are_neither_offered_nor_auto_filled_again(companion):
    core = await unlocked(companion)
    first = await request_fill(companion)
    email_value = offer_for(first, 0)
    core.decisions.set(first["site"], "email", Choice.ALWAYS, purpose=first["purpose"], value_id=email_value)
    again = await request_fill(companion)
    assert [v["index"] for v in again["autofilled"]] == [0]
    body = {"page": PAGE, "forms": FORMS, "fields": FIELDS, "settled": [0, 1]}
    _, answer = await post(companion, message("fill.request", body))
    settled = {f["index"]: f for f in answer["result"]["fields"]}
    assert answer["result"]["autofilled"] == []
    assert settled[0]["offers"] == [] and settled[1]["offers"] == [] and not settled[0]["fillable"]
    assert "already decided" in settled[1]["reason"]
    assert any(f["offers"] for i, f in settled.items() if i not in (0, 1))


async def test_a_house_number_box_gets_the_number_and_the_street_box_the_name(companion):
    """A shop that asks for street and house number apart gets each part, never the whole line twice."""
    core = await unlocked(companion)
    boxes = [("Straße", "strasse"), ("Hausnummer", "hausnummer"), ("PLZ", "plz"), ("Ort", "ort")]
    fields = [
        {"index": i, "form_index": 0, "tag": "input", "type": "text", "name": n, "id": n, "label": label}
        for i, (label, n) in enumerate(boxes)
    ]
    page = {**PAGE, "url": "https://shop.example.de/kasse", "top_origin": "https://shop.example.de"}
    page["frame_origin"] = page["top_origin"]
    forms = [{"index": 0, "heading": "Lieferadresse", "submit_text": "Weiter", "field_count": 4}]
    _, answer = await post(companion, message("fill.request", {"page": page, "forms": forms, "fields": fields}))
    result = answer["result"]
    by_index = {f["index"]: f for f in result["fields"]}
    assert (by_index[0]["type"], by_index[1]["type"]) == ("street-name", "house-number")
    assert [o["value"] for o in by_index[0]["offers"]] == ["Marker Lane"]
    assert [o["value"] for o in by_index[1]["offers"]] == ["12"]
    approvals = [{"index": i, "value_id": offer_for(result, i)} for i in (0, 1)]
    body = {"request_id": result["request_id"], "frame_origin": page["frame_origin"], "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    assert {v["index"]: v["value"] for v in answer["result"]["values"]} == {0: "Marker Lane", 1: "12"}
    once = next(e for e in core.ledger.query(limit=10).items if e.decision == "once")
    assert {f.type for f in once.fields} == {"shipping street-name", "shipping house-number"}


async def test_a_two_line_address_is_offered_and_released_on_one_line_for_a_one_line_box(companion):
    """What the person sees in the approval window is what the box gets, and what the ledger fingerprints."""
    core = await unlocked(companion)
    profile = core.vault.profile()
    moved = profile.addresses[0].model_copy(update={"lines": ["12 Marker Lane", "Flat 3"]})
    core.vault.update(profile.model_copy(update={"addresses": [moved]}))
    street = {"type": "text", "autocomplete": "street-address", "label": "Address", "name": "street"}
    fields = [  # the same box twice, in two forms: once a one-line input, once a textarea
        {**street, "index": 0, "form_index": 0, "tag": "input"},
        {**street, "index": 1, "form_index": 1, "tag": "textarea"},
    ]
    forms = [{"index": 0, "field_count": 1}, {"index": 1, "field_count": 1}]
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": forms, "fields": fields}))
    result = answer["result"]
    by_index = {f["index"]: f for f in result["fields"]}
    assert [o["value"] for o in by_index[0]["offers"]] == ["12 Marker Lane, Flat 3"]
    assert [o["value"] for o in by_index[1]["offers"]] == ["12 Marker Lane\nFlat 3"]
    approvals = [{"index": i, "value_id": offer_for(result, i)} for i in (0, 1)]
    body = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    released = {v["index"]: v["value"] for v in answer["result"]["values"]}
    assert released == {0: "12 Marker Lane, Flat 3", 1: "12 Marker Lane\nFlat 3"}
    once = next(e for e in core.ledger.query(limit=10).items if e.decision == "once")
    assert sorted(f.fingerprint for f in once.fields) == sorted(core.vault.fingerprint(v) for v in released.values())


async def test_a_value_longer_than_its_box_is_neither_offered_nor_filled(companion):
    """The page would refuse a value longer than the box's maxlength after the person approved it, and a
    cut email address is a wrong one: the companion leaves it out and says why. A value that just fits goes."""
    core = await unlocked(companion)
    free = await request_fill(companion)
    email, phone = (next(f for f in free["fields"] if f["index"] == i)["offers"][0] for i in (0, 3))
    core.decisions.set(free["site"], "email", Choice.ALWAYS, purpose=free["purpose"], value_id=email["value_id"])
    short = min(len(o["value"]) for o in next(f for f in free["fields"] if f["index"] == 0)["offers"]) - 1
    boxed = [{**FIELDS[0], "maxlength": short}, *FIELDS[1:3], {**FIELDS[3], "maxlength": len(phone["value"])}]
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": boxed}))
    result = answer["result"]
    by_index = {f["index"]: f for f in result["fields"]}
    assert result["autofilled"] == []
    assert by_index[0]["offers"] == [] and f"longer than this box allows ({short} characters)" in by_index[0]["reason"]
    assert [o["value"] for o in by_index[3]["offers"]] == [phone["value"]]
    _, again = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": FIELDS}))
    assert [v["index"] for v in again["result"]["autofilled"]] == [0]  # the standing decision still holds


async def test_a_phone_box_too_short_for_the_international_number_gets_the_national_one(companion):
    """A UK shop's box of 11 cannot hold +447700900431; it is offered 07700900431, the same phone, and a
    standing decision made on it fills that box next time."""
    core = await unlocked(companion)
    short_phone = [*FIELDS[:3], {**FIELDS[3], "maxlength": 11}]
    _, answer = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": short_phone}))
    result = answer["result"]
    phone = next(f for f in result["fields"] if f["index"] == 3)
    assert [o["value"] for o in phone["offers"]] == ["07700900431"]
    approvals = [{"index": 3, "value_id": offer_for(result, 3), "remember": True}]
    body = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    assert answer["result"]["values"] == [{"index": 3, "value": "07700900431"}]
    once = next(e for e in core.ledger.query(limit=10).items if e.decision == "once")
    assert [(f.type, f.fingerprint) for f in once.fields] == [("tel", core.vault.fingerprint("07700900431"))]
    _, again = await post(companion, message("fill.request", {"page": PAGE, "forms": FORMS, "fields": short_phone}))
    assert again["result"]["autofilled"] == [{"index": 3, "value": "07700900431"}]


# --- where a standing "always" may fill without asking ---------------------------------------------------


def page_at(origin, path="/checkout"):
    return {"url": origin + path, "top_origin": origin, "frame_origin": origin, "title": "Checkout"}


async def remember_email_at(companion, origin):
    """The person approves the email on `origin` with "always"; answers that first request's result."""
    page = page_at(origin)
    _, answer = await post(companion, message("fill.request", {"page": page, "forms": FORMS, "fields": FIELDS}))
    result = answer["result"]
    approvals = [{"index": 0, "value_id": offer_for(result, 0), "remember": True}]
    body = {"request_id": result["request_id"], "frame_origin": origin, "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    assert answer["ok"] and [v["index"] for v in answer["result"]["values"]] == [0], answer
    return result


async def fill_at(companion, origin):
    body = {"page": page_at(origin), "forms": FORMS, "fields": FIELDS}
    _, answer = await post(companion, message("fill.request", body))
    assert answer["ok"], answer
    return answer["result"]


async def test_an_always_given_over_https_does_not_fill_the_plain_http_page_without_asking(companion):
    """Someone on the person's network can send them to http://shop... and read what it is given."""
    core = await unlocked(companion)
    given = await remember_email_at(companion, "https://shop.example.co.uk")
    assert (await fill_at(companion, "https://shop.example.co.uk"))["autofilled"] != []  # the decision holds
    plain = await fill_at(companion, "http://shop.example.co.uk")
    assert plain["site"] == given["site"] == "example.co.uk"
    assert plain["autofilled"] == [] and plain["needs_approval"]
    assert offer_for(plain, 0) == offer_for(given, 0)  # asked in the window instead, with its http warning
    always = [e for e in core.ledger.query(limit=20).items if e.decision == "always"]
    assert [e.origin for e in always] == ["https://shop.example.co.uk"]


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8088", "http://localhost:8088", "http://[::1]:8088"])
async def test_an_always_on_a_loopback_http_page_fills_that_port_only(companion, origin):
    await unlocked(companion)
    given = await remember_email_at(companion, origin)
    assert given["site"] == origin.removeprefix("http://")
    assert [v["index"] for v in (await fill_at(companion, origin))["autofilled"]] == [0]
    other = await fill_at(companion, origin.replace("8088", "9999"))
    assert other["site"] == origin.removeprefix("http://").replace("8088", "9999")
    assert other["autofilled"] == [] and offer_for(other, 0) is not None


async def test_an_always_on_a_lan_address_neither_fills_another_port_nor_plain_http(companion):
    await unlocked(companion)
    given = await remember_email_at(companion, "http://192.168.1.20:8080")
    assert given["site"] == "192.168.1.20:8080"
    assert (await fill_at(companion, "http://192.168.1.20:8080"))["autofilled"] == []  # plain http, not loopback
    assert (await fill_at(companion, "http://192.168.1.20:9090"))["site"] == "192.168.1.20:9090"


# --- a page with forms for different purposes ---------------------------------------------------------


def _box(index, form, name, label, type_="text"):
    return {"index": index, "form_index": form, "tag": "input", "type": type_, "name": name, "label": label}


CHECKOUT_AND_NEWSLETTER = {
    "page": PAGE,
    "forms": [
        {"index": 0, "heading": "Delivery address", "submit_text": "Continue to payment"},
        {"index": 1, "heading": "Subscribe to our newsletter", "submit_text": "Subscribe"},
    ],
    "fields": [
        _box(0, 0, "email", "Email address", "email"),
        _box(1, 0, "first_name", "First name"),
        _box(2, 0, "last_name", "Last name"),
        _box(3, 0, "street", "Street address"),
        _box(4, 0, "postcode", "Postcode"),
        _box(5, 0, "city", "Town / City"),
        _box(6, 1, "newsletter_email", "Your email", "email"),
    ],
}


async def request_both(companion):
    _, answer = await post(companion, message("fill.request", CHECKOUT_AND_NEWSLETTER))
    assert answer["ok"], answer
    return answer["result"]


async def test_each_form_is_recorded_and_remembered_for_its_own_purpose(companion):
    # The footer's newsletter box beside a checkout: the ledger says which email went where, and a
    # standing "always" given at the checkout does not fill the newsletter box.
    core = await unlocked(companion)
    result = await request_both(companion)
    assert result["purpose"] == "checkout"  # the page's, as the approval window shows it
    assert [f["purpose"] for f in result["fields"]] == ["checkout"] * 6 + ["newsletter"]  # each field's form's
    approvals = [{"index": i, "value_id": offer_for(result, i), "remember": i == 0} for i in (0, 1, 6)]
    body = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    assert answer["ok"], answer
    once = {e.purpose: [f.type for f in e.fields] for e in core.ledger.query(decision="once").items}
    assert once == {"checkout": ["email", "shipping given-name"], "newsletter": ["email"]}
    unticked = [(e.purpose, [f.type for f in e.fields]) for e in core.ledger.query(decision="unticked").items]
    assert unticked == [
        ("checkout", [f"shipping {t}" for t in ("family-name", "street-address", "postal-code", "address-level2")])
    ]
    assert [(d.field_type, d.purpose) for d in core.decisions.list()] == [("email", "checkout")]

    again = await request_both(companion)
    assert [v["index"] for v in again["autofilled"]] == [0]
    assert offer_for(again, 6) is not None  # asked, not filled
    always = core.ledger.query(decision="always").items
    assert [(e.purpose, [f.type for f in e.fields]) for e in always] == [("checkout", ["email"])]


async def test_a_value_a_page_refused_is_taken_back_under_its_own_forms_purpose(companion):
    core = await unlocked(companion)
    result = await request_both(companion)
    approvals = [{"index": i, "value_id": offer_for(result, i)} for i in (0, 6)]
    body = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "approvals": approvals}
    _, answer = await post(companion, message("fill.approve", body))
    assert answer["ok"], answer
    refused = [{"index": 6, "reason": "field_changed"}]
    report = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "release": "once"}
    _, answer = await post(companion, message("fill.report", {**report, "filled": [0], "refused": refused}))
    assert answer["ok"] and answer["result"]["recorded"] == 1, answer.get("error")
    (undelivered,) = core.ledger.query(decision="undelivered").items
    newsletter = next(e for e in core.ledger.query(decision="once").items if e.purpose == "newsletter")
    assert undelivered.purpose == "newsletter" and undelivered.release_id == newsletter.id


async def test_declining_records_each_forms_fields_for_its_purpose(companion):
    core = await unlocked(companion)
    result = await request_both(companion)
    body = {"request_id": result["request_id"], "frame_origin": PAGE["frame_origin"], "reason": "declined"}
    _, answer = await post(companion, message("fill.decline", body))
    assert answer["ok"] and answer["result"]["recorded"] == 7, answer
    declined = {e.purpose: len(e.fields) for e in core.ledger.query(decision="declined").items}
    assert declined == {"checkout": 6, "newsletter": 1}
