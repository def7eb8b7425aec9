"""``dutybound diff``: changes between two evaluations, each attributed to its cause.

The law in these tests is the bundled rule pack. Where a test needs the law or the vendor data
to change, it changes a copy in tmp_path, and only in ways the research notes record: the
"before" law lacks the Huawei direction and designation notice of 13 Oct 2022 (a rule pack from
before they were encoded), or carries the consultation draft's core-removal date (28 Jan 2023,
per the obligation's note) instead of the final 31 Dec 2023. (The "before" pack also lacks the
GB waiver-basis file, which names the direction.) The registry copy gains one alias
(a rebadged label), which is test data, not a claim about any real firm.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.diff import Change, PackCache, Side, add_months, diff, upcoming
from dutybound.engine.diff import sides as diff_sides
from dutybound.engine.inputs import Asset, assets_from_rows, load_profile, rows_from_mappings
from dutybound.engine.inventory import read_inventory
from dutybound.engine.jsontext import json_text
from dutybound.engine.loading import RulePack, default_law_dir, default_registry_path

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"
US = ROOT / "examples" / "us-federal-contractor"
DVD_FILE = "gb/instruments/2022-10-13-huawei-designated-vendor-direction.yaml"
NOTICE_FILE = "gb/instruments/2022-10-13-huawei-designation-notice.yaml"
DVD_CITATION = (
    "Communications Act 2003 s.105Z1; Huawei Designated Vendor Direction of 13 October 2022"
)
REBADGED = "Albion Rebadge Networks Ltd"

D = dt.date.fromisoformat


def _assets(rows: list[dict[str, str]]) -> list[Asset]:
    return assets_from_rows("test", rows_from_mappings(rows))


def _example(folder: Path, pack: RulePack) -> tuple:
    return load_profile(folder / "profile.yaml", pack), read_inventory(folder / "assets.csv").assets


def _change(result, obligation_id: str, change: str) -> Change:
    found = [c for c in result.changes if c.obligation_id == obligation_id and c.change == change]
    assert len(found) == 1, [(c.obligation_id, c.change) for c in result.changes]
    return found[0]


def _kinds(change: Change) -> dict[str, dict]:
    return {c.kind: c.refs for c in change.causes}


def _ids(result) -> set[tuple[str, str]]:
    return {(c.obligation_id, c.change) for c in result.changes}


# --- law, vendor data and inventory all change -------------------------------------------------


@pytest.fixture
def changed_inputs(tmp_path: Path, pack: RulePack) -> tuple[Side, Side]:
    """Before: a rule pack without the DVD and its designation notice, the bundled registry, the
    UK example plus a rebadged full-fibre OLT. After: the full rule pack, a registry that knows
    the rebadged label as Huawei's, and one more Huawei 5G radio."""
    law_before = tmp_path / "law-before"
    shutil.copytree(default_law_dir(), law_before)
    (law_before / DVD_FILE).unlink()
    (law_before / NOTICE_FILE).unlink()
    # the legal basis for varying the direction goes with it, and so does the window of the
    # addressee role, which the direction defines
    (law_before / "gb" / "waivers.yaml").unlink(missing_ok=True)
    gb = law_before / "gb" / "jurisdiction.yaml"
    gb.write_text(gb.read_text().replace("    instrument: gb.dvd-2022\n", ""))
    # the TSA's designation power was not yet used against Huawei
    tsa = law_before / "gb" / "instruments" / "2021-11-17-telecommunications-security-act.yaml"
    used = "    used: [gb.huawei-designation-2022.huawei-group]\n"
    assert used in tsa.read_text()
    tsa.write_text(tsa.read_text().replace(used, ""))
    law_after = tmp_path / "law-after"
    shutil.copytree(default_law_dir(), law_after)
    registry_before = tmp_path / "vendors-before.yaml"
    shutil.copyfile(default_registry_path(), registry_before)
    registry_after = tmp_path / "vendors-after.yaml"
    text = default_registry_path().read_text(encoding="utf-8")
    old = "aliases: [Huawei, Huawei Technologies, 华为技术有限公司, 华为技术, 华为, Huawei Tech]"
    assert text.count(old) == 1
    registry_after.write_text(
        text.replace(old, old[:-1] + ", Albion Rebadge Networks]"), encoding="utf-8"
    )
    profile, base = _example(UK, pack)
    rebadged = _assets(
        [
            {
                "asset_id": "X-001",
                "vendor": REBADGED,
                "category": "telecom_equipment",
                "function": "access_fttp",
                "network": "fttp",
                "country": "GB",
                "status": "installed",
                "quantity": "100",
            }
        ]
    )
    radio = _assets(
        [
            {
                "asset_id": "R-004",
                "vendor": "Huawei",
                "category": "telecom_equipment",
                "function": "ran",
                "network": "5g",
                "country": "GB",
                "status": "installed",
                "quantity": "50",
            }
        ]
    )
    day = D("2024-01-01")
    before = Side(profile, [*base, *rebadged], day, law_before, registry_before)
    after = Side(profile, [*base, *rebadged, *radio], day, law_after, registry_after)
    return before, after


