"""Law written once: a yearly deadline instead of one obligation per year, and one obligation
relying on several designations instead of one copy per designation (engine.law.Deadline.every,
engine.law.AssetScope.designations, engine.loading._expand)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings
from dutybound.engine.loading import default_law_dir, load_rulepack

ANNUAL = """\
instrument:
  id: us.test-annual
  type: regulation
  title: Supply chain annual report (test copy of 47 CFR 1.50007)
  authority: Federal Communications Commission
  citation: 47 CFR 1.50007
  adopted: 2020-12-10
  in_force: 2021-03-15
  url: https://www.ecfr.gov/current/title-47/section-1.50007
  binding: law
  verified: false
obligations:
  - id: us.test-annual.report
    kind: report
    title: File the annual report on covered equipment still in the network
    duty: must file each year by 31 March a report on covered equipment it has not removed
    roles: [us.acs_provider]
    assets:
      designations: [us.covered-list.huawei-zte, us.covered-list.kaspersky]
      statuses: [installed]
    effective: {from: 2023-01-01}
    deadline: {date: 2023-03-31, every: year}
    citation: 47 CFR 1.50007
    url: https://www.ecfr.gov/current/title-47/section-1.50007
    verified: false
"""


def _law(tmp_path: Path, text: str) -> Path:
    law = tmp_path / "law"
    shutil.copytree(default_law_dir(), law)
    (law / "us" / "instruments" / "2099-test-annual.yaml").write_text(text, encoding="utf-8")
    return law


def _run(law: Path, day: str) -> dict[str, dict]:
    pack = load_rulepack(law)
    profile = check_profile(
        {"name": "Carrier", "jurisdictions": ["US"], "roles": ["us.acs_provider"]}, pack, "p"
    )
    rows = [
        {
            "asset_id": "R-1",
            "vendor": "Huawei",
            "category": "router",
            "function": "core",
            "country": "US",
            "status": "installed",
        },
        {
            "asset_id": "K-1",
            "vendor": "Kaspersky",
            "category": "security_software",
            "function": "security_function",
            "country": "US",
            "status": "installed",
        },
    ]
    assets = assets_from_rows("a", rows_from_mappings(rows))
    data = evaluate(pack, profile, assets, dt.date.fromisoformat(day)).to_json()
    return {f["id"]: f for f in data["findings"] if f["id"].startswith("us.test-annual")}


def test_one_obligation_gives_one_part_per_designation_due_every_year(tmp_path: Path) -> None:
    law = _law(tmp_path, ANNUAL)
    found = _run(law, "2026-04-01")
    assert sorted(found) == [
        "us.test-annual.report.huawei-zte",
        "us.test-annual.report.kaspersky",
    ]
    # the 2026 report was due yesterday; the finding now counts to the next one, and it never
    # stops in 2027 as the per-year copies did
    assert {f["due"] for f in found.values()} == {"2027-03-31"}
    assert {f["status"] for f in found.values()} == {"due"}
    assert found["us.test-annual.report.huawei-zte"]["assets"] == ["R-1"]
    assert found["us.test-annual.report.kaspersky"]["assets"] == ["K-1"]
    assert _run(law, "2031-03-31")["us.test-annual.report.kaspersky"]["due"] == "2031-03-31"
    # before the first report: upcoming, due on the first occurrence
    early = _run(law, "2022-06-01")
    assert {(f["status"], f["due"]) for f in early.values()} == {("upcoming", "2023-03-31")}


def test_parts_take_each_designations_own_dates(tmp_path: Path) -> None:
    # Kaspersky was added to the Covered List on 25 Mar 2022: a part relying on it starts then
    text = ANNUAL.replace("effective: {from: 2023-01-01}", "effective: {from: 2021-03-15}")
    text = text.replace("{date: 2023-03-31, every: year}", "{date: 2022-03-31, every: year}")
    found = _run(_law(tmp_path, text), "2022-03-01")
    assert found["us.test-annual.report.huawei-zte"]["status"] == "due"
    assert found["us.test-annual.report.kaspersky"]["status"] == "upcoming"
    assert found["us.test-annual.report.kaspersky"]["effective"]["from"] == "2022-03-25"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("designations: [", "designation: us.covered-list.kaspersky\n      designations: ["),
            "give one of designation, designations or vendor_groups",
        ),
        (("us.covered-list.kaspersky]", "us.covered-list.nobody]"), "no designation"),
        (
            ("{date: 2023-03-31, every: year}", "{days: 10, after: effective, every: year}"),
            "a recurring deadline needs the date of its first occurrence",
        ),
    ],
)
def test_bad_law_names_file_and_line(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    law = _law(tmp_path, ANNUAL.replace(*change))
    with pytest.raises(InputError) as caught:
        load_rulepack(law)
    assert message in str(caught.value)
    assert "2099-test-annual.yaml" in str(caught.value)
    assert caught.value.line is not None


def test_covered_limits_of_a_designation_apply_to_its_part(tmp_path: Path) -> None:
    law = _law(tmp_path, ANNUAL)
    target = law / "us" / "instruments" / "2021-03-12-fcc-covered-list.yaml"
    text = target.read_text(encoding="utf-8")
    shipped = "covers: {categories: [security_software, software, managed_service, cloud_service]}"
    assert shipped in text
    target.write_text(text.replace(shipped, "covers: {categories: [managed_service]}"))
    found = _run(law, "2026-04-01")
    # the security software is outside what the (test) entry covers; Huawei's part is unchanged
    assert "us.test-annual.report.kaspersky" not in found
    assert found["us.test-annual.report.huawei-zte"]["assets"] == ["R-1"]
