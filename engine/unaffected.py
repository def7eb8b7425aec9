"""The ``unaffected`` section: why assets of designated vendors gave no finding.

A clean list of findings is read as "nothing else applies". For an asset of a group the law
designates (Huawei, Hikvision, ...), that reading must be earned: this section says, per
jurisdiction of the profile, why no obligation reached it, so that an all-clear is never silent.

Each entry is grouped like a finding: one jurisdiction, one reason, the assets it holds for, and
the obligations it is about. Where one reason holds for several conditions (a 4G radio outside
the scope of nine 5G and full-fibre requirements), the entry's sentence names each condition
followed by the obligations it concerns, so each asset appears once per reason, not once per
obligation. The reason for one obligation is the first test it fails (``engine.explain``:
vendor, adoption, effective window, role, scope, flags; unstated facts last). Entries:

  {"jurisdiction": "CZ", "reason": "role_not_held",
   "detail": "the law addresses ...; the profile holds none of these roles (cz.nukib-...)",
   "obligations": ["cz.nukib-2018.risk-management", ...],
   "vendor_groups": ["huawei"], "assets": ["E-001", "E-002"]}

Which obligations are asked: those of the jurisdiction that name the asset's vendor group, and
those that name no vendor at all but reach assets (a warning about data flowing to the PRC
reaches any brand). An obligation whose law was not yet adopted on the date, or that is
addressed only to roles no law had defined yet, is not asked: the evaluation states the law as it
stood, and naming later law here would be the hindsight it avoids elsewhere. When no
obligation of the jurisdiction names the group, one entry says so.

Only assets whose vendor resolves to a group with certainty are listed: an uncertain match is in
the review list already, and an asset of no designated group needs no "why not".

The work is per signature, as for findings (a 100k-row inventory has a few hundred), and per
rule that can reach the signature's group, never rules times assets.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from dutybound.engine.asset_table import ROW, AssetTable, RowIndexes, as_rows
from dutybound.engine.explain import (
    Check,
    Context,
    Failure,
    asset_rules,
    fmt_day,
    head_checks,
    lasting_failure,
    named_groups,
    roles_known,
    tail_checks,
    vendor_phrase,
    why_not,
)
from dutybound.engine.outcomes import UnaffectedReason
from dutybound.engine.rules import SIGNATURE_FIELDS, Rule, Signature

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.engine.inputs import Asset
    from dutybound.engine.loading import RulePack

# the order of the reasons in the output (the enum's declaration order)
_REASON_ORDER = {reason: n for n, reason in enumerate(UnaffectedReason)}
Key = tuple[str, UnaffectedReason, str, tuple[str, ...]]
# what decides one rule's checks for one signature: the rule, the values of the fields it tests
# and the state of the flags it reads (see ``_projection``)
Projection = tuple[str, tuple[str, ...], tuple[str, ...]]


@dataclass
class _Memo:
    """Checks already run in one call: the vendor/window/role checks per (rule, group,
    relationship), and the outcome per projection (``_projection``)."""

    heads: dict[tuple[str, str, str], tuple[list[Check], Failure | None]] = field(
        default_factory=dict
    )
    failures: dict[Projection, Failure | None] = field(default_factory=dict)
    # per rule, the positions in a signature's values of the fields it tests
    read: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def projection(self, rule: Rule, sig: Signature) -> Projection:
        """The part of a signature that one rule's scope and flag checks read. Signatures that
        differ only in fields the rule does not test fail it for the same reason, in the same
        words, so the checks run once per projection, not once per signature."""
        read = self.read.get(rule.id)
        if read is None:
            fields = ("group", "relationship", *sorted(rule.tested_fields))
            read = self.read[rule.id] = tuple(SIGNATURE_FIELDS.index(f) for f in fields)
        flags = tuple(
            "1" if f in sig.flags else "0" if f in sig.flags_false else ""
            for f in (*rule.flags_all, *rule.flags_none)
        )
        return rule.id, tuple(map(sig.values.__getitem__, read)), flags


def unaffected(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Why no finding covers each asset of a designated vendor group, per jurisdiction of the
    profile (see the module docstring), in a deterministic order: jurisdiction, reason,
    obligations, detail."""
    if evaluation.shown_ids is not None:
        return _compact(evaluation, evaluation.shown_ids)
    pack = evaluation.pack
    ctx = Context(pack, evaluation.as_of, frozenset(evaluation.roles))
    signatures, members = evaluation.signatures, evaluation.members
    ids = [a.asset_id for a in evaluation.assets]
    # assets are gathered as their rank in id order: sorting integers per entry is cheap
    by_id = sorted(range(len(ids)), key=ids.__getitem__)
    rank = [0] * len(ids)
    for r, i in enumerate(by_id):
        rank[i] = r
    index = {asset_id: i for i, asset_id in enumerate(ids)}
    covered: dict[str, set[int]] = defaultdict(set)
    for finding in evaluation.findings:
        covered[finding.item.jurisdiction].update(index[a] for a in finding.assets)
    memo = _Memo()
    ranks: dict[Key, list[int]] = defaultdict(list)
    groups: dict[Key, set[str]] = defaultdict(set)
    for code in sorted(evaluation.profile.jurisdictions):
        rules_by_group: dict[str, list[Rule]] = {}
        done = covered[code]
        for n, sig in enumerate(signatures):
            group = sig.get("group")
            if not group:
                continue
            rows = members[n]
            if not done.isdisjoint(rows):
                rows = [i for i in rows if i not in done]
                if not rows:
                    continue
            rules = rules_by_group.get(group)
            if rules is None:
                rules = rules_by_group[group] = _group_rules(pack, code, group, ctx)
            row_ranks = [rank[i] for i in rows]
            for reason, detail, obligations in _reasons(sig, code, rules, ctx, memo):
                key = (code, reason, detail, obligations)
                ranks[key].extend(row_ranks)
                groups[key].add(group)
    in_order = [ids[i] for i in by_id]
    # one entry per jurisdiction, reason and set of assets: a 4G radio outside the scope of nine
    # obligations is one entry naming the nine conditions, not nine entries listing the radio
    merged: dict[tuple[str, UnaffectedReason, tuple[int, ...]], _Entry] = {}
    for key in sorted(ranks, key=lambda k: (k[0], _REASON_ORDER[k[1]], k[3], k[2])):
        code, reason, detail, obligations = key
        entry = merged.setdefault((code, reason, tuple(sorted(ranks[key]))), _Entry())
        entry.details.setdefault(detail, set()).update(obligations)
        entry.obligations.update(obligations)
        entry.groups.update(groups[key])
    return [
        {
            "jurisdiction": code,
            "reason": reason,
            "detail": entry.text(),
            "obligations": sorted(entry.obligations),
            "vendor_groups": sorted(entry.groups),
            "assets": list(map(in_order.__getitem__, asset_ranks)),
        }
        for (code, reason, asset_ranks), entry in sorted(
            merged.items(),
            key=lambda kv: (kv[0][0], _REASON_ORDER[kv[0][1]], kv[0][2]),
        )
    ]


