"""The wire protocol between the extension and the companion, defined once.

Everything that crosses the native-messaging channel is described here with strict pydantic models:
the request envelope, the answer envelope, the table of message types and the table of error codes.
``companion.protocol.jsgen`` turns these into ``extension/shared/protocol.js`` so that the extension
validates the same shapes; a test fails when that generated file drifts from this package.
"""

from companion.protocol.envelope import PROTOCOL_VERSION, Answer, ErrorInfo, Request, error_answer, ok_answer
from companion.protocol.errors import ERROR_CODES, ErrorCode, ProtocolError
from companion.protocol.messages import MESSAGE_TYPES, MessageSpec

__all__ = [
    "ERROR_CODES",
    "MESSAGE_TYPES",
    "PROTOCOL_VERSION",
    "Answer",
    "ErrorCode",
    "ErrorInfo",
    "MessageSpec",
    "ProtocolError",
    "Request",
    "error_answer",
    "ok_answer",
]
