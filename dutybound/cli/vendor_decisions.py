"""``dutybound vendor-decisions record|list``: the register of answers about vendor names.

``record`` puts a decisions file (``engine.vendor_decisions``) in the database's register for a
tenant, each record with an audit entry; evaluations and reports that use the database then
apply the tenant's decisions made on or before their date. ``list`` prints the register.

Exit codes: 0 done; 2 bad input (every problem of the file at once, naming file, line and field)
or a record the register refuses (an id already recorded, or a name already decided on the same
day): nothing is written.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from dutybound.cli.inputs import load_pack, uses_database
from dutybound.cli.options import Db, Format, LawDir, OutputFormat
from dutybound.cli.render.stdout import print_json
from dutybound.cli.terminal import terminal_console

if TYPE_CHECKING:
    from dutybound.engine.loading import RulePack
    from dutybound.engine.vendor_decisions import Decision

DEFAULT_TENANT = "default"  # engine.store.records.DEFAULT_TENANT, without importing the store

vendor_decisions_app = typer.Typer(
    help="Vendor decisions: recorded answers about whose equipment a vendor name is "
    "(see docs/vendor-decisions.md).",
    no_args_is_help=True,
)

Tenant = Annotated[
    str,
    typer.Option(help="The tenant whose register this is (the HTTP service's tenants)."),
]


def load_vendor_decisions(
    path: Path | None,
    pack: RulePack,
    as_of: dt.date,
    db: str | None = None,
    store: bool | None = False,
    tenant: str = DEFAULT_TENANT,
) -> list[Decision] | None:
    """The decisions an evaluation on ``as_of`` relies on: those of ``--vendor-decisions`` and,
    when the run uses the database, the tenant's register as of that day. A name (or id) in
    both is an input error naming both places. None when there are none."""
    from dutybound.engine.vendor_decisions import load_decisions, with_register

    found = load_decisions(path, pack.registry) if path is not None else []
    stored: list[Decision] = []
    if uses_database(db, store):
        from dutybound.engine.store.vendor_decision_register import stored_vendor_decisions

        stored = stored_vendor_decisions(pack.registry, as_of, db, tenant=tenant)
    if path is None and not stored:
        return None
    return with_register(found, stored)


@vendor_decisions_app.command("record")
def record(
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            help="Decisions file (YAML or JSON): records under 'decisions:' with id, name, "
            "group or not_group, relationship, by, decided_on, note.",
            show_default=False,
        ),
    ],
    db: Db = None,
    tenant: Tenant = DEFAULT_TENANT,
    law_dir: LawDir = None,
) -> None:
    """Record vendor decisions in the tenant's register, each with an audit entry. All or
    nothing: any problem in the file, an id already recorded, or a name already decided on the
    same day stops the lot (exit 2).

    Example: dutybound vendor-decisions record --file decisions.yaml --db sqlite:///d.db
    """
    from dutybound.engine.store.vendor_decision_register import record_vendor_decisions
    from dutybound.engine.vendor_decisions import load_decisions

    pack = load_pack(law_dir)
    decisions = load_decisions(file, pack.registry)
    ids = record_vendor_decisions(decisions, db, tenant=tenant)
    typer.echo(f"recorded {len(ids)} vendor decision(s) for tenant {tenant}")


@vendor_decisions_app.command("list")
def list_register(
    db: Db = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's decisions.")] = None,
    format: OutputFormat = None,
) -> None:
    """List the vendor decision register: which name, confirmed or rejected for which group, who
    decided and when, and who recorded it. JSON when piped, a table on a terminal."""
    from dutybound.engine.store.vendor_decision_register import list_vendor_decisions

    data: list[dict[str, Any]] = [
        {
            "record": r.id,
            "tenant": t,
            "id": r.decision_id,
            "name": r.name,
            "group": r.confirms_group,
            "not_group": r.rejects_group,
            "relationship": r.relationship,
            "by": r.decided_by,
            "decided_on": r.decided_on.isoformat(),
            "note": r.note,
            "recorded_by": r.recorded_by,
            "recorded_at": r.recorded_at.isoformat(),
        }
        for r, t in list_vendor_decisions(db, tenant)
    ]
    fmt = format or (Format.table if sys.stdout.isatty() else Format.json)
    if fmt is Format.json:
        print_json(data)
        return
    table = Table(title=f"Vendor decision register ({len(data)} record(s))")
    for column in ("tenant", "id", "name", "decision", "by", "decided on", "note"):
        table.add_column(column, overflow="fold")  # names are never cut short
    for row in data:
        decision = (
            f"is {row['group']} ({row['relationship']})"
            if row["group"]
            else f"is not {row['not_group']}"
        )
        cells = (row["tenant"], row["id"], row["name"], decision, row["by"], row["decided_on"])
        # the register holds the user's own text, which is never terminal markup
        table.add_row(*(escape(c) for c in (*cells, row["note"] or "")))
    terminal_console().print(table)
