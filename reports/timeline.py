"""The deadline timeline: an SVG drawn by the project, so no chart library and no font fetch.

Every label is escaped here; the result is the only markup the templates mark as safe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

CHAR_WIDTH = 5.1  # average width of a 9 px DejaVu Sans character, to keep labels on the chart
COLOURS = {"overdue": "#b42318", "due": "#b54708", "upcoming": "#027a48", "in_force": "#175cd3",
           "ended": "#667085"}


@dataclass(frozen=True)
class Mark:
    day: dt.date
    label: str
    status: str


def timeline_svg(marks: list[Mark], as_of: dt.date, width: int = 680,
                 row: int = 18) -> Markup:
    """A horizontal time axis with the evaluation date and one labelled dot per deadline."""
    if not marks:
        return Markup("")
    marks = sorted(marks, key=lambda m: (m.day, m.label))
    first = min(marks[0].day, as_of)
    last = max(marks[-1].day, as_of)
    span = max((last - first).days, 30)
    first -= dt.timedelta(days=span // 20)
    last += dt.timedelta(days=span // 20)
    left, right = 12, width - 12
    axis_y = 34

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / max((last - first).days, 1)

    height = axis_y + 14 + row * len(marks)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="9">',
             f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="#98a2b3"/>']
    for year in range(first.year + 1, last.year + 1):
        tx = x(dt.date(year, 1, 1))
        parts.append(f'<line x1="{tx:.1f}" y1="{axis_y - 4}" x2="{tx:.1f}" y2="{axis_y + 4}" '
                     f'stroke="#98a2b3"/><text x="{tx:.1f}" y="{axis_y - 8}" '
                     f'text-anchor="middle" fill="#475467">{year}</text>')
    nx = x(as_of)
    parts.append(f'<line x1="{nx:.1f}" y1="10" x2="{nx:.1f}" y2="{height}" stroke="#101828" '
                 f'stroke-dasharray="3,2"/><text x="{nx + 3:.1f}" y="16" fill="#101828" '
                 f'font-weight="bold">{escape(as_of.isoformat())}</text>')
    for i, mark in enumerate(marks):
        y = axis_y + 14 + row * i
        mx = x(mark.day)
        colour = COLOURS.get(mark.status, "#344054")
        label = f"{mark.day.isoformat()} · {mark.label}"
        room_right, room_left = right - (mx + 6), (mx - 6) - left
        if len(label) * CHAR_WIDTH <= room_right:
            anchor, tx = "start", mx + 6
        elif len(label) * CHAR_WIDTH <= room_left:
            anchor, tx = "end", mx - 6
        else:  # too long for either side: shorten it on the roomier side
            room = max(room_right, room_left)
            label = label[: max(int(room / CHAR_WIDTH) - 1, 10)] + "…"
            anchor, tx = ("start", mx + 6) if room_right >= room_left else ("end", mx - 6)
        parts.append(f'<line x1="{mx:.1f}" y1="{axis_y}" x2="{mx:.1f}" y2="{y}" '
                     f'stroke="{colour}" stroke-opacity="0.35"/>'
                     f'<circle cx="{mx:.1f}" cy="{y}" r="4" fill="{colour}"/>'
                     f'<text x="{tx:.1f}" y="{y + 3}" text-anchor="{anchor}" fill="#101828">'
                     f'{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
