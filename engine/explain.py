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

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import process

from dutybound.engine.errors import InputError
from dutybound.engine.findings import OPTIONAL_FACTS
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


@dataclass(frozen=True, slots=True)
class Check:
    """One test of one rule against one signature."""

    test: str
    law: str
    inventory: str
    result: TestResult
    # what a failure of this test means, and the sentence that says so (empty when met)
    reason: UnaffectedReason
    detail: str = ""
    # not yet in effect: only the reason when no lasting test fails (see the module docstring)
    provisional: bool = False

    def to_json(self) -> dict[str, str]:
        return {
            "test": self.test,
            "law": self.law,
            "inventory": self.inventory,
            "result": self.result,
        }


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a rule does not reach a signature: the reason, one sentence, and the tests behind it."""

    reason: UnaffectedReason
    detail: str
    tests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule is tested against besides the asset: the law, the date, the roles held."""

    pack: RulePack
    as_of: dt.date
    roles: frozenset[str]


@functools.cache
def _show(field: str, value: str) -> str:
    if not value:
        return "(empty)"
    return value if field in _CODES else label(value)


@functools.cache
def _listing(field: str, values: tuple[str, ...]) -> str:
    """The values a rule allows for a field, as a reader says them (asked once per rule)."""
    return ", ".join(_show(field, v) for v in values if v)


def _vendor_check(rule: Rule, sig: Signature, ctx: Context, seen: str, certain: bool) -> Check:
    tests = dict(rule.tests)
    groups = tests.get("group")
    reason = UnaffectedReason.VENDOR_NOT_REACHED
    if groups is None:
        return Check("vendor", "any vendor", seen, TestResult.MET, reason)
    names = " or ".join(ctx.pack.registry.groups[g].name for g in groups)
    reached = ", ".join(_REACHES[r] for r in _REACHES if r in tests["relationship"])
    law = f"{names}: {reached}"
    group, relationship = sig.get("group"), sig.get("relationship")
    if group not in groups or relationship not in tests["relationship"]:
        detail = (
            f"the vendor is {vendor_phrase(ctx.pack, group, relationship)}; the law reaches {law}"
        )
        return Check("vendor", law, seen, TestResult.NOT_MET, reason, detail)
    if not certain:
        detail = "the vendor match is uncertain"
        return Check("vendor", law, seen, TestResult.UNKNOWN, reason, detail)
    return Check("vendor", law, seen, TestResult.MET, reason)


def _window_checks(item: LoadedObligation, ctx: Context) -> list[Check]:
    inst = item.instrument
    reason = UnaffectedReason.OUTSIDE_WINDOW
    on = f"as of {fmt_day(ctx.as_of)}"
    start = inst.start or item.obligation.effective.from_
    word = "adopted" if inst.adopted else "in force"
    law = f"{inst.title}: {word} on {fmt_day(start)}"
    if item.exists_on(ctx.as_of):
        adopted = Check("adopted", law, on, TestResult.MET, reason)
    else:
        adopted = Check(
            "adopted",
            law,
            on,
            TestResult.NOT_MET,
            reason,
            f"not yet adopted on {fmt_day(ctx.as_of)}: {inst.title} was {word} on {fmt_day(start)}",
        )
    begin, end = item.window()
    law = f"from {fmt_day(begin)}" + (
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
        )
    elif end is not None and ctx.as_of >= end:
        effect = Check(
            "in effect",
            law,
            on,
            TestResult.NOT_MET,
            reason,
            f"ceased to apply on {fmt_day(end)}",
        )
    else:
        effect = Check("in effect", law, on, TestResult.MET, reason)
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


def _role_check(rule: Rule, ctx: Context) -> Check:
    roles = ctx.pack.roles
    law = " or ".join(f"{roles[r].title} ({r})" for r in rule.roles)
    reason = UnaffectedReason.ROLE_NOT_HELD
    held = sorted(ctx.roles.intersection(rule.roles))
    addressed = f"addressed to {law}"
    if held:
        return Check("role", addressed, "holds " + ", ".join(held), TestResult.MET, reason)
    holds = "holds " + ", ".join(sorted(ctx.roles)) if ctx.roles else "holds no role"
    if not roles_known(ctx.pack, rule, ctx.as_of):
        detail = f"the law addresses {law}, which no law had defined yet on {fmt_day(ctx.as_of)}"
    else:
        detail = f"the law addresses {law}; the profile holds none of these roles"
    return Check("role", addressed, holds, TestResult.NOT_MET, reason, detail)


def _scope_checks(rule: Rule, sig: Signature) -> list[Check]:
    reason = UnaffectedReason.OUTSIDE_SCOPE
    checks: list[Check] = []
    tests = dict(rule.tests)
    excluded = dict(rule.tests_not)
    values = dict(zip(SIGNATURE_FIELDS, sig.values, strict=True))
    for field in _SCOPE_FIELDS:
        if field not in tests and field not in excluded:
            continue
        value = values[field]
        seen = _show(field, value)
        if field in tests:
            allowed = _listing(field, tests[field])
            law = f"one of: {allowed}"
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
            # "produced in a foreign country": any known value except these
            others = _listing(field, excluded[field])
            law = f"known, and none of: {others}"
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


def vendor_seen(match: VendorMatch, pack: RulePack) -> str:
    """How the inventory's vendor name was resolved, in words."""
    if match.group is None:
        return f"{match.input!r}: {match.reason()}"
    return (
        f"{match.input!r} is {match.entity}, "
        f"{vendor_phrase(pack, match.group, match.relationship or '')} "
        f"(by {match.method}, score {match.score})"
    )


def explain_asset(
    evaluation: Evaluation, asset_id: str, inventory: str | Path = "the inventory"
) -> dict[str, Any]:
    """Why one asset is, or is not, caught: every asset-level obligation of the profile's
    jurisdictions that names the asset's vendor group or no vendor at all, test by test, with
    the overall result. ``inventory`` names the file in the error for an unknown id."""
    assets = evaluation.assets
    asset = next((a for a in assets if a.asset_id == asset_id), None)
    if asset is None:
        raise InputError(
            inventory, _unknown_id(asset_id, [a.asset_id for a in assets]), field="asset_id"
        )
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
    ctx = Context(pack, evaluation.as_of, frozenset(evaluation.roles))
    seen = vendor_seen(match, pack)
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
            checks = rule_checks(item, rule, sig, ctx, seen, certain)
            rules.append(_rule_json(item, checks, covering.get(rule.id)))
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
        "tests": [c.to_json() for c in checks],
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
