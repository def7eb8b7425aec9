"""The comparison as a slide shows it: one row per vendor (or the operator), one column per
jurisdiction, each cell a phrase or two with a footnote number, and the footnotes beneath.

Built from the comparison JSON (``engine.compare.run_comparison``) so that the PDF's landscape
page, the CSV, the XLSX and the Markdown say the same thing. Every phrase in a cell is one
line's own (one obligation: its scope, its date), and its footnote is that obligation's citation:
a cell never pairs one rule's words with another's date or source.

A cell shows its leading line and, where the leading line is binding, the next binding line that
takes kit out (the UK: "no new 5G kit" then "kit at national-security sites out by 28 Jan 2023");
the count of further lines follows ("+6 more"), which the JSON and the portrait pages list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Binding marks a slide prints after a phrase; law is unmarked (the default a reader assumes).
MARKS: dict[str, str] = {"law": "", "contract": "contract", "guidance": "guidance"}
# A measure word that takes kit out (engine.compare.TAKES_KIT_OUT, as the JSON says it).
KIT_OUT_WORDS: frozenset[str] = frozenset({"prohibited", "must remove"})
# Lines a slide cell shows; the rest are counted.
LINES_SHOWN = 2


@dataclass(frozen=True)
class Footnote:
    number: int
    obligation_id: str
    title: str
    binding: str
    citation: str
    url: str
    verified: bool


@dataclass(frozen=True)
class Phrase:
    """One line of a slide cell: one obligation's phrase, binding and footnote."""

    text: str
    binding: str
    footnote: int
    verified: bool

    def plain(self) -> str:
        """The phrase with its binding mark and footnote number, for CSV, XLSX and Markdown."""
        mark = MARKS.get(self.binding, self.binding)
        flags = [m for m in (mark, "" if self.verified else "unverified") if m]
        return self.text + (f" ({', '.join(flags)})" if flags else "") + f" [{self.footnote}]"


@dataclass(frozen=True)
class SlideCell:
    jurisdiction: str
    phrases: list[Phrase]
    # "nothing" (a role, no rule about the vendor) or "no role"; None when there are phrases
    empty: str | None
    further: int  # lines not shown

    def plain(self) -> str:
        if not self.phrases:
            return self.empty or ""
        text = "; ".join(p.plain() for p in self.phrases)
        return text + (f"; +{self.further} more" if self.further else "")


@dataclass
class SlideMatrix:
    """Rows of cells under jurisdiction columns, with the footnotes their phrases cite."""

    columns: list[str]
    names: dict[str, str]
    rows: list[tuple[str, list[SlideCell]]]
    footnotes: list[Footnote] = field(default_factory=list)
    # "roles assumed for sector telecoms: ..." (hypothetical), when --as-sector was given
    assumption: str | None = None


def _shown(cell: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The lines a slide cell shows (module docstring) and how many more there are."""
    if cell["obligation_id"] is None:
        return [], 0
    lead = {
        "obligation_id": cell["obligation_id"],
        "phrase": cell["phrase"],
        "binding": cell["binding"],
        "citation": cell["citation"],
        "url": cell["url"],
        "verified": cell["verified"],
        "measure": cell["measure"],
        "title": cell.get("title") or "",
    }
    rest = ([cell["guidance"]] if cell["guidance"] else []) + list(cell["more"])
    shown = [lead]
    if lead["binding"] != "guidance":
        following = [
            line
            for line in cell["more"]
            if line["binding"] != "guidance" and line["measure"] in KIT_OUT_WORDS
        ]
        shown += following[: LINES_SHOWN - 1]
    return shown, len(rest) - (len(shown) - 1)


def assumption_text(assumed: dict[str, Any] | None) -> str | None:
    """'Roles assumed for sector telecoms (hypothetical): gb.public_telecoms_provider, ...'."""
    if not assumed:
        return None
    roles = [
        r["role"] + (f" (assumed: {r['condition']})" if r["condition"] else "")
        for r in assumed["roles"]
    ]
    text = f"Roles assumed for sector {assumed['sector']} (hypothetical, not declared): " + (
        "; ".join(roles) if roles else "none"
    )
    if assumed["no_role_in"]:
        text += f". No role assumed in {', '.join(assumed['no_role_in'])}"
    if assumed.get("not_assumed"):
        text += (
            ". Not assumed, held only by named addressees or recipients (declare with "
            f"--as-role if the client is one): {', '.join(assumed['not_assumed'])}"
        )
    return text + "."


def slide_matrix(data: dict[str, Any], names: dict[str, str] | None = None) -> SlideMatrix:
    """The comparison JSON as a slide matrix: rows are the vendors (with ``--vendor``) or the
    operator, columns the jurisdictions compared."""
    numbers: dict[str, int] = {}
    footnotes: list[Footnote] = []

    def number(line: dict[str, Any]) -> int:
        ident = line["obligation_id"]
        if ident not in numbers:
            numbers[ident] = len(numbers) + 1
            footnotes.append(
                Footnote(
                    numbers[ident],
                    ident,
                    line.get("title") or "",
                    line["binding"],
                    line["citation"] or "",
                    line["url"] or "",
                    line["verified"] is not False,
                )
            )
        return numbers[ident]

    if "vendors" in data:
        sources = [(row["vendor"], row["cells"]) for row in data["vendors"]]
    else:
        sources = [(data["operator"], data["cells"])]
    rows = []
    for title, cells in sources:
        row = []
        for cell in cells:
            shown, further = _shown(cell)
            phrases = [
                Phrase(
                    line["phrase"] or line["measure"],
                    line["binding"],
                    number(line),
                    line["verified"] is not False,
                )
                for line in shown
            ]
            row.append(
                SlideCell(
                    cell["jurisdiction"],
                    phrases,
                    None if phrases else (cell["phrase"] or cell["measure"]),
                    further,
                )
            )
        rows.append((title, row))
    return SlideMatrix(
        list(data["jurisdictions"]),
        names or {},
        rows,
        footnotes,
        assumption_text(data.get("assumed_sector")),
    )
