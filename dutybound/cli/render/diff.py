"""``diff`` results as terminal tables: the changes between two evaluations with their causes,
and what is coming in the next months."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

# Affected assets named beside a state; the JSON has them all.
ASSETS_SHOWN = 4


def print_result(data: dict[str, Any], console: Console) -> None:
    """A diff, an upcoming scan, or both (the JSON then has a ``diff`` and an ``upcoming``
    key)."""
    if "changes" in data.get("diff", data):
        print_changes(data.get("diff", data), console)
    if "events" in data.get("upcoming", data):
        print_upcoming(data.get("upcoming", data), console)


def print_changes(data: dict[str, Any], console: Console) -> None:
    """One row per changed obligation: the change, before → after, and each cause by step."""
    b, a = data["before"], data["after"]
    console.print(
        f"[bold]{e(a['operator'])}[/] — changes from [bold]{b['as_of']}[/] "
        f"(rule pack {b['rulepack']['version']}) to [bold]{a['as_of']}[/] "
        f"(rule pack {a['rulepack']['version']})"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("Change", no_wrap=True)
    table.add_column("Obligation", ratio=2, overflow="fold")
    table.add_column("Before → after", ratio=1, overflow="fold")
    table.add_column("Why", ratio=3, overflow="fold")
    for c in data["changes"]:
        table.add_row(
            c["change"],
            f"[bold]{e(c['title'])}[/]\n[dim]{c['obligation_id']} · {c['kind']}[/]",
            _state_text(c["before"]) + " → " + _state_text(c["after"]),
            "\n".join(
                f"[dim]{k['step_number']}. {k['step']}[/] {e(k['text'])}" for k in c["causes"]
            ),
        )
    console.print(table)
    s = data["summary"]
    counts = ", ".join(f"{n} {k}" for k, n in s["by_change"].items()) or "none"
    console.print(
        f"{s['changes']} changes ({counts}); {s['new_overdue']} newly overdue, "
        f"{s['new_prohibited']} new prohibitions. Not legal advice."
    )


def _state_text(state: dict[str, Any] | None) -> str:
    if state is None:
        return "—"
    text: str = state["status"] + (f" (due {state['due']})" if state["due"] else "")
    assets = state["assets"]
    if assets:
        text += (
            "\n"
            + e(", ".join(assets[:ASSETS_SHOWN]))
            + (f" +{len(assets) - ASSETS_SHOWN}" if len(assets) > ASSETS_SHOWN else "")
        )
    return text


def print_upcoming(data: dict[str, Any], console: Console) -> None:
    """One row per event ahead: the date, what happens, the obligation and why."""
    console.print(
        f"Upcoming from [bold]{data['as_of']}[/] to [bold]{data['until']}[/] "
        f"({len(data['dates_evaluated'])} dates evaluated)"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Event", no_wrap=True)
    table.add_column("Obligation", ratio=2, overflow="fold")
    table.add_column("Why", ratio=3, overflow="fold")
    for ev in data["events"]:
        table.add_row(
            ev["date"],
            ev["event"].replace("_", " "),
            f"[bold]{e(ev['title'])}[/]\n[dim]{ev['obligation_id']} · {ev['kind']}[/]",
            "\n".join(e(k["text"]) for k in ev["causes"]),
        )
    console.print(table)
