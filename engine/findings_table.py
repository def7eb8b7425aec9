"""Findings as a table an officer tracks remediation in: one row per finding and asset.

The evaluation JSON groups the assets of a finding in one list; a compliance officer assigns work
per asset (this router, that camera), so the spreadsheet repeats the finding on each asset's row
with the asset's vendor, the group it was identified as and its site. A duty of the operator
itself (no asset) is one row with the asset columns empty. ``owner``, ``ticket`` and ``notes``
are left empty for the officer to fill in: the columns exist so the file is the tracker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.engine.inputs import Asset


@dataclass(frozen=True)
class Column:
    """A column of the findings table: its header and a width (characters) for XLSX."""

    header: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("Finding ID", 34),
    Column("Jurisdiction", 8),
    Column("Obligation", 34),
    Column("Title", 48),
    Column("Kind", 14),
    Column("Binding", 10),
    Column("Status", 12),
    Column("Position", 16),
    Column("Due", 11),
    Column("Asset ID", 14),
    Column("Vendor", 26),
    Column("Vendor group", 16),
    Column("Site", 16),
    Column("Citation", 40),
    Column("URL", 30),
    Column("Verified", 9),
    Column("Owner", 16),
    Column("Ticket", 14),
    Column("Notes", 30),
)
HEADER: tuple[str, ...] = tuple(c.header for c in COLUMNS)
WIDTHS: tuple[int, ...] = tuple(c.width for c in COLUMNS)
# the status written for a what-if finding (--assume-designation): never mistaken for law in force
WHAT_IF = " (what-if)"


def vendor_group(evaluation: Evaluation, vendor: str) -> str:
    """The group a vendor name was identified as, 'to review' when the match is uncertain, empty
    when it matched none."""
    match = evaluation.vendor_matches.get(vendor)
    if match is None or match.group is None:
        return ""
    name = evaluation.pack.registry.groups[match.group].name
    return f"{name} (to review)" if match.needs_review else name


def finding_rows(evaluation: Evaluation, findings: Sequence[dict[str, Any]]) -> list[list[object]]:
    """The rows, in the order of ``findings`` (the evaluation JSON's, worst first) and of each
    finding's assets; cells in ``HEADER`` order, the last three empty."""
    by_id: dict[str, Asset] = {}
    for asset in evaluation.assets:
        by_id.setdefault(asset.asset_id, asset)
    rows: list[list[object]] = []
    for f in findings:
        status = f["status"] + (WHAT_IF if f.get("hypothetical") else "")
        head: list[object] = [
            f["id"],
            f["jurisdiction"],
            f["obligation_id"],
            f["title"],
            f["kind"],
            f["instrument"]["binding"],
            status,
            f.get("position") or "",
            f["due"] or "",
        ]
        tail: list[object] = [
            f["citation"],
            f["url"],
            "yes" if f["verified"] else "no",
            "",
            "",
            "",
        ]
        if not f["assets"]:
            rows.append([*head, "", "", "", "", *tail])
            continue
        for asset_id in f["assets"]:
            held = by_id.get(asset_id)
            if held is None:  # not in this inventory: the id alone is still worth a row
                rows.append([*head, asset_id, "", "", "", *tail])
                continue
            rows.append(
                [
                    *head,
                    asset_id,
                    held.vendor,
                    vendor_group(evaluation, held.vendor),
                    held.site,
                    *tail,
                ]
            )
    return rows
