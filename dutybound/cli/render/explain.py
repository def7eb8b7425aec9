"""``dutybound explain`` as a terminal table: one asset, each obligation that could reach it, and
every condition the law states, with the fact the inventory (row), the profile or the date gives,
and whether it is met; then how the asset's vendor is linked to the law. The rows are a finding's
``conditions`` and ``vendor_link`` (engine.explain.conditions_json), for this one asset."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

# the "met" values of a condition (engine.explain.MET_JSON) and the words of
# engine.explain.Outcome; this module does not import the engine, so that drawing a table loads
# nothing but rich
MET_WORDS: dict[bool | str, tuple[str, str]] = {
    True: ("yes", "green"),
    False: ("no", "red"),
    "unknown": ("unknown", "yellow"),
}
OUTCOME_STYLE = {"applies": "bold red", "review": "bold yellow", "does_not_apply": "dim"}


def print_explanation(data: dict[str, Any], console: Console) -> None:
    """The asset and how its vendor was matched, the findings that cover it, then one table of
    tests per obligation (those that apply first), and the items to review beneath."""
    asset, vendor = data["asset"], data["vendor"]
    console.print(
        f"[bold]{e(asset['asset_id'])}[/] ({e(asset['vendor'])}, {e(asset['product'])}) — "
        f"why it is or is not caught, as of [bold]{data['as_of']}[/]"
    )
    console.print(f"operator: {e(data['operator'])}; roles: {', '.join(data['roles']) or 'none'}")
    group = f"{vendor['group_name']} ({vendor['relationship']})" if vendor["group"] else "no group"
    review = ", needs review" if vendor["needs_review"] else ""
    console.print(
        f"vendor: {group} by {vendor['method']}, score {vendor['score']}{review}: "
        f"{e(vendor['reason'])}"
    )
    if vendor["source"]:
        verified = "" if vendor["source_verified"] else " (UNVERIFIED)"
        console.print(f"          registry source: {e(vendor['source'])}{verified}")
    for notice in data["notices"]:
        console.print(f"[yellow]note:[/] {e(notice['message'])}")
    if data["findings"]:
        listed = ", ".join(f"{f['id']} ({f['status']}, {f['position']})" for f in data["findings"])
        console.print(f"findings: {e(listed)}")
    else:
        console.print("findings: none cover this asset")
    for code in data["group_not_named_in"]:
        console.print(f"No {code} obligation in this rule pack names {e(vendor['group_name'])}.")
    if not data["rules"]:
        console.print(
            "No obligation of the profile's jurisdictions names this vendor or reaches any vendor."
        )
    for rule in data["rules"]:
        style = OUTCOME_STYLE[rule["outcome"]]
        mark = "" if rule["verified"] else " [bold magenta](unverified)[/]"
        table = Table(
            title=f"[bold]{e(rule['obligation_id'])}[/] {e(rule['title'])}{mark}",
            caption=f"[{style}]{e(rule['result'])}[/]",
            title_justify="left",
            caption_justify="left",
            expand=True,
        )
        table.add_column("Test", no_wrap=True)
        table.add_column("Condition in the law", ratio=3, overflow="fold")
        table.add_column("Fact (inventory row, profile or date)", ratio=2, overflow="fold")
        table.add_column("Met?", no_wrap=True)
        for condition in rule["conditions"]:
            word, colour = MET_WORDS[condition["met"]]
            table.add_row(
                e(condition["test"]),
                e(condition["condition"]),
                e(condition["fact"]),
                f"[{colour}]{word}[/]",
            )
        console.print(table)
        for link in rule["vendor_link"]:
            console.print(f"vendor link: {e(link['text'])}")
    s = data["summary"]
    console.print(
        f"{len(data['rules'])} obligations tested: {s['applies']} apply, {s['review']} need a "
        f"fact, {s['does_not_apply']} do not apply."
    )
    for row in data["review"]:
        console.print(f"[yellow]review[/] {e(row['detail'])}")
    console.print("Use --format json for the same in machine-readable form. Not legal advice.")
