"""``dutybound portfolio``: many operators at once (issue 23).

``portfolio run`` evaluates every operator of a folder (or of the store) on Dask distributed and
writes a portfolio summary; ``portfolio impact`` and ``portfolio watch`` (``cli.portfolio_impact``)
add their commands to the same ``portfolio_app``. The engine (and Dask) load only when a command
runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dutybound.cli.boundary import EXIT_INPUT, err
from dutybound.cli.options import AsOf, LawDir

# the default of --workers (engine.portfolio.cluster, which loads Dask, says the same)
DEFAULT_WORKERS = 2

portfolio_app = typer.Typer(
    help="Many operators at once: evaluate a portfolio on a Dask cluster, summarise it, and "
    "find which operators a change of law touches.",
    no_args_is_help=True,
)


@portfolio_app.command("run")
def run(
    operators: Annotated[
        str,
        typer.Option(
            "--operators",
            metavar="DIR|DB-URL",
            help="A folder with one sub-folder per operator (profile.yaml and one inventory: "
            "assets.csv, .xlsx, .json or .parquet), or a database URL: the latest stored "
            "inputs of each operator in that store.",
        ),
    ],
    as_of: AsOf,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store every evaluation in this database (sqlite:///file.db, or "
            "postgresql://… for a cluster), as evaluate --db does; default "
            "DUTYBOUND_DATABASE_URL, else not stored.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Folder for summary.json/.csv/.xlsx/.pdf and each operator's NAME.json "
            "(default: portfolio-DATE in the current folder).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(help="Worker processes of the local Dask cluster (one thread each)."),
    ] = DEFAULT_WORKERS,
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Run on this Dask scheduler (tcp://host:8786) instead of a local cluster.",
        ),
    ] = None,
    law_dir: LawDir = None,
) -> None:
    """Evaluate every operator of a portfolio on a Dask cluster, store each result and write
    the portfolio summary.

    An operator whose profile or inventory is bad gets an error row in the summary; the others
    still run, and the command exits 2 at the end.

    Example: dutybound portfolio run --operators clients/ --as-of 2026-01-01 --db
    sqlite:///portfolio.db --out portfolio/
    """
    from dutybound.cli.inputs import load_pack, parse_as_of, uses_database
    from dutybound.engine.portfolio.cluster import dask_client
    from dutybound.engine.portfolio.operators import discover, from_store, is_database_url
    from dutybound.engine.portfolio.run import Plan, prepare_out, run_portfolio
    from dutybound.engine.portfolio.summary import RowStatus

    day = parse_as_of(as_of)
    source_url = operators if is_database_url(operators) else None
    found = from_store(operators) if source_url else discover(Path(operators))
    store_url: str | None = None
    if uses_database(db, None):
        from dutybound.engine.store import resolve_url

        store_url = resolve_url(db)
    plan = Plan(
        found,
        day,
        load_pack(law_dir),
        law_dir,
        out or Path(f"portfolio-{day.isoformat()}"),
        store_url,
        source_url,
    )
    prepare_out(plan)  # an unwritable --out fails before a cluster is started
    with dask_client(workers, scheduler) as client:
        summary = run_portfolio(plan, client, console=err)
    evaluated = len(summary.rows) - len(summary.refused)
    err.print(
        f"wrote {escape(str(plan.out))}: {evaluated} of {len(summary.rows)} operators evaluated"
        + (" and stored" if store_url else ""),
        highlight=False,
        soft_wrap=True,
    )
    for row in summary.refused:
        err.print(
            f"[bold red]{row.status.value}:[/] {escape(row.error or '')}",
            highlight=False,
            soft_wrap=True,
        )
    if any(r.status is RowStatus.refused for r in summary.refused):
        raise typer.Exit(EXIT_INPUT)
    if summary.refused:
        raise typer.Exit(1)


from dutybound.cli import portfolio_impact  # noqa: E402, F401  (registers impact and watch)
