"""Why one obligation does or does not reach one asset, test by test.

An evaluation lists what applies. A compliance officer who signs it also needs the other half:
why the Huawei switch in the list gave no finding. This module answers that for one (rule,
signature) pair as a list of checks, each with the condition the law states, the fact the
inventory (or the profile, or the calendar) gives, and the result. ``engine.unaffected`` reads
the same checks for every asset no finding covers; ``explain_asset`` shows them all for one asset
(``dutybound explain``).

The checks run in a fixed order, and the first that fails is *the* reason:

  vendor       the group the law names, and the relationship to it it reaches
  adopted      the instrument existed on the date (never with hindsight)
  in effect    the obligation's window: ended law is a reason on its own
  role         the roles the law addresses, against the roles the operator holds
  scope        category, function, network, use, status, country, origin
  flags        a fact the law needs stated false, or an exception flag set

Two kinds of failure wait until every other test has run. A fact the inventory does not state
(an empty ``use``, an unstated flag) decides nothing by itself: if another test fails, that one
is the reason; otherwise the asset is in the review list. And law adopted but not yet in effect
is not a reason either when a lasting test fails: "takes effect in 2027" would suggest it will
apply then, which the scope says it will not. (When everything else is met, such an obligation
gives an "upcoming" finding, so it is never unaffected.)

Ended law is tested before the role on purpose: an obligation that ceased to apply reaches no
operator, and "ended on 1 Nov 2025" is the answer a holder of a lapsed role needs, not "you do
not hold the role".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import process

from dutybound.engine.asset_table import AssetTable, RowIndexes, as_rows
from dutybound.engine.errors import InputError
from dutybound.engine.findings import OPTIONAL_FACTS, lower_first
from dutybound.engine.loading import LoadedObligation, RulePack
from dutybound.engine.outcomes import UnaffectedReason
from dutybound.engine.rules import (
    SIGNATURE_FIELDS,
    Rule,
    Signature,
    build_signatures,
    compile_rules,
)
from dutybound.engine.vocabulary import label

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.engine.findings import Finding
    from dutybound.engine.inputs import Asset
    from dutybound.engine.vendors import VendorMatch


class TestResult(StrEnum):
    """The result of one check."""

    __test__ = False  # not a pytest test class, whatever its name

    MET = "met"
    NOT_MET = "not met"
    # the inventory does not state the fact the check needs
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    """What one obligation means for one asset, in the order ``explain`` lists them."""

    APPLIES = "applies"
    REVIEW = "review"
    DOES_NOT_APPLY = "does_not_apply"


# how a relationship to a vendor group reads: as what the law reaches, and as what one vendor is
_REACHES = {
    "parent": "the parent company",
    "subsidiary": "subsidiaries",
    "affiliate": "affiliates",
    "brand": "brands",
    "former_member": "former members",
}
_IS = {
    "parent": "the parent company",
    "subsidiary": "a subsidiary",
    "affiliate": "an affiliate",
    "brand": "a brand",
    "former_member": "a former member",
}
# the scope fields, in the order they are checked (the signature's order)
_SCOPE_FIELDS = tuple(f for f in SIGNATURE_FIELDS if f not in ("group", "relationship"))
# fields whose values are country codes, shown as they are
_CODES = frozenset({"country", "origin"})


def fmt_day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


class FactSource(StrEnum):
    """Where the fact a condition is tested against comes from: a reader checks an inventory
    fact against the named row, a role against the profile, a date against the calendar."""

    INVENTORY = "inventory"
    PROFILE = "profile"
    DATE = "date"


# how a result reads in the JSON: met true or false, or "unknown" (the inventory is silent)
MET_JSON: dict[TestResult, bool | str] = {
    TestResult.MET: True,
    TestResult.NOT_MET: False,
    TestResult.UNKNOWN: "unknown",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One test of one rule against one signature: the condition the law states, and the fact
    the inventory, the profile or the date gives (for an inventory fact, the value alone: the
    rows it comes from are named when the checks are listed, ``conditions_json``)."""

    test: str
    condition: str
    fact: str
    result: TestResult
    # what a failure of this test means, and the sentence that says so (empty when met)
    reason: UnaffectedReason
    detail: str = ""
    # not yet in effect: only the reason when no lasting test fails (see the module docstring)
    provisional: bool = False
    source: FactSource = FactSource.INVENTORY


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a rule does not reach a signature: the reason, one sentence, and the tests behind it."""

    reason: UnaffectedReason
    detail: str
    tests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule is tested against besides the asset: the law, the date, the roles held,
    and, when known, how each role is held (``RoleSource`` words), for the role's fact."""

    pack: RulePack
    as_of: dt.date
    roles: frozenset[str]
    held: tuple[tuple[str, str], ...] = ()


