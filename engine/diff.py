"""What changed between two evaluations, and why; and what will change in the coming months.

A consultant re-runs a client every quarter; a compliance officer must show a regulator why an
obligation appeared. Comparing two finding lists says *what* changed but not *why*: the profile,
the inventory, the vendor registry, the law and the date may all have moved at once. So the cause
is found by counterfactual re-evaluation: starting from ``before``, the inputs are switched to
their ``after`` value one at a time, in a fixed order (profile, inventory, vendor data, law,
time), and each change is attributed to the step(s) at which it shows. Each step then explains
the change in the terms of that input: the role gained, the asset ids, the vendor string and the
group it now resolves to, the instrument/obligation/designation and its citation, the date on
which an obligation came into force or a deadline passed.

The fixed order is a convention, not a discovery: when two inputs change together (a new asset
from a newly designated vendor), the earlier step gets the credit for what it alone already
produces, and the later step for the rest. Tests pin the order so that results are stable.

``upcoming`` answers "what will apply in the next N months that does not apply today" by
evaluating the same inputs only on the dates on which something can change (a window starts or
ends, a designation begins, a deadline passes, an instrument takes effect, a vendor joins or
leaves a group), not on every day.

Nothing here reads inventories or profiles from files: a ``Side`` is built by the caller (the CLI
from files, the store from saved rows), so that stored evaluations can be diffed the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.evaluators import Evaluator, get_evaluator
from dutybound.engine.inputs import Asset, Profile, check_profile
from dutybound.engine.law import Designation
from dutybound.engine.loading import (
    LoadedObligation,
    RulePack,
    default_law_dir,
    default_registry_path,
    load_rulepack,
)
from dutybound.engine.waivers import Waiver

# The counterfactual order. Numbers are part of the output contract (``step_number``).
STEPS: tuple[str, ...] = ("profile", "inventory", "vendor_data", "law", "waivers", "time")
STEP_NUMBER: dict[str, int] = {name: n for n, name in enumerate(STEPS, start=1)}

# The change types, in the order they are listed for one obligation.
CHANGE_TYPES: tuple[str, ...] = ("appeared", "disappeared", "status", "due", "assets")

# Statuses under which an obligation binds the operator now (as opposed to upcoming, ended, or
# waived by a recorded exception).
APPLYING: frozenset[str] = frozenset({"overdue", "due", "in_force"})
# Worst first: when one obligation gives several findings (deadlines counted per asset), the
# obligation's status is the worst of them. Unknown statuses (a future one) sort last.
_STATUS_RANK: dict[str, int] = {
    "overdue": 0,
    "due": 1,
    "in_force": 2,
    "waived": 3,
    "upcoming": 4,
    "ended": 5,
}


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """Everything one evaluation depends on, already validated by the caller.

    ``law_dir`` and ``registry_path`` default to the bundled rule pack; ``hypothetical`` names
    roles of ``profile`` assumed for a what-if question (as ``engine.evaluation.evaluate``).
    """

    profile: Profile
    assets: list[Asset]
    as_of: dt.date
    law_dir: Path = field(default_factory=default_law_dir)
    registry_path: Path = field(default_factory=default_registry_path)
    hypothetical: frozenset[str] = frozenset()
    waivers: tuple[Waiver, ...] = ()  # already checked against this side's law


class PackCache:
    """Rule packs loaded once per (law_dir, registry_path): a diff evaluates up to six states
    and an upcoming scan dozens, but only ever needs two or three distinct packs."""

    def __init__(self) -> None:
        self._packs: dict[tuple[Path, Path], RulePack] = {}

    def get(self, law_dir: Path, registry_path: Path) -> RulePack:
        key = (law_dir.resolve(), registry_path.resolve())
        pack = self._packs.get(key)
        if pack is None:
            pack = self._packs[key] = load_rulepack(law_dir, registry_path)
        return pack


class _Runner:
    """Evaluates sides with one evaluator and one pack cache."""

    def __init__(self, evaluator: Evaluator | None, packs: PackCache | None) -> None:
        self.evaluator = evaluator or get_evaluator()[0]
        self.packs = packs or PackCache()

    def pack(self, side: Side) -> RulePack:
        return self.packs.get(side.law_dir, side.registry_path)

    def evaluate(self, side: Side, *, recheck_profile: bool = False) -> Evaluation:
        """Evaluate one side. An intermediate state pairs one side's profile with the other
        side's law, so the profile is checked against that law first (``InputError`` if, say, it
        names a role the older law does not have)."""
        pack = self.pack(side)
        if recheck_profile:
            check_profile(side.profile.model_dump(), pack, "profile")
        return evaluate(
            pack,
            side.profile,
            list(side.assets),
            side.as_of,
            evaluator=self.evaluator,
            hypothetical=side.hypothetical,
            waivers=list(side.waivers) if side.waivers else None,
        )


# --- one obligation's state in one evaluation -----------------------------------------------


@dataclass(frozen=True)
class ObligationState:
    """An obligation as one evaluation found it. One obligation can give several findings (one
    per due date); the diff compares obligations, so they are folded: worst status, earliest due
    date, every affected asset."""

    obligation_id: str
    status: str
    due: dt.date | None
    dues: tuple[dt.date, ...]
    assets: tuple[str, ...]
    finding_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "due": _iso(self.due),
            "dues": [d.isoformat() for d in self.dues],
            "assets": list(self.assets),
            "findings": list(self.finding_ids),
        }


def obligation_states(evaluation: Evaluation) -> dict[str, ObligationState]:
    """{obligation id: state} for one evaluation's findings."""
    grouped: dict[str, list[Any]] = {}
    for finding in evaluation.findings:
        grouped.setdefault(finding.item.obligation.id, []).append(finding)
    states = {}
    for ob_id, findings in sorted(grouped.items()):
        status = min((f.status for f in findings), key=lambda s: _STATUS_RANK.get(s, 9))
        dues = tuple(sorted({f.due for f in findings if f.due is not None}))
        assets = tuple(sorted({a for f in findings for a in f.assets}))
        states[ob_id] = ObligationState(
            ob_id,
            status,
            dues[0] if dues else None,
            dues,
            assets,
            tuple(sorted(f.id for f in findings)),
        )
    return states


