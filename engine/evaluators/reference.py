"""The plain-Python evaluator: the rules' meaning, written as directly as possible."""

from __future__ import annotations

from dutybound.engine.evaluators import OPERATOR_FACT, Match
from dutybound.engine.rules import Rule, Signature, signature_matches


class ReferenceEvaluator:
    name = "reference"

    def match(
        self,
        rules: list[Rule],
        signatures: list[Signature],
        roles: set[str],
        jurisdictions: set[str],
    ) -> set[Match]:
        found: set[Match] = set()
        for rule in rules:
            if rule.jurisdiction not in jurisdictions or roles.isdisjoint(rule.roles):
                continue
            if not rule.asset_level:
                found.add((rule.id, OPERATOR_FACT))
                continue
            found.update((rule.id, sig.id) for sig in signatures if signature_matches(rule, sig))
        return found
