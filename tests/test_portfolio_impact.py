"""``dutybound portfolio impact``: which operators a change of law touches, and how (issue 23).

The law change is made in a copy of the bundled rule pack: ZTE added to the vendor groups of the
UK designation notice of 13 Oct 2022 (the designation the Huawei DVD relies on). This is test
data, not a claim about UK law. The portfolio mixes UK operators with and without ZTE kit and a
Czech operator that holds ZTE kit (so the vendor alone does not make an operator touched: the
jurisdiction must be the one whose law changed). Each operator's answer must equal what
``dutybound diff --before-law-dir`` gives for that operator alone.

A LocalCluster of two worker processes is shared by the module; the commands reach it with
``--scheduler``.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.loading import default_law_dir

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-01-01"
NOTICE = "gb/instruments/2022-10-13-huawei-designation-notice.yaml"
DESIGNATION = "gb.huawei-designation-2022.huawei-group"
ZTE_CORE = (
    "Z-001,ZTE Corporation,ZXR10 core router,telecom_equipment,core,5g,GB,,installed,3,"
    "Slough DC,ZXR10,2020-01-01,"
)
ZTE_RAN = "Z-002,ZTE,5G radio,telecom_equipment,ran,5g,GB,,installed,40,North,A9611,2021-01-01,"
# the operators the change must touch, and those it must not
TOUCHED = ["uk-zte-core", "uk-zte-ran"]
NOT_TOUCHED = ["cz-zte", "uk-huawei-only", "us-contractor"]


def cli(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def _operator(root: Path, name: str, example: str, extra: list[str] = ()) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    shutil.copyfile(ROOT / "examples" / example / "profile.yaml", folder / "profile.yaml")
    text = (ROOT / "examples" / example / "assets.csv").read_text(encoding="utf-8")
    (folder / "assets.csv").write_text(
        text.rstrip("\n") + "\n" + "".join(f"{row}\n" for row in extra), encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("impact-operators")
    _operator(root, "uk-zte-core", "uk-telecoms", [ZTE_CORE])
    _operator(root, "uk-zte-ran", "uk-telecoms", [ZTE_RAN])
    _operator(root, "uk-huawei-only", "uk-telecoms")
    # ZTE kit already in the example, in CZ: the UK change must not reach it
    _operator(root, "cz-zte", "cz-energy")
    _operator(root, "us-contractor", "us-federal-contractor")
    return root


@pytest.fixture(scope="module")
def law_after(tmp_path_factory) -> Path:
    """The bundled law with ZTE added to the UK designation's vendor groups."""
    law = tmp_path_factory.mktemp("law") / "after"
    shutil.copytree(default_law_dir(), law)
    path = law / NOTICE
    text = path.read_text(encoding="utf-8")
    assert text.count("vendor_groups: [huawei]") == 1
    path.write_text(text.replace("vendor_groups: [huawei]", "vendor_groups: [huawei, zte]"))
    return law


def _law_change(portfolio: Path, law_after: Path, scheduler: str, *args: str | Path):
    """``portfolio impact`` of the change from the bundled law to ``law_after``."""
    return _impact(
        portfolio, scheduler, "--before-law-dir", default_law_dir(), "--law-dir", law_after, *args
    )


def _impact(portfolio: Path, scheduler: str, *args: str | Path):
    return cli(
        "portfolio",
        "impact",
        "--operators",
        portfolio,
        "--as-of",
        AS_OF,
        "--scheduler",
        scheduler,
        *args,
    )


