"""Side-by-side views for consultants: one operator across jurisdictions, one vendor per country.

Both reduce many findings to one cell per jurisdiction: the *strongest* measure (prohibited, must
remove by, cap, assess, report, nothing), the earliest deadline, and the citation behind the
strongest measure. Binding law outranks contracts, which outrank guidance; within the same force,
a prohibition outranks a removal, and so on down to reporting duties.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dutybound.engine.evaluation import Evaluation
from dutybound.engine.findings import Finding
from dutybound.engine.loading import LoadedObligation, RulePack
from dutybound.engine.outcomes import APPLYING, FindingStatus
from dutybound.engine.roles import HeldRole
from dutybound.engine.rules import compile_rules
from dutybound.engine.vocabulary import Binding, ObligationKind

# kind -> (rank, the word a consultant's slide uses); lower rank = stronger
MEASURES: dict[ObligationKind, tuple[int, str]] = {
    ObligationKind.PROHIBITION: (0, "prohibited"),
    ObligationKind.REMOVAL: (1, "must remove"),
    ObligationKind.CAP: (2, "cap"),
    ObligationKind.RISK_ASSESSMENT: (3, "assess"),
    ObligationKind.MEASURE: (3, "assess"),
    ObligationKind.NOTIFICATION: (4, "report"),
    ObligationKind.REPORT: (4, "report"),
    ObligationKind.DISCLOSURE: (4, "report"),
}
# law outranks contracts, which outrank guidance (the order Binding declares)
BINDING_RANK: dict[Binding, int] = {b: n for n, b in enumerate(Binding)}


@dataclass(frozen=True)
class Cell:
    jurisdiction: str
    measure: str  # prohibited | must remove | cap | assess | report | nothing | no role
    binding: Binding | None
    obligation_id: str | None
    citation: str | None
    url: str | None
    measure_due: dt.date | None  # the strongest obligation's own deadline
    due: dt.date | None  # the earliest deadline among all findings in effect
    status: FindingStatus | None
    verified: bool | None
    assets: list[str]
    findings: int
    upcoming: int  # obligations not yet in effect on the date

    def to_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "measure": self.measure,
            "binding": self.binding,
            "obligation_id": self.obligation_id,
            "citation": self.citation,
            "url": self.url,
            "measure_due": self.measure_due.isoformat() if self.measure_due else None,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "verified": self.verified,
            "assets": self.assets,
            "findings": self.findings,
            "upcoming": self.upcoming,
        }

    def label(self) -> str:
        """The words for a slide: 'must remove by 2027-12-31', 'assess (guidance)'."""
        text = self.measure
        if self.measure_due:
            text += f" by {self.measure_due.isoformat()}"
        if self.binding and self.binding != Binding.LAW:
            text += f" ({self.binding})"
        return text


def _strength(item: LoadedObligation) -> tuple[int, int]:
    return (BINDING_RANK[item.instrument.binding], MEASURES[item.obligation.kind][0])


def _cell(
    code: str,
    items: list[tuple[LoadedObligation, FindingStatus, dt.date | None]],
    assets: list[str],
    upcoming: int,
    has_role: bool,
) -> Cell:
    """Reduce (obligation, status, due) triples in effect to one cell."""
    if not items:
        return Cell(
            code,
            "nothing" if has_role else "no role",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            assets,
            0,
            upcoming,
        )
    best, status, best_due = min(
        items, key=lambda t: (_strength(t[0]), t[2] or dt.date.max, t[0].obligation.id)
    )
    dues = [due for _, _, due in items if due]
    return Cell(
        code,
        MEASURES[best.obligation.kind][1],
        best.instrument.binding,
        best.obligation.id,
        best.obligation.citation,
        best.obligation.url,
        best_due,
        min(dues) if dues else None,
        status,
        best.obligation.verified and best.instrument.verified,
        assets,
        len(items),
        upcoming,
    )


def compare_operator(evaluation: Evaluation, jurisdictions: list[str]) -> list[Cell]:
    """One cell per jurisdiction for the evaluated operator and its assets."""
    cells = []
    for code in jurisdictions:
        mine = [f for f in evaluation.findings if f.item.jurisdiction == code]
        live: list[Finding] = [f for f in mine if f.status in APPLYING]
        assets = sorted({a for f in live for a in f.assets})
        has_role = any(r.startswith(code.lower() + ".") for r in evaluation.roles)
        cells.append(
            _cell(
                code,
                [(f.item, f.status, f.due) for f in live],
                assets,
                sum(1 for f in mine if f.status == FindingStatus.UPCOMING),
                has_role,
            )
        )
    return cells


def vendor_matrix(
    pack: RulePack,
    roles: dict[str, HeldRole],
    groups: list[str],
    jurisdictions: list[str],
    as_of: dt.date,
    evaluation: Evaluation | None = None,
) -> dict[str, list[Cell]]:
    """For each vendor group, one cell per jurisdiction: what the law in force on the date asks
    of this operator (its roles) about that vendor's kit, whatever the asset.

    This reads the obligations' vendor tests directly: it answers "what does each country do
    about Huawei for an operator like this", not "which of its assets are caught" (that needs an
    inventory; when ``evaluation`` is given, its affected assets of the vendor are listed).
    """
    held = set(roles)
    vendor_tests = {r.id: dict(r.tests).get("group") for r in compile_rules(pack)}
    matrix: dict[str, list[Cell]] = {}
    for group in groups:
        row = []
        for code in jurisdictions:
            live: list[tuple[LoadedObligation, FindingStatus, dt.date | None]] = []
            upcoming = 0
            for item in pack.obligations:
                if item.jurisdiction != code or held.isdisjoint(item.obligation.roles):
                    continue
                vendors = vendor_tests[item.obligation.id]
                if vendors is None or group not in vendors:
                    continue
                start, end = item.window()
                if as_of < start:
                    upcoming += 1
                elif end is None or as_of < end:
                    due = item.obligation.deadline.date if item.obligation.deadline else None
                    status = (
                        FindingStatus.IN_FORCE
                        if due is None
                        else FindingStatus.DUE
                        if as_of <= due
                        else FindingStatus.OVERDUE
                    )
                    live.append((item, status, due))
            assets: list[str] = []
            if evaluation is not None:
                vendor_assets = {
                    a.asset_id
                    for a in evaluation.assets
                    if evaluation.vendor_matches[a.vendor].group == group
                }
                assets = sorted(
                    {
                        a
                        for f in evaluation.findings
                        if f.item.jurisdiction == code and f.status in APPLYING
                        for a in f.assets
                    }
                    & vendor_assets
                )
            has_role = any(r.startswith(code.lower() + ".") for r in held)
            row.append(_cell(code, live, assets, upcoming, has_role))
        matrix[group] = row
    return matrix


@dataclass
class Comparison:
    data: dict[str, Any]  # the JSON the CLI prints
    blocks: list[tuple[str, list[Cell]]]  # (title, cells) for tables and reports


def run_comparison(
    pack: RulePack,
    profile: Any,
    assets: list[Any],
    as_of: dt.date,
    codes: list[str],
    vendors: list[str] | None,
    hypothetical: frozenset[str] = frozenset(),
) -> Comparison:
    """Evaluate once and reduce to cells: per jurisdiction, or per vendor and jurisdiction.

    Raises ``InputError`` for an unknown jurisdiction or a vendor the registry cannot place.
    """
    from dutybound.engine.errors import InputError
    from dutybound.engine.evaluation import evaluate

    for code in codes:
        if code not in pack.jurisdictions:
            raise InputError(
                "--jurisdiction",
                f"unknown jurisdiction {code!r}; this rule pack has {sorted(pack.jurisdictions)}",
            )
    profile = profile.model_copy(update={"jurisdictions": sorted(set(codes))})
    result = evaluate(pack, profile, assets, as_of, hypothetical=hypothetical)
    data: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "operator": profile.name,
        "roles": [{"role": h.role, "source": h.source} for h in result.roles.values()],
        "rulepack": {"version": pack.version, "sha256": pack.sha256},
        "jurisdictions": codes,
        "notices": [n.to_json() for n in result.notices],
    }
    blocks: list[tuple[str, list[Cell]]] = []
    if vendors:
        groups = []
        for name in vendors:
            match = pack.registry.match(name, as_of)
            if match.group is None or match.needs_review:
                raise InputError(
                    "--vendor",
                    f"{name!r} is not a vendor group in the registry (registry/vendors.yaml)",
                )
            groups.append(match.group)
        matrix = vendor_matrix(pack, result.roles, groups, codes, as_of, result if assets else None)
        data["vendors"] = [
            {
                "vendor": pack.registry.groups[g].name,
                "group": g,
                "cells": [c.to_json() for c in cells],
            }
            for g, cells in matrix.items()
        ]
        blocks = [(pack.registry.groups[g].name, cells) for g, cells in matrix.items()]
    else:
        cells = compare_operator(result, codes)
        data["cells"] = [c.to_json() for c in cells]
        blocks = [("Obligations by jurisdiction", cells)]
    return Comparison(data, blocks)
