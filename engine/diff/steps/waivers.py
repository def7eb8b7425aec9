"""The waivers step: waiver records added or withdrawn (their dates are the time step's)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dutybound.engine.diff.changes import Cause, CauseKind, ChangeType, StepName
from dutybound.engine.diff.sides import Side
from dutybound.engine.diff.step import Step, Transition
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.waivers import Waiver


def _keys(waivers: tuple[Waiver, ...]) -> list[dict[str, Any]]:
    return sorted((w.to_json() for w in waivers), key=lambda w: w["id"])


def finding_waivers(evaluation: Evaluation, ob_id: str) -> dict[str, dict[str, Any]]:
    """The waivers attached to an obligation's findings, by waiver id."""
    out: dict[str, dict[str, Any]] = {}
    for finding in evaluation.findings:
        if finding.item.obligation.id == ob_id:
            for w in finding.to_json().get("waivers") or []:
                out.setdefault(w["id"], w)
    return out


def waiver_text(w: dict[str, Any]) -> str:
    """A waiver as a cause names it: id, basis and citation, reference, approver, expiry."""
    until = f" until {w['expires_on']}" if w.get("expires_on") else " with no expiry"
    return (
        f"waiver {w['id']} ({w['basis_title']} [{w['citation']}], ref. {w['reference']}, "
        f"{w['approver']}){until}"
    )


class WaiversStep(Step):
    name = StepName.WAIVERS

    def differs(self, a: Side, b: Side) -> bool:
        return _keys(a.waivers) != _keys(b.waivers)

    def swap(self, side: Side, target: Side) -> Side:
        return replace(side, waivers=target.waivers)

    def delta(self, t: Transition) -> dict[str, Any]:
        ids_a = {w.id for w in t.side_a.waivers}
        ids_b = {w.id for w in t.side_b.waivers}
        return {"added": sorted(ids_b - ids_a), "removed": sorted(ids_a - ids_b)}

    def causes(self, t: Transition, ob_id: str, change: ChangeType) -> list[Cause]:
        """A waiver of the obligation recorded or withdrawn between the two evaluations."""
        before, after = finding_waivers(t.eval_a, ob_id), finding_waivers(t.eval_b, ob_id)
        causes = [
            self.cause(
                CauseKind.WAIVER_ADDED,
                f"Waivers: {waiver_text(w)} was recorded.",
                {"waiver": wid, "basis": w["basis"], "standing": w["standing"]},
            )
            for wid, w in sorted(after.items())
            if wid not in before
        ]
        causes += [
            self.cause(
                CauseKind.WAIVER_REMOVED,
                f"Waivers: {waiver_text(w)} is no longer recorded.",
                {"waiver": wid, "basis": w["basis"]},
            )
            for wid, w in sorted(before.items())
            if wid not in after
        ]
        return causes or [
            self.cause(CauseKind.WAIVERS_CHANGED, "Waivers: the waiver records changed.", {})
        ]
