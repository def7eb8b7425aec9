"""What the results pages show of a stored evaluation JSON: the summary, the findings narrowed
by the filters and the text search of the query string, and the options each filter offers.

The page's filter form is a GET form, so a narrowed table is a URL that can be shared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# the filters of the findings table: query parameter -> how a finding is read for it
FILTERS = ("jurisdiction", "status", "position", "binding", "vendor")
DUE_SOON = "due"  # the engine's status for a deadline still ahead
SEARCH = "q"  # the query parameter of the text search


def _values(finding: Mapping[str, Any], name: str) -> set[str]:
    """A finding's values for one filter; for ``vendor``, the vendor groups its vendor links
    name (the registry's name, "Huawei", whatever the inventory spelt)."""
    if name == "binding":
        return {str(finding["instrument"]["binding"])}
    if name == "vendor":
        return {str(link["group_name"]) for link in finding.get("vendor_link") or []}
    value = finding.get(name)
    return {str(value)} if value else set()


def searched_text(finding: Mapping[str, Any]) -> str:
    """What the text search reads of a finding, lower-cased: its title, obligation id,
    citations (its own and its instrument's), the vendor names its vendor links name (as the
    inventory spelt them, the registry's group and entity) and its asset ids."""
    instrument = finding.get("instrument") or {}
    parts = [
        finding.get("title"),
        finding.get("id"),
        finding.get("obligation_id"),
        finding.get("citation"),
        instrument.get("title"),
        instrument.get("citation"),
    ]
    for link in finding.get("vendor_link") or []:
        parts += [link.get("vendor"), link.get("group_name"), link.get("entity")]
    parts += list(finding.get("assets") or [])
    return "\n".join(str(p) for p in parts if p).casefold()


def matches(finding: Mapping[str, Any], search: str) -> bool:
    """Whether every word of ``search`` occurs in the finding's searched text (any case);
    an empty search matches all."""
    text = searched_text(finding)
    return all(word in text for word in search.casefold().split())


@dataclass(frozen=True)
class Filtered:
    """The findings that pass the filters and the search, each filter's options and chosen
    value, and the search as typed."""

    findings: list[dict[str, Any]]
    options: dict[str, list[str]]
    chosen: dict[str, str]
    search: str = ""


def filtered(data: Mapping[str, Any], query: Mapping[str, str]) -> Filtered:
    """The findings whose value for every filter given in ``query`` is the one chosen and whose
    text holds every word of the search (``q``); a filter left empty passes all."""
    findings: list[dict[str, Any]] = data["findings"]
    options = {name: sorted({v for f in findings for v in _values(f, name)}) for name in FILTERS}
    chosen = {name: query.get(name, "") for name in FILTERS}
    search = query.get(SEARCH, "").strip()
    kept = [
        f
        for f in findings
        if all(not want or want in _values(f, name) for name, want in chosen.items())
        and matches(f, search)
    ]
    return Filtered(kept, options, chosen, search)


def summary(data: Mapping[str, Any]) -> dict[str, int]:
    """The three counts at the top of the results: breaches, overdue, due soon."""
    counts = data["summary"]
    return {
        "breach": int(counts["by_position"].get("breach", 0)),
        "overdue": int(counts["by_status"].get("overdue", 0)),
        "due": int(counts["by_status"].get(DUE_SOON, 0)),
        "findings": int(counts["findings"]),
    }
