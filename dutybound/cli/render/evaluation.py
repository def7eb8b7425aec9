"""The evaluation as a terminal table (``evaluate`` and ``evaluate --out x --format table``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.notices import notice_message
from dutybound.engine.outcomes import FindingStatus, Position, RoleSource
from dutybound.engine.vocabulary import Binding

STATUS_STYLE = {
    FindingStatus.OVERDUE: "bold red",
    FindingStatus.DUE: "yellow",
    FindingStatus.IN_FORCE: "cyan",
    FindingStatus.WAIVED: "magenta",
    FindingStatus.FULFILLED: "green",
    FindingStatus.PAST_TARGET: "dim yellow",
    FindingStatus.UPCOMING: "green",
    FindingStatus.ENDED: "dim",
}
POSITION_STYLE = {
    Position.BREACH: "bold white on red",
    Position.ACTION_REQUIRED: "bold yellow",
    Position.PREPARE: "green",
    Position.ADVICE: "cyan",
    Position.WAIVED: "magenta",
    Position.FULFILLED: "green",
    Position.COMPLIANT: "green",
    Position.CLOSED: "dim",
}
# Items to review printed beneath the table; the JSON has them all.
REVIEW_SHOWN = 20


def print_evaluation(data: dict[str, Any], console: Console) -> None:
    """One row per finding, with the operator, rule pack and roles above and the summary and the
    items to review beneath."""
    op = data["operator"]
    console.print(f"[bold]{e(op['name'])}[/] — obligations as of [bold]{data['as_of']}[/]")
    console.print(
        f"rule pack {data['rulepack']['version']} "
        f"(law as of {data['rulepack']['law_as_of']}, "
        f"sha256 {data['rulepack']['sha256'][:12]}), "
        f"evaluator {data['engine']['evaluator']}"
    )
    roles = ", ".join(
        r["role"] + (" (derived)" if r["source"] == RoleSource.DERIVED else "") for r in op["roles"]
    )
    console.print(f"roles: {roles or 'none'}")
    for notice in data["notices"]:
        console.print(f"[yellow]note:[/] {e(notice_message(notice))}")
    table = Table(show_lines=True, expand=True)
    table.add_column("Position / status", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    table.add_column("Obligation", ratio=3, overflow="fold")
    table.add_column("Assets", ratio=1, overflow="fold")
    for f in data["findings"]:
        mark = "" if f["verified"] else " [bold magenta](unverified)[/]"
        position = f.get("position")  # evaluations stored before positions existed have none
        status = f"[{STATUS_STYLE[f['status']]}]{f['status']}[/]"
        if position:
            status = f"[{POSITION_STYLE[position]}]{position}[/]\n{status}"
        # the compact JSON of a large inventory lists the first ids and counts them
        shown = f["assets"][:4]
        rest = f.get("assets_count", len(f["assets"])) - len(shown)
        assets = ", ".join(shown) + (f" +{rest}" if rest else "")
        binding = (
            "" if f["instrument"]["binding"] == Binding.LAW else f" · {f['instrument']['binding']}"
        )
        table.add_row(
            status,
            f["due"] or "—",
            f"[bold]{e(f['title'])}[/]{mark}\n[dim]{f['obligation_id']} · {f['kind']}"
            f"{binding}\n{e(f['citation'])}[/]",
            e(assets) or "(operator)",
        )
    console.print(table)
    s = data["summary"]
    counts = ", ".join(f"{n} {k}" for k, n in s["by_status"].items()) or "none"
    positions = ", ".join(f"{n} {k}" for k, n in s.get("by_position", {}).items())
    console.print(
        f"{s['findings']} findings ({counts}"
        f"{'; ' + positions if positions else ''}); {s['unverified']} rely on unverified "
        f"content; {s['assets_affected']} of {data['inputs']['assets']} assets affected."
    )
    for row in data["review"][:REVIEW_SHOWN]:
        console.print(
            f"[yellow]review[/] {e(row['asset_id'])} ({e(row['vendor'])}): {e(row['detail'])}"
        )
    if len(data["review"]) > REVIEW_SHOWN:
        console.print(
            f"[yellow]... and {len(data['review']) - REVIEW_SHOWN} more items to review[/]"
        )
    # evaluations stored before issue 15 have no "unaffected" key
    unaffected = data.get("unaffected", [])
    for entry in unaffected[:REVIEW_SHOWN]:
        ids = entry["assets"]
        shown = ", ".join(ids[:4]) + (f" +{len(ids) - 4}" if len(ids) > 4 else "")
        console.print(
            f"[cyan]no finding[/] {entry['jurisdiction']} {e(shown)}: "
            f"{entry['reason'].replace('_', ' ')}: {e(entry['detail'])}"
        )
    if len(unaffected) > REVIEW_SHOWN:
        console.print(f"[cyan]... and {len(unaffected) - REVIEW_SHOWN} more[/]")
    if unaffected:
        console.print("Why one asset is or is not caught: dutybound explain --asset ID ...")
    console.print("Use --format json for explanations and traces. Not legal advice.")
