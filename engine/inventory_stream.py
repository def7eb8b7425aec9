"""Reading an inventory chunk by chunk: every format folds its rows into one ``ChunkFolder``.

A large inventory is not read whole and then checked: its rows arrive in chunks (the CSV reader's
records, Arrow's streaming CSV reader's record batches, a Parquet file's batches, an Excel sheet's
rows in read-only mode) of ``CHUNK_ROWS`` rows, and each chunk is validated as it comes, its
problems kept with their true row numbers, so that a bad file still gets every problem reported
at once (``engine.inventory_check.InventoryErrors``). Asset ids are unique across the whole file,
so the duplicate check spans chunks.

Parquet is the form large inventories travel in; its rows are numbered as a spreadsheet's are
(the header is row 1, the first asset row 2), so a Parquet file and the CSV it was converted from
name the same row for the same problem (docs/adr/0013-streaming-evaluation.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any

from dutybound.engine import limits
from dutybound.engine.asset_table import TABLE_ABOVE_ASSETS, AssetTable, TableBuilder
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import COLUMNS, Asset, Row, assets_from_columns
from dutybound.engine.inventory_check import _annotated, raise_problems, validate_all
from dutybound.engine.inventory_columns import Column, fold_chunk
from dutybound.engine.mapping import MAPPABLE, NO_MAPPING, Mapping

# rows per chunk: large enough that the per-chunk work (one column pass per chunk) is amortised,
# small enough that a chunk's cells as Python strings stay a few tens of megabytes
CHUNK_ROWS = 16_384


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """``rows`` in lists of at most ``size`` (Python 3.11 has no ``itertools.batched``)."""
    if size < 1:
        raise ValueError(f"chunk size must be 1 or more, got {size}")
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


class ChunkFolder:
    """Validates an inventory one chunk at a time and keeps what the file holds so far: the
    assets of its good rows, the ids seen and every problem. ``finish`` raises every problem
    at once, or returns the assets."""

    def __init__(
        self,
        path: Path | str,
        used: list[tuple[str, str]],
        problems: list[InputError],
        absent: frozenset[str] = frozenset(),
        defaults: dict[str, str] | None = None,
        mapping: Mapping = NO_MAPPING,
        label: Callable[[int], str] | None = None,
        table_above: int = TABLE_ABOVE_ASSETS,
        columnar: bool = False,
        capacity: int = 0,
    ) -> None:
        self.path = path
        self.headers = {column: header for header, column in used}
        # header problems (found before any row): the rows' problems join them
        self.problems = problems
        self.absent = absent
        self.defaults = [(COLUMNS.index(c), v) for c, v in (defaults or {}).items()]
        self.mapping = mapping
        self.label = label
        self.assets: list[Asset] = []
        self.seen: set[str] = set()
        # past ``table_above`` assets (or from the start, for a reader that folds columns) the
        # assets go into a table of columns (engine.asset_table), their ids checked at the end
        self.table_above = table_above
        self.builder: TableBuilder | None = TableBuilder(capacity) if columnar else None
        # each distinct cell of a mappable column, translated once for the whole file
        self._memo: dict[tuple[int, str], str] = {}

    def add_rows(self, rows: list[Row]) -> None:
        """One chunk of rows (line, cells in ``COLUMNS`` order, stripped), validated row by
        row: the common path of small files, and the path of any chunk with a problem."""
        self._fill(rows)
        found: list[InputError] = []
        good = validate_all(
            self.path, rows, found, self.headers, self.absent, self.label, final=False
        )
        self.problems.extend(found)
        self._keep(good)

    def add_columns(self, columns: list[list[str]], lines: list[int]) -> bool:
        """One chunk as columns (``COLUMNS`` order, stripped, defaults not yet filled), checked
        column by column over distinct values (``assets_from_columns``). False when a value
        is wrong: the caller then gives the same chunk to ``add_rows`` to name it."""
        for i, value in self.defaults:
            columns[i] = [cell or value for cell in columns[i]]
        assets = assets_from_columns(columns, lines)
        if assets is None:
            translated = self._translated_columns(columns)
            if translated is not None:
                assets = assets_from_columns(translated, lines)
        if assets is None:
            return False
        self._keep(assets)
        return True

    def add_arrow(self, ids: Any, columns: dict[str, Column], first_line: int) -> bool:
        """One chunk of a large inventory as Arrow columns, checked and folded into the table
        with no Python code per row (``engine.inventory_columns``). False when a value is
        wrong: the caller then gives the same chunk to ``add_rows`` to name it."""
        if self.builder is None or self.problems:
            return False
        defaults = {COLUMNS[i]: value for i, value in self.defaults}
        return fold_chunk(self.builder, ids, columns, first_line, defaults, self.mapping)

    def finish(self) -> Sequence[Asset]:
        """The assets (a list, or a table past ``table_above``), or every problem of the file
        at once."""
        if self.builder is None:
            raise_problems(self.problems)
            return self.assets
        table = self.builder.finish()
        self.problems.extend(self._repeated_ids(table))
        raise_problems(self.problems)
        return table

    def _repeated_ids(self, table: AssetTable) -> list[InputError]:
        """Every row of a table whose id an earlier row holds: the rows whose id's hash repeats
        (``TableBuilder.repeated``, usually none), compared as text."""
        assert self.builder is not None
        candidates = self.builder.repeated()
        first: dict[str, int] = {}
        found = []
        lines = table.line[candidates].tolist()
        for asset_id, line in zip(table.ids_of(candidates), lines, strict=True):
            if asset_id not in first:
                first[asset_id] = line
                continue
            found.append(self._duplicate(asset_id, line, first[asset_id]))
        return found

    def _duplicate(self, asset_id: str, line: int, first: int) -> InputError:
        return _annotated(
            InputError(
                self.path,
                f"duplicate asset id {asset_id!r} (first on line {first})",
                line=line,
                field="asset_id",
            ),
            asset_id,
            self.headers.get("asset_id"),
            self.label,
        )

    def _fill(self, rows: list[Row]) -> None:
        """The ``--default`` values and the mapping's words, in place."""
        positions = [(COLUMNS.index(c), c) for c in MAPPABLE]
        memo = self._memo
        for _line, values in rows:
            for i, value in self.defaults:
                if not values[i]:
                    values[i] = value
            for i, column in positions:
                text = values[i]
                if text:
                    done = memo.get((i, text))
                    if done is None:
                        done = memo[(i, text)] = self.mapping.translate(column, text)
                    values[i] = done

    def _translated_columns(self, columns: list[list[str]]) -> list[list[str]] | None:
        """``columns`` with the mappable ones in dutybound's words; None when no value
        changes."""
        out = list(columns)
        changed = False
        for column in MAPPABLE:
            i = COLUMNS.index(column)
            table = {v: self.mapping.translate(column, v) for v in set(columns[i])}
            if any(k != v for k, v in table.items()):
                out[i] = list(map(table.__getitem__, columns[i]))
                changed = True
        return out if changed else None

    def _keep(self, assets: list[Asset]) -> None:
        """Add a chunk's assets, each id checked against every earlier chunk's (a chunk is
        unique in itself: validated whole). Set operations in C for the common case; the ids
        of a chunk that repeats one are looked at one by one, to name the rows."""
        if self.builder is not None:
            self.builder.add_assets(assets)
            return
        if len(self.assets) + len(assets) > self.table_above:
            # a large inventory: what was kept so far and every later chunk go into the table
            self.builder = TableBuilder()
            self.builder.add_assets(self.assets)
            self.builder.add_assets(assets)
            self.assets, self.seen = [], set()
            return
        fresh = set(map(_asset_id, assets))
        if self.seen.isdisjoint(fresh):
            self.seen |= fresh
            self.assets.extend(assets)
            return
        repeated = fresh & self.seen
        first = {a.asset_id: a.line for a in self.assets if a.asset_id in repeated}
        for asset in assets:
            if asset.asset_id not in repeated:
                self.seen.add(asset.asset_id)
                self.assets.append(asset)
                continue
            self.problems.append(self._duplicate(asset.asset_id, asset.line, first[asset.asset_id]))


