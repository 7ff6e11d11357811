"""Values are shaped for the box that will hold them, in the companion, before anyone sees them."""

import pytest

from companion.boxes import Box, as_entered, stand_ins
from companion.protocol.messages import FieldDescriptor


def descriptor(**overrides) -> FieldDescriptor:
    return FieldDescriptor.model_validate({"index": 0, "tag": "input", "type": "text", **overrides})


def test_a_one_line_box_gets_the_lines_joined_and_a_textarea_keeps_them():
    lines = "12 Marker Lane\n  \nFlat 3 "
    assert as_entered(lines, Box(one_line=True)) == "12 Marker Lane, Flat 3"
    assert as_entered(lines, Box(one_line=False)) == lines


@pytest.mark.parametrize(("limit", "entered"), [(None, "ada@example.org"), (15, "ada@example.org"), (14, None)])
def test_a_value_longer_than_the_box_is_refused_not_cut(limit, entered):
    assert as_entered("ada@example.org", Box(one_line=True, limit=limit)) == entered


def test_the_limit_applies_to_the_value_as_joined():
    assert as_entered("12 Marker Lane\nFlat 3", Box(one_line=True, limit=21)) is None
    assert as_entered("12 Marker Lane\nFlat 3", Box(one_line=False, limit=21)) == "12 Marker Lane\nFlat 3"


@pytest.mark.parametrize(
    ("overrides", "box"),
    [
        ({}, Box(one_line=True)),
        ({"maxlength": 40}, Box(one_line=True, limit=40)),
        ({"maxlength": 0}, Box(one_line=True)),  # no limit, as the content script reads it too
        ({"tag": "textarea", "type": "textarea", "maxlength": 300}, Box(one_line=False, limit=300)),
    ],
)
def test_a_box_is_read_from_the_field_descriptor(overrides, box):
    assert Box.of(descriptor(**overrides)) == box


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("tel", ("tel", "tel-national")),
        ("shipping mobile tel", ("shipping mobile tel", "shipping mobile tel-national")),
        ("tel-national", ("tel-national",)),  # already the short form
        ("email", ("email",)),  # an address has no shorter form that is still right
        ("billing street-address", ("billing street-address",)),
    ],
)
def test_only_a_phone_number_has_a_stand_in(token, expected):
    assert stand_ins(token) == expected