@functools.cache
def _show(field: str, value: str) -> str:
    if not value:
        return "(empty)"
    return value if field in _CODES else label(value)


@functools.cache
def _listing(field: str, values: tuple[str, ...]) -> str:
    """The values a rule allows for a field, as a reader says them (asked once per rule)."""
    return ", ".join(_show(field, v) for v in values if v)


def _either(names: Sequence[str]) -> str:
    """'A', 'A or B', 'A, B or C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _both(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def reach_words(relationships: Sequence[str]) -> str:
    """'the parent company, subsidiaries, affiliates and brands': the relationships to a group
    the law reaches, in the registry's order."""
    return _both([_REACHES[r] for r in _REACHES if r in relationships])


def _vendor_check(rule: Rule, sig: Signature, ctx: Context, seen: str, certain: bool) -> Check:
    tests = dict(rule.tests)
    groups = tests.get("group")
    reason = UnaffectedReason.VENDOR_NOT_REACHED
    if groups is None:
        return Check("vendor", "any vendor (the law names none)", seen, TestResult.MET, reason)
    names = [ctx.pack.registry.groups[g].name for g in groups]
    law = f"vendor is {_either(names)} ({reach_words(tests['relationship'])})"
    group, relationship = sig.get("group"), sig.get("relationship")
    if group not in groups or relationship not in tests["relationship"]:
        reached = ", ".join(_REACHES[r] for r in _REACHES if r in tests["relationship"])
        detail = (
            f"the vendor is {vendor_phrase(ctx.pack, group, relationship)}; the law reaches "
            f"{' or '.join(names)}: {reached}"
        )
        return Check("vendor", law, seen, TestResult.NOT_MET, reason, detail)
    if not certain:
        detail = "the vendor match is uncertain"
        return Check("vendor", law, seen, TestResult.UNKNOWN, reason, detail)
    return Check("vendor", law, seen, TestResult.MET, reason)


def _window_checks(item: LoadedObligation, ctx: Context) -> list[Check]:
    inst = item.instrument
    reason = UnaffectedReason.OUTSIDE_WINDOW
    date = FactSource.DATE
    on = f"evaluated as of {fmt_day(ctx.as_of)}"
    start = inst.start or item.obligation.effective.from_
    word = "adopted" if inst.adopted else "in force"
    law = f"the law exists on the date: {inst.title}, {word} on {fmt_day(start)}"
    if item.exists_on(ctx.as_of):
        adopted = Check("adopted", law, on, TestResult.MET, reason, source=date)
    else:
        adopted = Check(
            "adopted",
            law,
            on,
            TestResult.NOT_MET,
            reason,
            f"not yet adopted on {fmt_day(ctx.as_of)}: {inst.title} was {word} on {fmt_day(start)}",
            source=date,
        )
    begin, end = item.window()
    law = f"in effect on the date: from {fmt_day(begin)}" + (
        f" until {fmt_day(end)} (when it ceased to apply)" if end else ""
    )
    if ctx.as_of < begin:
        effect = Check(
            "in effect",
            law,
            on,
            TestResult.NOT_MET,
            reason,
            f"takes effect on {fmt_day(begin)}",
            provisional=True,
            source=date,
        )
    elif end is not None and ctx.as_of >= end:
        effect = Check(
            "in effect",
            law,
            on,
            TestResult.NOT_MET,
            reason,
            f"ceased to apply on {fmt_day(end)}",
            source=date,
        )
    else:
        effect = Check("in effect", law, on, TestResult.MET, reason, source=date)
    return [adopted, effect]