def test_law_vendor_data_and_inventory_are_each_attributed(changed_inputs) -> None:
    result = diff(*changed_inputs)
    assert not [f for f in result.before.findings if f.id.startswith("gb.dvd-2022.")]

    # law: the direction and the designation it relies on are new in the rule pack
    core = _change(result, "gb.dvd-2022.core-removal", "appeared")
    assert core.steps == ["law"]
    kinds = _kinds(core)
    assert kinds["obligation_added"]["obligation"] == "gb.dvd-2022.core-removal"
    assert kinds["instrument_added"] == {
        "instrument": "gb.dvd-2022",
        "citation": DVD_CITATION,
        "in_force": "2022-10-13",
    }
    assert kinds["designation_added"]["designation"] == "gb.huawei-designation-2022.huawei-group"
    assert kinds["designation_added"]["vendor_groups"] == ["huawei"]
    assert core.after is not None
    assert (core.after.status, core.after.due, core.after.assets) == (
        "overdue",
        D("2023-12-31"),
        ("C-001",),
    )
    fttp_cap = _change(result, "gb.dvd-2022.fttp-access-cap", "appeared")
    assert fttp_cap.steps == ["law"] and fttp_cap.after is not None
    assert fttp_cap.after.assets == ("F-001", "X-001")

    # vendor data: the rebadged label now resolves to Huawei, so the NCSC cap reaches X-001
    ncsc_fttp = _change(result, "gb.ncsc-hrv-2020.fttp-access-cap", "assets")
    assert ncsc_fttp.assets_added == ["X-001"] and ncsc_fttp.assets_removed == []
    assert ncsc_fttp.steps == ["vendor_data"]
    [cause] = ncsc_fttp.causes
    assert cause.kind == "vendor_resolved"
    assert cause.refs["vendor"] == REBADGED and cause.refs["group"] == "huawei"
    assert cause.refs["group_before"] is None and cause.refs["assets"] == ["X-001"]
    assert REBADGED in cause.text and "huawei" in cause.text

    # inventory: the added radio R-004 joins the NCSC 5G access cap
    ncsc_5g = _change(result, "gb.ncsc-hrv-2020.5g-access-cap", "assets")
    assert ncsc_5g.assets_added == ["R-004"]
    assert ncsc_5g.steps == ["inventory"]
    assert [(c.kind, c.refs) for c in ncsc_5g.causes] == [("asset_added", {"assets": ["R-004"]})]

    # nothing is blamed on a step whose input did not change
    assert {s for c in result.changes for s in c.steps} <= {"inventory", "vendor_data", "law"}
    data = result.to_json()
    assert data["inputs"]["inventory"] == {"added": ["R-004"], "removed": [], "edited": []}
    assert data["inputs"]["law"]["instruments_added"] == [
        "gb.dvd-2022",
        "gb.huawei-designation-2022",
    ]
    assert [v["vendor"] for v in data["inputs"]["vendor_data"]["vendors"]] == [REBADGED]
    assert data["summary"]["by_step"]["law"] == len(
        [c for c in result.changes if c.steps == ["law"]]
    )
    assert "gb.dvd-2022.core-removal" in data["summary"]["new_overdue_obligations"]


