"""The durable-rules evaluator, built around the C engine's measured limits.

durable-rules 2.0.28 is unmaintained C code (docs/adr/0001-durable-rules-at-its-c-layer.md).
Its matching is done by the C module ``durable_rules_engine``; the Python layer above it
(``durable.engine``: Host, Closure, Promise) only dispatches actions to Python functions. This
module drives the C module itself, with the same call sequence as ``durable.engine`` (assert the
batch, start the session's actions, read each action's matched facts, write the state back,
complete and take the next): the Python layer's cost per fired action (a state JSON round trip,
a Closure, a clock read) was more than the matching for a single procurement check (ADR 0001).
What this module does about each known trap:

- the default ``Host`` starts timer threads that run actions concurrently and can segfault:
  no Host is ever made, no action runs outside ``match``, and one lock serialises evaluations;
- one fact may match at most 64 rules of a ruleset (error 303), and 512 sibling tests hang:
  rules are sharded, at most ``SHARD_SIZE`` per ruleset;
- a batch with an unmatched fact skips the other facts' actions: every fact carries ``fact: y``
  and every shard has one catch-all rule on it, so no fact is ever unmatched;
- deleting a session in which no action ran frees garbage: each batch ends with a sentinel fact,
  so the catch-all always runs an action before ``delete_state`` (which always runs, in
  ``finally``), whatever else the batch holds;
- rulesets can never be freed, and 1,024 live sessions crash the process: rulesets are built once
  per rule set per process and cached; each evaluation uses one session per shard and deletes it;
- fact ids are hashed to 32 bits without comparing strings: ids are checked for FNV-1a collisions;
- exceptions in actions are stored in the session state, not raised: there are no Python
  actions (the matched facts are read from the action messages), so nothing can be lost there;
- events fire only the first matching rule: facts are asserted, never posted;
- a rule made only of negations loops forever: every rule starts with a positive ``kind`` test;
- rulesets named with ``$state``/``$flow`` become statecharts: names are slugs;
- its regex dialect matches whole strings and escapes with ``%``, and ``.*`` followed by a literal
  failed to match here; each regex is also compiled into its own automaton (megabytes per
  rule): "one of these values" is an ``$or`` of equality tests, and the only regex left is the
  roles test (roles, a set, are a list tested with ``$iany``), a whole-value alternation of
  slugs of ``[a-z0-9_]``, so no escaping or wildcard is ever needed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from typing import Any

import durable_rules_engine as rules_engine
import orjson

from dutybound.engine.evaluators import OPERATOR_FACT, Match
from dutybound.engine.rules import SIGNATURE_FIELDS, Rule, Signature, slug

# 60 is the safe maximum (64 matches per fact); 30 is slower on many signatures but keeps the
# CLI's peak memory lower (docs/performance.md)
SHARD_SIZE = 30
# Each rule fires once per batch with up to CAP matched facts (durable-rules' ``cap``), instead of
# once per fact: the Python round trip per action is what costs, not the matching.
CAP = 10_000
_LOCK = threading.Lock()
_SESSIONS = itertools.count(1)
# what assert_facts reports besides success (durable.engine.Ruleset._handle_result)
_NOT_HANDLED, _OBSERVED, _QUEUED = 1, 2, 3


class DurableError(RuntimeError):
    """durable-rules reported a failure inside an evaluation."""


def fnv1a32(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _one_of(field: str, values: tuple[str, ...]) -> dict[str, Any]:
    """``field`` equals one of ``values``: an ``$or`` of equality tests.

    Not a regex alternation (``$mt`` with ``a|b|c``): durable-rules compiles every regex into
    its own automaton, which made registering the pack's rules take more than twice the memory
    and time of equality tests (docs/performance.md). Equality also needs no escaping, whatever
    the values are.
    """
    if len(values) == 1:
        return {field: values[0]}
    return {"$or": [{field: value} for value in values]}


def rule_condition(rule: Rule) -> dict[str, Any]:
    """The durable-rules JSON condition for one rule (roles and jurisdiction included)."""
    role_slugs = sorted(slug(r) for r in rule.roles)
    tests: list[dict[str, Any]] = [{"kind": "asset" if rule.asset_level else "operator"}]
    # the vendor-group test first: most signatures belong to no covered group, and the network
    # stops them at the first test instead of walking every rule's role and jurisdiction tests
    vendor_tests = [t for t in rule.tests if t[0] == "group"]
    tests.extend(_one_of(field, values) for field, values in vendor_tests)
    tests += [
        {f"j_{slug(rule.jurisdiction)}": "y"},
        # roles are a list on the fact; "any item matches one of these" fires once per fact
        {"$iany": {"roles": {"$mt": {"$i": "|".join(role_slugs)}}}},
    ]
    for field, values in rule.tests:
        if field != "group":
            tests.append(_one_of(field, values))
    for field, values in rule.tests_not:
        tests.extend({"$neq": {field: value}} for value in values)
    tests.extend({f"f_{flag}": "y"} for flag in rule.flags_all)
    tests.extend({"$nex": {f"f_{flag}": 1}} for flag in rule.flags_none)
    return {"$and": tests}


class _Shard:
    """Up to SHARD_SIZE rules as one durable-rules ruleset, created on first use: compiling
    a ruleset is not cheap, and an operator in one jurisdiction needs only the few shards that
    hold its law (created rulesets live as long as the process, so this stays bounded)."""

    def __init__(self, name: str, jurisdictions: frozenset[str], rules: list[Rule]) -> None:
        self.name = name
        self.jurisdictions = jurisdictions
        self.roles = frozenset(role for rule in rules for role in rule.roles)
        self._rules: list[Rule] | None = rules
        self._handle = -1

    def handle(self) -> int:
        """The C engine's handle of this ruleset, created at the first call."""
        if self._rules is not None:
            definition: dict[str, Any] = {
                rule.id: {"all": [{"m": rule_condition(rule)}], "cap": CAP} for rule in self._rules
            }
            # one catch-all, so that no fact of a batch is ever unmatched and every session
            # runs an action (the sentinel's job): with "cap" it fires once per batch
            definition["~any-fact"] = {"all": [{"m": {"fact": "y"}}], "cap": CAP}
            self._handle = rules_engine.create_ruleset(
                self.name, json.dumps(definition, ensure_ascii=False)
            )
            self._rules = None
        return self._handle

    def run(self, batch: str, sid: str, found: set[Match]) -> None:
        """Assert ``batch`` (the facts as JSON, all in session ``sid``), add every (rule, fact)
        that fired to ``found``, and delete the session whatever happens."""
        handle = self.handle()
        try:
            code, state_offset = rules_engine.assert_facts(handle, batch)
            if code in (_NOT_HANDLED, _OBSERVED):
                raise DurableError(f"{self.name}: assert_facts returned code {code}")
            if code == _QUEUED:
                state_offset = 0
            started = rules_engine.start_action_for_state(handle, state_offset)
            if not started:
                raise DurableError(f"{self.name}: no action ran for session {sid}")
            state, pending = started
            while pending:
                for rule_id, messages in orjson.loads(pending).items():
                    if rule_id != "~any-fact":  # with "cap", a list of {"m": fact}
                        found.update((rule_id, m["m"]["id"]) for m in messages)
                # the protocol of durable.engine.Ruleset._flush_actions: write the (unchanged)
                # session state back, then complete this action and take the next, if any
                rules_engine.update_state(handle, state)
                pending = rules_engine.complete_and_start_action(handle, state_offset)
        finally:
            rules_engine.delete_state(handle, sid)


