"""Reading asset inventories as people keep them: CSV, Excel, JSON and CycloneDX SBOM/HBOM.

Real exports do not say ``vendor``; they say Manufacturer, Make, Supplier or OEM. Column names are
mapped case-insensitively through a table of synonyms, and the mapping used is reported so the
user can see which column was read as what. Every format ends in the same validated rows
(``engine.inputs``), so every format gets the same errors, naming the file, line and field.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from dutybound.engine import asset_table, limits
from dutybound.engine.asset_table import TABLE_ABOVE_ASSETS
from dutybound.engine.cyclonedx import BomRows, bom_notices, cyclonedx_rows, json_type
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import (
    COLUMNS,
    REQUIRED_COLUMNS,
    VENDOR_STAND_INS,
    Asset,
    Row,
    paused_gc,
)
from dutybound.engine.inventory_check import header_suggestion, likely_header
from dutybound.engine.inventory_columns import chunk_within_limits, within_limits
from dutybound.engine.inventory_stream import (
    CHUNK_ROWS,
    ChunkFolder,
    arrow_csv_reader,
    cell_text,
    chunks,
    parquet_arrow_chunks,
    parquet_chunks,
    parquet_header,
)
from dutybound.engine.limits import read_text
from dutybound.engine.mapping import NO_MAPPING, Mapping
from dutybound.engine.netbox import MAPPING_USED as NETBOX_MAPPING
from dutybound.engine.netbox import device_label, is_netbox_page, netbox_csv, netbox_page_rows
from dutybound.engine.notices import Notice

# Header names (normalised: lower case, '_' and '-' as spaces) accepted for each column.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "asset_id": (
        "asset id",
        "id",
        "asset tag",
        "tag",
        "asset number",
        "asset no",
        "ci id",
        "bom ref",
    ),
    "vendor": (
        "manufacturer",
        "make",
        "supplier",
        "oem",
        "vendor name",
        "manufacturer name",
        "brand",
        "producer",
    ),
    "product": ("product name", "item", "item description", "description", "name"),
    "category": ("asset category", "asset type", "type", "class", "asset class"),
    "function": ("network function", "role", "network role"),
    "network": ("network type", "technology", "generation"),
    "country": ("country code", "iso country", "location country"),
    "use": ("purpose", "usage", "intended use"),
    "status": ("lifecycle", "lifecycle status", "state", "asset status"),
    "quantity": ("qty", "count", "units", "number of units"),
    "site": ("location", "site name"),
    "model": ("model number", "model no", "part number", "sku", "mpn"),
    "installed_on": ("installed", "install date", "installation date", "in service date"),
    "identified_on": ("identified", "identification date", "date identified"),
    "flags": ("flag",),
    "origin": ("country of origin", "made in", "origin country", "coo"),
    # a MAC address or its OUI prefix (engine.macs), e.g. from a network-discovery export
    "mac": (
        "mac address",
        "mac addr",
        "macaddress",
        "hardware address",
        "hw address",
        "ethernet address",
        "physical address",
    ),
    "oui": ("mac prefix", "oui prefix", "mac oui", "vendor prefix"),
}


MISSING_COLUMN = "missing required column"


def _header_key(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


_LOOKUP: dict[str, str] = {}
for _column, _names in SYNONYMS.items():
    for _name in (_column.replace("_", " "), *_names):
        _LOOKUP[_header_key(_name)] = _column


@dataclass
class Inventory:
    # a list, or above ``TABLE_ABOVE_ASSETS`` rows a table of columns (engine.asset_table)
    assets: Sequence[Asset]
    format: str
    # (header as written in the file, the column it was read as), for the user to check
    columns: list[tuple[str, str]] = field(default_factory=list)
    # what qualifies the inventory as a whole (components left out of a BOM)
    notices: list[Notice] = field(default_factory=list)

    def renamed(self) -> list[tuple[str, str]]:
        """The headers that were read under another name."""
        return [(h, c) for h, c in self.columns if _header_key(h) != c.replace("_", " ")]


def map_header(
    path: Path | str,
    header: list[str],
    defaulted: frozenset[str] = frozenset(),
    mapping: Mapping = NO_MAPPING,
    problems: list[InputError] | None = None,
) -> tuple[list[int | None], list[tuple[str, str]]]:
    """Positions of each of ``COLUMNS`` in ``header`` (None if absent), and the mapping used.
    A required column may be absent when ``--default`` gives its value (``defaulted``). The
    mapping file's ``columns`` come before the built-in synonyms. With ``problems``, a header
    problem is added to it and reading goes on (the missing column reads as empty), so that the
    rows' problems are found in the same run; without, the first one is raised."""
    found: dict[str, int] = {}

    def problem(error: InputError) -> None:
        if problems is None:
            raise error
        problems.append(error)

    for i, name in enumerate(header):
        column = mapping.columns.get(_header_key(str(name))) or _LOOKUP.get(_header_key(str(name)))
        if column is None:
            continue  # extra columns are common in exports and are ignored
        if column in found:
            problem(
                InputError(
                    path,
                    f"columns {header[found[column]]!r} and {name!r} both mean '{column}'; "
                    "keep one",
                    line=1,
                    field=column,
                )
            )
            continue
        found[column] = i
    missing = [
        c
        for c in REQUIRED_COLUMNS
        if c not in found
        and c not in defaulted
        # an inventory of MAC addresses may have no vendor column at all
        and not (c == "vendor" and any(m in found for m in VENDOR_STAND_INS))
    ]
    unread = [str(h) for i, h in enumerate(header) if i not in found.values() and str(h).strip()]
    for column in missing:
        likely = likely_header(column, unread) if problems is not None else None
        problem(
            InputError(
                path,
                f"{MISSING_COLUMN} {column!r} (accepted names: "
                f"{', '.join(SYNONYMS[column])})"
                + ("; or give a 'mac' or 'oui' column" if column == "vendor" else "")
                + header_suggestion(column, likely),
                line=1,
                field=column,
            )
        )
        if likely is not None:
            # read provisionally, so that its values' problems are found in the same run
            found[column] = [str(h) for h in header].index(likely)
            unread.remove(likely)
    mapping_used = [(str(header[i]), c) for c, i in sorted(found.items(), key=lambda kv: kv[1])]
    return [found.get(c) for c in COLUMNS], mapping_used


