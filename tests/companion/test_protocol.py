"""The protocol is defined once: the docs, the generated JS and the handler table must agree with it."""

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from companion.handlers import HANDLERS
from companion.protocol import ERROR_CODES, MESSAGE_TYPES, Answer, ErrorCode, Request, jsgen
from companion.protocol.messages import FieldDescriptor, FillRequestPayload

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_MD = (ROOT / "PROTOCOL.md").read_text(encoding="utf-8")


def documented_examples() -> dict[str, list[dict]]:
    """Message type -> the JSON blocks under its `### \\`type\\`` heading."""
    sections = re.split(r"^### `([a-z]+\.[a-z]+)`\s*$", PROTOCOL_MD, flags=re.M)
    found = {}
    for name, body in zip(sections[1::2], sections[2::2], strict=True):
        found[name] = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", body, flags=re.S)]
    return found


def test_generated_js_matches_the_models():
    on_disk = jsgen.OUTPUT.read_text(encoding="utf-8")
    assert on_disk == jsgen.render(), "extension/shared/protocol.js drifted: run python -m companion.protocol.jsgen"


def test_every_message_type_has_a_handler_and_nothing_else_does():
    assert set(HANDLERS) == set(MESSAGE_TYPES)


def test_every_message_type_is_documented_with_a_request_and_an_answer():
    examples = documented_examples()
    assert set(examples) == set(MESSAGE_TYPES)
    for name, blocks in examples.items():
        assert len(blocks) == 2, f"{name}: expected a request and an answer example"


@pytest.mark.parametrize("name", sorted(MESSAGE_TYPES))
def test_documented_examples_parse_against_the_models(name):
    request, answer = documented_examples()[name]
    envelope = Request.model_validate(request)
    assert envelope.type == name
    MESSAGE_TYPES[name].payload.model_validate(envelope.payload)
    parsed = Answer.model_validate(answer)
    assert parsed.ok and parsed.id == envelope.id
    MESSAGE_TYPES[name].result.model_validate(parsed.result)


def test_every_error_code_is_in_the_documented_table():
    table = set(re.findall(r"^\| `([a-z_]+)` \|", PROTOCOL_MD, flags=re.M))
    assert {code.value for code in ErrorCode} <= table
    assert set(ERROR_CODES) == set(ErrorCode)


def test_models_refuse_unknown_keys_and_wrong_types():
    good = {"index": 0, "tag": "input"}
    FieldDescriptor.model_validate(good)
    with pytest.raises(ValidationError):
        FieldDescriptor.model_validate({**good, "value": "typed by the person"})  # no values on the wire
    with pytest.raises(ValidationError):
        FieldDescriptor.model_validate({**good, "index": "0"})  # strict: no coercion
    with pytest.raises(ValidationError):
        FieldDescriptor.model_validate({**good, "tag": "iframe"})


def test_fill_request_is_bounded():
    page = {"url": "https://a.example/", "top_origin": "https://a.example", "frame_origin": "https://a.example"}
    fields = [{"index": i, "tag": "input"} for i in range(2001)]
    with pytest.raises(ValidationError):
        FillRequestPayload.model_validate({"page": page, "fields": fields})
    with pytest.raises(ValidationError):
        FillRequestPayload.model_validate({"page": page, "fields": [{"index": 0, "tag": "input", "label": "x" * 2001}]})
