"""From rule matches to findings: time, deadlines, status, caps, explanation and trace.

The evaluators say which obligations reach which signatures; this stage applies the evaluation
date (effective windows, deadlines), expands signatures back to assets, measures caps, and writes
the explanation a compliance officer reads next to the machine trace an auditor replays.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

from dutybound.engine.asset_table import AssetTable, IdList, RowIndexes, as_rows
from dutybound.engine.catalogue import instrument_json
from dutybound.engine.deadlines import due_date
from dutybound.engine.evaluators import OPERATOR_FACT, Match
from dutybound.engine.inputs import Asset
from dutybound.engine.loading import LoadedObligation, RulePack
from dutybound.engine.outcomes import APPLYING, FindingStatus, Position, Standing
from dutybound.engine.roles import HeldRole
from dutybound.engine.rules import Rule, Signature, signature_matches
from dutybound.engine.vocabulary import Binding
from dutybound.engine.waivers import WaiverStanding, finding_waiver_json, waiver_sentences


@dataclass
class Finding:
    id: str
    item: LoadedObligation
    status: FindingStatus
    due: dt.date | None
    window: tuple[dt.date, dt.date | None]
    # sorted; for a large inventory an ``IdList`` that makes the ids when read
    assets: Sequence[str]
    explanation: str
    trace: dict[str, Any]
    cap: dict[str, Any] | None = None
    roles: list[str] = field(default_factory=list)
    # waivers recorded for this obligation and these assets (engine.waivers), and the status the
    # finding would have without them (set only when the status is "waived")
    waivers: list[dict[str, Any]] = field(default_factory=list)
    status_without_waivers: FindingStatus | None = None
    # attestations recorded for this obligation and these assets (engine.attestations), and the
    # status the finding would have without them (set only when the status is "fulfilled")
    attestations: list[dict[str, Any]] = field(default_factory=list)
    status_without_attestations: FindingStatus | None = None
    # where the operator stands (engine.positions); set once waivers and attestations are applied
    position: Position = Position.ACTION_REQUIRED
    # each condition the law states with the fact tested and whether it is met, and how each
    # vendor name of the finding is linked to the law (engine.explain.FindingExplainer; set by
    # engine.evaluation.evaluate once the findings are final)
    conditions: list[dict[str, Any]] = field(default_factory=list)
    vendor_link: list[dict[str, Any]] = field(default_factory=list)
    # the asset indexes of each signature the finding holds: what the two above are worked from
    rows: dict[str, RowIndexes] = field(default_factory=dict, repr=False)

    def to_json(self, shown: int | None = None) -> dict[str, Any]:
        """The finding as JSON; with ``shown`` (the compact form of a large inventory,
        ``engine.evaluation.COMPACT_ABOVE_ASSETS``) its first ``shown`` asset ids and their
        count, "assets_count"."""
        ob, inst = self.item.obligation, self.item.instrument
        data: dict[str, Any] = {
            "id": self.id,
            "jurisdiction": self.item.jurisdiction,
            "obligation_id": ob.id,
            "kind": ob.kind,
            "title": ob.title,
            "instrument": instrument_json(inst),
            "citation": ob.citation,
            "url": ob.url,
            "verified": ob.verified and inst.verified,
            "status": self.status,
            "position": self.position,
            "due": self.due.isoformat() if self.due else None,
            "effective": {
                "from": self.window[0].isoformat(),
                "ended": self.window[1].isoformat() if self.window[1] else None,
            },
            "assets": _listed(self.assets) if shown is None else self.assets[:shown],
            **({} if shown is None else {"assets_count": len(self.assets)}),
            "explanation": self.explanation,
            "conditions": self.conditions,
            "vendor_link": self.vendor_link,
            "note": ob.note,
        }
        if self.item.hypothetical:
            # brought by an assumed decision (--assume-designation), not by law in force
            data["hypothetical"] = True
        if self.cap is not None:
            data["cap"] = self.cap
        if self.waivers:
            data["waivers"] = self.waivers
            if self.status_without_waivers is not None:
                data["status_without_waivers"] = self.status_without_waivers
        if self.attestations:
            data["attestations"] = self.attestations
            if self.status_without_attestations is not None:
                data["status_without_attestations"] = self.status_without_attestations
        data["trace"] = self.trace
        return data


_asset_id = attrgetter("asset_id")


def _listed(ids: Sequence[str]) -> list[str]:
    """A finding's ids as a JSON list: a small inventory's list as it is, a table's made."""
    return ids if isinstance(ids, list) else list(ids)


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _concerns(ids: Sequence[str], groups: list[str]) -> str:
    """' It concerns assets E-001 and E-003 of Huawei and ZTE.': which assets, and every vendor
    group they belong to (the conditions name each row and vendor name)."""
    if len(ids) == 1:
        who = f"asset {ids[0]}"
    elif len(ids) <= 5:
        who = f"assets {', '.join(ids[:-1])} and {ids[-1]}"
    else:
        who = f"{len(ids):,} assets ({', '.join(ids[:3])} and {len(ids) - 3:,} more)"
    of = ""
    if groups:
        of = " of " + (
            groups[0] if len(groups) == 1 else f"{', '.join(groups[:-1])} and {groups[-1]}"
        )
    return f" It concerns {who}{of}."


