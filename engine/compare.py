"""Side-by-side views for consultants: one operator across jurisdictions, one vendor per country.

Both reduce many findings to one cell per jurisdiction. A cell is made of *lines*, and every
statement a line makes (its measure, citation, deadline, status and assets) comes from one
finding, or, in the law-level vendor matrix, from one obligation: a cell never shows a deadline or
an asset next to a rule that does not reach it (review of Dec 2026, X-3: a German Huawei core
asset was shown under s.41 BSIG with the NIS2 registration date, when the rule that reaches it is
the contractual core exit by 31 Dec 2026).

Which line leads a cell, first test first (``Line.key``):

1. lines that reach assets before the operator's standing duties that reach none: what the
   operator must do about its kit leads a vendor-neutral duty of the operator itself;
2. binding (law or contract) before guidance;
3. among binding lines, the ones that take kit out (a prohibition or removal with an asset
   scope) before the rest, and among those the one that bites first: a removal by its deadline,
   a prohibition from its own date (its deadline, else the day it took effect). Law and
   contract are not ranked against each other here: a contract that removes kit sooner is
   never hidden behind a later statutory duty (Germany: the 2024 agreement takes Huawei out of
   the 5G core by 31 Dec 2026; the s.41 BSIG duty to comply with an order is an "assess" line,
   and follows it);
4. then law before contract, the measure (prohibition, removal, cap, assess, report), the earlier
   deadline and the obligation id.

Each line carries ``phrase``: its measure said with its own scope and date ("no new 5G kit",
"core out by 31 Dec 2023"; engine.scope_phrases), made from the same obligation as its citation.

Guidance never leads a cell that has a binding line: the strongest guidance line is given beneath
it (``guidance``), with its own citation and assets (the 2023 Commission Communication on Huawei
and ZTE beneath the NIS2 supply-chain duty). ``more`` keeps, in the same order, the further lines
that reach an asset the lines above do not name (for a binding line: no binding line above), each
with its own date (a ZTE 4G asset under the 4G removal date of 31 Dec 2027, not under the 5G
one); in the law-level vendor matrix, where no asset is known, it keeps the further measures of
another kind or date.

A prohibition that is a standing duty of the operator (no asset scope: "connect only trusted
products") reaches no asset, so it reads ``restricted``, never ``prohibited``: nothing the
operator holds is prohibited by it.

Guidance whose target date has passed (``past_target``) still fills a cell: the policy still asks
for the removal, and a cell saying "nothing" would hide it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dutybound.engine.deadlines import due_date
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.findings import Finding
from dutybound.engine.loading import LoadedObligation, RulePack
from dutybound.engine.outcomes import APPLYING, FindingStatus, RoleSource
from dutybound.engine.powers import duty_when, latent, used_against, watch_list
from dutybound.engine.roles import HeldRole
from dutybound.engine.rules import compile_rules
from dutybound.engine.scope_phrases import scope_phrase
from dutybound.engine.vocabulary import BINDS, Binding, ObligationKind

# kind -> (rank, the word a consultant's slide uses); lower rank = stronger
MEASURES: dict[ObligationKind, tuple[int, str]] = {
    ObligationKind.PROHIBITION: (0, "prohibited"),
    ObligationKind.REMOVAL: (1, "must remove"),
    ObligationKind.CAP: (2, "cap"),
    ObligationKind.RISK_ASSESSMENT: (3, "assess"),
    ObligationKind.MEASURE: (3, "assess"),
    ObligationKind.NOTIFICATION: (4, "report"),
    ObligationKind.REPORT: (4, "report"),
    ObligationKind.DISCLOSURE: (4, "report"),
}
# a prohibition addressed to the operator itself, with no asset scope: it restricts what the
# operator may do, and reaches nothing it holds
RESTRICTED = "restricted"
# law outranks contracts, which outrank guidance (the order Binding declares)
BINDING_RANK: dict[Binding, int] = {b: n for n, b in enumerate(Binding)}
# the statuses that fill a cell: in effect on the date, or guidance past its target date
LIVE: frozenset[FindingStatus] = APPLYING | {FindingStatus.PAST_TARGET}
# the kinds that take kit out of a network (with an asset scope): ranked first among binding lines
TAKES_KIT_OUT: frozenset[ObligationKind] = frozenset(
    {ObligationKind.PROHIBITION, ObligationKind.REMOVAL}
)


def measure_word(kind: ObligationKind, scoped: bool) -> str:
    """The slide word for an obligation's kind; ``scoped`` says whether it has an asset scope."""
    if kind == ObligationKind.PROHIBITION and not scoped:
        return RESTRICTED
    return MEASURES[kind][1]


