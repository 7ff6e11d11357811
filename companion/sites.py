"""What "a site" is: the registrable domain of an origin, from the Public Suffix List.

Decisions and the ledger are kept per site, so that shop.example.co.uk and www.shop.example.co.uk are one
shop while two github.io pages are two. The list ships inside the ``publicsuffixlist`` package: nothing is
downloaded at run time. IP addresses and single-label hosts (localhost) are their own site.
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


@lru_cache(maxsize=4096)
def site_of(origin_or_url: str) -> str:
    """The registrable domain of a URL or origin ('' when it has no host)."""
    host = host_of(origin_or_url)
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    return _psl().privatesuffix(host) or host


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def path_of(url: str) -> str:
    """The page path with no query string or fragment: those often carry personal or tracking data."""
    return urlsplit(url).path or "/"
