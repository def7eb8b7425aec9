"""Waiver standings as a terminal table (``waivers check``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.outcomes import Standing

STANDING_STYLE = {
    Standing.IN_EFFECT: "green",
    Standing.NOT_YET_IN_EFFECT: "cyan",
    Standing.EXPIRED: "dim",
    Standing.REFUSED: "bold red",
}


def print_standings(data: dict[str, Any], console: Console) -> None:
    """One row per waiver: its standing on the date and why, then a count by standing."""
    console.print(
        f"[bold]{e(data['operator'])}[/] — waivers as of [bold]{data['as_of']}[/] "
        f"(rule pack {data['rulepack']['version']})"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("Waiver", no_wrap=True)
    table.add_column("Standing", no_wrap=True)
    table.add_column("Obligation and basis", ratio=3, overflow="fold")
    table.add_column("Reason", ratio=3, overflow="fold")
    for w in data["waivers"]:
        mark = "" if w["verified"] else " [bold magenta](unverified basis)[/]"
        assets = f"\nassets: {e(', '.join(w['assets']))}" if w["assets"] else ""
        table.add_row(
            e(w["id"]),
            f"[{STANDING_STYLE[w['standing']]}]{w['standing'].replace('_', ' ')}[/]",
            f"{e(w['obligation'])}{assets}\n[dim]{e(w['basis_title'])} "
            f"{e('[' + w['citation'] + ']')}[/]{mark}",
            f"{e(w['reason'])}\n[dim]ref. {e(w['reference'])}, {e(w['approver'])}[/]",
        )
    console.print(table)
    counts: dict[str, int] = {}
    for w in data["waivers"]:
        counts[w["standing"]] = counts.get(w["standing"], 0) + 1
    console.print(
        ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items())) or "no waivers"
    )
