"""The native messaging host: check the caller, then relay each framed envelope to the companion.

The browser starts this process for each native port (the launcher written by ``proffer install-host``
calls ``main`` with the data dir, the interpreter and the allowed extension ids baked in) and talks to it
over stdin/stdout until it closes the port (EOF on stdin).

Design notes
------------
* **stdout carries frames and nothing else.** Any stray byte there makes Chromium drop the port ("Error
  when communicating with the native messaging host"). ``main`` keeps a private duplicate of fd 1 for
  frames and points fd 1 itself at stderr, so a stray ``print`` or a child's output cannot corrupt the
  stream. Diagnostics go to stderr (the browser's log), and never contain a message's contents: envelopes
  carry personal values.
* **The caller.** Chromium passes ``chrome-extension://<id>/`` as the first argument; Firefox passes the
  manifest path and then the add-on id. Anything else is answered ``forbidden_origin``, message by message,
  without ever touching the companion or the token. The host manifest's allowed_origins already limits who
  can start us; this second check covers a manifest edited or copied by someone else.
* **Envelopes are forwarded as received.** The host only checks that a frame is a UTF-8 JSON object (to
  answer ``bad_frame`` itself) and reads its ``id`` for the answers it makes; the companion validates the
  rest. Answers are checked the other way: UTF-8 JSON, within the 1 MiB a browser accepts.
* **One message at a time.** The companion's handlers never wait on the person (approval is its own
  message), so a sequential relay keeps order simple and a round trip short.
"""

from __future__ import annotations

import os
import sys

from native_host.fastjson import dumps, loads, quote
from native_host.framing import MAX_MESSAGE_BYTES, FrameError, FrameTooLarge, decode_message, read_frame, write_frame
from native_host.link import CompanionLink, LinkError

PROTOCOL_VERSION = 1
CHROMIUM_ORIGIN_PREFIX = "chrome-extension://"

# The codes this host answers with itself; each must be in companion/protocol/errors.py (a test checks).
BAD_FRAME = "bad_frame"
TOO_LARGE = "too_large"
FORBIDDEN_ORIGIN = "forbidden_origin"
COMPANION_UNAVAILABLE = "companion_unavailable"
UNAUTHORIZED = "unauthorized"
INTERNAL_ERROR = "internal_error"
HOST_ERROR_CODES = (BAD_FRAME, TOO_LARGE, FORBIDDEN_ORIGIN, COMPANION_UNAVAILABLE, UNAUTHORIZED, INTERNAL_ERROR)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import BinaryIO


def log(message: str) -> None:
    try:
        sys.stderr.write(f"proffer native host [{os.getpid()}]: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # no stderr left to complain to


def identify_caller(argv: Sequence[str], chromium_ids: Sequence[str], gecko_ids: Sequence[str]) -> str | None:
    """Which browser family started us for a pinned extension ("chromium" or "firefox"), or None."""
    if len(argv) >= 1 and argv[0].startswith(CHROMIUM_ORIGIN_PREFIX):
        origin = argv[0]
        extension_id = origin[len(CHROMIUM_ORIGIN_PREFIX) :].rstrip("/")
        if origin == f"{CHROMIUM_ORIGIN_PREFIX}{extension_id}/" and extension_id in chromium_ids:
            return "chromium"
        return None
    if len(argv) >= 2 and argv[1] in gecko_ids:
        return "firefox"
    return None


def error_answer(message_id: str | None, code: str, message: str) -> bytes:
    """An answer envelope with ``ok: false``, in the shape of companion/protocol/envelope.py."""
    quoted_id = "null" if message_id is None else quote(message_id)
    return (
        f'{{"v":{PROTOCOL_VERSION},"id":{quoted_id},"ok":false,'
        f'"error":{{"code":{quote(code)},"message":{quote(message)}}}}}'
    ).encode()


def message_id_of(message: dict) -> str | None:
    """The envelope's id when it is one the extension can match (a short string); else None."""
    candidate = message.get("id")
    if isinstance(candidate, str) and 0 < len(candidate) <= 64:
        return candidate
    return None


def relay(link: CompanionLink, body: bytes, message_id: str | None) -> bytes:
    """The companion's answer to ``body``, checked for the browser; or an error answer of our own."""
    try:
        status, answer = link.exchange(body)
    except LinkError as exc:
        return error_answer(message_id, exc.code, exc.message)
    try:
        decoded = loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        decoded = None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("ok"), bool):
        return error_answer(
            message_id,
            COMPANION_UNAVAILABLE,
            f"the companion's port answered HTTP {status} without a Proffer answer envelope",
        )
    if decoded.get("id") is None and message_id is not None:
        # The companion answers some refusals (a wrong token, an oversized body) before it has read an id;
        # over this one-request-one-answer link the answer is this message's, so let the extension match it.
        decoded["id"] = message_id
        answer = dumps(decoded).encode("utf-8")
    if len(answer) > MAX_MESSAGE_BYTES:
        return error_answer(
            message_id,
            TOO_LARGE,
            f"the companion's answer ({len(answer)} bytes) exceeds native messaging's {MAX_MESSAGE_BYTES}-byte cap",
        )
    return answer


