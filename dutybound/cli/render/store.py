"""The table of ``dutybound history``."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table


def print_history(rows: list[dict[str, Any]], console: Console) -> None:
    """One row per stored evaluation, as ``history --json`` lists them."""
    table = Table(
        "id", "stored (UTC)", "by", "tenant", "operator", "as of", "rule pack", "findings"
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["stored_at"][:19],
            e(row["actor"]),
            e(row["tenant"]),
            e(row["operator"]),
            row["as_of"],
            row["rulepack"],
            str(row["findings"]),
        )
    console.print(table)