def roles_known(pack: RulePack, rule: Rule, day: dt.date) -> bool:
    """Whether the law had defined any role the rule addresses by ``day``. An obligation of a
    2018 warning addressed to the regulated services of a 2025 Act could reach no one in 2019:
    naming those roles then would be hindsight. (A role that has lapsed is past, not future: it
    stays, and the obligation's own end says why it no longer applies.)"""
    for role in rule.roles:
        start, _ended = pack.role_window(role)
        if start is None or start <= day:
            return True
    return False


# how the profile gives a role (engine.outcomes.RoleSource words), as the role's fact says it
_HELD_AS = {
    "declared": "declared",
    "derived": "derived from its attributes",
    "hypothetical": "assumed",
}


def _role_check(rule: Rule, ctx: Context) -> Check:
    roles = ctx.pack.roles
    law = " or ".join(f"{roles[r].title} ({r})" for r in rule.roles)
    titles = [f"{lower_first(roles[r].title)} ({r})" for r in rule.roles]
    reason = UnaffectedReason.ROLE_NOT_HELD
    profile = FactSource.PROFILE
    held = sorted(ctx.roles.intersection(rule.roles))
    addressed = f"the operator is {_either(titles)}"
    if held:
        how = dict(ctx.held)
        fact = "the profile gives " + "; ".join(
            f"{r} ({_HELD_AS.get(how[r], how[r])})" if r in how else r for r in held
        )
        return Check("role", addressed, fact, TestResult.MET, reason, source=profile)
    holds = (
        "the profile gives " + ", ".join(sorted(ctx.roles))
        if ctx.roles
        else "the profile gives no role"
    )
    if not roles_known(ctx.pack, rule, ctx.as_of):
        detail = f"the law addresses {law}, which no law had defined yet on {fmt_day(ctx.as_of)}"
    else:
        detail = f"the law addresses {law}; the profile holds none of these roles"
    return Check("role", addressed, holds, TestResult.NOT_MET, reason, detail, source=profile)


def _field_checks(rule: Rule, field: str, value: str) -> list[Check]:
    """The tests of one scope field of a rule against one value: the values the law allows, and
    the values it excludes ("produced in a foreign country": any known value but these)."""
    reason = UnaffectedReason.OUTSIDE_SCOPE
    checks: list[Check] = []
    tests = dict(rule.tests)
    excluded = dict(rule.tests_not)
    seen = _show(field, value)
    if field in tests:
        allowed = _listing(field, tests[field])
        law = f"{field} is {allowed}" if len(tests[field]) == 1 else f"{field} is one of: {allowed}"
        if value in tests[field]:
            checks.append(Check(field, law, seen, TestResult.MET, reason))
        elif not value and field in OPTIONAL_FACTS:
            checks.append(
                Check(field, law, seen, TestResult.UNKNOWN, reason, f"{field} is not stated")
            )
        else:
            checks.append(
                Check(
                    field,
                    law,
                    seen,
                    TestResult.NOT_MET,
                    reason,
                    f"the asset's {field} ({seen}) is outside the law's scope: {allowed}",
                )
            )
    if field in excluded:
        others = _listing(field, excluded[field])
        law = f"{field} is known, and none of: {others}"
        if not value:
            checks.append(
                Check(field, law, seen, TestResult.UNKNOWN, reason, f"{field} is not stated")
            )
        elif value in excluded[field]:
            checks.append(
                Check(
                    field,
                    law,
                    seen,
                    TestResult.NOT_MET,
                    reason,
                    f"the asset's {field} ({seen}) is outside the law's scope, which "
                    f"excludes {others}",
                )
            )
        else:
            checks.append(Check(field, law, seen, TestResult.MET, reason))
    return checks


def _scope_checks(rule: Rule, sig: Signature) -> list[Check]:
    checks: list[Check] = []
    for field in _SCOPE_FIELDS:
        if field in rule.tested_fields:
            checks.extend(_field_checks(rule, field, sig.get(field)))
    return checks


