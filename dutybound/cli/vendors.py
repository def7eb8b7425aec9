"""``dutybound vendors match|screen``: which covered vendor group, if any, a name as written in
an inventory or supplier list belongs to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dutybound.cli.inputs import load_pack, parse_as_of
from dutybound.cli.options import AsOfOrToday, Format, LawDir, ListingFormat, Sheet
from dutybound.cli.render.stdout import print_json
from dutybound.cli.render.vendors import print_matches, print_screening
from dutybound.cli.terminal import terminal_console

if TYPE_CHECKING:
    from dutybound.engine.vendors import Registry

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
    format: ListingFormat = Format.table,
    law_dir: LawDir = None,
) -> None:
    """Screen every name in a supplier list; each distinct name is resolved once."""
    from dutybound.engine.inventory import read_names

    registry, day = _registry_and_day(as_of, law_dir)
    names = read_names(file, sheet)
    cache: dict[str, dict[str, Any]] = {}
    rows = []
    for line, name in names:
        if name not in cache:
            cache[name] = registry.match(name, day).to_json()
        rows.append({"line": line, **cache[name]})
    if format is Format.json:
        print_json(rows)
    else:
        print_screening(rows, len(cache), terminal_console())
