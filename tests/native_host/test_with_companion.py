"""The native host in front of the real companion (`python -m companion serve`), as the browser uses it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from tests.native_host.conftest import envelope, test_launcher, wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(data_dir) -> list[str]:
    return [sys.executable, "-m", "companion", "serve", "--data-dir", str(data_dir.root)]


@pytest.fixture
def configured(data_dir):
    """A data dir whose companion listens on a free port (never the default one other Proffers use)."""
    data_dir.config_file.write_text(json.dumps({"port": free_port()}))
    return data_dir


@pytest.fixture
def companion(configured, tmp_path):
    log = (tmp_path / "companion-stderr.log").open("ab")
    process = subprocess.Popen(
        serve_command(configured), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        wait_for(
            lambda: (configured.read_runtime() or {}).get("pid") == process.pid or process.poll() is not None,
            timeout=60,
            what="the companion to listen",
        )
        assert process.poll() is None, (tmp_path / "companion-stderr.log").read_text()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def test_ping_through_the_installed_launcher_reaches_the_companion(installed_launcher, companion, hosts):
    native = hosts(installed_launcher)
    for n in range(3):
        answer = native.ask(envelope(message_id=f"real-{n}"))
        assert answer["ok"] is True, answer
        assert answer["id"] == f"real-{n}"
        assert answer["result"]["protocol"] == 1
        assert answer["result"]["vault"] == "absent"


def test_companion_refusals_arrive_with_the_request_id(installed_launcher, companion, hosts):
    native = hosts(installed_launcher)
    unknown = native.ask(envelope("no.such.type", message_id="odd"))
    assert unknown["ok"] is False and unknown["id"] == "odd"
    assert unknown["error"]["code"] == "unknown_type"
    shapeless = native.ask({"v": 1, "id": "shapeless", "type": "system.ping", "payload": {}, "extra": True})
    assert shapeless["error"]["code"] == "bad_request"
    assert shapeless["id"] == "shapeless"


def test_wrong_token_is_refused_by_the_real_companion(installed_launcher, companion, hosts, data_dir):
    good = data_dir.read_token()
    data_dir.token_file.write_text("not-the-token-the-companion-holds")
    try:
        answer = hosts(installed_launcher).ask(envelope(message_id="forged"))
    finally:
        data_dir.token_file.write_text(good)
    assert answer["ok"] is False
    assert answer["id"] == "forged"  # the companion answered id null; the host gave it back its id
    assert answer["error"]["code"] == "unauthorized"


def test_host_starts_the_real_companion_when_none_runs(configured, hosts, companion_started_by_host):
    native = hosts(test_launcher(configured, serve_command(configured), start_timeout=60))
    answer = native.ask(envelope(message_id="first-of-the-day"), timeout=90)
    assert answer["ok"] is True, answer
    assert answer["id"] == "first-of-the-day"
    assert configured.read_runtime() is not None
