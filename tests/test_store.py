"""The store on SQLite and PostgreSQL: what is kept, the audit chain, all-or-nothing writes and
concurrent writers. Every test runs once per database (the ``database_url`` fixture)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from dutybound.engine.bundled import migrations_dir
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import load_profile
from dutybound.engine.inventory import read_inventory
from dutybound.engine.jsontext import json_text
from dutybound.engine.loading import load_rulepack
from dutybound.engine.store import (
    count_rows,
    database,
    list_evaluations,
    load_evaluation,
    save_evaluation,
    verify_audit,
)
from dutybound.engine.store import records as store_records
from dutybound.engine.store.snapshots import REGISTRY_NAME, unpack

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"
CZ = ROOT / "examples" / "cz-energy"


def uk_evaluation(pack, as_of: dt.date = dt.date(2026, 11, 28)):
    profile = load_profile(UK / "profile.yaml", pack)
    assets = read_inventory(UK / "assets.csv").assets
    result = evaluate(pack, profile, assets, as_of, inputs_sha256="0" * 64)
    return result, json_text(result.to_json())


def execute(url: str, sql: str) -> None:
    with database(url).begin() as connection:
        connection.execute(text(sql))


def test_an_evaluation_is_stored_with_everything_needed_to_rerun_it(
    database_url, pack, tmp_path
) -> None:
    result, body = uk_evaluation(pack)
    evaluation_id = save_evaluation(result, body, database_url, actor="j.novak")
    stored = load_evaluation(evaluation_id, database_url)
    assert stored is not None
    assert stored.record.actor == "j.novak" and stored.record.as_of == dt.date(2026, 11, 28)
    assert stored.record.result == body
    assert stored.assets == result.assets
    assert stored.profile["roles"] == list(result.profile.roles)
    # the archived law and vendor data load into the very same rule pack
    law = unpack(stored.law_archive, tmp_path / "law")
    registry = unpack(stored.registry_archive, tmp_path / "registry") / REGISTRY_NAME
    assert load_rulepack(law, registry).sha256 == pack.sha256 == stored.record.rulepack_sha256


def test_identical_inputs_are_stored_once(database_url, pack) -> None:
    result, body = uk_evaluation(pack)
    later, later_body = uk_evaluation(pack, dt.date(2027, 1, 1))
    save_evaluation(result, body, database_url)
    save_evaluation(later, later_body, database_url)
    counts = count_rows(database_url)
    assert (
        counts["evaluation"],
        counts["inventory"],
        counts["operator_profile"],
        counts["law_snapshot"],
        counts["audit_entry"],
    ) == (2, 1, 1, 2, 2)
    assert counts["inventory_asset"] == len(result.assets)
    assert [r.as_of for r, _, _ in list_evaluations(database_url)] == [
        dt.date(2026, 11, 28),
        dt.date(2027, 1, 1),
    ]


@pytest.mark.parametrize(
    "tamper, expected",
    [
        (
            "UPDATE finding SET status = 'upcoming' WHERE id = (SELECT MIN(id) FROM finding "
            "WHERE evaluation_id = 2)",
            "entry 2: evaluation.stored 2 was changed",
        ),
        (
            "UPDATE inventory_asset SET vendor = 'Nokia' WHERE position = 0",
            "entry 1: evaluation.stored 1 was changed",
        ),
        (
            "UPDATE audit_entry SET actor = 'someone else' WHERE seq = 2",
            "entry 2: the entry itself",
        ),
        (
            "UPDATE evaluation SET as_of = '2020-01-01' WHERE id = 3",
            "entry 3: evaluation.stored 3 was changed",
        ),
        ("DELETE FROM audit_entry WHERE seq = 2", "entry 3: entry 2 is missing"),
    ],
)
def test_a_tampered_record_is_detected(database_url, pack, tamper: str, expected: str) -> None:
    for day in (dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 11, 28)):
        result, body = uk_evaluation(pack, day)
        save_evaluation(result, body, database_url)
    count, _head, problems = verify_audit(database_url)
    assert (count, problems) == (3, [])
    execute(database_url, tamper)
    _count, _head, problems = verify_audit(database_url)
    assert any(f"entry {p.seq}: {p.message}".startswith(expected) for p in problems), problems


def test_a_rewritten_chain_is_caught_by_a_head_recorded_elsewhere(database_url, pack) -> None:
    result, body = uk_evaluation(pack)
    save_evaluation(result, body, database_url)
    _count, head, _ = verify_audit(database_url)
    # someone with write access rebuilds the whole chain after changing a finding
    execute(database_url, "DELETE FROM audit_entry")
    execute(database_url, "UPDATE finding SET status = 'ended'")
    with store_records.Session(database(database_url)) as session, session.begin():
        store_records.audit.append(
            session,
            action=store_records.EVALUATION_STORED,
            tenant="default",
            ref_id=1,
            payload_sha256=store_records.evaluation_payload(session, 1) or "",
            actor="x",
            at=dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
        )
    assert verify_audit(database_url)[2] == []  # self-consistent again ...
    problems = verify_audit(database_url, expect_head=head)[2]
    assert problems and "expected head" in problems[0].message  # ... but not the same chain


def test_a_crash_half_way_leaves_the_database_as_it_was(database_url, pack, monkeypatch) -> None:
    result, body = uk_evaluation(pack)
    save_evaluation(result, body, database_url)
    before = count_rows(database_url)
    other, other_body = uk_evaluation(pack, dt.date(2025, 6, 1))
    other.assets = [a._replace(asset_id=a.asset_id + "-new") for a in other.assets]

    def crash(*_args, **_kwargs):  # after the inventory rows and the evaluation row are written
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_records, "_insert_findings", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        save_evaluation(other, other_body, database_url)
    assert count_rows(database_url) == before
    assert verify_audit(database_url)[2] == []


def test_concurrent_writers_lose_nothing(database_url, pack) -> None:
    result, body = uk_evaluation(pack)
    database(database_url)  # migrate once, before the race
    ids: list[int] = []
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for _ in range(3):
                ids.append(save_evaluation(result, body, database_url, actor=f"w{n}"))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(ids) == list(range(1, 25))
    count, _head, problems = verify_audit(database_url)
    assert (count, problems) == (24, [])
    assert count_rows(database_url)["inventory"] == 1


def test_concurrent_cli_processes_lose_nothing(database_url) -> None:
    """Four separate `dutybound evaluate --db` processes at once, as on a shared server."""
    database(database_url)
    env = {**os.environ, "DUTYBOUND_ACTOR": "pipeline"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dutybound",
                "evaluate",
                "--profile",
                UK / "profile.yaml",
                "--assets",
                UK / "assets.csv",
                "--as-of",
                f"2026-0{n + 1}-01",
                "--format",
                "json",
                "--db",
                database_url,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outputs]
    stored = list_evaluations(database_url)
    assert sorted(r.as_of.isoformat() for r, _, _ in stored) == [
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
        "2026-04-01",
    ]
    assert {r.actor for r, _, _ in stored} == {"pipeline"}
    assert verify_audit(database_url)[:3:2] == (4, [])
    by_day = {r.as_of.isoformat(): r.result for r, _, _ in stored}
    for out, _err in outputs:
        assert by_day[json.loads(out)["as_of"]] == out


def test_the_schema_is_at_the_newest_migration(database_url) -> None:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    head = ScriptDirectory.from_config(config).get_current_head()
    with database(database_url).connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == head == "0009"
        # the migrations build exactly the tables and columns the models declare
        from alembic.autogenerate import compare_metadata
        from sqlalchemy import MetaData
        from sqlmodel import SQLModel

        import dutybound.engine.store.models as models
        from dutybound.service.db import TABLES as SERVICE_TABLES

        declared = MetaData()
        names = {
            m.__tablename__
            for m in vars(models).values()
            if isinstance(m, type) and hasattr(m, "__table__")
        }
        names |= {t.name for t in SERVICE_TABLES}
        for table in SQLModel.metadata.sorted_tables:
            if table.name in names:
                table.to_metadata(declared)
        differences = [
            d
            for d in compare_metadata(context, declared)
            if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
        ]
        assert differences == []
        # and the column types that matter for the values validation accepts (0007)
        from sqlalchemy import inspect

        quantity = next(
            c for c in inspect(connection).get_columns("inventory_asset") if c["name"] == "quantity"
        )
        assert str(quantity["type"]) in ("BIGINT", "INTEGER" if "sqlite" in database_url else "")


def test_diff_between_stored_evaluations_reruns_the_law_they_were_stored_with(
    database_url, pack
) -> None:
    """`dutybound diff --stored A --stored B`: the Huawei designated vendor direction of
    13 Oct 2022 is between the two dates, and its core-removal deadline (31 Dec 2023) passed."""
    from typer.testing import CliRunner

    from dutybound.cli import app

    for day in (dt.date(2022, 1, 1), dt.date(2026, 11, 28)):
        result, body = uk_evaluation(pack, day)
        save_evaluation(result, body, database_url)
    run = CliRunner().invoke(
        app,
        [
            "diff",
            "--stored",
            "1",
            "--stored",
            "2",
            "--db",
            database_url,
            "--format",
            "json",
            "--fail-on",
            "new-overdue",
        ],
    )
    assert run.exit_code == 1, run.output  # a new overdue obligation: the pipeline stops
    data = json.loads(run.stdout)
    core = next(c for c in data["changes"] if c["obligation_id"] == "gb.dvd-2022.core-removal")
    # the direction was given on 13 Oct 2022: absent in Jan 2022 (no hindsight), overdue now
    assert (core["change"], core["before"], core["after"]["status"]) == (
        "appeared",
        None,
        "overdue",
    )
    kinds = {(c["step"], c["kind"]) for c in core["causes"]}
    assert ("time", "instrument_adopted") in kinds and ("time", "deadline_passed") in kinds
    assert data["before"]["as_of"] == "2022-01-01" and data["after"]["as_of"] == "2026-11-28"
    missing = CliRunner().invoke(
        app, ["diff", "--stored", "1", "--stored", "9", "--db", database_url]
    )
    assert missing.exit_code == 2 and "no stored evaluation 9" in missing.output


US = ROOT / "examples" / "us-federal-contractor"
US_WAIVER = """\
- id: W-2021-007
  operator: Potomac Systems Integration LLC
  obligation: us.ndaa889.a1b-use
  basis: us.ndaa889.d1-agency-head-use
  reference: DHS-889-W-2021-007
  approver: Secretary of Homeland Security
  granted_on: 2021-01-01
  expires_on: {expires}
