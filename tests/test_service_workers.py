"""``serve --workers N``: N processes on one port, connections spread over them, clean stops.

These start the real server (``python -m dutybound.service serve``) in a subprocess, so they
cover the supervisor in ``service.workers`` end to end: sockets, signals and exit codes.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from dutybound.service import workers
from dutybound.service.keys import create_key, revoke_key
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
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

pytestmark = pytest.mark.skipif(
    not workers.supported(), reason="SO_REUSEPORT balancing is Linux-only"
)


def _serve(
    port: int, url: str | None, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """``python -m dutybound.service serve`` with two processes; ``url`` None: no --db."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dutybound.service",
            "serve",
            "--port",
            str(port),
            *(["--db", url] if url is not None else []),
            "--workers",
            "2",
            *extra,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_healthy(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, server.communicate()[1]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


def _wait_all_listening(server: subprocess.Popen) -> None:
    """Until the supervisor says every process listens (/health answers as soon as one does)."""
    said = threading.Event()

    def read() -> None:
        assert server.stderr is not None
        for line in server.stderr:
            if "server processes listening on" in line:
                said.set()
                return

    threading.Thread(target=read, daemon=True).start()
    assert said.wait(120), "the supervisor never said that every process listens"


def _server_processes(pid: int) -> list[int]:
    """The server processes the supervisor ``pid`` started (not multiprocessing's helper)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [
        int(p) for p in text.split() if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()
    ]


def _connections_held(pid: int, port: int, state: str = "01") -> int:
    """How many TCP sockets on local ``port`` in ``state`` (01: established, 0A: listening)
    process ``pid`` holds."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state:
                inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def _send_together(
    supervisor: int, port: int, requests: list[bytes]
) -> tuple[list[int], list[int]]:
    """Open one connection per request in one burst, send each request on its own connection;
    the status of each response, and how many of the connections each server process holds
    (while they are still open)."""
    pool = [socket.create_connection(("127.0.0.1", port)) for _ in requests]
    replies: list[int] = []
    try:
        for conn, request in zip(pool, requests, strict=True):
            conn.sendall(request)
        for conn in pool:
            with conn.makefile("rb") as reply:
                status = int(reply.readline().split()[1])
                length = 0
                while (line := reply.readline()) != b"\r\n":
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                reply.read(length)
                replies.append(status)
        return replies, [_connections_held(pid, port) for pid in _server_processes(supervisor)]
    finally:
        for conn in pool:
            conn.close()


def _check_together(
    supervisor: int,
    port: int,
    key: str,
    clients: int,
) -> tuple[list[int], list[int]]:
    """``clients`` connections opened in one burst (as a connection pool or the bench opens
    them), then one check on each; returns the server processes and how many of the
    connections each holds (while they are still open)."""
    pool = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
    try:
        for n, conn in enumerate(pool):
            body = json.dumps(
                {
                    "profile": US_AGENCY,
                    "as_of": "2026-11-28",
                    "item": {**DAHUA, "asset_id": f"cam-{n}"},
                }
            ).encode()
            conn.sendall(
                b"POST /check HTTP/1.1\r\nHost: localhost\r\nX-API-Key: %s\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (key.encode(), len(body), body)
            )
        for conn in pool:
            with conn.makefile("rb") as reply:
                assert reply.readline().startswith(b"HTTP/1.1 200"), "check failed"
                length = 0
                while (line := reply.readline()) != b"\r\n":
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                assert json.loads(reply.read(length))["verdict"] == "prohibited"
        processes = _server_processes(supervisor)
        return processes, [_connections_held(pid, port) for pid in processes]
    finally:
        for conn in pool:
            conn.close()


def _kill_group(server: subprocess.Popen) -> None:
    """SIGKILL the supervisor and every process it started (a failed test leaves none)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


def _stop(server: subprocess.Popen) -> int:
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        raise


def test_connections_opened_together_reach_both_processes(tmp_path: Path) -> None:
    """20 keep-alive clients connecting at once: with one shared socket the first process to
    wake took nearly all of them; with a socket per process, each holds some, every check
    gets its verdict, and SIGTERM stops the whole group with status 0."""
    url = f"sqlite:///{tmp_path / 'service.db'}"
    key = create_key(url, "A").secret
    port = free_port()
    server = _serve(port, url)
    try:
        _wait_all_listening(server)
        processes, held = _check_together(server.pid, port, key, 20)
        assert len(processes) == 2
        assert sum(held) == 20 and min(held) >= 1, held
        assert _stop(server) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in processes)
    finally:
        if server.poll() is None:
            _kill_group(server)
        server.communicate()


def test_a_process_that_dies_is_replaced(tmp_path: Path) -> None:
    port = free_port()
    server = _serve(port, f"sqlite:///{tmp_path / 'service.db'}")
    try:
        _wait_all_listening(server)
        first, second = _server_processes(server.pid)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while True:
            now = _server_processes(server.pid)
            if (
                len(now) == 2
                and first not in now
                and all(_connections_held(pid, port, state="0A") for pid in now)
            ):
                break
            assert time.monotonic() < deadline, "no replacement process"
            time.sleep(0.2)
        assert second in now
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
        assert _stop(server) == 0
    finally:
        _kill_group(server)
        server.communicate()


def test_processes_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves the supervisor no chance to stop its processes: they notice and exit
    rather than keep serving on the port unsupervised."""
    port = free_port()
    server = _serve(port, f"sqlite:///{tmp_path / 'service.db'}")
    try:
        _wait_healthy(server, port)
        processes = _server_processes(server.pid)
        assert len(processes) == 2
        server.kill()
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in processes):
            assert time.monotonic() < deadline, "server processes outlived their supervisor"
            time.sleep(0.1)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
    finally:
        _kill_group(server)
        server.communicate()


