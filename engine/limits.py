"""The one layer through which every input file is read, with caps on what it may cost.

Inventories, SBOMs and spreadsheets come from suppliers: untrusted text. Without caps,
``--assets /dev/zero`` reads until memory runs out and a 2 MB XLSX zip bomb inflates to gigabytes
inside openpyxl. Every reader (CSV, XLSX, JSON, CycloneDX, and every YAML file through
``engine.yamlfile``) goes through the functions here, so every format meets the same caps and a
breach ends the same way: an ``InputError`` (exit 2) naming the file, the limit, and the
environment variable that raises it.

The caps are environment variables rather than options of each command because the same readers
serve the CLI, the HTTP service and the library; one mechanism covers all three. The defaults are
far above any real inventory (the largest benchmarked, 1 million rows, is ~150 MB of CSV) and far
below what hurts a small server:

- ``DUTYBOUND_MAX_INPUT_BYTES``  256 MiB: bytes read from any one input file.
- ``DUTYBOUND_MAX_XLSX_BYTES``   1 GiB: declared uncompressed size of a workbook's zip entries,
  checked before openpyxl opens it (zipfile never inflates an entry past its declared size).
- ``DUTYBOUND_MAX_XLSX_RATIO``   200: uncompressed / compressed size of any one zip entry; sheet
  XML compresses 5-30x, a zip bomb 1,000x and more.
- ``DUTYBOUND_MAX_DEPTH``        64: nesting of JSON and YAML; an inventory needs 4, a profile 3,
  a law file about 10, and Python's JSON parser overflows its stack near 1,000.
- ``DUTYBOUND_MAX_FIELD_CHARS``  1 MiB (1,048,576 characters): one cell or field; Excel itself
  stops at 32,767 characters.
- ``DUTYBOUND_MAX_ROWS``         5,000,000: rows (assets, components, names) in one file; five
  times the largest inventory the benchmarks run.

Sizes accept a binary suffix (``512MiB``, ``2GiB``, ``64KiB``; ``K``, ``M``, ``G`` alike).

The value domain of what is stored (``check_text``, ``QUANTITY_MAX``) lives here too: it is the
same kind of rule, a bound on untrusted input enforced once, before anything is evaluated or
stored, so that SQLite and PostgreSQL accept exactly the same inputs.
"""

from __future__ import annotations

import csv
import json
import math
import os
import stat
import zipfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


class Limit(StrEnum):
    """The caps, each named by the environment variable that sets it."""

    INPUT_BYTES = "DUTYBOUND_MAX_INPUT_BYTES"
    XLSX_BYTES = "DUTYBOUND_MAX_XLSX_BYTES"
    XLSX_RATIO = "DUTYBOUND_MAX_XLSX_RATIO"
    DEPTH = "DUTYBOUND_MAX_DEPTH"
    FIELD_CHARS = "DUTYBOUND_MAX_FIELD_CHARS"
    ROWS = "DUTYBOUND_MAX_ROWS"


DEFAULTS: dict[Limit, int] = {
    Limit.INPUT_BYTES: 256 * MiB,
    Limit.XLSX_BYTES: 1 * GiB,
    Limit.XLSX_RATIO: 200,
    Limit.DEPTH: 64,
    Limit.FIELD_CHARS: 1 * MiB,
    Limit.ROWS: 5_000_000,
}

# what each cap counts, for the message that reports a breach
_UNITS: dict[Limit, str] = {
    Limit.INPUT_BYTES: "bytes",
    Limit.XLSX_BYTES: "bytes uncompressed",
    Limit.XLSX_RATIO: "times compressed size",
    Limit.DEPTH: "levels of nesting",
    Limit.FIELD_CHARS: "characters in one field",
    Limit.ROWS: "rows",
}

_SUFFIXES = {"k": KiB, "kib": KiB, "m": MiB, "mib": MiB, "g": GiB, "gib": GiB}


def limit(which: Limit) -> int:
    """The cap in force: the environment variable when set, else the default. Read at each use,
    so that a service or a test changing the environment is obeyed without a restart."""
    text = os.environ.get(which.value, "").strip()
    if not text:
        return DEFAULTS[which]
    lowered = text.lower().replace("_", "").replace(" ", "")
    number = lowered.rstrip("kmgib")
    scale = _SUFFIXES.get(lowered[len(number) :], 1 if number == lowered else 0)
    if not number.isdigit() or not scale or int(number) < 1:
        raise InputError(
            which.value,
            "expected a whole number of 1 or more (sizes may end in KiB, MiB or GiB), "
            f"got {text!r}",
        )
    return int(number) * scale


def breach(
    file: Path | str,
    which: Limit,
    what: str,
    *,
    line: int | None = None,
    field: str | None = None,
) -> InputError:
    """The error for a cap exceeded: the file, what was too large, the cap and how to raise it."""
    cap = limit(which)
    return InputError(
        file,
        f"{what} exceeds the limit of {cap:,} {_UNITS[which]} "
        f"(set {which.value} to raise it, e.g. {which.value}={cap * 4})",
        line=line,
        field=field,
    )


