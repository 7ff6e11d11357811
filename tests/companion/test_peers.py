"""The companion answers only programs running as its own user (peers.py, and the guard that uses it).

The decisive tests are real: a second process, running as another user, connects over loopback TCP to a
real companion with the person's bearer token or session cookie, and the kernel's socket table is what
tells it apart. They need root to start that process (CI runs as root).
"""

import asyncio
import json
import os
import shutil
import socket
import stat
import sys
from pathlib import Path

import pytest

from companion.appkeys import CORE, PEERS
from companion.peers import OwnUserOnly, peer_uid, uid_in_table
from tests.companion.conftest import PASSPHRASE
from tests.companion.dashboard.test_security import login

NOBODY = 65534
HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def kernel_line(local: str, remote: str, uid: int) -> str:
    return (
        f"   3: {local} {remote} 01 00000000:00000000 00:00000000 00000000 {uid:5d}        0 4242 1 0 20 4 30 10 -1\n"
    )


@pytest.mark.skipif(sys.byteorder != "little", reason="the expected hex is written for a little-endian kernel")
def test_the_connecting_socket_is_found_by_its_address_pair():
    # 127.0.0.1:51000 -> 127.0.0.1:47615 as a little-endian kernel prints it; the listener and the
    # companion's own end of the connection are listed too, with other owners.
    table = (
        HEADER
        + kernel_line("0100007F:B9FF", "00000000:0000", 0)  # the listening socket
        + kernel_line("0100007F:B9FF", "0100007F:C738", 0)  # our end of the connection
        + kernel_line("0100007F:C738", "0100007F:B9FF", 1000)  # the peer's end: this one
        + kernel_line("0100007F:C739", "0100007F:B9FF", 1001)  # another connection to us
    )
    assert uid_in_table(table, ("127.0.0.1", 51000), ("127.0.0.1", 47615)) == 1000
    assert uid_in_table(table, ("127.0.0.1", 51001), ("127.0.0.1", 47615)) == 1001
    assert uid_in_table(table, ("127.0.0.1", 51002), ("127.0.0.1", 47615)) is None


def test_a_garbled_table_names_nobody():
    table = HEADER + "   3: 0100007F:C738 0100007F:B9FF 01\n" + "junk\n"
    assert uid_in_table(table, ("127.0.0.1", 51000), ("127.0.0.1", 47615)) is None


def test_without_a_socket_table_nobody_is_named(tmp_path):
    assert peer_uid(("127.0.0.1", 51000), ("127.0.0.1", 47615), proc_net=tmp_path) is None


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="needs Linux's /proc/net/tcp")
@pytest.mark.parametrize("family, host", [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")])
def test_the_kernel_names_our_own_connections_as_ours(family, host):
    with socket.socket(family) as listener:
        try:
            listener.bind((host, 0))
        except OSError:
            pytest.skip(f"no {host} on this machine")
        listener.listen()
        with socket.socket(family) as client:
            client.connect(listener.getsockname()[:2])
            accepted, _ = listener.accept()
            with accepted:
                peer, local = accepted.getpeername()[:2], accepted.getsockname()[:2]
                assert peer_uid(peer, local) == os.geteuid()
                assert peer_uid(local, peer) == os.geteuid()  # the companion's own end is ours too


class FakeTransport:
    def __init__(self, peer, local):
        self.extra = {"peername": peer, "sockname": local}
        self.asked = 0

    def get_extra_info(self, name):
        self.asked += 1
        return self.extra.get(name)


def test_a_keep_alive_connection_is_looked_up_once(tmp_path):
    (tmp_path / "tcp").write_text(HEADER + kernel_line("0100007F:C738", "0100007F:B9FF", 1000))
    check = OwnUserOnly(1000, proc_net=tmp_path)
    transport = FakeTransport(("127.0.0.1", 51000), ("127.0.0.1", 47615))
    assert check.admits(transport) and check.admits(transport)
    assert transport.asked == 2  # peername and sockname, once
    (tmp_path / "tcp").write_text(HEADER)
    assert check.admits(transport)  # the verdict is the connection's, not re-read per request


@pytest.mark.skipif(sys.byteorder != "little", reason="the table is written for a little-endian kernel")
def test_another_user_a_gone_connection_or_a_unix_socket_is_refused(tmp_path):
    (tmp_path / "tcp").write_text(HEADER + kernel_line("0100007F:C738", "0100007F:B9FF", 1001))
    check = OwnUserOnly(1000, proc_net=tmp_path)
    assert not check.admits(FakeTransport(("127.0.0.1", 51000), ("127.0.0.1", 47615)))
    assert not check.admits(FakeTransport(("127.0.0.1", 51009), ("127.0.0.1", 47615)))
    assert not check.admits(FakeTransport("/run/some.sock", ""))
    assert not check.admits(None)


async def test_a_real_companion_checks_its_peers_where_the_kernel_can_tell(companion):
    assert (PEERS in companion.app) == Path("/proc/net/tcp").is_file()


# --- another user of the same computer, for real ---------------------------------------------------

# Run as another user: it can read neither the token file nor the cookie jar, so it is handed what a
# thief would have (a session cookie sent to its own server on another port, a copied token).
CLIENT = """
import http.client, json, sys
port, cookie, token = sys.argv[1], sys.argv[2], sys.argv[3]
statuses = {}
for name, method, path, headers, body in [
    ("unlock page", "GET", "/unlock", {}, None),
    ("dashboard with the person's cookie", "GET", "/", {"Cookie": "proffer_session=" + cookie}, None),
    ("native with the person's token", "POST", "/native",
     {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
     json.dumps({"v": 1, "id": "p-1", "type": "system.ping", "payload": {}})),
]:
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=20)
    connection.request(method, path, body=body, headers=headers)
    statuses[name] = connection.getresponse().status
    connection.close()
print(json.dumps(statuses))
"""


def python_anyone_can_run() -> str | None:
    """An interpreter another user may execute: every directory on its path and the file world-executable."""
    for candidate in (sys.executable, shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")):
        if not candidate:
            continue
        path = Path(candidate).resolve()
        if all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents)):
            return str(path)
    return None


async def run_as(uid: int, *args: str) -> dict:
    python = python_anyone_can_run()
    if python is None:
        pytest.skip("no Python interpreter that another user may run")
    process = await asyncio.create_subprocess_exec(
        python, "-I", "-c", CLIENT, *args,
        user=uid, group=uid, extra_groups=[], cwd="/", env={"PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return json.loads(out)


@pytest.mark.skipif(os.geteuid() != 0, reason="starting a process as another user needs root (CI runs as root)")
@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="needs Linux's /proc/net/tcp")
async def test_another_user_with_the_persons_cookie_and_token_is_refused(companion):
    companion.app[CORE].create(PASSPHRASE)
    await login(companion)
    cookie = companion.session.cookie_jar.filter_cookies(companion.make_url("/"))["proffer_session"].value

    theirs = await run_as(NOBODY, str(companion.port), cookie, companion.token)
    assert theirs == {
        "unlock page": 403,
        "dashboard with the person's cookie": 403,
        "native with the person's token": 403,
    }
    # The same requests from the person's own user are answered: it is the user, not the request, refused.
    assert (await companion.get("/", allow_redirects=False)).status == 200
    ours = await run_as(os.geteuid(), str(companion.port), cookie, companion.token)
    assert ours == {
        "unlock page": 200,
        "dashboard with the person's cookie": 200,
        "native with the person's token": 200,
    }
