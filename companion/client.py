"""Talk to the running companion from the command line, over the same token-checked endpoint the
native host uses. The CLI runs as the person, so it may read the 0600 token file.

The request carries the bearer token and sometimes the vault passphrase, so it goes straight to the
loopback port in ``companion.json`` and nowhere else: never through a proxy (``urlopen`` would honour
``http_proxy`` even for 127.0.0.1 unless ``no_proxy`` says otherwise), and only while the process that
wrote that file is alive and the person's own (a stale port may since have been taken by anyone)."""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.request
from typing import Any

from companion.protocol import PROTOCOL_VERSION
from companion.settings import LOOPBACK, DataDir


class CompanionUnavailable(Exception):
    """No companion answers for this data dir."""


class CompanionError(Exception):
    """The companion answered ``ok: false``."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def running_pid(data_dir: DataDir, *, own: bool = False) -> int | None:
    """The pid of a live companion for this data dir, if its runtime file names one.

    With `own`, a live process of another user does not count: it cannot be the person's companion.
    """
    runtime = data_dir.read_runtime()
    pid = runtime.get("pid") if runtime else None
    if not isinstance(pid, int) or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return None if own else pid  # alive, under another user
    return pid


def companion_url(data_dir: DataDir) -> str | None:
    runtime = data_dir.read_runtime()
    if not runtime or not isinstance(runtime.get("port"), int):
        return None
    return f"http://{LOOPBACK}:{runtime['port']}"


def send(data_dir: DataDir, message_type: str, payload: dict[str, Any] | None = None, timeout: float = 10) -> dict:
    """Send one message and return its result; raise CompanionUnavailable or CompanionError."""
    base = companion_url(data_dir)
    token = data_dir.read_token()
    if base is None or token is None:
        raise CompanionUnavailable(f"no companion is running for {data_dir.root} (start it with `proffer serve`)")
    if running_pid(data_dir, own=True) is None:
        pid = (data_dir.read_runtime() or {}).get("pid")
        raise CompanionUnavailable(
            f"the companion recorded in {data_dir.runtime_file} (pid {pid}) is not running, so nothing was sent "
            f"to its old port (start it with `proffer serve`)"
        )
    body = json.dumps(
        {
            "v": PROTOCOL_VERSION,
            "id": f"cli-{secrets.token_hex(6)}",
            "type": message_type,
            "payload": payload or {},
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310  (a fixed http://127.0.0.1 URL)
        f"{base}/native",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    # Without a ProxyHandler, urllib reads the proxy environment; an empty one means no proxy, ever.
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(request, timeout=timeout) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as exc:
        answer = json.load(exc)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        raise CompanionUnavailable(f"the companion at {base} does not answer ({exc})") from exc
    if not answer.get("ok"):
        error = answer.get("error") or {}
        raise CompanionError(error.get("code", "internal_error"), error.get("message", "no message"))
    return answer["result"]