# --- causes and changes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    """Why a change happened: a sentence for a person, and ``step``/``kind``/``refs`` for a
    machine (refs name the asset ids, vendor string and group, instrument, citation or date)."""

    step: str
    kind: str
    text: str
    refs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "step_number": STEP_NUMBER[self.step],
            "kind": self.kind,
            "text": self.text,
            "refs": self.refs,
        }


@dataclass
class Change:
    """One obligation that appeared, disappeared, or changed status, due date or assets."""

    obligation_id: str
    jurisdiction: str
    title: str
    obligation_kind: str
    change: str
    before: ObligationState | None
    after: ObligationState | None
    causes: list[Cause] = field(default_factory=list)

    @property
    def assets_added(self) -> list[str]:
        return sorted(
            set(self.after.assets if self.after else ())
            - set(self.before.assets if self.before else ())
        )

    @property
    def assets_removed(self) -> list[str]:
        return sorted(
            set(self.before.assets if self.before else ())
            - set(self.after.assets if self.after else ())
        )

    @property
    def steps(self) -> list[str]:
        """The steps this change is attributed to, in counterfactual order."""
        return sorted({c.step for c in self.causes}, key=STEP_NUMBER.__getitem__)

    def to_json(self) -> dict[str, Any]:
        return {
            "obligation_id": self.obligation_id,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "kind": self.obligation_kind,
            "change": self.change,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
            "assets_added": self.assets_added,
            "assets_removed": self.assets_removed,
            "steps": self.steps,
            "causes": [c.to_json() for c in self.causes],
        }


def _changed(change: str, a: ObligationState | None, b: ObligationState | None) -> bool:
    """Whether ``change`` (one of CHANGE_TYPES) holds between states ``a`` and ``b``."""
    if change == "appeared":
        return a is None and b is not None
    if change == "disappeared":
        return a is not None and b is None
    if a is None or b is None:
        return False
    return {
        "status": a.status != b.status,
        "due": a.dues != b.dues,
        "assets": a.assets != b.assets,
    }[change]


def _shows_at(change: str, a: ObligationState | None, b: ObligationState | None) -> bool:
    """Whether a step from ``a`` to ``b`` contributes to ``change``: the change itself, or the
    obligation coming or going on the way (which carries its status, due date and assets)."""
    if change in ("appeared", "disappeared"):
        return (a is None) != (b is None)
    return (a is None) != (b is None) or _changed(change, a, b)


def is_new_overdue(change: Change) -> bool:
    """An obligation overdue after that was not overdue (or not there) before."""
    return (
        change.after is not None
        and change.after.status == "overdue"
        and (change.before is None or change.before.status != "overdue")
    )


def is_new_prohibited(change: Change) -> bool:
    """A binding prohibition that now reaches the operator where it did not: newly applying,
    or reaching assets it did not reach before."""
    if change.obligation_kind != "prohibition" or change.after is None:
        return False
    if change.after.status not in APPLYING:
        return False
    if change.before is None or change.before.status not in APPLYING:
        return True
    return bool(change.assets_added)


# --- the input changes of each step, for the reader ---------------------------------------


def _asset_key(asset: Asset) -> Asset:
    """An asset without its line number: moving a row in the file is not an edit."""
    return asset._replace(line=0)


def inventory_delta(
    before: Iterable[Asset],
    after: Iterable[Asset],
) -> dict[str, list[str]]:
    """Asset ids added, removed and edited between two inventories."""
    a = {x.asset_id: _asset_key(x) for x in before}
    b = {x.asset_id: _asset_key(x) for x in after}
    return {
        "added": sorted(b.keys() - a.keys()),
        "removed": sorted(a.keys() - b.keys()),
        "edited": sorted(k for k in a.keys() & b.keys() if a[k] != b[k]),
    }


def _edited_fields(a: Asset, b: Asset) -> list[str]:
    return [
        name for name in Asset._fields if name != "line" and getattr(a, name) != getattr(b, name)
    ]


def _profile_delta(a: Evaluation, b: Evaluation) -> dict[str, Any]:
    pa, pb = a.profile, b.profile
    attributes = {
        k: [pa.attributes.get(k), pb.attributes.get(k)]
        for k in sorted(pa.attributes.keys() | pb.attributes.keys())
        if pa.attributes.get(k) != pb.attributes.get(k)
    }
    return {
        "roles_added": sorted(b.roles.keys() - a.roles.keys()),
        "roles_removed": sorted(a.roles.keys() - b.roles.keys()),
        "jurisdictions_added": sorted(set(pb.jurisdictions) - set(pa.jurisdictions)),
        "jurisdictions_removed": sorted(set(pa.jurisdictions) - set(pb.jurisdictions)),
        "sectors_added": sorted(set(pb.sectors) - set(pa.sectors)),
        "sectors_removed": sorted(set(pa.sectors) - set(pb.sectors)),
        "attributes_changed": attributes,
    }


def _vendor_delta(a: Evaluation, b: Evaluation) -> list[dict[str, Any]]:
    rows = []
    for vendor in sorted(a.vendor_matches.keys() & b.vendor_matches.keys()):
        ma, mb = a.vendor_matches[vendor], b.vendor_matches[vendor]
        if _resolution(ma) != _resolution(mb):
            rows.append({"vendor": vendor, "before": ma.to_json(), "after": mb.to_json()})
    return rows


def _designations(pack: RulePack) -> dict[str, Designation]:
    """The designations the pack's obligations rely on (the pack keeps no separate index)."""
    return {i.designation.id: i.designation for i in pack.obligations if i.designation}