def test_diff_is_deterministic_json(changed_inputs) -> None:
    first = json_text(diff(*changed_inputs).to_json())
    assert first == json_text(diff(*changed_inputs).to_json())
    assert json.loads(first)["summary"]["changes"] > 0


def test_packs_are_loaded_once_per_law_dir_and_registry(changed_inputs, monkeypatch) -> None:
    calls: list[tuple[Path, Path]] = []
    real = diff_sides.load_rulepack

    def counting(law_dir: Path, registry_path: Path) -> RulePack:
        calls.append((law_dir, registry_path))
        return real(law_dir, registry_path)

    monkeypatch.setattr(diff_sides, "load_rulepack", counting)
    diff(*changed_inputs)
    # (old law, old registry), (old law, new registry), (new law, new registry)
    assert len(calls) == len(set(calls)) == 3


def test_amended_deadline_is_attributed_to_the_law(tmp_path: Path, pack: RulePack) -> None:
    """The consultation draft put core removal at 28 Jan 2023; the final direction says
    31 Dec 2023 (see the obligation's note). On 1 Jun 2023 that is overdue versus due."""
    law_draft = tmp_path / "law-draft"
    shutil.copytree(default_law_dir(), law_draft)
    path = law_draft / DVD_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count("deadline: {date: 2023-12-31}") == 1
    path.write_text(
        text.replace("deadline: {date: 2023-12-31}", "deadline: {date: 2023-01-28}"),
        encoding="utf-8",
    )
    profile, assets = _example(UK, pack)
    day = D("2023-06-01")
    result = diff(Side(profile, assets, day, law_draft), Side(profile, assets, day))
    assert _ids(result) == {
        ("gb.dvd-2022.core-removal", "status"),
        ("gb.dvd-2022.core-removal", "due"),
    }
    status = _change(result, "gb.dvd-2022.core-removal", "status")
    assert status.before is not None and status.after is not None
    assert (status.before.status, status.after.status) == ("overdue", "due")
    for change in result.changes:
        assert [(c.step, c.kind, c.refs["fields"]) for c in change.causes] == [
            ("law", "obligation_amended", ["deadline"])
        ]
    assert result.to_json()["summary"]["new_overdue"] == 0


def test_gaining_a_role_is_attributed_to_the_profile(pack: RulePack) -> None:
    profile, assets = _example(UK, pack)
    without = profile.model_copy(update={"roles": ["gb.public_telecoms_provider"]})
    day = D("2024-01-01")
    result = diff(Side(without, assets, day), Side(profile, assets, day))
    core = _change(result, "gb.dvd-2022.core-removal", "appeared")
    assert [(c.step, c.kind, c.refs) for c in core.causes] == [
        ("profile", "role_gained", {"role": "gb.dvd_addressee", "source": "declared"})
    ]
    assert {c.obligation_id for c in result.changes} == {
        f.item.obligation.id
        for f in result.after.findings
        if "gb.dvd_addressee" in f.item.obligation.roles
    }


def test_inventory_removal_names_the_asset(pack: RulePack) -> None:
    profile, assets = _example(UK, pack)
    day = D("2024-01-01")
    result = diff(
        Side(profile, assets, day), Side(profile, [a for a in assets if a.asset_id != "C-001"], day)
    )
    core = _change(result, "gb.dvd-2022.core-removal", "disappeared")
    assert [(c.step, c.kind, c.refs) for c in core.causes] == [
        ("inventory", "asset_removed", {"assets": ["C-001"]})
    ]
    assert result.to_json()["inputs"]["inventory"]["removed"] == ["C-001"]


# --- time ----------------------------------------------------------------------------------


