"""`dutybound export oscal` (issue 21): OSCAL assessment results that compliance-trestle (the
OSCAL Compass library) reads and validates, with a finding, observation and risk per finding,
and the same bytes for the same inputs."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from trestle.core.validator_factory import validator_factory
from trestle.oscal.assessment_results import AssessmentResults

ROOT = Path(__file__).resolve().parent.parent
CZ = ROOT / "examples" / "cz-energy"
UK = ROOT / "examples" / "uk-telecoms"


def export(example: Path, as_of: str, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dutybound",
            "export",
            "oscal",
            "--profile",
            example / "profile.yaml",
            "--assets",
            example / "assets.csv",
            "--as-of",
            as_of,
            *map(str, args),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )


def trestle_valid(path: Path) -> AssessmentResults:
    """Read with trestle (its pydantic models forbid unknown keys and check every type and
    pattern) and run its whole-document validators (duplicate uuids, references, links)."""
    model = AssessmentResults.oscal_read(path)
    assert isinstance(model, AssessmentResults)
    assert validator_factory.get(argparse.Namespace(mode="all")).model_is_valid(model, True, None)
    return model


@pytest.fixture(scope="module")
def cz(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("oscal") / "cz.json"
    result = export(CZ, "2019-02-01", "--out", out)
    assert result.returncode == 0, result.stderr
    return out, json.loads(out.read_bytes())


def test_export_validates_with_trestle(cz) -> None:
    path, _ = cz
    model = trestle_valid(path)
    (result,) = model.results
    assert result.findings and result.observations and result.risks
    assert len(result.findings) == len(result.observations) == len(result.risks)


def test_findings_observations_and_risks_carry_the_evaluation(cz) -> None:
    _, doc = cz
    (result,) = doc["assessment-results"]["results"]
    finding = next(
        f for f in result["findings"] if f["target"]["target-id"] == "cz.nukib-2018.risk-management"
    )
    assert finding["target"]["type"] == "objective-id"
    assert finding["target"]["status"] == {"state": "not-satisfied", "reason": "fail"}
    assert finding["links"][0]["href"].startswith("https://www.govcert.cz/")
    observations = {o["uuid"]: o for o in result["observations"]}
    risks = {r["uuid"]: r for r in result["risks"]}
    observation = observations[finding["related-observations"][0]["observation-uuid"]]
    risk = risks[finding["related-risks"][0]["risk-uuid"]]
    assert [s["title"] for s in observation["subjects"]] == ["E-001", "E-002", "E-003", "E-008"]
    items = {i["uuid"] for i in result["local-definitions"]["inventory-items"]}
    assert {s["subject-uuid"] for s in observation["subjects"]} <= items
    assert risk["status"] == "open" and "§ 12(1)" in risk["description"]
    controls = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert {"control-id": "cz.nukib-2018.risk-management"} in controls
    assert result["start"] == "2019-02-01T00:00:00+00:00"


def test_same_inputs_give_the_same_bytes(cz, tmp_path: Path) -> None:
    path, _ = cz
    again = export(CZ, "2019-02-01")
    assert again.returncode == 0, again.stderr
    assert again.stdout == path.read_bytes()
    other_day = export(CZ, "2019-03-01")
    other = json.loads(other_day.stdout)["assessment-results"]
    assert other["uuid"] != json.loads(again.stdout)["assessment-results"]["uuid"]


def test_operator_duties_and_due_dates_validate(tmp_path: Path) -> None:
    out = tmp_path / "uk.json"
    result = export(UK, "2026-11-28", "--out", out)
    assert result.returncode == 0, result.stderr
    trestle_valid(out)
    doc = json.loads(out.read_bytes())["assessment-results"]
    (res,) = doc["results"]
    parties = {p["uuid"] for p in doc["metadata"]["parties"]}
    subjects = [s for o in res["observations"] for s in o["subjects"]]
    assert any(s["type"] == "party" and s["subject-uuid"] in parties for s in subjects)
    finding = next(
        f for f in res["findings"] if f["target"]["target-id"] == "gb.dvd-2022.core-removal"
    )
    risk_uuid = finding["related-risks"][0]["risk-uuid"]
    core = next(r for r in res["risks"] if r["uuid"] == risk_uuid)
    assert core["deadline"] == "2023-12-31T00:00:00+00:00" and core["status"] == "open"


def test_the_validator_refuses_a_broken_document(cz, tmp_path: Path) -> None:
    """The checks above can fail: trestle refuses an unknown key and a duplicated uuid."""
    _, doc = cz
    broken = json.loads(json.dumps(doc))
    broken["assessment-results"]["results"][0]["findings"][0]["severity"] = "high"
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(Exception, match="severity"):
        AssessmentResults.oscal_read(path)
    twice = json.loads(json.dumps(doc))
    res = twice["assessment-results"]["results"][0]
    res["risks"][1]["uuid"] = res["risks"][0]["uuid"]
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(twice), encoding="utf-8")
    model = AssessmentResults.oscal_read(path)
    assert not validator_factory.get(argparse.Namespace(mode="all")).model_is_valid(
        model, True, None
    )


def test_out_must_be_json(tmp_path: Path) -> None:
    result = export(CZ, "2019-02-01", "--out", tmp_path / "x.xlsx")
    assert result.returncode == 2 and b"--out" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_findings_validates_and_the_notice_is_the_results_remarks(tmp_path: Path) -> None:
    profile = tmp_path / "nobody.yaml"
    profile.write_text("name: Nobody\njurisdictions: [CZ]\nroles: []\n", encoding="utf-8")
    out = tmp_path / "none.json"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "dutybound", "export", "oscal", "--profile", str(profile)),
            *("--assets", str(CZ / "assets.csv"), "--as-of", "2019-02-01", "--out", str(out)),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    trestle_valid(out)
    (res,) = json.loads(out.read_bytes())["assessment-results"]["results"]
    assert "findings" not in res
    assert res["reviewed-controls"]["control-selections"] == [{"include-all": {}}]
    assert "holds no role under the law of CZ" in res["remarks"]
