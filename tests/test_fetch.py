"""URL fetching against a real local HTTP server (allowed only by the explicit test switch)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from narrascope.errors import FetchError
from narrascope.ingest.fetch import fetch, refused_reason, robots_allowed

ARTICLE = (
    b"<html><body><article><p>"
    + b"The harbour plan was approved by the council. " * 20
    + b"</p></article></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/article": (200, {"Content-Type": "text/html"}, ARTICLE),
            "/big": (200, {"Content-Type": "text/html"}, b"x" * 5000),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data"}, b""),
            "/missing": (404, {}, b"not here"),
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("8.8.8.8", None),
    ],
)
def test_refused_reason(address: str, reason: str | None) -> None:
    found = refused_reason(address)
    assert (found is None) if reason is None else (found is not None and reason in found)


def test_loopback_refused_by_default(server: str) -> None:
    with pytest.raises(FetchError, match="loopback"):
        fetch(server + "/article")


def test_fetch_when_allowed(server: str) -> None:
    page = fetch(server + "/article", allow_private=True)
    assert page.content == ARTICLE and page.content_type == "text/html"


def test_size_cap(server: str) -> None:
    with pytest.raises(FetchError, match="cap"):
        fetch(server + "/big", allow_private=True, max_bytes=1000)


def test_http_error(server: str) -> None:
    with pytest.raises(FetchError, match="404"):
        fetch(server + "/missing", allow_private=True)


def test_only_http_schemes() -> None:
    with pytest.raises(FetchError, match="http and https"):
        fetch("file:///etc/passwd")


def test_robots_txt_is_obeyed(server: str) -> None:
    assert robots_allowed(server + "/article", allow_private=True)
    assert not robots_allowed(server + "/private/report", allow_private=True)


def test_ingest_refuses_urls_without_fetch_and_private_ones_with_it(server: str) -> None:
    from narrascope.store.inputs import read_inputs

    without, loopback = list(read_inputs([server + "/article"])), list(read_inputs([server + "/article"], fetch=True))
    assert without[0].document is None and without[0].error and "--fetch" in without[0].error
    assert loopback[0].document is None and loopback[0].error and "loopback" in loopback[0].error