def test_uk_example_across_the_designated_vendor_direction(pack: RulePack) -> None:
    """1 Jan 2019 → 28 Nov 2026: the DVD of 13 Oct 2022 came into force, relying on the
    designation of the same day, and its core deadline of 31 Dec 2023 passed."""
    profile, assets = _example(UK, pack)
    result = diff(Side(profile, assets, D("2019-01-01")), Side(profile, assets, D("2026-11-28")))
    assert {s for c in result.changes for s in c.steps} == {"time"}
    # no hindsight: on 1 Jan 2019 the direction did not exist, so it appears, not "upcoming"
    core = _change(result, "gb.dvd-2022.core-removal", "appeared")
    assert core.before is None and core.after is not None
    assert core.after.status == "overdue"
    kinds = _kinds(core)
    assert kinds["instrument_adopted"]["date"] == "2022-10-13"
    assert kinds["came_into_force"]["date"] == "2022-10-13"
    assert kinds["designation_began"]["designation"] == "gb.huawei-designation-2022.huawei-group"
    assert kinds["designation_began"]["date"] == "2022-10-13"
    assert kinds["deadline_passed"]["date"] == "2023-12-31"
    nss = _change(result, "gb.dvd-2022.national-security-sites", "appeared")
    assert _kinds(nss)["deadline_passed"]["date"] == "2023-01-28"
    # still before its 31 Dec 2027 deadline: in force, not overdue
    removal = _change(result, "gb.dvd-2022.5g-removal", "appeared")
    assert removal.after is not None and removal.after.status == "due"
    assert "deadline_passed" not in _kinds(removal)
    # the July 2020 policy decision did not exist on 1 Jan 2019 and was superseded by the
    # direction on 13 Oct 2022: on neither date does it apply, so it is no change
    assert not [c for c in result.changes if c.obligation_id.startswith("gb.huawei-5g-decision")]
    summary = result.to_json()["summary"]
    assert "gb.dvd-2022.core-removal" in summary["new_overdue_obligations"]
    assert "gb.dvd-2022.5g-removal" not in summary["new_overdue_obligations"]


def test_us_example_when_the_use_prohibition_took_effect(pack: RulePack) -> None:
    """s.889(a)(1)(B) took effect on 13 Aug 2020, two years after enactment."""
    profile, assets = _example(US, pack)
    result = diff(Side(profile, assets, D("2020-08-12")), Side(profile, assets, D("2020-08-13")))
    for ob_id, asset in (
        ("us.ndaa889.a1b-use", "U-001"),
        ("us.ndaa889.a1b-use-purpose-limited", "U-002"),
    ):
        change = _change(result, ob_id, "status")
        assert change.after is not None and change.after.status == "in_force"
        assert change.after.assets == (asset,)
        assert [(c.step, c.kind, c.refs["date"]) for c in change.causes] == [
            ("time", "came_into_force", "2020-08-13")
        ]
    summary = result.to_json()["summary"]
    assert summary["new_prohibited_obligations"] == [
        "us.ndaa889.a1b-use",
        "us.ndaa889.a1b-use-purpose-limited",
    ]
    assert summary["new_overdue"] == 0


def test_deadline_passing_makes_a_finding_overdue(pack: RulePack) -> None:
    """FAR 52.204-25(d): report within one business day of identification. Identified Friday
    26 Feb 2021, due Monday 1 Mar 2021, overdue on 2 Mar."""
    profile, assets = _example(US, pack)
    result = diff(Side(profile, assets, D("2021-03-01")), Side(profile, assets, D("2021-03-02")))
    assert _ids(result) == {
        ("us.far52204-25.report-1bd", "status"),
        ("us.far52204-25.report-1bd-purpose-limited", "status"),
    }
    change = _change(result, "us.far52204-25.report-1bd", "status")
    assert change.before is not None and change.after is not None
    assert (change.before.status, change.after.status) == ("due", "overdue")
    assert [(c.step, c.kind, c.refs["date"]) for c in change.causes] == [
        ("time", "deadline_passed", "2021-03-01")
    ]
    assert result.to_json()["summary"]["new_overdue"] == 2


