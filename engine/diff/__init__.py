"""What changed between two evaluations, and why; and what will change in the coming months.

A consultant re-runs a client every quarter; a compliance officer must show a regulator why an
obligation appeared. Comparing two finding lists says *what* changed but not *why*: the profile,
the inventory, the vendor registry, the law and the date may all have moved at once. So the cause
is found by counterfactual re-evaluation: starting from ``before``, the inputs are switched to
their ``after`` value one at a time, in a fixed order (profile, inventory, vendor data, law,
waivers, time), and each change is attributed to the step(s) at which it shows. Each step then
explains the change in the terms of that input: the role gained, the asset ids, the vendor string
and the group it now resolves to, the instrument/obligation/designation and its citation, the
waiver recorded, the date on which an obligation came into force or a deadline passed.

``upcoming`` answers "what will apply in the next N months that does not apply today" by
evaluating the same inputs only on the dates on which something can change.

The package, by what each module holds:

- ``sides``: the inputs of one evaluation (``Side``) and the shared rule-pack cache;
- ``changes``: the model (an obligation's state, a change, a cause) and its closed vocabularies;
- ``step`` and ``steps``: one ``Step`` object per input: whether it differs, how it is swapped
  in, what moved in it, and how it words the causes of a change;
- ``attribution``: the counterfactual walk and the ``Diff`` it gives;
- ``forecast``: the scan of the months ahead (``Upcoming``);
- ``wording``: how dates and id lists read in a cause.
"""

from __future__ import annotations

from dutybound.engine.diff.attribution import Diff, diff
from dutybound.engine.diff.changes import Cause, Change, ChangeType, ObligationState, StepName
from dutybound.engine.diff.forecast import Event, Upcoming, UpcomingEvent, add_months, upcoming
from dutybound.engine.diff.sides import PackCache, Side

__all__ = [
    "Cause",
    "Change",
    "ChangeType",
    "Diff",
    "Event",
    "ObligationState",
    "PackCache",
    "Side",
    "StepName",
    "Upcoming",
    "UpcomingEvent",
    "add_months",
    "diff",
    "upcoming",
]
