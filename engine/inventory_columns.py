"""A chunk of a large inventory, as Arrow columns, checked and folded into an ``AssetTable``.

The columnar twin of ``engine.inputs.assets_from_columns``: each column is dictionary-encoded
(Arrow, in C), each distinct cell is checked and converted once with the same rules
(``engine.inputs.COLUMN_RULES``), and the rows become codes and numbers by NumPy indexing, so no
Python code runs per row. Anything wrong in a chunk (an empty required cell, a value outside the
vocabulary, a repeated id, a cell with surrounding space Arrow would not strip as Python does)
returns False: the caller then checks the chunk row by row to name the line and field, as for a
small file. A test checks that both paths give the same assets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from dutybound.engine import limits
from dutybound.engine.asset_table import KEY_FIELDS, TableBuilder
from dutybound.engine.inputs import COLUMN_RULES, _mac_or_none, convert_distinct
from dutybound.engine.mapping import MAPPABLE, Mapping

# what Python's str.strip removes (str.isspace), as a regular-expression class for Arrow's RE2:
# an id with one of these at either end is left to the row path, which strips it as Python does
_SPACE = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
)
_EDGE_SPACE = f"^[{_SPACE}]|[{_SPACE}]$"


class Column:
    """One column of a chunk, dictionary-encoded: its distinct cells (stripped text, each used
    by at least one row) and each row's code into them."""

    __slots__ = ("codes", "values")

    def __init__(self, values: list[Any], codes: np.ndarray) -> None:
        self.values = values
        self.codes = codes

    @classmethod
    def blank(cls, rows: int) -> Column:
        return cls([""], np.zeros(rows, dtype=np.int32))

    @classmethod
    def of(cls, array: Any, text: Callable[[Any], str]) -> Column:
        """An Arrow array (plain or dictionary) as a column; ``text`` turns a dictionary value
        into the cell's text (a CSV's strings are stripped, Parquet's typed cells written as a
        CSV export would write them)."""
        import pyarrow as pa

        if not pa.types.is_dictionary(array.type):
            array = array.dictionary_encode()
        values = [text(v) for v in array.dictionary.to_pylist()]
        indices = array.indices
        if array.null_count:
            values.append("")
            indices = indices.fill_null(len(values) - 1)
        codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int32)
        present = np.bincount(codes, minlength=len(values)) > 0
        if not present.all():  # a dictionary may hold values no row of this chunk uses
            used = np.flatnonzero(present)
            values = [values[u] for u in used.tolist()]
            codes = np.searchsorted(used, codes).astype(np.int32)
        return cls(values, codes)

    def converted(
        self, transform: Callable[[str], Any], valid: Callable[[Any], bool]
    ) -> Column | None:
        """Each distinct value converted (``COLUMN_RULES``); None if one is not valid."""
        out = convert_distinct(self.values, transform, valid)
        return None if out is None else Column(out, self.codes)

    def rows(self, dtype: Any) -> np.ndarray:
        """The column's values per row, as a NumPy array of ``dtype``."""
        values: np.ndarray = np.asarray(self.values, dtype=dtype)
        return np.asarray(values[self.codes])