def _compact(evaluation: Evaluation, shown: int) -> list[dict[str, Any]]:
    """The section of a large inventory (``engine.evaluation.COMPACT_ABOVE_ASSETS``): the same
    entries, each with its ``shown`` smallest ids and "assets_count", worked per signature with
    no step per asset beyond one pass per signature (no sort of every id, no per-entry list).

    Within a jurisdiction each signature has one set of uncovered rows, so an entry's assets are
    a set of signatures. Entries are ordered by jurisdiction, reason, first ids, count and
    signatures: deterministic, and as the full form's wherever the first ids differ."""
    pack = evaluation.pack
    ctx = Context(pack, evaluation.as_of, frozenset(evaluation.roles))
    signatures, members, assets = evaluation.signatures, evaluation.members, evaluation.assets
    # the rows each jurisdiction's findings cover, per signature (a finding holds its rows); a
    # signature a finding covers whole is only named (``whole``), not copied into a set of its
    # rows: that set would cost some 40 bytes a row
    whole: dict[str, set[str]] = defaultdict(set)
    covered: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for finding in evaluation.findings:
        code = finding.item.jurisdiction
        for sig_id, rows in finding.rows.items():
            if len(rows) == len(members[int(sig_id[1:])]):
                whole[code].add(sig_id)
                covered[code].pop(sig_id, None)
            elif sig_id not in whole[code]:
                covered[code][sig_id].update(
                    rows.tolist() if isinstance(rows, np.ndarray) else rows
                )
    memo = _Memo()
    units: dict[Key, list[int]] = defaultdict(list)
    groups: dict[Key, set[str]] = defaultdict(set)
    # per (jurisdiction, signature): its uncovered rows' count and smallest ids
    parts: dict[tuple[str, int], tuple[int, list[str]]] = {}
    firsts: dict[int, list[str]] = {}  # per signature wholly uncovered, for every jurisdiction
    for code in sorted(evaluation.profile.jurisdictions):
        rules_by_group: dict[str, list[Rule]] = {}
        for n, sig in enumerate(signatures):
            group = sig.get("group")
            if not group:
                continue
            if sig.id in whole[code]:
                continue
            rows = members[n]
            done = covered[code].get(sig.id)
            if done:
                if isinstance(rows, np.ndarray):  # a table's (engine.asset_table)
                    rows = np.setdiff1d(rows, np.fromiter(done, ROW, len(done)))
                else:
                    rows = [i for i in rows if i not in done]
                if not len(rows):
                    continue
                first = _smallest_ids(assets, rows, shown)
            else:
                first = firsts.get(n) or firsts.setdefault(n, _smallest_ids(assets, rows, shown))
            parts[(code, n)] = (len(rows), first)
            rules = rules_by_group.get(group)
            if rules is None:
                rules = rules_by_group[group] = _group_rules(pack, code, group, ctx)
            for reason, detail, obligations in _reasons(sig, code, rules, ctx, memo):
                key = (code, reason, detail, obligations)
                units[key].append(n)
                groups[key].add(group)
    merged: dict[tuple[str, UnaffectedReason, tuple[int, ...]], _Entry] = {}
    for key in sorted(units, key=lambda k: (k[0], _REASON_ORDER[k[1]], k[3], k[2])):
        code, reason, detail, obligations = key
        entry = merged.setdefault((code, reason, tuple(sorted(units[key]))), _Entry())
        entry.details.setdefault(detail, set()).update(obligations)
        entry.obligations.update(obligations)
        entry.groups.update(groups[key])
    out = []
    for (code, reason, sigs), entry in merged.items():
        counted = [parts[(code, n)] for n in sigs]
        first = heapq.nsmallest(shown, (i for _count, ids in counted for i in ids))
        count = sum(c for c, _ids in counted)
        out.append(
            (
                (code, _REASON_ORDER[reason], first, count, sigs),
                {
                    "jurisdiction": code,
                    "reason": reason,
                    "detail": entry.text(),
                    "obligations": sorted(entry.obligations),
                    "vendor_groups": sorted(entry.groups),
                    "assets": first,
                    "assets_count": count,
                },
            )
        )
    return [data for _order, data in sorted(out, key=lambda pair: pair[0])]


