"""``dutybound waivers check|record|list``: waivers and exceptions against the law.

``check`` validates a waivers file against the rule pack and shows each waiver's standing on a
date (in effect, not yet in effect, expired, refused) with the reason; ``record`` puts waivers in
the database's register, where evaluations that use the database find them; ``list`` prints the
register.

Exit codes of ``check``: 0 every waiver is allowed by its legal basis (whatever its standing on
the date); 1 at least one is refused (granted after its basis lapsed, or running past it);
2 bad input (the message names the file, line and field).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from dutybound.cli.inputs import load_pack, parse_as_of
from dutybound.cli.options import AsOf, Db, Format, LawDir, OutputFormat, Profile, WaiversFile
from dutybound.cli.render.stdout import print_json
from dutybound.cli.render.waivers import print_standings
from dutybound.cli.terminal import terminal_console

EXIT_REFUSED = 1

waivers_app = typer.Typer(
    help="Waivers and exceptions: check a waivers file against the law.", no_args_is_help=True
)


@waivers_app.command("check")
def check(
    waivers: WaiversFile,
    profile: Profile,
    as_of: AsOf,
    format: OutputFormat = None,
    law_dir: LawDir = None,
) -> None:
    """Validate waivers against the rule pack and print each one's standing.

    Example: dutybound waivers check --waivers waivers.yaml
    --profile examples/us-federal-contractor/profile.yaml --as-of 2021-06-01
    """
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.outcomes import Standing
    from dutybound.engine.waivers import load_waivers, standings

    day = parse_as_of(as_of)
    pack = load_pack(law_dir)
    operator = load_profile(profile, pack)
    records = load_waivers(waivers, pack, operator.name)
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
        print_json(data)
    else:
        print_standings(data, terminal_console())
    if any(st.state == Standing.REFUSED for st in result):
        raise typer.Exit(EXIT_REFUSED)


@waivers_app.command("record")
def record(
    waivers: WaiversFile,
    profile: Profile,
    db: Db = None,
    law_dir: LawDir = None,
) -> None:
    """Record waivers in the register, each with an audit entry. All or nothing: a waiver the
    law refuses (its basis had lapsed) or an id already recorded stops the lot (exit 2).
    Evaluations that use the database then apply them.

    Example: dutybound waivers record --waivers waivers.yaml --profile profile.yaml
    """
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.store.waiver_register import record_waivers
    from dutybound.engine.waivers import load_waivers

    pack = load_pack(law_dir)
    operator = load_profile(profile, pack)
    ids = record_waivers(load_waivers(waivers, pack, operator.name), pack, db)
    typer.echo(f"recorded {len(ids)} waiver(s) for {operator.name}")


@waivers_app.command("list")
def list_register(
    db: Db = None,
    operator: Annotated[str | None, typer.Option(help="Only this operator's waivers.")] = None,
) -> None:
    """List the waiver register as JSON (who recorded what, under which basis, until when)."""
    from dutybound.engine.store.waiver_register import list_waivers

    data: list[dict[str, Any]] = [
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
        for r in list_waivers(db)
        if operator is None or r.operator == operator
    ]
    print_json(data)
