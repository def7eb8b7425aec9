"""Report rendering: time and peak memory for operators with 100, 1,000 and 10,000 affected
assets (PDF/A-3b with attachments), each in a fresh process.

Targets (issue #6): under 2 s for 1,000 affected assets and under 6 s for 10,000, with a page
count that stays readable (assets above 25 per obligation are summarised; the full list is the
attached CSV).

Run: python bench/bench_report.py
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = {"name": "Benchmark Telecom plc", "jurisdictions": ["GB", "US"],
           "sectors": ["telecoms"],
           "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee", "us.federal_contractor"],
           "attributes": {"gb.relevant_turnover_gbp": 2_000_000_000}}
KINDS = [("telecom_equipment", "ran", "5g"), ("telecom_equipment", "core", "4g"),
         ("telecom_equipment", "access_fttp", "fttp"), ("telecom_equipment", "transmission", ""),
         ("router", "office_it", "enterprise")]
VENDORS = ["HUAWEI TECHNOLOGIES CO.,LTD", "Huawei Technologies (UK) Co. Ltd", "HiSilicon",
           "ZTE Corporation"]


def write_inputs(folder: Path, affected: int) -> tuple[Path, Path]:
    profile = folder / "profile.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    assets = folder / f"assets-{affected}.csv"
    with assets.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["asset_id", "vendor", "product", "category", "function", "network",
                         "country", "status", "quantity", "site"])
        for i in range(affected):
            cat, fn, net = KINDS[i % len(KINDS)]
            writer.writerow([f"A{i:06d}", VENDORS[i % len(VENDORS)], f"unit {i}", cat, fn, net,
                             "GB", "installed", 1 + i % 3, f"site-{i % 40}"])
        for i in range(affected):  # the same number of unaffected assets
            writer.writerow([f"N{i:06d}", "Nokia", "unit", "telecom_equipment", "ran", "5g",
                             "GB", "installed", 1, f"site-{i % 40}"])
    return profile, assets


def main() -> None:
    print(f"dutybound report rendering — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'affected':>9} {'assets':>7} {'wall s':>7} {'peak MB':>8} {'pages':>6} {'KiB':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for affected in (100, 1_000, 10_000):
            profile, assets = write_inputs(folder, affected)
            out = folder / f"report-{affected}.pdf"
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "engine.cli", "report", "--profile", str(profile),
                 "--assets", str(assets), "--as-of", "2026-11-28", "--out", str(out)],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(proc.stderr.read().decode() if proc.stderr else "failed")
            from pypdf import PdfReader

            pages = len(PdfReader(out).pages)
            print(f"{affected:>9,} {2 * affected:>7,} {wall:>7.2f} {usage.ru_maxrss / 1024:>8.0f} "
                  f"{pages:>6} {out.stat().st_size / 1024:>6.0f}")


if __name__ == "__main__":
    main()
