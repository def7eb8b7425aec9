"""/docs and /redoc on an air-gapped network: the pages reference only the service's own URLs,
every asset they reference is served, and all of it loads with outbound connections refused."""

from __future__ import annotations

import re
import socket
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from dutybound.service.app import create_app
from dutybound.service.settings import Settings


class _References(HTMLParser):
    """Every URL a page makes the browser load: script sources, stylesheet and icon links."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "spec-url"):
            if values.get(name):
                self.urls.append(str(values[name]))


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    # Swagger UI takes the document's URL in its inline script
    parser.urls += re.findall(r"url: '([^']+)'", html)
    return parser.urls


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every connection to anything but loopback is refused (and noted)."""
    attempts: list[object] = []
    connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family == socket.AF_UNIX or str(host) in ("127.0.0.1", "::1", "localhost"):
            return connect(sock, address)
        attempts.append(address)
        raise OSError(f"network is unreachable (test): {address}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


@pytest.mark.parametrize(("page", "expected"), [("/docs", 4), ("/redoc", 3)])
def test_doc_pages_reference_only_the_service_itself(client, page, expected) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    # no URL to another host anywhere in the page (the only absolute URLs would be a CDN's)
    assert not re.search(r"(https?:)?//[A-Za-z0-9]", html), html
    urls = _references(html)
    assert len(urls) == expected, urls
    assert all(u.startswith("/") for u in urls)
    assert "/openapi.json" in urls
    if page == "/docs":
        assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


def test_every_referenced_asset_is_served(client) -> None:
    seen = {}
    for page in ("/docs", "/redoc"):
        for url in _references(client.get(page).text):
            response = client.get(url)
            assert response.status_code == 200, url
            seen[url] = response
    js = seen["/docs/assets/swagger-ui-bundle.js"]
    assert js.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in js.content and len(js.content) > 500_000
    assert seen["/docs/assets/swagger-ui.css"].headers["content-type"].startswith("text/css")
    assert b".swagger-ui" in seen["/docs/assets/swagger-ui.css"].content
    assert b"Redoc" in seen["/docs/assets/redoc.standalone.js"].content
    assert seen["/docs/assets/favicon.png"].content.startswith(b"\x89PNG")
    assert seen["/openapi.json"].json()["info"]["title"] == "dutybound"


def test_only_the_pages_assets_are_served(client) -> None:
    # the package's other files, and anything outside it, are not reachable
    for name in ("__init__.py", "..%2Fcore.py", "../core.py", "favicon.PNG"):
        assert client.get(f"/docs/assets/{name}").status_code in (404, 422), name


def test_docs_load_with_the_network_blocked(client, no_network) -> None:
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200
        for url in _references(response.text):
            assert client.get(url).status_code == 200, url
    # the guard does refuse: an outside connection fails while the pages loaded
    with pytest.raises(OSError, match="unreachable"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    assert no_network == [("192.0.2.1", 443)]


def test_docs_pages_are_not_in_the_api_reference(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/docs", "/redoc"} & set(paths)
    assert not any(p.startswith("/docs/") for p in paths)


def test_docs_follow_the_proxy_prefix(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    client = TestClient(app, root_path="/dutybound")
    urls = _references(client.get("/docs").text)
    assert urls and all(u.startswith("/dutybound/") for u in urls)


def _browser() -> str | None:
    import shutil

    return next(
        (p for n in ("chromium", "chromium-browser") if (p := shutil.which(n)) is not None), None
    )


@pytest.mark.skipif(_browser() is None, reason="no headless Chromium on this machine")
@pytest.mark.parametrize(("page", "rendered"), [("/docs", "opblock"), ("/redoc", "operation/")])
def test_a_browser_without_network_renders_the_pages(tmp_path: Path, page, rendered) -> None:
    """Headless Chromium with every name unresolvable and every non-loopback connection sent to
    a dead proxy loads the page from a real socket and renders the operations (Swagger UI's
    operation blocks, ReDoc's operation anchors), which needs every script and style to load."""
    import subprocess
    import threading
    import time

    import uvicorn

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    # port 0: the kernel picks a free port at the bind itself (no probe another process could race)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        browser = subprocess.run(
            [
                str(_browser()),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9",
                "--virtual-time-budget=15000",
                "--dump-dom",
                f"http://127.0.0.1:{port}{page}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    dom = browser.stdout
    assert browser.returncode == 0, browser.stderr[-2000:]
    assert rendered in dom, dom[:2000]
    assert "/vendors/screen" in dom and "/check" in dom
