"""What one counterfactual step is: an input switched from its ``before`` to its ``after`` value,
and the two evaluations on either side of the switch.

A ``Step`` holds everything the diff knows about one input, so that adding an input to the diff
means writing one class (``engine.diff.steps``) instead of editing several tables: whether the
input differs between two sides, how it is swapped in, what moved in it (the ``inputs`` block of
the JSON), and the causes it gives for a change of one obligation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from dutybound.engine.diff.changes import Cause, CauseKind, ChangeType, ObligationState, StepName
from dutybound.engine.diff.sides import Side
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.loading import LoadedObligation


@dataclass
class Transition:
    """Two evaluations that differ only in the inputs of ``steps`` (usually one; several when
    the state between them could not be evaluated)."""

    steps: tuple[Step, ...]
    side_a: Side
    side_b: Side
    eval_a: Evaluation
    eval_b: Evaluation
    states_a: dict[str, ObligationState]
    states_b: dict[str, ObligationState]

    def item(self, ob_id: str) -> LoadedObligation:
        """The obligation as the later state's law has it (or the earlier's, if removed)."""
        for pack in (self.eval_b.pack, self.eval_a.pack):
            try:
                return pack.obligation(ob_id)
            except KeyError:
                continue
        raise KeyError(ob_id)

    def touched_assets(self, ob_id: str) -> tuple[list[str], list[str]]:
        """Asset ids the obligation gained and lost at this step."""
        a, b = self.states_a.get(ob_id), self.states_b.get(ob_id)
        before = set(a.assets) if a else set()
        after = set(b.assets) if b else set()
        return sorted(after - before), sorted(before - after)


class Step(ABC):
    """One input of an evaluation, switched on its own from ``before`` to ``after``."""

    name: ClassVar[StepName]

    @abstractmethod
    def differs(self, a: Side, b: Side) -> bool:
        """Whether the input differs between the sides, so that unchanged steps cost no
        evaluation."""

    @abstractmethod
    def swap(self, side: Side, target: Side) -> Side:
        """``side`` with this step's input taken from ``target``."""

    @abstractmethod
    def delta(self, t: Transition) -> dict[str, Any]:
        """What moved in the input across ``t``, for the reader (the JSON's ``inputs``)."""

    @abstractmethod
    def causes(self, t: Transition, ob_id: str, change: ChangeType) -> list[Cause]:
        """Why obligation ``ob_id`` shows ``change`` across ``t``, in this input's terms."""

    def cause(self, kind: CauseKind, text: str, refs: dict[str, Any]) -> Cause:
        return Cause(self.name, kind, text, refs)
