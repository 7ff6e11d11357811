"""The native endpoint: where the native host (and the CLI) hand envelopes to the companion.

Order of checks, each answered with the one error envelope: bearer token, size, JSON, envelope shape,
version, message type, payload shape; only then the handler, on the companion's worker thread. Domain
errors (a locked vault, a wrong passphrase) map to their codes here and nowhere else.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import replace

from aiohttp import web
from pydantic import ValidationError

from companion.appkeys import CONTEXT, TOKEN, run_on_worker
from companion.handlers import HANDLERS
from companion.protocol import (
    MESSAGE_TYPES,
    PROTOCOL_VERSION,
    ErrorCode,
    ProtocolError,
    Request,
    error_answer,
    ok_answer,
)
from companion.settings import MAX_MESSAGE_BYTES
from companion.vault import VaultAbsent, VaultCorrupt, VaultLocked, WrongPassphrase

log = logging.getLogger(__name__)

HTTP_STATUS = {
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.BAD_FRAME: 400,
    ErrorCode.UNSUPPORTED_VERSION: 400,
    ErrorCode.UNKNOWN_TYPE: 400,
    ErrorCode.INTERNAL_ERROR: 500,
}
DOMAIN_ERRORS: dict[type[Exception], ErrorCode] = {
    VaultLocked: ErrorCode.VAULT_LOCKED,
    VaultAbsent: ErrorCode.VAULT_ABSENT,
    WrongPassphrase: ErrorCode.WRONG_PASSPHRASE,
}


def flatten(exc: ValidationError) -> str:
    """Pydantic errors as `loc: msg; …`, without echoing the input (it may hold a passphrase)."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors())[:1000]


def _answer(message_id: str | None, error: ProtocolError) -> web.Response:
    return web.json_response(
        error_answer(message_id, error).model_dump(mode="json"), status=HTTP_STATUS.get(error.code, 200)
    )


def _authorized(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    return scheme == "Bearer" and hmac.compare_digest(presented.encode(), request.app[TOKEN].encode())


async def native_endpoint(request: web.Request) -> web.Response:
    # Browsers put Origin on cross-site requests; the native host and the CLI never do.
    if "Origin" in request.headers or not _authorized(request):
        return _answer(None, ProtocolError(ErrorCode.UNAUTHORIZED))
    if (request.content_length or 0) > MAX_MESSAGE_BYTES:
        return _answer(None, ProtocolError(ErrorCode.TOO_LARGE))
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _answer(None, ProtocolError(ErrorCode.TOO_LARGE))
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return _answer(None, ProtocolError(ErrorCode.BAD_REQUEST, "the body is not JSON"))
    message_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        envelope = Request.model_validate(raw)
    except ValidationError as exc:
        return _answer(message_id, ProtocolError(ErrorCode.BAD_REQUEST, flatten(exc)))
    if envelope.v != PROTOCOL_VERSION:
        return _answer(
            envelope.id,
            ProtocolError(
                ErrorCode.UNSUPPORTED_VERSION,
                f"version {envelope.v}; this companion speaks {PROTOCOL_VERSION}",
            ),
        )
    spec = MESSAGE_TYPES.get(envelope.type)
    if spec is None:
        return _answer(envelope.id, ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {envelope.type!r}"))
    try:
        payload = spec.payload.model_validate(envelope.payload)
    except ValidationError as exc:
        return _answer(envelope.id, ProtocolError(ErrorCode.BAD_REQUEST, flatten(exc)))
    context = replace(request.app[CONTEXT], browser=request.headers.get("X-Proffer-Browser", "")[:32])
    try:
        result = await run_on_worker(request.app, HANDLERS[envelope.type], context, payload)
    except ProtocolError as exc:
        return _answer(envelope.id, exc)
    except VaultCorrupt as exc:
        log.error("vault corrupt: %s", exc)
        return _answer(envelope.id, ProtocolError(ErrorCode.INTERNAL_ERROR, str(exc)))
    except tuple(DOMAIN_ERRORS) as exc:
        code = next(c for kind, c in DOMAIN_ERRORS.items() if isinstance(exc, kind))
        return _answer(envelope.id, ProtocolError(code, str(exc) or None))
    except Exception:
        log.exception("handler for %s failed", envelope.type)
        return _answer(envelope.id, ProtocolError(ErrorCode.INTERNAL_ERROR))
    return web.json_response(ok_answer(envelope.id, result).model_dump(mode="json"))