def measure_label(measure: str, due: dt.date | str | None, binding: Binding | str | None) -> str:
    """The words for a slide: 'must remove by 2027-12-31', 'assess (guidance)'."""
    text = measure
    if due:
        text += f" by {due if isinstance(due, str) else due.isoformat()}"
    if binding and binding != Binding.LAW:
        text += f" ({binding})"
    return text


@dataclass(frozen=True)
class Line:
    """One finding (or, in the law-level matrix, one obligation) as a cell shows it: every field
    is that finding's own."""

    measure: str
    binding: Binding
    obligation_id: str
    title: str
    citation: str
    url: str
    due: dt.date | None
    status: FindingStatus
    verified: bool
    assets: list[str]
    # the obligation has an asset scope (it is about kit); False for a duty of the operator itself
    scoped: bool
    kind: ObligationKind
    # when the line's rule starts (shown for what-if lines: their dates count from the decision)
    effective_from: dt.date | None = None
    # the measure with its own scope and date, for a slide (engine.scope_phrases)
    phrase: str = ""

    @property
    def takes_kit_out(self) -> bool:
        """A prohibition or removal with an asset scope: the line says kit must go."""
        return self.scoped and self.kind in TAKES_KIT_OUT

    def bites(self) -> dt.date:
        """When a kit-removing line bites: a removal's deadline; a prohibition's deadline, else
        the day it took effect. ``date.max`` for a line without either."""
        if self.kind is ObligationKind.PROHIBITION:
            return self.due or self.effective_from or dt.date.max
        return self.due or dt.date.max

    def key(self) -> tuple[bool, bool, bool, dt.date, int, int, dt.date, str]:
        """The order lines lead a cell in (module docstring, tests 1 to 4)."""
        binds = self.binding in BINDS
        kit = binds and self.takes_kit_out
        return (
            not self.assets,
            not binds,
            not kit,
            self.bites() if kit else dt.date.max,
            BINDING_RANK[self.binding],
            MEASURES[self.kind][0],
            self.due or dt.date.max,
            self.obligation_id,
        )

    def label(self) -> str:
        return measure_label(self.measure, self.due, self.binding)

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "label": self.label(),
            "phrase": self.phrase,
            "from": self.effective_from.isoformat() if self.effective_from else None,
            "binding": self.binding,
            "obligation_id": self.obligation_id,
            "title": self.title,
            "citation": self.citation,
            "url": self.url,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "verified": self.verified,
            "assets": self.assets,
        }


@dataclass(frozen=True)
class Cell:
    jurisdiction: str
    measure: (
        str  # prohibited | must remove | cap | assess | report | restricted | nothing | no role
    )
    binding: Binding | None
    obligation_id: str | None
    citation: str | None
    url: str | None
    measure_due: dt.date | None  # the leading finding's own deadline
    # the earliest deadline among all findings in the cell, whichever rule it belongs to: it is
    # named by ``due_obligation_id`` and must never be shown as the leading rule's deadline
    due: dt.date | None
    status: FindingStatus | None
    verified: bool | None
    assets: list[str]  # the assets the leading finding reaches
    findings: int
    upcoming: int  # obligations not yet in effect on the date
    due_obligation_id: str | None = None
    # the strongest guidance beneath a binding leading line (None where the lead is guidance)
    guidance: Line | None = None
    # further lines that reach assets the lines above do not name (module docstring)
    more: list[Line] = field(default_factory=list)
    # every asset any finding in the cell reaches
    all_assets: list[str] = field(default_factory=list)
    # what-if lines (--assume-designation), kept apart from the law in force
    hypothetical: list[Line] = field(default_factory=list)
    # unused powers of the jurisdiction that reach the operator's roles (engine.powers): what a
    # decision under each would bring; never in force
    latent: list[dict[str, Any]] = field(default_factory=list)
    # the leading line's measure with its own scope and date (engine.scope_phrases)
    phrase: str | None = None
    title: str | None = None  # the leading line's obligation title

    def to_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "measure": self.measure,
            "label": self.label(),
            "phrase": self.phrase,
            "binding": self.binding,
            "obligation_id": self.obligation_id,
            "title": self.title,
            "citation": self.citation,
            "url": self.url,
            "measure_due": self.measure_due.isoformat() if self.measure_due else None,
            "due": self.due.isoformat() if self.due else None,
            "due_obligation_id": self.due_obligation_id,
            "status": self.status,
            "verified": self.verified,
            "assets": self.assets,
            "all_assets": self.all_assets,
            "guidance": self.guidance.to_json() if self.guidance else None,
            "more": [line.to_json() for line in self.more],
            "findings": self.findings,
            "upcoming": self.upcoming,
            "hypothetical": [line.to_json() for line in self.hypothetical],
            "latent": self.latent,
        }

    def label(self) -> str:
        """The words for a slide: 'must remove by 2027-12-31', 'assess (guidance)'."""
        return measure_label(self.measure, self.measure_due, self.binding)


