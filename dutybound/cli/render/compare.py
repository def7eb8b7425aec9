"""The jurisdiction comparison as a terminal table (``compare``): one row per jurisdiction, or
with ``--vendor`` one row per vendor and a column per jurisdiction.

Every line of a cell is one finding's: its measure and date, its citation, its assets
(``engine.compare``). The earliest deadline of a jurisdiction is shown with the rule it belongs
to, never as the leading rule's own.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

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
    text = f"[dim]{prefix}[/]{e(line['label'])}"
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
