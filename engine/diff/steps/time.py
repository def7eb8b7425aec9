"""The time step: the evaluation date, and what the law and the registry date between two dates
(windows, designations, deadlines, group membership, waivers taking effect or expiring).

``engine.diff.forecast`` uses this step alone, between consecutive dates, to say why an
obligation starts to apply in the months ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from dutybound.engine.diff.changes import Cause, CauseKind, ChangeType, ObligationState, StepName
from dutybound.engine.diff.sides import Side
from dutybound.engine.diff.step import Step, Transition
from dutybound.engine.diff.steps.vendor_data import resolution
from dutybound.engine.diff.steps.waivers import finding_waivers, waiver_text
from dutybound.engine.diff.wording import day_text, iso
from dutybound.engine.loading import LoadedObligation, RulePack

# Which time causes can explain which change: moving the date changes an obligation's status
# through its window and deadlines, and makes it appear or disappear by its instrument's adoption
# (law not yet adopted contributes nothing: with it come its window, designation and deadlines),
# by its window's end (ended obligations are not listed) or by a vendor joining or leaving a group.
_KINDS: dict[ChangeType, frozenset[CauseKind]] = {
    ChangeType.APPEARED: frozenset(
        {
            CauseKind.NOT_YET_ENDED,
            CauseKind.INSTRUMENT_ADOPTED,
            CauseKind.CAME_INTO_FORCE,
            CauseKind.INSTRUMENT_IN_FORCE,
            CauseKind.DESIGNATION_BEGAN,
            CauseKind.DEADLINE_PASSED,
        }
    ),
    ChangeType.DISAPPEARED: frozenset({CauseKind.ENDED, CauseKind.NOT_YET_ADOPTED}),
    ChangeType.STATUS: frozenset(
        {
            CauseKind.CAME_INTO_FORCE,
            CauseKind.NOT_YET_IN_FORCE,
            CauseKind.INSTRUMENT_IN_FORCE,
            CauseKind.DESIGNATION_BEGAN,
            CauseKind.DEADLINE_PASSED,
            CauseKind.DEADLINE_NOT_PASSED,
        }
    ),
    ChangeType.DUE: frozenset({CauseKind.DEADLINE_FROM_EVALUATION_DATE}),
    ChangeType.ASSETS: frozenset(),
}


def _between(day: dt.date | None, lo: dt.date, hi: dt.date) -> bool:
    """Whether ``day`` falls in (lo, hi]: the dates a move from lo to hi crosses."""
    return day is not None and lo < day <= hi


def _ended_by(item: LoadedObligation, end: dt.date) -> str:
    """Which end date closes the window: the obligation's own, its instrument's or its
    designation's."""
    if item.obligation.effective.ended == end:
        return f"its own end date [{item.obligation.citation}]"
    if item.instrument.ended == end:
        return f"instrument {item.instrument.id} ended"
    assert item.designation is not None
    return f"designation {item.designation.id} ended"


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


