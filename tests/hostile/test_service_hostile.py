"""A hostile network against the HTTP service (issue 19, items 2, 9, 16 and the HTTP part of 17).

Slow clients are real sockets against a real server (uvicorn with the service's connection
guards, ``service.connections``); the denial-of-service case runs ``dutybound serve`` itself
under a 256 open-files limit, as the probe that found it did with 1,024. Values no store can
hold are sent as raw JSON text, since a JSON encoder would not produce some of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from dutybound.service.app import create_app, server_config
from dutybound.service.keys import create_key
from dutybound.service.settings import Settings
from tests.ports import free_port

AS_OF = "2026-11-28"
US_AGENCY = {
    "name": "Federal Building Office",
    "jurisdictions": ["US"],
    "roles": ["us.federal_agency"],
}
DAHUA = {
    "vendor": "Dahua Technology",
    "category": "video_surveillance",
    "function": "physical_security",
    "use": "government_facility_security",
    "country": "US",
}
CAMERA = {**DAHUA, "asset_id": "cam-1", "status": "installed"}
PARTIAL_HEAD = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: "


@contextlib.contextmanager
def serving(tmp_path: Path, **limits: Any) -> Iterator[int]:
    """A real server (the service's uvicorn configuration) on a free port, in a thread."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", **limits)
    # port 0: the kernel picks a free port at the bind itself, so no other process (another
    # pytest-xdist worker) can take it between a probe and the bind
    config = server_config(
        create_app(settings), settings, host="127.0.0.1", port=0, log_level="critical"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.02)
        port: int = server.servers[0].sockets[0].getsockname()[1]
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def _read_until_closed(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and when it closed (seconds from now)."""
    start = time.monotonic()
    sock.settimeout(limit)
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    return data, time.monotonic() - start


# -- item 2: slow clients ------------------------------------------------------------------


def test_a_client_trickling_its_headers_gets_408_and_is_closed_at_the_header_timeout(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, header_timeout_seconds=1.0) as port, _connect(port) as sock:
        start = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        # a byte every 0.1 s: each byte arrives well within any per-read timeout
        closed = False
        for byte in b"Host: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.1)
            if time.monotonic() - start > 4:
                break
        data, _ = _read_until_closed(sock, 5)
        elapsed = time.monotonic() - start
    assert data.startswith(b"HTTP/1.1 408 "), data[:200]
    assert b"request head not received within 1 s" in data
    assert closed or elapsed < 4.0, f"still open after {elapsed:.1f} s"
    assert elapsed >= 0.9, f"closed after {elapsed:.2f} s, before the timeout"


def test_a_connection_that_sends_nothing_is_closed_silently_at_the_header_timeout(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, header_timeout_seconds=1.0) as port, _connect(port) as sock:
        data, elapsed = _read_until_closed(sock, 5)
    assert data == b""
    assert 0.9 <= elapsed < 3.0, f"closed after {elapsed:.2f} s"


def test_a_body_sent_too_slowly_gets_408_at_the_body_timeout(tmp_path: Path) -> None:
    with serving(tmp_path, body_timeout_seconds=1.0) as port, _connect(port) as sock:
        start = time.monotonic()
        sock.sendall(
            b"POST /check HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b'X-API-Key: dbk_none\r\nContent-Length: 100\r\n\r\n{"profile"'
        )
        data, _ = _read_until_closed(sock, 5)
        elapsed = time.monotonic() - start
    assert data.startswith(b"HTTP/1.1 408 "), data[:200]
    assert b"request body not received within 1 s" in data
    assert 0.9 <= elapsed < 3.0, f"answered after {elapsed:.2f} s"


def test_a_request_head_over_the_size_limit_gets_431(tmp_path: Path) -> None:
    with serving(tmp_path, max_header_bytes=4096) as port, _connect(port) as sock:
        head = b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
        head += b"".join(b"X-Pad-%d: %s\r\n" % (n, b"a" * 100) for n in range(60))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head + b"\r\n")
        data, _ = _read_until_closed(sock, 5)
    assert data.startswith(b"HTTP/1.1 431 "), data[:200]
    assert b"over 4096 bytes" in data


def test_a_prompt_client_is_answered_while_slow_clients_fill_every_connection_place(
    tmp_path: Path,
) -> None:
    """At the connection limit a new connection closes the one that has waited longest for a
    request head: 60 slow clients against a limit of 20 hold at most 20 places, and /health,
    opened last, is answered."""
    with serving(tmp_path, max_connections=20, header_timeout_seconds=60) as port:
        slow = []
        for _ in range(60):
            sock = _connect(port)
            sock.sendall(PARTIAL_HEAD)
            slow.append(sock)
        time.sleep(0.5)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            assert client.get("/health").status_code == 200
        still_open = 0
        for sock in slow:
            sock.settimeout(0.2)
            try:
                still_open += sock.recv(1) != b""
            except TimeoutError:
                still_open += 1
            except ConnectionResetError:
                pass
            sock.close()
    assert still_open <= 20, f"{still_open} slow connections held at a limit of 20"
    assert still_open >= 10  # the limit evicts the oldest, it does not close everything


def _limit_open_files() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))


def test_serve_answers_health_while_more_slow_clients_than_open_files_are_connected(
    tmp_path: Path,
) -> None:
    """The probe of issue 19, scaled down: ``dutybound serve`` under a 256 open-files limit,
    400 connections each sending part of a request head and then nothing; /health must still
    answer. Before the guards the process ran out of descriptors, stopped accepting, and
    /health waited forever."""
    port = free_port()  # outside the ephemeral range: see tests/ports.py
    env = {**os.environ, "DUTYBOUND_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    for name in ("DUTYBOUND_MAX_CONNECTIONS", "DUTYBOUND_HEADER_TIMEOUT_SECONDS"):
        env.pop(name, None)
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "dutybound", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_limit_open_files,
        )
    slow: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            while True:
                assert process.poll() is None, log.read_text()
                with contextlib.suppress(httpx.TransportError):
                    if client.get("/health").status_code == 200:
                        break
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        start = time.monotonic()
        for _ in range(400):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            with contextlib.suppress(OSError):
                sock.sendall(PARTIAL_HEAD)
            slow.append(sock)
        # well within the 10 s header timeout: the slow clients are all still "sending"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            response = client.get("/health")
        assert time.monotonic() - start < 9
        assert response.status_code == 200
    finally:
        for sock in slow:
            sock.close()
        process.terminate()
        process.wait(timeout=30)


# -- item 16: serve on a taken port ----------------------------------------------------------


def test_serve_with_one_worker_on_a_taken_port_exits_2_naming_the_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "dutybound", "serve", "--port", str(port)],
            env={**os.environ, "DUTYBOUND_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


# -- items 9 and 17: what the request models accept is what the engine and stores can hold ----


@pytest.fixture(scope="module")
def api(module_database_url: str) -> dict[str, Any]:
    url = module_database_url
    app = create_app(Settings(database_url=url))
    return {
        "client": TestClient(app, raise_server_exceptions=False),
        "key": create_key(url, "A").secret,
        "app": app,
    }


def _stored_results(api: dict[str, Any]) -> int:
    from sqlalchemy import func, select

    from dutybound.service import db

    with api["app"].state.service.db.connect() as connection:
        count: int = connection.execute(select(func.count()).select_from(db.StoredResult)).scalar()
        return count


def _post_raw(api: dict[str, Any], path: str, text: str) -> httpx.Response:
    response: httpx.Response = api["client"].post(
        path,
        content=text.encode("utf-8"),
        headers={"X-API-Key": api["key"], "Content-Type": "application/json"},
    )
    return response


# (endpoint, body as JSON text with a placeholder for the hostile value, the loc expected)
_CHECK = json.dumps({"profile": US_AGENCY, "as_of": AS_OF, "item": {**DAHUA, "vendor": "@"}})
_EVALUATE = json.dumps({"profile": US_AGENCY, "as_of": AS_OF, "assets": [{**CAMERA, "site": "@"}]})
_PROFILE_ATTRIBUTE = json.dumps(
    {"profile": {**US_AGENCY, "attributes": {"us.x": "@"}}, "as_of": AS_OF, "item": DAHUA}
)
_DECISION = json.dumps(
    {"profile": US_AGENCY, "as_of": AS_OF, "item": DAHUA, "vendor_decisions": [{"note": "@"}]}
)
_REPORT = json.dumps({"profile": {**US_AGENCY, "name": "@"}, "as_of": AS_OF, "assets": [CAMERA]})
CASES = [
    ("/check", _CHECK, '"Dahua\\ud800"', ["body", "item", "vendor"]),
    ("/check", _CHECK, '"Dahua\\u0000"', ["body", "item", "vendor"]),
    ("/evaluate", _EVALUATE, '"\\udfff site"', ["body", "assets", 0, "site"]),
    ("/evaluate", _EVALUATE, '"site\\u0000"', ["body", "assets", 0, "site"]),
    ("/check", _PROFILE_ATTRIBUTE, str(10**20), ["body", "profile", "attributes"]),
    ("/check", _PROFILE_ATTRIBUTE, "NaN", ["body", "profile", "attributes"]),
    ("/check", _PROFILE_ATTRIBUTE, '"\\ud800"', ["body", "profile", "attributes"]),
    ("/check", _DECISION, '"\\ud83d"', ["body", "vendor_decisions"]),
    ("/check", _DECISION, str(-(10**30)), ["body", "vendor_decisions"]),
    ("/report", _REPORT, '"Office \\ud800"', ["body", "profile", "name"]),
    ("/profiles", json.dumps({**US_AGENCY, "name": "@"}), '"\\u0000"', ["body", "name"]),
]


@pytest.mark.parametrize(("path", "body", "value", "loc"), CASES)
def test_values_no_store_can_hold_are_422_naming_the_field(api, path, body, value, loc) -> None:
    before = _stored_results(api)
    response = _post_raw(api, path, body.replace('"@"', value))
    assert response.status_code == 422, response.text[:500]
    errors = response.json()["detail"]
    assert errors[0]["loc"][: len(loc)] == loc, errors
    assert _stored_results(api) == before


def test_quantity_accepts_the_value_domain_and_refuses_beyond_it(api) -> None:
    body = json.dumps({"profile": US_AGENCY, "as_of": AS_OF, "assets": [{**CAMERA, "quantity": 7}]})
    assert _post_raw(api, "/evaluate", body.replace(": 7", f": {10**12}")).status_code == 201
    response = _post_raw(api, "/evaluate", body.replace(": 7", f": {10**12 + 1}"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "assets", 0, "quantity"]


@pytest.mark.parametrize("path", ["/results/%00", "/profiles/%00"])
def test_an_id_with_a_nul_is_422_not_a_database_error(api, path) -> None:
    response = api["client"].get(path, headers={"X-API-Key": api["key"]})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "path"


def test_a_dotted_attribute_name_is_one_part_of_the_error_location(api) -> None:
    """Item 17: the engine names the field 'attributes.a.b'; the 422 keeps the key whole."""
    body = {"profile": {**US_AGENCY, "attributes": {"a.b": 1}}, "as_of": AS_OF, "item": DAHUA}
    response = _post_raw(api, "/check", json.dumps(body))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "profile", "attributes", "a.b"]
    stored = _post_raw(api, "/profiles", json.dumps({**US_AGENCY, "attributes": {"x.y.z": 1}}))
    assert stored.json()["detail"][0]["loc"] == ["body", "attributes", "x.y.z"]
