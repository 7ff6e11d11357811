"""Load pages in one headless Chromium and read their forms with the extension's own extraction code.

This is what ``proffer fields`` and the corpus benchmark stand on: the descriptors come from
``extension/content/extract.js`` running in a real browser, exactly as the content script runs it, so what
is measured is what ships.

Design notes:
- One browser, one context and one tab for a whole run: the tab is navigated from page to page (a new
  tab per page cost ~170 ms here, more than loading most pages). A page that hangs, crashes or fails
  loses its tab; the next page gets a fresh one.
- The page is hostile. extract.js runs in an isolated world (CDP ``Page.createIsolatedWorld``), as a
  content script does, so page scripts cannot see or patch it. Its result is validated by the wire model
  (``FillRequestPayload``) before anyone uses it.
- No network: the host-resolver rule maps every name but 127.0.0.1 to nothing, and routing aborts every
  request that is not file://, data: or to 127.0.0.1 / localhost (saved pages reference hundreds of
  third-party resources; they must neither leak nor wait).
- A page that hangs, crashes or yields nonsense becomes a ``PageResult`` with ``error`` set; the run goes
  on. Evaluation has its own time limit (CDP ``Runtime.evaluate`` ``timeout``), so a page busy-looping in
  the main thread cannot stall the run.
- Frames: the top document is described in ``payload``; each child frame's document is extracted in its
  own isolated world and returned in ``frames`` (its own indexes, its own origins), because the companion
  must judge a cross-origin frame separately.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from companion.protocol.messages import FillRequestPayload

if TYPE_CHECKING:  # playwright is imported lazily: `proffer --help` must not pay for it
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route

_CONTENT = Path(__file__).resolve().parents[2] / "extension" / "content"
# The content script's extraction, in the order the manifest loads it: controls.js numbers the controls.
EXTRACTION_SCRIPTS = (_CONTENT / "controls.js", _CONTENT / "extract.js")

# Debian's package; PROFFER_CHROMIUM names another Chromium or Chrome (the tests and benchmarks use this too)
CHROMIUM = os.environ.get("PROFFER_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})
VIEWPORT = {"width": 1280, "height": 900}
PROBE_TIMEOUT_MS = 3000


class RunnerError(Exception):
    """The browser could not be started or the extraction script is missing."""


def extraction_source() -> str:
    """The extraction scripts as one classic script that defines globalThis.ProfferExtract."""
    parts = []
    for script in EXTRACTION_SCRIPTS:
        try:
            parts.append(script.read_text(encoding="utf-8"))
        except OSError as exc:
            raise RunnerError(f"extraction script not readable: {script}: {exc.strerror}") from exc
    return "\n;\n".join(parts)


@dataclass(frozen=True)
class FrameResult:
    """One child frame's document, described on its own (indexes count within that frame)."""

    url: str
    payload: FillRequestPayload


