"""The one table of error codes.

The native host cannot import pydantic (it must start fast on every browser connection), so this module
uses the standard library only; the host keeps its own copy of the few codes it answers itself and a test
checks that they are all listed here.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_FRAME = "bad_frame"
    TOO_LARGE = "too_large"
    BAD_REQUEST = "bad_request"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_TYPE = "unknown_type"
    FORBIDDEN_ORIGIN = "forbidden_origin"
    UNAUTHORIZED = "unauthorized"
    COMPANION_UNAVAILABLE = "companion_unavailable"
    VAULT_ABSENT = "vault_absent"
    VAULT_LOCKED = "vault_locked"
    WRONG_PASSPHRASE = "wrong_passphrase"  # noqa: S105  (an error code, not a secret)
    UNKNOWN_REQUEST = "unknown_request"
    NOT_OFFERED = "not_offered"
    INTERNAL_ERROR = "internal_error"


# code -> what it means, for people reading PROTOCOL.md and error messages.
ERROR_CODES: dict[ErrorCode, str] = {
    ErrorCode.BAD_FRAME: "The native-messaging frame was malformed (length prefix, UTF-8 or JSON).",
    ErrorCode.TOO_LARGE: "The message exceeds the 1 MiB cap.",
    ErrorCode.BAD_REQUEST: "The envelope or its payload does not match the schema for its type.",
    ErrorCode.UNSUPPORTED_VERSION: "The envelope's protocol version is not one this companion speaks.",
    ErrorCode.UNKNOWN_TYPE: "The message type is not in the table of message types.",
    ErrorCode.FORBIDDEN_ORIGIN: "The caller is not a pinned Proffer extension.",
    ErrorCode.UNAUTHORIZED: "The bearer token is missing or wrong.",
    ErrorCode.COMPANION_UNAVAILABLE: "The native host could not reach or start the companion.",
    ErrorCode.VAULT_ABSENT: "No vault exists yet: create one in the dashboard or with `proffer vault init`.",
    ErrorCode.VAULT_LOCKED: "The vault is locked: unlock it in the dashboard, the popup or the CLI.",
    ErrorCode.WRONG_PASSPHRASE: "The passphrase does not open the vault; nothing was changed.",
    ErrorCode.UNKNOWN_REQUEST: "The request id or keep id is unknown, already answered, expired or from another site.",
    ErrorCode.NOT_OFFERED: "A field was approved or reported on that this request did not offer or release.",
    ErrorCode.INTERNAL_ERROR: "The companion failed unexpectedly; see its log.",
}


class ProtocolError(Exception):
    """An error that becomes an ``ok: false`` answer with a code from the table."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or ERROR_CODES[code]
        super().__init__(f"{code}: {self.message}")
