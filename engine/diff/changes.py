"""The model of a diff: an obligation's state in one evaluation, the changes between two states,
and the causes a step gives for them. The words in ``StepName``, ``ChangeType`` and ``CauseKind``
are part of the JSON output contract (as is a step's number), so they are closed enums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dutybound.engine.diff.wording import iso
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.findings import Finding
from dutybound.engine.outcomes import APPLYING, FindingStatus
from dutybound.engine.vocabulary import ObligationKind


class StepName(StrEnum):
    """The inputs a diff switches, in the counterfactual order (``number`` is output)."""

    PROFILE = "profile"
    INVENTORY = "inventory"
    VENDOR_DATA = "vendor_data"
    LAW = "law"
    WAIVERS = "waivers"
    TIME = "time"

    @property
    def number(self) -> int:
        return _STEP_NUMBERS[self]


_STEP_NUMBERS: dict[StepName, int] = {name: n for n, name in enumerate(StepName, start=1)}


class ChangeType(StrEnum):
    """What changed about one obligation, in the order the changes of one are listed."""

    APPEARED = "appeared"
    DISAPPEARED = "disappeared"
    STATUS = "status"
    DUE = "due"
    ASSETS = "assets"


class CauseKind(StrEnum):
    """What a cause names, for a machine (the ``text`` says it for a person)."""

    # profile
    ROLE_GAINED = "role_gained"
    ROLE_LOST = "role_lost"
    JURISDICTION_ADDED = "jurisdiction_added"
    JURISDICTION_REMOVED = "jurisdiction_removed"
    PROFILE_CHANGED = "profile_changed"
    # inventory
    ASSET_ADDED = "asset_added"
    ASSET_REMOVED = "asset_removed"
    ASSET_EDITED = "asset_edited"
    # vendor data
    VENDOR_RESOLVED = "vendor_resolved"
    REGISTRY_CHANGED = "registry_changed"
    # law
    OBLIGATION_ADDED = "obligation_added"
    OBLIGATION_AMENDED = "obligation_amended"
    OBLIGATION_REMOVED = "obligation_removed"
    INSTRUMENT_ADDED = "instrument_added"
    INSTRUMENT_AMENDED = "instrument_amended"
    DESIGNATION_ADDED = "designation_added"
    DESIGNATION_AMENDED = "designation_amended"
    JURISDICTION_AMENDED = "jurisdiction_amended"
    LAW_CHANGED = "law_changed"
    # waivers
    WAIVER_ADDED = "waiver_added"
    WAIVER_REMOVED = "waiver_removed"
    WAIVERS_CHANGED = "waivers_changed"
    # time
    # the instrument was adopted (no hindsight: before that it contributes nothing)
    INSTRUMENT_ADOPTED = "instrument_adopted"
    NOT_YET_ADOPTED = "not_yet_adopted"
    CAME_INTO_FORCE = "came_into_force"
    NOT_YET_IN_FORCE = "not_yet_in_force"
    INSTRUMENT_IN_FORCE = "instrument_in_force"
    DESIGNATION_BEGAN = "designation_began"
    ENDED = "ended"
    NOT_YET_ENDED = "not_yet_ended"
    DEADLINE_PASSED = "deadline_passed"
    DEADLINE_NOT_PASSED = "deadline_not_passed"
    DEADLINE_FROM_EVALUATION_DATE = "deadline_from_evaluation_date"
    VENDOR_MEMBERSHIP = "vendor_membership"
    WAIVER_BEGAN = "waiver_began"
    WAIVER_EXPIRED = "waiver_expired"
    DATE_MOVED = "date_moved"


# Worst first (the order FindingStatus declares): when one obligation gives several findings
# (deadlines counted per asset), the obligation's status is the worst of them.
_STATUS_RANK: dict[FindingStatus, int] = {s: n for n, s in enumerate(FindingStatus)}


@dataclass(frozen=True)
class ObligationState:
    """An obligation as one evaluation found it. One obligation can give several findings (one
    per due date); the diff compares obligations, so they are folded: worst status, earliest due
    date, every affected asset."""

    obligation_id: str
    status: FindingStatus
    due: dt.date | None
    dues: tuple[dt.date, ...]
    assets: tuple[str, ...]
    finding_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "due": iso(self.due),
            "dues": [d.isoformat() for d in self.dues],
            "assets": list(self.assets),
            "findings": list(self.finding_ids),
        }


def obligation_states(evaluation: Evaluation) -> dict[str, ObligationState]:
    """{obligation id: state} for one evaluation's findings."""
    grouped: dict[str, list[Finding]] = {}
    for finding in evaluation.findings:
        grouped.setdefault(finding.item.obligation.id, []).append(finding)
    states = {}
    for ob_id, findings in sorted(grouped.items()):
        status = min((f.status for f in findings), key=_STATUS_RANK.__getitem__)
        dues = tuple(sorted({f.due for f in findings if f.due is not None}))
        assets = tuple(sorted({a for f in findings for a in f.assets}))
        states[ob_id] = ObligationState(
            ob_id,
            status,
            dues[0] if dues else None,
            dues,
            assets,
            tuple(sorted(f.id for f in findings)),
        )
    return states


