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


# the lines of a name listed in its row; a name on thousands of lines says "+N more"
LINES_SHOWN = 20
SCREEN_HEADER = (
    "Name",
    "Rows",
    "Lines",
    "Group",
    "Entity",
    "Relationship",
    "Score",
    "Needs review",
    "Reason",
)
SCREEN_WIDTHS = (32, 6, 16, 14, 36, 13, 7, 12, 60)


def _rank(match: dict[str, Any]) -> int:
    """Matched a group first, then names to review, then names that matched nothing."""
    if match["group"] and not match["needs_review"]:
        return 0
    return 1 if match["needs_review"] else 2


def screening_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The screened rows grouped by distinct name, each with its count and lines: a supplier list
    names the same supplier on hundreds of lines, and the officer decides once per name.
    Matched names first, then names to review, then the rest; most frequent first within."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = groups.get(row["input"])
        if entry is None:
            entry = groups[row["input"]] = {
                **{k: v for k, v in row.items() if k != "line"},
                "rows": 0,
                "lines": [],
            }
        entry["rows"] += 1
        entry["lines"].append(row["line"])
    return sorted(groups.values(), key=lambda g: (_rank(g), -g["rows"], g["input"]))


def _lines(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:LINES_SHOWN]))
    return shown + (f" +{len(lines) - LINES_SHOWN} more" if len(lines) > LINES_SHOWN else "")


def screening_rows(groups: list[dict[str, Any]]) -> list[list[object]]:
    """The groups as spreadsheet rows, cells in ``SCREEN_HEADER`` order."""
    return [
        [
            g["input"],
            g["rows"],
            _lines(g["lines"]),
            g["group"] or "",
            g["entity"] or "",
            g["relationship"] or "",
            round(g["score"], 2),
            "yes" if g["needs_review"] else "no",
            g["reason"],
        ]
        for g in groups
    ]


def print_screening(rows: list[dict[str, Any]], console: Console) -> None:
    """A screened supplier list: one line per distinct name with how many rows carry it, then
    how many names were flagged or need review."""
    groups = screening_groups(rows)
    table = Table(expand=True)
    for name in ("Input", "Rows", "Group", "Entity", "Relationship", "Score", "Review", "Why"):
        table.add_column(name, overflow="fold")
    for g in groups:
        table.add_row(
            e(g["input"]),
            str(g["rows"]),
            g["group"] or "—",
            e(g["entity"] or "—"),
            g["relationship"] or "—",
            f"{g['score']:.2f}",
            "[yellow]yes[/]" if g["needs_review"] else "no",
            e(g["reason"]),
        )
    console.print(table)
    flagged = sum(1 for r in rows if r["group"] and not r["needs_review"])
    review = sum(1 for r in rows if r["needs_review"])
    console.print(
        f"{len(rows)} names ({len(groups)} distinct): {flagged} matched a covered "
        f"group, {review} need review."
    )