class TimeStep(Step):
    name = StepName.TIME

    def differs(self, a: Side, b: Side) -> bool:
        return a.as_of != b.as_of

    def swap(self, side: Side, target: Side) -> Side:
        return replace(side, as_of=target.as_of)

    def delta(self, t: Transition) -> dict[str, Any]:
        return {"from": t.side_a.as_of.isoformat(), "to": t.side_b.as_of.isoformat()}

    def causes(self, t: Transition, ob_id: str, change: ChangeType) -> list[Cause]:
        """The dates crossed that explain ``change`` (the window's start or end, a designation,
        a deadline, a vendor's group membership, a waiver's dates); failing those, the move of
        the evaluation date itself."""
        item = t.item(ob_id)
        t0, t1 = t.side_a.as_of, t.side_b.as_of
        a, b = t.states_a.get(ob_id), t.states_b.get(ob_id)
        causes = [
            c
            for c in self._window(item, t0, t1) + self._deadlines(item, a, b, t0, t1)
            if c.kind in _KINDS[change]
        ]
        causes += self._membership(t, ob_id)
        if change is ChangeType.STATUS:
            causes += self._waivers(t, ob_id)
        return causes or [
            self.cause(
                CauseKind.DATE_MOVED,
                f"Time: the evaluation date moved from {day_text(t0)} to {day_text(t1)}.",
                {"from": t0.isoformat(), "to": t1.isoformat()},
            )
        ]

    def _window(self, item: LoadedObligation, t0: dt.date, t1: dt.date) -> list[Cause]:
        lo, hi, forward = min(t0, t1), max(t0, t1), t1 > t0
        ob, inst, des = item.obligation, item.instrument, item.designation
        start, end = item.window()
        causes = []
        adopted = inst.start or ob.effective.from_
        if _between(adopted, lo, hi):
            causes.append(
                self.cause(
                    CauseKind.INSTRUMENT_ADOPTED if forward else CauseKind.NOT_YET_ADOPTED,
                    f"Time: instrument {inst.id} was adopted on {day_text(adopted)} "
                    f"[{inst.citation}]."
                    if forward
                    else f"Time: on {day_text(t1)}, instrument {inst.id} was not yet adopted "
                    f"(adopted {day_text(adopted)}).",
                    {"instrument": inst.id, "date": adopted.isoformat(), "citation": inst.citation},
                )
            )
        if _between(start, lo, hi):
            if forward:
                text = f"Time: {ob.id} came into force on {day_text(start)} [{ob.citation}]."
            else:
                text = (
                    f"Time: on {day_text(t1)}, {ob.id} was not yet in force "
                    f"(from {day_text(start)})."
                )
            causes.append(
                self.cause(
                    CauseKind.CAME_INTO_FORCE if forward else CauseKind.NOT_YET_IN_FORCE,
                    text,
                    {"obligation": ob.id, "date": start.isoformat(), "citation": ob.citation},
                )
            )
            if inst.in_force == start:
                causes.append(
                    self.cause(
                        CauseKind.INSTRUMENT_IN_FORCE,
                        f"Time: instrument {inst.id} took effect on "
                        f"{day_text(inst.in_force)} [{inst.citation}].",
                        {
                            "instrument": inst.id,
                            "date": inst.in_force.isoformat(),
                            "citation": inst.citation,
                        },
                    )
                )
        if des is not None and _between(des.since, lo, hi):
            causes.append(
                self.cause(
                    CauseKind.DESIGNATION_BEGAN,
                    f"Time: designation {des.id} of {', '.join(des.vendor_groups)} began "
                    f"on {day_text(des.since)} [{des.citation}].",
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
                f"Time: {ob.id} ended on {day_text(end)} ({what})."
                if forward
                else f"Time: on {day_text(t1)}, {ob.id} had not yet ended "
                f"(it ends {day_text(end)})."
            )
            causes.append(
                self.cause(
                    CauseKind.ENDED if forward else CauseKind.NOT_YET_ENDED,
                    text,
                    {"obligation": ob.id, "date": end.isoformat(), "ended_by": what},
                )
            )
        return causes

    def _deadlines(
        self,
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
                    f"Time: the deadline of {day_text(due)} passed [{ob.citation}]."
                    if forward
                    else f"Time: on {day_text(t1)}, the deadline of {day_text(due)} had not "
                    "yet passed."
                )
                causes.append(
                    self.cause(
                        CauseKind.DEADLINE_PASSED if forward else CauseKind.DEADLINE_NOT_PASSED,
                        text,
                        {"obligation": ob.id, "date": due.isoformat(), "citation": ob.citation},
                    )
                )
        deadline = ob.deadline
        if a and b and a.dues != b.dues and deadline and deadline.after == "asset_identified":
            causes.append(
                self.cause(
                    CauseKind.DEADLINE_FROM_EVALUATION_DATE,
                    f"Time: the deadline ({deadline.describe()}) is counted from the "
                    f"evaluation date for assets with no identified_on date.",
                    {"obligation": ob.id, "deadline": deadline.describe()},
                )
            )
        return causes

    def _membership(self, t: Transition, ob_id: str) -> list[Cause]:
        """Vendors that joined or left a group between the two dates (registry since/until)."""
        gained, lost = t.touched_assets(ob_id)
        ids = set(gained) | set(lost)
        vendors = sorted({a.vendor for a in t.side_b.assets if a.asset_id in ids})
        causes = []
        for vendor in vendors:
            ma, mb = t.eval_a.vendor_matches[vendor], t.eval_b.vendor_matches[vendor]
            if resolution(ma) == resolution(mb):
                continue
            entity = mb.entity or ma.entity
            group = mb.group or ma.group
            date = _membership_date(t.eval_b.pack, group, entity, t.side_a.as_of, t.side_b.as_of)
            causes.append(
                self.cause(
                    CauseKind.VENDOR_MEMBERSHIP,
                    f"Time: {vendor!r} ({entity}) is "
                    f"{mb.relationship or 'not a member'} of group {group} on "
                    f"{day_text(t.side_b.as_of)}, not {ma.relationship or 'a member'}"
                    + (f" (membership changed on {day_text(date)})." if date else "."),
                    {
                        "vendor": vendor,
                        "entity": entity,
                        "group": group,
                        "date": iso(date),
                        "relationship_before": ma.relationship,
                        "relationship_after": mb.relationship,
                    },
                )
            )
        return causes

    def _waivers(self, t: Transition, ob_id: str) -> list[Cause]:
        """A waiver that took effect or expired between the two dates."""
        lo, hi = sorted((t.side_a.as_of, t.side_b.as_of))
        causes = []
        seen = {**finding_waivers(t.eval_a, ob_id), **finding_waivers(t.eval_b, ob_id)}
        for wid, w in sorted(seen.items()):
            for key, kind, verb in (
                ("granted_on", CauseKind.WAIVER_BEGAN, "took effect"),
                ("expires_on", CauseKind.WAIVER_EXPIRED, "expired"),
            ):
                day = dt.date.fromisoformat(w[key]) if w.get(key) else None
                if day is not None and lo < day <= hi:
                    causes.append(
                        self.cause(
                            kind,
                            f"Time: {waiver_text(w)} {verb} on {day_text(day)}.",
                            {"waiver": wid, "date": day.isoformat(), "basis": w["basis"]},
                        )
                    )
        return causes