def _status(
    item: LoadedObligation,
    as_of: dt.date,
    window: tuple[dt.date, dt.date | None],
    due: dt.date | None,
    cap_met: bool | None,
) -> FindingStatus:
    start, end = window
    if as_of < start:
        return FindingStatus.UPCOMING
    if end is not None and as_of >= end:
        return FindingStatus.ENDED
    if due is None:
        return FindingStatus.IN_FORCE
    if as_of <= due:
        return FindingStatus.DUE
    if cap_met:
        return FindingStatus.IN_FORCE
    # guidance binds no one: its date is a target, and a missed target is not "overdue"
    if item.instrument.binding == Binding.GUIDANCE:
        return FindingStatus.PAST_TARGET
    return FindingStatus.OVERDUE


def build_findings(
    pack: RulePack,
    rules: list[Rule],
    matches: set[Match],
    signatures: list[Signature],
    members: Sequence[RowIndexes],
    assets: Sequence[Asset],
    roles: dict[str, HeldRole],
    as_of: dt.date,
    evaluator: str,
    include_ended: bool = False,
    law_on: dt.date | None = None,
) -> list[Finding]:
    """The findings of the matched rules on ``as_of``, under the law as it stood on ``law_on``
    (default ``as_of``): an obligation whose instrument was adopted later gives nothing."""
    law_day = law_on or as_of
    by_rule: dict[str, list[str]] = defaultdict(list)
    for rule_id, fact_id in matches:
        by_rule[rule_id].append(fact_id)
    sig_by_id = {s.id: (s, members[i]) for i, s in enumerate(signatures)}
    rules_by_id = {r.id: r for r in rules}
    findings: list[Finding] = []
    for rule_id in sorted(by_rule):
        item, rule = pack.obligation(rule_id), rules_by_id[rule_id]
        if not item.exists_on(law_day):
            continue
        window = item.window()
        held = [roles[r] for r in rule.roles if r in roles]
        if not rule.asset_level:
            assert by_rule[rule_id] == [OPERATOR_FACT]
            findings.extend(_operator_finding(pack, item, window, held, as_of, evaluator))
            continue
        # by content, not id: ids follow row order, and findings must not
        sigs = sorted(
            (sig_by_id[f][0] for f in by_rule[rule_id]),
            key=lambda s: (s.values, s.flags, s.flags_false),
        )
        if isinstance(assets, AssetTable):
            asset_idx: RowIndexes = np.sort(np.concatenate([sig_by_id[s.id][1] for s in sigs]))
        else:
            asset_idx = sorted(i for s in sigs for i in sig_by_id[s.id][1])
        findings.extend(
            _asset_findings(
                pack,
                item,
                rule,
                window,
                held,
                sigs,
                asset_idx,
                assets,
                signatures,
                members,
                as_of,
                evaluator,
            )
        )
    if not include_ended:
        findings = [f for f in findings if f.status != FindingStatus.ENDED]
    return sorted(findings, key=lambda f: (f.item.jurisdiction, f.due or dt.date.max, f.id))


