"""Reading scenario files (docs/scenarios.md) into engine inputs, and checking their shape.

A scenario is a statement of law that a lawyer reads; a misspelt key would make it state nothing
while still passing, so every key is checked here before anything is evaluated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from dutybound.engine.asset_table import from_assets
from dutybound.engine.attestations import check_attestations
from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.evaluators import Evaluator
from dutybound.engine.inputs import (
    COLUMNS,
    Asset,
    assets_from_rows,
    check_profile,
    rows_from_mappings,
)
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import NoticeCode
from dutybound.engine.powers import assume, parse_assumption
from dutybound.engine.waivers import check_waivers

SCENARIO_DIR = Path(__file__).parent / "scenarios"

CASE_KEYS = frozenset(
    {
        "title",
        "as_of",
        "profile",
        "assets",
        "waivers",
        "attestations",
        "assume_designations",
        "latent",
        "expect",
        "absent",
        "no_findings",
        "notices",
        "review",
        "no_review",
        "include_ended",
        "note",
    }
)
EXPECT_KEYS = frozenset(
    {
        "obligation",
        "status",
        "position",
        "due",
        "assets",
        "citation_contains",
        "verified",
        "kind",
        "hypothetical",
    }
)
REVIEW_KEYS = frozenset({"asset", "field", "obligations_include"})

# Notices a scenario does not state, because they depend on the run rather than on the law:
# the evaluator that could be loaded on the machine, and how far the rule pack's encoded law
# reaches (``law_out_of_date`` moves whenever the pack is brought up to date).
RUN_NOTICES = frozenset({NoticeCode.EVALUATOR_FALLBACK, NoticeCode.LAW_OUT_OF_DATE})


def scenario_files() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*/*.yaml"))


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict), f"{path}: a scenario is a mapping"
    unknown = set(case) - CASE_KEYS
    assert not unknown, f"{path}: unknown keys {sorted(unknown)}"
    assert isinstance(case["as_of"], dt.date), f"{path}: as_of must be a YYYY-MM-DD date"
    for i, expected in enumerate(case.get("expect") or []):
        unknown = set(expected) - EXPECT_KEYS
        assert not unknown, f"{path}: expect[{i}]: unknown keys {sorted(unknown)}"
        assert "obligation" in expected, f"{path}: expect[{i}] names no obligation"
    if "no_findings" in case:
        assert case["no_findings"] is True, f"{path}: no_findings can only be true"
        assert not case.get("expect"), f"{path}: give expect or no_findings, not both"
    _check_notices(path, case)
    _check_review(path, case)
    return case


def _check_notices(path: Path, case: dict[str, Any]) -> None:
    if "notices" not in case:
        return
    codes = case["notices"]
    assert isinstance(codes, list), f"{path}: notices is a list of notice codes"
    allowed = {c.value for c in NoticeCode} - RUN_NOTICES
    unknown = set(codes) - allowed
    assert not unknown, (
        f"{path}: notices: unknown codes {sorted(unknown)}; allowed {sorted(allowed)}"
    )
    assert codes == sorted(set(codes)), f"{path}: notices must be sorted and without repeats"


def _check_review(path: Path, case: dict[str, Any]) -> None:
    if "no_review" in case:
        assert case["no_review"] is True, f"{path}: no_review can only be true"
        assert "review" not in case, f"{path}: give review or no_review, not both"
    for i, item in enumerate(case.get("review") or []):
        assert isinstance(item, dict), f"{path}: review[{i}] is a mapping"
        missing = REVIEW_KEYS - set(item)
        unknown = set(item) - REVIEW_KEYS
        assert not missing and not unknown, (
            f"{path}: review[{i}] takes exactly {sorted(REVIEW_KEYS)}; "
            f"missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
        assert isinstance(item["obligations_include"], list) and item["obligations_include"], (
            f"{path}: review[{i}].obligations_include lists at least one obligation"
        )


def run_case(
    path: Path, case: dict[str, Any], pack: RulePack, evaluator: Evaluator, as_table: bool = False
) -> Evaluation:
    """The case evaluated; with ``as_table`` its assets held as a table of columns, as a large
    inventory's are (engine.asset_table)."""
    profile = check_profile(case["profile"], pack, path)
    mappings = [
        {str(k): "" if v is None else str(v) for k, v in asset.items()}
        for asset in case.get("assets") or []
    ]
    unknown = {k for m in mappings for k in m} - set(COLUMNS)
    assert not unknown, f"{path}: unknown asset columns {sorted(unknown)}"
    assets: Sequence[Asset] = assets_from_rows(path, rows_from_mappings(mappings))
    if as_table:
        assets = from_assets(assets)
    waivers = None
    if "waivers" in case:
        # checked as a waivers file is (engine.waivers): every record for this operator
        waivers = check_waivers(case["waivers"], pack, path, operator=profile.name)
    attestations = None
    if "attestations" in case:
        # checked as an attestations file is (engine.attestations)
        attestations = check_attestations(case["attestations"], pack, path, operator=profile.name)
    if case.get("assume_designations"):
        pack = assume(
            pack, [parse_assumption(t, pack, str(path)) for t in case["assume_designations"]]
        )
    return evaluate(
        pack,
        profile,
        assets,
        case["as_of"],
        evaluator=evaluator,
        include_ended=bool(case.get("include_ended")),
        waivers=waivers,
        attestations=attestations,
    )
