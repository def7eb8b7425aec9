"""How causes are worded: dates as a person reads them, and lists of ids that stay short.

Every step writes its causes with these, so that a sentence about the law and one about the
inventory spell a date or a list of assets the same way.
"""

from __future__ import annotations

import datetime as dt

# ids named in a sentence before the rest are counted ("... and 12 more"); refs list them all
SHOWN_IDS = 8


def day_text(day: dt.date) -> str:
    """'13 Oct 2022': unambiguous in every locale a compliance officer works in."""
    return f"{day.day} {day:%b %Y}"


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def id_list(ids: list[str]) -> str:
    """The first ids, then how many more: a sentence must stay readable for 10,000 assets."""
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")