def test_same_inputs_same_date_no_changes(pack: RulePack) -> None:
    profile, assets = _example(UK, pack)
    result = diff(Side(profile, assets, D("2024-01-01")), Side(profile, assets, D("2024-01-01")))
    assert result.changes == []
    assert result.to_json()["summary"]["changes"] == 0


# --- upcoming ------------------------------------------------------------------------------


def test_upcoming_twelve_months_uk(pack: RulePack) -> None:
    profile, assets = _example(UK, pack)
    result = upcoming(Side(profile, assets, D("2023-06-01")), 12)
    assert result.until == D("2024-06-01")
    events = [(e.date.isoformat(), e.obligation_id, e.event) for e in result.events]
    assert events == [
        ("2023-11-01", "gb.dvd-2022.fttp-access-cap", "becomes_overdue"),
        ("2024-01-01", "gb.dvd-2022.core-removal", "becomes_overdue"),
        ("2024-03-31", "gb.cop-2022.tier1-supplier-new-contracts", "comes_into_force"),
        # the Code of Practice's first-tranche date (31 Mar 2024) passes too, but guidance is
        # never overdue: its finding turns past_target, which is no event to announce
    ]
    core = result.events[1]
    assert [(c.kind, c.refs["date"]) for c in core.causes] == [("deadline_passed", "2023-12-31")]
    # only dates on which something can change are evaluated, not every day
    assert len(result.dates_evaluated) < 12
    assert all(D("2023-06-01") < d <= D("2024-06-01") for d in result.dates_evaluated)
    assert result.to_json()["summary"]["new_overdue"] == 2


def test_upcoming_foresees_no_law_adopted_after_the_date(pack: RulePack) -> None:
    """Looking ahead from 1 Jun 2022, the designated vendor direction of 13 Oct 2022 is not
    foreseen: it did not exist yet. From 1 Oct 2022 neither. From 13 Oct 2022 its deadlines are
    law, and the core removal's 31 Dec 2023 deadline is ahead within 18 months."""
    profile, assets = _example(UK, pack)
    for day in ("2022-06-01", "2022-10-01"):
        ahead = upcoming(Side(profile, assets, D(day)), 18)
        assert not [e for e in ahead.events if e.obligation_id.startswith("gb.dvd-2022")], day
    ahead = upcoming(Side(profile, assets, D("2022-10-13")), 18)
    core = [e for e in ahead.events if e.obligation_id == "gb.dvd-2022.core-removal"]
    assert [(e.date, e.event) for e in core] == [(D("2024-01-01"), "becomes_overdue")]


def test_upcoming_us_use_prohibition(pack: RulePack) -> None:
    profile, assets = _example(US, pack)
    result = upcoming(Side(profile, assets, D("2020-03-01")), 12)
    a1b = [e for e in result.events if e.obligation_id == "us.ndaa889.a1b-use"]
    assert [(e.date, e.event, e.assets) for e in a1b] == [
        (D("2020-08-13"), "comes_into_force", ("U-001",))
    ]
    assert [c.kind for c in a1b[0].causes] == ["came_into_force"]
    assert "us.ndaa889.a1b-use" in result.new_prohibited()


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")
    assert add_months(D("2023-06-01"), 12) == D("2024-06-01")
    assert add_months(D("2023-11-30"), 3) == D("2024-02-29")


def test_pack_cache_reuses_packs() -> None:
    cache = PackCache()
    assert cache.get(default_law_dir(), default_registry_path()) is cache.get(
        default_law_dir(), default_registry_path()
    )


# --- the command -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    """The dutybound app: its error boundary turns bad input into exit 2."""
    return app


def _run(cli: typer.Typer, *args: str):
    return CliRunner().invoke(cli, ["diff", *args])


UK_ARGS = ("--profile", str(UK / "profile.yaml"), "--assets", str(UK / "assets.csv"))


