"""Reading scenario files (docs/scenarios.md) into engine inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.evaluators import Evaluator
from dutybound.engine.inputs import COLUMNS, assets_from_rows, check_profile, rows_from_mappings
from dutybound.engine.loading import RulePack

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def scenario_files() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*/*.yaml"))


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict), f"{path}: a scenario is a mapping"
    unknown = set(case) - {
        "title",
        "as_of",
        "profile",
        "assets",
        "expect",
        "absent",
        "include_ended",
        "note",
    }
    assert not unknown, f"{path}: unknown keys {sorted(unknown)}"
    assert isinstance(case["as_of"], dt.date), f"{path}: as_of must be a YYYY-MM-DD date"
    return case


def run_case(path: Path, case: dict[str, Any], pack: RulePack, evaluator: Evaluator) -> Evaluation:
    profile = check_profile(case["profile"], pack, path)
    mappings = [
        {str(k): "" if v is None else str(v) for k, v in asset.items()}
        for asset in case.get("assets") or []
    ]
    unknown = {k for m in mappings for k in m} - set(COLUMNS)
    assert not unknown, f"{path}: unknown asset columns {sorted(unknown)}"
    assets = assets_from_rows(path, rows_from_mappings(mappings))
    return evaluate(
        pack,
        profile,
        assets,
        case["as_of"],
        evaluator=evaluator,
        include_ended=bool(case.get("include_ended")),
    )
