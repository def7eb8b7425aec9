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
    """One deadline: binding marks (law, contract) are filled dots, guidance hollow ones."""

    day: dt.date
    label: str
    status: FindingStatus
    binding: bool = True


def _label(x: float, top: float, text: str, anchor: str, width: int, css_class: str = "") -> str:
    """One HTML label whose text starts (``anchor='start'``), ends or is centred at ``x``.

    ``top`` is the SVG baseline minus the label's ascent, so the HTML text sits where the SVG
    text used to be; ``end`` and ``middle`` are positioned with ``right`` and a centred box, so
    no text width has to be known exactly. A label of several lines is given as ``\n``-joined
    text and set with line breaks.
    """
    classes = f"tl-label {css_class}".strip()
    if anchor == "start":
        where = f"left:{x:.1f}px"
    elif anchor == "end":
        where = f"right:{width - x:.1f}px;text-align:right"
    else:  # middle: a 60 px box centred on x
        where = f"left:{x - 30:.1f}px;width:60px;text-align:center"
    body = Markup("<br>").join(escape(line) for line in text.split("\n"))
    return f'<div class="{classes}" style="{where};top:{top:.1f}px">{body}</div>'


def _wrap(text: str, room: float) -> list[str]:
    """``text`` in lines that fit ``room`` px at the average character width, cut at spaces
    only: a deadline's title is never shortened (a cut title once hid which duty it was)."""
    per_line = max(int(room * 0.92 / CHAR_WIDTH), 12)  # 8 % slack: the width is an average
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def timeline_svg(marks: list[Mark], as_of: dt.date, width: int = WIDTH, row: int = 18) -> Markup:
    """A horizontal time axis with the evaluation date and one labelled dot per deadline.

    Each deadline has its own row, so labels never collide; a label too long for the roomier
    side of its dot is wrapped onto more lines (its row grows), never cut; labels have an opaque
    background, so the evaluation-date line and leader lines pass behind them, never through.
    """
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
    line_height = 11

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / max((last - first).days, 1)

    placed = []
    y = axis_y + 14
    for mark in marks:
        mx = x(mark.day)
        label = f"{mark.day.isoformat()} · {mark.label}"
        room_right, room_left = right - (mx + 6), (mx - 6) - left
        if len(label) * CHAR_WIDTH <= room_right:
            anchor, tx, lines = "start", mx + 6, [label]
        elif len(label) * CHAR_WIDTH <= room_left:
            anchor, tx, lines = "end", mx - 6, [label]
        elif room_right >= room_left:
            anchor, tx, lines = "start", mx + 6, _wrap(label, room_right)
        else:
            anchor, tx, lines = "end", mx - 6, _wrap(label, room_left)
        placed.append((mark, mx, y, anchor, tx, lines))
        y += row + line_height * (len(lines) - 1)
    height = y - row + 12
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
    # the evaluation-date line, interrupted wherever a label's box (its estimated width plus a
    # margin) spans it: it must never strike through a deadline's text
    gaps = []
    for _mark, _mx, my, anchor, tx, lines in placed:
        extent = max(len(line) for line in lines) * CHAR_WIDTH + 8
        lo, hi = (tx - 4, tx + extent) if anchor == "start" else (tx - extent, tx + 4)
        if lo <= nx <= hi:
            gaps.append((my - 9, my - 9 + line_height * len(lines) + 3))
    top = 4.0
    for start, end in [*gaps, (height, height)]:
        if start - top >= 10:  # a stub between two labels' rows reads as crossing them
            svg.append(
                f'<line x1="{nx:.1f}" y1="{top:.1f}" x2="{nx:.1f}" y2="{start:.1f}" '
                f'stroke="#101828" stroke-dasharray="3,2"/>'
            )
        top = max(top, end)
    labels.append(_label(nx + 3, 12 - ascent, as_of.isoformat(), "start", width, "tl-today"))
    for mark, mx, my, anchor, tx, lines in placed:
        colour = COLOURS.get(mark.status, "#344054")
        dot = (
            f'<circle cx="{mx:.1f}" cy="{my}" r="4" fill="{colour}"/>'
            if mark.binding
            else f'<circle cx="{mx:.1f}" cy="{my}" r="3.3" fill="white" stroke="{colour}" '
            f'stroke-width="1.4"/>'
        )
        svg.append(
            f'<line x1="{mx:.1f}" y1="{axis_y}" x2="{mx:.1f}" y2="{my}" '
            f'stroke="{colour}" stroke-opacity="0.35"/>{dot}'
        )
        css = "" if mark.binding else "tl-guidance"
        labels.append(_label(tx, my + 3 - ascent, "\n".join(lines), anchor, width, css))
    svg.append("</svg>")
    return Markup(
        f'<div class="tl" style="width:{width}px;height:{height}px">'
        f"{''.join(svg)}{''.join(labels)}</div>"
    )
