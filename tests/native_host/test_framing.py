"""Frame reading and writing on in-memory streams: every way a frame can end or overflow."""

from __future__ import annotations

import io
import json
import struct
import sys

import pytest

from native_host.framing import (
    DISCARD_LIMIT,
    MAX_MESSAGE_BYTES,
    FrameError,
    FrameTooLarge,
    TruncatedFrame,
    decode_message,
    encode_frame,
    read_frame,
    write_frame,
)


def stream(*frames: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(b"".join(frames)))


def test_length_is_four_bytes_in_native_byte_order():
    framed = encode_frame(b'{"a":1}')
    assert framed[:4] == (7).to_bytes(4, sys.byteorder)
    assert framed[:4] == struct.pack("=I", 7)
    assert framed[4:] == b'{"a":1}'


def test_frames_round_trip_in_order_then_clean_eof():
    out = io.BytesIO()
    bodies = [b"{}", json.dumps({"v": 1, "id": "x", "text": "ünïcødé"}).encode(), b'{"k":"' + b"q" * 70000 + b'"}']
    for body in bodies:
        write_frame(out, body)
    source = stream(out.getvalue())
    assert [read_frame(source) for _ in bodies] == bodies
    assert read_frame(source) is None


@pytest.mark.parametrize("prefix", [b"\x01", b"\x01\x00", b"\x01\x00\x00"])
def test_input_ending_inside_the_length_is_truncated(prefix):
    with pytest.raises(TruncatedFrame, match="length prefix"):
        read_frame(stream(prefix))


def test_input_ending_inside_the_body_is_truncated():
    with pytest.raises(TruncatedFrame, match="3 of 10 bytes"):
        read_frame(stream(struct.pack("=I", 10) + b"abc"))


def test_oversized_frame_is_discarded_so_the_next_one_reads():
    big = encode_frame(b"x" * (MAX_MESSAGE_BYTES + 1))
    source = stream(big, encode_frame(b'{"next":true}'))
    with pytest.raises(FrameTooLarge) as caught:
        read_frame(source)
    assert caught.value.code == "too_large"
    assert caught.value.length == MAX_MESSAGE_BYTES + 1
    assert caught.value.discarded is True
    assert read_frame(source) == b'{"next":true}'


def test_frame_exactly_at_the_cap_is_accepted():
    body = b"y" * MAX_MESSAGE_BYTES
    assert read_frame(stream(encode_frame(body))) == body


def test_absurd_length_is_not_read_through():
    source = stream(struct.pack("=I", DISCARD_LIMIT + 1), b"rest")
    with pytest.raises(FrameTooLarge) as caught:
        read_frame(source)
    assert caught.value.discarded is False
    assert source.read() == b"rest"  # nothing was consumed trying to skip it


def test_oversized_frame_cut_short_is_not_discarded():
    with pytest.raises(FrameTooLarge) as caught:
        read_frame(stream(struct.pack("=I", MAX_MESSAGE_BYTES + 10), b"only a little"))
    assert caught.value.discarded is False


def test_decode_accepts_a_json_object():
    assert decode_message('{"v":1,"id":"é"}'.encode()) == {"v": 1, "id": "é"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xc3\x28{}", "not UTF-8"),
        ('{"a": 1}'.encode("utf-16"), "not UTF-8"),
        (b"{'single': 'quotes'}", "not JSON"),
        (b"", "not JSON"),
        (b'"a string"', "not an object"),
        (b"null", "not an object"),
    ],
)
def test_decode_refuses_what_is_not_a_utf8_json_object(body, message):
    with pytest.raises(FrameError, match=message) as caught:
        decode_message(body)
    assert caught.value.code == "bad_frame"