def _csv_rows(
    path: Path,
    text: str,
    defaulted: frozenset[str],
    mapping: Mapping = NO_MAPPING,
    problems: list[InputError] | None = None,
) -> tuple[list[tuple[str, str]], Iterator[Row]]:
    records = limits.csv_records(path, text)
    first = next(records, None)
    if first is None:
        raise InputError(path, "file is empty")
    header = first[1]
    positions, used = map_header(path, header, defaulted, mapping, problems)
    width = len(header)
    # absent optional columns read an empty value appended at index `width`
    pick = itemgetter(*[width if i is None else i for i in positions])
    strip = str.strip

    def rows() -> Iterator[Row]:
        count = 0
        cap = limits.limit(limits.Limit.ROWS)
        for line, values in records:
            if len(values) != width:
                if not any(values):
                    continue
                if len(values) > width:
                    error = InputError(path, f"{len(values)} values but {width} columns", line=line)
                    if problems is None:
                        raise error
                    problems.append(error)  # listed with the others; the row is not read
                    continue
                values += [""] * (width - len(values))
            values.append("")
            row = list(map(strip, pick(values)))
            if row[0] or any(row):  # a line of bare commas is blank too
                count += 1
                if count > cap:
                    raise limits.breach(path, limits.Limit.ROWS, "the rows", line=line)
                yield line, row

    return used, rows()


FAST_PATH_MIN_ROWS = 5_000  # CSV inventories with more lines than this take the Arrow path


