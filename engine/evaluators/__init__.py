"""Two evaluators behind one small interface, kept equal by differential tests.

``durable`` compiles rules into durable-rules rulesets (the production path on Python < 3.13);
``reference`` is a plain-Python reading of the same rules, used as the fallback where durable-rules
cannot be imported, as the oracle in tests, and as the speed baseline in bench/.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Protocol

from dutybound.engine.rules import Rule, Signature

Match = tuple[str, str]  # (rule id, fact id): a signature id, or "operator" for profile rules
OPERATOR_FACT = "operator"


class EvaluatorChoice(StrEnum):
    """Which evaluator a caller asks for: ``auto`` is durable-rules where it imports, else the
    reference (``get_evaluator`` says why in a notice)."""

    AUTO = "auto"
    DURABLE = "durable"
    REFERENCE = "reference"


class Evaluator(Protocol):
    name: str

    def match(
        self,
        rules: list[Rule],
        signatures: list[Signature],
        roles: set[str],
        jurisdictions: set[str],
    ) -> set[Match]:
        """Every (rule, fact) pair whose conditions hold."""
        ...


def get_evaluator(name: str = EvaluatorChoice.AUTO) -> tuple[Evaluator, str | None]:
    """The evaluator to use (``name`` is an ``EvaluatorChoice``), and a notice to show the user
    when the choice was forced."""
    from dutybound.engine.evaluators.reference import ReferenceEvaluator

    if name == EvaluatorChoice.REFERENCE:
        return ReferenceEvaluator(), None
    try:
        from dutybound.engine.evaluators.durable import DurableEvaluator
    except ImportError as exc:
        if name == EvaluatorChoice.DURABLE:
            raise
        notice = (
            f"durable-rules is not importable on Python {sys.version.split()[0]} ({exc}); "
            "using the reference evaluator, which gives the same results"
        )
        return ReferenceEvaluator(), notice
    return DurableEvaluator(), None
