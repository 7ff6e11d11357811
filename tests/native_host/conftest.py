"""Drive the real native host as the browser does: a subprocess started through a launcher, framed
messages on its stdin and stdout. The companion side is either ``peer.py`` (a small real aiohttp server
that checks the token and reports what it saw) or the real companion. Every process started here is
stopped here, by its pid."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.hostinstall import install, launcher_path
from companion.settings import CHROMIUM_EXTENSION_IDS, GECKO_EXTENSION_IDS, DataDir

ROOT = Path(__file__).resolve().parents[2]
PEER = Path(__file__).with_name("peer.py")
CHROMIUM_ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_IDS[0]}/"
GECKO_ID = GECKO_EXTENSION_IDS[0]


def frame(body: bytes) -> bytes:
    return struct.pack("=I", len(body)) + body


def envelope(message_type: str = "system.ping", payload: dict | None = None, message_id: str = "m-1") -> dict:
    return {"v": 1, "id": message_id, "type": message_type, "payload": payload or {}}


class Host:
    """One native host process, talked to through real frames."""

    def __init__(self, launcher: Path, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [str(launcher), *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )

    def send_raw(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_raw(frame(json.dumps(message).encode()))

    def _read(self, count: int, deadline: float) -> bytes:
        data = b""
        fd = self.process.stdout.fileno()
        while len(data) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no answer from the host within the time limit; stderr: {self.stderr()}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, count - len(data))
                if not chunk:
                    return data
                data += chunk
        return data

    def recv_raw(self, timeout: float = 15) -> bytes | None:
        """The next frame's body; None when the host closed stdout."""
        deadline = time.monotonic() + timeout
        header = self._read(4, deadline)
        if not header:
            return None
        assert len(header) == 4, f"stdout ended inside a length prefix: {header!r}"
        (length,) = struct.unpack("=I", header)
        assert length <= 1024 * 1024, f"the host sent a frame of {length} bytes, above the cap"
        body = self._read(length, deadline)
        assert len(body) == length, "stdout ended inside a frame"
        return body

    def recv(self, timeout: float = 15) -> dict:
        body = self.recv_raw(timeout)
        assert body is not None, f"the host closed stdout; stderr: {self.stderr()}"
        return json.loads(body.decode("utf-8"))

    def ask(self, message: dict, timeout: float = 15) -> dict:
        self.send(message)
        return self.recv(timeout)

    def close_stdin(self) -> None:
        if not self.process.stdin.closed:
            self.process.stdin.close()

    def wait(self, timeout: float = 10) -> int:
        return self.process.wait(timeout)

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read().decode(errors="replace")

    def stop(self) -> None:
        self.close_stdin()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()


def stop_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        _reap(pid)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):  # only our own children can be reaped
        os.waitpid(pid, os.WNOHANG)


def wait_for(predicate, timeout: float = 15, what: str = "a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_launcher(data_dir: DataDir, start_command: list[str], start_timeout: float = 5.0) -> Path:
    """A launcher like the installed one, but starting ``start_command`` when no companion answers."""
    path = data_dir.root / "test-launcher"
    path.write_text(
        f"#!{sys.executable} -IS\n"
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from native_host.host import main\n"
        f"sys.exit(main(data_dir={str(data_dir.root)!r}, python={sys.executable!r}, "
        f"chromium_ids={CHROMIUM_EXTENSION_IDS!r}, gecko_ids={GECKO_EXTENSION_IDS!r}, "
        f"start_command={start_command!r}, start_timeout={start_timeout!r}))\n"
    )
    path.chmod(0o700)
    return path


test_launcher.__test__ = False  # a helper, not a test


@pytest.fixture
def data_dir(tmp_path) -> DataDir:
    data_dir = DataDir(tmp_path / "data")
    data_dir.ensure()
    return data_dir


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def installed_launcher(data_dir, home) -> Path:
    """The launcher exactly as `proffer install-host` writes it."""
    install(data_dir, ["chromium"], home=home)
    return launcher_path(data_dir)


def peer_command(data_dir: DataDir, *extra: str) -> list[str]:
    return [sys.executable, str(PEER), "--data-dir", str(data_dir.root), *extra]


@pytest.fixture
def start_peer(data_dir):
    """Start peer.py for the data dir (keyword: keepalive seconds); waits until it listens."""
    started: list[subprocess.Popen] = []

    def start(keepalive: float | None = None) -> subprocess.Popen:
        extra = ["--keepalive", str(keepalive)] if keepalive is not None else []
        data_dir.runtime_file.unlink(missing_ok=True)
        process = subprocess.Popen(peer_command(data_dir, *extra), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        started.append(process)
        wait_for(
            lambda: (data_dir.read_runtime() or {}).get("pid") == process.pid or process.poll() is not None,
            what="the peer to listen",
        )
        assert process.poll() is None, "the peer exited at start"
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def hosts():
    """Start hosts with ``hosts(launcher, argv)``; all are stopped after the test."""
    started: list[Host] = []

    def start(launcher: Path, argv: list[str] | None = None) -> Host:
        host = Host(launcher, [CHROMIUM_ORIGIN] if argv is None else argv)
        started.append(host)
        return host

    yield start
    for host in started:
        host.stop()


@pytest.fixture
def companion_started_by_host(data_dir):
    """Stops whatever companion the host started for this data dir (found by the pid it recorded)."""
    yield
    runtime = data_dir.read_runtime()
    if runtime and isinstance(runtime.get("pid"), int):
        stop_pid(runtime["pid"])
