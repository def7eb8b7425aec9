"""A procurement check as terminal text (``check --format table``): the verdict, then each item
with its reasons. The JUnit form is ``engine.verdict.junit_xml``."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as e

from dutybound.engine.outcomes import Verdict

VERDICT_STYLE = {
    Verdict.PROHIBITED: "bold red",
    Verdict.REVIEW: "bold yellow",
    Verdict.CONDITIONAL: "yellow",
    Verdict.ALLOWED: "bold green",
}


def print_verdicts(data: dict[str, Any], console: Console) -> None:
    """The check's JSON (``CheckResult.to_json``) as one line per item under the verdict."""
    verdict, items = data["verdict"], data["items"]
    console.print(
        f"verdict: [{VERDICT_STYLE[verdict]}]{verdict}[/] "
        f"({len(items)} item{'s' if len(items) > 1 else ''}, "
        f"as of {data['as_of']}, rule pack {data['rulepack']['version']})"
    )
    for entry in items:
        item = entry["item"]
        console.print(
            f"[{VERDICT_STYLE[entry['verdict']]}]{entry['verdict']:>11}[/]  "
            f"{e(item['asset_id'])}  {e(item['vendor'])} "
            f"({item['category']}, {item['function']}, {item['country']})"
        )
        match = entry.get("vendor_match")
        if match and (match["group"] or match["needs_review"]):
            console.print(f"             · vendor: {e(identified_as(match))}")
        for reason in entry["reasons"]:
            console.print(f"             · {e(reason)}")


def identified_as(match: dict[str, Any]) -> str:
    """'EZVIZ → Hikvision (brand): the whole name is a registry name of EZVIZ'."""
    if match["group"] is None:
        return f"{match['input']}: {match['reason']}"
    return (
        f"{match['input']} → {match['group_name']} ({match['relationship']}"
        f"{', to review' if match['needs_review'] else ''}): {match['reason']}"
    )