def _csv_assets(
    path: Path,
    text: str,
    defaults: dict[str, str],
    mapping: Mapping = NO_MAPPING,
    chunk_rows: int = CHUNK_ROWS,
    table_above: int = TABLE_ABOVE_ASSETS,
) -> tuple[Sequence[Asset], str, list[tuple[str, str]]] | None:
    """The fast path for a large, well-formed CSV: Apache Arrow's streaming C++ reader, one
    record batch of about ``chunk_rows`` rows at a time, each validated column by column over
    its columns' distinct values (``assets_from_columns``) and folded (``ChunkFolder``).

    Arrow does not report line numbers, so this path is taken only when every physical line is
    one row (no blank lines, no line breaks inside quoted cells); then row ``i`` is line
    ``i + 2``. Anything else (a ragged row, a wrong value, an odd file) returns None and
    ``_csv_rows`` reads the file row by row, naming the line of the first error. Both paths
    strip cells with ``str.strip`` and a test checks they give the same assets.
    """
    # the text without its trailing line ends, as bounds on the text: no copy of a large file
    # (nor a list of its lines, nor the csv module's reader over all of it)
    end = len(text)
    while end and text[end - 1] in "\r\n":
        end -= 1
    if text.find("\r", 0, end) != -1 and text.count("\r\n", 0, end) != text.count("\r", 0, end):
        return None  # old Mac line ends: leave them to the csv module
    # Arrow has no field-size limit, and this path checks no cell's text: a NUL (the value
    # domain; decoded text holds no lone surrogate) or a line past the field cap (every line is
    # one row here, so no field is longer than its line) is the row path's to name
    cap = limits.limit(limits.Limit.FIELD_CHARS)
    if "\x00" in text or _has_line_over(text, end, cap):
        return None
    import pyarrow as pa

    try:
        header = next(limits.csv_records(path, first_line(text)))[1]
    except (InputError, StopIteration):
        return None  # the row path names it
    try:
        positions, used = map_header(path, header, frozenset(defaults), mapping)
    except InputError:
        return None  # the row path lists every problem
    if len(set(header)) != len(header):
        return None  # Arrow would rename a repeated header; the row path reports it
    ids = header[positions[0]] if positions[0] is not None else None
    # an ASCII file the size of its text holds the text's bytes: Arrow reads them from the disk
    # a block at a time instead of from an encoded copy of the whole text
    source: Any = str(path) if text.isascii() and _file_size(path) == len(text) else None
    data = text[:end].encode() if source is None else b""
    lines = text.count("\n", 0, end)
    # a block of about ``chunk_rows`` rows: Arrow's streaming reader hands over one record batch
    # per block, each validated and folded before the next is parsed
    block = max(64 * 1024, end // (lines + 1) * chunk_rows)
    folder = ChunkFolder(
        path, used, [], defaults=defaults, mapping=mapping, table_above=table_above
    )
    rows = 0
    try:
        reader = arrow_csv_reader(source or pa.py_buffer(data), header, ids, block)
        if reader.schema.names != header:
            return None  # the header was read differently
        # the whole file with the collector paused: one list entry per cell and one tuple per
        # row, no reference cycles, and a full pass per chunk over every asset so far would cost
        # more than the chunks
        with paused_gc():
            for batch in reader:
                count = batch.num_rows
                limits.check_rows(path, rows + count)
                columns = [
                    _strings(batch.column(i)) if i is not None else [""] * count for i in positions
                ]
                del batch
                if not folder.add_columns(columns, list(range(rows + 2, rows + count + 2))):
                    return None  # the row path names the wrong value
                rows += count
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return None
    del data
    if rows == 0 or lines != rows or folder.problems:
        return None  # blank lines were skipped, or an id repeats: the row path names it
    try:
        assets = folder.finish()
    except InputError:
        return None  # an id repeats in a table (checked at its end): the row path names it
    del folder  # its set of ids, before the freed memory is given back
    _give_back_freed_memory()
    return assets, "csv", used


def _large_csv(
    path: Path, defaults: dict[str, str], mapping: Mapping, chunk_rows: int, table_above: int
) -> Inventory | None:
    """A CSV of more than ``table_above`` rows read from the disk into a table
    (``engine.large_csv``); None for any other file, or one that path does not read the way
    the csv module would (the text path then reads it and names its problems)."""
    from dutybound.engine.large_csv import csv_header, read_large_csv, scan

    found = scan(path, limits.limit(limits.Limit.FIELD_CHARS))
    if found is None or found.rows <= table_above:
        return None
    if '"' in found.header or netbox_csv(path, found.header, mapping) is not None:
        return None  # a quoted or NetBox header: the text path reads it
    header = csv_header(path, found)
    if header is None or len(set(header)) != len(header):
        return None
    try:
        positions, used = map_header(path, header, frozenset(defaults), mapping)
    except InputError:
        return None  # the text path lists every problem
    folder = ChunkFolder(
        path,
        used,
        [],
        defaults=defaults,
        mapping=mapping,
        table_above=table_above,
        columnar=True,
        capacity=found.rows,
    )
    with paused_gc():
        if not read_large_csv(path, found, header, positions, folder, chunk_rows):
            return None
    try:
        assets = folder.finish()
    except InputError:
        return None  # a repeated id: the text path names each row
    _give_back_freed_memory()
    return Inventory(assets, "csv", used)


def first_line(text: str) -> str:
    """The text up to its first line end (included): a CSV's header line, read without a reader
    over the whole text (the csv module's reader holds a 4-byte-per-character copy of it)."""
    end = text.find("\n")
    return text if end < 0 else text[: end + 1]


def _has_line_over(text: str, end: int, cap: int) -> bool:
    """Whether a line of ``text[:end]`` is longer than ``cap`` characters, found by jumps of up
    to ``cap`` characters to the last line end in reach (``max(map(len, split))`` would make a
    string per line)."""
    start = 0
    while end - start > cap:
        last = text.rfind("\n", start, start + cap + 1)
        if last == -1:
            return True
        start = last + 1
    return False


def _file_size(path: Path) -> int | None:
    """The size of a regular file; None for anything else (a pipe, a device)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _give_back_freed_memory() -> None:
    """Return the parser's freed buffers to the operating system (glibc keeps them otherwise,
    and the rules engine then grows the process past them, raising its peak)."""
    import contextlib
    import ctypes
    import ctypes.util

    arrow = sys.modules.get("pyarrow")
    if arrow is not None:  # Arrow's own allocator keeps freed blocks too
        arrow.default_memory_pool().release_unused()
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): no-op
        ctypes.CDLL(name).malloc_trim(0)


def _strings(column: Any) -> list[str]:
    """A column's cells as stripped Python strings: the asset ids as read, every other column
    from its dictionary (each distinct value stripped once, shared by every row)."""
    from pyarrow.types import is_dictionary  # pyarrow is loaded already: _csv_assets called

    strip = str.strip
    cells: list[str] = []
    for chunk in getattr(column, "chunks", (column,)):  # a table's column, or a batch's
        if is_dictionary(chunk.type):
            values = list(map(strip, chunk.dictionary.to_pylist()))
            cells.extend(map(values.__getitem__, chunk.indices.to_pylist()))
        else:
            cells.extend(map(strip, chunk.to_pylist()))
    return cells


def _xlsx_rows(
    path: Path,
    sheet: str | None,
    defaulted: frozenset[str],
    mapping: Mapping = NO_MAPPING,
    problems: list[InputError] | None = None,
) -> tuple[list[tuple[str, str]], Iterator[Row]]:
    """The mapping used and the sheet's rows, read as they are consumed (openpyxl's read-only
    mode): the workbook is closed once the last row is read, or on an error."""
    book = limits.open_workbook(path)
    try:
        cells = limits.sheet_rows(path, _sheet(path, book, sheet))
        header = next(cells, None)
        if not header or not any(header):
            raise InputError(path, "the sheet is empty", line=1)
        positions, used = map_header(
            path, [cell_text(h) for h in header], defaulted, mapping, problems
        )
    except BaseException:
        book.close()
        raise

    def rows() -> Iterator[Row]:
        count = 0
        cap = limits.limit(limits.Limit.ROWS)
        try:
            for number, values in enumerate(cells, start=2):  # Excel row numbers
                if not any(v not in (None, "") for v in values):
                    continue
                if count == cap:
                    raise limits.breach(path, limits.Limit.ROWS, "the rows", line=number)
                count += 1
                yield (
                    number,
                    [
                        cell_text(values[i]) if i is not None and i < len(values) else ""
                        for i in positions
                    ],
                )
        finally:
            book.close()

    return used, rows()


def _json_rows(
    path: Path,
    text: str,
    defaulted: frozenset[str],
    mapping: Mapping = NO_MAPPING,
    problems: list[InputError] | None = None,
) -> tuple[str, list[tuple[str, str]], list[Row] | BomRows]:
    """The rows of a JSON inventory (a list of assets, or an object with an 'assets' list), or
    of a CycloneDX BOM (``BomRows``)."""
    data = limits.load_json(path, text)
    if isinstance(data, dict) and data.get("bomFormat") == "CycloneDX":
        used, bom = cyclonedx_rows(path, data)
        return "cyclonedx", used, bom
    if is_netbox_page(data):
        return "netbox", NETBOX_MAPPING, netbox_page_rows(path, data, mapping)
    if isinstance(data, dict):
        data = data.get("assets")
    if not isinstance(data, list):
        raise InputError(
            path, "expected a list of assets, an object with an 'assets' list, or a CycloneDX BOM"
        )
    limits.check_rows(path, len(data))
    headers: list[str] = []
    known: set[str] = set()
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise InputError(path, f"asset #{i + 1} is not an object", field=f"[{i}]")
        for key in item:
            if key not in known:
                known.add(key)
                headers.append(key)
    positions, used = map_header(path, headers, defaulted, mapping, problems)
    present = [(i, headers[p]) for i, p in enumerate(positions) if p is not None]
    blank = [""] * len(positions)
    rows = []
    for n, item in enumerate(data, start=1):  # the item number stands in for a line
        cells = blank.copy()
        wrong: list[InputError] = []
        for i, header in present:
            value = item.get(header)
            if type(value) is dict or type(value) is list:
                wrong.append(
                    InputError(
                        path,
                        f"asset #{n}: must be a string, number or boolean, got {json_type(value)}",
                        line=n,
                        field=header,
                    )
                )
                continue
            cells[i] = cell_text(value)
        if wrong:
            if problems is None:
                raise wrong[0]
            problems.extend(wrong)  # listed with the others; the asset is not read
            continue
        rows.append((n, cells))
    return "json", used, rows


def read_inventory(
    path: Path,
    defaults: dict[str, str] | None = None,
    sheet: str | None = None,
    mapping: Mapping = NO_MAPPING,
    chunk_rows: int = CHUNK_ROWS,
    table_above: int | None = None,
) -> Inventory:
    """Read and validate an inventory; the format follows the file extension (and, for JSON,
    the content: a CycloneDX BOM, a NetBox device list). Every problem of the file is found in
    one run and raised together (``engine.inventory_check.InventoryErrors``).

    The rows are validated in chunks of ``chunk_rows`` (``engine.inventory_stream``) as they are
    read: the same assets and the same problems, with the same row numbers, whatever the chunk
    size (a test reads every example in chunks of 7 rows). Past ``table_above`` rows (default
    ``asset_table.TABLE_ABOVE_ASSETS``) the assets are a table of columns, not a list."""
    for column in defaults or {}:
        if column not in COLUMNS:
            raise InputError(
                "--default", f"unknown column {column!r}; columns: {', '.join(COLUMNS)}"
            )
    if table_above is None:  # read when called, so that a test can lower it for a whole run
        table_above = asset_table.TABLE_ABOVE_ASSETS
    suffix = path.suffix.lower()
    defaulted = frozenset(defaults or {})
    problems: list[InputError] = []
    notices: list[Notice] = []
    label: Callable[[int], str] | None = None
    rows: Iterable[Row]
    if suffix == PARQUET_SUFFIX:
        return _parquet_inventory(path, defaults or {}, mapping, chunk_rows, table_above)
    if suffix in (".xlsx", ".xlsm"):
        fmt = "xlsx"
        used, rows = _xlsx_rows(path, sheet, defaulted, mapping, problems)
    elif suffix == ".json":
        fmt, used, read = _json_rows(path, read_text(path), defaulted, mapping, problems)
        if isinstance(read, BomRows):
            rows, labels = read.rows, read.labels
            label = labels.__getitem__
            notices.extend(bom_notices(read.without_vendor))
            if not rows and read.without_vendor:
                raise InputError(
                    path,
                    f"none of the {len(read.without_vendor)} components names a supplier, "
                    "manufacturer, publisher or author; give one with a 'dutybound:vendor' "
                    "property",
                )
        else:
            rows = read
            if fmt == "netbox":
                names = {row[0]: device_label(row) for row in read}
                label = names.__getitem__
    else:
        fmt = "csv"
        large = _large_csv(path, defaults or {}, mapping, chunk_rows, table_above)
        if large is not None:
            return large
        text = read_text(path)
        # NetBox is recognised by its header: a header without quotes is tried alone first, so
        # that a large plain CSV is not read through the csv module once more to find out
        head = first_line(text)
        probe = '"' in head or netbox_csv(path, head, mapping) is not None
        netbox = netbox_csv(path, text, mapping) if probe else None
        if netbox is not None:
            fmt, used, rows = "netbox", netbox[0], list(netbox[1])
        else:
            # Arrow pays for itself only on large files: importing it costs more than the
            # row-by-row reader spends on a few thousand rows, so below that the csv module wins
            # (the figures behind the threshold are in docs/performance.md).
            if text.count("\n") > FAST_PATH_MIN_ROWS:
                fast = _csv_assets(path, text, defaults or {}, mapping, chunk_rows, table_above)
                if fast is not None:
                    return Inventory(*fast)
            used, rows = _csv_rows(path, text, defaulted, mapping, problems)
    folder = ChunkFolder(
        path,
        used,
        problems,
        _absent(problems, used),
        defaults,
        mapping,
        label,
        table_above=table_above,
    )
    with paused_gc():  # as in _csv_assets
        for chunk in chunks(rows, chunk_rows):
            folder.add_rows(chunk)
    assets = folder.finish()
    if not assets:
        raise InputError(path, "no assets (only a header)")
    return Inventory(assets, fmt, used, notices)


PARQUET_SUFFIX = ".parquet"


def _parquet_inventory(
    path: Path, defaults: dict[str, str], mapping: Mapping, chunk_rows: int, table_above: int
) -> Inventory:
    """A Parquet inventory, one batch of ``chunk_rows`` rows at a time: each checked column by
    column, and a batch with a wrong value row by row, to name each problem's row and field
    with the same words as for a CSV."""
    parquet, header = parquet_header(path)
    problems: list[InputError] = []
    positions, used = map_header(path, header, frozenset(defaults), mapping, problems)
    # a large file is folded column by column into a table (engine.inventory_columns)
    columnar = parquet.metadata.num_rows > table_above
    folder = ChunkFolder(
        path,
        used,
        problems,
        _absent(problems, used),
        defaults,
        mapping,
        table_above=table_above,
        columnar=columnar,
        capacity=parquet.metadata.num_rows if columnar else 0,
    )

    def by_rows(columns: list[list[str]], lines: list[int]) -> None:
        """A chunk's rows, blank ones skipped as in a CSV."""
        folder.add_rows(
            [
                (line, values)
                for line, values in zip(lines, map(list, zip(*columns, strict=True)), strict=True)
                if any(values)
            ]
        )

    with paused_gc():  # as in _csv_assets
        if columnar:
            for ids, arrow, first, cells in parquet_arrow_chunks(
                path, parquet, positions, chunk_rows
            ):
                if not chunk_within_limits(ids, arrow) or not folder.add_arrow(ids, arrow, first):
                    by_rows(*cells())  # the row path names the problem
        else:
            for columns, lines in parquet_chunks(path, parquet, positions, chunk_rows):
                # a NUL or an overlong cell, or a wrong value: the row path names it
                within = all(within_limits(set(column)) for column in columns)
                if problems or not within or not folder.add_columns(columns, lines):
                    by_rows(columns, lines)
    assets = folder.finish()
    if not assets:
        raise InputError(path, "no assets (only a header)")
    if columnar:
        _give_back_freed_memory()
    return Inventory(assets, "parquet", used)


