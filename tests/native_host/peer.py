"""A small real HTTP peer standing in for the companion in native host tests (run as a script).

It behaves like the companion where the host depends on it — serves POST /native on 127.0.0.1, checks
the bearer token from the data dir's token file, answers answer envelopes (on HTTP errors too), writes
companion.json once it listens and removes it on exit — and adds what tests need to see and provoke:
the result echoes the payload, the X-Proffer-Browser header, the number of TCP connections and requests
it has served; ``test.big`` answers ``size`` bytes; ``test.chunked`` answers with chunked encoding;
``test.quiet`` answers only the size it received.

    python peer.py --data-dir DIR [--keepalive SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
from pathlib import Path

from aiohttp import web

STATE = web.AppKey("state", dict)


def envelope(message_id, *, ok=True, result=None, code=None, message=None) -> dict:
    if ok:
        return {"v": 1, "id": message_id, "ok": True, "result": result}
    return {"v": 1, "id": message_id, "ok": False, "error": {"code": code, "message": message}}


async def native(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    if request.headers.get("Authorization") != f"Bearer {state['token']}":
        return web.json_response(envelope(None, ok=False, code="unauthorized", message="wrong token"), status=401)
    state["requests"] += 1
    # Each TCP connection has its own client port: distinct peer names count connections.
    state["peers"].add(request.transport.get_extra_info("peername"))
    body = await request.json()
    result = {
        "echo": body.get("payload"),
        "browser": request.headers.get("X-Proffer-Browser"),
        "connections": len(state["peers"]),
        "requests": state["requests"],
    }
    if body.get("type") == "test.quiet":
        return web.json_response(envelope(body["id"], result={"received_bytes": request.content_length}))
    if body.get("type") == "test.big":
        filler = "x" * max(0, int(body["payload"]["size"]) - 120)
        return web.json_response(envelope(body["id"], result={"filler": filler}))
    if body.get("type") == "test.chunked":
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        text = json.dumps(envelope(body["id"], result=result)).encode()
        for start in range(0, len(text), 7):
            await response.write(text[start : start + 7])
        await response.write_eof()
        return response
    return web.json_response(envelope(body["id"], result=result))


async def run(data_dir: Path, keepalive: float) -> None:
    # Read once, as the companion does: a token file changed later no longer matches.
    token = (data_dir / "native-token").read_text().strip()
    state = {"token": token, "peers": set(), "requests": 0}
    app = web.Application()
    app[STATE] = state
    app.router.add_post("/native", native)

    runner = web.AppRunner(app, access_log=None, keepalive_timeout=keepalive)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port, known before anyone connects
    port = sock.getsockname()[1]
    await web.SockSite(runner, sock).start()
    staged = data_dir / "companion.json.tmp"
    staged.write_text(json.dumps({"port": port, "pid": os.getpid()}))
    staged.replace(data_dir / "companion.json")  # the host never reads half a file
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        (data_dir / "companion.json").unlink(missing_ok=True)
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--keepalive", type=float, default=75.0)
    args = parser.parse_args()
    args.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    token_file = args.data_dir / "native-token"
    if not token_file.exists():
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, secrets.token_urlsafe(32).encode())
        os.close(fd)
    asyncio.run(run(args.data_dir, args.keepalive))


if __name__ == "__main__":
    main()
