"""An empty inventory to fill in: the columns dutybound reads, with its words as drop-down lists.

A new user otherwise learns the vocabulary from error messages. The Excel template offers each
closed column's words as a drop-down (an openpyxl ``DataValidation`` over a range of the
"Vocabulary" sheet, which also says what each word means), and refuses other text as it is
typed; the CSV template is the header and one example row. Every cell goes through
``engine.cells`` like any spreadsheet this project writes.
"""

from __future__ import annotations

import io

from dutybound.engine import vocabulary as vocab
from dutybound.engine.cells import spreadsheet_workbook, spreadsheet_writer
from dutybound.engine.inputs import COLUMNS, REQUIRED_COLUMNS

# A filled-in example row, so the shape of each value (dates, flags, codes) is seen once.
EXAMPLE: dict[str, str] = {
    "asset_id": "RAN-0001",
    "vendor": "Nokia",
    "category": "telecom_equipment",
    "function": "ran",
    "country": "CZ",
    "status": "installed",
    "product": "AirScale baseband",
    "network": "5g",
    "quantity": "12",
    "site": "Prague North",
    "installed_on": "2022-06-30",
}

# Rows the drop-downs cover: far more than a hand-kept inventory holds.
VALIDATED_ROWS = 5000


def _closed_columns() -> list[tuple[str, list[str]]]:
    return [(column, sorted(words)) for column, words in vocab.ASSET_FIELDS.items()]


def _meaning(column: str, word: str) -> str:
    """What a word means in its column (``engine.vocabulary.MEANINGS``), else its label."""
    return vocab.MEANINGS.get(vocab.Vocabulary(column), {}).get(word) or vocab.label(word)


def template_csv() -> str:
    """The CSV template: header and one example row."""
    out = io.StringIO()
    writer = spreadsheet_writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE.get(c, "") for c in COLUMNS])
    return out.getvalue()


def template_xlsx() -> bytes:
    """The Excel template: an "Inventory" sheet (header, example row, drop-downs) and a
    "Vocabulary" sheet with one column of words per closed column and their meanings."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    closed = _closed_columns()
    longest = max(len(words) for _c, words in closed)
    # Vocabulary: for each closed column two columns, the words and their meanings
    header: list[object] = []
    for column, _words in closed:
        header += [column, f"{column}: meaning"]
    body: list[list[object]] = []
    for i in range(longest):
        row: list[object] = []
        for column, words in closed:
            row += [words[i], _meaning(column, words[i])] if i < len(words) else ["", ""]
        body.append(row)
    book = spreadsheet_workbook(
        [
            ("Inventory", [list(COLUMNS), [EXAMPLE.get(c, "") for c in COLUMNS]]),
            ("Vocabulary", [header, *body]),
        ]
    )
    sheet = book["Inventory"]
    for n, (column, words) in enumerate(closed):
        source = get_column_letter(2 * n + 1)
        rule = DataValidation(
            type="list",
            formula1=f"=Vocabulary!${source}$2:${source}${len(words) + 1}",
            allow_blank=column not in REQUIRED_COLUMNS,
            showErrorMessage=True,
            errorTitle=f"Not a {column}",
            error=f"Choose a {column} from the list (see the Vocabulary sheet).",
        )
        target = get_column_letter(COLUMNS.index(column) + 1)
        rule.add(f"{target}2:{target}{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(rule)
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, len(column) + 4)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
