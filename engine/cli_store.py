"""Commands over the store: the history of stored evaluations, the audit chain, the database.

Registered on the main ``dutybound`` app by ``engine.cli``; kept apart so the evaluation commands
do not import the database layer (Alembic, SQLAlchemy) unless they store something.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.cli_common import err, fail_input
from dutybound.engine.errors import InputError

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: DUTYBOUND_DATABASE_URL, else the file in your data "
        "directory).",
    ),
]


def history(
    db: DbOption = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's evaluations.")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
    show: Annotated[
        int | None,
        typer.Option(
            "--show", help="Print stored evaluation N exactly as it was output when it ran."
        ),
    ] = None,
) -> None:
    """List stored evaluations, oldest first: id, when, who, operator, date evaluated, law."""
    from dutybound.engine.jsontext import json_text
    from dutybound.engine.store import list_evaluations, load_evaluation

    if show is not None:
        try:
            stored = load_evaluation(show, db)
        except InputError as error:
            fail_input(error)
        if stored is None:
            fail_input(InputError("--show", f"no stored evaluation {show}"))
        typer.echo(stored.record.result, nl=False)
        return
    try:
        rows = list_evaluations(db, tenant)
    except InputError as error:
        fail_input(error)
    data = [
        {
            "id": r.id,
            "stored_at": r.stored_at.isoformat(),
            "actor": r.actor,
            "tenant": t,
            "operator": name,
            "as_of": r.as_of.isoformat(),
            "rulepack": r.rulepack_version,
            "rulepack_sha256": r.rulepack_sha256,
            "findings": r.findings_count,
        }
        for r, t, name in rows
    ]
    if json_out:
        typer.echo(json_text(data), nl=False)
        return
    table = Table(
        "id", "stored (UTC)", "by", "tenant", "operator", "as of", "rule pack", "findings"
    )
    for row in data:
        table.add_row(
            str(row["id"]),
            row["stored_at"][:19],
            e(row["actor"]),
            e(row["tenant"]),
            e(row["operator"]),
            row["as_of"],
            row["rulepack"],
            str(row["findings"]),
        )
    Console().print(table)


audit_app = typer.Typer(
    help="The tamper-evident audit chain of stored evaluations.", no_args_is_help=True
)


@audit_app.command("verify")
def audit_verify(
    db: DbOption = None,
    expect_head: Annotated[
        str | None,
        typer.Option(
            help="A head hash recorded earlier (see 'audit head'): also prove that the chain up to "
            "it was not rewritten."
        ),
    ] = None,
) -> None:
    """Recompute every audit entry and every record it covers. Exit 0 when intact, 1 when
    anything was changed, removed or reordered (each problem is listed)."""
    from dutybound.engine.store import verify_audit

    try:
        count, head, problems = verify_audit(db, expect_head)
    except InputError as error:
        fail_input(error)
    for problem in problems:
        err.print(f"[bold red]entry {problem.seq}:[/] {e(problem.message)}", soft_wrap=True)
    if problems:
        err.print(f"audit chain BROKEN: {len(problems)} problem(s) in {count} entries")
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {count} entries, head {head}")


@audit_app.command("head")
def audit_head(db: DbOption = None) -> None:
    """Print the newest entry's hash, to record outside the database."""
    from dutybound.engine.store import verify_audit

    try:
        count, head, _ = verify_audit(db)
    except InputError as error:
        fail_input(error)
    typer.echo(head if count else "empty")


db_app = typer.Typer(
    help="The database: where it is, its schema, what it holds.", no_args_is_help=True
)


@db_app.command("info")
def db_info(db: DbOption = None) -> None:
    """Show the database in use (password hidden), its schema revision and row counts. The
    schema is migrated to the newest revision on first use."""
    from sqlalchemy.engine import make_url

    from dutybound.engine.store import count_rows, resolve_url

    try:
        url = resolve_url(db)
        counts = count_rows(url)
    except InputError as error:
        fail_input(error)
    typer.echo(f"database: {make_url(url).render_as_string(hide_password=True)}")
    for table, n in counts.items():
        typer.echo(f"  {table}: {n:,}")


def register(app: typer.Typer) -> None:
    app.command()(history)
    app.add_typer(audit_app, name="audit")
    app.add_typer(db_app, name="db")