def _law_delta(a: RulePack, b: RulePack) -> dict[str, Any]:
    obs_a = {i.obligation.id: i for i in a.obligations}
    obs_b = {i.obligation.id: i for i in b.obligations}
    des_a, des_b = _designations(a), _designations(b)
    return {
        "rulepack_before": {"version": a.version, "sha256": a.sha256},
        "rulepack_after": {"version": b.version, "sha256": b.sha256},
        "instruments_added": sorted(b.instruments.keys() - a.instruments.keys()),
        "instruments_removed": sorted(a.instruments.keys() - b.instruments.keys()),
        "instruments_amended": sorted(
            k
            for k in a.instruments.keys() & b.instruments.keys()
            if a.instruments[k] != b.instruments[k]
        ),
        "designations_added": sorted(des_b.keys() - des_a.keys()),
        "designations_removed": sorted(des_a.keys() - des_b.keys()),
        "designations_amended": sorted(
            k for k in des_a.keys() & des_b.keys() if des_a[k] != des_b[k]
        ),
        "obligations_added": sorted(obs_b.keys() - obs_a.keys()),
        "obligations_removed": sorted(obs_a.keys() - obs_b.keys()),
        "obligations_amended": sorted(
            k for k in obs_a.keys() & obs_b.keys() if obs_a[k].obligation != obs_b[k].obligation
        ),
    }


def _resolution(match: Any) -> tuple[Any, ...]:
    """What of a vendor match decides the rules: the group and relationship, unless uncertain."""
    return (None, None, True) if match.needs_review else (match.group, match.relationship, False)


# --- explaining one step --------------------------------------------------------------------


@dataclass
class _Transition:
    """One counterfactual step: the same inputs but for ``steps`` (usually one)."""

    steps: tuple[str, ...]
    side_a: Side
    side_b: Side
    eval_a: Evaluation
    eval_b: Evaluation
    states_a: dict[str, ObligationState]
    states_b: dict[str, ObligationState]

    def item(self, ob_id: str) -> LoadedObligation:
        """The obligation as the later state's law has it (or the earlier's, if removed)."""
        for pack in (self.eval_b.pack, self.eval_a.pack):
            try:
                return pack.obligation(ob_id)
            except KeyError:
                continue
        raise KeyError(ob_id)

    def touched_assets(self, ob_id: str) -> tuple[list[str], list[str]]:
        """Asset ids the obligation gained and lost at this step."""
        a, b = self.states_a.get(ob_id), self.states_b.get(ob_id)
        before = set(a.assets) if a else set()
        after = set(b.assets) if b else set()
        return sorted(after - before), sorted(before - after)


Explainer = Callable[[_Transition, str, str], list[Cause]]


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _ids(ids: list[str]) -> str:
    return ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")


def _explain_profile(t: _Transition, ob_id: str, change: str) -> list[Cause]:
    item = t.item(ob_id)
    addressed = set(item.obligation.roles)
    causes = []
    for role in sorted((t.eval_b.roles.keys() - t.eval_a.roles.keys()) & addressed):
        held = t.eval_b.roles[role]
        why = f" ({'; '.join(held.reasons)})" if held.reasons else ""
        causes.append(
            Cause(
                "profile",
                "role_gained",
                f"The operator now holds role {role} ({held.source}){why}, which "
                f"{ob_id} addresses.",
                {"role": role, "source": held.source},
            )
        )
    for role in sorted((t.eval_a.roles.keys() - t.eval_b.roles.keys()) & addressed):
        causes.append(
            Cause(
                "profile",
                "role_lost",
                f"The operator no longer holds role {role}, which {ob_id} addresses.",
                {"role": role},
            )
        )
    code = item.jurisdiction
    was, now = code in t.side_a.profile.jurisdictions, code in t.side_b.profile.jurisdictions
    if was != now:
        verb = "now lists" if now else "no longer lists"
        causes.append(
            Cause(
                "profile",
                "jurisdiction_added" if now else "jurisdiction_removed",
                f"The profile {verb} jurisdiction {code}.",
                {"jurisdiction": code},
            )
        )
    if not causes:
        delta = _profile_delta(t.eval_a, t.eval_b)
        changed = sorted(k for k, v in delta.items() if v)
        causes.append(
            Cause(
                "profile",
                "profile_changed",
                "The operator profile changed (" + (", ".join(changed) or "name") + ").",
                {"fields": changed, **{k: delta[k] for k in changed}},
            )
        )
    return causes


def _explain_inventory(t: _Transition, ob_id: str, change: str) -> list[Cause]:
    a = {x.asset_id: x for x in t.side_a.assets}
    b = {x.asset_id: x for x in t.side_b.assets}
    gained, lost = t.touched_assets(ob_id)
    state = t.states_b.get(ob_id) or t.states_a.get(ob_id)
    candidates = set(gained) | set(lost) | set(state.assets if state else ())
    added = sorted(i for i in candidates if i in b and i not in a)
    removed = sorted(i for i in candidates if i in a and i not in b)
    edited = sorted(
        i for i in candidates if i in a and i in b and _asset_key(a[i]) != _asset_key(b[i])
    )
    if not (added or removed or edited):
        # e.g. a cap's share moved because assets of other vendors in its scope changed
        delta = inventory_delta(t.side_a.assets, t.side_b.assets)
        added, removed, edited = delta["added"], delta["removed"], delta["edited"]
    causes = []
    if added:
        causes.append(
            Cause(
                "inventory",
                "asset_added",
                f"Inventory: asset{'s' if len(added) > 1 else ''} {_ids(added)} added.",
                {"assets": added},
            )
        )
    if removed:
        causes.append(
            Cause(
                "inventory",
                "asset_removed",
                f"Inventory: asset{'s' if len(removed) > 1 else ''} {_ids(removed)} removed.",
                {"assets": removed},
            )
        )
    if edited:
        fields = {i: _edited_fields(a[i], b[i]) for i in edited}
        what = "; ".join(f"{i} ({', '.join(f)})" for i, f in fields.items())
        causes.append(
            Cause(
                "inventory",
                "asset_edited",
                f"Inventory: edited {what}.",
                {"assets": edited, "fields": fields},
            )
        )
    return causes


