"""Throughput and latency of POST /check over HTTP, with 1, 10 and 50 concurrent clients.

Starts the service (``python -m dutybound.service serve``) in a subprocess on 127.0.0.1 with a
throw-away SQLite database and one API key, drives it from this process over loopback, and prints
checks/s and p50/p95/p99 latency per level; the server is stopped at the end. Each level is
bounded by a request count and a time limit. Every response is checked: status 200 and the
verdict expected for its case, else it counts as an error.

Two kinds of traffic, printed separately so both figures are visible:

- ``warm``: the requests rotate over the five verdict cases of tests/test_service.py (prohibited,
  allowed, prohibited, conditional, review), the same five questions over and over, as a
  procurement system re-checking its catalogue does. After the first five, the service's check
  cache answers (``service.cache``).
- ``cold``: the same five cases, but every request carries an asset id never sent before, so each
  one is a new question and is evaluated by the engine (a cache miss). This is the figure for
  traffic that never repeats.

The ``cache`` column is the share of responses the server marked ``X-Dutybound-Cache: hit``.

The client is a minimal HTTP/1.1 client on asyncio streams (one keep-alive connection per client,
uvloop when installed): the load generator shares the machine's cores with the server, and httpx's
async client spent more CPU per request than the cached server does. It is still a real client:
it writes each request to a socket and parses each response's status, headers and JSON body.

Targets (issue "Automated procurement checks"): p99 < 25 ms at 10 clients, >= 500 checks/s.

Run: python bench/bench_service.py [--workers N] [--no-cache] [--modes warm,cold]
     [--levels 1,10,50] [--requests 2000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent

US_AGENCY = {
    "name": "Federal Building Office",
    "jurisdictions": ["US"],
    "roles": ["us.federal_agency"],
}
UK_DVD = {
    "name": "UK Mobile",
    "jurisdictions": ["GB"],
    "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
}
CZ_CII = {"name": "Czech Grid", "jurisdictions": ["CZ"], "roles": ["cz.cii_administrator"]}
# (request body, expected verdict)
CASES: list[tuple[dict[str, Any], str]] = [
    (
        {
            "profile": US_AGENCY,
            "as_of": "2026-11-28",
            "item": {
                "vendor": "Dahua Technology",
                "category": "video_surveillance",
                "function": "physical_security",
                "use": "government_facility_security",
                "country": "US",
            },
        },
        "prohibited",
    ),
    (
        {
            "profile": UK_DVD,
            "as_of": "2026-11-28",
            "item": {
                "vendor": "Nokia Solutions and Networks",
                "category": "telecom_equipment",
                "function": "ran",
                "network": "5g",
            },
        },
        "allowed",
    ),
    (
        {
            "profile": UK_DVD,
            "as_of": "2022-10-13",
            "item": {
                "vendor": "HUAWEI TECHNOLOGIES CO.,LTD",
                "category": "telecom_equipment",
                "function": "ran",
                "network": "5g",
            },
        },
        "prohibited",
    ),
    (
        {
            "profile": CZ_CII,
            "as_of": "2024-06-01",
            "item": {"vendor": "Huawei", "category": "router", "function": "core"},
        },
        "conditional",
    ),
    (
        {
            "profile": US_AGENCY,
            "as_of": "2026-11-28",
            "item": {"vendor": "Shenzhen Xyz Tech", "category": "router", "function": "office_it"},
        },
        "review",
    ),
]

Payload = Callable[[int], tuple[bytes, str]]  # request number -> (JSON body, expected verdict)


def warm_payload() -> Payload:
    """The five cases in turn, each encoded once: the same questions again and again."""
    encoded = [(orjson.dumps(body), verdict) for body, verdict in CASES]
    return lambda n: encoded[n % len(encoded)]


def cold_payload(run_id: str) -> Payload:
    """The five cases in turn, each with a fresh asset id: every request is a new question."""

    def payload(n: int) -> tuple[bytes, str]:
        body, verdict = CASES[n % len(CASES)]
        item = {**body["item"], "asset_id": f"cold-{run_id}-{n}"}
        return orjson.dumps({**body, "item": item}), verdict

    return payload


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: POST a JSON body, read status, headers and body."""

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST /check HTTP/1.1\r\nHost: {host}:{port}\r\nX-API-Key: {key}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def post(self, body: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head[:-4].split(b"\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"content-length" not in headers:
            raise RuntimeError(f"response without Content-Length: {status_line!r}")
        data = await self.reader.readexactly(int(headers[b"content-length"]))
        return int(status_line.split()[1]), headers, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


@dataclass
class LevelResult:
    clients: int
    latencies: list[float]  # seconds, sorted
    errors: int
    hits: int
    seconds: float

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        k = min(len(self.latencies) - 1, max(0, round(p / 100 * (len(self.latencies) - 1))))
        return self.latencies[k] * 1000

    def row(self, mode: str) -> str:
        n = len(self.latencies)
        return (
            f"{mode:>5} {self.clients:>7} {n:>8} {self.errors:>6} "
            f"{self.hits / max(n, 1):>6.0%} {n / self.seconds:>9.1f} "
            f"{self.percentile(50):>7.1f} {self.percentile(95):>7.1f} "
            f"{self.percentile(99):>7.1f}"
        )


HEADER = (
    f"{'mode':>5} {'clients':>7} {'requests':>8} {'errors':>6} {'cache':>6} "
    f"{'checks/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
)


async def level(
    host: str,
    port: int,
    key: str,
    clients: int,
    requests: int,
    seconds: float,
    payload: Payload,
    first: int = 0,
) -> LevelResult:
    """``clients`` connections, each sending its next request as soon as the last is answered,
    until ``requests`` were sent or ``seconds`` passed."""
    numbers = itertools.count(first)
    latencies: list[float] = []
    errors = hits = 0
    connections = [HttpConnection(host, port, key) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in connections))
    stop_at = time.perf_counter() + seconds

    async def client(conn: HttpConnection) -> None:
        nonlocal errors, hits
        while len(latencies) + errors < requests and time.perf_counter() < stop_at:
            body, expected = payload(next(numbers))
            t0 = time.perf_counter()
            status, headers, data = await conn.post(body)
            elapsed = time.perf_counter() - t0
            if status != 200 or orjson.loads(data).get("verdict") != expected:
                errors += 1
                continue
            latencies.append(elapsed)
            hits += headers.get(b"x-dutybound-cache") == b"hit"

    start = time.perf_counter()
    await asyncio.gather(*(client(c) for c in connections))
    elapsed = time.perf_counter() - start
    await asyncio.gather(*(c.close() for c in connections))
    latencies.sort()
    return LevelResult(clients, latencies, errors, hits, elapsed)


def run_async(coro: Coroutine[Any, Any, LevelResult]) -> LevelResult:
    """Run on uvloop when installed (less client CPU taken from the server)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, url: str, workers: int, cache: bool) -> subprocess.Popen:
    """``python -m dutybound.service serve`` in a subprocess; returns once every process takes
    connections: /health answers, and with several workers the supervisor has said that all of
    them listen (/health alone answers as soon as the first one does)."""
    cmd = [
        sys.executable,
        "-m",
        "dutybound.service",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        url,
        "--log-level",
        "warning",
        "--workers",
        str(workers),
    ]
    if not cache:
        cmd += ["--check-cache-mb", "0"]
    server = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE)
    all_listening = threading.Event()
    if workers == 1:
        all_listening.set()

    def read_stderr() -> None:  # and discard the request log, so the pipe never fills
        assert server.stderr is not None
        for line in server.stderr:
            if b"server processes listening on" in line:
                all_listening.set()

    threading.Thread(target=read_stderr, daemon=True).start()
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise RuntimeError("server exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200 and all_listening.wait(deadline - time.monotonic()):
                    return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("server did not start")
        time.sleep(0.1)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def measure(port: int, key: str, args: argparse.Namespace) -> None:
    """Warm the server up, then print one row per mode and level."""
    # warm-up: compiled rule sets, vendor matcher and (in warm mode) the five cache entries of
    # each worker process; not measured
    run_async(
        level("127.0.0.1", port, key, 2 * args.workers, 20 * args.workers, 60, warm_payload())
    )
    run_async(level("127.0.0.1", port, key, 2, 20, 60, cold_payload("warmup")))
    print(HEADER, flush=True)
    run_id = f"{os.getpid()}-{time.time_ns()}"
    sent = 0
    for mode in args.modes.split(","):
        for clients in (int(c) for c in args.levels.split(",")):
            payload = warm_payload() if mode == "warm" else cold_payload(run_id)
            result = run_async(
                level(
                    "127.0.0.1",
                    port,
                    key,
                    clients,
                    args.requests,
                    args.seconds,
                    payload,
                    first=sent,
                )
            )
            sent += len(result.latencies) + result.errors
            print(result.row(mode), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per level")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per level")
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--modes", default="warm,cold", help="warm, cold or both")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (default: one per CPU, as the README advises)",
    )
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="start the server with its check cache off",
    )
    args = parser.parse_args()
    from dutybound.service.keys import create_key

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        key = create_key(url, "bench").secret
        port = free_port()
        server = start_server(port, url, args.workers, args.cache)
        try:
            cache = "on" if args.cache else "off"
            print(
                f"POST /check on 127.0.0.1:{port}: {args.workers} server process(es), "
                f"check cache {cache}, {os.cpu_count()} CPUs shared with this client; up to "
                f"{args.requests} requests or {args.seconds:.0f} s per level; "
                f"1-min load average {os.getloadavg()[0]:.1f} before",
                flush=True,
            )
            measure(port, key, args)
            # other processes on the machine skew the figures: say how busy it was
            print(f"1-min load average {os.getloadavg()[0]:.1f} after")
        finally:
            stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
