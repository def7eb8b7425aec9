"""The law, case by case: every file in tests/scenarios/ must come out as it says.

Each scenario runs through both evaluators; they must agree with each other and with the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dutybound.engine.evaluators import Evaluator
from dutybound.engine.loading import RulePack
from tests.scenario import RUN_NOTICES, load_case, run_case, scenario_files

JSON = dict[str, Any]


def _without_evaluator(findings: list[JSON]) -> list[JSON]:
    return [{**f, "trace": {**f["trace"], "evaluator": None}} for f in findings]


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario(path: Path, pack: RulePack, evaluators: dict[str, Evaluator]) -> None:
    case = load_case(path)
    production = run_case(path, case, pack, evaluators["production"]).to_json()
    reference = run_case(path, case, pack, evaluators["reference"]).to_json()
    assert _without_evaluator(production["findings"]) == _without_evaluator(
        reference["findings"]
    ), "the two evaluators disagree"
    assert production["review"] == reference["review"], "the two evaluators disagree on review"

    _check_findings(case, production["findings"])
    _check_notices(case, production["notices"])
    _check_review(case, production["review"])
    _check_latent(case, production["latent"])


_BASE = "title: t\nas_of: 2021-03-01\nprofile: {name: X, jurisdictions: [US], roles: []}\n"


@pytest.mark.parametrize(
    "extra",
    [
        "expect:\n  - {obligation: us.ndaa889.a1b-use, statu: in_force}\n",  # misspelt key
        "notise: [no_roles]\n",
        "notices: [law_out_of_date]\n",  # depends on the run, never stated
        "notices: [role_lapsed, no_roles]\n",  # not sorted
        "notices: [no_role]\n",
        "review:\n  - {asset: H-1, field: use}\n",  # names no obligation
        "review: []\nno_review: true\n",
        "no_findings: true\nexpect:\n  - {obligation: us.ndaa889.a1b-use}\n",
    ],
)
def test_scenario_format_is_strict(tmp_path: Path, extra: str) -> None:
    """A misspelt or meaningless key would make a scenario state nothing and still pass."""
    path = tmp_path / "case.yaml"
    path.write_text(_BASE + extra, encoding="utf-8")
    with pytest.raises(AssertionError):
        load_case(path)


def _check_findings(case: JSON, findings: list[JSON]) -> None:
    found: dict[str, list[JSON]] = {}
    for finding in findings:
        found.setdefault(finding["obligation_id"], []).append(finding)
    summary = {
        k: [(f["status"], f["position"], f["due"], f["assets"]) for f in v]
        for k, v in found.items()
    }

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
        if "position" in expected:
            assert finding["position"] == expected["position"], (ob_id, finding["explanation"])
        if "assets" in expected:
            assert finding["assets"] == sorted(str(a) for a in expected["assets"]), ob_id
        if "citation_contains" in expected:
            assert expected["citation_contains"] in finding["citation"], ob_id
        if "verified" in expected:
            assert finding["verified"] is expected["verified"], ob_id
        if "kind" in expected:
            assert finding["kind"] == expected["kind"], ob_id
        if "hypothetical" in expected:
            assert finding.get("hypothetical", False) is expected["hypothetical"], ob_id

    if case.get("no_findings"):
        assert not found, f"expected no findings; found {summary}"

    for ob_id in case.get("absent") or []:
        assert ob_id not in found, f"{ob_id} must not apply; found {summary[ob_id]}"


def _check_notices(case: JSON, notices: list[JSON]) -> None:
    """The notices qualify the whole answer, so a scenario states them exactly: a file without
    ``notices`` says there are none (docs/scenarios.md), apart from the run's own."""
    got = sorted({n["code"] for n in notices} - RUN_NOTICES)
    want = case.get("notices") or []
    messages = [n["message"] for n in notices]
    assert got == want, f"notices {got} != expected {want}: {messages}"


def _check_review(case: JSON, review: list[JSON]) -> None:
    if case.get("no_review"):
        assert review == [], f"expected no review items; got {review}"
    for item in case.get("review") or []:
        rows = [
            r
            for r in review
            if r["asset_id"] == str(item["asset"]) and r.get("field") == item["field"]
        ]
        assert rows, f"no review item for {item['asset']} field {item['field']}; got {review}"
        named = {ob for r in rows for ob in r.get("obligations", [])}
        missing = set(item["obligations_include"]) - named
        assert not missing, (
            f"review of {item['asset']} field {item['field']} does not name {sorted(missing)}; "
            f"names {sorted(named)}"
        )


def _check_latent(case: JSON, latent: list[JSON]) -> None:
    """Latent exposures from unused powers (engine.powers): each stated one with the exact assets
    it would reach; ``latent: []`` states there are none."""
    for item in case.get("latent") or []:
        rows = [
            r
            for r in latent
            if r["power"] == item["power"] and r["vendor_group"] == item["vendor_group"]
        ]
        assert rows, f"no latent exposure {item}; got {latent}"
        reached = sorted({a for d in rows[0]["duties"] for a in d["assets"]})
        assert reached == sorted(str(a) for a in item["assets"]), (item, reached)
    if "latent" in case and not case["latent"]:
        assert latent == [], latent
