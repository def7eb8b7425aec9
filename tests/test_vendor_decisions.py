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


# --- the register (engine.store.vendor_decision_register), on SQLite and PostgreSQL ----------


def _cli(*args: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from dutybound.cli import app

    return CliRunner().invoke(app, list(args))


def _json(stdout: str):  # type: ignore[no-untyped-def]
    """The JSON a command printed (the store's 'stored as ...' line may come first)."""
    start = min(i for i in (stdout.find("{"), stdout.find("[")) if i >= 0)
    return json.loads(stdout[start:])


def _evaluate(database_url: str, profile: Path, assets: Path, day: str, *extra: str):  # type: ignore[no-untyped-def]
    run = _cli("evaluate", "--profile", str(profile), "--assets", str(assets), "--as-of", day,
               "--format", "json", "--db", database_url, *extra)  # fmt: skip
    assert run.exit_code == 0, run.output
    return _json(run.stdout)


def _core_removal(data) -> list[str]:  # type: ignore[no-untyped-def]
    return [a for f in data["findings"] if f["obligation_id"] == "gb.dvd-2022.core-removal"
            for a in f["assets"]]  # fmt: skip


def test_recorded_decisions_apply_from_their_date_and_the_evaluation_names_them(
    database_url: str, tmp_path: Path
) -> None:
    """D-1 (Huawai Technologies is Huawei) decided 30 Nov 2026 and recorded: an evaluation of
    29 Nov 2026 still asks the question, one of 1 Dec 2026 applies the decision, and the stored
    evaluation names the register record it relied on."""
    from dutybound.engine.store import count_rows, load_evaluation

    profile, assets, decisions = _files(tmp_path)
    run = _cli("vendor-decisions", "record", "--file", str(decisions), "--db", database_url)
    assert run.exit_code == 0 and "recorded 1 vendor decision(s)" in run.output, run.output

    before = _evaluate(database_url, profile, assets, "2026-11-29")
    assert _core_removal(before) == [] and "vendor_decisions" not in before
    assert any(r["asset_id"] == "C-1" and r["reason"] == "vendor_match" for r in before["review"])

    after = _evaluate(database_url, profile, assets, "2026-12-01")
    assert _core_removal(after) == ["C-1"]
    assert [(d["id"], d["record"], d["by"]) for d in after["vendor_decisions"]] == [
        ("D-1", 1, "J. Novak, procurement")
    ]
    stored = load_evaluation(count_rows(database_url)["evaluation"], database_url)
    assert stored is not None and stored.result["vendor_decisions"][0]["record"] == 1

    listed = _cli("vendor-decisions", "list", "--db", database_url, "--format", "json")
    assert listed.exit_code == 0, listed.output
    (row,) = _json(listed.stdout)
    assert (row["id"], row["name"], row["group"], row["not_group"], row["decided_on"]) == (
        "D-1", "Huawai Technologies", "huawei", None, "2026-11-30"
    )  # fmt: skip


def test_a_later_decision_supersedes_an_earlier_one_from_its_date(
    database_url: str, tmp_path: Path
) -> None:
    import yaml

    profile, assets, decisions = _files(tmp_path)
    assert _cli("vendor-decisions", "record", "--file", str(decisions), "--db",
                database_url).exit_code == 0  # fmt: skip
    reversal = tmp_path / "reversal.yaml"
    reversal.write_text(yaml.safe_dump({"decisions": [
        {"id": "D-2", "name": "HUAWAI TECHNOLOGIES", "not_group": "huawei", "by": "K. Lee",
         "decided_on": "2027-02-01", "note": "a different company, registration checked"},
    ]}))  # fmt: skip
    run = _cli("vendor-decisions", "record", "--file", str(reversal), "--db", database_url)
    assert run.exit_code == 0, run.output
    assert _core_removal(_evaluate(database_url, profile, assets, "2027-01-15")) == ["C-1"]
    later = _evaluate(database_url, profile, assets, "2027-02-01")
    assert _core_removal(later) == []
    assert [d["id"] for d in later["vendor_decisions"]] == ["D-2"]


def test_the_register_refuses_a_bad_file_or_a_clash_and_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    import yaml

    from dutybound.engine.store import count_rows

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"decisions": [
        {"id": "D-1", "name": "Huawai Technologies", "group": "huawei", "by": "a",
         "decided_on": "2026-11-30"},
        {"id": "D-2", "name": "X", "group": "nobody", "by": "a", "decided_on": "2026-11-30"},
        {"id": "D-3", "name": "Y", "group": "huawei", "by": "a"},
    ]}, sort_keys=False))  # fmt: skip
    run = _cli("vendor-decisions", "record", "--file", str(bad), "--db", database_url)
    assert run.exit_code == 2
    text = " ".join(run.output.split())
    assert "bad.yaml:" in text and "unknown vendor group 'nobody'" in text
    assert "decisions.2.decided_on" in text and "and 1 more" in text
    assert count_rows(database_url)["vendor_decision"] == 0

    _profile, _assets, decisions = _files(tmp_path)
    assert _cli("vendor-decisions", "record", "--file", str(decisions), "--db",
                database_url).exit_code == 0  # fmt: skip
    again = _cli("vendor-decisions", "record", "--file", str(decisions), "--db", database_url)
    assert again.exit_code == 2 and "decision D-1 is already recorded" in again.output
    same_day = tmp_path / "same-day.yaml"
    same_day.write_text(yaml.safe_dump({"decisions": [{**DECISIONS[0], "id": "D-9"}]}))
    clash = _cli("vendor-decisions", "record", "--file", str(same_day), "--db", database_url)
    assert clash.exit_code == 2 and "already decided on 2026-11-30" in clash.output
    counts = count_rows(database_url)
    assert (counts["vendor_decision"], counts["audit_entry"]) == (1, 1)


