"""The durable-rules evaluator, built around the C engine's measured limits.

durable-rules 2.0.28 is unmaintained C code (see shared/guide/durable-rules-and-weasyprint.md).
What this module does about each known trap:

- the default ``Host`` starts timer threads that run actions concurrently and can segfault:
  ``_QuietHost`` never starts them, and one lock serialises every evaluation;
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
- exceptions in actions are stored in the session state, not raised: the state is checked;
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
import threading
from collections.abc import Callable
from typing import Any

from durable.engine import Host

from engine.evaluators import OPERATOR_FACT, Match
from engine.rules import SIGNATURE_FIELDS, Rule, Signature, slug

SHARD_SIZE = 30  # 60 is the safe maximum; 30 keeps the CLI's peak memory lower (bench/)
# Each rule fires once per batch with up to CAP matched facts (durable-rules' ``cap``), instead of
# once per fact: the Python round trip per action is what costs, not the matching.
CAP = 10_000
_LOCK = threading.Lock()
_SESSIONS = itertools.count(1)


class DurableError(RuntimeError):
    """durable-rules reported a failure inside an evaluation."""


class _QuietHost(Host):
    """A Host whose actions run only inside our own calls: no background timer threads."""

    def _run(self) -> None:  # the parent starts two threading.Timer dispatch loops here
        return


def fnv1a32(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _one_of(field: str, values: tuple[str, ...]) -> dict[str, Any]:
    """``field`` equals one of ``values``: an ``$or`` of equality tests.

    Not a regex alternation (``$mt`` with ``a|b|c``): durable-rules compiles every regex into
    its own automaton, and the pack's 176 rules then took 178 MB and 0.22 s to register,
    against 69 MB and 0.10 s as equality tests (bench/, measured). Equality also needs no
    escaping, whatever the values are.
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
    """Up to SHARD_SIZE rules as one durable-rules ruleset, registered on first use: compiling
    a ruleset costs ~40 ms, and an operator in one jurisdiction needs one or two of the pack's
    six shards (registered rulesets live as long as the process, so this stays bounded)."""

    def __init__(self, name: str, jurisdictions: frozenset[str], rules: list[Rule], host: Host,
                 sink: Callable[[str, str], None]) -> None:
        self.name = name
        self.jurisdictions = jurisdictions
        self.roles = frozenset(role for rule in rules for role in rule.roles)
        self._pending: tuple[list[Rule], Host, Callable[[str, str], None]] | None = (
            rules, host, sink)

    def ensure_registered(self) -> None:
        if self._pending is None:
            return
        rules, host, sink = self._pending
        definition: dict[str, Any] = {}
        for rule in rules:
            definition[rule.id] = {"all": [{"m": rule_condition(rule)}], "cap": CAP,
                                   "run": _recorder(rule.id, sink)}
        # one catch-all, so that no fact of a batch is ever unmatched and every session runs
        # an action (the sentinel's job); one rule with "cap" fires once per batch, where a
        # catch-all per kind and a sentinel rule fired three actions (each a JSON round trip)
        definition["~any-fact"] = {"all": [{"m": {"fact": "y"}}], "cap": CAP, "run": _ignore}
        host.set_rulesets({self.name: definition})
        self._pending = None


def _recorder(rule_id: str, sink: Callable[[str, str], None]) -> Callable[[Any], None]:
    def record(c: Any) -> None:
        # with "cap", c.m is the list of matched facts (and c._m is None)
        for fact in c.m if c._m is None else [c.m]:
            sink(rule_id, fact["id"])
    return record


def _ignore(c: Any) -> None:
    return None


