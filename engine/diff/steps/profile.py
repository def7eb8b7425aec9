"""The profile step: the operator's roles, jurisdictions, sectors and attributes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dutybound.engine.diff.changes import Cause, CauseKind, ChangeType, StepName
from dutybound.engine.diff.sides import Side
from dutybound.engine.diff.step import Step, Transition
from dutybound.engine.evaluation import Evaluation


def profile_delta(a: Evaluation, b: Evaluation) -> dict[str, Any]:
    """Roles (as held, declared or derived), jurisdictions, sectors and attributes that moved."""
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


class ProfileStep(Step):
    name = StepName.PROFILE

    def differs(self, a: Side, b: Side) -> bool:
        return a.profile != b.profile or a.hypothetical != b.hypothetical

    def swap(self, side: Side, target: Side) -> Side:
        return replace(side, profile=target.profile, hypothetical=target.hypothetical)

    def delta(self, t: Transition) -> dict[str, Any]:
        return profile_delta(t.eval_a, t.eval_b)

    def causes(self, t: Transition, ob_id: str, change: ChangeType) -> list[Cause]:
        """A role the obligation addresses gained or lost, or its jurisdiction listed or not;
        failing those, the fields of the profile that changed."""
        item = t.item(ob_id)
        addressed = set(item.obligation.roles)
        causes = []
        for role in sorted((t.eval_b.roles.keys() - t.eval_a.roles.keys()) & addressed):
            held = t.eval_b.roles[role]
            why = f" ({'; '.join(held.reasons)})" if held.reasons else ""
            causes.append(
                self.cause(
                    CauseKind.ROLE_GAINED,
                    f"The operator now holds role {role} ({held.source}){why}, which "
                    f"{ob_id} addresses.",
                    {"role": role, "source": held.source},
                )
            )
        for role in sorted((t.eval_a.roles.keys() - t.eval_b.roles.keys()) & addressed):
            causes.append(
                self.cause(
                    CauseKind.ROLE_LOST,
                    f"The operator no longer holds role {role}, which {ob_id} addresses.",
                    {"role": role},
                )
            )
        code = item.jurisdiction
        was, now = code in t.side_a.profile.jurisdictions, code in t.side_b.profile.jurisdictions
        if was != now:
            verb = "now lists" if now else "no longer lists"
            causes.append(
                self.cause(
                    CauseKind.JURISDICTION_ADDED if now else CauseKind.JURISDICTION_REMOVED,
                    f"The profile {verb} jurisdiction {code}.",
                    {"jurisdiction": code},
                )
            )
        if not causes:
            delta = profile_delta(t.eval_a, t.eval_b)
            changed = sorted(k for k, v in delta.items() if v)
            causes.append(
                self.cause(
                    CauseKind.PROFILE_CHANGED,
                    "The operator profile changed (" + (", ".join(changed) or "name") + ").",
                    {"fields": changed, **{k: delta[k] for k in changed}},
                )
            )
        return causes
