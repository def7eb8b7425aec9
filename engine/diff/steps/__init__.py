"""The counterfactual steps, one object per input, in the order ``StepName`` declares."""

from __future__ import annotations

from dutybound.engine.diff.changes import StepName
from dutybound.engine.diff.step import Step
from dutybound.engine.diff.steps.inventory import InventoryStep
from dutybound.engine.diff.steps.law import LawStep
from dutybound.engine.diff.steps.profile import ProfileStep
from dutybound.engine.diff.steps.time import TimeStep
from dutybound.engine.diff.steps.vendor_data import VendorDataStep
from dutybound.engine.diff.steps.waivers import WaiversStep

TIME = TimeStep()
_BY_NAME: dict[StepName, Step] = {
    s.name: s
    for s in (ProfileStep(), InventoryStep(), VendorDataStep(), LawStep(), WaiversStep(), TIME)
}
STEPS: tuple[Step, ...] = tuple(_BY_NAME[name] for name in StepName)

__all__ = ["STEPS", "TIME", "Step"]
