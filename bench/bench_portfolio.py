"""A portfolio on Dask distributed: many operators, 1 and 2 worker processes.

Generates N operators (default 1,000), each with the benchmark's all-jurisdictions profile
(``bench_evaluate.write_profile``) and a CSV inventory of a log-uniform number of assets between
1k and 100k (seeded, so every run evaluates the same portfolio; 500 distinct signatures at most),
then runs ``dutybound portfolio run`` as users run it, once per worker count, each in a fresh
process with a fresh LocalCluster (its start-up is part of the time). Prints the total wall time,
operators and assets per second, and the speed-up over one worker.

Issue 23's figure is the full size on this 2-core machine; ``--operators 20`` proves the script
works in a minute. The generated portfolio is about 21 million rows (1.5 GB of CSV) at full size,
``--keep DIR`` keeps it for a second run; each run writes every operator's evaluation JSON (about
500 bytes an asset with this profile, so about 11 GB), removed before the next run.

Run: python bench/bench_portfolio.py [--operators N] [--workers 1,2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_evaluate import write_inventory, write_profile

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
SEED = 23
MIN_ASSETS, MAX_ASSETS = 1_000, 100_000
MAX_SIGNATURES = 500


def sizes(operators: int, seed: int = SEED) -> list[int]:
    """Each operator's asset count, log-uniform between MIN_ASSETS and MAX_ASSETS."""
    rng = random.Random(seed)
    low, high = math.log(MIN_ASSETS), math.log(MAX_ASSETS)
    return [round(math.exp(rng.uniform(low, high))) for _ in range(operators)]


def generate(root: Path, operators: int) -> int:
    """Write the portfolio under ``root`` (unless it is there from an earlier ``--keep``);
    returns its total asset count."""
    counts = sizes(operators)
    profile = root / ".profile.json"
    write_profile(profile)
    for n, assets in enumerate(counts):
        folder = root / f"operator-{n:04d}"
        inventory = folder / "assets.csv"
        if inventory.is_file():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: the benchmark profile, under the name a portfolio folder expects
        (folder / "profile.yaml").write_bytes(profile.read_bytes())
        write_inventory(inventory, assets, min(MAX_SIGNATURES, max(1, assets // 20)))
    return sum(counts)


def run(operators: Path, out: Path, workers: int) -> float:
    """One ``dutybound portfolio run``; its wall time."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable, "-m", "dutybound", "portfolio", "run",
            "--operators", str(operators), "--as-of", AS_OF,
            "--out", str(out), "--workers", str(workers),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=1_000)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "portfolio"
        root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        assets = generate(root, args.operators)
        print(
            f"dutybound portfolio benchmark — Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs, {args.operators:,} operators, {assets:,} assets "
            f"({MIN_ASSETS:,}–{MAX_ASSETS:,} each, log-uniform, seed {SEED}); generated in "
            f"{time.perf_counter() - started:.0f} s"
        )
        print(
            f"{'workers':>8} {'wall s':>9} {'operators/s':>12} {'assets/s':>12} "
            f"{'speed-up':>9} {'out GB':>9}"
        )
        base: float | None = None
        for workers in counts:
            out = Path(tmp) / f"out-{workers}"
            wall = run(root, out, workers)
            written = sum(p.stat().st_size for p in out.iterdir()) / 1e9
            shutil.rmtree(out)
            base = base or wall
            print(
                f"{workers:>8} {wall:>9.1f} {args.operators / wall:>12.2f} "
                f"{assets / wall:>12,.0f} {base / wall:>8.2f}x {written:>9.2f}"
            )


if __name__ == "__main__":
    main()
