"""Procurement gate: verdicts for real cases, exit codes a pipeline branches on, JUnit output."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def check(*args: str | Path) -> tuple[int, dict | str]:
    result = subprocess.run(
        [sys.executable, "-m", "dutybound", "check", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 70, result.stderr
    try:
        return result.returncode, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("buyers")
    texts = {
        "us_agency": "name: Federal Building Office\njurisdictions: [US]\n"
        "roles: [us.federal_agency]\n",
        "uk_dvd": "name: UK Mobile\njurisdictions: [GB]\n"
        "roles: [gb.public_telecoms_provider, gb.dvd_addressee]\n",
        "cz_cii": "name: Czech Grid\njurisdictions: [CZ]\nroles: [cz.cii_administrator]\n",
    }
    out = {}
    for name, text in texts.items():
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


def test_dahua_cameras_for_a_us_federal_building_are_prohibited(profiles) -> None:
    code, data = check(
        "--profile",
        profiles["us_agency"],
        "--vendor",
        "Dahua Technology",
        "--category",
        "video_surveillance",
        "--function",
        "physical_security",
        "--use",
        "government_facility_security",
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    )
    assert code == 1 and data["verdict"] == "prohibited"
    (item,) = data["items"]
    assert any("§889(a)(1)(A)" in f["citation"] for f in item["findings"])
    assert data["rulepack"]["sha256"] and data["as_of"] == "2026-11-28"


def test_nokia_ran_for_a_uk_provider_is_allowed(profiles) -> None:
    code, data = check(
        "--profile",
        profiles["uk_dvd"],
        "--vendor",
        "Nokia Solutions and Networks",
        "--category",
        "telecom_equipment",
        "--function",
        "ran",
        "--network",
        "5g",
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    )
    assert code == 0 and data["verdict"] == "allowed"
    assert data["items"][0]["findings"] == []


@pytest.mark.parametrize(
    ("as_of", "verdict", "code"),
    [
        ("2022-10-12", "allowed", 0),  # the day before the direction: only NCSC advice (guidance)
        ("2022-10-13", "prohibited", 1),
    ],
)
def test_huawei_5g_ran_for_a_uk_dvd_addressee(
    profiles, as_of: str, verdict: str, code: int
) -> None:
    got, data = check(
        "--profile",
        profiles["uk_dvd"],
        "--vendor",
        "HUAWEI TECHNOLOGIES CO.,LTD",
        "--category",
        "telecom_equipment",
        "--function",
        "ran",
        "--network",
        "5g",
        "--as-of",
        as_of,
        "--format",
        "json",
    )
    assert (got, data["verdict"]) == (code, verdict), data["items"][0]["reasons"]
    if verdict == "prohibited":
        ids = {f["obligation_id"] for f in data["items"][0]["findings"]}
        assert "gb.dvd-2022.5g-no-new-install" in ids


def test_huawei_routers_for_a_czech_cii_administrator_are_conditional(profiles) -> None:
    code, data = check(
        "--profile",
        profiles["cz_cii"],
        "--vendor",
        "Huawei",
        "--category",
        "router",
        "--function",
        "core",
        "--as-of",
        "2024-06-01",
        "--format",
        "json",
    )
    assert code == 4 and data["verdict"] == "conditional"
    ids = {f["obligation_id"] for f in data["items"][0]["findings"]}
    assert "cz.nukib-2018.risk-management" in ids
    assert any("NÚKIB" in r for r in data["items"][0]["reasons"])


def test_an_unknown_prc_vendor_goes_to_review(profiles) -> None:
    code, data = check(
        "--profile",
        profiles["us_agency"],
        "--vendor",
        "Shenzhen Xyz Tech",
        "--category",
        "router",
        "--function",
        "office_it",
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    )
    assert code == 3 and data["verdict"] == "review"
    assert "Shenzhen" in data["items"][0]["reasons"][0]


def test_a_whole_bid_takes_its_worst_item_and_reports_junit(profiles, tmp_path: Path) -> None:
    bid = tmp_path / "bid.csv"
    bid.write_text(
        "Line,Manufacturer,Category,Function,Country,Use\n"
        "1,Axis Communications,video_surveillance,physical_security,US,"
        "government_facility_security\n"
        "2,Hikvision,video_surveillance,physical_security,US,"
        "government_facility_security\n",
        encoding="utf-8",
    )
    bid_with_ids = tmp_path / "bid2.csv"
    bid_with_ids.write_text(bid.read_text().replace("Line,", "Asset ID,"), encoding="utf-8")
    code, data = check(
        "--profile",
        profiles["us_agency"],
        "--items",
        bid_with_ids,
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
    )
    assert code == 1 and data["verdict"] == "prohibited"
    assert [i["verdict"] for i in data["items"]] == ["allowed", "prohibited"]
    assert {i["item"]["status"] for i in data["items"]} == {"in_procurement"}
    junit = subprocess.run(
        [
            sys.executable,
            "-m",
            "dutybound",
            "check",
            "--profile",
            str(profiles["us_agency"]),
            "--items",
            str(bid_with_ids),
            "--as-of",
            "2026-11-28",
            "--format",
            "junit",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert junit.returncode == 1
    assert "'Manufacturer' as vendor" in junit.stderr  # the column mapping is reported
    suite = ET.fromstring(junit.stdout)
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    assert suite.find("testcase[@classname='dutybound.prohibited']/failure") is not None


def test_bad_item_is_an_input_error(profiles) -> None:
    code, text = check(
        "--profile",
        profiles["us_agency"],
        "--vendor",
        "Dahua",
        "--category",
        "toaster",
        "--function",
        "core",
        "--as-of",
        "2026-11-28",
    )
    assert code == 2 and "unknown category 'toaster'" in text
    # one line, naming the option the buyer typed rather than an inventory column
    assert isinstance(text, str) and len(text.splitlines()) == 1
    assert text.startswith("error: --category: unknown category 'toaster'")


def test_an_internal_error_is_70_not_an_input_error(profiles, monkeypatch) -> None:
    """A crash in the evaluation must not read as "prohibited" (1) or as bad input (2): a
    pipeline stops on 70 and a person looks."""
    from typer.testing import CliRunner

    from dutybound.cli import app
    from dutybound.engine import verdict

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the rules engine fell over")

    monkeypatch.setattr(verdict, "check_items", broken)
    result = CliRunner().invoke(
        app,
        [
            "check",
            "--profile",
            str(profiles["us_agency"]),
            "--vendor",
            "Dahua",
            "--category",
            "video_surveillance",
            "--function",
            "physical_security",
            "--as-of",
            "2026-11-28",
        ],
    )
    assert result.exit_code == 70, result.output
    assert result.stderr == "internal error: RuntimeError: the rules engine fell over\n"


def test_procurement_report_pdf(profiles, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "verdict.pdf"
    code, data = check(
        "--profile",
        profiles["us_agency"],
        "--vendor",
        "Hikvision",
        "--category",
        "video_surveillance",
        "--function",
        "physical_security",
        "--use",
        "government_facility_security",
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
        "--report",
        out,
    )
    assert code == 1
    reader = PdfReader(out)
    text = " ".join((p.extract_text() or "") for p in reader.pages)
    assert "Verdict: prohibited" in text and "§889(a)(1)(A)" in text
    assert json.loads(reader.attachments["check.json"][0])["verdict"] == data["verdict"]


def test_a_duty_of_the_buyer_that_conditions_the_purchase_reaches_the_gate(
    tmp_path: Path,
) -> None:
    """Review of Dec 2026, X-4: a binding duty of the buyer itself marked as a condition of
    buying from a designated vendor (notify before the change) makes a Huawei item conditional,
    exit 4, with the duty named; a Nokia item stays allowed. A small law of its own
    (tests/test_verdict_preconditions.py) keeps this independent of the bundled data."""
    from tests.test_verdict_preconditions import ACT, ADVICE, _law

    law = _law(tmp_path / "law", {"act": ACT, "advice": ADVICE})
    profile = tmp_path / "buyer.yaml"
    profile.write_text("name: Kiwi Net\njurisdictions: [NZ]\nroles: [nz.operator]\n")
    args = ["--profile", profile, "--law-dir", law, "--as-of", "2026-11-28", "--format", "json"]
    item = ["--category", "telecom_equipment", "--function", "core", "--network", "5g"]
    code, data = check("--vendor", "Huawei", *item, *args)
    assert isinstance(data, dict), data
    assert code == 4 and data["verdict"] == "conditional"
    (verdict,) = data["items"]
    assert any("Citation of nz.act.notify-proposals" in r for r in verdict["reasons"])
    assert {p["obligation_id"]: p["effect"] for p in verdict["preconditions"]} == {
        "nz.act.notify-proposals": "conditional",
        "nz.advice.consult": "advice",
    }
    code, data = check("--vendor", "Nokia", *item, *args)
    assert isinstance(data, dict), data
    assert code == 0 and data["verdict"] == "allowed"
    assert data["items"][0]["preconditions"] == []