def _flag_checks(rule: Rule, sig: Signature) -> list[Check]:
    excludes = UnaffectedReason.FACT_EXCLUDES
    checks: list[Check] = []
    for flag in rule.flags_all:
        test, law = f"flag {flag}", f"{flag} holds"
        if flag in sig.flags:
            checks.append(Check(test, law, "stated", TestResult.MET, excludes))
        elif flag in sig.flags_false:
            checks.append(
                Check(
                    test,
                    law,
                    f"stated false ({flag}=no)",
                    TestResult.NOT_MET,
                    excludes,
                    f"the inventory states {flag}=no; the law reaches only assets for which "
                    f"{flag} holds",
                )
            )
        else:
            checks.append(
                Check(
                    test,
                    law,
                    "(not stated)",
                    TestResult.UNKNOWN,
                    excludes,
                    f"flag {flag} is not stated (state {flag} or {flag}=no)",
                )
            )
    for flag in rule.flags_none:
        test, law = f"exception {flag}", f"{flag} is not stated (the law makes an exception for it)"
        if flag in sig.flags:
            checks.append(
                Check(
                    test,
                    law,
                    "stated",
                    TestResult.NOT_MET,
                    excludes,
                    f"flag {flag} is stated: the law's exception for it applies",
                )
            )
        else:
            checks.append(Check(test, law, "not stated", TestResult.MET, excludes))
    return checks


def head_checks(
    item: LoadedObligation,
    rule: Rule,
    sig: Signature,
    ctx: Context,
    seen: str,
    certain: bool = True,
) -> list[Check]:
    """The tests that read no scope field of the asset: vendor, adoption, window and role.
    ``seen`` says what the inventory's vendor resolved to; ``certain`` is False for an uncertain
    vendor match, whose vendor test is then unknown. Most rules a signature is asked about fail
    here (another role's duty, ended law), whatever its other fields say."""
    return [
        _vendor_check(rule, sig, ctx, seen, certain),
        *_window_checks(item, ctx),
        _role_check(rule, ctx),
    ]


def tail_checks(rule: Rule, sig: Signature) -> list[Check]:
    """The tests of the asset's own facts: scope fields, then flags."""
    return [*_scope_checks(rule, sig), *_flag_checks(rule, sig)]


def rule_checks(
    item: LoadedObligation,
    rule: Rule,
    sig: Signature,
    ctx: Context,
    seen: str,
    certain: bool = True,
) -> list[Check]:
    """Every test of an asset-level ``rule`` against ``sig``, in the order of the module
    docstring (``head_checks``, then ``tail_checks``)."""
    return [*head_checks(item, rule, sig, ctx, seen, certain), *tail_checks(rule, sig)]


def lasting_failure(checks: Sequence[Check]) -> Failure | None:
    """The first test that fails whatever else is stated or however time passes, or None."""
    for check in checks:
        if check.result is TestResult.NOT_MET and not check.provisional:
            return Failure(check.reason, check.detail, (check.test,))
    return None


def why_not(checks: Sequence[Check]) -> Failure | None:
    """The reason the checks fail, or None when every one is met: the first lasting failure,
    else the facts the inventory does not state, else the date it takes effect."""
    lasting = lasting_failure(checks)
    if lasting is not None:
        return lasting
    unknown = [c for c in checks if c.result is TestResult.UNKNOWN]
    if unknown:
        return Failure(
            UnaffectedReason.FACT_UNKNOWN,
            "; ".join(c.detail for c in unknown) + "; see review",
            tuple(c.test for c in unknown),
        )
    for check in checks:
        if check.result is TestResult.NOT_MET:
            return Failure(check.reason, check.detail, (check.test,))
    return None


def named_groups(rule: Rule) -> tuple[str, ...] | None:
    """The vendor groups a rule names, or None for a rule that reaches any vendor."""
    return dict(rule.tests).get("group")


def asset_rules(pack: RulePack, jurisdiction: str, group: str) -> list[Rule]:
    """The asset-level rules of one jurisdiction that can reach a vendor group: those naming it
    and those naming no vendor at all (the Czech warning on data flows to the PRC reaches any
    brand); a rule naming other groups says nothing about this one."""
    out = []
    for rule in compile_rules(pack, [jurisdiction]):
        if not rule.asset_level:
            continue
        groups = named_groups(rule)
        if groups is None or group in groups:
            out.append(rule)
    return out