def _trace(
    item: LoadedObligation,
    window: tuple[dt.date, dt.date | None],
    held: list[HeldRole],
    evaluator: str,
    sigs: list[tuple[Signature, int]] | None,
) -> dict[str, Any]:
    return {
        "rule": item.obligation.id,
        "evaluator": evaluator,
        "source_file": item.source,
        "designation": item.designation.id if item.designation else None,
        "window": {
            "from": window[0].isoformat(),
            "ended": window[1].isoformat() if window[1] else None,
        },
        "roles": [{"role": h.role, "source": h.source, "reasons": list(h.reasons)} for h in held],
        "matched": None if sigs is None else [{**sig.as_dict(), "assets": n} for sig, n in sigs],
    }


def lower_first(text: str) -> str:
    """'Tier 1 provider' -> 'tier 1 provider', but 'PECN provider' stays as written."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


# what the sentence adds after the instrument's title about its force
_BINDING_WORDS: dict[Binding, str] = {
    Binding.LAW: "",
    Binding.CONTRACT: " (a contract, binding on its parties)",
    Binding.GUIDANCE: " (guidance, not binding law)",
}


def _duty_sentence(pack: RulePack, item: LoadedObligation, held: list[HeldRole]) -> str:
    ob, inst = item.obligation, item.instrument
    as_roles = " and as ".join(lower_first(pack.roles[h.role].title) for h in held)
    binding = _BINDING_WORDS[inst.binding]
    return (
        f"As {as_roles}, the operator is addressed by {inst.title}{binding} "
        f"[{ob.citation}]: it {ob.duty}"
    )


def _tail(
    item: LoadedObligation, status: FindingStatus, window: tuple[dt.date, dt.date | None]
) -> str:
    parts = []
    if status == FindingStatus.UPCOMING:
        parts.append(f"This takes effect on {_fmt(window[0])}.")
    elif status == FindingStatus.ENDED:
        assert window[1] is not None
        parts.append(f"This ceased to apply on {_fmt(window[1])}.")
    if not (item.obligation.verified and item.instrument.verified):
        why = item.obligation.note or item.instrument.note or "see the source"
        # a note that already begins with the word is not prefixed twice
        parts.append(why if why.startswith("UNVERIFIED") else f"UNVERIFIED: {why}")
    return (" " + " ".join(parts)) if parts else ""


def _operator_finding(
    pack: RulePack,
    item: LoadedObligation,
    window: tuple[dt.date, dt.date | None],
    held: list[HeldRole],
    as_of: dt.date,
    evaluator: str,
) -> list[Finding]:
    deadline = item.obligation.deadline
    calendar = pack.jurisdictions[item.jurisdiction].calendar
    due = due_date(deadline, window[0], as_of, calendar) if deadline else None
    status = _status(item, as_of, window, due, None)
    text = _duty_sentence(pack, item, held)
    text += f" by {_fmt(due)}." if due else "."
    text += _tail(item, status, window)
    return [
        Finding(
            item.obligation.id,
            item,
            status,
            due,
            window,
            [],
            text,
            _trace(item, window, held, evaluator, None),
        )
    ]


def _asset_findings(
    pack: RulePack,
    item: LoadedObligation,
    rule: Rule,
    window: tuple[dt.date, dt.date | None],
    held: list[HeldRole],
    sigs: list[Signature],
    asset_idx: RowIndexes,
    assets: Sequence[Asset],
    all_sigs: list[Signature],
    members: Sequence[RowIndexes],
    as_of: dt.date,
    evaluator: str,
) -> list[Finding]:
    ob = item.obligation
    calendar = pack.jurisdictions[item.jurisdiction].calendar
    relative = ob.deadline is not None and ob.deadline.after == "asset_identified"
    # one finding per due date: a deadline counted from each asset's identification can differ
    # per asset. Work per signature, and per distinct identification date, not per asset.
    # the rows of each due date per signature: lists of a list's rows, arrays of a table's
    groups: dict[dt.date | None, dict[str, Any]] = defaultdict(lambda: defaultdict(list))
    undated: set[dt.date | None] = set()
    fixed_due = (
        due_date(ob.deadline, window[0], as_of, calendar)
        if ob.deadline is not None and not relative
        else None
    )
    due_by_day: dict[dt.date, dt.date] = {}

    def due_on(identified: dt.date) -> dt.date:
        due = due_by_day.get(identified)
        if due is None:
            assert ob.deadline is not None
            due = due_by_day[identified] = due_date(ob.deadline, window[0], identified, calendar)
        return due

    table = assets if isinstance(assets, AssetTable) else None
    for sig in sigs:
        rows = members[int(sig.id[1:])]
        if not relative:
            groups[fixed_due][sig.id] = rows
            continue
        assert ob.deadline is not None
        if table is not None:
            # per distinct day of identification (0: none), not per asset
            days, which = np.unique(table.identified[rows], return_inverse=True)
            which = which.reshape(-1)
            for n, ordinal in enumerate(days.tolist()):
                on = due_on(dt.date.fromordinal(ordinal) if ordinal else as_of)
                if not ordinal:
                    undated.add(on)
                part = np.asarray(rows)[which == n]
                prior = groups[on].get(sig.id)
                groups[on][sig.id] = part if prior is None else np.union1d(prior, part)
            continue
        for i in rows:
            identified = assets[i].identified_on or as_of
            due = due_by_day.get(identified)
            if due is None:
                due = due_by_day[identified] = due_date(
                    ob.deadline, window[0], identified, calendar
                )
            if assets[i].identified_on is None:
                undated.add(due)
            groups[due][sig.id].append(i)
    cap = _measure_cap(item, rule, asset_idx, assets, all_sigs, members) if ob.cap else None
    cap_met = (
        None
        if cap is None or cap["measured_share"] is None
        else cap["measured_share"] <= cap["max_share"]
    )
    findings = []
    multiple = len(groups) > 1
    for due, by_sig in sorted(groups.items(), key=lambda kv: kv[0] or dt.date.max):
        ids: Sequence[str]
        if table is not None:  # made when read: a finding of a table holds millions of rows
            ids = IdList(table, np.concatenate(list(by_sig.values())))
        else:  # C-level passes
            ids = sorted(
                map(_asset_id, map(assets.__getitem__, chain.from_iterable(by_sig.values())))
            )
        used = [s for s in sigs if s.id in by_sig]
        status = _status(item, as_of, window, due, cap_met)
        text = _duty_sentence(pack, item, held)
        if due is not None:
            text += f" by {_fmt(due)}"
            if relative:
                assert ob.deadline is not None
                text += (
                    f" ({ob.deadline.describe()}"
                    + (
                        "; the inventory gives no identified_on date, so the evaluation "
                        "date is taken as the day of identification"
                        if due in undated
                        else ""
                    )
                    + ")"
                )
        text += "."
        named = sorted({g for s in used if (g := s.get("group"))})
        text += _concerns(ids, [pack.registry.groups[g].name for g in named])
        if cap is not None:
            text += f" The cap allows {cap['max_share']:.0%}"
            if cap["measured_share"] is None:
                text += "; the share cannot be measured from this inventory."
            else:
                text += (
                    f"; the inventory gives {cap['vendor_quantity']} of "
                    f"{cap['scope_quantity']} units, {cap['measured_share']:.1%}"
                    f" ({'within' if cap_met else 'above'} the cap)."
                )
        text += _tail(item, status, window)
        fid = ob.id + (f"@{due.isoformat()}" if multiple and due else "")
        findings.append(
            Finding(
                fid,
                item,
                status,
                due,
                window,
                ids,
                text,
                _trace(item, window, held, evaluator, [(s, len(by_sig[s.id])) for s in used]),
                cap,
                rows={s.id: by_sig[s.id] for s in used},
            )
        )
    return findings


def apply_waivers(findings: list[Finding], standings: list[WaiverStanding]) -> set[str]:
    """Attach each waiver to the findings of its obligation whose assets it names, and mark a
    finding ``waived`` where waivers in effect cover all of its assets (or the operator's own
    duty) and the obligation binds on the date. A waiver covering only some assets leaves the
    finding open and says which assets it covers. Returns the ids of the waivers in effect that
    attached to a finding. ``standings`` must be sorted by waiver id (``engine.waivers.standings``)
    so that the output is the same on every run."""
    by_obligation: dict[str, list[WaiverStanding]] = defaultdict(list)
    for st in standings:
        by_obligation[st.waiver.obligation].append(st)
    used: set[str] = set()
    for finding in findings:
        relevant = by_obligation.get(finding.item.obligation.id)
        if not relevant:
            continue
        assets = set(finding.assets)
        attached: list[tuple[WaiverStanding, list[str] | None]] = []
        whole, waived_assets = False, set()
        for st in relevant:
            covered = None if st.waiver.assets is None else sorted(assets & set(st.waiver.assets))
            if covered is not None and not covered:
                continue  # names none of this finding's assets
            attached.append((st, covered))
            if st.state == Standing.IN_EFFECT:
                used.add(st.waiver.id)
                if covered is None:
                    whole = True
                else:
                    waived_assets.update(covered)
        if not attached:
            continue
        remaining = [] if whole else sorted(assets - waived_assets)
        live = finding.status in APPLYING
        fully = whole or (bool(assets) and not remaining)
        sentences = []
        for st, covered in attached:
            partial = covered is not None and len(covered) < len(assets)
            finding.waivers.append(finding_waiver_json(st, covered, partial))
            sentences.append(waiver_sentences(st, covered, remaining, finding.status, live))
        if live and fully:
            finding.status_without_waivers = finding.status
            finding.status = FindingStatus.WAIVED
            sentences.append(
                f"Without the waiver the finding would be "
                f"{finding.status_without_waivers.replace('_', ' ')}."
            )
        finding.explanation += " " + " ".join(sentences)
    return used


def _measure_cap(
    item: LoadedObligation,
    rule: Rule,
    asset_idx: RowIndexes,
    assets: Sequence[Asset],
    all_sigs: list[Signature],
    members: Sequence[RowIndexes],
) -> dict[str, Any]:
    """The designated vendor's share of the capped scope, by quantity."""
    assert item.obligation.cap is not None
    scope = [
        n
        for n, sig in enumerate(all_sigs)
        if signature_matches(rule, sig, ignore=frozenset({"group", "relationship"}))
    ]
    if isinstance(assets, AssetTable):
        quantity = assets.quantity
        vendor_qty = int(quantity[as_rows(asset_idx)].sum())
        scope_qty = sum(int(quantity[members[n]].sum()) for n in scope)
    else:
        vendor_qty = sum(assets[i].quantity for i in asset_idx)
        scope_qty = sum(assets[i].quantity for n in scope for i in members[n])
    share = round(vendor_qty / scope_qty, 4) if scope_qty else None
    return {
        "max_share": item.obligation.cap.max_share,
        "measured_share": share,
        "vendor_quantity": vendor_qty,
        "scope_quantity": scope_qty,
    }


