"""The jurisdiction comparison as a terminal table (``compare``): one row per jurisdiction, or
with ``--vendor`` one row per vendor and a column per jurisdiction.

Every line of a cell is one finding's: its measure and date, its citation, its assets
(``engine.compare``). The earliest deadline of a jurisdiction is shown with the rule it belongs
to, never as the leading rule's own.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.cells import spreadsheet_workbook, spreadsheet_writer
from dutybound.engine.compare_matrix import Footnote, SlideMatrix, assumption_text

# Affected assets named in a cell; the JSON has them all.
ASSETS_SHOWN = 6
# Further lines shown beneath a cell's leading line; the JSON has them all.
MORE_SHOWN = 3


def print_comparison(data: dict[str, Any], console: Console) -> None:
    """The comparison ``run_comparison`` made, with its notices above and a reading guide
    beneath."""
    console.print(
        f"[bold]{e(data['operator'])}[/] — compared as of [bold]{data['as_of']}[/] "
        f"(rule pack {data['rulepack']['version']})"
    )
    from dutybound.engine.notices import notice_message

    for notice in data["notices"]:
        console.print(f"[yellow]note:[/] {e(notice_message(notice))}")
    assumed = assumption_text(data.get("assumed_sector"))
    if assumed:
        console.print(f"[bold cyan]what-if:[/] {e(assumed)}")
    for proposal in data.get("watch_list", []):
        console.print(
            f"[cyan]proposed, not law:[/] {proposal['jurisdiction']} {e(proposal['title'])}"
            f" ({e(proposal['stage'] or 'stage unknown')}, {proposal['date'] or 'date unknown'})"
        )
    table = Table(show_lines=True, expand=True)
    if "vendors" in data:
        table.add_column("Vendor", no_wrap=True)
        for code in data["jurisdictions"]:
            table.add_column(code, overflow="fold")
        for row in data["vendors"]:
            table.add_row(row["vendor"], *[cell_text(c, assets=True) for c in row["cells"]])
    else:
        for name in ("Jurisdiction", "Leading measure", "Citation", "Assets it reaches"):
            table.add_column(name, overflow="fold")
        for c in data["cells"]:
            table.add_row(
                c["jurisdiction"],
                cell_text(c),
                e(c["citation"] or "—"),
                _assets(c["assets"]) or "—",
            )
    console.print(table)
    console.print(
        "Each line is one rule with its own date and the assets it reaches: binding rules that "
        "reach assets lead, then the operator's own duties; guidance beneath. "
        "(unverified) marks content the research could not verify. Not legal advice."
    )


def _assets(ids: list[str]) -> str:
    shown = e(", ".join(ids[:ASSETS_SHOWN]))
    return shown + (f" +{len(ids) - ASSETS_SHOWN}" if len(ids) > ASSETS_SHOWN else "")


def _line_text(line: dict[str, Any], prefix: str) -> str:
    words = line["label"]
    if line.get("phrase"):
        words = line["phrase"] + (f" ({line['binding']})" if line["binding"] != "law" else "")
    text = f"[dim]{prefix}[/]{e(words)}"
    if line["verified"] is False:
        text += " [magenta](unverified)[/]"
    if line["assets"]:
        text += f" — {_assets(line['assets'])}"
    return text + f"\n[dim]  {e(line['obligation_id'])}[/]"


def cell_text(cell: dict[str, Any], assets: bool = False) -> str:
    """A cell as the JSON gives it: the leading measure with its own date and verification
    (with its assets when ``assets``), the obligation id beneath, then the guidance line, the
    further lines, the jurisdiction's earliest deadline with its rule, and the count of upcoming
    obligations."""
    from dutybound.engine.compare import measure_label

    label = cell.get("label") or measure_label(
        cell["measure"], cell["measure_due"], cell["binding"]
    )
    if cell.get("phrase") and cell["obligation_id"]:
        # the rule's own scope and date ("no new 5G kit"), marked when it is not law
        mark = f" ({cell['binding']})" if cell["binding"] != "law" else ""
        label = cell["phrase"] + mark
    text = e(label)
    if cell["verified"] is False:
        text += " [magenta](unverified)[/]"
    if assets and cell["assets"]:
        text += f" — {_assets(cell['assets'])}"
    if cell["obligation_id"]:
        text += f"\n[dim]{e(cell['obligation_id'])}[/]"
    if cell.get("guidance"):
        text += "\n" + _line_text(cell["guidance"], "guidance: ")
    more = cell.get("more") or []
    for line in more[:MORE_SHOWN]:
        text += "\n" + _line_text(line, "also: ")
    if len(more) > MORE_SHOWN:
        text += f"\n[dim]+{len(more) - MORE_SHOWN} more lines (JSON)[/]"
    if cell["due"] and (cell["due"], cell.get("due_obligation_id")) != (
        cell["measure_due"],
        cell["obligation_id"],
    ):
        text += (
            f"\n[dim]earliest deadline here: {cell['due']} "
            f"({e(cell.get('due_obligation_id') or '?')})[/]"
        )
    if cell["upcoming"]:
        text += f"\n[dim]+{cell['upcoming']} upcoming[/]"
    for line in cell.get("hypothetical") or []:
        start = f" from {line['from']}" if line.get("from") else ""
        text += "\n" + _line_text(line, f"[bold cyan]what-if[/]{start}: ")
    for power in cell.get("latent") or []:
        duties = "; ".join(f"{d['title']} ({d['when']})" for d in power["duties"])
        text += (
            f"\n[cyan]latent[/], if {e(power['authority'])} uses {e(power['title'])}: "
            f"{e(duties)} [dim](not in force)[/]"
        )
    return text


# --- the slide matrix as files: CSV, XLSX, Markdown (engine.compare_matrix) -------------------


def matrix_csv(matrix: SlideMatrix) -> str:
    """One row per vendor, one column per jurisdiction; after a blank row, the footnotes (one
    row each) and the sector assumption. Every cell goes through ``engine.cells``: a phrase or a
    citation beginning with = + - @ is never a live formula."""
    out = io.StringIO()
    writer = spreadsheet_writer(out)
    writer.writerow(["Vendor", *matrix.columns])
    for title, cells in matrix.rows:
        writer.writerow([title, *[c.plain() for c in cells]])
    writer.writerow([])
    writer.writerow(FOOTNOTE_HEADER)
    for n in matrix.footnotes:
        writer.writerow(_footnote_row(n))
    if matrix.assumption:
        writer.writerow([])
        writer.writerow([matrix.assumption])
    return out.getvalue()


FOOTNOTE_HEADER = ["Footnote", "Obligation", "Title", "Binding", "Citation", "URL", "Verified"]


def _footnote_row(n: Footnote) -> list[object]:
    return [
        n.number,
        n.obligation_id,
        n.title,
        n.binding,
        n.citation,
        n.url,
        "yes" if n.verified else "no",
    ]


def matrix_xlsx(matrix: SlideMatrix, about: list[tuple[str, str]]) -> bytes:
    """A workbook: sheet "Matrix" (one row per vendor, one column per jurisdiction), sheet
    "Footnotes" (one row per cited obligation) and sheet "About" (date, operator, rule pack,
    assumed roles). Cells are written by ``engine.cells.spreadsheet_workbook``, which
    neutralises formulas."""
    from openpyxl.styles import Alignment, Font

    book = spreadsheet_workbook(
        [
            (
                "Matrix",
                [
                    ["Vendor", *matrix.columns],
                    *[[title, *[c.plain() for c in cells]] for title, cells in matrix.rows],
                ],
            ),
            ("Footnotes", [FOOTNOTE_HEADER, *[_footnote_row(n) for n in matrix.footnotes]]),
            ("About", [list(pair) for pair in about]),
        ]
    )
    sheet = book["Matrix"]
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 16
    for index in range(len(matrix.columns)):
        sheet.column_dimensions[_column(index + 2)].width = 28
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _md(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, line breaks flattened, markup inert."""
    for char in "\\|*_`[]<>":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def matrix_markdown(matrix: SlideMatrix, about: list[tuple[str, str]]) -> str:
    """The matrix as a Markdown table, then its footnotes as a numbered list."""
    lines = [f"- {_md(k)}: {_md(v)}" for k, v in about]
    lines += ["", "| Vendor | " + " | ".join(matrix.columns) + " |"]
    lines.append("|---" * (len(matrix.columns) + 1) + "|")
    for title, cells in matrix.rows:
        lines.append("| " + " | ".join(_md(t) for t in (title, *[c.plain() for c in cells])) + " |")
    lines += ["", "Footnotes:", ""]
    for n in matrix.footnotes:
        flag = "" if n.verified else " (unverified)"
        lines.append(
            f"{n.number}. {_md(n.obligation_id)} ({_md(n.binding)}): {_md(n.citation)}{flag}"
            f" <{n.url}>"
        )
    return "\n".join(lines) + "\n"


def about_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """What a reader needs to know about the matrix: when, for whom, which law, which roles."""
    rows = [
        ("As of", data["as_of"]),
        ("Operator", data["operator"]),
        ("Rule pack", data["rulepack"]["version"]),
        ("Roles", ", ".join(f"{r['role']} ({r['source']})" for r in data["roles"]) or "none"),
    ]
    assumed = assumption_text(data.get("assumed_sector"))
    if assumed:
        rows.append(("Assumption", assumed))
    rows.append(
        (
            "Reading",
            "Each phrase is one rule's own scope and date; [n] is its footnote. Binding law is "
            "unmarked; (contract) and (guidance) are marked. The earliest binding removal or "
            "prohibition leads. Not legal advice.",
        )
    )
    return rows
