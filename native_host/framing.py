"""Native messaging frames: a 4-byte length in the machine's byte order, then that many bytes of UTF-8 JSON.

Both directions are capped at 1 MiB: Chromium refuses a host message above 1 MiB (and drops the port), and
nothing Proffer sends to the companion is anywhere near that, so the same cap inbound bounds memory.

Reading distinguishes what the caller must do next:

* a clean end of input (EOF before any byte of a frame) returns ``None``: the browser closed the port;
* an oversized length raises ``FrameTooLarge`` after discarding the body (when it is small enough to
  discard), so the stream stays in step and the next frame can be read;
* a length cut short, or a body cut short, raises ``TruncatedFrame``: the stream is gone, answer and stop.

Decoding (UTF-8, JSON, an object) is separate, so the raw bytes can be forwarded exactly as received.
"""

from __future__ import annotations

import sys

from native_host.fastjson import loads

# `typing` costs a few milliseconds of every browser connection; annotations only need it for checkers.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

MAX_MESSAGE_BYTES = 1024 * 1024
HEADER_BYTES = 4
# An oversized frame below this is read and thrown away so the connection survives; above it the length
# is more likely a stream out of step than a real message, and the host answers and stops instead.
DISCARD_LIMIT = 64 * MAX_MESSAGE_BYTES
_CHUNK = 64 * 1024


class FrameError(Exception):
    """A frame that cannot be used; ``code`` is the protocol error code to answer with."""

    code = "bad_frame"


class TruncatedFrame(FrameError):
    """The input ended inside a frame."""


class FrameTooLarge(FrameError):
    """A frame above the cap; ``discarded`` says whether its body was consumed (the stream is still usable)."""

    code = "too_large"

    def __init__(self, length: int, discarded: bool) -> None:
        self.length = length
        self.discarded = discarded
        super().__init__(f"a message of {length} bytes exceeds the {MAX_MESSAGE_BYTES}-byte cap")


def _read_exactly(stream: BinaryIO, count: int) -> bytes:
    """Read ``count`` bytes, fewer only at end of input (BufferedReader.read already loops)."""
    return stream.read(count) or b""


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's body, or None at a clean end of input."""
    header = _read_exactly(stream, HEADER_BYTES)
    if not header:
        return None
    if len(header) < HEADER_BYTES:
        raise TruncatedFrame(f"the input ended inside a length prefix ({len(header)} of {HEADER_BYTES} bytes)")
    length = int.from_bytes(header, sys.byteorder)
    if length > MAX_MESSAGE_BYTES:
        raise FrameTooLarge(length, discarded=length <= DISCARD_LIMIT and _discard(stream, length))
    body = _read_exactly(stream, length)
    if len(body) < length:
        raise TruncatedFrame(f"the input ended inside a message ({len(body)} of {length} bytes)")
    return body


def _discard(stream: BinaryIO, length: int) -> bool:
    remaining = length
    while remaining:
        chunk = stream.read(min(remaining, _CHUNK))
        if not chunk:
            return False
        remaining -= len(chunk)
    return True


def decode_message(body: bytes) -> dict:
    """The frame's JSON object; FrameError when it is not UTF-8, not JSON, or not an object."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError(f"the message is not UTF-8 (byte {exc.start})") from None
    try:
        message = loads(text)
    except ValueError as exc:
        raise FrameError(f"the message is not JSON ({exc})") from None
    if not isinstance(message, dict):
        raise FrameError(f"the message is JSON but not an object (got {type(message).__name__})")
    return message


def encode_frame(body: bytes) -> bytes:
    """A frame for ``body``; the caller has already checked it against the cap."""
    return len(body).to_bytes(HEADER_BYTES, sys.byteorder) + body


def write_frame(stream: BinaryIO, body: bytes) -> None:
    stream.write(encode_frame(body))
    stream.flush()
