"""The law, case by case: every file in tests/scenarios/ must come out as it says.

Each scenario runs through both evaluators; they must agree with each other and with the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.scenario import load_case, run_case, scenario_files


def _without_evaluator(findings: list[dict]) -> list[dict]:
    return [{**f, "trace": {**f["trace"], "evaluator": None}} for f in findings]


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario(path: Path, pack, evaluators) -> None:
    case = load_case(path)
    production = run_case(path, case, pack, evaluators["production"]).to_json()
    reference = run_case(path, case, pack, evaluators["reference"]).to_json()
    assert _without_evaluator(production["findings"]) == _without_evaluator(
        reference["findings"]
    ), "the two evaluators disagree"

    found: dict[str, list[dict]] = {}
    for finding in production["findings"]:
        found.setdefault(finding["obligation_id"], []).append(finding)
    summary = {k: [(f["status"], f["due"], f["assets"]) for f in v] for k, v in found.items()}

    for expected in case.get("expect") or []:
        ob_id = expected["obligation"]
        assert ob_id in found, f"{ob_id} not found; found: {summary}"
        candidates = found[ob_id]
        if "due" in expected:
            want = expected["due"]
            want = want.isoformat() if isinstance(want, dt.date) else want
            candidates = [f for f in candidates if f["due"] == want]
            assert candidates, f"{ob_id}: no finding due {want}; found {summary[ob_id]}"
        assert len(candidates) == 1, f"{ob_id}: ambiguous, give 'due': {summary[ob_id]}"
        finding = candidates[0]
        if "status" in expected:
            assert finding["status"] == expected["status"], (ob_id, finding["explanation"])
        if "assets" in expected:
            assert finding["assets"] == sorted(str(a) for a in expected["assets"]), ob_id
        if "citation_contains" in expected:
            assert expected["citation_contains"] in finding["citation"], ob_id
        if "verified" in expected:
            assert finding["verified"] is expected["verified"], ob_id
        if "kind" in expected:
            assert finding["kind"] == expected["kind"], ob_id
        unknown = set(expected) - {
            "obligation",
            "status",
            "due",
            "assets",
            "citation_contains",
            "verified",
            "kind",
        }
        assert not unknown, f"unknown expect keys {sorted(unknown)}"

    for ob_id in case.get("absent") or []:
        assert ob_id not in found, f"{ob_id} must not apply; found {summary[ob_id]}"
