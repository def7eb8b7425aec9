"""The diff: walk from ``before`` to ``after`` one input at a time and attribute each change of
an obligation to the step(s) at which it shows.

The fixed order (``StepName``) is a convention, not a discovery: when two inputs change together
(a new asset from a newly designated vendor), the earlier step gets the credit for what it alone
already produces, and the later step for the rest. Tests pin the order so that results are
stable.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from dutybound.engine.diff.changes import (
    Cause,
    Change,
    ChangeType,
    ObligationState,
    StepName,
    changed,
    is_new_overdue,
    is_new_prohibited,
    obligation_states,
    shows_at,
)
from dutybound.engine.diff.sides import PackCache, Runner, Side, asset_key
from dutybound.engine.diff.step import Step, Transition
from dutybound.engine.diff.steps import STEPS
from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.evaluators import Evaluator
from dutybound.engine.loading import LoadedObligation


@dataclass
class Diff:
    """The changes between two evaluations, each with its causes, and what moved in the inputs."""

    before: Evaluation
    after: Evaluation
    inputs: dict[str, Any]
    changes: list[Change]

    def new_overdue(self) -> list[str]:
        return sorted({c.obligation_id for c in self.changes if is_new_overdue(c)})

    def new_prohibited(self) -> list[str]:
        return sorted({c.obligation_id for c in self.changes if is_new_prohibited(c)})

    def summary(self) -> dict[str, Any]:
        by_change = Counter(c.change for c in self.changes)
        by_step = Counter(s for c in self.changes for s in c.steps)
        return {
            "changes": len(self.changes),
            "by_change": {k.value: by_change[k] for k in ChangeType if by_change[k]},
            "by_step": {k.value: by_step[k] for k in StepName if by_step[k]},
            "new_overdue": len(self.new_overdue()),
            "new_prohibited": len(self.new_prohibited()),
            "new_overdue_obligations": self.new_overdue(),
            "new_prohibited_obligations": self.new_prohibited(),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "before": _side_json(self.before),
            "after": _side_json(self.after),
            "inputs": self.inputs,
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
        }


def _side_json(evaluation: Evaluation) -> dict[str, Any]:
    digest = hashlib.sha256()
    for asset in evaluation.assets:
        digest.update(repr(asset_key(asset)).encode() + b"\0")
    return {
        "as_of": evaluation.as_of.isoformat(),
        "operator": evaluation.profile.name,
        "rulepack": {"version": evaluation.pack.version, "sha256": evaluation.pack.sha256},
        "assets": len(evaluation.assets),
        "assets_sha256": digest.hexdigest(),
        "findings": len(evaluation.findings),
    }


def _transitions(
    runner: Runner, before: Side, after: Side
) -> tuple[Evaluation, Evaluation, list[Transition]]:
    """Walk from ``before`` to ``after`` one input at a time. An intermediate state that cannot
    be evaluated (the new profile names a role the old law lacks, the old law names a vendor
    group the new registry dropped) is skipped: its step is merged into the next one."""
    first = runner.evaluate(before)
    side, evaluation, states = before, first, obligation_states(first)
    cursor = before  # every switch made so far, including those of a skipped state
    pending: list[Step] = []
    transitions = []
    for step in STEPS:
        if not step.differs(cursor, after):
            continue
        pending.append(step)
        cursor = step.swap(cursor, after)
        last = not any(s.differs(cursor, after) for s in STEPS)
        try:
            ev = runner.evaluate(cursor, recheck_profile=not last)
        except InputError:
            if last:
                raise
            continue
        nstates = obligation_states(ev)
        transitions.append(
            Transition(tuple(pending), side, cursor, evaluation, ev, states, nstates)
        )
        side, evaluation, states, pending = cursor, ev, nstates, []
    return first, evaluation, transitions


def _final_changes(
    a: dict[str, ObligationState], b: dict[str, ObligationState]
) -> list[tuple[str, ChangeType]]:
    """(obligation id, change type) pairs between the first and last states."""
    out = []
    for ob_id in sorted(a.keys() | b.keys()):
        for change in ChangeType:
            if changed(change, a.get(ob_id), b.get(ob_id)):
                out.append((ob_id, change))
    return out


def _attribute(transitions: list[Transition], ob_id: str, change: ChangeType) -> list[Cause]:
    causes: list[Cause] = []
    for t in transitions:
        if not shows_at(change, t.states_a.get(ob_id), t.states_b.get(ob_id)):
            continue
        for step in t.steps:
            for cause in step.causes(t, ob_id, change):
                if cause not in causes:
                    causes.append(cause)
    return causes


def _describe(evaluation: Evaluation, fallback: Evaluation, ob_id: str) -> LoadedObligation:
    try:
        return evaluation.pack.obligation(ob_id)
    except KeyError:
        return fallback.pack.obligation(ob_id)


def _inputs_json(transitions: list[Transition]) -> dict[str, Any]:
    """What moved in the inputs, per step (empty steps omitted)."""
    return {step.name.value: step.delta(t) for t in transitions for step in t.steps}


_ORDER = list(ChangeType)


def diff(
    before: Side, after: Side, *, evaluator: Evaluator | None = None, packs: PackCache | None = None
) -> Diff:
    """Compare the evaluations of ``before`` and ``after`` and attribute every change.

    Raises ``InputError`` if either side's rule pack cannot be loaded. ``packs`` lets a caller
    that already loaded the packs (to validate profiles) share them.
    """
    runner = Runner(evaluator, packs)
    first, last, transitions = _transitions(runner, before, after)
    a, b = obligation_states(first), obligation_states(last)
    changes = []
    for ob_id, change in _final_changes(a, b):
        item = _describe(last, first, ob_id)
        changes.append(
            Change(
                ob_id,
                item.jurisdiction,
                item.obligation.title,
                item.obligation.kind,
                change,
                a.get(ob_id),
                b.get(ob_id),
                _attribute(transitions, ob_id, change),
            )
        )
    changes.sort(key=lambda c: (c.jurisdiction, c.obligation_id, _ORDER.index(c.change)))
    return Diff(first, last, _inputs_json(transitions), changes)
