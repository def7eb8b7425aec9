"""``dutybound compare``: jurisdictions side by side for one operator, or the law-level
vendor-by-jurisdiction matrix."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from dutybound.cli.boundary import err
from dutybound.cli.inputs import load_inputs
from dutybound.cli.options import (
    AsOf,
    AsRole,
    AsSector,
    AssumeDesignation,
    Defaults,
    LawDir,
    MapFile,
    MatrixVendors,
    MaybeAssets,
    MaybeOut,
    Profile,
    Sheet,
)
from dutybound.cli.render.compare import (
    about_rows,
    matrix_csv,
    matrix_markdown,
    matrix_xlsx,
    print_comparison,
)
from dutybound.cli.render.stdout import print_json
from dutybound.cli.terminal import terminal_console
from dutybound.engine.atomic import write_atomically
from dutybound.engine.errors import InputError


class CompareFormat(StrEnum):
    """``compare --format``: the JSON, the terminal table, or the slide matrix as a file (one row
    per vendor, one column per jurisdiction, footnotes apart)."""

    json = "json"
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    md = "md"


def compare(
    profile: Profile,
    as_of: AsOf,
    assets: MaybeAssets = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            "--jurisdiction",
            "-j",
            help="Comma-separated ISO codes to compare (default: the "
            "profile's jurisdictions), e.g. CZ,GB,US,DE.",
        ),
    ] = None,
    vendor: MatrixVendors = None,
    as_role: AsRole = None,
    assume_designation: AssumeDesignation = None,
    default: Defaults = None,
    sheet: Sheet = None,
    mapping: MapFile = None,
    as_sector: AsSector = None,
    format: Annotated[
        CompareFormat | None,
        typer.Option(
            "--format",
            help="json, table (default on a terminal), or the vendor-by-jurisdiction matrix as "
            "csv, xlsx (needs --out) or md.",
        ),
    ] = None,
    out: MaybeOut = None,
    law_dir: LawDir = None,
) -> None:
    """Compare jurisdictions side by side for one operator: in each, the leading measure with its
    own citation, deadline and assets, guidance on its own line; with --vendor, the
    vendor-by-jurisdiction matrix.

    --assets is required, except for the --vendor matrix, which reads the law alone.
    --as-sector telecoms assumes, in each compared jurisdiction, the roles its law gives the
    sector (hypothetical, listed in the output). --format csv|xlsx|md writes the matrix (one
    row per vendor, one column per jurisdiction, footnotes apart) to --out or stdout.
    """
    from dutybound.engine.compare import run_comparison

    if assets is None and not vendor:
        raise InputError(
            "--assets", "give an inventory, or --vendor for the law-level vendor matrix"
        )
    pack, operator, inventory, day, hypothetical = load_inputs(
        profile,
        assets,
        as_of,
        law_dir,
        as_role,
        default,
        sheet,
        assume=assume_designation,
        mapping=mapping,
    )
    codes = (
        [c.strip().upper() for c in jurisdiction.split(",")]
        if jurisdiction
        else sorted(operator.jurisdictions)
    )
    fmt = format or (CompareFormat.table if sys.stdout.isatty() else CompareFormat.json)
    if fmt is CompareFormat.xlsx and out is None:
        raise InputError("--out", "an xlsx workbook is written to a file: give --out")
    data = run_comparison(
        pack, operator, inventory, day, codes, vendor, hypothetical, as_sector
    ).data
    if fmt in (CompareFormat.json, CompareFormat.table):
        if out is not None:
            raise InputError("--out", "--out goes with --format csv, xlsx or md")
        if fmt is CompareFormat.json:
            print_json(data)
        else:
            print_comparison(data, terminal_console())
        return
    _write_matrix(data, fmt, out, {c: pack.jurisdictions[c].name for c in codes})


def _write_matrix(
    data: dict[str, Any], fmt: CompareFormat, out: Path | None, names: dict[str, str]
) -> None:
    """The slide matrix as CSV, XLSX or Markdown, to ``out`` (whole or not at all) or stdout."""
    from dutybound.engine.compare_matrix import slide_matrix

    matrix = slide_matrix(data, names)
    body: str | bytes
    if fmt is CompareFormat.csv:
        body = matrix_csv(matrix)
    elif fmt is CompareFormat.md:
        body = matrix_markdown(matrix, about_rows(data))
    else:
        body = matrix_xlsx(matrix, about_rows(data))
    if out is None:
        assert isinstance(body, str)
        sys.stdout.write(body)
        return
    write_atomically(out, body)
    err.print(f"wrote {out} ({fmt.value}: {len(matrix.rows)} rows, {len(matrix.columns)} columns)")
