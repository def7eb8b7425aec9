"""What will apply in the coming months that does not apply today.

The same inputs are evaluated only on the dates on which something can change (a window starts
or ends, a designation begins, a deadline passes, an instrument takes effect, a vendor joins or
leaves a group), not on every day; the cause of each event is the time step between consecutive
dates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from dutybound.engine.diff.changes import Cause, ChangeType, ObligationState, obligation_states
from dutybound.engine.diff.sides import PackCache, Runner, Side
from dutybound.engine.diff.step import Transition
from dutybound.engine.diff.steps import TIME
from dutybound.engine.diff.wording import iso
from dutybound.engine.evaluation import Evaluation
from dutybound.engine.evaluators import Evaluator
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import APPLYING, FindingStatus
from dutybound.engine.vocabulary import ObligationKind


class Event(StrEnum):
    """What happens to an obligation on a date ahead, as the operator feels it."""

    COMES_INTO_FORCE = "comes_into_force"
    BECOMES_DUE = "becomes_due"
    BECOMES_OVERDUE = "becomes_overdue"


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
    obligation_kind: ObligationKind
    event: Event
    status: FindingStatus
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
            "due": iso(self.due),
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
        return sorted({e.obligation_id for e in self.events if e.status == FindingStatus.OVERDUE})

    def new_prohibited(self) -> list[str]:
        return sorted(
            {
                e.obligation_id
                for e in self.events
                if e.obligation_kind == ObligationKind.PROHIBITION
                and e.event is Event.COMES_INTO_FORCE
            }
        )

    def to_json(self) -> dict[str, Any]:
        by_event = Counter(e.event.value for e in self.events)
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


_BECOMES: dict[FindingStatus, Event] = {
    FindingStatus.DUE: Event.BECOMES_DUE,
    FindingStatus.OVERDUE: Event.BECOMES_OVERDUE,
}


def _event(a: ObligationState | None, b: ObligationState) -> Event | None:
    """What happened to an obligation between two dates, if it matters to the operator."""
    was_applying = a is not None and a.status in APPLYING
    if b.status not in APPLYING:
        return None
    if not was_applying:
        return Event.COMES_INTO_FORCE
    assert a is not None
    if b.status == a.status:
        return None
    return _BECOMES.get(b.status)


def upcoming(
    side: Side,
    months: int = 12,
    *,
    evaluator: Evaluator | None = None,
    packs: PackCache | None = None,
) -> Upcoming:
    """Evaluate ``side`` on every date in (as_of, as_of + months] on which something can change,
    with the law as it stood on ``as_of`` (law adopted later is not foreseen), and list each
    obligation that comes into force or becomes due or overdue, once, on the first date it does,
    with the cause (found as the time step of a diff between consecutive dates)."""
    runner = Runner(evaluator, packs)
    until = add_months(side.as_of, months)
    today = runner.evaluate(side)
    states = obligation_states(today)
    pending = _law_dates(today.pack, side.profile.jurisdictions) | _membership_dates(today)
    pending |= _finding_dates(states)
    evaluated: list[dt.date] = []
    events: list[UpcomingEvent] = []
    seen: set[tuple[str, Event]] = set()
    prev_side, prev_eval, prev_states = side, today, states
    while True:
        due_dates = sorted(d for d in pending if side.as_of < d <= until and d not in evaluated)
        if not due_dates:
            break
        day = due_dates[0]
        evaluated.append(day)
        nxt = replace(side, as_of=day, law_on=side.law_on or side.as_of)
        ev = runner.evaluate(nxt)
        nstates = obligation_states(ev)
        pending |= _finding_dates(nstates)  # a newly applying finding brings its own deadline
        t = Transition((TIME,), prev_side, nxt, prev_eval, ev, prev_states, nstates)
        events += _events_on(t, day, seen)
        prev_side, prev_eval, prev_states = nxt, ev, nstates
    return Upcoming(side.as_of, until, evaluated, events)


def _events_on(t: Transition, day: dt.date, seen: set[tuple[str, Event]]) -> list[UpcomingEvent]:
    """The events of the move across ``t`` that have not been seen on an earlier date."""
    out = []
    for ob_id, state in t.states_b.items():
        event = _event(t.states_a.get(ob_id), state)
        if event is None or (ob_id, event) in seen:
            continue
        seen.add((ob_id, event))
        item = t.item(ob_id)
        change = ChangeType.APPEARED if ob_id not in t.states_a else ChangeType.STATUS
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
                tuple(TIME.causes(t, ob_id, change)),
            )
        )
    return sorted(out, key=lambda e: (e.jurisdiction, e.obligation_id))