def vendor_phrase(pack: RulePack, group: str, relationship: str) -> str:
    """'a subsidiary of Huawei', 'a former member of Huawei'."""
    return f"{_IS.get(relationship, relationship)} of {pack.registry.groups[group].name}"


def vendor_words(match: VendorMatch, pack: RulePack) -> str:
    """'Huawei Technologies (Czech) s.r.o., a subsidiary of Huawei': the vendor name as the
    inventory gives it, the registry entry when it is spelt otherwise, and the entry's place in
    its group. An uncertain match says so: it reaches no rule until a person confirms it."""
    name = match.input or "(no vendor name)"
    if match.group is None:
        return f"{name} (no designated vendor group)"
    entity = match.entity or ""
    spelt = f" ({entity})" if entity and entity.casefold() != match.input.casefold() else ""
    text = f"{name}{spelt}, {vendor_phrase(pack, match.group, match.relationship or '')}"
    return text + (" (uncertain match: to be confirmed)" if match.needs_review else "")


# rows named per fact, vendor names listed under a rule that names no vendor: the first few
# (four rows are kept, so that "rows 2, 3, 4 and 9" need not read "rows 2, 3, 4 and 1 more")
_ROWS_SHOWN = 3
_ROWS_KEPT = _ROWS_SHOWN + 1
_NEUTRAL_VENDORS_SHOWN = 10


def rows_phrase(lines: Sequence[int], count: int) -> str:
    """'row 2', 'rows 2 and 5', 'rows 2, 5, 9 and 1,204 more': where in the inventory a fact is
    stated (its line, sheet row or item number): the first few rows and how many more."""
    shown = [str(n) for n in lines[: _ROWS_KEPT if count == _ROWS_KEPT else _ROWS_SHOWN]]
    more = count - len(shown)
    if count == 1:
        return f"row {shown[0]}"
    if more > 0:
        return f"rows {', '.join(shown)} and {more:,} more"
    return f"rows {_both(shown)}"


@dataclass
class _Rows:
    """How many assets state one fact, and the indexes of the first few, in inventory order."""

    count: int = 0
    first: list[int] = dataclasses.field(default_factory=list)

    def add(self, rows: RowIndexes, count: int | None = None) -> None:
        """Add assets by their (ascending) indexes; ``count`` when ``rows`` holds only the
        first few of them."""
        self.count += len(rows) if count is None else count
        self.first = sorted([*self.first, *rows[:_ROWS_KEPT]])[:_ROWS_KEPT]

    def where(self, assets: Sequence[Asset]) -> str:
        return rows_phrase([assets[i].line for i in self.first], self.count)


def _table_vendor_rows(table: AssetTable, rows: np.ndarray) -> dict[str, _Rows]:
    """The vendor names of a table's ``rows`` (ascending), in the order of their first row."""
    at = table.field("vendor")
    codes = table.key[rows]
    by_name: dict[str, list[int]] = {}
    for k in np.unique(codes).tolist():
        by_name.setdefault(table.keys[k][at], []).append(k)
    found = []
    for name, keys in by_name.items():
        mine = rows[np.isin(codes, keys)]
        found.append((int(mine[0]), name, _Rows(len(mine), mine[:_ROWS_KEPT].tolist())))
    return {name: part for _first, name, part in sorted(found)}


# one rule's checks of one part of a finding (a signature), with the assets of that part
Part = tuple[Sequence[Check], RowIndexes]


def conditions_json(
    parts: Sequence[Part], assets: Sequence[Asset], vendor_fact: str | None = None
) -> list[dict[str, Any]]:
    """One entry per condition of the law: what the law requires, the fact that was tested
    against it (inventory facts with the rows they come from, one clause per distinct value),
    and whether it is met (true, false, or "unknown" when the inventory does not state it).

    ``parts`` are the checks of the same rule against each signature a finding (or one asset)
    holds, so every list has the same tests in the same order. ``vendor_fact`` replaces the
    vendor test's fact: it names each vendor string, which a signature (a vendor group) does
    not. This is the one structure of a finding's ``conditions`` and of ``explain --asset``."""
    out: list[dict[str, Any]] = []
    for k, check in enumerate(parts[0][0]):
        results = {checks[k].result for checks, _rows in parts}
        met = (
            TestResult.NOT_MET
            if TestResult.NOT_MET in results
            else TestResult.UNKNOWN
            if TestResult.UNKNOWN in results
            else TestResult.MET
        )
        if check.source is not FactSource.INVENTORY:
            fact = check.fact
        elif check.test == "vendor" and vendor_fact is not None:
            fact = vendor_fact
        else:
            by_fact: dict[str, _Rows] = {}
            for checks, rows in parts:
                by_fact.setdefault(checks[k].fact, _Rows()).add(rows)
            fact = "; ".join(
                f"{rows.where(assets)}: {text}"
                for text, rows in sorted(by_fact.items(), key=lambda kv: kv[1].first)
            )
        out.append(
            {
                "test": check.test,
                "condition": check.condition,
                "fact": fact,
                "met": MET_JSON[met],
                "source": check.source,
            }
        )
    return out