"""


def test_recorded_waivers_apply_to_later_evaluations_and_are_audited(
    database_url, tmp_path
) -> None:
    """An s.889 agency-head use waiver recorded in the register: the contractor's Huawei use
    prohibition shows as waived on 1 Jun 2021 and binds again once the waiver expired
    (13 Aug 2022); a waiver running past 13 Aug 2022 is refused and nothing is recorded."""
    from typer.testing import CliRunner

    from dutybound.cli import app

    runner = CliRunner()
    refused = tmp_path / "refused.yaml"
    refused.write_text(US_WAIVER.format(expires="2023-01-01"), encoding="utf-8")
    run = runner.invoke(
        app,
        [
            "waivers",
            "record",
            "--waivers",
            str(refused),
            "--profile",
            str(US / "profile.yaml"),
            "--db",
            database_url,
        ],
    )
    assert run.exit_code == 2 and "refused" in run.output and "13 Aug 2022" in run.output
    assert count_rows(database_url)["waiver"] == 0

    good = tmp_path / "waivers.yaml"
    good.write_text(US_WAIVER.format(expires="2022-08-13"), encoding="utf-8")
    run = runner.invoke(
        app,
        [
            "waivers",
            "record",
            "--waivers",
            str(good),
            "--profile",
            str(US / "profile.yaml"),
            "--db",
            database_url,
        ],
    )
    assert run.exit_code == 0, run.output

    def use_status(day: str) -> str:
        out = runner.invoke(
            app,
            [
                "evaluate",
                "--profile",
                str(US / "profile.yaml"),
                "--assets",
                str(US / "assets.csv"),
                "--as-of",
                day,
                "--format",
                "json",
                "--db",
                database_url,
            ],
        )
        assert out.exit_code == 0, out.output
        data = json.loads(out.stdout[out.stdout.index("{") :])
        (finding,) = [f for f in data["findings"] if f["obligation_id"] == "us.ndaa889.a1b-use"]
        return finding["status"]

    assert use_status("2021-06-01") == "waived"
    assert use_status("2022-08-14") == "in_force"
    count, _head, problems = verify_audit(database_url)
    assert (count, problems) == (3, [])  # the waiver and two evaluations
    execute(database_url, "UPDATE waiver SET expires_on = '2030-01-01'")
    problems = verify_audit(database_url)[2]
    assert [(p.seq, p.message) for p in problems] == [
        (1, "waiver.recorded 1 was changed after it was recorded")
    ]


def _mac_inventory():  # type: ignore[no-untyped-def]
    """GB core equipment known only by its MAC (a Huawei OUI), by a bare OUI, by a name and a
    MAC that disagree (Nokia's name, Huawei's MAC), and by a name alone."""
    from dutybound.engine.inputs import assets_from_rows, rows_from_mappings

    base = {"category": "telecom_equipment", "function": "core", "country": "GB",
            "status": "installed"}  # fmt: skip
    return assets_from_rows(
        "macs.csv",
        rows_from_mappings(
            [
                {**base, "asset_id": "M-1", "vendor": "", "mac": "00:E0:FC:12:34:56"},
                {**base, "asset_id": "M-2", "vendor": "", "oui": "00e0fc"},
                {**base, "asset_id": "M-3", "vendor": "Nokia", "mac": "00-e0-fc-00-00-01"},
                {**base, "asset_id": "M-4", "vendor": "Nokia"},
            ]
        ),
    )


def test_a_stored_evaluation_of_mac_only_rows_reruns_to_the_same_result(database_url, pack) -> None:
    """The inventory is stored as given (empty vendor, MAC, OUI), not as the MAC resolved it;
    re-running the stored inputs gives the stored JSON byte for byte."""
    from dutybound.engine.inputs import check_profile

    profile = check_profile(
        {"name": "Albion", "jurisdictions": ["GB"],
         "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"]},
        pack, "p",
    )  # fmt: skip
    day = dt.date(2024, 1, 15)
    result = evaluate(pack, profile, _mac_inventory(), day, inputs_sha256="0" * 64)
    body = json_text(result.to_json())
    core = next(
        f for f in result.to_json()["findings"] if f["obligation_id"] == "gb.dvd-2022.core-removal"
    )
    assert {"M-1", "M-2"} <= set(core["assets"])  # the MAC made them Huawei's
    evaluation_id = save_evaluation(result, body, database_url)
    stored = load_evaluation(evaluation_id, database_url)
    assert stored is not None
    assert [(a.asset_id, a.vendor, a.mac) for a in stored.assets] == [
        ("M-1", "", "00:e0:fc:12:34:56"),
        ("M-2", "", "00:e0:fc"),
        ("M-3", "Nokia", "00:e0:fc:00:00:01"),
        ("M-4", "Nokia", ""),
    ]
    with database(database_url).connect() as connection:
        columns = connection.execute(
            text("SELECT asset_id, mac, oui FROM inventory_asset ORDER BY position")
        ).all()
    assert [tuple(c) for c in columns] == [
        ("M-1", "00:e0:fc:12:34:56", "00:e0:fc"),
        ("M-2", None, "00:e0:fc"),
        ("M-3", "00:e0:fc:00:00:01", "00:e0:fc"),
        ("M-4", None, None),
    ]
    rerun = evaluate(
        pack,
        check_profile(stored.profile, pack, "stored"),
        stored.assets,
        stored.record.as_of,
        inputs_sha256=stored.record.inputs_sha256,
    )
    assert json_text(rerun.to_json()) == body
    assert verify_audit(database_url)[::2] == (1, [])
    # the MAC is covered by the audit hash like every other column
    execute(database_url, "UPDATE inventory_asset SET mac = '00:11:22:33:44:55' WHERE position = 0")
    problems = verify_audit(database_url)[2]
    assert [p.message for p in problems] == [
        "evaluation.stored 1 was changed after it was recorded"
    ]


@pytest.mark.parametrize("quantity", [3_000_000_000, 10**12])
def test_a_quantity_past_32_bits_round_trips_on_both_databases(
    database_url, pack, quantity: int
) -> None:
    """Validation accepts 0 .. 10**12 units (the lead's bound); the column holds all of them
    (a 32-bit INTEGER on PostgreSQL refused 3,000,000,000 before migration 0007)."""
    result, _ = uk_evaluation(pack)
    result.assets = [result.assets[0]._replace(quantity=quantity), *result.assets[1:]]
    body = json_text(result.to_json())
    evaluation_id = save_evaluation(result, body, database_url)
    stored = load_evaluation(evaluation_id, database_url)
    assert stored is not None and stored.assets[0].quantity == quantity
    assert stored.assets == result.assets
    assert verify_audit(database_url)[::2] == (1, [])
