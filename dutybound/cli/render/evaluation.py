"""The evaluation as a terminal table (``evaluate`` and ``evaluate --out x --format table``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.notices import notice_message
from dutybound.engine.outcomes import FindingStatus, RoleSource
from dutybound.engine.vocabulary import Binding

STATUS_STYLE = {
    FindingStatus.OVERDUE: "bold red",
    FindingStatus.DUE: "yellow",
    FindingStatus.IN_FORCE: "cyan",
    FindingStatus.WAIVED: "magenta",
    FindingStatus.UPCOMING: "green",
    FindingStatus.ENDED: "dim",
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
    table.add_column("Status", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    table.add_column("Obligation", ratio=3, overflow="fold")
    table.add_column("Assets", ratio=1, overflow="fold")
    for f in data["findings"]:
        mark = "" if f["verified"] else " [bold magenta](unverified)[/]"
        status = f"[{STATUS_STYLE[f['status']]}]{f['status']}[/]"
        assets = ", ".join(f["assets"][:4]) + (
            f" +{len(f['assets']) - 4}" if len(f["assets"]) > 4 else ""
        )
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
    console.print(
        f"{s['findings']} findings ({counts}); {s['unverified']} rely on unverified "
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
    console.print("Use --format json for explanations and traces. Not legal advice.")
