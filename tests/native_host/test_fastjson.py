"""The host's JSON agrees with the json package on what is JSON and what it means."""

from __future__ import annotations

import json

import pytest

from native_host import fastjson

VALID = [
    "{}",
    '{"v":1,"id":"m-1","type":"system.ping","payload":{}}',
    '  {"nested": {"list": [1, 2.5, -3e2, true, false, null, "x"]}}\n',
    '{"unicode": "é 漢字 \\u00e9 \\ud83d\\ude00", "escapes": "\\"\\\\\\/\\b\\f\\n\\r\\t"}',
    '[1, "two", {"three": 3}]',
    '"just a string"',
    "42",
    '{"dup": 1, "dup": 2}',
    '{"big": 123456789012345678901234567890}',
]
INVALID = [
    "",
    "   ",
    "{not json",
    "{'single': 1}",
    '{"a": 1,}',
    '{"a": 1} trailing',
    '{"a": "unterminated',
    '{"a": NaN}',
    '{"a": Infinity}',
    '{"a": -Infinity}',
    '{"a": "control \x01 char"}',
    "[1, 2",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_documents_parse_as_the_json_package_parses_them(text):
    assert fastjson.loads(text) == json.loads(text)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_documents_are_refused_with_a_value_error(text):
    with pytest.raises(ValueError):
        fastjson.loads(text)


def test_error_messages_give_a_position_not_the_input():
    with pytest.raises(ValueError) as caught:
        fastjson.loads('{"secret": "ada@example.org" oops}')
    assert "ada@example.org" not in str(caught.value)
    assert "character" in str(caught.value)


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(ValueError):
        fastjson.loads("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("text", ["plain", 'quote " and \\ backslash', "new\nline", "é 漢字", "\x00\x1f"])
def test_quote_round_trips_through_the_json_package(text):
    assert json.loads(fastjson.quote(text)) == text


def test_dumps_is_compact_and_keeps_utf8():
    assert fastjson.dumps({"a": [1, "é"]}) == '{"a":[1,"é"]}'
