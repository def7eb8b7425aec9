"""``dutybound waivers check``: validate a waivers file against the rule pack and show each
waiver's standing on a date (in effect, not yet in effect, expired, refused) with the reason.

``engine.cli`` calls ``register(app)``; this module imports nothing from ``engine.cli`` so that it
can be registered from there without an import cycle.

Exit codes: 0 every waiver is allowed by its legal basis (whatever its standing on the date);
1 at least one waiver is refused (granted after its basis lapsed, or running past it);
2 bad input (the message names the file, line and field).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.cli_common import Format, fail_input, parse_as_of
from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text

EXIT_REFUSED = 1
STYLE = {"in_effect": "green", "not_yet_in_effect": "cyan", "expired": "dim", "refused": "bold red"}


def register(app: typer.Typer) -> None:
    """Add the ``waivers`` command group (``waivers check``) to the dutybound app."""
    waivers_app = typer.Typer(
        help="Waivers and exceptions: check a waivers file against the law.", no_args_is_help=True
    )
    waivers_app.command("check")(check)
    waivers_app.command("record")(record)
    waivers_app.command("list")(list_command)
    app.add_typer(waivers_app, name="waivers")


def record(
    waivers: Annotated[Path, typer.Option(help="Waivers file (YAML or JSON) to record.")],
    profile: Annotated[
        Path, typer.Option(help="Operator profile; the waivers must be recorded under its name.")
    ],
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database (default: DUTYBOUND_DATABASE_URL, else your data directory)."
        ),
    ] = None,
    law_dir: Annotated[
        Path | None, typer.Option(help="Use this rule pack instead of the bundled jurisdictions/.")
    ] = None,
) -> None:
    """Record waivers in the register, each with an audit entry. All or nothing: a waiver the
    law refuses (its basis had lapsed) or an id already recorded stops the lot (exit 2).
    Evaluations that use the database then apply them.

    Example: dutybound waivers record --waivers waivers.yaml --profile profile.yaml
    """
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.loading import load_rulepack
    from dutybound.engine.store.waiver_register import record_waivers
    from dutybound.engine.waivers import load_waivers

    try:
        pack = load_rulepack(law_dir)
        operator = load_profile(profile, pack)
        ids = record_waivers(load_waivers(waivers, pack, operator.name), pack, db)
    except InputError as error:
        fail_input(error)
    typer.echo(f"recorded {len(ids)} waiver(s) for {operator.name}")


def list_command(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database (default: DUTYBOUND_DATABASE_URL, else your data directory)."
        ),
    ] = None,
    operator: Annotated[str | None, typer.Option(help="Only this operator's waivers.")] = None,
) -> None:
    """List the waiver register as JSON (who recorded what, under which basis, until when)."""
    from dutybound.engine.store.waiver_register import list_waivers

    try:
        rows = list_waivers(db)
    except InputError as error:
        fail_input(error)
    data = [
        {
            "record": r.id,
            "operator": r.operator,
            "id": r.waiver_id,
            "obligation": r.obligation,
            "basis": r.basis,
            "reference": r.reference,
            "approver": r.approver,
            "granted_on": r.granted_on.isoformat(),
            "expires_on": r.expires_on.isoformat() if r.expires_on else None,
            "recorded_by": r.recorded_by,
            "recorded_at": r.recorded_at.isoformat(),
        }
        for r in rows
        if operator is None or r.operator == operator
    ]
    sys.stdout.write(json_text(data))


def check(
    waivers: Annotated[
        Path,
        typer.Option(
            help="Waivers file (YAML or JSON): a list of records "
            "with id, operator, obligation, basis, reference, "
            "approver, granted_on, expires_on."
        ),
    ],
    profile: Annotated[
        Path,
        typer.Option(
            help="Operator profile (YAML or JSON); every waiver must be recorded under its name."
        ),
    ],
    as_of: Annotated[str, typer.Option("--as-of", help="Standing on this date (YYYY-MM-DD).")],
    format: Annotated[
        Format | None, typer.Option("--format", help="json, or table (default on a terminal).")
    ] = None,
    law_dir: Annotated[
        Path | None, typer.Option(help="Use this rule pack instead of the bundled jurisdictions/.")
    ] = None,
) -> None:
    """Validate waivers against the rule pack and print each one's standing.

    Example: dutybound waivers check --waivers waivers.yaml
    --profile examples/us-federal-contractor/profile.yaml --as-of 2021-06-01
    """
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.loading import load_rulepack
    from dutybound.engine.waivers import REFUSED, load_waivers, standings

    try:
        day = parse_as_of(as_of)
        pack = load_rulepack(law_dir)
        operator = load_profile(profile, pack)
        records = load_waivers(waivers, pack, operator.name)
    except InputError as error:
        fail_input(error)
    result = standings(records, pack, day)
    data = {
        "as_of": day.isoformat(),
        "operator": operator.name,
        "rulepack": {
            "version": pack.version,
            "sha256": pack.sha256,
            "law_as_of": pack.law_as_of.isoformat(),
        },
        "waivers": [st.to_json() for st in result],
    }
    fmt = format or (Format.table if sys.stdout.isatty() else Format.json)
    if fmt is Format.json:
        sys.stdout.write(json_text(data))
    else:
        _print_table(data, Console())
    if any(st.state == REFUSED for st in result):
        raise typer.Exit(EXIT_REFUSED)


def _print_table(data: dict, console: Console) -> None:
    console.print(
        f"[bold]{e(data['operator'])}[/] — waivers as of [bold]{data['as_of']}[/] "
        f"(rule pack {data['rulepack']['version']})"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("Waiver", no_wrap=True)
    table.add_column("Standing", no_wrap=True)
    table.add_column("Obligation and basis", ratio=3, overflow="fold")
    table.add_column("Reason", ratio=3, overflow="fold")
    for w in data["waivers"]:
        mark = "" if w["verified"] else " [bold magenta](unverified basis)[/]"
        assets = f"\nassets: {e(', '.join(w['assets']))}" if w["assets"] else ""
        table.add_row(
            e(w["id"]),
            f"[{STYLE[w['standing']]}]{w['standing'].replace('_', ' ')}[/]",
            f"{e(w['obligation'])}{assets}\n[dim]{e(w['basis_title'])} "
            f"{e('[' + w['citation'] + ']')}[/]{mark}",
            f"{e(w['reason'])}\n[dim]ref. {e(w['reference'])}, {e(w['approver'])}[/]",
        )
    console.print(table)
    counts: dict[str, int] = {}
    for w in data["waivers"]:
        counts[w["standing"]] = counts.get(w["standing"], 0) + 1
    console.print(
        ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items())) or "no waivers"
    )
