"""Storing and reloading an evaluation of 100,000 assets, on SQLite and on PostgreSQL.

Measures, per database: the first store (profile, 100k inventory rows, law snapshots, findings
and the audit entry in one transaction), a second store of the same inputs on another date (the
inventory snapshot is shared, so only the evaluation and findings are written), reloading the
evaluation with its 100k assets, and verifying the audit chain (which re-reads and re-hashes
every record). SQLite is a file in a temporary folder; PostgreSQL is the server named by
DUTYBOUND_TEST_POSTGRES_URL, or one started with scripts/test-postgres.sh (note: that server
runs with fsync=off, as a test server; a production server with fsync on writes slower).

Run: python bench/bench_store.py [--assets 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_evaluate import write_inventory, write_profile  # noqa: E402

from dutybound.engine.evaluation import evaluate  # noqa: E402
from dutybound.engine.inputs import load_profile  # noqa: E402
from dutybound.engine.inventory import read_inventory  # noqa: E402
from dutybound.engine.jsontext import json_text  # noqa: E402
from dutybound.engine.loading import load_rulepack  # noqa: E402
from dutybound.engine.store import load_evaluation, save_evaluation, verify_audit  # noqa: E402


def postgres_url() -> str | None:
    base = os.environ.get("DUTYBOUND_TEST_POSTGRES_URL")
    if not base:
        started = subprocess.run(
            ["bash", str(ROOT / "scripts" / "test-postgres.sh")], capture_output=True, text=True
        )
        if started.returncode != 0:
            print(f"PostgreSQL: not available ({started.stderr.strip()})")
            return None
        base = started.stdout.strip()
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"dutybound_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        url.set(drivername="postgresql").render_as_string(False), autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def timed(fn):  # -> (seconds, result)
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_profile(folder / "profile.json")
        write_inventory(folder / "assets.csv", args.assets, 500)
        pack = load_rulepack()
        profile = load_profile(folder / "profile.json", pack)
        assets = read_inventory(folder / "assets.csv").assets
        first = evaluate(pack, profile, assets, dt.date(2026, 11, 28))
        second = evaluate(pack, profile, assets, dt.date(2027, 6, 1))
        bodies = [json_text(first.to_json()), json_text(second.to_json())]
        print(
            f"dutybound store benchmark — {len(assets):,} assets, {len(first.findings)} "
            f"findings, result JSON {len(bodies[0]) / 1e6:.1f} MB, {os.cpu_count()} CPUs"
        )
        print(
            f"{'database':>11} {'store new s':>12} {'store again s':>14} {'reload s':>9} "
            f"{'verify s':>9}"
        )
        targets = [("SQLite", f"sqlite:///{folder / 'bench.db'}"), ("PostgreSQL", postgres_url())]
        for name, url in targets:
            if url is None:
                continue
            store_new, first_id = timed(lambda u=url: save_evaluation(first, bodies[0], u))
            store_again, _ = timed(lambda u=url: save_evaluation(second, bodies[1], u))
            reload_s, stored = timed(lambda u=url, i=first_id: load_evaluation(i, u))
            assert stored is not None and stored.assets == first.assets
            verify_s, (count, _head, problems) = timed(lambda u=url: verify_audit(u))
            assert count == 2 and not problems
            print(
                f"{name:>11} {store_new:>12.2f} {store_again:>14.2f} {reload_s:>9.2f} "
                f"{verify_s:>9.2f}"
            )


if __name__ == "__main__":
    main()
