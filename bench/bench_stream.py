"""Wall time and peak memory of ``dutybound evaluate`` on a large inventory, CSV and Parquet.

Generates (once, cached under the temporary directory) an inventory of N rows (default 10M) with
500 distinct signatures — vendors including Huawei, ZTE, Hikvision and names the registry does not
know, networks, functions, countries, statuses — and unique asset ids and varying quantities and
sites (which are not part of a signature), as CSV and as Parquet. Each is evaluated by the CLI in
a child process (JSON out, no store); its wall time and peak RSS (``os.wait4``'s ``ru_maxrss``)
are printed beside the floor: a child that only reads the same file with pyarrow (all columns),
and the ratio of the two.

Target (issue 23, 2-core machine): 10M rows under 60 s and under 1.5 GB.

Run: python bench/bench_stream.py [--rows N] [--signatures S] [--cache DIR]
     (the lead runs the 10M default; run small, e.g. --rows 100000, on a shared machine)
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_evaluate import (  # the bench folder is not a package
    evaluate_command,
    write_profile,
)

ROOT = Path(__file__).resolve().parent.parent
VENDORS = [
    "HUAWEI TECHNOLOGIES CO.,LTD",
    "Huawei Technologies (UK) Co. Ltd",
    "ZTE Corporation",
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "EZVIZ",
    "Dahua Technology",
    "Nokia",
    "Ericsson AB",
    "Cisco Systems",
    "Acme Widgets Ltd",  # unknown to the registry
    "Shenzhen Example Optics",  # unknown to the registry
]
CATEGORIES = ["telecom_equipment", "video_surveillance", "router", "it_hardware"]
FUNCTIONS = ["core", "ran", "access_fttp", "transmission", "physical_security", "office_it"]
NETWORKS = ["5g", "4g", "fttp", "enterprise", ""]
COUNTRIES = ["GB", "US", "CZ", "DE", "AU", "SE"]
STATUSES = ["installed", "planned", "in_procurement"]
HEADER = "asset_id,vendor,product,category,function,network,country,status,quantity,site\n"
BATCH = 100_000  # rows written per write call


def signatures(count: int, seed: int = 23) -> list[str]:
    """``count`` distinct (vendor … status) cells, each a CSV fragment."""
    pool = list(itertools.product(VENDORS, CATEGORIES, FUNCTIONS, NETWORKS, COUNTRIES, STATUSES))
    random.Random(seed).shuffle(pool)
    return [f'"{v}",generated,{c},{f},{n},{country},{s}' for v, c, f, n, country, s in pool[:count]]


def write_csv(path: Path, rows: int, count: int) -> None:
    """The CSV, written to a temporary name and renamed, so that a cached file is whole."""
    pool = signatures(count)
    pick = random.Random(5)
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for start in range(0, rows, BATCH):
            handle.write(
                "".join(
                    f"A{i:09d},{pool[pick.randrange(count)]},{1 + i % 50},site-{i % 997}\n"
                    for i in range(start, min(rows, start + BATCH))
                )
            )
    part.replace(path)


def write_parquet(csv: Path, path: Path) -> None:
    """The same rows as Parquet (string columns, row groups of 1M rows), streamed."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    names = HEADER.strip().split(",")
    reader = pcsv.open_csv(
        csv,
        read_options=pcsv.ReadOptions(block_size=64 << 20),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    part = path.with_suffix(".part")
    with pq.ParquetWriter(part, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch, row_group_size=1_000_000)
    part.replace(path)


def _child_env(rows: int) -> dict[str, str]:
    """The caps raised to fit the generated file (a real 10M-row user sets them the same way)."""
    return {
        **os.environ,
        "DUTYBOUND_MAX_ROWS": str(max(rows, 5_000_000)),
        "DUTYBOUND_MAX_INPUT_BYTES": "8GiB",
    }


def run_child(args: list[str], rows: int, timeout: float) -> tuple[float, float] | None:
    """(wall seconds, peak RSS in MB) of one child process, or None when it ran past
    ``timeout`` seconds (it is then killed); its failure stops the bench with its error."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors, env=_child_env(rows)
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                return None
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args[:4])} failed:\n{errors.read().decode()}")
    return wall, usage.ru_maxrss / 1024


FLOOR = (
    "import sys, pyarrow.csv as c, pyarrow.parquet as p\n"
    "f = sys.argv[1]\n"
    "t = p.read_table(f) if f.endswith('.parquet') else c.read_csv(f)\n"
    "assert t.num_rows\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--signatures", type=int, default=500)
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds before a run is stopped"
    )
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "dutybound-bench-stream"
    )
    options = parser.parse_args()
    rows, count = options.rows, options.signatures
    options.cache.mkdir(parents=True, exist_ok=True)
    stem = options.cache / f"inventory-{rows}-{count}"
    csv, parquet = stem.with_suffix(".csv"), stem.with_suffix(".parquet")
    if not csv.exists():
        t0 = time.perf_counter()
        write_csv(csv, rows, count)
        print(f"generated {csv} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if not parquet.exists():
        write_parquet(csv, parquet)
    profile = options.cache / "profile.json"
    write_profile(profile)
    out = options.cache / "evaluation.json"
    print(
        f"{rows:,} rows, {count} signatures: dutybound evaluate (JSON, no store), "
        "and the floor: reading the file alone"
    )
    print(
        f"{'format':8} {'size MB':>8} {'wall s':>8} {'peak MB':>8} "
        f"{'floor s':>8} {'floor MB':>9} {'× floor':>8}"
    )
    for path in (csv, parquet):
        evaluated = run_child(
            [*evaluate_command(profile, path, out), "--no-store"], rows, options.timeout
        )
        floor = run_child([sys.executable, "-c", FLOOR, str(path)], rows, options.timeout)
        assert floor is not None, f"reading {path} alone took over {options.timeout} s"
        size = path.stat().st_size / 2**20
        if evaluated is None:
            print(
                f"{path.suffix[1:]:8} {size:8.0f} {f'> {options.timeout:.0f}':>8} {'-':>8} ",
                end="",
            )
        else:
            print(
                f"{path.suffix[1:]:8} {size:8.0f} {evaluated[0]:8.1f} {evaluated[1]:8.0f} ", end=""
            )
        ratio = f"{evaluated[0] / floor[0]:8.1f}" if evaluated else f"{'-':>8}"
        print(f"{floor[0]:8.1f} {floor[1]:9.0f} {ratio}")
    print("target (10M rows): under 60 s and under 1,536 MB")


if __name__ == "__main__":
    main()
