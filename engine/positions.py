"""Where the operator stands against each finding: the status says where the law is on the date,
the position what the operator's inventory and records show about it.

Why both: "in force" is true of a prohibition whether or not the operator breaks it. A compliance
officer signing a report needs the second answer first: Hikvision lobby cameras installed under a
use ban in force are a *breach*, not a calm "in force" card. The position is derived only from
what the evaluation knows, and it calls something a breach only where the inventory itself shows
it (a covered asset installed, planned or in procurement under a prohibition; a removal or cap
deadline passed with the assets still there). A reporting duty past its deadline is not called a
breach: nothing says it was not done. It stays ``action_required`` (and ``overdue``) until an
attestation records it (engine.attestations).
"""

from __future__ import annotations

from dutybound.engine.findings import Finding
from dutybound.engine.outcomes import FindingStatus, Position
from dutybound.engine.vocabulary import Binding, ObligationKind

_RANK = {position: n for n, position in enumerate(Position)}


def position_rank(position: Position) -> int:
    """Worst first, in the declaration order of ``Position``: breaches lead every listing."""
    return _RANK[position]


def position_of(finding: Finding) -> Position:
    status = finding.status
    kind = finding.item.obligation.kind
    if status == FindingStatus.ENDED:
        return Position.CLOSED
    if status == FindingStatus.UPCOMING:
        return Position.PREPARE
    if finding.item.instrument.binding == Binding.GUIDANCE:
        return Position.ADVICE
    if status == FindingStatus.WAIVED:
        return Position.WAIVED
    if status == FindingStatus.FULFILLED:
        return Position.FULFILLED
    if kind == ObligationKind.CAP:
        cap = finding.cap or {}
        measured = cap.get("measured_share")
        if measured is not None and measured <= cap["max_share"]:
            return Position.COMPLIANT
        return Position.BREACH if status == FindingStatus.OVERDUE else Position.ACTION_REQUIRED
    if finding.assets:
        if kind == ObligationKind.PROHIBITION and status in (
            FindingStatus.IN_FORCE,
            FindingStatus.OVERDUE,
        ):
            return Position.BREACH
        if kind == ObligationKind.REMOVAL and status == FindingStatus.OVERDUE:
            return Position.BREACH
    return Position.ACTION_REQUIRED


def set_positions(findings: list[Finding]) -> None:
    """Set every finding's position; call once waivers and attestations are applied."""
    for finding in findings:
        finding.position = position_of(finding)