@dataclass(frozen=True)
class PageResult:
    target: str  # as given: a file path or a URL
    url: str  # what was loaded
    payload: FillRequestPayload | None = None
    frames: tuple[FrameResult, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    blocked_requests: int = 0
    status: int | None = None  # the HTTP status of the page's own response (None for file:// pages)


def target_url(target: str) -> str:
    """A URL for a file path or a URL; only file://, and http(s) on 127.0.0.1/localhost, are accepted."""
    parts = urlsplit(target)
    if parts.scheme in ("http", "https"):
        if parts.hostname not in LOCAL_HOSTS:
            raise ValueError(f"{target}: only pages on 127.0.0.1 or localhost can be loaded (no network)")
        return target
    if parts.scheme == "file":
        return target
    if parts.scheme and len(parts.scheme) > 1:
        raise ValueError(f"{target}: unsupported URL scheme {parts.scheme!r}")
    path = Path(target).expanduser()
    if not path.is_file():
        raise ValueError(f"{target}: no such file")
    return path.resolve().as_uri()


def request_allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


class PageRunner:
    """A headless Chromium that loads pages one after another and extracts their forms.

    Use as a context manager; ``extract(target)`` never raises for a bad page, only for a dead browser.
    """

    def __init__(
        self,
        *,
        timeout_s: float = 20.0,
        settle_ms: int = 0,
        scripts: bool = True,
        chromium: str = CHROMIUM,
        playwright: Playwright | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.settle_ms = settle_ms  # extra wait after load, for pages that build their forms late
        self.scripts = scripts
        self.chromium = chromium
        # Evaluated as an expression: the script defines globalThis.ProfferExtract in the isolated world.
        self._extract_expression = (
            extraction_source() + "\n;JSON.stringify(globalThis.ProfferExtract.extractPage(document, window));"
        )
        # A caller already running Playwright's sync API in this thread (a test session) lends it: a second
        # one cannot start there. A lent Playwright is not stopped on close.
        self._lent_playwright = playwright
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._blocked = 0
        self._page: Page | None = None  # one tab, navigated from page to page while they behave
        self._reused = False  # whether the last attempt ran in a tab a previous page had used
        self._status: int | None = None  # HTTP status of the page being read

    def __enter__(self) -> PageRunner:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def start(self) -> None:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        if not Path(self.chromium).exists():
            raise RunnerError(
                f"Chromium not found at {self.chromium}: install it (apt-get install chromium) "
                "or set PROFFER_CHROMIUM to a Chromium or Chrome binary"
            )
        self._playwright = self._lent_playwright or sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=self.chromium, headless=True, args=list(CHROMIUM_ARGS)
            )
            self._context = self._browser.new_context(
                viewport=VIEWPORT, java_script_enabled=self.scripts, service_workers="block"
            )
            self._context.route("**/*", self._route)
        except PlaywrightError as exc:
            self.close()
            raise RunnerError(f"could not start Chromium: {exc}") from exc

    def close(self) -> None:
        self._drop_page()
        for closer in (self._context, self._browser):
            if closer is not None:
                with contextlib.suppress(Exception):  # already gone: nothing left to release
                    closer.close()
        if self._playwright is not None and self._playwright is not self._lent_playwright:
            self._playwright.stop()
        self._context = self._browser = self._playwright = None

    def _route(self, route: Route) -> None:
        if request_allowed(route.request.url):
            route.continue_()
        else:
            self._blocked += 1
            route.abort("blockedbyclient")

    def extract(self, target: str) -> PageResult:
        started = time.perf_counter()
        try:
            url = target_url(target)
        except ValueError as exc:
            return PageResult(target=target, url="", error=str(exc))
        if self._context is None:
            raise RunnerError("the runner is not started")
        blocked_before = self._blocked
        self._status = None
        payload, frames, error = self._attempt(url)
        if error is not None and self._reused:
            # The tab came from the previous page, which may have left it wedged (scripts still busy after
            # extraction): this page gets one more try in a fresh tab before it is blamed.
            payload, frames, error = self._attempt(url)
        return PageResult(
            target=target,
            url=url,
            payload=payload,
            frames=frames,
            error=error,
            seconds=time.perf_counter() - started,
            blocked_requests=self._blocked - blocked_before,
            status=self._status,
        )

    def _attempt(self, url: str) -> tuple[FillRequestPayload | None, tuple[FrameResult, ...], str | None]:
        assert self._context is not None
        self._reused = self._page is not None
        if self._page is None:
            self._page = self._context.new_page()
        try:
            payload, frames = self._load_and_extract(self._page, url)
        except _PageFailed as exc:
            self._drop_page()  # a page that hung or crashed is not trusted with the next one
            return None, (), str(exc)
        except BaseException:
            self._drop_page()
            raise
        return payload, frames, None

    def _drop_page(self) -> None:
        page, self._page = self._page, None
        if page is not None:
            with contextlib.suppress(Exception):  # a crashed tab is closed already
                page.close(run_before_unload=False)

    def _load_and_extract(self, page: Page, url: str) -> tuple[FillRequestPayload, tuple[FrameResult, ...]]:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        timeout_ms = self.timeout_s * 1000
        page.set_default_timeout(timeout_ms)

        try:
            response = page.goto(url, wait_until="load", timeout=timeout_ms)
            self._status = response.status if response is not None and url.startswith("http") else None
        except PlaywrightTimeout:
            pass  # a page whose load event never comes (a stuck subresource) may still have a DOM worth reading
        except PlaywrightError as exc:
            raise _PageFailed(f"load failed: {_first_line(exc)}") from exc
        if self.settle_ms:
            page.wait_for_timeout(self.settle_ms)
        if self.scripts:
            # DevTools calls below have no time limit of their own; a page busy-looping in its main thread
            # would stall them. Playwright's own timeout runs outside the page, so this probe cannot hang.
            try:
                page.wait_for_function("true", timeout=min(timeout_ms, PROBE_TIMEOUT_MS))
            except PlaywrightTimeout as exc:
                raise _PageFailed("the page does not respond (its scripts keep the main thread busy)") from exc
            except PlaywrightError as exc:
                raise _PageFailed(f"the page broke: {_first_line(exc)}") from exc
        try:
            cdp = page.context.new_cdp_session(page)
        except PlaywrightError as exc:
            raise _PageFailed(f"no DevTools session: {_first_line(exc)}") from exc
        try:
            tree = cdp.send("Page.getFrameTree")
            frames = list(_walk_frames(tree["frameTree"]))
            top_id = frames[0][0]
            payload = self._extract_frame(cdp, top_id)
            children: list[FrameResult] = []
            for frame_id, frame_url in frames[1:]:
                if not frame_url or frame_url.startswith("about:"):
                    continue
                try:
                    children.append(FrameResult(url=frame_url, payload=self._extract_frame(cdp, frame_id)))
                except _PageFailed:
                    continue  # a frame that will not answer is left out; the top document still counts
            return payload, tuple(children)
        except PlaywrightError as exc:
            raise _PageFailed(f"extraction failed: {_first_line(exc)}") from exc
        finally:
            with contextlib.suppress(PlaywrightError):
                cdp.detach()

    def _extract_frame(self, cdp: Any, frame_id: str) -> FillRequestPayload:
        world = cdp.send("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": "proffer-extract"})
        answer = cdp.send(
            "Runtime.evaluate",
            {
                "expression": self._extract_expression,
                "contextId": world["executionContextId"],
                "returnByValue": True,
                "timeout": self.timeout_s * 1000,
            },
        )
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            message = details.get("exception", {}).get("description") or details.get("text", "exception")
            raise _PageFailed(f"extract.js failed: {_first_line(message)}")
        raw = answer.get("result", {}).get("value")
        if not isinstance(raw, str):
            raise _PageFailed("extract.js returned nothing")
        try:
            return FillRequestPayload.model_validate(json.loads(raw))
        except ValidationError as exc:
            raise _PageFailed(f"descriptors failed validation: {_first_line(exc)}") from exc