def _vendor_sentence(vendor: str, before: Any, after: Any, pack: RulePack) -> str:
    if after.group and not after.needs_review:
        group = pack.registry.groups[after.group].name
        return (
            f"Vendor data: {vendor!r} now resolves to the {group} group ({after.group}) as "
            f"{after.entity}, {after.relationship} (by {after.method})"
        )
    if before.group and not before.needs_review:
        return f"Vendor data: {vendor!r} no longer resolves to group {before.group}"
    return f"Vendor data: {vendor!r} is now resolved differently ({after.method})"


def _explain_vendor_data(t: _Transition, ob_id: str, change: str) -> list[Cause]:
    gained, lost = t.touched_assets(ob_id)
    state = t.states_b.get(ob_id) or t.states_a.get(ob_id)
    ids = set(gained) | set(lost) | set(state.assets if state else ())
    by_vendor: dict[str, list[str]] = {}
    for asset in t.side_b.assets:
        if asset.asset_id in ids:
            by_vendor.setdefault(asset.vendor, []).append(asset.asset_id)
    item = t.item(ob_id)
    designation = item.designation
    causes = []
    for vendor, assets in sorted(by_vendor.items()):
        before, after = t.eval_a.vendor_matches[vendor], t.eval_b.vendor_matches[vendor]
        if _resolution(before) == _resolution(after):
            continue
        text = _vendor_sentence(vendor, before, after, t.eval_b.pack)
        refs: dict[str, Any] = {
            "vendor": vendor,
            "group": _resolution(after)[0],
            "group_before": _resolution(before)[0],
            "entity": after.entity,
            "relationship": after.relationship,
            "method": after.method,
            "assets": sorted(assets),
        }
        if designation is not None and after.group in designation.vendor_groups:
            text += f", a group designated by {designation.id} [{designation.citation}]"
            refs["designation"] = designation.id
        causes.append(
            Cause("vendor_data", "vendor_resolved", text + f"; assets {_ids(assets)}.", refs)
        )
    return causes or [Cause("vendor_data", "registry_changed", "The vendor registry changed.", {})]


def _item_or_none(pack: RulePack, ob_id: str) -> LoadedObligation | None:
    try:
        return pack.obligation(ob_id)
    except KeyError:
        return None


def _model_fields(a: Any, b: Any) -> list[str]:
    da, db = a.model_dump(), b.model_dump()
    return sorted(k for k in da.keys() | db.keys() if da.get(k) != db.get(k))


def _added_law_causes(item: LoadedObligation, old: RulePack) -> list[Cause]:
    ob, inst = item.obligation, item.instrument
    causes = [
        Cause(
            "law",
            "obligation_added",
            f"Law: new obligation {ob.id} ({ob.title}) [{ob.citation}].",
            {"obligation": ob.id, "instrument": inst.id, "citation": ob.citation},
        )
    ]
    if inst.id not in old.instruments:
        causes.append(
            Cause(
                "law",
                "instrument_added",
                f"Law: new instrument {inst.id}, {inst.title} [{inst.citation}].",
                {"instrument": inst.id, "citation": inst.citation, "in_force": _iso(inst.in_force)},
            )
        )
    des = item.designation
    if des is not None and des.id not in _designations(old):
        causes.append(
            Cause(
                "law",
                "designation_added",
                f"Law: new designation {des.id} of {', '.join(des.vendor_groups)} "
                f"from {_fmt(des.since)} [{des.citation}].",
                {
                    "designation": des.id,
                    "vendor_groups": list(des.vendor_groups),
                    "since": des.since.isoformat(),
                    "citation": des.citation,
                },
            )
        )
    return causes


def _amended_law_causes(old: LoadedObligation, new: LoadedObligation) -> list[Cause]:
    causes = []
    ob = new.obligation
    if old.obligation != ob:
        fields = _model_fields(old.obligation, ob)
        causes.append(
            Cause(
                "law",
                "obligation_amended",
                f"Law: obligation {ob.id} amended ({', '.join(fields)}) [{ob.citation}].",
                {"obligation": ob.id, "fields": fields, "citation": ob.citation},
            )
        )
    if old.designation != new.designation and new.designation is not None:
        des = new.designation
        kind = (
            "designation_amended"
            if old.designation and old.designation.id == des.id
            else "designation_added"
        )
        fields = _model_fields(old.designation, des) if kind == "designation_amended" else []
        causes.append(
            Cause(
                "law",
                kind,
                f"Law: designation {des.id} of {', '.join(des.vendor_groups)} "
                f"{'amended (' + ', '.join(fields) + ')' if fields else 'relied on'} "
                f"[{des.citation}].",
                {
                    "designation": des.id,
                    "fields": fields,
                    "vendor_groups": list(des.vendor_groups),
                    "citation": des.citation,
                },
            )
        )
    if old.instrument != new.instrument:
        inst = new.instrument
        fields = _model_fields(old.instrument, inst)
        causes.append(
            Cause(
                "law",
                "instrument_amended",
                f"Law: instrument {inst.id} amended ({', '.join(fields)}) [{inst.citation}].",
                {"instrument": inst.id, "fields": fields, "citation": inst.citation},
            )
        )
    return causes


def _explain_law(t: _Transition, ob_id: str, change: str) -> list[Cause]:
    old, new = _item_or_none(t.eval_a.pack, ob_id), _item_or_none(t.eval_b.pack, ob_id)
    if new is not None and old is None:
        return _added_law_causes(new, t.eval_a.pack)
    if old is not None and new is None:
        ob = old.obligation
        return [
            Cause(
                "law",
                "obligation_removed",
                f"Law: obligation {ob.id} removed from the rule pack [{ob.citation}].",
                {"obligation": ob.id, "instrument": old.instrument.id, "citation": ob.citation},
            )
        ]
    assert old is not None and new is not None
    causes = _amended_law_causes(old, new)
    code = new.jurisdiction
    if not causes and t.eval_a.pack.jurisdictions.get(code) != t.eval_b.pack.jurisdictions[code]:
        causes.append(
            Cause(
                "law",
                "jurisdiction_amended",
                f"Law: {code} jurisdiction data (roles, territory) amended.",
                {"jurisdiction": code},
            )
        )
    return causes or [Cause("law", "law_changed", "The rule pack changed.", {})]