def _line(
    item: LoadedObligation, status: FindingStatus, due: dt.date | None, assets: list[str]
) -> Line:
    ob, inst = item.obligation, item.instrument
    scoped = ob.assets is not None
    return Line(
        measure_word(ob.kind, scoped),
        inst.binding,
        ob.id,
        ob.title,
        ob.citation,
        ob.url,
        due,
        status,
        ob.verified and inst.verified,
        assets,
        scoped,
        ob.kind,
        item.window()[0],
        scope_phrase(ob, due),
    )


def _finding_line(finding: Finding, assets: list[str] | None = None) -> Line:
    return _line(
        finding.item,
        finding.status,
        finding.due,
        list(finding.assets) if assets is None else assets,
    )


def _cell(code: str, lines: list[Line], upcoming: int, has_role: bool) -> Cell:
    """Reduce the lines in effect to one cell (module docstring)."""
    if not lines:
        return Cell(
            code,
            "nothing" if has_role else "no role",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            [],
            0,
            upcoming,
            phrase="nothing" if has_role else "no role",
        )
    ordered = sorted(lines, key=Line.key)
    binding = [line for line in ordered if line.binding in BINDS]
    advice = [line for line in ordered if line.binding not in BINDS]
    lead = (binding or advice)[0]
    guidance = advice[0] if binding and advice else None
    shown = [lead] if guidance is None else [lead, guidance]
    # a binding line is kept for an asset no binding line above names (the guidance line does
    # not stand in for a contract's date); a guidance line, for one no line above names
    named = {a for line in shown for a in line.assets}
    named_binding = set(lead.assets) if lead.binding in BINDS else set()
    said = {(line.measure, line.due, line.binding) for line in shown}
    more = []
    for line in ordered:
        if any(line is s for s in shown):
            continue
        if line.assets:
            binds = line.binding in BINDS
            if not set(line.assets) <= (named_binding if binds else named):
                more.append(line)
                named.update(line.assets)
                if binds:
                    named_binding.update(line.assets)
        elif line.scoped and (line.measure, line.due, line.binding) not in said:
            # the law-level matrix: a measure of another kind or date for this vendor
            more.append(line)
            said.add((line.measure, line.due, line.binding))
    dated = [(line.due, line.obligation_id) for line in lines if line.due]
    earliest = min(dated) if dated else None
    return Cell(
        code,
        lead.measure,
        lead.binding,
        lead.obligation_id,
        lead.citation,
        lead.url,
        lead.due,
        earliest[0] if earliest else None,
        lead.status,
        lead.verified,
        lead.assets,
        len(lines),
        upcoming,
        earliest[1] if earliest else None,
        guidance,
        more,
        sorted({a for line in lines for a in line.assets}),
        phrase=lead.phrase,
        title=lead.title,
    )


def compare_operator(evaluation: Evaluation, jurisdictions: list[str]) -> list[Cell]:
    """One cell per jurisdiction for the evaluated operator and its assets."""
    cells = []
    exposures = latent(evaluation)
    for code in jurisdictions:
        mine = [f for f in evaluation.findings if f.item.jurisdiction == code]
        real = [f for f in mine if not f.item.hypothetical]
        has_role = any(r.startswith(code.lower() + ".") for r in evaluation.roles)
        cell = _cell(
            code,
            [_finding_line(f) for f in real if f.status in LIVE],
            sum(1 for f in real if f.status == FindingStatus.UPCOMING),
            has_role,
        )
        cells.append(
            replace(
                cell,
                hypothetical=[_finding_line(f) for f in mine if f.item.hypothetical],
                latent=[e for e in exposures if e["jurisdiction"] == code],
            )
        )
    return cells


