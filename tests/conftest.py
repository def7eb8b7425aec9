"""Shared fixtures: one rule pack and one durable-rules host per test session.

durable-rules cannot unregister rulesets, so building them once per session (the evaluator caches
them per rule list) keeps memory flat however many tests run.
"""

from __future__ import annotations

import pytest

from engine.evaluators import get_evaluator
from engine.evaluators.reference import ReferenceEvaluator
from engine.loading import RulePack, load_rulepack


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_rulepack()


@pytest.fixture(scope="session")
def evaluators() -> dict:
    """The production evaluator (durable-rules where importable) and the reference."""
    production, _notice = get_evaluator("auto")
    return {"production": production, "reference": ReferenceEvaluator()}