@dataclass(frozen=True)
class Cause:
    """Why a change happened: a sentence for a person, and ``step``/``kind``/``refs`` for a
    machine (refs name the asset ids, vendor string and group, instrument, citation or date)."""

    step: StepName
    kind: CauseKind
    text: str
    refs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "step_number": self.step.number,
            "kind": self.kind,
            "text": self.text,
            "refs": self.refs,
        }


@dataclass
class Change:
    """One obligation that appeared, disappeared, or changed status, due date or assets."""

    obligation_id: str
    jurisdiction: str
    title: str
    obligation_kind: ObligationKind
    change: ChangeType
    before: ObligationState | None
    after: ObligationState | None
    causes: list[Cause] = field(default_factory=list)

    @property
    def assets_added(self) -> list[str]:
        return sorted(
            set(self.after.assets if self.after else ())
            - set(self.before.assets if self.before else ())
        )

    @property
    def assets_removed(self) -> list[str]:
        return sorted(
            set(self.before.assets if self.before else ())
            - set(self.after.assets if self.after else ())
        )

    @property
    def steps(self) -> list[StepName]:
        """The steps this change is attributed to, in counterfactual order."""
        return sorted({c.step for c in self.causes}, key=lambda s: s.number)

    def to_json(self) -> dict[str, Any]:
        return {
            "obligation_id": self.obligation_id,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "kind": self.obligation_kind,
            "change": self.change,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
            "assets_added": self.assets_added,
            "assets_removed": self.assets_removed,
            "steps": self.steps,
            "causes": [c.to_json() for c in self.causes],
        }


def changed(change: ChangeType, a: ObligationState | None, b: ObligationState | None) -> bool:
    """Whether ``change`` holds between states ``a`` and ``b``."""
    if change is ChangeType.APPEARED:
        return a is None and b is not None
    if change is ChangeType.DISAPPEARED:
        return a is not None and b is None
    if a is None or b is None:
        return False
    if change is ChangeType.STATUS:
        return a.status != b.status
    if change is ChangeType.DUE:
        return a.dues != b.dues
    return a.assets != b.assets


def shows_at(change: ChangeType, a: ObligationState | None, b: ObligationState | None) -> bool:
    """Whether a step from ``a`` to ``b`` contributes to ``change``: the change itself, or the
    obligation coming or going on the way (which carries its status, due date and assets)."""
    if change in (ChangeType.APPEARED, ChangeType.DISAPPEARED):
        return (a is None) != (b is None)
    return (a is None) != (b is None) or changed(change, a, b)


def is_new_overdue(change: Change) -> bool:
    """An obligation overdue after that was not overdue (or not there) before."""
    return (
        change.after is not None
        and change.after.status == FindingStatus.OVERDUE
        and (change.before is None or change.before.status != FindingStatus.OVERDUE)
    )


def is_new_prohibited(change: Change) -> bool:
    """A binding prohibition that now reaches the operator where it did not: newly applying,
    or reaching assets it did not reach before."""
    if change.obligation_kind != ObligationKind.PROHIBITION or change.after is None:
        return False
    if change.after.status not in APPLYING:
        return False
    if change.before is None or change.before.status not in APPLYING:
        return True
    return bool(change.assets_added)