def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    """Another program (or another dutybound server) on the port: exit 2, naming it, instead
    of silently sharing the port's connections with it."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        server = _serve(port, f"sqlite:///{tmp_path / 'service.db'}")
        _, stderr = server.communicate(timeout=120)
    assert server.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in stderr


def test_a_process_failing_at_startup_stops_the_group(tmp_path: Path) -> None:
    """A fault that would fail every restart the same way (here a missing law directory) ends
    the server with status 1 instead of restarting processes forever."""
    server = _serve(
        free_port(),
        f"sqlite:///{tmp_path / 'service.db'}",
        "--law-dir",
        str(tmp_path / "no-such-law"),
    )
    _, stderr = server.communicate(timeout=120)
    assert server.returncode == 1
    assert "failed at startup" in stderr


def test_settings_from_the_environment_reach_every_process(tmp_path: Path) -> None:
    """The service is configured by DUTYBOUND_* variables alone (no --db): every process has
    the database, the body limit, and the key cache time (0: a revoked key is refused at once
    by each of them)."""
    url = f"sqlite:///{tmp_path / 'service.db'}"
    key = create_key(url, "A")
    port = free_port()
    server = _serve(
        port,
        None,
        env={
            "DUTYBOUND_DATABASE_URL": url,
            "DUTYBOUND_MAX_BODY_BYTES": "2000",
            "DUTYBOUND_KEY_CACHE_SECONDS": "0",
        },
    )

    roles = b"GET /law/roles HTTP/1.1\r\nHost: localhost\r\nX-API-Key: %s\r\n\r\n" % (
        key.secret.encode()
    )

    def together(requests: list[bytes]) -> set[int]:
        """The statuses of 20 requests sent at once; both processes answered some."""
        statuses, held = _send_together(server.pid, port, requests * 20)
        assert len(held) == 2 and min(held) >= 1, held
        return set(statuses)

    try:
        _wait_all_listening(server)
        big = b"{" + b" " * 2500 + b"}"
        too_big = (
            b"POST /check HTTP/1.1\r\nHost: localhost\r\nX-API-Key: %s\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (key.secret.encode(), len(big), big)
        )
        assert together([too_big]) == {413}
        assert together([roles]) == {200}
        revoke_key(url, key.id)
        assert together([roles]) == {401}
        assert _stop(server) == 0
    finally:
        _kill_group(server)
        server.communicate()


def test_a_setting_it_cannot_read_is_refused_before_anything_starts(tmp_path: Path) -> None:
    server = _serve(
        free_port(),
        f"sqlite:///{tmp_path / 'service.db'}",
        env={"DUTYBOUND_CHECK_CACHE_BYTES": "64MB"},
    )
    _, stderr = server.communicate(timeout=120)
    assert server.returncode == 2
    assert stderr == "error: DUTYBOUND_CHECK_CACHE_BYTES: not a whole number of bytes: '64MB'\n"