def _absent(problems: list[InputError], used: list[tuple[str, str]]) -> frozenset[str]:
    """The required columns the header lacks, each already reported once as a header problem
    and not read provisionally from a likely header (only these get stand-in values while the
    rows are checked: never a column a format simply does not fill, such as a BOM's country)."""
    read = {column for _header, column in used}
    return frozenset(
        p.field
        for p in problems
        if p.field is not None and p.field not in read and p.message.startswith(MISSING_COLUMN)
    )


def load_assets(path: Path) -> Sequence[Asset]:
    """Read an inventory with no defaults (see ``read_inventory``)."""
    return read_inventory(path).assets


def _sheet(path: Path, book: Any, sheet: str | None) -> Any:
    """The named sheet of an open workbook, or its first; an unknown name is an input error."""
    if sheet is not None and sheet not in book.sheetnames:
        raise InputError(path, f"no sheet {sheet!r}; sheets: {book.sheetnames}")
    return book[sheet] if sheet else book.worksheets[0]


def _name_rows(path: Path, sheet: str | None) -> list[tuple[int, list[str]]]:
    """(line, cells) of a supplier list in CSV or Excel, blank rows included, within the row cap."""
    cap = limits.limit(limits.Limit.ROWS)
    rows: list[tuple[int, list[str]]] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        book = limits.open_workbook(path)
        try:
            for number, cells in enumerate(limits.sheet_rows(path, _sheet(path, book, sheet)), 1):
                if len(rows) > cap:
                    raise limits.breach(path, limits.Limit.ROWS, "the rows", line=number)
                rows.append((number, [cell_text(v) for v in cells]))
        finally:
            book.close()
        return rows
    for line, values in limits.csv_records(path, read_text(path)):
        if len(rows) > cap:
            raise limits.breach(path, limits.Limit.ROWS, "the rows", line=line)
        rows.append((line, values))
    return rows


