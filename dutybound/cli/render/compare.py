"""The jurisdiction comparison as a terminal table (``compare``): one row per jurisdiction, or
with ``--vendor`` one row per vendor and a column per jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

# Affected assets named in a cell; the JSON has them all.
ASSETS_SHOWN = 6


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
    table = Table(show_lines=True, expand=True)
    if "vendors" in data:
        table.add_column("Vendor", no_wrap=True)
        for code in data["jurisdictions"]:
            table.add_column(code, overflow="fold")
        for row in data["vendors"]:
            table.add_row(row["vendor"], *[cell_text(c) for c in row["cells"]])
    else:
        for name in ("Jurisdiction", "Strongest measure", "Earliest due", "Citation", "Assets"):
            table.add_column(name, overflow="fold")
        for c in data["cells"]:
            assets = c["assets"]
            table.add_row(
                c["jurisdiction"],
                cell_text(c),
                c["due"] or "—",
                e(c["citation"] or "—"),
                e(", ".join(assets[:ASSETS_SHOWN]))
                + (f" +{len(assets) - ASSETS_SHOWN}" if len(assets) > ASSETS_SHOWN else ""),
            )
    console.print(table)
    console.print(
        "Strongest measure in force on the date, binding law first; "
        "(unverified) marks content the research could not verify. Not legal advice."
    )


def cell_text(cell: dict[str, Any]) -> str:
    """A cell's measure as ``Cell.label`` words it, with its verification, the count of
    upcoming obligations and the obligation id beneath."""
    from dutybound.engine.compare import Cell

    def day(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    text = e(
        Cell(**{**cell, "due": day(cell["due"]), "measure_due": day(cell["measure_due"])}).label()
    )
    if cell["verified"] is False:
        text += " [magenta](unverified)[/]"
    if cell["upcoming"]:
        text += f"\n[dim]+{cell['upcoming']} upcoming[/]"
    if cell["obligation_id"]:
        text += f"\n[dim]{cell['obligation_id']}[/]"
    return text
