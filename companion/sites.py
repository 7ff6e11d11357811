"""What "a site" is: the registrable domain of an origin, from the Public Suffix List.

Decisions and the ledger are kept per site, so that shop.example.co.uk and www.shop.example.co.uk are one
shop while two github.io pages are two. The list ships inside the ``publicsuffixlist`` package: nothing is
downloaded at run time.

IP addresses and single-label hosts (localhost, a router's name) are their own site *with their port*
(``127.0.0.1:8088``, ``[::1]:8000``, ``localhost:80``): on one machine or one network, every port may be a
different program, so a decision given to one must not apply to another. The port is always written, the
scheme's default included, so http and https on one address are two sites.

Before that rule, such a site was the bare host (``127.0.0.1``, ``::1``, ``localhost``). Decisions and wallet
sites saved that way match no page now, and are not migrated: a bare host says nothing of the port (every
port of the address was that one site, so a decision given on one port was used on all of them), and a
guessed port would let a standing "always" fill, without asking, whatever program listens there now
(loopback http is auto-filled). ``portless`` finds them, so the dashboard shows them as stale, for the person
to decide again on the page itself. Ledger entries recorded under such a site stay as they are (the ledger is
append-only and chained): the ledger's page for the site says they are from before ports, and its sites list
and who-knows-what grid mark the site with the same words.

The scheme is not part of a site: what decides whether a standing "always" may fill without asking is
``trustworthy``, checked on every fill.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def host_of(origin_or_url: str) -> str:
    return (urlsplit(origin_or_url).hostname or "").rstrip(".").lower()


DEFAULT_PORTS = {"http": 80, "https": 443}


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def site_of(origin_or_url: str) -> str:
    """The registrable domain of a URL or origin; host and port for an IP address or a single-label host;
    '' when it has no host or a port that cannot be."""
    host = host_of(origin_or_url)
    if not host:
        return ""
    ip = _ip(host)
    if ip is None and "." in host:
        return _psl().privatesuffix(host) or host
    parts = urlsplit(origin_or_url)
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return ""
    name = f"[{host}]" if ip is not None and ip.version == 6 else host
    return f"{name}:{port}" if port else name


def portless(site: str) -> bool:
    """Whether ``site`` is a local address as sites were named before they had a port (a bare IP address or
    single-label host): it matches no page now."""
    return _ip(site) is not None or (bool(site) and "." not in site and ":" not in site)


def local(site: str) -> bool:
    """Whether ``site`` is an IP address or single-label host (with its port, or bare as before): a site of its
    own, with no subdomains. Registrable domains never hold a colon; these always do, or are ``portless``."""
    return ":" in site or portless(site)


# W3C Secure Contexts' loopback ranges, spelled out: ``is_loopback`` itself counts IPv4-mapped addresses
# (::ffff:127.0.0.1) in newer Pythons only, and the extension's rule must not depend on the Python it meets.
LOOPBACK_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def trustworthy(origin_or_url: str) -> bool:
    """Whether a page's values cannot be read or its page swapped by someone on the network: https, or http
    on a loopback host (localhost, a name under .localhost, 127.0.0.0/8, [::1]: the W3C Secure Contexts
    "potentially trustworthy" origins Proffer meets). A standing "always" fills only such pages without
    asking; a plain-http page can be an attacker's on café Wi-Fi. The extension's approval window warns by the
    same rule (``trustworthy`` in extension/background/page-info.js); tests/fixtures/trustworthy-origins.json
    holds the cases both are tested against. Something that is no URL (no host, a broken IPv6 address, a port
    out of range) is not trustworthy."""
    try:
        parts = urlsplit(origin_or_url)
        _ = parts.port  # raises ValueError for a port that cannot be
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host or scheme not in DEFAULT_PORTS:
        return False
    if scheme == "https":
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    ip = _ip(host)
    return ip is not None and any(ip in net for net in LOOPBACK_NETWORKS)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def path_of(url: str) -> str:
    """The page path with no query string or fragment: those often carry personal or tracking data."""
    return urlsplit(url).path or "/"
