"""``dutybound inventory check|template``: an inventory made ready before it is evaluated.

``check`` reads the whole file and lists every problem at once (file, row, column as headed,
value, allowed values, a suggestion), exit 2 if there is any, so a first export is fixed in one
pass instead of one run per mistake; with none it prints a one-line summary. ``template`` writes
an empty inventory with the vocabulary as drop-down lists.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dutybound.cli.boundary import EXIT_INPUT, err
from dutybound.cli.inputs import parse_defaults
from dutybound.cli.options import Defaults, Format, MapFile, Sheet
from dutybound.cli.render.stdout import print_json
from dutybound.engine.errors import InputError


class TemplateFormat(StrEnum):
    """The formats ``dutybound inventory template`` writes: an option of the command, kept here
    so that the template writer and its imports load only when the command runs."""

    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"


inventory_app = typer.Typer(
    help="Check an inventory before evaluating it, or start one from a template.",
    no_args_is_help=True,
)


@inventory_app.command("check")
def inventory_check(
    assets: Annotated[
        Path,
        typer.Argument(
            help="Asset inventory: CSV, XLSX, JSON, CycloneDX, or a NetBox device export / API "
            "page.",
            metavar="FILE",
        ),
    ],
    mapping: MapFile = None,
    sheet: Sheet = None,
    default: Defaults = None,
    format: Annotated[
        Format,
        typer.Option(
            "--format",
            help="table (lines for a person) or json (file, assets, problems with line, field "
            "and message, notices: for a pipeline).",
        ),
    ] = Format.table,
) -> None:
    """List every problem of an inventory in one run (exit 2), or say it loads (exit 0).

    Example: dutybound inventory check cmdb-export.xlsx --map mapping.yaml
    """
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.mapping import load_mapping

    table = load_mapping(mapping)
    try:
        read = read_inventory(assets, parse_defaults(default), sheet, table)
    except InputError as error:
        problems = getattr(error, "problems", None) or [error]
        if format is Format.json:
            print_json({"file": str(assets), "ok": False, "problems": _problems_json(problems)})
            raise typer.Exit(EXIT_INPUT) from None
        err.print(
            f"{escape(str(assets))}: [bold red]{len(problems)} problem(s)[/]",
            markup=True,
            soft_wrap=True,
        )
        for problem in problems:
            err.print(f"  {escape(str(problem))}", markup=False, soft_wrap=True, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    if format is Format.json:
        print_json(
            {
                "file": str(assets),
                "ok": True,
                "format": read.format,
                "assets": len(read.assets),
                "columns": [{"header": h, "column": c} for h, c in read.columns],
                "problems": [],
                "notices": [n.to_json() for n in read.notices],
            }
        )
        return
    renamed = read.renamed()
    columns = "; columns read: " + ", ".join(f"{h!r} as {c}" for h, c in renamed) if renamed else ""
    typer.echo(f"{assets}: {len(read.assets)} assets, no problems ({read.format}){columns}")
    for notice in read.notices:
        typer.echo(f"note: {notice.message}")


def _problems_json(problems: list[InputError]) -> list[dict[str, object]]:
    """Each problem as the fields a program reads: file, line (row), field and message."""
    return [
        {"file": p.file, "line": p.line, "field": p.field, "message": p.message} for p in problems
    ]


@inventory_app.command("template")
def inventory_template(
    format: Annotated[
        TemplateFormat,
        typer.Option("--format", help="xlsx (with drop-down lists), csv or parquet."),
    ] = TemplateFormat.xlsx,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write (default: inventory-template.<format>)."),
    ] = None,
) -> None:
    """Write an empty inventory: dutybound's columns, an example row and, in Excel, each
    vocabulary as a drop-down list with a Vocabulary sheet saying what each word means."""
    from dutybound.engine.atomic import write_atomically
    from dutybound.engine.inventory_template import template_csv, template_xlsx

    target = out or Path(f"inventory-template.{format.value}")
    if target.suffix.lower().lstrip(".") != format.value:
        raise InputError(
            "--out", f"{target.name!r} does not end in .{format.value}, the --format asked for"
        )
    data: str | bytes
    if format is TemplateFormat.parquet:
        from dutybound.engine.inventory_stream import template_parquet

        data = template_parquet()
    else:
        data = template_xlsx() if format is TemplateFormat.xlsx else template_csv()
    write_atomically(target, data)
    typer.echo(f"wrote {target}")