# Optional inventory columns that rules may test. When a rule would apply but for one of these
# being empty, a person must supply the fact; silence would hide a possible obligation. Flags are
# facts of the same kind: a rule that needs a flag (``flags_all``) asks for it unless the inventory
# states it ("federal_award_funded") or states it false ("federal_award_funded=no").
OPTIONAL_FACTS = frozenset({"use", "network", "origin"})


def _unknown_facts(sig: Signature, rule: Rule) -> frozenset[str]:
    """The facts ``rule`` tests that ``sig`` leaves unstated."""
    columns = {f for f in rule.tested_fields & OPTIONAL_FACTS if not sig.get(f)}
    flags = {f for f in rule.flags_all if f not in sig.flags and f not in sig.flags_false}
    return frozenset(columns | flags)


def missing_facts(
    pack: RulePack,
    rules: list[Rule],
    signatures: list[Signature],
    roles: set[str],
    jurisdictions: set[str],
    as_of: dt.date,
    law_on: dt.date | None = None,
) -> dict[str, dict[str, list[str]]]:
    """{signature id: {missing field or flag: [obligation ids that would apply if it were
    known]}}, for obligations that existed by ``law_on`` (default ``as_of``) and had not ended."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    law_day = law_on or as_of
    for rule in rules:
        if (
            not rule.asset_level
            or rule.jurisdiction not in jurisdictions
            or roles.isdisjoint(rule.roles)
            or not (rule.tested_fields & OPTIONAL_FACTS or rule.flags_all)
        ):
            continue
        item = pack.obligation(rule.id)
        end = item.window()[1]
        if (end is not None and as_of >= end) or not item.exists_on(law_day):
            continue
        for sig in signatures:
            unknown = _unknown_facts(sig, rule)
            if unknown and signature_matches(rule, sig, ignore=unknown):
                for f in sorted(unknown):
                    out[sig.id][f].append(rule.id)
    return out
