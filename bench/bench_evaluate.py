"""Speed and memory of evaluation, measured on generated inventories.

Prints, for 1k, 10k and 100k assets: wall time, peak memory and assets/s of the durable-rules path
and of the reference evaluator (rule evaluation alone, and the whole in-process evaluation), then
the whole CLI run on a 100k-row CSV with JSON out, and a 100k inventory with 50 and with 5,000
distinct signatures to show that cost follows signatures, not rows.

Targets on a 2-core machine (issue #2): rule evaluation of 100k assets across all loaded
jurisdictions under 0.5 s; the whole CLI run under 2 s and 400 MB.

Run: python bench/bench_evaluate.py   (each measurement runs in a fresh process)
"""

from __future__ import annotations

import compileall
import csv
import datetime as dt
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 28)

VENDORS = [
    "HUAWEI TECHNOLOGIES CO.,LTD",
    "Huawei Technologies (UK) Co. Ltd",
    "HiSilicon",
    "ZTE Corporation",
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "EZVIZ",
    "Dahua Technology",
    "Hytera Communications",
    "Kaspersky Lab",
    "Nokia",
    "Ericsson AB",
    "Cisco Systems",
    "Siemens AG",
    "Juniper Networks",
]
CATEGORIES = [
    "telecom_equipment",
    "video_surveillance",
    "router",
    "software",
    "security_software",
    "it_hardware",
    "ot_control",
    "cloud_service",
]
FUNCTIONS = [
    "core",
    "ran",
    "access_fttp",
    "transmission",
    "management",
    "physical_security",
    "office_it",
    "other",
]
NETWORKS = ["5g", "4g", "fttp", "enterprise", ""]
USES = ["", "public_safety", "critical_infrastructure_security", "other"]
STATUSES = ["installed", "installed", "planned", "in_procurement", "decommissioned"]
COUNTRIES = ["GB", "US", "CZ", "DE", "AU", "SE"]
HEADER = [
    "asset_id",
    "vendor",
    "product",
    "category",
    "function",
    "network",
    "country",
    "use",
    "status",
    "quantity",
    "site",
]


def combos(signatures: int, seed: int = 7) -> list[tuple[str, ...]]:
    pool = list(
        itertools.product(VENDORS, CATEGORIES, FUNCTIONS, NETWORKS, COUNTRIES, USES, STATUSES[1:])
    )
    random.Random(seed).shuffle(pool)
    return pool[:signatures]


def write_inventory(path: Path, assets: int, signatures: int) -> None:
    pool = combos(signatures)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(assets):
            vendor, cat, fn, net, country, use, status = pool[i % len(pool)]
            writer.writerow(
                [
                    f"A{i:06d}",
                    vendor,
                    "generated",
                    cat,
                    fn,
                    net,
                    country,
                    use,
                    status,
                    1 + i % 7,
                    f"site-{i % 97}",
                ]
            )