class FindingExplainer:
    """The conditions and vendor links of one evaluation's findings (``Finding.conditions``,
    ``Finding.vendor_link``) and of ``explain --asset``, from the checks above.

    The work follows signatures, not assets: a rule's checks run once per distinct set of the
    values it reads, and a signature's vendor names are gathered once; only a finding split by
    identification date reads its rows one by one. A finding over 50,000 rows of three
    signatures lists three facts per condition, each naming its first rows and how many more.
    """

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        pack = evaluation.pack
        self.ctx = Context(
            pack,
            evaluation.as_of,
            frozenset(evaluation.roles),
            tuple(sorted((r, h.source) for r, h in evaluation.roles.items())),
        )
        self.rules = {r.id: r for r in compile_rules(pack)}
        self._vendors: dict[str, dict[str, _Rows]] = {}
        self._identified: dict[str, dict[str, Any]] = {}

    def explain(self, finding: Finding) -> None:
        """Set the finding's ``conditions`` and ``vendor_link``."""
        item = finding.item
        rule = self.rules[item.obligation.id]
        assets = self.evaluation.assets
        if not rule.asset_level:
            finding.conditions = conditions_json(
                [([*_window_checks(item, self.ctx), _role_check(rule, self.ctx)], ())], assets
            )
            finding.vendor_link = []
            return
        memo: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Check]] = {}
        parts: list[Part] = []
        vendors: dict[str, _Rows] = {}
        fields = ("group", "relationship", *sorted(rule.tested_fields))
        for sig_id, rows in finding.rows.items():
            sig = self.evaluation.signatures[int(sig_id[1:])]
            key = (
                tuple(map(sig.get, fields)),
                tuple(
                    "1" if f in sig.flags else "0" if f in sig.flags_false else ""
                    for f in (*rule.flags_all, *rule.flags_none)
                ),
            )
            checks = memo.get(key)
            if checks is None:
                checks = memo[key] = rule_checks(item, rule, sig, self.ctx, "")
            parts.append((checks, rows))
            for name, found in self._vendor_rows(sig_id, rows).items():
                vendors.setdefault(name, _Rows()).add(found.first, found.count)
        ordered = sorted(vendors.items(), key=lambda kv: kv[1].first)
        finding.conditions = conditions_json(parts, assets, self._vendor_fact(rule, ordered))
        # a law that names no vendor draws no link: the name decides nothing (the vendor
        # condition lists the names)
        finding.vendor_link = (
            [self.link(item, rule, name, rows) for name, rows in ordered]
            if named_groups(rule)
            else []
        )

    def _vendor_rows(self, sig_id: str, rows: RowIndexes) -> dict[str, _Rows]:
        """The vendor names of a signature's rows: a whole signature's once per evaluation."""
        whole = len(rows) == len(self.evaluation.members[int(sig_id[1:])])
        if whole and sig_id in self._vendors:
            return self._vendors[sig_id]
        assets = self.evaluation.assets
        out: dict[str, _Rows]
        if isinstance(assets, AssetTable):  # per key, not per row (engine.asset_table)
            out = _table_vendor_rows(assets, as_rows(rows))
        else:
            by_name: dict[str, list[int]] = {}
            for i in rows:
                by_name.setdefault(assets[i].vendor, []).append(i)
            out = {name: _Rows(len(found), found[:_ROWS_KEPT]) for name, found in by_name.items()}
        if whole:
            self._vendors[sig_id] = out
        return out

    def _vendor_fact(self, rule: Rule, ordered: list[tuple[str, _Rows]]) -> str:
        """Each vendor name of the finding, with its rows and what the registry makes of it.
        Under a rule that names no vendor the names decide nothing: the first few are listed."""
        pack, matches = self.evaluation.pack, self.evaluation.vendor_matches
        assets = self.evaluation.assets
        shown = ordered if named_groups(rule) else ordered[:_NEUTRAL_VENDORS_SHOWN]
        text = "; ".join(
            f"{rows.where(assets)}: {vendor_words(matches[name], pack)}" for name, rows in shown
        )
        rest = ordered[len(shown) :]
        if rest:
            text += (
                f"; and {len(rest):,} more vendor names "
                f"({sum(rows.count for _, rows in rest):,} assets)"
            )
        return text

    def link(self, item: LoadedObligation, rule: Rule, name: str, rows: _Rows) -> dict[str, Any]:
        """How one vendor name is linked to the law: its rows, how it resolved (the
        evaluation's identification, with the registry source) and what the law reaches."""
        ident = self._identified.get(name)
        if ident is None:
            ident = self._identified[name] = self.evaluation.identification(name)
        reach = [r for r in _REACHES if r in dict(rule.tests).get("relationship", ())]
        designation = item.designation.id if item.designation else None
        where = rows.where(self.evaluation.assets)
        if ident["group"] is None or not reach:
            text = f"{where}: {name} is in no vendor group this law names"
        else:
            group = ident["group_name"]
            phrase = vendor_phrase(self.evaluation.pack, ident["group"], ident["relationship"])
            spelt = ident["entity"]
            spelt = f" ({spelt})" if spelt and spelt.casefold() != name.casefold() else ""
            source = ""
            if ident["source"]:
                unverified = "" if ident["source_verified"] else ", unverified"
                source = f"; registry source: {ident['source']}{unverified}"
            who = f"the designation {designation}" if designation else "the law"
            text = (
                f"{where}: {name}{spelt} is {phrase} ({ident['reason']}{source}); {who} "
                f"reaches {reach_words(reach)} of {group}, so these assets count"
            )
        return {
            "vendor": name,
            "rows": [self.evaluation.assets[i].line for i in rows.first],
            "assets": rows.count,
            **{k: ident[k] for k in _LINK_KEYS},
            "designation": designation,
            "reach": reach,
            "text": text,
        }


