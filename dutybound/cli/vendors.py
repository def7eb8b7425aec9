"""``dutybound vendors match|screen``: which covered vendor group, if any, a name as written in
an inventory or supplier list belongs to."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dutybound.cli.boundary import err
from dutybound.cli.inputs import load_pack, parse_as_of
from dutybound.cli.options import AsOfOrToday, Format, LawDir, ListingFormat, MaybeOut, Sheet
from dutybound.cli.outfile import format_for_out
from dutybound.cli.render.stdout import drawn_text, print_json
from dutybound.cli.render.vendors import (
    SCREEN_HEADER,
    SCREEN_WIDTHS,
    print_matches,
    print_screening,
    screening_groups,
    screening_rows,
)
from dutybound.cli.terminal import terminal_console
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from dutybound.engine.vendors import Registry


class ScreenFormat(StrEnum):
    """``--format`` of ``vendors screen``."""

    json = "json"
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


# the extensions --out may carry, each with the format it names (dutybound.cli.outfile)
SCREEN_BY_SUFFIX = {
    ".json": ScreenFormat.json,
    ".txt": ScreenFormat.table,
    ".csv": ScreenFormat.csv,
    ".xlsx": ScreenFormat.xlsx,
}

vendors_app = typer.Typer(
    help="Identify high-risk vendors in names from inventories and supplier lists.",
    no_args_is_help=True,
)


def _registry_and_day(as_of: str | None, law_dir: Path | None) -> tuple[Registry, dt.date]:
    """The vendor registry of the rule pack, and the date to match on (default today)."""
    day = parse_as_of(as_of) if as_of else dt.date.today()
    return load_pack(law_dir).registry, day


@vendors_app.command("match")
def vendors_match(
    name: Annotated[str, typer.Argument(help="A vendor name as an inventory writes it.")],
    as_of: AsOfOrToday = None,
    format: ListingFormat = Format.table,
    law_dir: LawDir = None,
) -> None:
    """Resolve one vendor name: group, entity, relationship, score, method, needs_review."""
    registry, day = _registry_and_day(as_of, law_dir)
    result = registry.match(name, day).to_json()
    if format is Format.json:
        print_json(result)
    else:
        print_matches([result], terminal_console())


@vendors_app.command("screen")
def vendors_screen(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or Excel supplier list with a vendor column "
            "(Vendor, Supplier, Manufacturer, Make, OEM, ...), or a "
            "text file with one name per line."
        ),
    ],
    as_of: AsOfOrToday = None,
    sheet: Sheet = None,
    format: Annotated[
        ScreenFormat | None,
        typer.Option(
            "--format",
            help="table (the default on a terminal), json (one entry per line of the list), or "
            "csv or xlsx (one row per distinct name with its count and lines; xlsx needs --out); "
            "with --out and no --format, the extension decides.",
        ),
    ] = None,
    out: MaybeOut = None,
    law_dir: LawDir = None,
) -> None:
    """Screen every name in a supplier list; each distinct name is resolved once and listed once,
    with how many rows carry it."""
    from dutybound.engine.atomic import write_atomically
    from dutybound.engine.cells import csv_text, tracking_sheet
    from dutybound.engine.inventory import read_names
    from dutybound.engine.jsontext import json_bytes

    fmt = format_for_out(
        format,
        out,
        SCREEN_BY_SUFFIX,
        ScreenFormat.table if sys.stdout.isatty() and out is None else ScreenFormat.json,
    )
    if fmt is ScreenFormat.xlsx and out is None:
        raise InputError("--out", "--format xlsx writes a workbook: give --out FILE.xlsx")
    registry, day = _registry_and_day(as_of, law_dir)
    names = read_names(file, sheet)
    cache: dict[str, dict[str, Any]] = {}
    rows = []
    for line, name in names:
        if name not in cache:
            cache[name] = registry.match(name, day).to_json()
        rows.append({"line": line, **cache[name]})
    if fmt is ScreenFormat.table and out is None:
        print_screening(rows, terminal_console())
        return
    groups = screening_groups(rows)
    if fmt is ScreenFormat.table:
        body = drawn_text(lambda c: print_screening(rows, c)).encode()
    elif fmt is ScreenFormat.json:
        body = json_bytes(rows)
    elif fmt is ScreenFormat.csv:
        body = csv_text(SCREEN_HEADER, screening_rows(groups)).encode()
    else:
        body = tracking_sheet("Vendors", SCREEN_HEADER, screening_rows(groups), SCREEN_WIDTHS)
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    write_atomically(out, body)
    err.print(f"wrote {out} ({len(rows)} names, {len(groups)} distinct)")
