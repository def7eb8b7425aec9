"""Vendor decisions: a person's answer to a review question about a vendor name, recorded once
(engine.vendor_decisions)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings
from dutybound.engine.vendor_decisions import check_decisions

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = [
    {
        "id": "D-1",
        "name": "Huawai Technologies",
        "group": "huawei",
        "by": "J. Novak, procurement",
        "decided_on": "2026-11-30",
        "note": "supplier master record 4711 carries Huawei's registration number",
    },
]


def _operator(pack):  # type: ignore[no-untyped-def]
    return check_profile(
        {
            "name": "Albion",
            "jurisdictions": ["GB"],
            "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
        },
        pack,
        "p",
    )


def _assets():  # type: ignore[no-untyped-def]
    return assets_from_rows(
        "a",
        rows_from_mappings(
            [
                {
                    "asset_id": "C-1",
                    "vendor": "Huawai Technologies",
                    "category": "telecom_equipment",
                    "function": "core",
                    "country": "GB",
                    "status": "installed",
                }
            ]
        ),
    )


def test_a_confirmed_name_is_the_groups_equipment_and_the_output_says_why(pack) -> None:
    """UK direction of 13 Oct 2022: Huawei kit must leave the core by 31 Dec 2023. A misspelt
    'Huawai Technologies' is only a review question until someone records that it is Huawei;
    then the core-removal finding reaches it, and the match names the decision."""
    day = dt.date(2024, 1, 15)
    before = evaluate(pack, _operator(pack), _assets(), day).to_json()
    assert not [f for f in before["findings"] if f["obligation_id"] == "gb.dvd-2022.core-removal"]
    assert any(r["asset_id"] == "C-1" and r["reason"] == "vendor_match" for r in before["review"])

    decisions = check_decisions(DECISIONS, pack.registry, "d.yaml")
    after = evaluate(pack, _operator(pack), _assets(), day, vendor_decisions=decisions).to_json()
    core = next(f for f in after["findings"] if f["obligation_id"] == "gb.dvd-2022.core-removal")
    assert core["assets"] == ["C-1"] and core["status"] == "overdue"
    # no longer a question about the vendor (facts such as the site's status still are)
    assert not [r for r in after["review"] if r["reason"] == "vendor_match"]
    assert after["vendor_decisions"][0]["id"] == "D-1"


def test_a_rejected_name_leaves_the_group(pack) -> None:
    rejected = [{**DECISIONS[0], "group": None, "not_group": "huawei"}]
    rejected[0].pop("group")
    decisions = check_decisions(rejected, pack.registry, "d.yaml")
    result = evaluate(
        pack, _operator(pack), _assets(), dt.date(2024, 1, 15), vendor_decisions=decisions
    )
    assert result.vendor_matches["Huawai Technologies"].group is None
    assert not [r for r in result.review() if r["reason"] == "vendor_match"]
    assert (
        "confirmed not to be huawei's equipment"
        in result.vendor_matches["Huawai Technologies"].reason()
    )


def test_every_problem_of_a_decisions_file_at_once(pack) -> None:
    bad = [
        {"id": "D-1", "name": "X", "group": "nobody", "by": "a", "decided_on": "2026-01-01"},
        {"id": "D-1", "name": "Y", "group": "huawei", "not_group": "zte", "by": "a",
         "decided_on": "2026-01-01"},
    ]  # fmt: skip
    with pytest.raises(InputError) as caught:
        check_decisions(bad, pack.registry, "d.yaml")
    text = str(caught.value)
    assert "unknown vendor group 'nobody'" in text and "not both" in text


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The profile, inventory and decisions file the CLI tests run on."""
    import yaml

    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: Albion\njurisdictions: [GB]\n"
        "roles: [gb.public_telecoms_provider, gb.dvd_addressee]\n"
    )
    assets = tmp_path / "a.csv"
    assets.write_text(
        "asset_id,vendor,category,function,country,status\n"
        "C-1,Huawai Technologies,telecom_equipment,core,GB,installed\n"
    )
    decisions = tmp_path / "d.yaml"
    decisions.write_text(yaml.safe_dump({"decisions": DECISIONS}))
    return profile, assets, decisions


def test_the_cli_takes_a_decisions_file(tmp_path: Path) -> None:
    profile, assets, decisions = _files(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "dutybound", "evaluate", "--profile", str(profile), "--assets",
         str(assets), "--as-of", "2024-01-15", "--vendor-decisions", str(decisions),
         "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert any(f["obligation_id"] == "gb.dvd-2022.core-removal" for f in data["findings"])


def test_the_report_lists_the_decisions_it_relied_on(tmp_path: Path) -> None:
    profile, assets, decisions = _files(tmp_path)
    out = tmp_path / "r.html"
    run = subprocess.run(
        [sys.executable, "-m", "dutybound", "report", "--profile", str(profile), "--assets",
         str(assets), "--as-of", "2024-01-15", "--vendor-decisions", str(decisions),
         "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    html = out.read_text(encoding="utf-8")
    assert "Vendor decisions relied on" in html and "D-1" in html and "J. Novak" in html
