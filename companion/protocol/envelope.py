"""The request and answer envelopes: every message carries a version and an id."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from companion.protocol.errors import ErrorCode, ProtocolError

PROTOCOL_VERSION = 1

# Message ids are chosen by the sender (the extension uses crypto.randomUUID()).
MessageId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class WireModel(BaseModel):
    """Base of every wire model: unknown keys are an error, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Request(WireModel):
    v: int
    id: str = MessageId
    type: str = Field(min_length=1, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)


class ErrorInfo(WireModel):
    code: ErrorCode
    message: str


class Answer(WireModel):
    v: Literal[1] = PROTOCOL_VERSION
    id: str | None
    ok: bool
    result: dict[str, Any] | None = None
    error: ErrorInfo | None = None


def ok_answer(message_id: str | None, result: BaseModel) -> Answer:
    return Answer(id=message_id, ok=True, result=result.model_dump(mode="json"))


def error_answer(message_id: str | None, error: ProtocolError) -> Answer:
    return Answer(id=message_id, ok=False, error=ErrorInfo(code=error.code, message=error.message))
