"""The framework fixture pages (tests/fixtures/frameworks), served on 127.0.0.1 with the frameworks' browser
builds from node_modules under /vendor/, for the fill tests in Chromium and in Firefox."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "frameworks"
NODE_MODULES = ROOT / "node_modules"

# /vendor/<name> on the fixture server -> the npm package's single-file browser build.
VENDOR = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "vue.js": "vue/dist/vue.global.prod.js",
    "angular.js": "angular/angular.min.js",
}


def require_vendor(names: tuple[str, ...]) -> None:
    """Skip the test when the npm files behind ``names`` are not installed (in CI a skip fails the run)."""
    missing = [VENDOR[name] for name in names if not (NODE_MODULES / VENDOR[name]).is_file()]
    if missing:
        pytest.skip(f"npm packages missing ({', '.join(missing)}): run npm ci")


class FixtureHandler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        name = path.split("?", 1)[0].removeprefix("/vendor/")
        if path.startswith("/vendor/") and name in VENDOR:
            return str(NODE_MODULES / VENDOR[name])
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output quiet


@contextmanager
def serve(directory: Path = FIXTURES) -> Iterator[str]:
    """Serve the pages in ``directory`` (the framework pages unless told) from a thread of this process on a
    free port; yields the base URL."""
    handler = functools.partial(FixtureHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