def _group_rules(pack: RulePack, code: str, group: str, ctx: Context) -> list[Rule]:
    """The asset rules of jurisdiction ``code`` naming ``group`` that exist on the date and
    whose roles the law defines by then: the rules an unaffected asset is measured against."""
    return [
        r
        for r in asset_rules(pack, code, group)
        if pack.obligation(r.id).exists_on(ctx.as_of) and roles_known(pack, r, ctx.as_of)
    ]


def _smallest_ids(assets: Sequence[Asset], rows: RowIndexes, shown: int) -> list[str]:
    """The ``shown`` smallest ids of ``rows``, as ``heapq.nsmallest`` gives them, sorted in C:
    a signature's ids are usually in order already (an inventory numbers its rows), which the
    sort passes in one run, where ``nsmallest`` steps through every id in Python. A table's
    are picked by Arrow (``AssetTable.first_ids``)."""
    if isinstance(assets, AssetTable):
        return assets.first_ids(as_rows(rows), shown)
    return sorted(map(_asset_id, map(assets.__getitem__, rows)))[:shown]


_asset_id = attrgetter("asset_id")


@dataclass
class _Entry:
    """The parts of one merged entry of the section."""

    # each sentence with the obligations it is about, in the order first met
    details: dict[str, set[str]] = field(default_factory=dict)
    obligations: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)

    def text(self) -> str:
        """One sentence as it is; several, each followed by the obligations it concerns."""
        if len(self.details) == 1:
            return next(iter(self.details))
        return "; ".join(f"{d} ({', '.join(sorted(obs))})" for d, obs in self.details.items())


def _reasons(
    sig: Signature,
    code: str,
    rules: list[Rule],
    ctx: Context,
    memo: _Memo,
) -> list[tuple[UnaffectedReason, str, tuple[str, ...]]]:
    """(reason, detail, obligations) for one signature in one jurisdiction: the obligations
    that fail for the same reason, in the same words, together."""
    pack = ctx.pack
    group = sig.get("group")
    name = pack.registry.groups[group].name
    out: list[tuple[UnaffectedReason, str, tuple[str, ...]]] = []
    if not any(named_groups(r) for r in rules):
        # the obligations that reach any vendor, if there are any, follow with their own reasons
        verb = "names" if rules else "reaches"
        text = (
            f"no {pack.jurisdictions[code].name} obligation in this rule pack {verb} {name} "
            f"on {fmt_day(ctx.as_of)}"
        )
        out.append((UnaffectedReason.VENDOR_NOT_REACHED, text, ()))
    relationship = sig.get("relationship")
    seen = vendor_phrase(pack, group, relationship)
    by_failure: dict[tuple[UnaffectedReason, str], list[str]] = defaultdict(list)
    for rule in rules:
        # vendor, window and role depend on the rule and the vendor alone; only a rule that
        # passes them reads the signature's scope fields and flags
        head_key = (rule.id, group, relationship)
        known = memo.heads.get(head_key)
        if known is None:
            head = head_checks(pack.obligation(rule.id), rule, sig, ctx, seen)
            known = memo.heads[head_key] = (head, lasting_failure(head))
        head, failure = known
        if failure is None:
            key = memo.projection(rule, sig)
            if key in memo.failures:
                failure = memo.failures[key]
            else:
                failure = memo.failures[key] = why_not([*head, *tail_checks(rule, sig)])
        # None: the rule reaches the signature, so a finding of it covers these assets, and
        # they are not asked about (evaluation findings are authoritative)
        if failure is not None:
            by_failure[(failure.reason, failure.detail)].append(rule.id)
    out.extend((reason, detail, tuple(sorted(ids))) for (reason, detail), ids in by_failure.items())
    return out