def _checked_names(path: Path, names: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The names, each a text a store and a terminal can hold (``limits.text_problem``)."""
    for line, name in names:
        problem = limits.text_problem(name)
        if problem is not None:
            raise InputError(path, f"the name {problem}", line=line, field="vendor")
    return names


def read_names(path: Path, sheet: str | None = None) -> list[tuple[int, str]]:
    """(line, vendor name) pairs from a supplier list: a CSV or Excel file with a vendor-like
    column, or plain text with one name per line. Read through the capped reader
    (``engine.limits``): a damaged workbook, a zip bomb or an oversized file is an input error."""
    if path.suffix.lower() == ".txt":
        lines = read_text(path).splitlines()
        limits.check_rows(path, len(lines))
        return _checked_names(
            path, [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
        )
    rows = _name_rows(path, sheet)
    if not rows:
        raise InputError(path, "file is empty")
    header = rows[0][1]
    column = next(
        (i for i, h in enumerate(header) if _LOOKUP.get(_header_key(h)) == "vendor"), None
    )
    if column is None:
        if len(header) == 1:  # a single unnamed column of names, header included
            return _checked_names(path, [(n, r[0].strip()) for n, r in rows if r and r[0].strip()])
        raise InputError(
            path,
            "no vendor column (Vendor, Supplier, Manufacturer, Make, OEM, Brand)",
            line=1,
            field="vendor",
        )
    return _checked_names(
        path,
        [(n, r[column].strip()) for n, r in rows[1:] if len(r) > column and r[column].strip()],
    )
