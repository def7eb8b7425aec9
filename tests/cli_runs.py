"""The command line as the tests run it: ``python -m dutybound`` in a child process, and the
arguments of ``dutybound evaluate`` on a bundled example (one place, so a test says only what it
adds: a format, an output, a flag)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dutybound(*args: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m dutybound ARGS`` from the checkout, output captured, at most two minutes."""
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *args], capture_output=True, timeout=120, cwd=ROOT
    )


def evaluate_args(example: str, as_of: str, assets: Path | None = None) -> list[str]:
    """``evaluate`` of an example's profile and inventory (or ``assets``) on ``as_of``."""
    folder = ROOT / "examples" / example
    inventory = assets if assets is not None else folder / "assets.csv"
    return [
        "evaluate",
        "--profile",
        str(folder / "profile.yaml"),
        "--assets",
        str(inventory),
        "--as-of",
        as_of,
    ]