def _between(day: dt.date | None, lo: dt.date, hi: dt.date) -> bool:
    """Whether ``day`` falls in (lo, hi]: the dates a move from lo to hi crosses."""
    return day is not None and lo < day <= hi


def _window_causes(item: LoadedObligation, t0: dt.date, t1: dt.date) -> list[Cause]:
    lo, hi, forward = min(t0, t1), max(t0, t1), t1 > t0
    ob, inst, des = item.obligation, item.instrument, item.designation
    start, end = item.window()
    causes = []
    if _between(start, lo, hi):
        if forward:
            text = f"Time: {ob.id} came into force on {_fmt(start)} [{ob.citation}]."
        else:
            text = f"Time: on {_fmt(t1)}, {ob.id} was not yet in force (from {_fmt(start)})."
        causes.append(
            Cause(
                "time",
                "came_into_force" if forward else "not_yet_in_force",
                text,
                {"obligation": ob.id, "date": start.isoformat(), "citation": ob.citation},
            )
        )
        if inst.in_force == start:
            causes.append(
                Cause(
                    "time",
                    "instrument_in_force",
                    f"Time: instrument {inst.id} took effect on "
                    f"{_fmt(inst.in_force)} [{inst.citation}].",
                    {
                        "instrument": inst.id,
                        "date": inst.in_force.isoformat(),
                        "citation": inst.citation,
                    },
                )
            )
    if des is not None and _between(des.since, lo, hi):
        causes.append(
            Cause(
                "time",
                "designation_began",
                f"Time: designation {des.id} of {', '.join(des.vendor_groups)} began "
                f"on {_fmt(des.since)} [{des.citation}].",
                {
                    "designation": des.id,
                    "date": des.since.isoformat(),
                    "vendor_groups": list(des.vendor_groups),
                    "citation": des.citation,
                },
            )
        )
    if end is not None and _between(end, lo, hi):
        what = _ended_by(item, end)
        text = (
            f"Time: {ob.id} ended on {_fmt(end)} ({what})."
            if forward
            else f"Time: on {_fmt(t1)}, {ob.id} had not yet ended (it ends {_fmt(end)})."
        )
        causes.append(
            Cause(
                "time",
                "ended" if forward else "not_yet_ended",
                text,
                {"obligation": ob.id, "date": end.isoformat(), "ended_by": what},
            )
        )
    return causes


def _ended_by(item: LoadedObligation, end: dt.date) -> str:
    """Which end date closes the window: the obligation's own, its instrument's or its
    designation's."""
    if item.obligation.effective.ended == end:
        return f"its own end date [{item.obligation.citation}]"
    if item.instrument.ended == end:
        return f"instrument {item.instrument.id} ended"
    assert item.designation is not None
    return f"designation {item.designation.id} ended"


def _deadline_causes(
    item: LoadedObligation,
    a: ObligationState | None,
    b: ObligationState | None,
    t0: dt.date,
    t1: dt.date,
) -> list[Cause]:
    lo, hi, forward = min(t0, t1), max(t0, t1), t1 > t0
    dues = sorted({*(a.dues if a else ()), *(b.dues if b else ())})
    ob = item.obligation
    causes = []
    for due in dues:
        if lo <= due < hi:  # overdue from the day after the due date
            text = (
                f"Time: the deadline of {_fmt(due)} passed [{ob.citation}]."
                if forward
                else f"Time: on {_fmt(t1)}, the deadline of {_fmt(due)} had not yet passed."
            )
            causes.append(
                Cause(
                    "time",
                    "deadline_passed" if forward else "deadline_not_passed",
                    text,
                    {"obligation": ob.id, "date": due.isoformat(), "citation": ob.citation},
                )
            )
    deadline = ob.deadline
    if a and b and a.dues != b.dues and deadline and deadline.after == "asset_identified":
        causes.append(
            Cause(
                "time",
                "deadline_from_evaluation_date",
                f"Time: the deadline ({deadline.describe()}) is counted from the "
                f"evaluation date for assets with no identified_on date.",
                {"obligation": ob.id, "deadline": deadline.describe()},
            )
        )
    return causes


def _membership_causes(t: _Transition, ob_id: str) -> list[Cause]:
    """Vendors that joined or left a group between the two dates (registry since/until)."""
    gained, lost = t.touched_assets(ob_id)
    ids = set(gained) | set(lost)
    vendors = sorted({a.vendor for a in t.side_b.assets if a.asset_id in ids})
    causes = []
    for vendor in vendors:
        ma, mb = t.eval_a.vendor_matches[vendor], t.eval_b.vendor_matches[vendor]
        if _resolution(ma) == _resolution(mb):
            continue
        entity = mb.entity or ma.entity
        group = mb.group or ma.group
        date = _membership_date(t.eval_b.pack, group, entity, t.side_a.as_of, t.side_b.as_of)
        causes.append(
            Cause(
                "time",
                "vendor_membership",
                f"Time: {vendor!r} ({entity}) is "
                f"{mb.relationship or 'not a member'} of group {group} on "
                f"{_fmt(t.side_b.as_of)}, not {ma.relationship or 'a member'}"
                + (f" (membership changed on {_fmt(date)})." if date else "."),
                {
                    "vendor": vendor,
                    "entity": entity,
                    "group": group,
                    "date": _iso(date),
                    "relationship_before": ma.relationship,
                    "relationship_after": mb.relationship,
                },
            )
        )
    return causes


def _membership_date(
    pack: RulePack, group: str | None, entity: str | None, t0: dt.date, t1: dt.date
) -> dt.date | None:
    if group is None or group not in pack.registry.groups:
        return None
    for ent in pack.registry.groups[group].entities:
        if ent.name == entity:
            for day in (ent.since, ent.until):
                if _between(day, min(t0, t1), max(t0, t1)):
                    return day
    return None


