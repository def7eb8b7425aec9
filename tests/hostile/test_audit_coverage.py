"""Issue 19, item 3: every field a person reads from the store (``history``, the list commands)
is covered by the audit chain, so a change made in the database with SQL is named by
``audit verify``. Each case runs on SQLite and PostgreSQL (the ``database_url`` fixture).

Before the fix, ``operator_profile.name`` (the operator ``history`` shows) was outside the
evaluation's payload: the first test failed with exit 0 and "audit chain intact"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import load_profile
from dutybound.engine.inventory import read_inventory
from dutybound.engine.jsontext import json_text
from dutybound.engine.store import database, save_evaluation, verify_audit

ROOT = Path(__file__).resolve().parent.parent.parent
UK = ROOT / "examples" / "uk-telecoms"
DECISION = {
    "id": "D-1",
    "name": "Huawai Technologies",
    "group": "huawei",
    "by": "J. Novak",
    "decided_on": "2026-11-30",
    "note": "supplier master record 4711",
}


def _store_uk(pack, url: str) -> int:  # type: ignore[no-untyped-def]
    profile = load_profile(UK / "profile.yaml", pack)
    assets = read_inventory(UK / "assets.csv").assets
    result = evaluate(pack, profile, assets, dt.date(2026, 11, 28), inputs_sha256="0" * 64)
    return save_evaluation(result, json_text(result.to_json()), url, actor="j.novak")


def _sql(url: str, statement: str) -> None:
    with database(url).begin() as connection:
        connection.execute(text(statement))


def _verify(url: str, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["audit", "verify", "--db", url, *extra])


def test_a_forged_operator_name_is_named_by_audit_verify(database_url: str, pack) -> None:
    _store_uk(pack, database_url)
    assert _verify(database_url).exit_code == 0
    _sql(database_url, "UPDATE operator_profile SET name = 'Forged Ltd'")
    shown = CliRunner().invoke(app, ["history", "--db", database_url, "--json"])
    assert '"operator": "Forged Ltd"' in shown.stdout  # what a person would read ...
    run = _verify(database_url)
    assert run.exit_code == 1  # ... is no longer vouched for
    assert "entry 1: evaluation.stored 1 was changed after it was recorded" in " ".join(
        run.output.split()
    )


@pytest.mark.parametrize(
    "statement",
    [
        # the columns `history` shows, whichever table they live in
        "UPDATE tenant SET name = 'other'",
        "UPDATE evaluation SET actor = 'someone else'",
        "UPDATE evaluation SET stored_at = '2001-01-01 00:00:00'",
        "UPDATE evaluation SET as_of = '2001-01-01'",
        "UPDATE evaluation SET rulepack_version = '1999.1.1'",
        "UPDATE evaluation SET rulepack_sha256 = 'f00d'",
        "UPDATE evaluation SET findings_count = 0",
        # and the rows behind it that `history` and `diff --stored` read
        "UPDATE operator_profile SET sha256 = 'f00d'",
        "UPDATE inventory SET asset_count = 1",
        "UPDATE inventory SET sha256 = 'f00d'",
        "UPDATE law_snapshot SET kind = 'registry' WHERE kind = 'law'",
    ],
)
def test_every_column_history_shows_is_covered(database_url: str, pack, statement: str) -> None:
    _store_uk(pack, database_url)
    _sql(database_url, statement)
    problems = [p.message for p in verify_audit(database_url)[2]]
    assert "evaluation.stored 1 was changed after it was recorded" in problems, statement


@pytest.mark.parametrize(
    "column, value",
    [
        ("decision_id", "'D-9'"),
        ("name", "'Someone Else'"),
        ("confirms_group", "'zte'"),
        ("rejects_group", "'huawei'"),
        ("relationship", "'subsidiary'"),
        ("decided_by", "'nobody'"),
        ("decided_on", "'2001-01-01'"),
        ("note", "'edited'"),
        ("recorded_by", "'nobody'"),
        ("recorded_at", "'2001-01-01 00:00:00'"),
    ],
)
def test_every_column_vendor_decisions_list_shows_is_covered(
    database_url: str, tmp_path: Path, column: str, value: str
) -> None:
    decisions = tmp_path / "d.yaml"
    decisions.write_text(yaml.safe_dump({"decisions": [DECISION]}))
    run = CliRunner().invoke(
        app, ["vendor-decisions", "record", "--file", str(decisions), "--db", database_url]
    )
    assert run.exit_code == 0, run.output
    _sql(database_url, f"UPDATE vendor_decision SET {column} = {value}")
    problems = [p.message for p in verify_audit(database_url)[2]]
    assert problems == ["vendor_decision.recorded 1 was changed after it was recorded"]


def test_a_chain_from_before_the_fix_is_extended_not_rewritten(database_url: str, pack) -> None:
    """A database whose entries were written under the old payload (version 1): migration 0008
    records their fuller payloads and appends one entry saying so; the old entries and their
    hashes are untouched (a head recorded before still verifies), `audit verify` explains the
    migration, and a name forged after it is named."""
    from alembic import command
    from alembic.config import Config

    from dutybound.engine.bundled import migrations_dir
    from dutybound.engine.store import audit, records
    from dutybound.engine.store.connection import dispose_all
    from dutybound.engine.store.models import AuditEntry

    _store_uk(pack, database_url)
    # rewrite entry 1 as dutybound before 0008 wrote it, then take the schema back to 0007
    with records.Session(database(database_url)) as session, session.begin():
        entry = session.get(AuditEntry, 1)
        assert entry is not None
        entry.payload_sha256 = records.evaluation_payload(session, 1, version=1) or ""
        entry.entry_sha256 = old_head = audit.entry_hash(entry)
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with database(database_url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    dispose_all()

    run = _verify(database_url, "--expect-head", old_head)  # migrates to 0008 on first use
    output = " ".join(run.output.split())
    assert run.exit_code == 0, output
    assert "audit chain intact: 2 entries" in output
    assert "note: entry 2:" in output and "extended the audit payload of entries 1-1" in output
    assert "Nothing was rewritten" in output

    _sql(database_url, "UPDATE operator_profile SET name = 'Forged Ltd'")
    run = _verify(database_url)
    assert run.exit_code == 1
    assert "entry 1: evaluation.stored 1 was changed after it was recorded (found by the " in (
        " ".join(run.output.split())
    )
    # the migration's own record of the payloads is vouched for by its entry
    _sql(database_url, "UPDATE audit_rehash SET payload_sha256 = 'f00d'")
    problems = [f"{p.seq}: {p.message}" for p in verify_audit(database_url)[2]]
    assert "2: the payloads this migration entry recorded were changed" in problems
