"""Vendor matches as a terminal table (``vendors match`` and ``vendors screen``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table


def print_matches(matches: list[dict[str, Any]], console: Console) -> None:
    """One row per name: the group and entity it resolved to, how, and whether a person should
    look at it."""
    table = Table(expand=True)
    for name in ("Input", "Group", "Entity", "Relationship", "Score", "Review", "Why"):
        table.add_column(name, overflow="fold")
    for m in matches:
        table.add_row(
            e(m["input"]),
            m["group"] or "—",
            e(m["entity"] or "—"),
            m["relationship"] or "—",
            f"{m['score']:.2f}",
            "[yellow]yes[/]" if m["needs_review"] else "no",
            e(m["reason"]),
        )
    console.print(table)


def print_screening(rows: list[dict[str, Any]], distinct: int, console: Console) -> None:
    """A screened supplier list: the matches, then how many names were flagged or need review."""
    print_matches(rows, console)
    flagged = sum(1 for r in rows if r["group"] and not r["needs_review"])
    review = sum(1 for r in rows if r["needs_review"])
    console.print(
        f"{len(rows)} names ({distinct} distinct): {flagged} matched a covered "
        f"group, {review} need review."
    )