def _single_diff(folder: Path, law_after: Path) -> list[dict]:
    """What ``dutybound diff --before-law-dir`` says for one operator alone."""
    result = cli(
        "diff",
        "--profile",
        folder / "profile.yaml",
        "--assets",
        folder / "assets.csv",
        "--as-of",
        AS_OF,
        "--before-law-dir",
        default_law_dir(),
        "--after-law-dir",
        law_after,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    return orjson.loads(result.stdout)["changes"]


def test_impact_names_exactly_the_operators_the_change_touches(portfolio, law_after, scheduler):
    result = _law_change(
        portfolio,
        law_after,
        scheduler,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = orjson.loads(result.stdout)
    rows = {r["operator"]: r for r in data["rows"]}
    assert [r["operator"] for r in data["rows"]] == TOUCHED + NOT_TOUCHED  # touched first
    assert data["counts"] == {"touched": 2, "not_touched": 3, "refused": 0, "failed": 0}
    for name in NOT_TOUCHED:
        assert rows[name]["status"] == "not_touched" and rows[name]["changes"] == []
    # the core router reaches the core and 5G removal duties; the radio the 5G removal and the
    # 5G access cap (its share of the RAN now counts)
    assert {c["obligation_id"] for c in rows["uk-zte-core"]["changes"]} == {
        "gb.dvd-2022.core-removal",
        "gb.dvd-2022.5g-removal",
    }
    assert {c["obligation_id"] for c in rows["uk-zte-ran"]["changes"]} == {
        "gb.dvd-2022.5g-access-cap",
        "gb.dvd-2022.5g-removal",
    }
    for name in TOUCHED:
        for change in rows[name]["changes"]:
            assert change["change"] == "assets" and change["assets_added"] == 1
            assert [(c["step"], c["kind"]) for c in change["causes"]] == [
                ("law", "designation_amended")
            ]
            refs = change["causes"][0]["refs"]
            assert refs["designation"] == DESIGNATION
            assert refs["vendor_groups"] == ["huawei", "zte"]
            assert "s.105Z8" in refs["citation"]


def test_each_operator_equals_its_own_diff(portfolio, law_after, scheduler):
    """No second differ: each operator's changes are those ``dutybound diff`` gives it."""
    result = _law_change(
        portfolio,
        law_after,
        scheduler,
        "--format",
        "json",
    )
    rows = {r["operator"]: r for r in orjson.loads(result.stdout)["rows"]}
    for name in TOUCHED + NOT_TOUCHED:
        expected = _single_diff(portfolio / name, law_after)
        got = rows[name]["changes"]
        assert [(c["obligation_id"], c["change"]) for c in got] == [
            (c["obligation_id"], c["change"]) for c in expected
        ]
        assert [c["causes"] for c in got] == [c["causes"] for c in expected]
        assert [
            (c["before"]["status"], c["after"]["status"], len(c["assets_added"])) for c in expected
        ] == [(c["before"]["status"], c["after"]["status"], c["assets_added"]) for c in got]


def test_table_lists_touched_operators_then_counts_the_rest(portfolio, law_after, scheduler):
    result = _law_change(
        portfolio,
        law_after,
        scheduler,
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "2 of 5 operators touched" in out
    assert out.rstrip().endswith("not touched: 3 operators")
    for name in TOUCHED:
        assert name in out
    for name in NOT_TOUCHED:
        assert name not in out


def test_csv_has_a_row_per_change_and_one_per_untouched_operator(portfolio, law_after, scheduler):
    result = _law_change(
        portfolio,
        law_after,
        scheduler,
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["operator"], r["obligation"]) for r in rows] == [
        ("uk-zte-core", "gb.dvd-2022.5g-removal"),
        ("uk-zte-core", "gb.dvd-2022.core-removal"),
        ("uk-zte-ran", "gb.dvd-2022.5g-access-cap"),
        ("uk-zte-ran", "gb.dvd-2022.5g-removal"),
        ("cz-zte", ""),
        ("uk-huawei-only", ""),
        ("us-contractor", ""),
    ]
    assert {r["cause kinds"] for r in rows[:4]} == {"designation_amended"}
    assert {r["status"] for r in rows[4:]} == {"not_touched"}


def test_fail_on_impact_exits_1_only_when_an_operator_is_touched(portfolio, law_after, scheduler):
    touched = _law_change(
        portfolio,
        law_after,
        scheduler,
        "--format",
        "json",
        "--fail-on-impact",
    )
    assert touched.exit_code == 1
    assert "fail-on-impact: 2 operators touched" in touched.stderr
    # the same law on both sides touches no one
    same = _impact(
        portfolio,
        scheduler,
        "--before-law-dir",
        law_after,
        "--law-dir",
        law_after,
        "--format",
        "json",
        "--fail-on-impact",
    )
    assert same.exit_code == 0, same.stderr
    assert orjson.loads(same.stdout)["counts"]["not_touched"] == 5
    # without the option, a touched portfolio exits 0
    plain = _law_change(
        portfolio,
        law_after,
        scheduler,
        "--format",
        "json",
    )
    assert plain.exit_code == 0


def test_assumed_designation_touches_the_operators_holding_that_vendor(portfolio, scheduler):
    """A what-if decision under the TSA's designation power: the duties it would bring reach
    the UK operators with ZTE kit, each cause naming the new (what-if) obligation."""
    result = _impact(
        portfolio, scheduler, "--assume-designation", "GB:zte:2025-06-01", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = orjson.loads(result.stdout)
    assert data["law_after"]["assumed"] == ["GB:zte:2025-06-01"]
    touched = {r["operator"] for r in data["rows"] if r["status"] == "touched"}
    assert touched == set(TOUCHED)
    for row in data["rows"]:
        for change in row["changes"]:
            assert change["change"] == "appeared"
            assert change["obligation_id"].endswith(".assumed-zte")
            assert change["causes"][0]["kind"] == "obligation_added"


def test_a_bad_operator_is_reported_and_exits_2(portfolio, law_after, scheduler, tmp_path):
    root = tmp_path / "ops"
    shutil.copytree(portfolio, root)
    (root / "uk-zte-ran" / "profile.yaml").write_text("name: Broken\nroles: [gb.no_such_role]\n")
    result = _impact(
        root,
        scheduler,
        "--before-law-dir",
        default_law_dir(),
        "--law-dir",
        law_after,
        "--format",
        "json",
    )
    assert result.exit_code == 2
    rows = {r["operator"]: r for r in orjson.loads(result.stdout)["rows"]}
    assert rows["uk-zte-ran"]["status"] == "refused"
    assert "profile.yaml" in rows["uk-zte-ran"]["error"]
    assert rows["uk-zte-core"]["status"] == "touched"  # the others still answered
    assert "refused:" in result.stderr and "uk-zte-ran" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--before-law-dir: give the law before the change"),
        (("--assume-designation", "GB:nosuchgroup:2025-06-01"), "unknown vendor group"),
        (("--before-law-dir", "/nonexistent-law"), "nonexistent-law"),
    ],
)
def test_bad_options_fail_before_any_work(portfolio, args, message):
    result = cli(
        "portfolio",
        "impact",
        "--operators",
        portfolio,
        "--as-of",
        AS_OF,
        "--scheduler",
        "tcp://127.0.0.1:9",
        *args,
    )
    # exit 2 naming the problem; the unreachable scheduler was never contacted
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_moved_deadline_touches_the_operators_it_binds(portfolio, scheduler, tmp_path):
    """The DVD's core removal moved from 31 Dec 2023 to 30 Jun 2026 (test data): on 1 Jan 2026
    every UK operator with Huawei in its core (C-001 is in each UK example) goes from overdue
    to due, caused by the amended deadline; the others are not touched."""
    law = tmp_path / "law"
    shutil.copytree(default_law_dir(), law)
    path = law / "gb/instruments/2022-10-13-huawei-designated-vendor-direction.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("deadline: {date: 2023-12-31}") == 1
    path.write_text(text.replace("deadline: {date: 2023-12-31}", "deadline: {date: 2026-06-30}"))
    result = _impact(
        portfolio,
        scheduler,
        "--before-law-dir",
        default_law_dir(),
        "--law-dir",
        law,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    rows = orjson.loads(result.stdout)["rows"]
    touched = [r for r in rows if r["status"] == "touched"]
    assert [r["operator"] for r in touched] == ["uk-huawei-only", "uk-zte-core", "uk-zte-ran"]
    for row in touched:
        assert [(c["obligation_id"], c["change"]) for c in row["changes"]] == [
            ("gb.dvd-2022.core-removal", "status"),
            ("gb.dvd-2022.core-removal", "due"),
        ]
        status = row["changes"][0]
        assert (status["before"], status["after"]) == (
            {"status": "overdue", "due": "2023-12-31"},
            {"status": "due", "due": "2026-06-30"},
        )
        for change in row["changes"]:
            assert [(c["kind"], c["refs"]["fields"]) for c in change["causes"]] == [
                ("obligation_amended", ["deadline"])
            ]
