"""`proffer fields` without a browser: the line it prints per page, the table, and its errors."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest

from companion.commands import fields as command
from companion.protocol.messages import FieldDescriptor, FillRequestPayload, PageInfo

PAGE = PageInfo(
    url="http://127.0.0.1:8000/join", top_origin="http://127.0.0.1:8000", frame_origin="http://127.0.0.1:8000"
)


@dataclass(frozen=True)
class Seen:
    index: int
    type: str | None
    label: str
    reason: str | None


@dataclass(frozen=True)
class Understood:
    purpose: str
    fields: list[Seen]


def fake_understand(payload: FillRequestPayload) -> Understood:
    types = {"email": "email", "pw": "current-password", "ghost": "email"}
    return Understood(
        purpose="account-signup",
        fields=[Seen(f.index, types.get(f.name), f.name.title(), f"name '{f.name}'") for f in payload.fields],
    )


def payload() -> FillRequestPayload:
    return FillRequestPayload(
        page=PAGE,
        fields=[
            FieldDescriptor(index=0, tag="input", type="email", name="email", id="e", form_index=0),
            FieldDescriptor(index=1, tag="input", type="password", name="pw", form_index=0),
            FieldDescriptor(
                index=2,
                tag="input",
                type="email",
                name="ghost",
                form_index=0,
                visible=False,
                hidden_reason="display:none",
            ),
            FieldDescriptor(index=3, tag="input", type="text", name="misc", form_index=0),
        ],
    )


@dataclass(frozen=True)
class FakeResult:
    target: str
    payload: FillRequestPayload | None
    frames: tuple = ()
    error: str | None = None
    status: int | None = None


def test_one_json_line_per_page_in_the_issues_shape():
    report = command.page_report(FakeResult("join.html", payload()), fake_understand, frozenset())
    line = json.loads(command.to_json_line(report))
    assert list(line) == ["page", "purpose", "fields"]
    assert line["page"] == "join.html" and line["purpose"] == "account-signup"
    assert line["fields"] == [
        {"index": 0, "id": "e", "name": "email", "type": "email", "fillable": True, "reason": "name 'email'"},
        {"index": 1, "id": "", "name": "pw", "type": "current-password", "fillable": False, "reason": "password"},
        {
            "index": 2,
            "id": "",
            "name": "ghost",
            "type": "email",
            "fillable": False,
            "reason": "fishing: hidden second email (display:none)",
        },
        {"index": 3, "id": "", "name": "misc", "type": None, "fillable": False, "reason": "no type"},
    ]


def test_an_http_error_page_is_flagged_in_the_table_only():
    result = FakeResult("http://127.0.0.1:1/x", payload(), status=404)
    report = command.page_report(result, fake_understand, frozenset())
    out = io.StringIO()
    command.print_table(report, out)
    assert "the server answered HTTP 404" in out.getvalue()
    assert list(json.loads(command.to_json_line(report))) == ["page", "purpose", "fields"]


def test_a_page_that_could_not_be_read_is_an_error_line():
    report = command.page_report(
        FakeResult("gone.html", None, error="gone.html: no such file"), fake_understand, frozenset()
    )
    assert json.loads(command.to_json_line(report)) == {"page": "gone.html", "error": "gone.html: no such file"}


def test_the_table_shows_every_control_with_its_verdict():
    report = command.page_report(FakeResult("join.html", payload()), fake_understand, frozenset())
    out = io.StringIO()
    command.print_table(report, out)
    text = out.getvalue()
    assert "purpose: account-signup; 4 controls, 1 fillable" in text
    rows = [line.split() for line in text.splitlines()[3:7]]
    assert [(row[0], row[1]) for row in rows] == [("0", "yes"), ("1", "no"), ("2", "no"), ("3", "no")]
    assert "fishing: hidden second email" in text


def test_a_missing_classifier_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_classifier(name, *args, **kwargs):
        if name == "companion.fields.classify":
            raise ImportError("No module named 'companion.fields.classify'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_classifier)
    with pytest.raises(SystemExit, match=r"field classifier .* is not available yet"):
        command.load_understand()


def test_the_cli_registers_the_command():
    from companion.cli import build_parser

    args = build_parser().parse_args(["fields", "a.html", "b.html", "--json", "--approve-frame", "http://127.0.0.1:1"])
    assert (args.pages, args.json, args.approve_frame, args.func) == (
        ["a.html", "b.html"],
        True,
        ["http://127.0.0.1:1"],
        command.run,
    )