def power_lines(
    pack: RulePack, roles: set[str], code: str, as_of: dt.date, group: str
) -> list[dict[str, Any]]:
    """The powers of a jurisdiction, not yet used against ``group``, that reach these roles on
    the date, with what a decision under each would bring: the vendor matrix's latent exposure,
    which needs no inventory (a power may name any supplier)."""
    out = []
    for loaded in sorted(pack.powers.values(), key=lambda p: p.power.id):
        power, inst = loaded.power, loaded.instrument
        if loaded.jurisdiction != code or roles.isdisjoint(power.roles):
            continue
        if used_against(pack, loaded, group, as_of):
            continue
        if (inst.start is not None and inst.start > as_of) or (
            inst.ended is not None and inst.ended <= as_of
        ):
            continue
        out.append(
            {
                "power": power.id,
                "title": power.title,
                "authority": power.authority,
                "citation": power.citation,
                "verified": power.verified,
                "duties": [
                    {"id": d.id, "kind": d.kind, "title": d.title, "when": duty_when(d)}
                    for d in power.duties
                ],
            }
        )
    return out


def _law_level_status(item: LoadedObligation, as_of: dt.date, due: dt.date | None) -> FindingStatus:
    if due is None:
        return FindingStatus.IN_FORCE
    if as_of <= due:
        return FindingStatus.DUE
    if item.instrument.binding == Binding.GUIDANCE:
        return FindingStatus.PAST_TARGET  # guidance binds no one: never "overdue"
    return FindingStatus.OVERDUE


def vendor_matrix(
    pack: RulePack,
    roles: dict[str, HeldRole],
    groups: list[str],
    jurisdictions: list[str],
    as_of: dt.date,
    evaluation: Evaluation | None = None,
) -> dict[str, list[Cell]]:
    """For each vendor group, one cell per jurisdiction: what the law in force on the date asks
    of this operator (its roles) about that vendor's kit, whatever the asset.

    This reads the obligations' vendor tests directly: it answers "what does each country do
    about Huawei for an operator like this", not "which of its assets are caught". When
    ``evaluation`` is given, an obligation whose findings reach the vendor's assets gives one
    line per finding, with that finding's own date and only the vendor's assets it reaches (and
    such lines lead the cell); an obligation that reaches none of them gives its law-level line.
    """
    held = set(roles)
    vendor_tests = {r.id: dict(r.tests).get("group") for r in compile_rules(pack)}
    by_obligation: dict[str, list[Finding]] = {}
    if evaluation is not None:
        for f in evaluation.findings:
            if f.status in LIVE and f.assets:
                by_obligation.setdefault(f.item.obligation.id, []).append(f)
    matrix: dict[str, list[Cell]] = {}
    for group in groups:
        vendor_assets: set[str] = set()
        if evaluation is not None:
            vendor_assets = {
                a.asset_id
                for a in evaluation.assets
                if evaluation.vendor_matches[a.vendor].group == group
            }
        row = []
        for code in jurisdictions:
            lines: list[Line] = []
            upcoming = 0
            calendar = pack.jurisdictions[code].calendar if code in pack.jurisdictions else None
            hypothetical: list[Line] = []
            for item in pack.obligations:
                if item.jurisdiction != code or held.isdisjoint(item.obligation.roles):
                    continue
                if not item.exists_on(as_of):
                    continue  # law adopted later did not exist on the date
                vendors = vendor_tests[item.obligation.id]
                if vendors is None or group not in vendors:
                    continue
                start, end = item.window()
                if item.hypothetical:
                    # an assumed decision's duty: shown apart, with its own dates
                    deadline = item.obligation.deadline
                    due_h = deadline.date if deadline is not None else None
                    hypothetical.append(
                        _line(item, _law_level_status(item, as_of, due_h), due_h, [])
                    )
                    continue
                if as_of < start:
                    upcoming += 1
                    continue
                if end is not None and as_of >= end:
                    continue
                reached = [
                    (f, sorted(set(f.assets) & vendor_assets))
                    for f in by_obligation.get(item.obligation.id, ())
                ]
                reached = [(f, ids) for f, ids in reached if ids]
                if reached:
                    lines.extend(_finding_line(f, ids) for f, ids in reached)
                    continue
                deadline = item.obligation.deadline
                due = (
                    due_date(deadline, start, as_of, calendar)
                    if deadline is not None
                    and deadline.after != "asset_identified"
                    and calendar is not None
                    else None
                )
                lines.append(_line(item, _law_level_status(item, as_of, due), due, []))
            has_role = any(r.startswith(code.lower() + ".") for r in held)
            cell = _cell(code, lines, upcoming, has_role)
            row.append(
                replace(
                    cell,
                    hypothetical=hypothetical,
                    latent=power_lines(pack, held, code, as_of, group),
                )
            )
        matrix[group] = row
    return matrix


