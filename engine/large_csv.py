"""A large CSV inventory, read from the disk by Arrow into a table, never held as text.

A 10M-row CSV is about a gigabyte: read into one Python string (``limits.read_text``) it would
hold the gigabyte, and its bytes another while decoding, before a row is read. Above
``TABLE_ABOVE_ASSETS`` rows the file is first scanned from the disk a block at a time for what
the text path checks on the whole text (no NUL, no line past the field cap, one kind of line
end, no byte-order mark), then Arrow's streaming reader parses it from the disk in blocks of
about ``CHUNK_ROWS`` rows, each checked column by column and folded into an ``AssetTable``
(``engine.inventory_columns``). Anything this path does not handle returns None, and the file is
read as before (``engine.inventory.read_inventory``), which names every problem with its line.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dutybound.engine import limits
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import COLUMNS
from dutybound.engine.inventory_columns import Column
from dutybound.engine.inventory_stream import CHUNK_ROWS, ChunkFolder, arrow_csv_reader

# below this many bytes a file cannot hold ``TABLE_ABOVE_ASSETS`` rows worth the scan (a row
# of the six required columns is at least a dozen bytes); the text path reads it
MIN_BYTES = 1 << 20
_BLOCK = 1 << 24  # bytes read at a time by the scan
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Scan:
    """What a scan of the file's bytes found: its header line and its rows (the lines after the
    header, trailing line ends not counted)."""

    header: str
    rows: int
    size: int


def scan(path: Path, cap: int) -> Scan | None:
    """The file's header and row count, or None when the file is small, not a regular file,
    marked as UTF-16 or UTF-8 with a BOM, or holds a NUL, a lone carriage return or a line
    longer than ``cap`` bytes (the text path reads and names each of these)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size < MIN_BYTES:
        return None
    if info.st_size > limits.limit(limits.Limit.INPUT_BYTES):
        raise limits.breach(path, limits.Limit.INPUT_BYTES, f"the file's {info.st_size:,} bytes")
    newlines = 0
    line = 0  # bytes of the line being read when a block ends
    header = b""
    tail = b""  # the run of line ends at the end of the file so far
    previous = b""
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            if not previous and block.startswith(_BOMS):
                return None
            if b"\x00" in block:
                return None
            carriage = block.count(b"\r")
            if carriage and (carriage != block.count(b"\r\n") + (block[-1:] == b"\r")):
                return None
            if previous.endswith(b"\r") and not block.startswith(b"\n"):
                return None
            if not header.endswith(b"\n"):  # the header line, across blocks if need be
                end = block.find(b"\n")
                header += block if end < 0 else block[: end + 1]
            newlines += block.count(b"\n")
            line = _longest_line(block, line, cap)
            if line < 0:
                return None
            stripped = block.rstrip(b"\r\n")
            tail = (tail + block) if not stripped else block[len(stripped) :]
            previous = block
    if previous.endswith(b"\r"):
        return None
    rows = newlines - tail.count(b"\n")
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Scan(text, rows, info.st_size)


def _longest_line(block: bytes, carried: int, cap: int) -> int:
    """The length of the line still open at the block's end (``carried`` bytes of it came
    before the block), or -1 when a line is longer than ``cap`` bytes: jumps of up to ``cap``
    bytes to the last line end in reach, as ``engine.inventory._has_line_over`` does on text
    (a line's length leaves out its line end)."""
    first = block.find(b"\n")
    if first == -1:
        total = carried + len(block)
        return -1 if total > cap else total
    if carried + first > cap:
        return -1
    start, end = first + 1, len(block)
    while end - start > cap:
        last = block.rfind(b"\n", start, start + cap + 1)
        if last == -1:
            return -1
        start = last + 1
    tail = block.rfind(b"\n", start)
    return end - (tail + 1 if tail >= start else start)


def read_large_csv(
    path: Path,
    found: Scan,
    header: list[str],
    positions: list[int | None],
    folder: ChunkFolder,
    chunk_rows: int = CHUNK_ROWS,
) -> bool:
    """Parse the file into ``folder`` (made with ``columnar=True``): False when Arrow reads it
    differently from the csv module (a ragged row, a blank line, a line break in a quoted cell)
    or a chunk has a wrong value; the caller then reads the file as text."""
    import pyarrow as pa

    ids = header[positions[0]] if positions[0] is not None else None
    block = max(64 * 1024, found.size // (found.rows + 1) * chunk_rows)
    rows = 0
    try:
        reader = arrow_csv_reader(str(path), header, ids, block)
        if reader.schema.names != header:
            return False
        for batch in reader:
            count = batch.num_rows
            limits.check_rows(path, rows + count)
            columns = {
                name: _column(batch, i, count)
                for name, i in zip(_OTHER_COLUMNS, positions[1:], strict=True)
            }
            id_column = batch.column(positions[0]) if positions[0] is not None else None
            if id_column is None or not folder.add_arrow(id_column, columns, rows + 2):
                return False
            rows += count
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return False
    return rows == found.rows


def _column(batch: Any, at: int | None, rows: int) -> Column:
    if at is None:
        return Column.blank(rows)
    return Column.of(batch.column(at), str.strip)


_OTHER_COLUMNS = COLUMNS[1:]  # every column but the asset ids, in order


def csv_header(path: Path, found: Scan) -> list[str] | None:
    """The header's cells, read by the csv module; None when it cannot be read."""
    try:
        return next(limits.csv_records(path, found.header))[1]
    except (InputError, StopIteration):
        return None