# Which time causes can explain which change: moving the date changes an obligation's status
# through its window and deadlines, but makes it appear or disappear only by its window's end
# (ended obligations are not listed) or by a vendor joining or leaving a group.
_TIME_KINDS: dict[str, frozenset[str]] = {
    "appeared": frozenset({"not_yet_ended"}),
    "disappeared": frozenset({"ended"}),
    "status": frozenset(
        {
            "came_into_force",
            "not_yet_in_force",
            "instrument_in_force",
            "designation_began",
            "deadline_passed",
            "deadline_not_passed",
        }
    ),
    "due": frozenset({"deadline_from_evaluation_date"}),
    "assets": frozenset(),
}


def _explain_time(t: _Transition, ob_id: str, change: str) -> list[Cause]:
    item = t.item(ob_id)
    t0, t1 = t.side_a.as_of, t.side_b.as_of
    a, b = t.states_a.get(ob_id), t.states_b.get(ob_id)
    causes = [
        c
        for c in _window_causes(item, t0, t1) + _deadline_causes(item, a, b, t0, t1)
        if c.kind in _TIME_KINDS[change]
    ]
    causes += _membership_causes(t, ob_id)
    if change == "status":
        causes += _waiver_time_causes(t, ob_id)
    return causes or [
        Cause(
            "time",
            "date_moved",
            f"Time: the evaluation date moved from {_fmt(t0)} to {_fmt(t1)}.",
            {"from": t0.isoformat(), "to": t1.isoformat()},
        )
    ]


def _finding_waivers(evaluation: Evaluation, ob_id: str) -> dict[str, dict[str, Any]]:
    """The waivers attached to an obligation's findings, by waiver id."""
    out: dict[str, dict[str, Any]] = {}
    for finding in evaluation.findings:
        if finding.item.obligation.id == ob_id:
            for w in finding.to_json().get("waivers") or []:
                out.setdefault(w["id"], w)
    return out


def _waiver_text(w: dict[str, Any]) -> str:
    until = f" until {w['expires_on']}" if w.get("expires_on") else " with no expiry"
    return (
        f"waiver {w['id']} ({w['basis_title']} [{w['citation']}], ref. {w['reference']}, "
        f"{w['approver']}){until}"
    )


def _explain_waivers(t: _Transition, ob_id: str, change: str) -> list[Cause]:
    """A waiver recorded or withdrawn between the two evaluations."""
    before, after = _finding_waivers(t.eval_a, ob_id), _finding_waivers(t.eval_b, ob_id)
    causes = [
        Cause(
            "waivers",
            "waiver_added",
            f"Waivers: {_waiver_text(w)} was recorded.",
            {"waiver": wid, "basis": w["basis"], "standing": w["standing"]},
        )
        for wid, w in sorted(after.items())
        if wid not in before
    ]
    causes += [
        Cause(
            "waivers",
            "waiver_removed",
            f"Waivers: {_waiver_text(w)} is no longer recorded.",
            {"waiver": wid, "basis": w["basis"]},
        )
        for wid, w in sorted(before.items())
        if wid not in after
    ]
    return causes or [
        Cause("waivers", "waivers_changed", "Waivers: the waiver records changed.", {})
    ]


def _waiver_time_causes(t: _Transition, ob_id: str) -> list[Cause]:
    """A waiver that took effect or expired between the two dates."""
    lo, hi = sorted((t.side_a.as_of, t.side_b.as_of))
    causes = []
    seen = {**_finding_waivers(t.eval_a, ob_id), **_finding_waivers(t.eval_b, ob_id)}
    for wid, w in sorted(seen.items()):
        for key, kind, verb in (
            ("granted_on", "waiver_began", "took effect"),
            ("expires_on", "waiver_expired", "expired"),
        ):
            day = dt.date.fromisoformat(w[key]) if w.get(key) else None
            if day is not None and lo < day <= hi:
                causes.append(
                    Cause(
                        "time",
                        kind,
                        f"Time: {_waiver_text(w)} {verb} on {_fmt(day)}.",
                        {"waiver": wid, "date": day.isoformat(), "basis": w["basis"]},
                    )
                )
    return causes


EXPLAINERS: dict[str, Explainer] = {
    "profile": _explain_profile,
    "inventory": _explain_inventory,
    "vendor_data": _explain_vendor_data,
    "law": _explain_law,
    "waivers": _explain_waivers,
    "time": _explain_time,
}


# --- the diff -------------------------------------------------------------------------------


@dataclass
class Diff:
    """The changes between two evaluations, each with its causes, and what moved in the inputs."""

    before: Evaluation
    after: Evaluation
    inputs: dict[str, Any]
    changes: list[Change]

    def new_overdue(self) -> list[str]:
        return sorted({c.obligation_id for c in self.changes if is_new_overdue(c)})

    def new_prohibited(self) -> list[str]:
        return sorted({c.obligation_id for c in self.changes if is_new_prohibited(c)})

    def summary(self) -> dict[str, Any]:
        by_change = Counter(c.change for c in self.changes)
        by_step = Counter(s for c in self.changes for s in c.steps)
        return {
            "changes": len(self.changes),
            "by_change": {k: by_change[k] for k in CHANGE_TYPES if by_change[k]},
            "by_step": {k: by_step[k] for k in STEPS if by_step[k]},
            "new_overdue": len(self.new_overdue()),
            "new_prohibited": len(self.new_prohibited()),
            "new_overdue_obligations": self.new_overdue(),
            "new_prohibited_obligations": self.new_prohibited(),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "before": _side_json(self.before),
            "after": _side_json(self.after),
            "inputs": self.inputs,
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes],
        }


def _side_json(evaluation: Evaluation) -> dict[str, Any]:
    digest = hashlib.sha256()
    for asset in evaluation.assets:
        digest.update(repr(_asset_key(asset)).encode() + b"\0")
    return {
        "as_of": evaluation.as_of.isoformat(),
        "operator": evaluation.profile.name,
        "rulepack": {"version": evaluation.pack.version, "sha256": evaluation.pack.sha256},
        "assets": len(evaluation.assets),
        "assets_sha256": digest.hexdigest(),
        "findings": len(evaluation.findings),
    }


