"""Throughput and latency of POST /check over HTTP, with 1, 10 and 50 concurrent clients.

Starts the service (``python -m service serve``, one uvicorn worker) in a subprocess on
127.0.0.1 with a throw-away SQLite database and one API key, drives it from this process with
httpx (async), and prints checks/s and p50/p95/p99 latency per level; the server is stopped at the
end. Each level is bounded by a request count and a time limit. The requests rotate over the five
verdict cases of tests/test_service.py (prohibited, allowed, prohibited, conditional, review).

Targets (issue "Automated procurement checks"): p99 < 25 ms at 10 clients, >= 500 checks/s.

Run: python bench/bench_service.py [--requests 2000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

US_AGENCY = {"name": "Federal Building Office", "jurisdictions": ["US"],
             "roles": ["us.federal_agency"]}
UK_DVD = {"name": "UK Mobile", "jurisdictions": ["GB"],
          "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"]}
CZ_CII = {"name": "Czech Grid", "jurisdictions": ["CZ"], "roles": ["cz.cii_administrator"]}
CASES = [
    {"profile": US_AGENCY, "as_of": "2026-11-28", "item": {
        "vendor": "Dahua Technology", "category": "video_surveillance",
        "function": "physical_security", "use": "government_facility_security", "country": "US"}},
    {"profile": UK_DVD, "as_of": "2026-11-28", "item": {
        "vendor": "Nokia Solutions and Networks", "category": "telecom_equipment",
        "function": "ran", "network": "5g"}},
    {"profile": UK_DVD, "as_of": "2022-10-13", "item": {
        "vendor": "HUAWEI TECHNOLOGIES CO.,LTD", "category": "telecom_equipment",
        "function": "ran", "network": "5g"}},
    {"profile": CZ_CII, "as_of": "2024-06-01", "item": {
        "vendor": "Huawei", "category": "router", "function": "core"}},
    {"profile": US_AGENCY, "as_of": "2026-11-28", "item": {
        "vendor": "Shenzhen Xyz Tech", "category": "router", "function": "office_it"}},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def level(base: str, key: str, clients: int, requests: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    counter = 0
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, limits=limits,
                                 timeout=60) as client:

        async def worker() -> None:
            nonlocal counter, errors
            while counter < requests and time.perf_counter() < stop_at:
                body = CASES[counter % len(CASES)]
                counter += 1
                t0 = time.perf_counter()
                response = await client.post("/check", json=body)
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {"clients": clients, "requests": len(latencies), "errors": errors,
            "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "p99": percentile(latencies, 99) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000, help="per level")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per level")
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--module", default="service",
                        help="module run as `python -m MODULE serve ...` (for experiments)")
    args = parser.parse_args()
    import httpx

    from service.db import create_key

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        key = create_key(url, "bench")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", args.module, "serve", "--host", "127.0.0.1", "--port",
             str(port), "--db", url, "--log-level", "warning"],
            cwd=ROOT, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    print("server exited", file=sys.stderr)
                    return 1
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    print("server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.1)
            asyncio.run(level(base, key, 2, 50, 30))  # warm-up: rule sets, caches
            print(f"POST /check on {base} (1 uvicorn worker, {os.cpu_count()} CPUs); "
                  f"up to {args.requests} requests or {args.seconds:.0f} s per level")
            print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'checks/s':>9} "
                  f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
            for clients in (int(c) for c in args.levels.split(",")):
                r = asyncio.run(level(base, key, clients, args.requests, args.seconds))
                print(f"{r['clients']:>7} {r['requests']:>8} {r['errors']:>6} {r['rps']:>9.1f} "
                      f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f}", flush=True)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