# --- reading bytes and text ----------------------------------------------------------------

_CHUNK = 4 * MiB


def read_bytes(path: Path) -> bytes:
    """A file's bytes, at most ``DUTYBOUND_MAX_INPUT_BYTES`` of them. A regular file is refused
    by its size before it is read; a device or pipe (``/dev/zero``, ``/dev/stdin``) is read in
    chunks and refused as soon as it passes the cap."""
    cap = limit(Limit.INPUT_BYTES)
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise InputError(path, "is a directory, expected a file")
            if stat.S_ISREG(info.st_mode) and info.st_size > cap:
                raise breach(path, Limit.INPUT_BYTES, f"the file's {info.st_size:,} bytes")
            chunks: list[bytes] = []
            size = 0
            while chunk := handle.read(min(_CHUNK, cap + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    raise breach(path, Limit.INPUT_BYTES, "the input")
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected a file") from None
    except PermissionError:
        raise InputError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(
            path, f"cannot be read ({exc.strerror or exc.__class__.__name__})"
        ) from None
    return b"".join(chunks)


# byte-order marks, longest first: a UTF-32 LE mark begins with the UTF-16 LE one
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the start of the file has the NUL-byte pattern of
    mostly-ASCII UTF-16 (every other byte NUL), else None. UTF-8 text never has it: a NUL is not
    a character any inventory, profile or law file may hold."""
    sample = raw[: 4 * KiB]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    # a few NULs on the other side are characters such as U+0100 or U+4E00 (BE: 01 00, 4E 00)
    if even >= pairs * 0.6 and odd * 10 <= even:
        return "utf-16-be"
    if odd >= pairs * 0.6 and even * 10 <= odd:
        return "utf-16-le"
    return None


def decode(path: Path | str, raw: bytes) -> str:
    """Text from bytes: UTF-8 (a BOM is dropped), UTF-16 or UTF-32 with a byte-order mark, and
    UTF-16 without one recognised by its NUL bytes (Excel's "Unicode text" export). Anything
    else must be UTF-8, and the error names the line of the first bad byte."""
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    guessed = False
    if encoding is None and b"\x00" in raw[: 4 * KiB]:
        encoding = _utf16_without_bom(raw)
        guessed = encoding is not None
    if encoding is None:
        encoding = "utf-8"
        bom = b""
    else:
        bom = next((b for b, name in _BOMS if name == encoding), b"") if not guessed else b""
    try:
        return raw[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        start = len(bom) + exc.start
        if guessed:
            message = (
                f"looks like {encoding.upper()} without a byte-order mark but does not decode "
                f"as it (byte {start}); save it as UTF-8"
            )
            raise InputError(path, message) from None
        line = raw[:start].count(b"\n") + 1
        raise InputError(
            path, f"not valid {encoding.upper()} (byte {start}); save it as UTF-8", line=line
        ) from None


def read_text(path: Path) -> str:
    """A text file within the byte cap, decoded (``decode``); an empty file is an error."""
    text = decode(path, read_bytes(path))
    if not text.strip():
        raise InputError(path, "file is empty")
    return text


# --- JSON ----------------------------------------------------------------------------------


def nesting_depth(data: Any, cap: int) -> int:
    """How deep parsed JSON nests (a scalar is 0, ``[]`` is 1), counted without recursion and
    stopping once past ``cap``. A container's children are typed in one C-level pass (``map``),
    so a large inventory of flat objects costs one set per object, not Python code per value."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if type(node) is dict:
            children: Any = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > cap:
                return deepest
        kinds = set(map(type, children))
        if dict in kinds or list in kinds:
            stack.extend((child, depth + 1) for child in children if type(child) in _CONTAINERS)
    return deepest


_CONTAINERS = (dict, list)


def load_json(path: Path | str, text: str) -> Any:
    """Parsed JSON nested no deeper than ``DUTYBOUND_MAX_DEPTH``. Python's parser recurses and
    overflows near 1,000 levels; that is reported as the same breach."""
    cap = limit(Limit.DEPTH)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise breach(path, Limit.DEPTH, "the JSON's nesting") from None
    if nesting_depth(data, cap) > cap:
        raise breach(path, Limit.DEPTH, "the JSON's nesting")
    return data


# --- CSV -----------------------------------------------------------------------------------


def csv_records(path: Path | str, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, values) of each CSV record: the line is the record's last physical line (as
    ``csv.reader.line_num``). A field longer than ``DUTYBOUND_MAX_FIELD_CHARS`` and any other
    malformation are ``InputError``s naming the line, whatever the size of the file."""
    import io

    cap = limit(Limit.FIELD_CHARS)
    csv.field_size_limit(cap)  # the module's limit is process-wide; every reader sets it first
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            if "field larger than field limit" in str(exc):
                raise breach(path, Limit.FIELD_CHARS, "a field", line=line) from None
            raise InputError(path, f"malformed CSV: {exc}", line=line) from None
        yield reader.line_num, values


def check_rows(path: Path | str, count: int) -> None:
    """Refuse a file with more than ``DUTYBOUND_MAX_ROWS`` rows."""
    if count > limit(Limit.ROWS):
        raise breach(path, Limit.ROWS, f"{count:,} rows" if count else "the rows")


# --- XLSX ----------------------------------------------------------------------------------


def check_workbook(path: Path) -> None:
    """Refuse a workbook that is too large, not a zip file, or a zip bomb, before openpyxl opens
    it: the file's size, then each entry's declared size and compression ratio. zipfile never
    inflates an entry past its declared size (a lying header fails its CRC check instead), so
    the declared sizes bound what reading can cost."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if path.is_dir():
        raise InputError(path, "is a directory, expected a file")
    if size > limit(Limit.INPUT_BYTES):
        raise breach(path, Limit.INPUT_BYTES, f"the file's {size:,} bytes")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise InputError(
            path, "not an Excel workbook (an .xlsx file is a zip archive; this is not one)"
        ) from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    total = sum(entry.file_size for entry in entries)
    if total > limit(Limit.XLSX_BYTES):
        raise breach(path, Limit.XLSX_BYTES, f"the workbook's {total:,} bytes uncompressed")
    ratio = limit(Limit.XLSX_RATIO)
    for entry in entries:
        # a tiny entry may compress far; only an entry above 1 MiB can be a bomb worth refusing
        if entry.file_size > MiB and entry.file_size > ratio * max(entry.compress_size, 1):
            raise breach(
                path,
                Limit.XLSX_RATIO,
                f"entry {entry.filename!r} ({entry.file_size:,} bytes from "
                f"{entry.compress_size:,}) compression ratio",
            )


def open_workbook(path: Path) -> Workbook:
    """An XLSX workbook opened read-only, after ``check_workbook``; a damaged or foreign file is
    an ``InputError``."""
    from openpyxl import load_workbook

    check_workbook(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise InputError(
            path, f"not a readable Excel workbook ({exc.__class__.__name__})"
        ) from None


def sheet_rows(path: Path, worksheet: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only worksheet, as openpyxl parses them lazily: a damaged sheet fails
    while it is read (an XML error, a bad character reference), and that is an ``InputError``
    naming the file and the row, like a workbook that fails to open."""
    rows = worksheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl and the XML parser raise many types
            raise InputError(
                path,
                f"not a readable Excel workbook: row {number + 1} cannot be read "
                f"({exc.__class__.__name__})",
                line=number + 1,
            ) from None
        number += 1
        yield row


# --- the value domain of stored numbers and text -------------------------------------------

# Asset quantities: whole numbers in 0..10**12 (a trillion units is beyond any network and well
# inside a 64-bit column, so SQLite and PostgreSQL store the same numbers).
QUANTITY_MIN = 0
QUANTITY_MAX = 10**12
# Other whole numbers a user gives (profile attributes): those JSON carries exactly in every
# consumer (2**53 - 1, JavaScript's safe integers), well inside a 64-bit column.
INTEGER_MAX = 2**53 - 1


def text_problem(value: str) -> str | None:
    """Why a text value may not be stored, or None: a NUL character (PostgreSQL refuses it in
    text), or a lone surrogate (not Unicode; no database or JSON encoder can write it)."""
    if "\x00" in value:
        return "contains a NUL character (\\x00), which no text field may hold"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"is not valid Unicode (a lone surrogate U+{ord(value[exc.start]):04X})"
    return None


def number_problem(value: int | float) -> str | None:
    """Why a number may not be stored, or None: not finite, or a whole number beyond ±2**53-1."""
    if isinstance(value, float) and not math.isfinite(value):
        return (
            f"must be a finite number, got {value} (NaN and Infinity are not numbers; leave "
            "a value out when it is not known)"
        )
    if isinstance(value, int) and abs(value) > INTEGER_MAX:
        return f"must be between {-INTEGER_MAX:,} and {INTEGER_MAX:,}"
    return None


def value_problem(
    data: Any, loc: tuple[str | int, ...] = ()
) -> tuple[tuple[str | int, ...], str] | None:
    """The first (location, problem) among the text and numbers of parsed data (keys included),
    or None; without recursion, so that depth is never the problem here."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, loc)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            problem = text_problem(node)
        elif isinstance(node, bool) or node is None:
            problem = None
        elif isinstance(node, int | float):
            problem = number_problem(node)
        elif isinstance(node, dict):
            for key, child in reversed(node.items()):
                if isinstance(key, str) and (problem := text_problem(key)) is not None:
                    return (*where, key), f"the key {problem}"
                stack.append((child, (*where, key)))
            continue
        elif isinstance(node, list):
            stack.extend((child, (*where, i)) for i, child in reversed(list(enumerate(node))))
            continue
        else:
            problem = None
        if problem is not None:
            return where, problem
    return None
