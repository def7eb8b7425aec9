"""The inventory step: assets added, removed or edited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from dutybound.engine.diff.changes import Cause, CauseKind, ChangeType, StepName
from dutybound.engine.diff.sides import Side, asset_key
from dutybound.engine.diff.step import Step, Transition
from dutybound.engine.diff.wording import id_list
from dutybound.engine.inputs import Asset


def inventory_delta(before: Iterable[Asset], after: Iterable[Asset]) -> dict[str, list[str]]:
    """Asset ids added, removed and edited between two inventories."""
    a = {x.asset_id: asset_key(x) for x in before}
    b = {x.asset_id: asset_key(x) for x in after}
    return {
        "added": sorted(b.keys() - a.keys()),
        "removed": sorted(a.keys() - b.keys()),
        "edited": sorted(k for k in a.keys() & b.keys() if a[k] != b[k]),
    }


def _edited_fields(a: Asset, b: Asset) -> list[str]:
    return [
        name for name in Asset._fields if name != "line" and getattr(a, name) != getattr(b, name)
    ]


def _plural(ids: list[str]) -> str:
    return "s" if len(ids) > 1 else ""


class InventoryStep(Step):
    name = StepName.INVENTORY

    def differs(self, a: Side, b: Side) -> bool:
        return [asset_key(x) for x in a.assets] != [asset_key(x) for x in b.assets]

    def swap(self, side: Side, target: Side) -> Side:
        return replace(side, assets=target.assets)

    def delta(self, t: Transition) -> dict[str, Any]:
        return inventory_delta(t.side_a.assets, t.side_b.assets)

    def causes(self, t: Transition, ob_id: str, change: ChangeType) -> list[Cause]:
        """The obligation's own assets that were added, removed or edited; failing those, every
        asset that was (a cap's share moves when assets of other vendors in its scope change)."""
        a = {x.asset_id: x for x in t.side_a.assets}
        b = {x.asset_id: x for x in t.side_b.assets}
        gained, lost = t.touched_assets(ob_id)
        state = t.states_b.get(ob_id) or t.states_a.get(ob_id)
        candidates = set(gained) | set(lost) | set(state.assets if state else ())
        added = sorted(i for i in candidates if i in b and i not in a)
        removed = sorted(i for i in candidates if i in a and i not in b)
        edited = sorted(
            i for i in candidates if i in a and i in b and asset_key(a[i]) != asset_key(b[i])
        )
        if not (added or removed or edited):
            delta = inventory_delta(t.side_a.assets, t.side_b.assets)
            added, removed, edited = delta["added"], delta["removed"], delta["edited"]
        causes = []
        if added:
            causes.append(
                self.cause(
                    CauseKind.ASSET_ADDED,
                    f"Inventory: asset{_plural(added)} {id_list(added)} added.",
                    {"assets": added},
                )
            )
        if removed:
            causes.append(
                self.cause(
                    CauseKind.ASSET_REMOVED,
                    f"Inventory: asset{_plural(removed)} {id_list(removed)} removed.",
                    {"assets": removed},
                )
            )
        if edited:
            fields = {i: _edited_fields(a[i], b[i]) for i in edited}
            what = "; ".join(f"{i} ({', '.join(f)})" for i, f in fields.items())
            causes.append(
                self.cause(
                    CauseKind.ASSET_EDITED,
                    f"Inventory: edited {what}.",
                    {"assets": edited, "fields": fields},
                )
            )
        return causes
