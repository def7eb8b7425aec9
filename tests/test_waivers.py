"""Waivers and exceptions, stated as legal outcomes.

The law (research notes us.md §2.8): an agency head could waive the s.889 use prohibition
(§889(d)(1); FAR 4.2104(a)) for a limited time, but no such waiver could run past 13 Aug 2022 (the
procurement prohibition: 13 Aug 2021); the Director of National Intelligence may waive with no
sunset (§889(d)(2); FAR 4.2104(b)). A waiver record's ``expires_on`` is the first day it no longer
applies.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import assets_from_rows, load_profile, rows_from_mappings
from dutybound.engine.inventory import read_inventory
from dutybound.engine.jsontext import json_text
from dutybound.engine.loading import RulePack, load_rulepack
from dutybound.engine.verdict import check_items
from dutybound.engine.waivers import check_waivers, load_waivers, standing

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "us-federal-contractor"
OPERATOR = "Potomac Systems Integration LLC"  # examples/us-federal-contractor/profile.yaml
USE = "us.ndaa889.a1b-use"  # Huawei/ZTE equipment used anywhere in a contractor's business


def _record(**changes: object) -> dict:
    base = {
        "id": "W-1",
        "operator": OPERATOR,
        "obligation": USE,
        "basis": "us.ndaa889.d1-agency-head-use",
        "reference": "DHS-889-W-2021-007",
        "approver": "Secretary of Homeland Security",
        "granted_on": "2021-01-01",
        "expires_on": "2022-08-13",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def _write(tmp_path: Path, *records: dict) -> Path:
    """A waivers file, one key per line, so that line numbers are predictable."""
    lines = []
    for rec in records:
        for n, (key, value) in enumerate(rec.items()):
            text = json.dumps(value, ensure_ascii=False)
            lines.append(("- " if n == 0 else "  ") + f"{key}: {text}")
    path = tmp_path / "waivers.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def contractor(pack: RulePack):
    return (
        load_profile(EXAMPLE / "profile.yaml", pack),
        read_inventory(EXAMPLE / "assets.csv").assets,
    )


def _finding(data: dict, obligation: str) -> dict:
    (found,) = [f for f in data["findings"] if f["obligation_id"] == obligation]
    return found


def _run(pack, contractor, evaluators, day: dt.date, waivers) -> dict:
    profile, assets = contractor
    return evaluate(
        pack, profile, assets, day, evaluator=evaluators["production"], waivers=waivers
    ).to_json()


# --- the s.889 agency-head use waiver -----------------------------------------------------------


def test_agency_head_use_waiver_waives_the_use_prohibition_until_it_expires(
    pack, contractor, evaluators, tmp_path
) -> None:
    """A federal contractor uses Huawei routers (U-001). With an agency-head waiver granted
    1 Jan 2021 and expiring 13 Aug 2022, the use prohibition is waived on 1 Jun 2021; on
    14 Aug 2022 the waiver has expired and the prohibition binds again."""
    waivers = load_waivers(_write(tmp_path, _record()), pack, OPERATOR)

    during = _finding(_run(pack, contractor, evaluators, dt.date(2021, 6, 1), waivers), USE)
    assert during["status"] == "waived"
    assert during["status_without_waivers"] == "in_force"
    assert during["assets"] == ["U-001"]
    (w,) = during["waivers"]
    assert w["standing"] == "in_effect" and w["partial"] is False and w["assets"] is None
    assert w["basis"] == "us.ndaa889.d1-agency-head-use"
    assert w["citation"] == "NDAA FY2019 §889(d)(1); FAR 4.2104(a)"
    assert (w["approver"], w["reference"], w["expires_on"], w["verified"]) == (
        "Secretary of Homeland Security",
        "DHS-889-W-2021-007",
        "2022-08-13",
        True,
    )
    assert "Waiver W-1 (ref. DHS-889-W-2021-007)" in during["explanation"]
    assert "until it expires on 13 Aug 2022" in during["explanation"]

    after = _run(pack, contractor, evaluators, dt.date(2022, 8, 14), waivers)
    finding = _finding(after, USE)
    assert finding["status"] == "in_force" and "status_without_waivers" not in finding
    assert finding["waivers"][0]["standing"] == "expired"
    assert "expired on 13 Aug 2022; the obligation applies again" in finding["explanation"]
    assert "waived" not in after["summary"]["by_status"]


def test_waiver_expiry_date_is_the_first_day_it_no_longer_applies(pack) -> None:
    (w,) = check_waivers([_record()], pack, "waivers.yaml")
    assert standing(w, pack, dt.date(2022, 8, 12)).state == "in_effect"
    assert standing(w, pack, dt.date(2022, 8, 13)).state == "expired"
    assert standing(w, pack, dt.date(2020, 12, 31)).state == "not_yet_in_effect"


def test_agency_head_use_waiver_running_past_13_august_2022_is_refused(
    pack, contractor, evaluators
) -> None:
    (w,) = check_waivers(
        [_record(expires_on="2023-01-01")], pack, "waivers.yaml", operator=OPERATOR
    )
    st = standing(w, pack, dt.date(2021, 6, 1))
    assert st.state == "refused"
    assert "run past 13 Aug 2022" in st.reason and "§889(d)(1)" in st.reason
    data = _run(pack, contractor, evaluators, dt.date(2021, 6, 1), [w])
    finding = _finding(data, USE)
    assert finding["status"] == "in_force"  # a refused waiver waives nothing
    assert finding["waivers"][0]["standing"] == "refused"
    assert any(
        n["code"] == "waiver_refused" and n["waiver"] == "W-1" and "refused" in n["message"]
        for n in data["notices"]
    )
    assert data["waivers"][0]["standing"] == "refused"


def test_agency_head_waiver_granted_after_the_power_lapsed_is_refused(pack) -> None:
    (w,) = check_waivers(
        [_record(granted_on="2022-09-01", expires_on="2022-12-01")], pack, "waivers.yaml"
    )
    st = standing(w, pack, dt.date(2022, 10, 1))
    assert st.state == "refused"
    assert "after the power had lapsed" in st.reason and "13 Aug 2022" in st.reason


def test_agency_head_procurement_waiver_could_not_run_past_13_august_2021(pack) -> None:
    record = _record(
        obligation="us.far52204-25.b1-provide",
        basis="us.ndaa889.d1-agency-head-procurement",
        granted_on="2020-01-01",
        expires_on="2021-08-15",
    )
    (w,) = check_waivers([record], pack, "waivers.yaml")
    assert standing(w, pack, dt.date(2020, 6, 1)).state == "refused"
    (ok,) = check_waivers([{**record, "expires_on": "2021-08-14"}], pack, "waivers.yaml")
    assert standing(ok, pack, dt.date(2021, 8, 13)).state == "in_effect"


def test_agency_head_waiver_needs_an_expiry_date(pack, tmp_path) -> None:
    path = _write(tmp_path, _record(expires_on=None))
    with pytest.raises(InputError) as exc:
        load_waivers(path, pack)
    assert exc.value.field == "0.expires_on" and exc.value.line == 1
    assert "13 Aug 2022" in exc.value.message


# --- the DNI waiver ------------------------------------------------------------------------------


def test_dni_waiver_in_2025_is_accepted(pack, contractor, evaluators) -> None:
    """§889(d)(2) has no sunset: a DNI waiver granted in 2025 stands, with or without an expiry."""
    records = [
        _record(
            basis="us.ndaa889.d2-dni",
            approver="Director of National Intelligence",
            reference="ODNI-2025-14",
            granted_on="2025-03-01",
            expires_on=None,
        )
    ]
    waivers = check_waivers(records, pack, "waivers.yaml", operator=OPERATOR)
    st = standing(waivers[0], pack, dt.date(2025, 6, 1))
    assert st.state == "in_effect" and "no expiry date" in st.reason
    finding = _finding(_run(pack, contractor, evaluators, dt.date(2025, 6, 1), waivers), USE)
    assert finding["status"] == "waived"
    assert finding["waivers"][0]["citation"] == "NDAA FY2019 §889(d)(2); FAR 4.2104(b)"
    # not before it was granted
    before = _finding(_run(pack, contractor, evaluators, dt.date(2025, 2, 28), waivers), USE)
    assert before["status"] == "in_force"


# --- errors: file, line, field -----------------------------------------------------------------


def test_basis_that_cannot_cover_the_obligation_is_an_error_naming_file_line_field(
    pack, tmp_path
) -> None:
    """An agency-head *use* waiver cannot waive the FAR reporting duty."""
    path = _write(tmp_path, _record(), _record(id="W-2", obligation="us.far52204-25.report-1bd"))
    with pytest.raises(InputError) as exc:
        load_waivers(path, pack)
    error = exc.value
    assert error.file == str(path) and error.line == 11 and error.field == "1.obligation"
    assert "cannot cover 'us.far52204-25.report-1bd'" in error.message
    assert str(error).startswith(f"{path}:11: field '1.obligation': ")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"basis": "us.ndaa889.d9-nobody"}, "0.basis", "unknown waiver basis"),
        ({"obligation": "us.ndaa889.no-such"}, "0.obligation", "unknown obligation"),
        ({"granted_on": "01/01/2021"}, "0.granted_on", "not an ISO date"),
        ({"expires_on": "2020-12-31"}, "0.expires_on", "must be after granted_on"),
        ({"operator": "Someone Else LLC"}, "0.operator", "but the profile is"),
        ({"approver": ""}, "0.approver", "at least 1 character"),
        ({"colour": "red"}, "0.colour", "Extra inputs"),
    ],
)
def test_bad_records_are_errors_naming_the_field(pack, tmp_path, change, field, words) -> None:
    path = _write(tmp_path, _record(**change))
    with pytest.raises(InputError) as exc:
        load_waivers(path, pack, OPERATOR)
    assert exc.value.field == field and words in exc.value.message
    assert exc.value.line is not None


def test_duplicate_ids_and_operator_level_assets_are_errors(pack) -> None:
    with pytest.raises(InputError, match="duplicate waiver id"):
        check_waivers([_record(), _record()], pack, "w")
    # no encoded basis covers a duty of the operator itself, so one is made for the test
    import dataclasses

    from dutybound.engine.law import WaiverBasis

    basis = WaiverBasis.model_validate(
        {
            "id": "us.test.basis",
            "title": "Test basis",
            "authority": "Tester",
            "covers": {"obligations": ["us.far52204-25.flow-down"]},
            "available_from": "2019-08-13",
            "citation": "none (test)",
            "url": "https://example.org",
            "verified": False,
        }
    )
    test_pack = dataclasses.replace(pack, waiver_bases={**pack.waiver_bases, basis.id: basis})
    record = _record(obligation="us.far52204-25.flow-down", basis=basis.id, expires_on=None)
    with pytest.raises(InputError, match="duty of the operator itself"):
        check_waivers([{**record, "assets": ["U-001"]}], test_pack, "w")
    check_waivers([record], test_pack, "w")  # without assets it is fine


# --- partial waivers ---------------------------------------------------------------------------


def test_waiver_of_some_assets_keeps_the_finding_open_and_names_them(pack, evaluators) -> None:
    profile = load_profile(EXAMPLE / "profile.yaml", pack)
    assets = assets_from_rows(
        "test",
        rows_from_mappings(
            [
                {
                    "asset_id": aid,
                    "vendor": "Huawei",
                    "category": "router",
                    "function": "office_it",
                    "country": "US",
                    "status": "installed",
                    # stated, so that no question of delivery under a federal contract (FAR
                    # 52.204-25(b)(1)) holds up the procurement gate below
                    "flags": "federal_contract_delivery=no",
                }
                for aid in ("R-1", "R-2", "R-3")
            ]
        ),
    )
    waivers = check_waivers([_record(assets=["R-2", "R-1", "X-9"])], pack, "w")
    day = dt.date(2021, 6, 1)
    data = evaluate(
        pack, profile, assets, day, evaluator=evaluators["production"], waivers=waivers
    ).to_json()
    finding = _finding(data, USE)
    assert finding["status"] == "in_force" and finding["assets"] == ["R-1", "R-2", "R-3"]
    (w,) = finding["waivers"]
    assert w["assets"] == ["R-1", "R-2"] and w["partial"] is True
    assert "covers only R-1, R-2; the obligation stays in force for R-3" in finding["explanation"]

    # a procurement gate on the same items: the waived routers are conditional, R-3 prohibited
    result = check_items(pack, profile, assets, day, waivers=waivers)
    verdicts = {i.asset.asset_id: i.verdict for i in result.items}
    assert verdicts == {"R-1": "conditional", "R-2": "conditional", "R-3": "prohibited"}
    assert result.verdict == "prohibited"
    reasons = next(i.reasons for i in result.items if i.asset.asset_id == "R-1")
    assert any(r.startswith("waived: ") and "W-1" in r and "until 2022-08-13" in r for r in reasons)

    # a second waiver for the rest waives the whole finding
    both = check_waivers(
        [_record(assets=["R-1", "R-2"]), _record(id="W-2", assets=["R-3"])], pack, "w"
    )
    data = evaluate(
        pack, profile, assets, day, evaluator=evaluators["production"], waivers=both
    ).to_json()
    assert _finding(data, USE)["status"] == "waived"


def test_waived_prohibition_gives_a_conditional_verdict(pack) -> None:
    profile = load_profile(EXAMPLE / "profile.yaml", pack)
    items = assets_from_rows(
        "bid",
        rows_from_mappings(
            [
                {
                    "asset_id": "item-1",
                    "vendor": "Huawei",
                    "category": "router",
                    "function": "office_it",
                    "country": "US",
                    "status": "in_procurement",
                    "flags": "federal_contract_delivery=no",
                }
            ]
        ),
    )
    day = dt.date(2025, 6, 1)
    assert check_items(pack, profile, items, day).verdict == "prohibited"
    waivers = check_waivers(
        [_record(basis="us.ndaa889.d2-dni", granted_on="2025-01-01", expires_on="2026-01-01")],
        pack,
        "w",
    )
    result = check_items(pack, profile, items, day, waivers=waivers)
    assert result.verdict == "conditional" and result.exit_code == 4


def test_waiver_in_effect_that_meets_no_finding_is_noticed(pack, contractor, evaluators) -> None:
    waivers = check_waivers([_record(assets=["NOT-IN-INVENTORY"])], pack, "w")
    data = _run(pack, contractor, evaluators, dt.date(2021, 6, 1), waivers)
    assert _finding(data, USE)["status"] == "in_force"
    assert any(
        "no finding of us.ndaa889.a1b-use for NOT-IN-INVENTORY" in n["message"]
        for n in data["notices"]
    )


# --- output --------------------------------------------------------------------------------------


def test_json_is_byte_identical_across_runs_and_record_order(pack, contractor, evaluators) -> None:
    records = [
        _record(),
        _record(id="W-0", obligation="us.ndaa889.a1b-use-purpose-limited", expires_on="2023-01-01"),
        _record(id="W-2", basis="us.ndaa889.d2-dni", expires_on=None),
    ]
    day = dt.date(2021, 6, 1)
    first = json_text(_run(pack, contractor, evaluators, day, check_waivers(records, pack, "w")))
    again = json_text(_run(pack, contractor, evaluators, day, check_waivers(records, pack, "w")))
    reordered = json_text(
        _run(pack, contractor, evaluators, day, check_waivers(records[::-1], pack, "w"))
    )
    assert first == again == reordered
    assert [w["id"] for w in json.loads(first)["waivers"]] == ["W-0", "W-1", "W-2"]


def test_no_waivers_leaves_the_output_unchanged(pack, contractor, evaluators) -> None:
    day = dt.date(2021, 6, 1)
    plain = _run(pack, contractor, evaluators, day, None)
    assert "waivers" not in plain
    assert all("waivers" not in f for f in plain["findings"])


def test_unverified_basis_is_marked_in_the_explanation(pack, evaluators) -> None:
    profile = load_profile(ROOT / "examples" / "uk-telecoms" / "profile.yaml", pack)
    assets = read_inventory(ROOT / "examples" / "uk-telecoms" / "assets.csv").assets
    day = dt.date(2026, 11, 28)
    plain = evaluate(pack, profile, assets, day, evaluator=evaluators["production"]).to_json()
    target = next(
        f
        for f in plain["findings"]
        if f["obligation_id"].startswith("gb.dvd-2022.")
        and f["status"] in ("overdue", "due", "in_force")
    )
    waivers = check_waivers(
        [
            {
                "id": "V-1",
                "operator": profile.name,
                "obligation": target["obligation_id"],
                "basis": "gb.dvd-2022.variation",
                "reference": "DSIT variation letter (example)",
                "approver": "Secretary of State",
                "granted_on": "2026-01-01",
            }
        ],
        pack,
        "w",
    )
    data = evaluate(
        pack, profile, assets, day, evaluator=evaluators["production"], waivers=waivers
    ).to_json()
    finding = next(f for f in data["findings"] if f["id"] == target["id"])
    assert finding["status"] == "waived" and finding["waivers"][0]["verified"] is False
    assert "UNVERIFIED waiver basis" in finding["explanation"]


# --- the law data ------------------------------------------------------------------------------


def test_waiver_bases_state_the_dates_the_notes_give(pack) -> None:
    bases = pack.waiver_bases
    assert bases["us.ndaa889.d1-agency-head-procurement"].last_day == dt.date(2021, 8, 13)
    assert bases["us.ndaa889.d1-agency-head-use"].last_day == dt.date(2022, 8, 13)
    assert bases["us.ndaa889.d2-dni"].last_day is None
    for basis in bases.values():
        assert basis.citation and basis.url.startswith("http") and basis.authority
        assert isinstance(basis.verified, bool)
        if not basis.verified:
            assert basis.note and "UNVERIFIED" in basis.note


def test_waiver_basis_files_are_checked_and_fingerprinted(pack, tmp_path) -> None:
    import shutil

    law = tmp_path / "law"
    shutil.copytree(ROOT / "jurisdictions", law)
    path = law / "us" / "waivers.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "- us.ndaa889.a1b-use-purpose-limited\n    available_from",
            "- us.ndaa889.a1b-use-nonexistent\n    available_from",
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_rulepack(law)
    assert exc.value.field == "waiver_bases.1.covers.obligations.1"
    assert exc.value.file.endswith("waivers.yaml") and exc.value.line is not None
    path.unlink()
    assert load_rulepack(law).sha256 != pack.sha256


# --- the command -------------------------------------------------------------------------------


def test_waivers_check_command(pack, tmp_path) -> None:
    from dutybound.cli import app

    path = _write(tmp_path, _record(), _record(id="W-2", expires_on="2023-01-01"))
    runner = CliRunner()
    args = [
        "waivers",
        "check",
        "--waivers",
        str(path),
        "--profile",
        str(EXAMPLE / "profile.yaml"),
        "--as-of",
        "2021-06-01",
    ]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 1, result.output  # one refused
    data = json.loads(result.stdout)
    assert [(w["id"], w["standing"]) for w in data["waivers"]] == [
        ("W-1", "in_effect"),
        ("W-2", "refused"),
    ]
    table = runner.invoke(app, [*args, "--format", "table"])
    assert "refused" in table.stdout and "in effect" in table.stdout

    path = _write(tmp_path, _record())
    assert runner.invoke(app, [*args[:3], str(path), *args[4:]]).exit_code == 0
    bad = _write(tmp_path, _record(obligation="us.far52204-25.report-1bd"))
    result = runner.invoke(app, [*args[:3], str(bad), *args[4:]])
    assert result.exit_code == 2 and "field '0.obligation'" in result.output
