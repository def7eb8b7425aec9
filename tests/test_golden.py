"""The bundled examples' ``evaluate --format json`` output, byte for byte.

The JSON is a public contract (README, "Output"): a refactoring must not change a byte of it, and
a change of the law or the engine must change it on purpose. When it does, regenerate the files
with ``DUTYBOUND_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and review the diff
(``git diff tests/golden``) as you would review the law: each changed line is a changed answer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli_runs import dutybound, evaluate_args

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"

# (example folder, evaluation date, extra arguments, golden file suffix)
CASES = [
    ("cz-energy", "2019-02-01", [], ""),
    ("cz-energy", "2026-12-03", [], ""),
    ("us-federal-contractor", "2021-03-01", [], ""),
    ("us-federal-contractor", "2026-12-03", [], ""),
    ("us-federal-contractor", "2021-03-01", ["--waivers", "waivers.yaml"], "-waivers"),
    ("uk-telecoms", "2026-11-28", [], ""),
    ("uk-telecoms", "2026-12-03", [], ""),
]


@pytest.mark.parametrize(
    ("example", "as_of", "extra", "suffix"),
    CASES,
    ids=[f"{c[0]}-{c[1]}{c[3]}" for c in CASES],
)
def test_evaluate_json_is_byte_identical_to_the_reviewed_output(
    example: str, as_of: str, extra: list[str], suffix: str
) -> None:
    folder = ROOT / "examples" / example
    args = [a if not a.endswith(".yaml") else str(folder / a) for a in extra]
    result = dutybound(*evaluate_args(example, as_of), "--format", "json", "--no-store", *args)
    assert result.returncode == 0, result.stderr.decode()
    golden = GOLDEN / f"{example}-{as_of}{suffix}.json"
    if os.environ.get("DUTYBOUND_UPDATE_GOLDEN"):
        golden.write_bytes(result.stdout)
    assert result.stdout == golden.read_bytes(), f"{golden.name} differs; see the module docstring"
