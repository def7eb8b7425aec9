"""The portfolio summary: one row per operator and jurisdiction, with the count of findings in
each position and the next deadline that binds, and an error row for an operator whose input
was refused. Written as JSON (the record: every other file is made from it), CSV and XLSX (to
sort and filter) and a PDF (to hand over, with the JSON attached as the obligation report
attaches its evaluation).

A row is worked out on the worker from the evaluation JSON it has just made (``operator_row``),
so the client receives a few hundred bytes per operator, not the evaluation, to summarise.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dutybound.engine.outcomes import Position

# the positions whose due date binds the operator: a breach to end, a duty to do, law to
# prepare for; advice binds no one, and waived, fulfilled, compliant and closed are settled
BINDING: frozenset[Position] = frozenset(
    {Position.BREACH, Position.ACTION_REQUIRED, Position.PREPARE}
)
POSITIONS: tuple[Position, ...] = tuple(Position)


class RowStatus(StrEnum):
    """Whether an operator was evaluated or refused."""

    evaluated = "evaluated"
    # its profile or inventory is bad input (the message names file, line and field)
    refused = "refused"
    # its evaluation failed on every try for a reason not in its input (a bug, a lost cluster)
    failed = "failed"


@dataclass(frozen=True)
class Deadline:
    """The earliest binding due date on or after the evaluation date, and the finding it is of."""

    due: dt.date
    finding: str
    jurisdiction: str

    def to_json(self) -> dict[str, str]:
        return {
            "due": self.due.isoformat(),
            "finding": self.finding,
            "jurisdiction": self.jurisdiction,
        }


@dataclass(frozen=True)
class OperatorRow:
    """One operator's line of the summary."""

    operator: str
    status: RowStatus
    # the profile's name (None when the profile could not be read)
    name: str | None = None
    assets: int = 0
    findings: int = 0
    # jurisdiction → position → findings (what-if findings are never counted)
    positions: dict[str, dict[str, int]] = field(default_factory=dict)
    # the operator's next binding deadline, and each jurisdiction's
    next_deadline: Deadline | None = None
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    # what a person must look at before the counts can be relied on: items to review (uncertain
    # vendor matches, facts the inventory does not state) and the codes of the evaluation's
    # notices (no role held, a role whose law ended, law out of date...). A row of zero findings
    # is an all-clear only when both are empty.
    review: int = 0
    # binding findings whose due date has passed: the deadline column's other half
    overdue: int = 0
    notices: tuple[str, ...] = ()
    error: str | None = None

    @property
    def attention(self) -> bool:
        """Whether the row's counts are qualified by something a person must check."""
        return bool(self.review or self.notices)

    def to_json(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "status": self.status.value,
            "name": self.name,
            "assets": self.assets,
            "findings": self.findings,
            "jurisdictions": {
                j: {p.value: counts.get(p.value, 0) for p in POSITIONS}
                for j, counts in self.positions.items()
            },
            "next_deadline": None if self.next_deadline is None else self.next_deadline.to_json(),
            "overdue": self.overdue,
            "review": self.review,
            "notices": list(self.notices),
            "error": self.error,
        }


def operator_row(operator: str, data: dict[str, Any]) -> OperatorRow:
    """The summary row of an evaluation, from its JSON (``Evaluation.to_json``)."""
    as_of = dt.date.fromisoformat(data["as_of"])
    counts: dict[str, Counter[str]] = {j: Counter() for j in data["operator"]["jurisdictions"]}
    soonest: dict[str, Deadline] = {}
    real = [f for f in data["findings"] if not f.get("hypothetical")]
    for finding in real:
        jurisdiction = finding["jurisdiction"]
        counts.setdefault(jurisdiction, Counter())[finding["position"]] += 1
        due = finding.get("due")
        if due is None or Position(finding["position"]) not in BINDING:
            continue
        day = dt.date.fromisoformat(due)
        best = soonest.get(jurisdiction)
        if day >= as_of and (best is None or (day, finding["id"]) < (best.due, best.finding)):
            soonest[jurisdiction] = Deadline(day, finding["id"], jurisdiction)
    overall = min(soonest.values(), key=lambda d: (d.due, d.jurisdiction, d.finding), default=None)
    return OperatorRow(
        operator,
        RowStatus.evaluated,
        name=data["operator"]["name"],
        assets=data["inputs"]["assets"],
        findings=len(real),
        positions={j: dict(sorted(c.items())) for j, c in sorted(counts.items())},
        next_deadline=overall,
        deadlines=dict(sorted(soonest.items())),
        overdue=sum(1 for f in real if f.get("status") == "overdue"),
        review=len(data["review"]),
        notices=tuple(sorted({n["code"] for n in data["notices"]})),
    )