class _Compiled:
    """Rulesets for one list of rules, created once per process."""

    def __init__(self, rules: list[Rule], key: str) -> None:
        self.shards: list[_Shard] = []
        # rules packed into as few rulesets as the 64-matches limit allows (each pass over a
        # ruleset costs every fact a fixed overhead), in jurisdiction order and, within one, by
        # the roles they address, so that an operator skips the rulesets it cannot match: a US
        # federal agency passes through only the rulesets that address its roles, not every one
        # that holds US law (docs/performance.md has what that saves a single procurement check)
        ordered = sorted(rules, key=lambda r: (r.jurisdiction, r.roles, r.id))
        for n in range(0, len(ordered), SHARD_SIZE):
            part = ordered[n : n + SHARD_SIZE]
            self.shards.append(
                _Shard(f"db_{key}_{n // SHARD_SIZE}", frozenset(r.jurisdiction for r in part), part)
            )


# One set of rulesets per distinct rule list, for the life of the process: durable-rules can
# never free a ruleset, so building them again per evaluation would leak.
_COMPILED: dict[str, _Compiled] = {}
_BY_LIST: dict[int, tuple[list[Rule], _Compiled]] = {}


class DurableEvaluator:
    name = "durable-rules"

    def _compile(self, rules: list[Rule]) -> _Compiled:
        known = _BY_LIST.get(id(rules))
        if known is not None and known[0] is rules:  # the same (cached) list object again
            return known[1]
        key = hashlib.sha256(repr(rules).encode()).hexdigest()[:16]
        compiled = _COMPILED.get(key)
        if compiled is None:
            compiled = _COMPILED[key] = _Compiled(rules, key)
        _BY_LIST[id(rules)] = (rules, compiled)  # holds the list, so its id is not reused
        return compiled

    def match(
        self,
        rules: list[Rule],
        signatures: list[Signature],
        roles: set[str],
        jurisdictions: set[str],
    ) -> set[Match]:
        found: set[Match] = set()
        with _LOCK:
            shards = [
                shard
                for shard in self._compile(rules).shards
                # its rules all test jurisdiction and roles: none could fire
                if not (
                    shard.jurisdictions.isdisjoint(jurisdictions) or shard.roles.isdisjoint(roles)
                )
            ]
            if not shards:
                return found
            # session ids are per ruleset: one id serves every shard of this evaluation, so
            # the batch is serialised once
            sid = f"e{next(_SESSIONS)}"
            batch = orjson.dumps(self._facts(signatures, roles, jurisdictions, sid)).decode()
            for shard in shards:
                shard.run(batch, sid, found)
        return found

    @staticmethod
    def _facts(
        signatures: list[Signature], roles: set[str], jurisdictions: set[str], sid: str
    ) -> list[dict[str, Any]]:
        common: dict[str, Any] = {"sid": sid, "fact": "y", "roles": sorted(slug(r) for r in roles)}
        common.update({f"j_{slug(code)}": "y" for code in jurisdictions})
        facts: list[dict[str, Any]] = [{"id": OPERATOR_FACT, "kind": "operator", **common}]
        for sig in signatures:
            fact: dict[str, Any] = {"id": sig.id, "kind": "asset", **common}
            fact.update(zip(SIGNATURE_FIELDS, sig.values, strict=True))
            fact.update({f"f_{flag}": "y" for flag in sig.flags})
            facts.append(fact)
        facts.append({"id": "~sentinel", "sid": sid, "kind": "sentinel", "fact": "y"})
        hashes: dict[int, str] = {}
        for fact in facts:
            h = fnv1a32(fact["id"])
            if h in hashes:
                raise DurableError(
                    f"fact ids {hashes[h]!r} and {fact['id']!r} collide in "
                    "durable-rules' 32-bit id hash"
                )
            hashes[h] = fact["id"]
        return facts
