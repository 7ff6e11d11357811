"""Which local user is at the other end of a loopback connection.

The companion listens on 127.0.0.1, which every program on the computer can reach, whoever runs it. The
native endpoint's bearer token lives in a file only the person can read, and the dashboard's session
cookie is SameSite=Strict; but browsers send a cookie for 127.0.0.1 to every port of it, so a server that
another user of the same machine runs on some other port, visited by the person's browser, receives the
session cookie and could replay it. Asking the kernel who owns the connecting socket closes that door:
the companion answers only programs running as its own user (the person's browser, the native host the
browser starts, the ``proffer`` command).

On Linux the kernel lists every TCP socket of this network namespace, with its owner's uid, in
``/proc/net/tcp`` (IPv4) and ``/proc/net/tcp6``. The connecting socket is the one whose local address is
our peer's address and whose remote address is ours. Where there is no such table (another system, a
sandbox without ``/proc``), users cannot be told apart and the check is off; ``peer_check_available``
says so, and the server logs it at start.
"""

from __future__ import annotations

import asyncio
import ipaddress
import sys
from pathlib import Path
from weakref import WeakKeyDictionary

PROC_NET = Path("/proc/net")
_UID_COLUMN = 7  # sl, local_address, rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid


def peer_check_available(proc_net: Path = PROC_NET) -> bool:
    return (proc_net / "tcp").is_file()


def _kernel_form(host: str, port: int) -> str:
    """An address as the kernel prints it in /proc/net/tcp*: each 32-bit word of the address in host byte
    order as 8 hex digits, a colon, the port as 4 hex digits."""
    packed = ipaddress.ip_address(host).packed
    words = (int.from_bytes(packed[i : i + 4], sys.byteorder) for i in range(0, len(packed), 4))
    return "".join(f"{word:08X}" for word in words) + f":{port:04X}"


def uid_in_table(table: str, peer: tuple[str, int], local: tuple[str, int]) -> int | None:
    """The uid owning the socket at ``peer`` connected to ``local``, read from the text of a
    /proc/net/tcp* table, or None when no such connection is listed."""
    want_local, want_remote = _kernel_form(*peer), _kernel_form(*local)
    for line in table.splitlines()[1:]:
        columns = line.split()
        if len(columns) > _UID_COLUMN and columns[1] == want_local and columns[2] == want_remote:
            try:
                return int(columns[_UID_COLUMN])
            except ValueError:
                return None
    return None


def peer_uid(peer: tuple[str, int], local: tuple[str, int], proc_net: Path = PROC_NET) -> int | None:
    """The uid of the local program at the other end of the TCP connection ``peer`` → ``local``, or None
    when the kernel does not list it (a remote peer, a connection already gone, no /proc)."""
    version = ipaddress.ip_address(peer[0]).version
    try:
        table = (proc_net / ("tcp" if version == 4 else "tcp6")).read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return uid_in_table(table, peer, local)


class OwnUserOnly:
    """Admits a connection only when the kernel says its peer runs as ``uid``. A keep-alive connection is
    looked up once: the verdict is kept for as long as its transport lives."""

    def __init__(self, uid: int, proc_net: Path = PROC_NET) -> None:
        self.uid = uid
        self._proc_net = proc_net
        self._verdicts: WeakKeyDictionary[asyncio.BaseTransport, bool] = WeakKeyDictionary()

    def admits(self, transport: asyncio.BaseTransport | None) -> bool:
        if transport is None:  # the connection is already gone
            return False
        verdict = self._verdicts.get(transport)
        if verdict is None:
            peer, local = transport.get_extra_info("peername"), transport.get_extra_info("sockname")
            verdict = (
                isinstance(peer, tuple)
                and isinstance(local, tuple)
                and peer_uid(peer[:2], local[:2], self._proc_net) == self.uid
            )
            self._verdicts[transport] = verdict
        return verdict