def refuse_all(stdin: BinaryIO, stdout: BinaryIO, argv: Sequence[str]) -> int:
    """Answer every message ``forbidden_origin`` until the caller hangs up; nothing reaches the companion."""
    caller = argv[0] if argv else "(no caller given)"
    log(f"refusing caller {caller[:200]!r}: not a pinned Proffer extension")
    message = "this native host serves only the Proffer extension; the caller is not one of its pinned ids"
    while True:
        try:
            body = read_frame(stdin)
        except FrameTooLarge as exc:
            write_frame(stdout, error_answer(None, FORBIDDEN_ORIGIN, message))
            if not exc.discarded:
                return 1
            continue
        except FrameError:
            write_frame(stdout, error_answer(None, FORBIDDEN_ORIGIN, message))
            return 1
        if body is None:
            return 1
        try:
            message_id = message_id_of(decode_message(body))
        except FrameError:
            message_id = None
        write_frame(stdout, error_answer(message_id, FORBIDDEN_ORIGIN, message))


def serve(stdin: BinaryIO, stdout: BinaryIO, link: CompanionLink) -> int:
    """Relay frames until the browser closes the port. Returns the exit code."""
    while True:
        try:
            body = read_frame(stdin)
        except FrameTooLarge as exc:
            log(f"refused an inbound message of {exc.length} bytes")
            write_frame(stdout, error_answer(None, TOO_LARGE, str(exc)))
            if not exc.discarded:
                return 1
            continue
        except FrameError as exc:  # truncated: the stream cannot be resynchronised
            log(f"bad frame: {exc}")
            write_frame(stdout, error_answer(None, BAD_FRAME, str(exc)))
            return 1
        if body is None:
            return 0
        try:
            message_id = message_id_of(decode_message(body))
        except FrameError as exc:
            write_frame(stdout, error_answer(None, BAD_FRAME, str(exc)))
            continue
        try:
            answer = relay(link, body, message_id)
        except Exception as exc:  # a bug here must cost one answer, not the browser's port
            log(f"internal error relaying a message: {type(exc).__name__}: {exc}")
            answer = error_answer(message_id, INTERNAL_ERROR, "the native host failed unexpectedly; see its log")
        write_frame(stdout, answer)


def _frame_streams() -> tuple[BinaryIO, BinaryIO]:
    """stdin for frames, and a private stdout for frames with fd 1 pointed at stderr (see the notes)."""
    frames_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return sys.stdin.buffer, frames_out


def main(
    *,
    data_dir: str,
    python: str,
    chromium_ids: Sequence[str],
    gecko_ids: Sequence[str],
    argv: Sequence[str] | None = None,
    start_command: Sequence[str] | None = None,
    start_timeout: float | None = None,
) -> int:
    """Run the host for one browser connection. ``start_command`` overrides how the companion is started."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdin, stdout = _frame_streams()
    try:
        browser = identify_caller(argv, chromium_ids, gecko_ids)
        if browser is None:
            return refuse_all(stdin, stdout, argv)
        command = start_command or [python, "-m", "companion", "serve", "--data-dir", data_dir]
        link = CompanionLink(data_dir, command, browser)
        if start_timeout is not None:
            link.start_timeout = start_timeout
        try:
            return serve(stdin, stdout, link)
        finally:
            link.close()
    except BrokenPipeError:
        return 0  # the browser went away mid-answer: nothing left to tell it
    except KeyboardInterrupt:
        return 130
