"""The store from the command line: storing an evaluation when asked to, and the commands that
read the store back (``history``, ``audit verify|head``, ``db info``).

The database layer (SQLAlchemy, Alembic) is imported only inside the functions, so commands that
store nothing never load it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from dutybound.cli.boundary import err
from dutybound.cli.inputs import uses_database
from dutybound.cli.options import Db
from dutybound.cli.render.stdout import print_json
from dutybound.cli.render.store import print_history
from dutybound.cli.terminal import terminal_console
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation


@dataclass(frozen=True)
class StoredAs:
    """Where an evaluation was stored: its id and the audit chain's head after its entry."""

    evaluation_id: int
    audit_head: str


def store_evaluation(
    result: Evaluation,
    text: str | bytes,
    db: str | None,
    store: bool | None,
    law_dir: Path | None,
    *,
    publish: Callable[[StoredAs | None], None] | None = None,
) -> None:
    """Store an evaluation, with the JSON text it output, when asked to (see ``options.Store``);
    ``publish`` puts its output file in place (``engine.atomic.StagedFile.publish``), told where
    the evaluation was stored (None when it is not stored).

    Storing, ``publish`` runs inside the store's transaction, just before it commits: a run
    whose output fails stores nothing, and one killed at any moment leaves no stored evaluation
    without its output. It should be quick: the transaction holds the database's write lock
    (the obligation report re-renders there to print its id, a second or two). An unusable
    database is an input error and nothing is half-stored."""
    if not uses_database(db, store):
        if publish is not None:
            publish(None)
        return
    from dutybound.engine.store import save_evaluation

    evaluation_id = save_evaluation(
        result,
        text if isinstance(text, str) else text.decode(),
        db,
        law_dir=law_dir,
        before_commit=None if publish is None else lambda id_, head: publish(StoredAs(id_, head)),
    )
    err.print(f"stored as evaluation {evaluation_id}")


def history(
    db: Db = None,
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
    from dutybound.engine.store import list_evaluations, load_evaluation

    if show is not None:
        stored = load_evaluation(show, db)
        if stored is None:
            raise InputError("--show", f"no stored evaluation {show}")
        typer.echo(stored.record.result, nl=False)
        return
    data: list[dict[str, Any]] = [
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
        for r, t, name in list_evaluations(db, tenant)
    ]
    if json_out:
        print_json(data)
    else:
        print_history(data, terminal_console())


audit_app = typer.Typer(
    help="The tamper-evident audit chain of stored evaluations.", no_args_is_help=True
)


@audit_app.command("verify")
def audit_verify(
    db: Db = None,
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
    from dutybound.engine.store.records import audit_notes

    count, head, problems = verify_audit(db, expect_head)
    for note in audit_notes(db):  # how the chain came to be as it is (migrations)
        err.print(f"note: {escape(note)}", soft_wrap=True)
    for problem in problems:
        err.print(f"[bold red]entry {problem.seq}:[/] {escape(problem.message)}", soft_wrap=True)
    if problems:
        err.print(f"audit chain BROKEN: {len(problems)} problem(s) in {count} entries")
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {count} entries, head {head}")


@audit_app.command("head")
def audit_head(db: Db = None) -> None:
    """Print the newest entry's hash, to record outside the database."""
    from dutybound.engine.store import verify_audit

    count, head, _ = verify_audit(db)
    typer.echo(head if count else "empty")


db_app = typer.Typer(
    help="The database: where it is, its schema, what it holds.", no_args_is_help=True
)


@db_app.command("info")
def db_info(db: Db = None) -> None:
    """Show the database in use (password hidden), its schema revision and row counts. The
    schema is migrated to the newest revision on first use."""
    from sqlalchemy.engine import make_url

    from dutybound.engine.store import count_rows, resolve_url

    url = resolve_url(db)
    counts = count_rows(url)
    typer.echo(f"database: {make_url(url).render_as_string(hide_password=True)}")
    for table, n in counts.items():
        typer.echo(f"  {table}: {n:,}")
