"""Powers not yet used: what they would bring, and what-if decisions under them.

Much of this field's law is a power: Poland's minister may declare a supplier high-risk, after
which introduction is banned and withdrawal is due within years; Germany's interior ministry may
prohibit a manufacturer's critical components. Until the authority acts, nothing binds an
operator, and no finding may say otherwise. But a consultant's first question is "what happens to
my client if Poland designates Huawei next year?". Three answers, kept apart:

- **latent exposure** (``latent``): for each unused power that reaches the operator's roles and
  each designated vendor group in its inventory, the assets each duty would reach and the
  deadline the law counts from the decision. Never a finding, never in the counts.
- **what-if decisions** (``assume``): ``--assume-designation PL:huawei:2027-01-01`` evaluates as
  if the power had been used on that day. The duties become findings marked ``hypothetical``,
  counted apart from real ones, with a notice.
- **the watch list** (``watch_list``): proposals (instrument type ``proposal``), listed with their
  stage, never a finding.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from dutybound.engine.asset_table import AssetTable, IdList, as_rows
from dutybound.engine.errors import InputError
from dutybound.engine.law import Designation, Obligation, Power, PowerDuty
from dutybound.engine.loading import LoadedObligation, LoadedPower, RulePack
from dutybound.engine.rules import compile_rule, signature_matches
from dutybound.engine.suggest import suggest, suggest_jurisdiction
from dutybound.engine.vocabulary import ObligationKind

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation

_ASSUMPTION = re.compile(
    r"^(?P<code>[A-Za-z]{2}):(?P<group>[a-z0-9_]+):(?P<day>\d{4}-\d{2}-\d{2})$"
)


@dataclass(frozen=True)
class Assumption:
    """A decision assumed for a what-if question: this jurisdiction's authority names this
    vendor group on this day, under every supplier power of the jurisdiction."""

    jurisdiction: str
    group: str
    decided_on: dt.date

    def text(self) -> str:
        return f"{self.jurisdiction}:{self.group}:{self.decided_on.isoformat()}"


def parse_assumption(text: str, pack: RulePack, source: str = "--assume-designation") -> Assumption:
    """``CODE:group:YYYY-MM-DD``, checked against the pack (a jurisdiction with a supplier power,
    a vendor group of the registry, an ISO date)."""
    match = _ASSUMPTION.match(text.strip())
    if match is None:
        raise InputError(source, f"{text!r}: expected JURISDICTION:vendor_group:YYYY-MM-DD")
    code, group = match["code"].upper(), match["group"]
    try:
        day = dt.date.fromisoformat(match["day"])
    except ValueError:
        raise InputError(source, f"{text!r}: {match['day']!r} is not a date") from None
    if group not in pack.registry.groups:
        raise InputError(
            source,
            f"{text!r}: unknown vendor group {group!r}{suggest(group, pack.registry.groups)}; "
            "see 'dutybound vendors match'",
        )
    powers = _supplier_powers(pack, code)
    if powers and not any(_usable(p, day) for p in powers):
        spans = "; ".join(
            f"{p.power.id} from {p.instrument.start or '?'}"
            + (f" until {p.instrument.ended}" if p.instrument.ended else "")
            for p in powers
        )
        raise InputError(
            source, f"{text!r}: no supplier power of {code} could be used on {day} ({spans})"
        )
    if not powers:
        with_powers = sorted({p.jurisdiction for p in pack.powers.values()})
        hint = suggest_jurisdiction(code, with_powers) if code not in pack.jurisdictions else ""
        raise InputError(
            source,
            f"{text!r}: the law of {code}{hint} in this rule pack has no power to designate a "
            f"supplier; jurisdictions with one: {', '.join(with_powers) or 'none'}",
        )
    return Assumption(code, group, day)


def _usable(loaded: LoadedPower, day: dt.date) -> bool:
    """Whether the law conferring the power existed, and had not ended, on ``day``."""
    start, ended = loaded.instrument.start, loaded.instrument.ended
    return (start is None or start <= day) and (ended is None or day < ended)


def used_against(pack: RulePack, loaded: LoadedPower, group: str, day: dt.date) -> bool:
    """Whether the power has been used against ``group`` by ``day`` (a designation listed in its
    ``used``): the law in force then says what follows, and no latent exposure is shown."""
    # indexed once per pack: latent() and the vendor matrix ask per power and vendor group
    names = pack.cache.get("designations")
    if names is None:
        names = pack.cache["designations"] = {
            d.id: d for item in pack.obligations if (d := item.designation) is not None
        }
    return any(
        (des := names.get(des_id)) is not None
        and group in des.vendor_groups
        and des.since <= day
        and (des.ended is None or day < des.ended)
        for des_id in loaded.power.used
    )


def _supplier_powers(pack: RulePack, code: str) -> list[LoadedPower]:
    return [
        p
        for p in sorted(pack.powers.values(), key=lambda p: p.power.id)
        if p.jurisdiction == code and p.power.names == "supplier"
    ]


def _decided(
    loaded: LoadedPower, duty: PowerDuty, group: str, group_name: str, day: dt.date
) -> tuple[Designation, Obligation]:
    """The designation and obligation a decision naming ``group`` on ``day`` would make."""
    power: Power = loaded.power
    des = Designation(
        id=f"{power.id}.assumed-{group.replace('_', '-')}",
        vendor_groups=[group],
        since=day,
        scope=f"assumed: {power.authority} names {group_name} under {power.title}",
        citation=power.citation,
        url=power.url,
        verified=False,
    )
    start = duty.effective_after.after(day)
    data: dict[str, Any] = {
        "id": f"{duty.id}.assumed-{group.replace('_', '-')}",
        "kind": duty.kind,
        # marked wherever the title is shown: a report, a table, a procurement reason
        "title": f"[what-if] {duty.title}",
        "duty": duty.duty,
        "roles": list(power.roles),
        "assets": duty.assets.model_copy(update={"designation": des.id}),
        "effective": {"from": start},
        "citation": power.citation,
        "url": power.url,
        "verified": False,
        "note": (
            f"HYPOTHETICAL: assumes that {power.authority} names {group_name} on "
            f"{day.isoformat()} under {power.title}; no such decision is known."
            + (f" {duty.note}" if duty.note else "")
        ),
    }
    if duty.deadline_after is not None:
        data["deadline"] = {"date": duty.deadline_after.after(day)}
    return des, Obligation.model_validate(data)


def assume(pack: RulePack, assumptions: list[Assumption]) -> RulePack:
    """The pack with the duties that the assumed decisions would bring into force, marked
    hypothetical. The law itself (and its fingerprint) is unchanged."""
    if not assumptions:
        return pack
    extra: list[LoadedObligation] = []
    for a in assumptions:
        name = pack.registry.groups[a.group].name
        for loaded in _supplier_powers(pack, a.jurisdiction):
            if not _usable(loaded, a.decided_on):
                continue
            for duty in loaded.power.duties:
                des, ob = _decided(loaded, duty, a.group, name, a.decided_on)
                extra.append(
                    LoadedObligation(
                        ob,
                        loaded.instrument,
                        loaded.jurisdiction,
                        des,
                        loaded.file,
                        loaded.source,
                        hypothetical=True,
                    )
                )
    sentences = tuple(
        f"What-if decision: {a.jurisdiction} names {pack.registry.groups[a.group].name} on "
        f"{a.decided_on.isoformat()} under "
        + ", ".join(p.power.title for p in _supplier_powers(pack, a.jurisdiction))
        + ". No such decision is known; its findings are marked hypothetical and counted apart."
        for a in assumptions
    )
    return replace(pack, obligations=[*pack.obligations, *extra], cache={}, assumed=sentences)


def duty_when(duty: PowerDuty) -> str:
    """When a duty would bind, in words counted from the decision."""
    if duty.deadline_after is not None:
        return f"within {duty.deadline_after.describe()} of the decision"
    after = duty.effective_after
    if after.years or after.months or after.days:
        return f"{after.describe()} after the decision"
    if duty.kind in (ObligationKind.PROHIBITION, ObligationKind.CAP):
        return "from the decision"
    # a removal or measure whose period the law leaves to the decision
    return "within the period the decision sets"


def latent(evaluation: Evaluation) -> list[dict[str, Any]]:
    """For each unused power that reaches a role the operator holds, and each designated vendor
    group in its inventory: the assets each duty would reach if the power were used against that
    group, and the deadline counted from the decision. Entries that reach no asset are left out.
    """
    pack = evaluation.pack
    held = set(evaluation.roles)
    groups = sorted(
        {
            m.group
            for m in evaluation.vendor_matches.values()
            if m.group is not None and not m.needs_review
        }
    )
    out = []
    for loaded in sorted(pack.powers.values(), key=lambda p: p.power.id):
        power = loaded.power
        start = loaded.instrument.start
        if (
            loaded.jurisdiction not in evaluation.profile.jurisdictions
            or held.isdisjoint(power.roles)
            or (start is not None and start > evaluation.as_of)
            or (loaded.instrument.ended is not None and loaded.instrument.ended <= evaluation.as_of)
        ):
            continue
        for group in groups:
            if used_against(pack, loaded, group, evaluation.as_of):
                continue  # used against this vendor: the findings say what follows
            name = pack.registry.groups[group].name
            duties = []
            for duty in power.duties:
                _, ob = _decided(loaded, duty, group, name, evaluation.as_of)
                item = LoadedObligation(
                    ob, loaded.instrument, loaded.jurisdiction, None, loaded.file, loaded.source
                )
                rule = compile_rule(item, pack)
                reach = [
                    n
                    for n, sig in enumerate(evaluation.signatures)
                    if sig.get("group") == group
                    and signature_matches(rule, sig, ignore=frozenset({"group", "relationship"}))
                ]
                ids: Sequence[str]
                if isinstance(evaluation.assets, AssetTable):  # ids made when read
                    rows = [as_rows(evaluation.members[n]) for n in reach]
                    ids = IdList(evaluation.assets, np.concatenate(rows) if rows else as_rows([]))
                else:
                    ids = sorted(
                        evaluation.assets[i].asset_id for n in reach for i in evaluation.members[n]
                    )
                if ids:
                    duties.append(
                        {
                            "id": duty.id,
                            "kind": duty.kind,
                            "title": duty.title,
                            "when": duty_when(duty),
                            "assets": ids,
                        }
                    )
            if duties:
                reached: Sequence[str]
                if isinstance(evaluation.assets, AssetTable):
                    lists = [d["assets"] for d in duties if isinstance(d["assets"], IdList)]
                    reached = IdList(
                        evaluation.assets, np.unique(np.concatenate([i.rows for i in lists]))
                    )
                else:
                    reached = sorted({a for d in duties for a in d["assets"]})
                out.append(
                    {
                        "jurisdiction": loaded.jurisdiction,
                        "power": power.id,
                        "title": power.title,
                        "authority": power.authority,
                        "citation": power.citation,
                        "url": power.url,
                        "verified": power.verified,
                        "vendor_group": group,
                        "message": (
                            f"If {power.authority} uses this power against {name}, "
                            f"{len(reached)} asset{'s' if len(reached) != 1 else ''} would be "
                            "reached: "
                            + "; ".join(f"{d['title']} ({d['when']})" for d in duties)
                            + ". Not in force: no such decision is known."
                        ),
                        "duties": duties,
                    }
                )
    return out


def watch_list(pack: RulePack, jurisdictions: list[str], as_of: dt.date) -> list[dict[str, Any]]:
    """Proposals of the given jurisdictions made by ``as_of``: law not yet made, never a
    finding."""
    rows = []
    for inst in sorted(pack.instruments.values(), key=lambda i: i.id):
        code = inst.id.split(".")[0].upper()
        if inst.type != "proposal" or code not in jurisdictions:
            continue
        if inst.start is not None and inst.start > as_of:
            continue
        rows.append(
            {
                "jurisdiction": code,
                "instrument": inst.id,
                "title": inst.title,
                "stage": inst.stage,
                "date": inst.start.isoformat() if inst.start else None,
                "citation": inst.citation,
                "url": inst.url,
                "note": inst.note,
            }
        )
    return rows