_asset_id = attrgetter("asset_id")


# --- Arrow's CSV reader ----------------------------------------------------------------------


def arrow_csv_reader(source: Any, header: list[str], ids: str | None, block: int) -> Any:
    """Arrow's streaming CSV reader as both CSV fast paths open it (``engine.inventory``,
    ``engine.large_csv``): one record batch per block of ``block`` bytes, every cell a string.

    Every column but the asset ids is read dictionary-encoded by the reader itself: a column
    repeats a few values (vendors, categories, sites), so each distinct string is made once and
    shared by every row. One thread and the system allocator: faster on small machines, and a
    lower peak."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    types = {
        name: pa.string() if name == ids else pa.dictionary(pa.int32(), pa.string())
        for name in header
    }
    return pcsv.open_csv(
        source,
        read_options=pcsv.ReadOptions(use_threads=False, block_size=block),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            auto_dict_encode=False,
        ),
        memory_pool=pa.system_memory_pool(),
    )


# --- Parquet -------------------------------------------------------------------------------


def parquet_header(path: Path) -> tuple[Any, list[str]]:
    """The open Parquet file and its column names; a file that is not Parquet, or is past the
    row cap, is an input error naming the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # the byte cap holds for the file as stored (compressed): its rows are capped by count
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(path, f"cannot read the file: {error.strerror or error}") from error
    if size > limits.limit(limits.Limit.INPUT_BYTES):
        raise limits.breach(path, limits.Limit.INPUT_BYTES, f"{size:,} bytes")
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise InputError(path, f"not a readable Parquet file ({error})") from error
    if parquet.metadata.num_rows == 0:
        raise InputError(path, "no assets (only a header)")
    limits.check_rows(path, parquet.metadata.num_rows)
    return parquet, list(parquet.schema_arrow.names)