def test_cli_two_dates_json(cli: typer.Typer) -> None:
    result = _run(cli, *UK_ARGS, "--from", "2019-01-01", "--to", "2026-11-28", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    core = next(c for c in data["changes"] if c["obligation_id"] == "gb.dvd-2022.core-removal")
    assert {k["kind"]: k["refs"]["date"] for k in core["causes"]} == {
        "instrument_adopted": "2022-10-13",
        "came_into_force": "2022-10-13",
        "instrument_in_force": "2022-10-13",
        "designation_began": "2022-10-13",
        "deadline_passed": "2023-12-31",
    }


def test_cli_fail_on(cli: typer.Typer) -> None:
    args = (*UK_ARGS, "--from", "2023-06-01", "--to", "2024-01-02", "--format", "json")
    assert _run(cli, *args).exit_code == 0
    overdue = _run(cli, *args, "--fail-on", "new-overdue")
    assert overdue.exit_code == 1
    assert "gb.dvd-2022.core-removal" in overdue.stderr
    assert _run(cli, *args, "--fail-on", "new-prohibited").exit_code == 0
    assert (
        _run(cli, *args, "--fail-on", "new-prohibited", "--fail-on", "new-overdue").exit_code == 1
    )
    # s.889(a)(1)(B) in force on 13 Aug 2020: a new prohibition for a federal contractor
    us = ("--profile", str(US / "profile.yaml"), "--assets", str(US / "assets.csv"))
    assert (
        _run(
            cli, *us, "--from", "2020-08-12", "--to", "2020-08-13", "--fail-on", "new-prohibited"
        ).exit_code
        == 1
    )


def test_cli_changed_inventories(cli: typer.Typer, tmp_path: Path) -> None:
    after = tmp_path / "after.csv"
    lines = (UK / "assets.csv").read_text(encoding="utf-8").splitlines()
    after.write_text(
        "\n".join(line for line in lines if not line.startswith("C-001,")) + "\n", encoding="utf-8"
    )
    result = _run(
        cli,
        "--profile",
        str(UK / "profile.yaml"),
        "--before-assets",
        str(UK / "assets.csv"),
        "--after-assets",
        str(after),
        "--as-of",
        "2024-01-01",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["inputs"]["inventory"]["removed"] == ["C-001"]
    core = next(c for c in data["changes"] if c["obligation_id"] == "gb.dvd-2022.core-removal")
    assert core["change"] == "disappeared"
    assert [(k["step"], k["step_number"], k["refs"]) for k in core["causes"]] == [
        ("inventory", 2, {"assets": ["C-001"]})
    ]


def test_cli_upcoming(cli: typer.Typer) -> None:
    result = _run(
        cli,
        *UK_ARGS,
        "--as-of",
        "2023-06-01",
        "--upcoming",
        "12",
        "--format",
        "json",
        "--fail-on",
        "new-overdue",
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["until"] == "2024-06-01"
    assert data["events"][0]["obligation_id"] == "gb.dvd-2022.fttp-access-cap"


def test_cli_table(cli: typer.Typer) -> None:
    result = _run(cli, *UK_ARGS, "--from", "2023-06-01", "--to", "2024-01-02", "--format", "table")
    assert result.exit_code == 0, result.output
    assert "3 changes (3 status); 2 newly overdue, 0 new prohibitions" in " ".join(
        result.stdout.split()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2023-13-01", "--to", "2024-01-01"), "--from: not an ISO date"),
        (("--to", "2024-01-01"), "--from: give --from and --to, or --as-of"),
    ],
)
def test_cli_bad_dates_exit_2(cli: typer.Typer, args: tuple[str, ...], message: str) -> None:
    result = _run(cli, *UK_ARGS, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_bad_inventory_names_file_line_and_field(cli: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "asset_id,vendor,category,function,country,status\n"
        "A-1,Huawei,telecom_equipment,core,GB,installed\n"
        "A-2,Huawei,toaster,core,GB,installed\n",
        encoding="utf-8",
    )
    result = _run(
        cli,
        "--profile",
        str(UK / "profile.yaml"),
        "--before-assets",
        str(UK / "assets.csv"),
        "--after-assets",
        str(bad),
        "--as-of",
        "2024-01-01",
    )
    assert result.exit_code == 2
    assert f"{bad}:3: field 'category'" in result.stderr.replace("\n", "")


def test_cli_bad_law_dir_exit_2(cli: typer.Typer, tmp_path: Path) -> None:
    result = _run(cli, *UK_ARGS, "--as-of", "2024-01-01", "--after-law-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "rulepack.yaml" in result.stderr


def test_a_profile_the_old_law_cannot_read_merges_its_step_into_the_law(
    tmp_path: Path, pack: RulePack
) -> None:
    """The new profile lists the US, which the old rule pack does not have: the profile cannot
    be evaluated against the old law, so profile and law are credited together."""
    law_before = tmp_path / "law-before"
    shutil.copytree(default_law_dir(), law_before)
    shutil.rmtree(law_before / "us")
    profile, assets = _example(UK, pack)
    both = profile.model_copy(
        update={"jurisdictions": ["GB", "US"], "roles": [*profile.roles, "us.federal_contractor"]}
    )
    day = D("2024-01-01")
    result = diff(Side(profile, assets, day, law_before), Side(both, assets, day))
    flow_down = _change(result, "us.far52204-25.flow-down", "appeared")
    assert flow_down.steps == ["profile", "law"]
    kinds = _kinds(flow_down)
    assert kinds["role_gained"] == {"role": "us.federal_contractor", "source": "declared"}
    assert kinds["jurisdiction_added"] == {"jurisdiction": "US"}
    assert kinds["obligation_added"]["obligation"] == "us.far52204-25.flow-down"
    assert {c.jurisdiction for c in result.changes} == {"US"}


US_USE_WAIVER = """\
- id: W-2021-007
  operator: Potomac Systems Integration LLC
  obligation: us.ndaa889.a1b-use
  basis: us.ndaa889.d1-agency-head-use
  reference: DHS-889-W-2021-007
  approver: Secretary of Homeland Security
  granted_on: 2021-01-01
  expires_on: 2022-08-13
"""


def test_waivers_recorded_and_expiring_are_causes(pack, tmp_path) -> None:
    """The contractor's s.889 use prohibition: waived once an agency-head waiver is recorded
    (a waivers change), in force again after the waiver expired on 13 Aug 2022 (time)."""
    from dutybound.engine.waivers import load_waivers

    waivers_file = tmp_path / "waivers.yaml"
    waivers_file.write_text(US_USE_WAIVER, encoding="utf-8")
    profile = load_profile(US / "profile.yaml", pack)
    assets = read_inventory(US / "assets.csv").assets
    waivers = tuple(load_waivers(waivers_file, pack, profile.name))

    recorded = diff(
        Side(profile, assets, dt.date(2021, 6, 1)),
        Side(profile, assets, dt.date(2021, 6, 1), waivers=waivers),
    )
    (change,) = [c for c in recorded.changes if c.obligation_id == "us.ndaa889.a1b-use"]
    assert (change.change, change.before.status, change.after.status) == (
        "status",
        "in_force",
        "waived",
    )
    assert [(c.step, c.kind, c.refs["waiver"]) for c in change.causes] == [
        ("waivers", "waiver_added", "W-2021-007")
    ]

    expired = diff(
        Side(profile, assets, dt.date(2021, 6, 1), waivers=waivers),
        Side(profile, assets, dt.date(2022, 8, 14), waivers=waivers),
    )
    (change,) = [c for c in expired.changes if c.obligation_id == "us.ndaa889.a1b-use"]
    assert (change.before.status, change.after.status) == ("waived", "in_force")
    assert ("time", "waiver_expired", "2022-08-13") in [
        (c.step, c.kind, c.refs.get("date")) for c in change.causes
    ]
