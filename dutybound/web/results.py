"""What the results pages show of a stored evaluation JSON: the summary, the findings narrowed
by the filters of the query string, and the options each filter offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# the filters of the findings table: query parameter -> how a finding is read for it
FILTERS = ("jurisdiction", "status", "position", "binding", "vendor")
DUE_SOON = "due"  # the engine's status for a deadline still ahead


def _values(finding: Mapping[str, Any], name: str) -> set[str]:
    """A finding's values for one filter; for ``vendor``, the vendor groups its vendor links
    name (the registry's name, "Huawei", whatever the inventory spelt)."""
    if name == "binding":
        return {str(finding["instrument"]["binding"])}
    if name == "vendor":
        return {str(link["group_name"]) for link in finding.get("vendor_link") or []}
    value = finding.get(name)
    return {str(value)} if value else set()


@dataclass(frozen=True)
class Filtered:
    """The findings that pass the filters, and each filter's options and chosen value."""

    findings: list[dict[str, Any]]
    options: dict[str, list[str]]
    chosen: dict[str, str]


def filtered(data: Mapping[str, Any], query: Mapping[str, str]) -> Filtered:
    """The findings whose value for every filter given in ``query`` is the one chosen; a filter
    left empty passes all."""
    findings: list[dict[str, Any]] = data["findings"]
    options = {name: sorted({v for f in findings for v in _values(f, name)}) for name in FILTERS}
    chosen = {name: query.get(name, "") for name in FILTERS}
    kept = [
        f
        for f in findings
        if all(not want or want in _values(f, name) for name, want in chosen.items())
    ]
    return Filtered(kept, options, chosen)


def summary(data: Mapping[str, Any]) -> dict[str, int]:
    """The three counts at the top of the results: breaches, overdue, due soon."""
    counts = data["summary"]
    return {
        "breach": int(counts["by_position"].get("breach", 0)),
        "overdue": int(counts["by_status"].get("overdue", 0)),
        "due": int(counts["by_status"].get(DUE_SOON, 0)),
        "findings": int(counts["findings"]),
    }