class _PageFailed(Exception):
    pass


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _walk_frames(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    frame = node["frame"]
    yield frame["id"], frame.get("url", "")
    for child in node.get("childFrames", []):
        yield from _walk_frames(child)


def run_pages(
    targets: Iterable[str], *, progress: bool | None = None, runner: PageRunner | None = None
) -> Iterator[PageResult]:
    """Extract each target in turn with one browser; progress goes to stderr for runs of more than a few pages.

    ``progress=None`` shows it when stderr is a terminal or the run has more than 20 pages.
    """
    targets = list(targets)
    show = progress if progress is not None else (sys.stderr.isatty() or len(targets) > 20)
    own = runner is None
    active = runner if runner is not None else PageRunner()
    if own:
        active.start()
    try:
        started = time.perf_counter()
        failures = 0
        for n, target in enumerate(targets, 1):
            result = active.extract(target)
            failures += result.error is not None
            if show and (n % 25 == 0 or n == len(targets)):
                rate = n / max(time.perf_counter() - started, 1e-9)
                print(
                    f"fields: {n}/{len(targets)} pages, {failures} failed, {rate:.1f} pages/s",
                    file=sys.stderr,
                    flush=True,
                )
            yield result
    finally:
        if own:
            active.close()


__all__ = ["FrameResult", "PageResult", "PageRunner", "RunnerError", "request_allowed", "run_pages", "target_url"]
