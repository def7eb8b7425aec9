"""Failures told as failures (issue 19, items 4, 7, 11 and 14): an output that cannot be written,
a database that cannot be used and a crash inside ``check`` each end with a documented exit code
and one line naming what to fix, never a traceback, a verdict or a half-stored run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dutybound.cli import app

ROOT = Path(__file__).resolve().parent.parent.parent
UK = ROOT / "examples" / "uk-telecoms"
US = ROOT / "examples" / "us-federal-contractor"
AS_OF = "2026-11-28"
EVALUATE = ["evaluate", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv"]
REPORT = ["report", "--profile", UK / "profile.yaml", "--assets", UK / "assets.csv"]
CHECK = [
    "check",
    "--profile",
    US / "profile.yaml",
    "--vendor",
    "Hikvision",
    "--category",
    "video_surveillance",
    "--function",
    "physical_security",
    "--use",
    "government_facility_security",
    "--country",
    "US",
]


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "250"},
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The run ended with ``code`` and exactly one line on stderr, no traceback."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    return lines[0]


def stored(url: str) -> tuple[int, int]:
    """(evaluations, audit entries) in the database."""
    from dutybound.engine.store import count_rows

    counts = count_rows(url)
    return counts["evaluation"], counts["audit_entry"]


# --- item 14: an output path that cannot be written -------------------------------------------

OUTPUT_OPTION = {"evaluate": "--out", "report": "--out", "check": "--report"}
COMMANDS = {
    "evaluate": [*EVALUATE, "--as-of", AS_OF],
    "report": [*REPORT, "--as-of", AS_OF],
    "check": [*CHECK, "--as-of", AS_OF, "--format", "json"],
}


# a name each command writes (its --out extension must agree with what it writes)
OUTPUT_NAME = {"evaluate": "out.json", "report": "out.pdf", "check": "out.pdf"}


def unwritable(kind: str, folder: Path, name: str) -> Path:
    """An output path of ``kind``: an existing directory, or a file under a regular file."""
    if kind == "directory":
        (folder / name).mkdir()
        return folder / name
    (folder / "plain").write_text("a file, not a folder\n")
    return folder / "plain" / name


@pytest.mark.parametrize("kind", ["directory", "under-a-file"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unwritable_output_path_is_exit_2_naming_it(
    command: str, kind: str, tmp_path: Path
) -> None:
    path = unwritable(kind, tmp_path, OUTPUT_NAME[command])
    line = one_line_error(cli(*COMMANDS[command], OUTPUT_OPTION[command], path))
    assert str(path) in line
    # nothing else appeared: no temporary file left behind
    assert [p.name for p in tmp_path.rglob("*")] == [path.name if kind == "directory" else "plain"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_into_a_read_only_folder_is_exit_2_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        line = one_line_error(cli(*COMMANDS["evaluate"], "--out", folder / "o.json"))
    finally:
        folder.chmod(0o755)
    assert str(folder / "o.json") in line and "Permission denied" in line


# --- item 4: a failed run stores nothing ------------------------------------------------------


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_a_run_whose_output_cannot_be_written_stores_nothing(command: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    path = unwritable("directory", tmp_path, OUTPUT_NAME[command])
    one_line_error(cli(*COMMANDS[command], "--db", url, "--out", path))
    assert stored(url) == (0, 0)


def test_an_output_failing_as_it_is_put_in_place_rolls_the_evaluation_back(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rename that puts --out in place fails after the evaluation and its audit entry were
    written in the transaction: both are rolled back (on SQLite and PostgreSQL)."""
    real_replace = os.replace

    def failing_replace(source: str | Path, target: str | Path) -> None:
        if Path(target).name == "o.json":
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    out = tmp_path / "o.json"
    result = CliRunner().invoke(
        app, [*map(str, COMMANDS["evaluate"]), "--db", database_url, "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output and str(out) in result.output
    assert not out.exists() and list(tmp_path.glob(".o.json*")) == []
    assert stored(database_url) == (0, 0)
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["audit", "verify", "--db", database_url]).exit_code == 0


# --- item 7: check never reports a crash as a verdict -----------------------------------------


def test_a_crash_while_loading_items_exits_70_not_prohibited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dutybound.engine.inventory as inventory

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("reader bug")

    monkeypatch.setattr(inventory, "read_inventory", broken)
    items = tmp_path / "bid.csv"
    items.write_text("vendor,category,function,country\nHikvision,video_surveillance,x,US\n")
    result = CliRunner().invoke(
        app, ["check", "--profile", str(US / "profile.yaml"), "--items", str(items),
              "--as-of", AS_OF, "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 70, result.output
    assert "internal error: RuntimeError: reader bug" in result.output


def test_a_crash_while_writing_the_report_exits_70_not_prohibited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dutybound.reports.render as render

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(render, "render_pdf", broken)
    out = tmp_path / "check.pdf"
    result = CliRunner().invoke(app, [*map(str, COMMANDS["check"]), "--report", str(out)])
    assert result.exit_code == 70, result.output
    assert "internal error: RuntimeError: renderer bug" in result.output and not out.exists()


# --- item 11: an unusable database ------------------------------------------------------------

SECRET = "s3cret-pass"


def unusable_database(kind: str, folder: Path) -> tuple[str, str]:
    """(URL, what the message must name) for a database of ``kind`` that cannot be used."""
    path = folder / "store.db"
    if kind == "directory":
        path.mkdir()
    elif kind == "not-a-database":
        path.write_text("asset_id,vendor\nA-1,Huawei\n")
    elif kind == "corrupt":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE t (x TEXT)")
            connection.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 100)
        connection.close()
        data = bytearray(path.read_bytes())
        data[100:4096] = b"\xff" * (4096 - 100)  # the schema page overwritten
        path.write_bytes(bytes(data))
    elif kind == "read-only":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE t (x TEXT)")
        connection.close()
        return f"sqlite:///file:{path}?mode=ro&uri=true", str(path)
    elif kind == "unreachable-postgresql":
        return f"postgresql://dutybound:{SECRET}@127.0.0.1:9/dutybound", "127.0.0.1:9"
    return f"sqlite:///{path}", str(path)


DATABASE_KINDS = ["directory", "not-a-database", "corrupt", "read-only", "unreachable-postgresql"]
DATABASE_COMMANDS = {
    "evaluate": [*EVALUATE, "--as-of", AS_OF, "--db"],
    "audit-verify": ["audit", "verify", "--db"],
    "keys-create": ["keys", "create", "--tenant", "acme", "--db"],
}


@pytest.mark.parametrize("command", sorted(DATABASE_COMMANDS))
@pytest.mark.parametrize("kind", DATABASE_KINDS)
def test_an_unusable_database_is_one_line_naming_it_without_its_password(
    kind: str, command: str, tmp_path: Path
) -> None:
    url, named = unusable_database(kind, tmp_path)
    line = one_line_error(cli(*DATABASE_COMMANDS[command], url))
    assert named in line and "cannot use this database" in line
    assert SECRET not in line
