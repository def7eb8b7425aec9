"""The vendor-data step: the registry that resolves vendor strings to groups."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dutybound.engine.diff.changes import Cause, CauseKind, ChangeType, StepName
from dutybound.engine.diff.sides import Side
from dutybound.engine.diff.step import Step, Transition
from dutybound.engine.diff.wording import id_list
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.loading import RulePack
from dutybound.engine.vendors import VendorMatch


def resolution(match: VendorMatch) -> tuple[str | None, str | None, bool]:
    """What of a vendor match decides the rules: the group and relationship, unless uncertain."""
    return (None, None, True) if match.needs_review else (match.group, match.relationship, False)


def vendor_delta(a: Evaluation, b: Evaluation) -> list[dict[str, Any]]:
    """The inventory's vendor strings that resolve differently."""
    rows = []
    for vendor in sorted(a.vendor_matches.keys() & b.vendor_matches.keys()):
        ma, mb = a.vendor_matches[vendor], b.vendor_matches[vendor]
        if resolution(ma) != resolution(mb):
            rows.append({"vendor": vendor, "before": ma.to_json(), "after": mb.to_json()})
    return rows


def _sentence(vendor: str, before: VendorMatch, after: VendorMatch, pack: RulePack) -> str:
    if after.group and not after.needs_review:
        group = pack.registry.groups[after.group].name
        return (
            f"Vendor data: {vendor!r} now resolves to the {group} group ({after.group}) as "
            f"{after.entity}, {after.relationship} (by {after.method})"
        )
    if before.group and not before.needs_review:
        return f"Vendor data: {vendor!r} no longer resolves to group {before.group}"
    return f"Vendor data: {vendor!r} is now resolved differently ({after.method})"


class VendorDataStep(Step):
    name = StepName.VENDOR_DATA

    def differs(self, a: Side, b: Side) -> bool:
        return (
            a.registry_path.resolve() != b.registry_path.resolve()
            and a.registry_path.read_bytes() != b.registry_path.read_bytes()
        )

    def swap(self, side: Side, target: Side) -> Side:
        return replace(side, registry_path=target.registry_path)

    def delta(self, t: Transition) -> dict[str, Any]:
        return {"vendors": vendor_delta(t.eval_a, t.eval_b)}

    def causes(self, t: Transition, ob_id: str, change: ChangeType) -> list[Cause]:
        """Each vendor of the obligation's assets that now resolves differently, with the
        designation that names its new group."""
        gained, lost = t.touched_assets(ob_id)
        state = t.states_b.get(ob_id) or t.states_a.get(ob_id)
        ids = set(gained) | set(lost) | set(state.assets if state else ())
        by_vendor: dict[str, list[str]] = {}
        for asset in t.side_b.assets:
            if asset.asset_id in ids:
                by_vendor.setdefault(asset.vendor, []).append(asset.asset_id)
        designation = t.item(ob_id).designation
        causes = []
        for vendor, assets in sorted(by_vendor.items()):
            before, after = t.eval_a.vendor_matches[vendor], t.eval_b.vendor_matches[vendor]
            if resolution(before) == resolution(after):
                continue
            text = _sentence(vendor, before, after, t.eval_b.pack)
            refs: dict[str, Any] = {
                "vendor": vendor,
                "group": resolution(after)[0],
                "group_before": resolution(before)[0],
                "entity": after.entity,
                "relationship": after.relationship,
                "method": after.method,
                "assets": sorted(assets),
            }
            if designation is not None and after.group in designation.vendor_groups:
                text += f", a group designated by {designation.id} [{designation.citation}]"
                refs["designation"] = designation.id
            causes.append(
                self.cause(CauseKind.VENDOR_RESOLVED, text + f"; assets {id_list(assets)}.", refs)
            )
        return causes or [
            self.cause(CauseKind.REGISTRY_CHANGED, "The vendor registry changed.", {})
        ]
