"""Real parts for end-to-end tests: a companion subprocess, Debian's Chromium with the unpacked extension
and the native host registered in the test's own profile, a local shop and a file server. Everything
listens on 127.0.0.1; every process started here is stopped here, by its pid. Firefox is in firefox.py."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from companion.client import CompanionUnavailable, send
from companion.fields.runner import CHROMIUM
from companion.fields.runner import CHROMIUM_ARGS as RUNNER_ARGS
from companion.settings import CHROMIUM_EXTENSION_IDS, DataDir

ROOT = Path(__file__).resolve().parents[2]
EXTENSION_DIR = ROOT / "extension"
EXTENSION_ID = CHROMIUM_EXTENSION_IDS[0]
PASSPHRASE = "correct horse battery staple e2e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proffer(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "companion", *args], env=env, capture_output=True, text=True, timeout=120, check=check
    )


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def wait_until(predicate, timeout: float = 15, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Proffer:
    """One person's Proffer: a data dir, a HOME, a browser profile and the environment that points at them."""

    root: Path
    data_dir: DataDir
    home: Path
    profile: Path
    port: int
    env: dict[str, str]

    @classmethod
    def create(cls, root: Path) -> Proffer:
        home, profile = root / "home", root / "profile"
        home.mkdir(parents=True)
        profile.mkdir(parents=True)
        data_dir = DataDir(root / "data")
        data_dir.ensure()
        port = free_port()
        data_dir.config_file.write_text(json.dumps({"port": port}))
        env = {**os.environ, "HOME": str(home), "PROFFER_DATA_DIR": str(data_dir.root)}
        return cls(root, data_dir, home, profile, port, env)

    @property
    def dashboard(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return proffer(*args, "--data-dir", str(self.data_dir.root), env=self.env, check=check)

    def passphrase_file(self) -> Path:
        path = self.root / "passphrase.txt"
        path.write_text(PASSPHRASE + "\n")
        path.chmod(0o600)
        return path

    def create_vault(self, vcard: Path) -> None:
        self.cli("vault", "init", "--passphrase-file", str(self.passphrase_file()))
        self.cli("vault", "import", str(vcard), "--passphrase-file", str(self.passphrase_file()))

    def ledger(self) -> list[dict]:
        """Every ledger entry, as the person's own CLI exports it."""
        done = self.cli("ledger", "export", "--format", "jsonl", "--passphrase-file", str(self.passphrase_file()))
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def unlock(self) -> None:
        send(self.data_dir, "vault.unlock", {"passphrase": PASSPHRASE})

    @contextmanager
    def companion(self) -> Iterator[subprocess.Popen]:
        log = open(self.root / "companion-stderr.log", "ab")  # noqa: SIM115  (closed below)
        process = subprocess.Popen(
            [sys.executable, "-m", "companion", "serve", "--data-dir", str(self.data_dir.root)],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_until(lambda: self._answers() or process.poll() is not None, what="the companion to answer")
            assert process.poll() is None, (self.root / "companion-stderr.log").read_text()
            yield process
        finally:
            stop_process(process)
            log.close()

    def _answers(self) -> bool:
        try:
            send(self.data_dir, "system.ping", timeout=1)
        except CompanionUnavailable:
            return False
        return True

    def install_host(self, browser: str = "chromium") -> None:
        """Register the native host where ``browser`` looks: Chromium, started with a user-data-dir, only in
        that profile; Firefox in HOME, for every profile."""
        profile = [] if browser == "firefox" else ["--user-data-dir", str(self.profile)]
        self.cli("install-host", "--browser", browser, *profile)


def shop_server(port: int, env: dict[str, str]) -> AbstractContextManager[str]:
    """The bundled demo shop, as a person would start it."""
    return _server([sys.executable, "-m", "companion", "demo-shop", "--port", str(port)], port, env, "the demo shop")


def static_server(port: int, directory: Path) -> AbstractContextManager[str]:
    """The files under ``directory``, served as they are (stdlib http.server)."""
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    return _server(argv, port, None, f"a file server for {directory}")


@contextmanager
def _server(argv: list[str], port: int, env: dict[str, str] | None, what: str) -> Iterator[str]:
    """Run ``argv``, a server on 127.0.0.1:``port``, until the block ends; yields its base URL."""
    # Its stderr goes to a file, read only if it fails to start: a pipe nobody reads would fill up with
    # request log lines and stall the server.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_until(lambda: _port_open(port) or process.poll() is not None, what=what)
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError(f"{what} exited: {log.read().decode(errors='replace')}")
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


CHROMIUM_ARGS = [
    *RUNNER_ARGS,  # headless, no network but 127.0.0.1, nothing phoned home: the same as `proffer fields`
    f"--disable-extensions-except={EXTENSION_DIR}",
    f"--load-extension={EXTENSION_DIR}",
]


@contextmanager
def browser(playwright, person: Proffer):
    """Chromium with the unpacked extension, in the person's own profile and HOME."""
    context = playwright.chromium.launch_persistent_context(
        str(person.profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        env={**person.env},
    )
    try:
        worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        assert worker.url.startswith(f"chrome-extension://{EXTENSION_ID}/"), worker.url
        yield context, worker
    finally:
        context.close()
