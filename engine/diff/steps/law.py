"""The law step: the rule pack's instruments, designations, obligations and jurisdictions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from dutybound.engine.diff.changes import Cause, CauseKind, ChangeType, StepName
from dutybound.engine.diff.sides import Side
from dutybound.engine.diff.step import Step, Transition
from dutybound.engine.diff.wording import day_text, iso
from dutybound.engine.law import Designation
from dutybound.engine.loading import LoadedObligation, RulePack


def _designations(pack: RulePack) -> dict[str, Designation]:
    """The designations the pack's obligations rely on (the pack keeps no separate index)."""
    return {i.designation.id: i.designation for i in pack.obligations if i.designation}


def law_delta(a: RulePack, b: RulePack) -> dict[str, Any]:
    """The two rule packs' versions, and what was added, removed and amended between them."""
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


def _item_or_none(pack: RulePack, ob_id: str) -> LoadedObligation | None:
    try:
        return pack.obligation(ob_id)
    except KeyError:
        return None


def _model_fields(a: BaseModel, b: BaseModel) -> list[str]:
    da, db = a.model_dump(), b.model_dump()
    return sorted(k for k in da.keys() | db.keys() if da.get(k) != db.get(k))


class LawStep(Step):
    name = StepName.LAW

    def differs(self, a: Side, b: Side) -> bool:
        return a.law_dir.resolve() != b.law_dir.resolve()

    def swap(self, side: Side, target: Side) -> Side:
        return replace(side, law_dir=target.law_dir)

    def delta(self, t: Transition) -> dict[str, Any]:
        return law_delta(t.eval_a.pack, t.eval_b.pack)

    def causes(self, t: Transition, ob_id: str, change: ChangeType) -> list[Cause]:
        """The obligation added, removed or amended, with its instrument and designation,
        each with its citation; failing those, its jurisdiction's data."""
        old, new = _item_or_none(t.eval_a.pack, ob_id), _item_or_none(t.eval_b.pack, ob_id)
        if new is not None and old is None:
            return self._added(new, t.eval_a.pack)
        if old is not None and new is None:
            ob = old.obligation
            return [
                self.cause(
                    CauseKind.OBLIGATION_REMOVED,
                    f"Law: obligation {ob.id} removed from the rule pack [{ob.citation}].",
                    {"obligation": ob.id, "instrument": old.instrument.id, "citation": ob.citation},
                )
            ]
        assert old is not None and new is not None
        causes = self._amended(old, new)
        code = new.jurisdiction
        if (
            not causes
            and t.eval_a.pack.jurisdictions.get(code) != t.eval_b.pack.jurisdictions[code]
        ):
            causes.append(
                self.cause(
                    CauseKind.JURISDICTION_AMENDED,
                    f"Law: {code} jurisdiction data (roles, territory) amended.",
                    {"jurisdiction": code},
                )
            )
        return causes or [self.cause(CauseKind.LAW_CHANGED, "The rule pack changed.", {})]

    def _added(self, item: LoadedObligation, old: RulePack) -> list[Cause]:
        ob, inst = item.obligation, item.instrument
        causes = [
            self.cause(
                CauseKind.OBLIGATION_ADDED,
                f"Law: new obligation {ob.id} ({ob.title}) [{ob.citation}].",
                {"obligation": ob.id, "instrument": inst.id, "citation": ob.citation},
            )
        ]
        if inst.id not in old.instruments:
            causes.append(
                self.cause(
                    CauseKind.INSTRUMENT_ADDED,
                    f"Law: new instrument {inst.id}, {inst.title} [{inst.citation}].",
                    {
                        "instrument": inst.id,
                        "citation": inst.citation,
                        "in_force": iso(inst.in_force),
                    },
                )
            )
        des = item.designation
        if des is not None and des.id not in _designations(old):
            causes.append(
                self.cause(
                    CauseKind.DESIGNATION_ADDED,
                    f"Law: new designation {des.id} of {', '.join(des.vendor_groups)} "
                    f"from {day_text(des.since)} [{des.citation}].",
                    {
                        "designation": des.id,
                        "vendor_groups": list(des.vendor_groups),
                        "since": des.since.isoformat(),
                        "citation": des.citation,
                    },
                )
            )
        return causes

    def _amended(self, old: LoadedObligation, new: LoadedObligation) -> list[Cause]:
        causes = []
        ob = new.obligation
        if old.obligation != ob:
            fields = _model_fields(old.obligation, ob)
            causes.append(
                self.cause(
                    CauseKind.OBLIGATION_AMENDED,
                    f"Law: obligation {ob.id} amended ({', '.join(fields)}) [{ob.citation}].",
                    {"obligation": ob.id, "fields": fields, "citation": ob.citation},
                )
            )
        if old.designation != new.designation and new.designation is not None:
            des, was = new.designation, old.designation
            amended = was is not None and was.id == des.id
            fields = _model_fields(was, des) if amended and was else []
            causes.append(
                self.cause(
                    CauseKind.DESIGNATION_AMENDED if amended else CauseKind.DESIGNATION_ADDED,
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
                self.cause(
                    CauseKind.INSTRUMENT_AMENDED,
                    f"Law: instrument {inst.id} amended ({', '.join(fields)}) [{inst.citation}].",
                    {"instrument": inst.id, "fields": fields, "citation": inst.citation},
                )
            )
        return causes
