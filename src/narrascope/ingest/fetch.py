"""Fetch one URL safely: only when asked, with a timeout and a size cap, never inside our network.

A service that fetches URLs for users can be turned against the machine it runs on (cloud
metadata at 169.254.169.254, admin pages on localhost). Every address a host name resolves to,
and every redirect hop, is checked; the connected peer is checked again after connecting so a
DNS answer that changes between the check and the connection is caught too.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from narrascope.errors import FetchError

TIMEOUT = 10.0
MAX_BYTES = 10_000_000
MAX_REDIRECTS = 5
USER_AGENT = "narrascope (+https://pypi.org/project/narrascope/)"


@dataclass
class Fetched:
    url: str
    content: bytes
    content_type: str


def refused_reason(address: str) -> str | None:
    """Why an address must not be fetched, or None when it is a public address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for flag, reason in (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_private, "private"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_reserved, "reserved"),
    ):
        if flag:
            return f"{reason} address {ip}"
    return None


def _check_host(host: str, port: int, allow_private: bool) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchError(f"cannot resolve host {host!r}: {err}") from None
    for info in infos:
        reason = refused_reason(str(info[4][0]))
        if reason and not allow_private:
            raise FetchError(f"refused to fetch {host!r}: it resolves to a {reason}")


class _CheckedHTTP(http.client.HTTPConnection):
    allow_private = False

    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock, self.allow_private)


class _CheckedHTTPS(http.client.HTTPSConnection):
    allow_private = False

    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock, self.allow_private)


def _check_peer(sock: socket.socket, allow_private: bool) -> None:
    reason = refused_reason(sock.getpeername()[0])
    if reason and not allow_private:
        sock.close()
        raise FetchError(f"refused: connected peer is a {reason}")


def fetch(url: str, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, allow_private: bool = False) -> Fetched:
    """GET ``url`` following at most five redirects, each hop checked again."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"only http and https URLs can be fetched, not {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        _check_host(parts.hostname, port, allow_private)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = _CheckedHTTPS(parts.hostname, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = _CheckedHTTP(parts.hostname, port, timeout=timeout)
        conn.allow_private = allow_private
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain,*/*"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status >= 400:
                raise FetchError(f"cannot fetch {url}: HTTP {response.status} {response.reason}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(
                    f"refused {url}: {int(declared) / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB cap"
                )
            content = response.read(max_bytes + 1)
            if len(content) > max_bytes:
                raise FetchError(f"refused {url}: larger than the {max_bytes / 1e6:.0f} MB cap")
            return Fetched(url, content, response.getheader("Content-Type", ""))
        except (OSError, http.client.HTTPException) as err:
            raise FetchError(f"cannot fetch {url}: {err or type(err).__name__}") from None
        finally:
            conn.close()
    raise FetchError(f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects")


ROBOTS_MAX_BYTES = 500_000
_robots: dict[str, Any] = {}


def robots_allowed(url: str, timeout: float = TIMEOUT, allow_private: bool = False) -> bool:
    """Whether the site's robots.txt lets narrascope fetch *url* (read once per site, through the
    same checks as any fetch). No robots.txt (or an error other than 401/403) allows everything;
    401/403 disallows everything, as Python's own robot parser reads it."""
    from urllib.robotparser import RobotFileParser

    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc}"
    parser = _robots.get(site)
    if parser is None:
        robots = RobotFileParser(site + "/robots.txt")
        try:
            page = fetch(site + "/robots.txt", timeout=timeout, max_bytes=ROBOTS_MAX_BYTES, allow_private=allow_private)
            robots.parse(page.content.decode("utf-8", errors="replace").splitlines())
        except FetchError as error:
            denied = " HTTP 401 " in str(error) or " HTTP 403 " in str(error)
            robots.parse(["User-agent: *", "Disallow: /"] if denied else [])
        _robots[site] = parser = robots
    return bool(parser.can_fetch(USER_AGENT, url))
