"""The native host's link to the companion: one keep-alive HTTP/1.1 connection over loopback.

Design notes
------------
* **A small hand-written client, not http.client.** The host starts on every browser connection, and
  http.client pulls in the email package for header parsing; the host needs one request shape and a
  status line, a few headers and a body back. Responses may use Content-Length or chunked encoding.
* **Where the companion is.** Only the port in ``companion.json`` (written by the running companion into the
  person's 0700 data dir, with its pid) is trusted. The configured default port is deliberately *not* tried
  blindly: whatever listens there would be handed the bearer token, and another local program may hold
  that port.
* **The token.** Read from ``native-token`` in the data dir, and refused when the file is readable or
  writable by anyone but its owner, or owned by someone else: a token others can read authenticates
  nobody, so the host answers ``unauthorized`` with the fix rather than use it.
* **Starting the companion.** No companion.json, a dead pid, or a refused connection → start
  ``<python> -m companion serve --data-dir <dir>`` detached (its own session, stdin/stdout to /dev/null,
  stderr appended to the companion's log), then poll with a bounded backoff until it listens; one attempt
  per connection, then ``companion_unavailable`` with a message that says where to look. A started
  companion that exits with an error is given a second's grace: when two browsers start at once, the
  loser of the port race exits while the winner is about to record itself.
* **Stale keep-alive.** The companion closes idle connections (aiohttp: 75 s). A request on a reused
  connection that gets no byte of answer back is resent once on a fresh connection; the companion had
  not read it, so nothing runs twice.
"""

from __future__ import annotations

# `socket` wraps `_socket` in enums and selectors that cost milliseconds per start; a TCP client needs none.
import _socket as socket
import os
import time

from native_host.fastjson import loads