# what a vendor link repeats of the evaluation's identification of the name
_LINK_KEYS = (
    "group",
    "group_name",
    "entity",
    "relationship",
    "method",
    "score",
    "reason",
    "source",
    "source_verified",
)


def explain_findings(evaluation: Evaluation) -> None:
    """Give every finding of the evaluation its conditions and vendor links."""
    explainer = FindingExplainer(evaluation)
    for finding in evaluation.findings:
        explainer.explain(finding)


def explain_asset(
    evaluation: Evaluation, asset_id: str, inventory: str | Path = "the inventory"
) -> dict[str, Any]:
    """Why one asset is, or is not, caught: every asset-level obligation of the profile's
    jurisdictions that names the asset's vendor group or no vendor at all, condition by
    condition (the structure of a finding's ``conditions``, for this one row), with the overall
    result. ``inventory`` names the file in the error for an unknown id."""
    assets = evaluation.assets
    index = next((i for i, a in enumerate(assets) if a.asset_id == asset_id), None)
    if index is None:
        raise InputError(
            inventory, _unknown_id(asset_id, [a.asset_id for a in assets]), field="asset_id"
        )
    asset = assets[index]
    pack = evaluation.pack
    match = evaluation.vendor_matches[asset.vendor]
    sig = build_signatures([asset], {asset.vendor: match})[0][0]
    certain = not match.needs_review
    group = match.group or ""
    if group and not certain:
        # an uncertain match never reaches the rules, but the rules it would reach are shown
        values = dict(zip(SIGNATURE_FIELDS, sig.values, strict=True))
        values.update(group=group, relationship=match.relationship or "")
        sig = Signature(
            sig.id, tuple(values[f] for f in SIGNATURE_FIELDS), sig.flags, sig.flags_false
        )
    explainer = FindingExplainer(evaluation)
    ctx = explainer.ctx
    row = _Rows(1, [index])
    vendor_fact = f"row {asset.line}: {vendor_words(match, pack)}"
    covering: dict[str, Finding] = {}
    for finding in evaluation.findings:
        if asset_id in finding.assets:
            covering[finding.item.obligation.id] = finding
    rules = []
    # the profile's jurisdictions none of whose obligations names the asset's group: an answer
    # in itself ("no Czech obligation names Hikvision"), whatever vendor-neutral law may say
    unnamed = []
    for code in sorted(evaluation.profile.jurisdictions):
        reaching = asset_rules(pack, code, group)
        if group and not any(named_groups(r) for r in reaching):
            unnamed.append(code)
        for rule in reaching:
            item = pack.obligation(rule.id)
            checks = rule_checks(item, rule, sig, ctx, "", certain)
            entry = _rule_json(item, checks, covering.get(rule.id))
            entry["conditions"] = conditions_json([(checks, [index])], assets, vendor_fact)
            entry["vendor_link"] = (
                [explainer.link(item, rule, asset.vendor, row)] if named_groups(rule) else []
            )
            rules.append(entry)
    order = list(Outcome)
    rules.sort(key=lambda r: (r["jurisdiction"], order.index(r["outcome"]), r["obligation_id"]))
    return {
        "as_of": evaluation.as_of.isoformat(),
        "operator": evaluation.profile.name,
        "roles": sorted(evaluation.roles),
        "notices": [n.to_json() for n in evaluation.notices],
        "asset": {
            "asset_id": asset.asset_id,
            "line": asset.line,
            "vendor": asset.vendor,
            "product": asset.product,
            "model": asset.model,
            **{f: getattr(asset, f) for f in _SCOPE_FIELDS},
            "flags": list(asset.flags),
        },
        "vendor": evaluation.identification(asset.vendor),
        "group_not_named_in": unnamed,
        "findings": [
            {
                "id": f.id,
                "obligation_id": f.item.obligation.id,
                "status": f.status,
                "position": f.position,
            }
            for f in sorted(covering.values(), key=lambda f: f.id)
        ],
        "review": [row for row in evaluation.review() if row["asset_id"] == asset_id],
        "summary": {o.value: sum(1 for r in rules if r["outcome"] == o) for o in Outcome},
        "rules": rules,
    }