def fold_chunk(
    builder: TableBuilder,
    ids: Any,
    columns: dict[str, Column],
    first_line: int,
    defaults: dict[str, str],
    mapping: Mapping,
) -> bool:
    """Check one chunk and add its rows to ``builder``; False (nothing added) when a value is
    wrong. ``ids`` is the asset-id column as an Arrow string array; ``columns`` holds every
    other column of ``COLUMNS`` (a column the file lacks as ``Column.blank``); row ``i`` of the
    chunk is line ``first_line + i``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = len(ids)
    if not pa.types.is_string(ids.type) or ids.null_count:
        return False
    if pc.any(pc.match_substring_regex(ids, _EDGE_SPACE)).as_py():
        return False
    if pc.any(pc.equal(ids, "")).as_py() or pc.count_distinct(ids).as_py() != rows:
        return False  # an empty or repeated id: the row path names it
    columns = dict(columns)
    for name, value in defaults.items():
        if name != "asset_id":
            column = columns[name]
            columns[name] = Column([cell or value for cell in column.values], column.codes)
    checked = _checked(columns)
    if checked is None:
        translated = _translated(columns, mapping)
        checked = _checked(translated) if translated is not None else None
        if checked is None:
            return False
        columns = translated  # type: ignore[assignment]
    macs = _macs(columns["mac"], columns["oui"], rows)
    if macs is None:
        return False
    vendor = columns["vendor"]
    if "" in vendor.values:
        empty = vendor.codes == vendor.values.index("")
        if not any(macs.values) or np.any(empty & (np.asarray(macs.values)[macs.codes] == "")):
            return False  # a row with neither vendor nor MAC: the row path names it
    parts = {**columns, **checked, "mac": macs}
    builder.add_columns(
        ids=ids,
        key=_keys(builder, [parts[name] for name in KEY_FIELDS], rows),
        product=_coded(builder, "product", parts["product"]),
        site=_coded(builder, "site", parts["site"]),
        quantity=parts["quantity"].rows(np.int64),
        installed=_ordinals(parts["installed_on"]),
        identified=_ordinals(parts["identified_on"]),
        line=np.arange(first_line, first_line + rows, dtype=np.int64),
    )
    return True


def chunk_within_limits(ids: Any, columns: dict[str, Column]) -> bool:
    """``within_limits`` for a chunk as ``fold_chunk`` takes it: the ids by Arrow, every other
    column over its distinct cells. A Parquet cell is bounded by no line, as a CSV's is (the
    CSV paths check their text or bytes instead)."""
    import pyarrow.compute as pc

    cap = limits.limit(limits.Limit.FIELD_CHARS)
    if pc.max(pc.utf8_length(ids)).as_py() > cap or pc.any(pc.match_substring(ids, "\x00")).as_py():
        return False
    return all(within_limits(column.values) for column in columns.values())


def within_limits(values: Iterable[str]) -> bool:
    """Whether every cell is within the value domain (``limits.text_problem``) and the field
    cap: checked on distinct cells by the column paths, whose rows the row path (which names
    the row and field of a breach) does not see."""
    cap = limits.limit(limits.Limit.FIELD_CHARS)
    return all(len(v) <= cap and limits.text_problem(v) is None for v in values)


def _checked(columns: dict[str, Column]) -> dict[str, Column] | None:
    """The checked columns converted, or None when a required one has an empty cell or a value
    is wrong."""
    for name in ("category", "function", "country", "status"):
        if "" in columns[name].values:
            return None
    out = {}
    for name, rule in COLUMN_RULES.items():
        converted = columns[name].converted(*rule)
        if converted is None:
            return None
        out[name] = converted
    return out


def _translated(columns: dict[str, Column], mapping: Mapping) -> dict[str, Column] | None:
    """The mappable columns' values in dutybound's words (``--map``); None when none changes."""
    out = dict(columns)
    changed = False
    for name in MAPPABLE:
        column = columns[name]
        values = [mapping.translate(name, v) for v in column.values]
        if values != column.values:
            out[name] = Column(values, column.codes)
            changed = True
    return out if changed else None


def _macs(mac: Column, oui: Column, rows: int) -> Column | None:
    """The canonical MAC (or bare OUI) of each row, "" where neither is given; None when one
    is not a MAC or the two disagree."""
    if mac.values == [""] and oui.values == [""]:
        return Column([""], np.zeros(rows, dtype=np.int32))
    pair = mac.codes.astype(np.int64) * len(oui.values) + oui.codes
    used, codes = np.unique(pair, return_inverse=True)
    values = []
    for p in used.tolist():
        found = _mac_or_none((mac.values[p // len(oui.values)], oui.values[p % len(oui.values)]))
        if found is None:
            return None
        values.append(found)
    return Column(values, codes.astype(np.int32).reshape(-1))


def _keys(builder: TableBuilder, columns: Sequence[Column], rows: int) -> np.ndarray:
    """Each row's key (``KEY_FIELDS``) as its code in the whole file: the chunk's distinct
    combinations of codes found by NumPy, each made into a key once."""
    # the codes of each column in one number per row (mixed radix), renumbered densely
    # whenever the next column could overflow it
    combined = np.zeros(rows, dtype=np.int64)
    size = 1
    for column in columns:
        n = len(column.values)
        if size * n >= 1 << 62:
            combined = np.unique(combined, return_inverse=True)[1].reshape(-1)
            size = int(combined.max()) + 1
        combined = combined * n + column.codes
        size *= n
    _combos, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    keys = [tuple(c.values[c.codes[row]] for c in columns) for row in first.tolist()]
    return builder.codes("key", keys)[inverse.reshape(-1)]


def _coded(builder: TableBuilder, table: str, column: Column) -> np.ndarray:
    codes: np.ndarray = builder.codes(table, column.values)
    return np.asarray(codes[column.codes])


def _ordinals(column: Column) -> np.ndarray:
    """A date column as day ordinals per row, 0 where the cell is empty."""
    days: np.ndarray = np.asarray([d.toordinal() if d else 0 for d in column.values], np.int32)
    return np.asarray(days[column.codes])