def parquet_chunks(
    path: Path, parquet: Any, positions: list[int | None], size: int
) -> Iterator[tuple[list[list[str]], list[int]]]:
    """The file's batches of ``size`` rows as (columns of cells in ``COLUMNS`` order, the rows'
    numbers); a column the header lacks reads as empty. Each cell is the text a CSV export of
    the same table would hold (``cell_text``)."""
    import pyarrow as pa

    first = 2  # the header is row 1
    try:
        for batch in parquet.iter_batches(batch_size=size, use_threads=False):
            rows = batch.num_rows
            yield _batch_cells(batch, positions), list(range(first, first + rows))
            first += rows
    except (pa.ArrowException, OSError) as error:
        raise InputError(
            path, f"cannot read the rows from row {first} on ({error})", line=first
        ) from error


def parquet_arrow_chunks(
    path: Path, parquet: Any, positions: list[int | None], size: int
) -> Iterator[tuple[Any, dict[str, Column], int, Callable[[], tuple[list[list[str]], list[int]]]]]:
    """The file's batches of ``size`` rows for a large inventory: (the ids as an Arrow string
    array, every other column as a ``Column``, the first row's number, and a function giving
    the batch as ``parquet_chunks`` does, for the row path when a value is wrong)."""
    import pyarrow as pa

    first = 2  # the header is row 1
    try:
        for batch in parquet.iter_batches(batch_size=size, use_threads=False):
            rows = batch.num_rows
            ids_at = positions[0]
            ids = batch.column(ids_at) if ids_at is not None else pa.array([""] * rows)
            if pa.types.is_large_string(ids.type):
                ids = ids.cast(pa.string())
            elif not pa.types.is_string(ids.type):
                ids = pa.array(_column_cells(ids, identity=True), type=pa.string())
            columns = {
                name: Column.of(batch.column(i), cell_text) if i is not None else Column.blank(rows)
                for name, i in zip(COLUMNS[1:], positions[1:], strict=True)
            }

            def cells(batch: Any = batch, first: int = first) -> tuple[list[list[str]], list[int]]:
                return _batch_cells(batch, positions), list(range(first, first + batch.num_rows))

            yield ids, columns, first, cells
            first += rows
    except (pa.ArrowException, OSError) as error:
        raise InputError(
            path, f"cannot read the rows from row {first} on ({error})", line=first
        ) from error


def _batch_cells(batch: Any, positions: list[int | None]) -> list[list[str]]:
    """A batch's cells in ``COLUMNS`` order (``cell_text``); a column the header lacks reads
    as empty."""
    rows = batch.num_rows
    return [
        _column_cells(batch.column(i), identity=k == 0) if i is not None else [""] * rows
        for k, i in enumerate(positions)
    ]


def cell_text(value: Any) -> str:
    """A typed cell (Excel's, Parquet's) as the text a CSV export would hold: a date as
    YYYY-MM-DD, a whole float without '.0', nothing for a null."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    return str(value).strip()


def _column_cells(array: Any, identity: bool) -> list[str]:
    """One column of a batch as stripped strings. The asset ids are converted cell by cell;
    every other column repeats a few values, so each distinct value is converted once."""
    import pyarrow as pa

    if identity and pa.types.is_string(array.type) and array.null_count == 0:
        return list(map(str.strip, array.to_pylist()))
    if identity:
        return list(map(cell_text, array.to_pylist()))
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    values = [cell_text(v) for v in array.dictionary.to_pylist()]
    values.append("")  # the null's stand-in
    indices = array.indices.fill_null(len(values) - 1) if array.null_count else array.indices
    return list(map(values.__getitem__, indices.to_pylist()))


def template_parquet() -> bytes:
    """``engine.inventory_template.template_csv`` as a Parquet file: dutybound's columns as
    string columns and the example row (for a pipeline that writes Parquet to start from)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from dutybound.engine.inventory_template import template_csv

    data = template_csv().encode()
    names = next(limits.csv_records("template", template_csv()))[1]
    table = pcsv.read_csv(
        pa.py_buffer(data),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