def write_profile(path: Path) -> None:
    """An operator in every jurisdiction of the rule pack, holding a typical role in each, so
    that the rules of all loaded jurisdictions are evaluated."""
    path.write_text(
        json.dumps(
            {
                "name": "Benchmark Operator",
                "jurisdictions": ["AU", "CA", "CZ", "DE", "EU", "GB", "IN", "NZ", "PL", "SE", "US"],
                "sectors": ["telecoms", "energy"],
                "roles": [
                    "cz.cii_administrator",
                    "cz.essential_service_operator",
                    "gb.public_telecoms_provider",
                    "gb.dvd_addressee",
                    "us.federal_contractor",
                    "us.federal_grantee",
                    "us.fcc_subsidy_recipient",
                    "eu.nis2_essential_entity",
                    "eu.mobile_network_operator",
                    "de.kritis_operator",
                    "de.huawei_agreement_party_2024",
                    "au.carrier",
                    "nz.network_operator",
                    "ca.telecom_service_provider",
                    "se.pts_2020_licensee",
                    "in.unified_licence_holder",
                    "pl.key_entity",
                ],
                "attributes": {"gb.relevant_turnover_gbp": 2_000_000_000},
            }
        ),
        encoding="utf-8",
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_in_process(profile: Path, inventory: Path, evaluator_name: str) -> dict:
    """Runs inside a child process: load, then time rule matching and the whole evaluation."""
    from dutybound.engine.evaluation import evaluate
    from dutybound.engine.evaluators import get_evaluator
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.inventory import load_assets
    from dutybound.engine.loading import load_rulepack
    from dutybound.engine.roles import derive_roles
    from dutybound.engine.rules import build_signatures, compile_rules

    pack = load_rulepack()
    operator = load_profile(profile, pack)
    t0 = time.perf_counter()
    assets = load_assets(inventory)
    load_s = time.perf_counter() - t0
    evaluator, _ = get_evaluator(evaluator_name)
    roles = derive_roles(pack, operator)
    matches = {v: pack.registry.match(v, AS_OF) for v in {a.vendor for a in assets}}
    sigs, _members = build_signatures(assets, matches)
    rules = compile_rules(pack)
    evaluator.match(rules, sigs, set(roles), set(operator.jurisdictions))  # warm: build rulesets
    t0 = time.perf_counter()
    found = evaluator.match(rules, sigs, set(roles), set(operator.jurisdictions))
    match_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = evaluate(pack, operator, assets, AS_OF, evaluator=evaluator)
    whole_s = time.perf_counter() - t0
    return {
        "assets": len(assets),
        "signatures": len(sigs),
        "rules": len(rules),
        "matches": len(found),
        "findings": len(result.findings),
        "load_s": load_s,
        "match_s": match_s,
        "evaluate_s": whole_s,
        "peak_mb": _peak_mb(),
    }


def child(profile: Path, inventory: Path, evaluator: str) -> dict:
    """One measurement in a fresh process, so peak memory is that measurement's own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(profile), str(inventory), evaluator],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def evaluate_command(profile: Path, inventory: Path, out: Path) -> list[str]:
    """The whole CLI run the benches time: ``dutybound evaluate`` to a JSON file (also
    ``bench_stream.py``'s)."""
    return [
        sys.executable,
        "-m",
        "dutybound",
        "evaluate",
        "--profile",
        str(profile),
        "--assets",
        str(inventory),
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
        "--out",
        str(out),
    ]


def cli_run(profile: Path, inventory: Path, out: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        evaluate_command(profile, inventory, out),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"CLI failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        profile = tmpdir / "profile.json"
        write_profile(profile)
        print(
            f"dutybound evaluation benchmark — Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs, as of {AS_OF}"
        )
        print(
            f"{'assets':>8} {'sigs':>6} {'evaluator':>14} {'rules':>6} {'match s':>9} "
            f"{'match a/s':>12} {'evaluate s':>11} {'eval a/s':>11} {'peak MB':>8}"
        )
        for assets, sigs in [
            (1_000, 500),
            (10_000, 500),
            (100_000, 500),
            (100_000, 50),
            (100_000, 5_000),
        ]:
            inventory = tmpdir / f"inv-{assets}-{sigs}.csv"
            write_inventory(inventory, assets, sigs)
            for evaluator in ("durable", "reference"):
                r = child(profile, inventory, evaluator)
                print(
                    f"{r['assets']:>8} {r['signatures']:>6} {evaluator:>14} {r['rules']:>6} "
                    f"{r['match_s']:>9.4f} {r['assets'] / r['match_s']:>12,.0f} "
                    f"{r['evaluate_s']:>11.3f} {r['assets'] / r['evaluate_s']:>11,.0f} "
                    f"{r['peak_mb']:>8.0f}"
                )
        inventory = tmpdir / "inv-100000-500.csv"
        # Bytecode as an installed package has it: pip compiles a wheel's modules at install
        # time, while an editable install under PYTHONDONTWRITEBYTECODE=1 (set on this machine)
        # would recompile dutybound's ~60 modules on every run (about 0.15 s, measured).
        for folder in ("dutybound", "engine", "reports"):  # compileall skips symlinks
            compileall.compile_dir(ROOT / folder, quiet=1)
        walls, peaks = [], []
        for _ in range(3):
            wall, peak = cli_run(profile, inventory, tmpdir / "out.json")
            walls.append(wall)
            peaks.append(peak)
        size = (tmpdir / "out.json").stat().st_size / 1e6
        print(
            f"CLI: dutybound evaluate, 100,000-row CSV, 500 signatures, JSON out ({size:.1f} "
            f"MB): wall {min(walls):.2f} s best / {max(walls):.2f} s worst of 3, "
            f"peak RSS {max(peaks):.0f} MB"
        )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure_in_process(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])))
    else:
        main()