LOOPBACK = "127.0.0.1"
TOKEN_FILE = "native-token"  # noqa: S105  (a file name, not a secret)
RUNTIME_FILE = "companion.json"
COMPANION_LOG = "companion.log"
MAX_ANSWER_BYTES = 1024 * 1024
MAX_HEAD_BYTES = 64 * 1024
START_TIMEOUT_SECONDS = 15.0  # a cold start imports aiohttp, pydantic and cryptography; slow on a busy machine
ANSWER_TIMEOUT_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS = 1.0
RACE_GRACE_SECONDS = 1.0
_RECV_BYTES = 256 * 1024

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class LinkError(Exception):
    """The companion could not be reached or used; ``code`` is the protocol error code to answer with."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class _NoAnswer(Exception):
    """The connection closed before any byte of an answer arrived (safe to resend on a new connection)."""


class _HttpConnection:
    """One HTTP/1.1 connection to the companion's /native endpoint."""

    def __init__(self, sock: socket.socket, port: int, token: str, browser: str) -> None:
        self.sock = sock
        self.used = False
        self._buffer = bytearray()
        self._head = (
            f"POST /native HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"X-Proffer-Browser: {browser}\r\nContent-Type: application/json\r\nContent-Length: "
        ).encode("ascii")

    def close(self) -> None:
        self.sock.close()

    def request(self, body: bytes) -> tuple[int, bytes, bool]:
        """POST ``body``; returns (status, answer body, whether the connection may be reused)."""
        self.used = True
        self._buffer.clear()
        try:
            self.sock.sendall(self._head + str(len(body)).encode("ascii") + b"\r\n\r\n" + body)
            first = self._recv()
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise _NoAnswer(str(exc)) from None
        if not first:
            raise _NoAnswer("the companion closed the connection")
        status_line = self._line()
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise LinkError("companion_unavailable", "the companion's port answered something other than HTTP")
        status = int(parts[1])
        headers: dict[bytes, bytes] = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = headers.get(b"connection", b"").lower() != b"close" and parts[0] == b"HTTP/1.1"
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            return status, self._chunked_body(), keep_alive
        length = headers.get(b"content-length")
        if length is None:
            return status, self._body_until_close(), False
        if not length.isdigit():
            raise LinkError("companion_unavailable", "the companion's answer has a malformed Content-Length")
        size = int(length)
        if size > MAX_ANSWER_BYTES:
            raise _TooLarge(size)
        return status, self._exactly(size), keep_alive

    def _recv(self) -> int:
        chunk = self.sock.recv(_RECV_BYTES)
        self._buffer += chunk
        return len(chunk)

    def _line(self) -> bytes:
        while True:
            end = self._buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 2]
                return line
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise LinkError("companion_unavailable", "the companion's answer headers are too long")
            if not self._recv():
                raise LinkError("companion_unavailable", "the companion closed the connection mid-answer")

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            if not self._recv():
                raise LinkError("companion_unavailable", "the companion closed the connection mid-answer")
        body = bytes(self._buffer[:size])
        del self._buffer[:size]
        return body

    def _chunked_body(self) -> bytes:
        body = bytearray()
        while True:
            size_field = self._line().split(b";", 1)[0].strip()
            try:
                size = int(size_field, 16)
            except ValueError:
                raise LinkError("companion_unavailable", "the companion's chunked answer is malformed") from None
            if size == 0:
                while self._line():  # trailers, then the blank line
                    pass
                return bytes(body)
            if len(body) + size > MAX_ANSWER_BYTES:
                raise _TooLarge(len(body) + size)
            body += self._exactly(size)
            self._line()

    def _body_until_close(self) -> bytes:
        while self._recv():
            if len(self._buffer) > MAX_ANSWER_BYTES:
                raise _TooLarge(len(self._buffer))
        return bytes(self._buffer)


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class CompanionLink:
    """Sends envelopes to the companion for one data dir, connecting (and starting it) on demand."""

    def __init__(
        self,
        data_dir: str,
        start_command: Sequence[str],
        browser: str,
        start_timeout: float = START_TIMEOUT_SECONDS,
        answer_timeout: float = ANSWER_TIMEOUT_SECONDS,
    ) -> None:
        self.data_dir = data_dir
        self.start_command = list(start_command)
        self.browser = browser
        self.start_timeout = start_timeout
        self.answer_timeout = answer_timeout
        self._connection: _HttpConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def exchange(self, body: bytes) -> tuple[int, bytes]:
        """Send one envelope; returns (HTTP status, answer body). Raises LinkError."""
        connection = self._connection or self._connect()
        reused = connection.used
        try:
            try:
                status, answer, keep_alive = connection.request(body)
            except _NoAnswer:
                if not reused:
                    raise
                # An idle keep-alive connection the companion had already closed: resend once, fresh.
                self.close()
                connection = self._connect()
                status, answer, keep_alive = connection.request(body)
        except _NoAnswer as exc:
            self.close()
            raise LinkError("companion_unavailable", f"the companion closed the connection ({exc})") from None
        except _TooLarge as exc:
            self.close()  # the rest of that answer is still in flight: this connection is done
            raise LinkError(
                "too_large", f"the companion's answer ({exc.size} bytes) exceeds the {MAX_ANSWER_BYTES}-byte cap"
            ) from None
        except TimeoutError:
            self.close()
            raise LinkError(
                "companion_unavailable", f"the companion did not answer within {self.answer_timeout:.0f} s"
            ) from None
        except LinkError:
            self.close()
            raise
        except OSError as exc:
            self.close()
            raise LinkError("companion_unavailable", f"the connection to the companion failed ({exc})") from None
        if not keep_alive:
            self.close()
        return status, answer

    def _connect(self) -> _HttpConnection:
        self.close()
        found = self._reach()
        if found is None:
            found = self._start_and_wait()
        sock, port = found
        try:
            token = self._read_token()
        except LinkError:
            sock.close()
            raise
        sock.settimeout(self.answer_timeout)
        self._connection = _HttpConnection(sock, port, token, self.browser)
        return self._connection

    def _path(self, name: str) -> str:
        return os.path.join(self.data_dir, name)

    def _live_port(self) -> int | None:
        """The port in companion.json, if the companion that wrote it is still alive."""
        try:
            with open(self._path(RUNTIME_FILE), "rb") as f:
                runtime = loads(f.read().decode("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(runtime, dict):
            return None
        port, pid = runtime.get("port"), runtime.get("pid")
        if not isinstance(port, int) or not 0 < port < 65536 or not isinstance(pid, int) or pid <= 0:
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return None  # the pid now belongs to another user's process: our companion is gone
        return port

    def _reach(self) -> tuple[socket.socket, int] | None:
        port = self._live_port()
        if port is None:
            return None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(CONNECT_TIMEOUT_SECONDS)
        try:
            sock.connect((LOOPBACK, port))
        except OSError:
            sock.close()
            return None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, port

    def _start_and_wait(self) -> tuple[socket.socket, int]:
        import subprocess  # only on this cold path: it costs milliseconds on every start otherwise

        log_path = self._path(COMPANION_LOG)
        os.makedirs(self.data_dir, mode=0o700, exist_ok=True)
        try:
            with open(log_path, "ab") as log:
                process = subprocess.Popen(
                    self.start_command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    cwd=self.data_dir,
                    start_new_session=True,  # outlives the host; the browser's signals do not reach it
                )
        except OSError as exc:
            raise LinkError("companion_unavailable", f"could not start the companion ({exc})") from None
        deadline = time.monotonic() + self.start_timeout
        delay = 0.02
        failed_at = 0.0
        while True:
            found = self._reach()
            if found is not None:
                return found
            code = process.poll()
            if code not in (None, 0):
                # Two browsers starting at once each start a companion; the one that loses the port exits
                # with an error while the winner is about to record itself. Look a little longer first.
                failed_at = failed_at or time.monotonic()
                if time.monotonic() - failed_at >= RACE_GRACE_SECONDS:
                    raise LinkError(
                        "companion_unavailable",
                        f"the companion exited at start (code {code}); see {log_path}",
                    )
            # code 0: `proffer serve` found another companion already running; keep looking for it.
            if time.monotonic() >= deadline:
                raise LinkError(
                    "companion_unavailable",
                    f"the companion did not start within {self.start_timeout:g} s; see {log_path}",
                )
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.25)

    def _read_token(self) -> str:
        path = self._path(TOKEN_FILE)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise LinkError("unauthorized", f"the token file {path} is missing; start the companion once") from None
        except OSError as exc:
            raise LinkError("unauthorized", f"cannot read the token file {path} ({exc})") from None
        try:
            info = os.fstat(fd)
            if info.st_uid != os.geteuid():
                raise LinkError("unauthorized", f"the token file {path} belongs to another user; refusing it")
            if info.st_mode & 0o077:
                raise LinkError(
                    "unauthorized",
                    f"the token file {path} is open to other users (mode {info.st_mode & 0o777:o}); "
                    f"refusing it — run `chmod 600 {path}`",
                )
            raw = os.read(fd, 4096)
        finally:
            os.close(fd)
        token = raw.strip()
        # The token goes into a header line: printable ASCII without spaces only, so it cannot inject one.
        if not token or not all(33 <= byte <= 126 for byte in token):
            raise LinkError("unauthorized", f"the token file {path} does not hold a valid token")
        return token.decode("ascii")
