"""Deadlines: fixed dates, and N calendar or business days after an event.

Business days skip weekends and the public holidays of the jurisdiction's calendar (the
``holidays`` package; e.g. US federal holidays, England and Wales bank holidays), so a "1 business
day" report identified on a Friday before a Monday holiday is due on Tuesday.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from dutybound.engine.cache import read_entry, write_entry
from dutybound.engine.law import Calendar, Deadline

CACHE_NAME = "holidays.json"


@lru_cache(maxsize=64)
def _holidays(country: str, subdiv: str | None, year: int) -> frozenset[dt.date]:
    """One calendar year's public holidays, from the ``holidays`` package.

    Its first use imports all of its country modules, a noticeable share of a whole CLI run
    (docs/performance.md), so computed years are kept in a small JSON file in the user's cache
    directory, keyed by the package version: the same data, read from disk next time. The cache
    is an optimisation only; if it cannot be read or written, the package is asked.
    """
    from importlib.metadata import version

    key = f"{version('holidays')}/{country}/{subdiv or ''}/{year}"
    stored = _read_cache()
    if key in stored:
        return frozenset(dt.date.fromisoformat(d) for d in stored[key])
    import holidays

    days = frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())
    stored[key] = sorted(d.isoformat() for d in days)
    write_entry(CACHE_NAME, json.dumps(stored, sort_keys=True).encode())
    return days


def _read_cache() -> dict[str, list[str]]:
    raw = read_entry(CACHE_NAME)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def is_business_day(day: dt.date, calendar: Calendar) -> bool:
    return day.weekday() < 5 and day not in _holidays(calendar.country, calendar.subdiv, day.year)


def add_business_days(start: dt.date, days: int, calendar: Calendar) -> dt.date:
    """The date ``days`` business days after ``start`` (``start`` itself never counts)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, calendar):
            remaining -= 1
    return day


def due_date(
    deadline: Deadline, effective_from: dt.date, identified_on: dt.date, calendar: Calendar
) -> dt.date:
    """When a deadline falls, given the obligation's start and the asset's identification (for
    a yearly deadline, ``identified_on`` is the evaluation date: the next occurrence counts)."""
    if deadline.every == "year":
        return deadline.next_on_or_after(identified_on)
    if deadline.date is not None:
        return deadline.date
    assert deadline.days is not None
    start = effective_from if deadline.after == "effective" else identified_on
    if deadline.calendar == "business":
        return add_business_days(start, deadline.days, calendar)
    return start + dt.timedelta(days=deadline.days)
