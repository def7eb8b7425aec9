"""Which format an output file is written in: ``--format`` and the ``--out`` extension agree.

A file named ``findings.xlsx`` holding JSON, or ``report.docx`` holding a PDF, opens as garbage
or not at all, and the person who made it learns so only when they send it on. So:

- ``--format`` decides; an ``--out`` extension that names another format is an error (exit 2,
  naming ``--out`` and the format), never silently overridden;
- with ``--out`` and no ``--format``, the extension decides where the command writes it;
- an extension of a file type the command cannot write at all (``.docx`` for a report) is an
  error whatever ``--format`` says;
- an extension that names no file type (none, ``.out``, ``.txt`` where the command does not list
  it) leaves the choice to ``--format`` or the command's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from dutybound.engine.errors import InputError

F = TypeVar("F", bound=StrEnum)

# Extensions of file types people send on: one that a command cannot write is refused, not
# written into. Lower case, with the dot.
KNOWN_TYPES: Mapping[str, str] = {
    ".json": "JSON",
    ".csv": "CSV",
    ".tsv": "TSV",
    ".xlsx": "Excel",
    ".xls": "Excel",
    ".ods": "OpenDocument spreadsheet",
    ".pdf": "PDF",
    ".html": "HTML",
    ".htm": "HTML",
    ".md": "Markdown",
    ".docx": "Word",
    ".doc": "Word",
    ".odt": "OpenDocument text",
    ".rtf": "RTF",
    ".xml": "XML",
    ".sarif": "SARIF",
    ".yaml": "YAML",
    ".yml": "YAML",
}


# formats that are JSON documents, which an --out ending in .json may hold
JSON_BASED = frozenset({"sarif", "oscal"})


def _suffix(out: Path) -> str:
    """The extension that names the type: ``x.sarif.json`` is SARIF, not plain JSON."""
    suffixes = [s.lower() for s in out.suffixes]
    if suffixes[-2:] == [".sarif", ".json"]:
        return ".sarif"
    return suffixes[-1] if suffixes else ""


def format_for_out(
    given: F | None,
    out: Path | None,
    by_suffix: Mapping[str, F],
    default: F,
    *,
    option: str = "--out",
) -> F:
    """The format to write: ``given`` (``--format``) when the ``--out`` extension agrees, the
    extension's format when no ``--format`` was given, else ``default``.

    ``by_suffix`` lists the extensions the command writes, each with its format; ``option`` is
    the option that named the file, for the error."""
    if out is None:
        return given or default
    suffix = _suffix(out)
    implied = by_suffix.get(suffix)
    if suffix == ".json" and given is not None and given.value in JSON_BASED:
        return given  # a SARIF or OSCAL document is JSON: 'x.json' names it well enough
    writes = sorted({f.value for f in by_suffix.values()})
    if implied is None and suffix in KNOWN_TYPES:
        raise InputError(
            option,
            f"'{out.name}' names a {KNOWN_TYPES[suffix]} file, which this command does not "
            f"write; it writes {', '.join(writes)} "
            f"(extensions {', '.join(sorted(by_suffix))})",
        )
    if given is not None and implied is not None and implied is not given:
        fitting = sorted(s for s, f in by_suffix.items() if f is given)
        raise InputError(
            option,
            f"the extension of '{out.name}' names {implied.value} output but --format is "
            f"{given.value}; give --format {implied.value}"
            + (f", or an {option} ending in {' or '.join(fitting)}" if fitting else ""),
        )
    return given or implied or default
