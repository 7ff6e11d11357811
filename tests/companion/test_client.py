"""The CLI's client hands the token and passphrases only to the person's live companion, never to a proxy."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from companion.client import CompanionUnavailable, send


class Listener:
    """A loopback listener that only records who connected: a stand-in proxy, or a stranger on a stale port."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(65536))
                except TimeoutError:
                    self.received.append(b"")

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def record_runtime(data_dir, port: int, pid: int) -> None:
    data_dir.runtime_file.write_text(json.dumps({"port": port, "pid": pid}))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


async def test_the_client_never_goes_through_a_proxy(companion, data_dir, listener, monkeypatch):
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{listener.port}")
    record_runtime(data_dir, companion.port, os.getpid())
    result = await asyncio.to_thread(send, data_dir, "system.ping")
    assert "vault" in result
    assert listener.received == []


async def test_a_dead_companion_is_a_clear_error_and_nothing_is_sent(data_dir, listener):
    data_dir.ensure_token()
    pid = dead_pid()
    record_runtime(data_dir, listener.port, pid)
    with pytest.raises(CompanionUnavailable, match=f"pid {pid}.* not running"):
        await asyncio.to_thread(send, data_dir, "vault.unlock", {"passphrase": "secret"})
    assert listener.received == []
