"""The deadline timeline: an SVG drawn by the project, so no chart library and no font fetch.

The chart is two layers in one fixed-size box: an SVG with the graphics (axis, year ticks, the
evaluation-date line, one dot and leader line per deadline) and, on top of it, the text as
absolutely positioned HTML labels at the same pixel coordinates. The text is not SVG ``<text>``
because WeasyPrint 70 lays out and draws SVG text one letter at a time (one Pango layout per
glyph, in ``weasyprint/svg/text.py``), which made the deadline labels a large share of a whole
render. As HTML the same labels are a few line boxes, and the PDF's text layer holds whole words
(searchable, copyable) instead of single glyphs.

Every label is escaped here; the result is the only markup the templates mark as safe. The only
values interpolated into ``style`` attributes are numbers computed here, never inventory text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

from dutybound.engine.outcomes import FindingStatus

CHAR_WIDTH = 5.1  # average width of a 9 px DejaVu Sans character, to keep labels on the chart
WIDTH = 672  # px; the A4 text column (210 mm - 2 x 16 mm margins = 178 mm = 672.8 px)
COLOURS: dict[FindingStatus, str] = {
    FindingStatus.OVERDUE: "#b42318",
    FindingStatus.DUE: "#b54708",
    FindingStatus.UPCOMING: "#027a48",
    FindingStatus.IN_FORCE: "#175cd3",
    FindingStatus.ENDED: "#667085",
    FindingStatus.WAIVED: "#0e7090",
}


@dataclass(frozen=True)
class Mark:
    day: dt.date
    label: str
    status: FindingStatus


def _label(x: float, top: float, text: str, anchor: str, width: int, css_class: str = "") -> str:
    """One HTML label whose text starts (``anchor='start'``), ends or is centred at ``x``.

    ``top`` is the SVG baseline minus the label's ascent, so the HTML text sits where the SVG
    text used to be; ``end`` and ``middle`` are positioned with ``right`` and a centred box, so
    no text width has to be known exactly.
    """
    classes = f"tl-label {css_class}".strip()
    if anchor == "start":
        where = f"left:{x:.1f}px"
    elif anchor == "end":
        where = f"right:{width - x:.1f}px"
    else:  # middle: a 60 px box centred on x
        where = f"left:{x - 30:.1f}px;width:60px;text-align:center"
    return f'<div class="{classes}" style="{where};top:{top:.1f}px">{escape(text)}</div>'


def timeline_svg(marks: list[Mark], as_of: dt.date, width: int = WIDTH, row: int = 18) -> Markup:
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
    ascent = 8.6  # px from a 9 px DejaVu Sans label's box top to its baseline (line-height 11px)

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / max((last - first).days, 1)

    height = axis_y + 14 + row * len(marks)
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="#98a2b3"/>',
    ]
    labels: list[str] = []
    for year in range(first.year + 1, last.year + 1):
        tx = x(dt.date(year, 1, 1))
        svg.append(
            f'<line x1="{tx:.1f}" y1="{axis_y - 4}" x2="{tx:.1f}" y2="{axis_y + 4}" '
            f'stroke="#98a2b3"/>'
        )
        labels.append(_label(tx, axis_y - 8 - ascent, str(year), "middle", width, "tl-year"))
    nx = x(as_of)
    svg.append(
        f'<line x1="{nx:.1f}" y1="4" x2="{nx:.1f}" y2="{height}" stroke="#101828" '
        f'stroke-dasharray="3,2"/>'
    )
    labels.append(_label(nx + 3, 12 - ascent, as_of.isoformat(), "start", width, "tl-today"))
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
        svg.append(
            f'<line x1="{mx:.1f}" y1="{axis_y}" x2="{mx:.1f}" y2="{y}" '
            f'stroke="{colour}" stroke-opacity="0.35"/>'
            f'<circle cx="{mx:.1f}" cy="{y}" r="4" fill="{colour}"/>'
        )
        labels.append(_label(tx, y + 3 - ascent, label, anchor, width))
    svg.append("</svg>")
    return Markup(
        f'<div class="tl" style="width:{width}px;height:{height}px">'
        f"{''.join(svg)}{''.join(labels)}</div>"
    )
