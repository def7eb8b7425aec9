"""Vendor matching throughput: 100k inventory strings with about 2k distinct values.

Prints the time to resolve every string without a cache (each string matched again), with the
per-run cache the engine uses (each distinct string matched once), and the share of distinct
strings per matching method. Target (issue #5): under 1 s for 100k strings with the cache.

Run: python bench/bench_vendors.py
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dutybound.engine.loading import load_rulepack

AS_OF = dt.date(2026, 11, 28)
STEMS = [
    "Huawei Technologies",
    "HUAWEI TECHNOLOGIES CO.,LTD",
    "Hangzhou Hikvision Digital",
    "Zhejiang Dahua",
    "ZTE Corporation",
    "Kaspersky Lab",
    "Hytera Communications",
    "Nokia Solutions and Networks",
    "Ericsson AB",
    "Cisco Systems",
    "Juniper Networks",
    "Siemens AG",
    "Schneider Electric",
    "Axis Communications",
    "Bosch Security Systems",
    "Honeywell",
    "Hualong Logistics",
    "Zetta Storage",
    "Dahuang Foods",
    "Hikari Optics",
]
SUFFIXES = [
    "",
    " Inc",
    " Ltd",
    " GmbH",
    " s.r.o.",
    " (UK)",
    " Europe",
    " Deutschland",
    " Pte Ltd",
    " LLC",
]


def distinct_names(count: int, seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    names: set[str] = set()
    while len(names) < count:
        name = (
            rnd.choice(STEMS) + rnd.choice(SUFFIXES) + f" {rnd.randint(1, 400)}"
            if len(names) >= len(STEMS) * len(SUFFIXES)
            else STEMS[len(names) % len(STEMS)] + SUFFIXES[len(names) // len(STEMS)]
        )
        if rnd.random() < 0.1:  # some typos
            i = rnd.randrange(len(name))
            name = name[:i] + rnd.choice("aeiou") + name[i + 1 :]
        names.add(name)
    return sorted(names)


def main() -> None:
    registry = load_rulepack().registry
    distinct = distinct_names(2000)
    rnd = random.Random(5)
    strings = [rnd.choice(distinct) for _ in range(100_000)]
    t0 = time.perf_counter()
    for s in strings[:10_000]:
        registry.match(s, AS_OF)
    uncached = (time.perf_counter() - t0) * 10
    t0 = time.perf_counter()
    cache = {s: registry.match(s, AS_OF) for s in sorted(set(strings))}
    resolved = [cache[s] for s in strings]
    cached = time.perf_counter() - t0
    methods = Counter(m.method for m in cache.values())
    print(
        f"dutybound vendor matching — Python {sys.version.split()[0]}, "
        f"{len(registry.groups)} groups"
    )
    print(f"100,000 strings, {len(set(strings)):,} distinct")
    print(
        f"  without cache (extrapolated from 10,000): {uncached:.2f} s "
        f"({100_000 / uncached:,.0f} strings/s)"
    )
    print(f"  with the per-run cache: {cached:.3f} s ({len(resolved) / cached:,.0f} strings/s)")
    print(
        "  distinct strings by method: " + ", ".join(f"{k} {v}" for k, v in sorted(methods.items()))
    )


if __name__ == "__main__":
    main()
