"""How a vendor name resolved is said wherever a finding rests on it (issue 18): the
evaluation JSON, the obligation report, the procurement check and its report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings
from dutybound.engine.loading import RulePack
from dutybound.reports.context import obligation_report
from dutybound.reports.render import render_html

from .test_cli import run

US_PROFILE = Path(__file__).parents[1] / "examples" / "us-federal-contractor" / "profile.yaml"
CAMERA = {
    "category": "video_surveillance",
    "function": "physical_security",
    "use": "government_facility_security",
    "country": "US",
    "status": "installed",
}


def _evaluate(pack: RulePack, vendors: list[str]) -> Evaluation:
    profile = check_profile(
        {"name": "Potomac", "jurisdictions": ["US"], "roles": ["us.federal_contractor"]},
        pack,
        "p",
    )
    rows = [{"asset_id": f"A{i}", "vendor": v, **CAMERA} for i, v in enumerate(vendors)]
    assets = assets_from_rows("x", rows_from_mappings(rows))
    return evaluate(pack, profile, assets, dt.date(2026, 11, 28))


def _ezviz_source(pack: RulePack) -> str:
    (entity,) = [e for e in pack.registry.groups["hikvision"].entities if e.name == "EZVIZ"]
    return entity.source


def test_the_evaluation_says_how_each_vendor_name_resolved_and_from_which_source(pack) -> None:
    data = _evaluate(pack, ["EZVIZ", "EZVIZ", "Axis Communications", "Huawai"]).to_json()
    rows = {row["input"]: row for row in data["vendors"]}
    # a name that matched nothing is not an identification; the typo is, up for review
    assert set(rows) == {"EZVIZ", "Huawai"}
    ezviz = rows["EZVIZ"]
    assert (ezviz["group"], ezviz["group_name"], ezviz["relationship"]) == (
        "hikvision",
        "Hikvision",
        "brand",
    )
    assert ezviz["assets"] == 2 and ezviz["needs_review"] is False
    assert ezviz["source"] == _ezviz_source(pack) and ezviz["source"].startswith("http")
    assert rows["Huawai"]["needs_review"] is True and rows["Huawai"]["group"] == "huawei"


def test_the_report_lists_the_identifications_the_findings_rest_on(pack) -> None:
    result = _evaluate(pack, ["EZVIZ", "Huawai"])
    html = render_html("report.html.j2", obligation_report(result, result.to_json()))
    section = html.split('<section class="identified">', 1)[1].split("</section>", 1)[0]
    assert "How the vendors were identified" in section
    assert "EZVIZ</b> → a brand of Hikvision" in section
    assert _ezviz_source(pack) in section
    # the uncertain name is in the review section, not presented as an identification
    assert "Huawai" not in section


def test_the_procurement_check_prints_how_the_vendor_resolved(tmp_path: Path, pack) -> None:
    args = [
        "check",
        "--profile",
        str(US_PROFILE),
        "--vendor",
        "EZVIZ",
        "--category",
        "video_surveillance",
        "--function",
        "physical_security",
        "--use",
        "government_facility_security",
        "--country",
        "US",
        "--as-of",
        "2026-11-28",
        "--format",
        "table",
        "--report",
        str(tmp_path / "check.html"),
    ]
    result = run(*args)
    assert result.returncode == 1, result.stderr  # prohibited
    assert "vendor: EZVIZ → Hikvision (brand)" in " ".join(result.stdout.split())
    html = (tmp_path / "check.html").read_text()
    assert "EZVIZ → Hikvision (brand" in html and _ezviz_source(pack) in html


def test_explain_gives_the_registry_source_of_the_identification(pack) -> None:
    from dutybound.engine.explain import explain_asset

    data = explain_asset(_evaluate(pack, ["EZVIZ"]), "A0")
    assert data["vendor"]["group_name"] == "Hikvision"
    assert data["vendor"]["source"] == _ezviz_source(pack)