class _Compiled:
    """Rulesets for one list of rules, registered once in the process's host."""

    def __init__(self, rules: list[Rule], host: Host, key: str) -> None:
        self.found: set[Match] | None = None
        self.shards: list[_Shard] = []
        # rules packed into as few rulesets as the 64-matches limit allows (each pass over a
        # ruleset costs every fact a fixed overhead), in jurisdiction order and, within one, by
        # the roles they address, so that an operator skips the rulesets it cannot match: a US
        # federal agency passes through one ruleset instead of the four that hold US law (a
        # single procurement check is about twice as fast, bench/bench_service.py)
        ordered = sorted(rules, key=lambda r: (r.jurisdiction, r.roles, r.id))
        for n in range(0, len(ordered), SHARD_SIZE):
            part = ordered[n:n + SHARD_SIZE]
            self.shards.append(_Shard(f"db_{key}_{n // SHARD_SIZE}",
                                      frozenset(r.jurisdiction for r in part), part, host,
                                      self._record))

    def _record(self, rule_id: str, fact_id: str) -> None:
        assert self.found is not None, "an action ran outside an evaluation"
        self.found.add((rule_id, fact_id))


# One host and one set of rulesets per distinct rule list, for the life of the process:
# durable-rules can never free a ruleset, so building them again per evaluation would leak.
_HOST: list[Host] = []
_COMPILED: dict[str, _Compiled] = {}
_BY_LIST: dict[int, tuple[list[Rule], _Compiled]] = {}


class DurableEvaluator:
    name = "durable-rules"

    def _compile(self, rules: list[Rule]) -> tuple[Host, _Compiled]:
        if not _HOST:
            _HOST.append(_QuietHost())
        known = _BY_LIST.get(id(rules))
        if known is not None and known[0] is rules:  # the same (cached) list object again
            return _HOST[0], known[1]
        key = hashlib.sha256(repr(rules).encode()).hexdigest()[:16]
        compiled = _COMPILED.get(key)
        if compiled is None:
            compiled = _COMPILED[key] = _Compiled(rules, _HOST[0], key)
        _BY_LIST[id(rules)] = (rules, compiled)  # holds the list, so its id is not reused
        return _HOST[0], compiled

    def match(self, rules: list[Rule], signatures: list[Signature], roles: set[str],
              jurisdictions: set[str]) -> set[Match]:
        facts = self._facts(signatures, roles, jurisdictions)
        with _LOCK:
            host, compiled = self._compile(rules)
            compiled.found = set()
            try:
                for shard in compiled.shards:
                    if shard.jurisdictions.isdisjoint(jurisdictions) or \
                            shard.roles.isdisjoint(roles):
                        continue  # its rules all test jurisdiction and roles: none could fire
                    shard.ensure_registered()
                    sid = f"e{next(_SESSIONS)}"
                    try:
                        host.assert_facts(shard.name, [{**f, "sid": sid} for f in facts])
                        state = host.get_state(shard.name, sid)
                        if state and state.get("exception"):
                            raise DurableError(f"{shard.name}: {state['exception']}")
                    finally:
                        host.delete_state(shard.name, sid)
                return compiled.found
            finally:
                compiled.found = None

    @staticmethod
    def _facts(signatures: list[Signature], roles: set[str],
               jurisdictions: set[str]) -> list[dict[str, Any]]:
        common: dict[str, Any] = {"fact": "y", "roles": sorted(slug(r) for r in roles)}
        common.update({f"j_{slug(code)}": "y" for code in jurisdictions})
        facts: list[dict[str, Any]] = [{"id": OPERATOR_FACT, "kind": "operator", **common}]
        for sig in signatures:
            fact: dict[str, Any] = {"id": sig.id, "kind": "asset", **common}
            fact.update(zip(SIGNATURE_FIELDS, sig.values, strict=True))
            fact.update({f"f_{flag}": "y" for flag in sig.flags})
            facts.append(fact)
        facts.append({"id": "~sentinel", "kind": "sentinel", "fact": "y"})
        hashes: dict[int, str] = {}
        for fact in facts:
            h = fnv1a32(fact["id"])
            if h in hashes:
                raise DurableError(f"fact ids {hashes[h]!r} and {fact['id']!r} collide in "
                                   "durable-rules' 32-bit id hash")
            hashes[h] = fact["id"]
        return facts