def _differs(step: str, a: Side, b: Side) -> bool:
    """Whether a step changes anything, so that unchanged steps cost no evaluation."""
    if step == "profile":
        return a.profile != b.profile or a.hypothetical != b.hypothetical
    if step == "inventory":
        return [_asset_key(x) for x in a.assets] != [_asset_key(x) for x in b.assets]
    if step == "vendor_data":
        return (
            a.registry_path.resolve() != b.registry_path.resolve()
            and a.registry_path.read_bytes() != b.registry_path.read_bytes()
        )
    if step == "law":
        return a.law_dir.resolve() != b.law_dir.resolve()
    if step == "waivers":
        return _waiver_keys(a.waivers) != _waiver_keys(b.waivers)
    return a.as_of != b.as_of


def _waiver_keys(waivers: Iterable[Waiver]) -> list[dict[str, Any]]:
    return sorted((w.to_json() for w in waivers), key=lambda w: w["id"])


def _switch(side: Side, step: str, target: Side) -> Side:
    """``side`` with the input of ``step`` taken from ``target``."""
    return {
        "profile": lambda: replace(side, profile=target.profile, hypothetical=target.hypothetical),
        "inventory": lambda: replace(side, assets=target.assets),
        "vendor_data": lambda: replace(side, registry_path=target.registry_path),
        "law": lambda: replace(side, law_dir=target.law_dir),
        "waivers": lambda: replace(side, waivers=target.waivers),
        "time": lambda: replace(side, as_of=target.as_of),
    }[step]()


def _transitions(
    runner: _Runner,
    before: Side,
    after: Side,
) -> tuple[Evaluation, Evaluation, list[_Transition]]:
    """Walk from ``before`` to ``after`` one input at a time. An intermediate state that cannot
    be evaluated (the new profile names a role the old law lacks, the old law names a vendor
    group the new registry dropped) is skipped: its step is merged into the next one."""
    first = runner.evaluate(before)
    side, evaluation, states = before, first, obligation_states(first)
    cursor = before  # every switch made so far, including those of a skipped state
    pending: list[str] = []
    transitions = []
    for step in STEPS:
        if not _differs(step, cursor, after):
            continue
        pending.append(step)
        cursor = _switch(cursor, step, after)
        last = not any(_differs(s, cursor, after) for s in STEPS)
        try:
            ev = runner.evaluate(cursor, recheck_profile=not last)
        except InputError:
            if last:
                raise
            continue
        nstates = obligation_states(ev)
        transitions.append(
            _Transition(tuple(pending), side, cursor, evaluation, ev, states, nstates)
        )
        side, evaluation, states, pending = cursor, ev, nstates, []
    return first, evaluation, transitions


def _final_changes(
    a: dict[str, ObligationState],
    b: dict[str, ObligationState],
) -> list[tuple[str, str]]:
    """(obligation id, change type) pairs between the first and last states."""
    out = []
    for ob_id in sorted(a.keys() | b.keys()):
        for change in CHANGE_TYPES:
            if _changed(change, a.get(ob_id), b.get(ob_id)):
                out.append((ob_id, change))
    return out


def _attribute(transitions: list[_Transition], ob_id: str, change: str) -> list[Cause]:
    causes: list[Cause] = []
    for t in transitions:
        if not _shows_at(change, t.states_a.get(ob_id), t.states_b.get(ob_id)):
            continue
        for step in t.steps:
            for cause in EXPLAINERS[step](t, ob_id, change):
                if cause not in causes:
                    causes.append(cause)
    return causes


def _describe(evaluation: Evaluation, fallback: Evaluation, ob_id: str) -> LoadedObligation:
    try:
        return evaluation.pack.obligation(ob_id)
    except KeyError:
        return fallback.pack.obligation(ob_id)


def diff(
    before: Side, after: Side, *, evaluator: Evaluator | None = None, packs: PackCache | None = None
) -> Diff:
    """Compare the evaluations of ``before`` and ``after`` and attribute every change.

    Raises ``InputError`` if either side's rule pack cannot be loaded. ``packs`` lets a caller
    that already loaded the packs (to validate profiles) share them.
    """
    runner = _Runner(evaluator, packs)
    first, last, transitions = _transitions(runner, before, after)
    a, b = obligation_states(first), obligation_states(last)
    changes = []
    for ob_id, change in _final_changes(a, b):
        item = _describe(last, first, ob_id)
        changes.append(
            Change(
                ob_id,
                item.jurisdiction,
                item.obligation.title,
                item.obligation.kind,
                change,
                a.get(ob_id),
                b.get(ob_id),
                _attribute(transitions, ob_id, change),
            )
        )
    changes.sort(key=lambda c: (c.jurisdiction, c.obligation_id, CHANGE_TYPES.index(c.change)))
    return Diff(first, last, _inputs_json(transitions, before, after), changes)


def _inputs_json(transitions: list[_Transition], before: Side, after: Side) -> dict[str, Any]:
    """What moved in the inputs, per step (empty steps omitted)."""
    out: dict[str, Any] = {}
    for t in transitions:
        for step in t.steps:
            if step == "profile":
                out[step] = _profile_delta(t.eval_a, t.eval_b)
            elif step == "inventory":
                out[step] = inventory_delta(t.side_a.assets, t.side_b.assets)
            elif step == "vendor_data":
                out[step] = {"vendors": _vendor_delta(t.eval_a, t.eval_b)}
            elif step == "law":
                out[step] = _law_delta(t.eval_a.pack, t.eval_b.pack)
            elif step == "waivers":
                ids_a = {w.id for w in t.side_a.waivers}
                ids_b = {w.id for w in t.side_b.waivers}
                out[step] = {"added": sorted(ids_b - ids_a), "removed": sorted(ids_a - ids_b)}
            else:
                out[step] = {"from": before.as_of.isoformat(), "to": after.as_of.isoformat()}
    return out