def test_a_name_decided_in_the_file_and_the_register_is_an_error_naming_both(
    database_url: str, tmp_path: Path
) -> None:
    import yaml

    profile, assets, decisions = _files(tmp_path)
    assert _cli("vendor-decisions", "record", "--file", str(decisions), "--db",
                database_url).exit_code == 0  # fmt: skip
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({"decisions": [{**DECISIONS[0], "id": "F-7"}]}))
    run = _cli("evaluate", "--profile", str(profile), "--assets", str(assets), "--as-of",
               "2026-12-01", "--db", database_url, "--vendor-decisions", str(other))  # fmt: skip
    text = " ".join(run.output.split())
    assert run.exit_code == 2
    assert "other.yaml:2" in text and "(decision F-7) is also decided in the register" in text
    assert "decision D-1, vendor decision register (default) record 1" in text
    # without the database the file alone is used
    alone = _cli("evaluate", "--profile", str(profile), "--assets", str(assets), "--as-of",
                 "2026-12-01", "--no-store", "--vendor-decisions", str(other),
                 "--format", "json")  # fmt: skip
    assert alone.exit_code == 0, alone.output


def test_a_tampered_decision_is_caught_by_audit_verify(database_url: str, tmp_path: Path) -> None:
    from sqlalchemy import text

    from dutybound.engine.store import database, verify_audit

    _profile, _assets, decisions = _files(tmp_path)
    assert _cli("vendor-decisions", "record", "--file", str(decisions), "--db",
                database_url).exit_code == 0  # fmt: skip
    assert verify_audit(database_url)[::2] == (1, [])
    with database(database_url).begin() as connection:
        connection.execute(text("UPDATE vendor_decision SET decided_by = 'someone else'"))
    run = _cli("audit", "verify", "--db", database_url)
    assert run.exit_code == 1
    assert "entry 1: vendor_decision.recorded 1 was changed after it was recorded" in " ".join(
        run.output.split()
    )
