"""Report rendering: time, pages and peak memory for operators with 100, 1,000 and 10,000 affected
assets (the obligation report as PDF/A-3b with evaluation.json and affected-assets.csv attached).

Targets (issue #6): under 2 s for 1,000 affected assets and under 6 s for 10,000, with a page
count that stays readable (a finding's assets above 25 are summarised by vendor, function and
site; the full list is the attached CSV).

What is timed
-------------
``render s`` is a warm process: the time from the evaluation result (an ``Evaluation``) to the
PDF bytes, i.e. ``reports.render.obligation_report_pdf``: the evaluation JSON, the report
context, Jinja2, the CSV, WeasyPrint layout and the PDF/A-3b write with both attachments. It is
the median of three renders; ``min s`` is their minimum (this is a shared 2-core VM where one
run can take 50 % longer than the next). Outside the timing, the process has already imported
WeasyPrint (about 1 s on its own), loaded the rule pack, evaluated the inventory, and rendered
one tiny document so that fontconfig and Pango are initialised. That is what a running
``dutybound serve`` pays per report, and the part the report code controls.

Each size runs in a fresh process, so ``peak MB`` is that process's peak RSS (imports,
evaluation and the renders together; the rule pack and the evaluation account for most of it),
and ``imports s`` and ``eval s`` show the one-off costs it paid before rendering.

``cold CLI`` then runs the whole command, ``python -m dutybound report ... --out x.pdf``, for
the 1,000 case in a fresh process and prints its wall time: Python start, imports (WeasyPrint
included), reading the inputs, evaluation and the first render. That is what a person at a
shell waits for once.

Where the time went (cProfile of one 1,000-asset render, before the changes of issue #6's
speed pass): WeasyPrint layout about two thirds and drawing the PDF a third; the cost follows
lines of text, not assets. Per-letter SVG text in the timeline (WeasyPrint 70 makes one Pango
layout per glyph), one discarded layout per page from ``page-break-inside: avoid`` on each
finding, auto-width margin boxes measured on every page, 150 near-identical review lines and
five example rows per summarised finding were the avoidable part. Font subsetting was not: the
CJK face (Noto Sans CJK, a 19 MB .ttc) is used only for CJK glyphs because DejaVu Sans comes
first in the font stack; it adds about 0.1 s and 80 KiB when a CJK name is printed.

The inventory: ``affected`` assets of the affected vendors (one in six named in Chinese script,
华为技术有限公司, so the CJK font is laid out, subset and embedded as in a real report) plus as
many unaffected Nokia assets.

Run: python bench/bench_report.py
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
SIZES = (100, 1_000, 10_000)
RUNS = 3  # timed renders per size; the median is printed
PROFILE = {
    "name": "Benchmark Telecom plc",
    "jurisdictions": ["GB", "US"],
    "sectors": ["telecoms"],
    "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee", "us.federal_contractor"],
    "attributes": {"gb.relevant_turnover_gbp": 2_000_000_000},
}
KINDS = [
    ("telecom_equipment", "ran", "5g"),
    ("telecom_equipment", "core", "4g"),
    ("telecom_equipment", "access_fttp", "fttp"),
    ("telecom_equipment", "transmission", ""),
    ("router", "office_it", "enterprise"),
]
VENDORS = [
    "HUAWEI TECHNOLOGIES CO.,LTD",
    "Huawei Technologies (UK) Co. Ltd",
    "HiSilicon",
    "ZTE Corporation",
    "华为技术有限公司",
    "Huawei Technologies Co., Ltd.",
]


def write_inputs(folder: Path, affected: int) -> tuple[Path, Path]:
    """A profile and an inventory of ``affected`` affected plus as many unaffected assets."""
    profile = folder / "profile.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    assets = folder / f"assets-{affected}.csv"
    with assets.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "asset_id",
                "vendor",
                "product",
                "category",
                "function",
                "network",
                "country",
                "status",
                "quantity",
                "site",
            ]
        )
        for i in range(affected):
            cat, fn, net = KINDS[i % len(KINDS)]
            writer.writerow(
                [
                    f"A{i:06d}",
                    VENDORS[i % len(VENDORS)],
                    f"unit {i}",
                    cat,
                    fn,
                    net,
                    "GB",
                    "installed",
                    1 + i % 3,
                    f"site-{i % 40}",
                ]
            )
        for i in range(affected):  # the same number of unaffected assets
            writer.writerow(
                [
                    f"N{i:06d}",
                    "Nokia",
                    "unit",
                    "telecom_equipment",
                    "ran",
                    "5g",
                    "GB",
                    "installed",
                    1,
                    f"site-{i % 40}",
                ]
            )
    return profile, assets


def child(profile: Path, assets: Path, out: Path) -> dict[str, Any]:
    """One size, in this (fresh) process: one-off costs first, then the timed warm renders."""
    import datetime as dt
    import resource

    t0 = time.perf_counter()
    import weasyprint

    from dutybound.engine.evaluation import evaluate, inputs_fingerprint
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.loading import load_rulepack
    from dutybound.reports.fetcher import BundledFetcher
    from dutybound.reports.render import obligation_report_pdf

    t1 = time.perf_counter()
    pack = load_rulepack()
    operator = load_profile(profile, pack)
    inventory = read_inventory(assets).assets
    result = evaluate(
        pack,
        operator,
        inventory,
        dt.date.fromisoformat(AS_OF),
        inputs_sha256=inputs_fingerprint(profile, assets),
    )
    t2 = time.perf_counter()
    weasyprint.HTML(string="<p>warm-up 华为 č</p>", url_fetcher=BundledFetcher()).write_pdf()
    t3 = time.perf_counter()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        pdf = obligation_report_pdf(result)
        times.append(time.perf_counter() - start)
    out.write_bytes(pdf)
    return {
        "imports": t1 - t0,
        "evaluate": t2 - t1,
        "warm_up": t3 - t2,
        "render": statistics.median(times),
        "renders": times,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "affected": result.to_json()["summary"]["assets_affected"],
    }


def run_child(profile: Path, assets: Path, out: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(profile), str(assets), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    from pypdf import PdfReader

    print(f"dutybound report rendering — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(
        "render s: warm process, evaluation result -> PDF bytes (median of "
        f"{RUNS}); WeasyPrint import, evaluation and a warm-up render are outside it"
    )
    print(
        f"{'affected':>9} {'assets':>7} {'imports s':>9} {'eval s':>7} {'render s':>9} "
        f"{'min s':>6} {'pages':>6} {'KiB':>6} {'peak MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for affected in SIZES:
            profile, assets = write_inputs(folder, affected)
            out = folder / f"report-{affected}.pdf"
            r = run_child(profile, assets, out)
            if r["affected"] != affected:
                raise SystemExit(f"expected {affected} affected assets, got {r['affected']}")
            pages = len(PdfReader(out).pages)
            print(
                f"{affected:>9,} {2 * affected:>7,} {r['imports']:>9.2f} {r['evaluate']:>7.2f} "
                f"{r['render']:>9.2f} {min(r['renders']):>6.2f} {pages:>6} "
                f"{out.stat().st_size / 1024:>6.0f} "
                f"{r['peak_mb']:>8.0f}"
            )

        profile, assets = write_inputs(folder, 1_000)
        out = folder / "cli.pdf"
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dutybound",
                "report",
                "--profile",
                str(profile),
                "--assets",
                str(assets),
                "--as-of",
                AS_OF,
                "--out",
                str(out),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(proc.stderr.read().decode() if proc.stderr else "failed")
        print(
            f"cold CLI, 1,000 affected (python -m dutybound report, fresh process, all "
            f"included): {wall:.2f} s wall, {usage.ru_maxrss / 1024:.0f} MB peak, "
            f"{len(PdfReader(out).pages)} pages"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(*map(Path, sys.argv[2:5]))))
    else:
        main()