@dataclass(frozen=True)
class Summary:
    """The portfolio on one date: a row per operator, sorted by operator."""

    as_of: dt.date
    rulepack: dict[str, str]
    rows: list[OperatorRow]

    @property
    def refused(self) -> list[OperatorRow]:
        return [r for r in self.rows if r.status is not RowStatus.evaluated]

    def to_json(self) -> dict[str, Any]:
        by_position: Counter[str] = Counter()
        for row in self.rows:
            for counts in row.positions.values():
                by_position.update(counts)
        return {
            "as_of": self.as_of.isoformat(),
            "rulepack": self.rulepack,
            "operators": len(self.rows),
            "evaluated": sum(1 for r in self.rows if r.status is RowStatus.evaluated),
            "refused": len(self.refused),
            # operators whose counts are qualified by review items or notices
            "attention": sum(1 for r in self.rows if r.attention),
            "by_position": {p.value: by_position[p.value] for p in POSITIONS},
            "rows": [r.to_json() for r in self.rows],
        }


HEADER: tuple[str, ...] = (
    "operator",
    "name",
    "status",
    "jurisdiction",
    *(p.value for p in POSITIONS),
    "next deadline",
    "next deadline finding",
    "review",
    "notices",
    "error",
)
WIDTHS: tuple[int, ...] = (24, 28, 10, 12, *(10 for _ in POSITIONS), 14, 40, 8, 40, 60)


def table_rows(rows: Iterable[OperatorRow]) -> list[Sequence[object]]:
    """The summary as a table: a row per operator and jurisdiction (the jurisdiction's own next
    deadline), one row for a refused operator with its error."""
    out: list[Sequence[object]] = []
    for row in rows:
        if row.status is not RowStatus.evaluated:
            out.append(
                [row.operator, row.name, row.status.value, None]
                + [None] * len(POSITIONS)
                + [None, None, None, None, row.error]
            )
            continue
        for jurisdiction, counts in row.positions.items():
            deadline = row.deadlines.get(jurisdiction)
            out.append(
                [row.operator, row.name, row.status.value, jurisdiction]
                + [counts.get(p.value, 0) for p in POSITIONS]
                + [
                    None if deadline is None else deadline.due.isoformat(),
                    None if deadline is None else deadline.finding,
                    row.review,
                    " ".join(row.notices),
                    None,
                ]
            )
    return out


def jurisdictions_of(rows: Sequence[OperatorRow]) -> list[str]:
    """Every jurisdiction of the portfolio, sorted: the PDF's columns."""
    found: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        for j in row.positions:
            found[j] += 1
    return sorted(found)


def summary_files(summary: Summary) -> dict[str, bytes]:
    """The summary's four files by name: ``summary.json`` (the record), ``summary.csv`` and
    ``summary.xlsx`` (``table_rows``) and ``summary.pdf`` (PDF/A-3b with the JSON attached)."""
    from dutybound.engine.cells import csv_text, tracking_sheet
    from dutybound.engine.jsontext import json_bytes
    from dutybound.reports.render import render_html, render_pdf

    record = json_bytes(summary.to_json())
    rows = table_rows(summary.rows)
    html = render_html(
        "portfolio.html.j2",
        {
            "summary": summary,
            "jurisdictions": jurisdictions_of(summary.rows),
            "positions": [p.value for p in POSITIONS],
            "binding": sorted(p.value for p in BINDING),
        },
    )
    return {
        "summary.json": record,
        "summary.csv": csv_text(HEADER, rows).encode(),
        "summary.xlsx": tracking_sheet("Portfolio", HEADER, rows, WIDTHS),
        "summary.pdf": render_pdf(html, {"summary.json": record.decode()}),
    }