def _rule_json(
    item: LoadedObligation, checks: list[Check], finding: Finding | None
) -> dict[str, Any]:
    """One obligation's outcome for the asset; the caller adds its conditions."""
    ob = item.obligation
    failure = why_not(checks)
    if finding is not None:
        outcome = Outcome.APPLIES
        result = f"applies — finding {finding.id}, status {finding.status}"
    elif failure is None:
        # every test is met, yet the evaluation has no finding: its findings are authoritative
        outcome = Outcome.APPLIES
        result = "applies — every test is met, but this evaluation lists no finding for it"
    elif failure.reason is UnaffectedReason.FACT_UNKNOWN:
        outcome = Outcome.REVIEW
        result = f"review: {', '.join(failure.tests)} unknown"
    else:
        outcome = Outcome.DOES_NOT_APPLY
        result = f"does not apply: {failure.detail}"
    reason = detail = None
    if outcome is not Outcome.APPLIES and failure is not None:
        reason, detail = failure.reason, failure.detail
    return {
        "obligation_id": ob.id,
        "jurisdiction": item.jurisdiction,
        "title": ob.title,
        "citation": ob.citation,
        "verified": ob.verified and item.instrument.verified,
        "outcome": outcome,
        "result": result,
        "reason": reason,
        "detail": detail,
        "finding": finding.id if finding is not None else None,
    }


def _unknown_id(asset_id: str, ids: list[str]) -> str:
    """The message for an asset id the inventory does not hold, with the closest ids."""
    close = process.extract(asset_id, ids, limit=3, score_cutoff=60)
    if close:
        return f"no asset {asset_id!r} in the inventory; close ids: " + ", ".join(
            c[0] for c in close
        )
    sample = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    return f"no asset {asset_id!r} in the inventory (its ids: {sample or 'none'})"