# the title of the one block of an operator comparison (without --vendor)
OPERATOR_BLOCK = "Obligations by jurisdiction"


@dataclass
class Comparison:
    data: dict[str, Any]  # the JSON the CLI prints
    blocks: list[tuple[str, list[Cell]]]  # (title, cells) for tables and reports


def run_comparison(
    pack: RulePack,
    profile: Any,
    assets: Sequence[Any],
    as_of: dt.date,
    codes: list[str],
    vendors: list[str] | None,
    hypothetical: frozenset[str] = frozenset(),
    sector: str | None = None,
) -> Comparison:
    """Evaluate once and reduce to cells: per jurisdiction, or per vendor and jurisdiction.

    With ``sector``, each compared jurisdiction's roles are filled with the ones its law gives
    that sector (engine.sector_roles), held as hypothetical and listed under ``assumed_sector``.

    Raises ``InputError`` for an unknown jurisdiction or sector, or a vendor the registry cannot
    place.
    """
    from dutybound.engine.errors import InputError
    from dutybound.engine.evaluation import evaluate
    from dutybound.engine.roles import assume_roles
    from dutybound.engine.sector_roles import sector_roles
    from dutybound.engine.suggest import unknown

    for code in codes:
        if code not in pack.jurisdictions:
            raise InputError(
                "--jurisdiction",
                unknown("jurisdiction", code, pack.jurisdictions, label="this rule pack has"),
            )
    assumed = sector_roles(pack, sector, codes, as_of) if sector is not None else None
    conditions: dict[str, str | None] = {}
    if assumed is not None:
        conditions = {a.role: a.condition for a in assumed.assumed}
        new = [r for r in conditions if r not in profile.roles]
        hypothetical = hypothetical | frozenset(new)
        profile = assume_roles(pack, profile, new, source="--as-sector")
    profile = profile.model_copy(update={"jurisdictions": sorted(set(codes))})
    result = evaluate(pack, profile, assets, as_of, hypothetical=hypothetical)
    roles: list[dict[str, Any]] = []
    for h in result.roles.values():
        row: dict[str, Any] = {"role": h.role, "source": h.source}
        if h.role in conditions and h.source == RoleSource.HYPOTHETICAL:
            row.update(sector=sector, condition=conditions[h.role])
        roles.append(row)
    data: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "operator": profile.name,
        "roles": roles,
        # roles filled in for a sector (--as-sector): hypothetical, with their conditions
        "assumed_sector": assumed.to_json() if assumed is not None else None,
        # whether an inventory was given: without one, no count of affected assets means anything
        "inventory": bool(assets),
        "rulepack": {"version": pack.version, "sha256": pack.sha256},
        "jurisdictions": codes,
        "notices": [n.to_json() for n in result.notices],
        # proposals: law not yet made, never a cell (engine.powers.watch_list)
        "watch_list": watch_list(pack, codes, as_of),
    }
    blocks: list[tuple[str, list[Cell]]] = []
    if vendors:
        groups = []
        for name in vendors:
            match = pack.registry.match(name, as_of)
            if match.group is None or match.needs_review:
                raise InputError(
                    "--vendor",
                    f"{name!r} is not a vendor group in the registry (registry/vendors.yaml)",
                )
            groups.append(match.group)
        matrix = vendor_matrix(pack, result.roles, groups, codes, as_of, result if assets else None)
        data["vendors"] = [
            {
                "vendor": pack.registry.groups[g].name,
                "group": g,
                "cells": [c.to_json() for c in cells],
            }
            for g, cells in matrix.items()
        ]
        blocks = [(pack.registry.groups[g].name, cells) for g, cells in matrix.items()]
    else:
        cells = compare_operator(result, codes)
        data["cells"] = [c.to_json() for c in cells]
        blocks = [(OPERATOR_BLOCK, cells)]
    return Comparison(data, blocks)
