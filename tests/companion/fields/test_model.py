"""The model file: what is read, and what is refused with a clear error rather than half-loaded."""

from __future__ import annotations

import pytest

from companion.fields.classify import understand
from companion.fields.model import LinearModel, ModelFileError, load_model
from companion.protocol.messages import FillRequestPayload

ORIGIN = "https://shop.example"


def linear(classes=("none", "email", "tel"), weights=None, threshold=0.5) -> dict:
    return {
        "format": 1,
        "classes": list(classes),
        "bias": [0.0] * len(classes),
        "threshold": threshold,
        "weights": weights or {},
    }


@pytest.mark.parametrize(
    "data",
    [
        {**linear(), "format": 2},
        {**linear(), "bias": [0.0]},  # one bias for three classes
        linear(weights={"h:email": [[9, 1.0]]}),  # a class index the file does not have
    ],
)
def test_a_malformed_model_file_is_refused_with_a_clear_error(data):
    with pytest.raises(ModelFileError):
        LinearModel.from_json(data)


def test_an_unreadable_model_file_says_which_file(tmp_path):
    path = tmp_path / "weights.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"weights\.json"):
        load_model.__wrapped__(path)


def test_the_threshold_decides_between_a_type_and_nothing():
    page = FillRequestPayload.model_validate(
        {
            "page": {"url": ORIGIN + "/", "top_origin": ORIGIN, "frame_origin": ORIGIN},
            "forms": [{"index": 0}],
            "fields": [{"index": 0, "form_index": 0, "tag": "input", "type": "email", "name": "a"}],
        }
    )
    weights = {"type:email": [[1, 3.0]]}  # softmax e^3 / (e^3 + 2): about 0.91
    assert understand(page, LinearModel.from_json(linear(weights=weights, threshold=0.9))).fields[0].type == "email"
    assert understand(page, LinearModel.from_json(linear(weights=weights, threshold=0.95))).fields[0].type is None


def test_the_shipped_weights_load_and_name_real_tokens():
    model = load_model()
    assert 0 < model.threshold < 1
    assert {"email", "postal-code", "given-name", "none"} <= set(model.classes)


def test_the_rules_own_kinds_carry_no_weight():
    # "sign-in" decides a form's purpose; weighed, it taught the model to call a sign-in's email box a
    # username (tools/train_fields.py leaves such features out of every training row).
    from companion.fields.features import is_weighed
    from companion.fields.vocabulary import RULE_ONLY_KINDS

    weighed = [f for f in load_model().weights if f.rpartition(":")[2] in RULE_ONLY_KINDS]
    assert weighed == []
    assert not is_weighed("form:sign-in") and not is_weighed("prev:stay-signed-in") and is_weighed("h:email")