# --- upcoming -------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class UpcomingEvent:
    """One obligation that starts to apply, or becomes due or overdue, on ``date``."""

    date: dt.date
    obligation_id: str
    jurisdiction: str
    title: str
    obligation_kind: str
    event: str  # comes_into_force, becomes_due, becomes_overdue
    status: str
    due: dt.date | None
    assets: tuple[str, ...]
    causes: tuple[Cause, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "obligation_id": self.obligation_id,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "kind": self.obligation_kind,
            "event": self.event,
            "status": self.status,
            "due": _iso(self.due),
            "assets": list(self.assets),
            "causes": [c.to_json() for c in self.causes],
        }


@dataclass
class Upcoming:
    """What will apply in (as_of, until] that does not apply on ``as_of``."""

    as_of: dt.date
    until: dt.date
    dates_evaluated: list[dt.date]
    events: list[UpcomingEvent]

    def new_overdue(self) -> list[str]:
        return sorted({e.obligation_id for e in self.events if e.status == "overdue"})

    def new_prohibited(self) -> list[str]:
        return sorted(
            {
                e.obligation_id
                for e in self.events
                if e.obligation_kind == "prohibition" and e.event == "comes_into_force"
            }
        )

    def to_json(self) -> dict[str, Any]:
        by_event = Counter(e.event for e in self.events)
        return {
            "as_of": self.as_of.isoformat(),
            "until": self.until.isoformat(),
            "dates_evaluated": [d.isoformat() for d in self.dates_evaluated],
            "summary": {
                "events": len(self.events),
                "by_event": dict(sorted(by_event.items())),
                "new_overdue": len(self.new_overdue()),
                "new_prohibited": len(self.new_prohibited()),
                "new_overdue_obligations": self.new_overdue(),
                "new_prohibited_obligations": self.new_prohibited(),
            },
            "events": [e.to_json() for e in self.events],
        }


def _law_dates(pack: RulePack, jurisdictions: Iterable[str]) -> set[dt.date]:
    """Dates on which the law can change what applies: windows, designations, instruments,
    fixed deadlines (overdue from the day after)."""
    wanted = set(jurisdictions)
    days: set[dt.date] = set()
    for item in pack.obligations:
        if item.jurisdiction not in wanted:
            continue
        start, end = item.window()
        days.update(d for d in (start, end, item.instrument.in_force) if d)
        if item.designation is not None:
            days.update(d for d in (item.designation.since, item.designation.ended) if d)
        deadline = item.obligation.deadline
        if deadline is not None and deadline.date is not None:
            days.add(deadline.date + dt.timedelta(days=1))
    return days


def _membership_dates(evaluation: Evaluation) -> set[dt.date]:
    """Dates on which a vendor of the inventory joins or leaves its group."""
    entities = {(m.group, m.entity) for m in evaluation.vendor_matches.values() if m.entity}
    days: set[dt.date] = set()
    for group in evaluation.pack.registry.groups.values():
        for ent in group.entities:
            if (group.id, ent.name) in entities or (None, ent.name) in entities:
                days.update(d for d in (ent.since, ent.until) if d)
    return days


def _finding_dates(states: dict[str, ObligationState]) -> set[dt.date]:
    """The days after current due dates, when a finding becomes overdue."""
    return {d + dt.timedelta(days=1) for s in states.values() for d in s.dues}


def _event(a: ObligationState | None, b: ObligationState) -> str | None:
    """What happened to an obligation between two dates, if it matters to the operator."""
    was_applying = a is not None and a.status in APPLYING
    if b.status not in APPLYING:
        return None
    if not was_applying:
        return "comes_into_force"
    assert a is not None
    if b.status != a.status and b.status in ("due", "overdue"):
        return f"becomes_{b.status}"
    return None


def upcoming(
    side: Side,
    months: int = 12,
    *,
    evaluator: Evaluator | None = None,
    packs: PackCache | None = None,
) -> Upcoming:
    """Evaluate ``side`` on every date in (as_of, as_of + months] on which something can change,
    and list each obligation that comes into force or becomes due or overdue, once, on the first
    date it does, with the cause (found as the time step of a diff between consecutive dates)."""
    runner = _Runner(evaluator, packs)
    until = add_months(side.as_of, months)
    today = runner.evaluate(side)
    states = obligation_states(today)
    pending = _law_dates(today.pack, side.profile.jurisdictions) | _membership_dates(today)
    pending |= _finding_dates(states)
    evaluated: list[dt.date] = []
    events: list[UpcomingEvent] = []
    seen: set[tuple[str, str]] = set()
    prev_side, prev_eval, prev_states = side, today, states
    while True:
        due_dates = sorted(d for d in pending if side.as_of < d <= until and d not in evaluated)
        if not due_dates:
            break
        day = due_dates[0]
        evaluated.append(day)
        nxt = replace(side, as_of=day)
        ev = runner.evaluate(nxt)
        nstates = obligation_states(ev)
        pending |= _finding_dates(nstates)  # a newly applying finding brings its own deadline
        t = _Transition(("time",), prev_side, nxt, prev_eval, ev, prev_states, nstates)
        events += _events_on(t, day, nstates, prev_states, seen)
        prev_side, prev_eval, prev_states = nxt, ev, nstates
    return Upcoming(side.as_of, until, evaluated, events)


def _events_on(
    t: _Transition,
    day: dt.date,
    states: dict[str, ObligationState],
    previous: dict[str, ObligationState],
    seen: set[tuple[str, str]],
) -> list[UpcomingEvent]:
    out = []
    for ob_id, state in states.items():
        event = _event(previous.get(ob_id), state)
        if event is None or (ob_id, event) in seen:
            continue
        seen.add((ob_id, event))
        item = t.item(ob_id)
        change = "appeared" if ob_id not in previous else "status"
        out.append(
            UpcomingEvent(
                day,
                ob_id,
                item.jurisdiction,
                item.obligation.title,
                item.obligation.kind,
                event,
                state.status,
                state.due,
                state.assets,
                tuple(_explain_time(t, ob_id, change)),
            )
        )
    return sorted(out, key=lambda e: (e.jurisdiction, e.obligation_id))
