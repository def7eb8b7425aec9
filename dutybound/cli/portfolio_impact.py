"""``dutybound portfolio impact`` and ``portfolio watch``: which operators a change touches.

``impact`` answers "which of my operators does this change of law touch, and how?" with the
differ of ``dutybound diff`` run per operator on the portfolio's Dask cluster
(``engine.portfolio.impact``). ``watch`` compares each operator with its last stored run and
emits change events as JSON lines, and to a signed webhook where one is configured
(``engine.portfolio.watch``, ``engine.portfolio.webhook``).

Exit codes, as ``portfolio run``: 2 when an operator's input is refused (after the output, which
names it) or an option is bad; 1 for an operator whose task failed, or with ``--fail-on-impact``
when an operator is touched; 0 otherwise.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from dutybound.cli.boundary import EXIT_INPUT, err
from dutybound.cli.options import AsOf, AssumeDesignation, LawDir
from dutybound.cli.portfolio import DEFAULT_WORKERS, portfolio_app
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from dutybound.engine.portfolio.cluster import PackRef
    from dutybound.engine.portfolio.impact import Impact
    from dutybound.engine.portfolio.operators import Operator

EXIT_IMPACT = 1

Operators = Annotated[
    str,
    typer.Option(
        "--operators",
        metavar="DIR|DB-URL",
        help="A folder with one sub-folder per operator (profile.yaml and one inventory), or a "
        "database URL: the latest stored inputs of each operator in that store.",
    ),
]
Workers = Annotated[
    int, typer.Option(help="Worker processes of the local Dask cluster (one thread each).")
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Run on this Dask scheduler (tcp://host:8786) instead of a local cluster.",
    ),
]


class ImpactFormat(StrEnum):
    """``--format`` of ``portfolio impact``."""

    table = "table"
    json = "json"
    csv = "csv"


def _operators(operators: str) -> tuple[list[Operator], str | None]:
    from dutybound.engine.portfolio.operators import discover, from_store, is_database_url

    if is_database_url(operators):
        return from_store(operators), operators
    return discover(Path(operators)), None


@portfolio_app.command("impact")
def impact(
    operators: Operators,
    as_of: AsOf,
    before_law_dir: Annotated[
        Path | None,
        typer.Option(
            "--before-law-dir",
            help="The rule pack before the change (the after side is --law-dir, or the bundled "
            "one).",
        ),
    ] = None,
    law_dir: LawDir = None,
    assume_designation: AssumeDesignation = None,
    format: Annotated[
        ImpactFormat,
        typer.Option("--format", help="table (touched operators first), json or csv."),
    ] = ImpactFormat.table,
    fail_on_impact: Annotated[
        bool,
        typer.Option(help="Exit 1 when the change touches any operator (a pipeline gate)."),
    ] = False,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
) -> None:
    """Which operators of a portfolio a change of law touches, and how: per operator, the
    findings the change adds, removes or changes, each with its cause (as dutybound diff
    --before-law-dir gives it for one operator).

    The change is --before-law-dir OLD against --law-dir NEW (default: the bundled law), or a
    what-if decision under a supplier power (--assume-designation CODE:group:DATE) on --law-dir,
    or both.

    Example: dutybound portfolio impact --operators clients/ --as-of 2026-01-01
    --before-law-dir law-2025.12/
    """
    from dutybound.cli.inputs import load_pack, parse_as_of
    from dutybound.engine.portfolio.cluster import dask_client
    from dutybound.engine.portfolio.impact import ImpactStatus, LawVersion, run_impact
    from dutybound.engine.powers import parse_assumption

    day = parse_as_of(as_of)
    assumed = tuple(assume_designation or ())
    if before_law_dir is None and not assumed:
        raise InputError(
            "--before-law-dir",
            "give the law before the change (--before-law-dir OLD), or a what-if decision "
            "(--assume-designation)",
        )
    found, source_url = _operators(operators)
    after_pack = load_pack(law_dir)
    for text in assumed:
        parse_assumption(text, after_pack)  # bad input fails here, before a cluster starts
    before_dir = before_law_dir if before_law_dir is not None else law_dir
    before_pack = load_pack(before_dir)
    before = LawVersion(_ref(before_dir, before_pack.sha256))
    after = LawVersion(_ref(law_dir, after_pack.sha256), assumed)
    with dask_client(workers, scheduler) as client:
        result = run_impact(
            client,
            found,
            day,
            ((before, before_pack), (after, after_pack)),
            source_url,
            console=err,
        )
    _print_impact(result, format)
    if result.not_answered:
        for row in result.not_answered:
            err.print(
                f"[bold red]{row.status.value}:[/] {escape(row.error or '')}",
                highlight=False,
                soft_wrap=True,
            )
        refused = result.of(ImpactStatus.refused)
        raise typer.Exit(EXIT_INPUT if refused else 1)
    if fail_on_impact and result.touched:
        err.print(f"fail-on-impact: {len(result.touched)} operators touched", highlight=False)
        raise typer.Exit(EXIT_IMPACT)


def _ref(law_dir: Path | None, sha256: str) -> PackRef:
    """The worker's handle on a pack: its folder as an absolute path (a worker's working folder
    is not this command's)."""
    from dutybound.engine.portfolio.cluster import PackRef

    return PackRef(None if law_dir is None else str(law_dir.absolute()), sha256)


def _print_impact(result: Impact, format: ImpactFormat) -> None:
    """The result on stdout in ``format``."""
    from dutybound.engine.jsontext import json_bytes

    if format is ImpactFormat.json:
        sys.stdout.buffer.write(json_bytes(result.to_json()))
        sys.stdout.buffer.flush()
        return
    if format is ImpactFormat.csv:
        from dutybound.engine.cells import csv_text
        from dutybound.engine.portfolio.impact import CSV_HEADER, csv_rows

        sys.stdout.write(csv_text(CSV_HEADER, csv_rows(result)))
        sys.stdout.flush()
        return
    from dutybound.cli.terminal import terminal_console

    _impact_table(result, terminal_console())


def _impact_table(result: Impact, console: Console) -> None:
    """Touched operators first, a row per change; then the refused; then how many were not
    touched (by name when they are few)."""
    from rich.table import Table

    from dutybound.engine.portfolio.impact import ImpactStatus

    law = f"{_law(result.before)} → {_law(result.after)}"
    console.print(
        f"Impact on {result.as_of.isoformat()} of the law change {escape(law)}: "
        f"{len(result.touched)} of {_operators_count(len(result.rows))} touched",
        highlight=False,
        soft_wrap=True,
    )
    if result.touched or result.not_answered:
        table = Table(show_lines=True, expand=True)
        table.add_column("Operator", no_wrap=True)
        table.add_column("Obligation", ratio=2, overflow="fold")
        table.add_column("Change", no_wrap=True)
        table.add_column("Before → after", ratio=1, overflow="fold")
        table.add_column("Why", ratio=3, overflow="fold")
        for row in result.touched:
            for c in row.changes:
                moved = f"{c.before_status or '—'} → {c.after_status or '—'}"
                if c.before_due != c.after_due:
                    moved += f"\ndue {c.before_due or '—'} → {c.after_due or '—'}"
                if c.assets_added or c.assets_removed:
                    moved += f"\nassets +{c.assets_added} −{c.assets_removed}"
                table.add_row(
                    escape(row.operator),
                    f"{escape(c.obligation_id)}\n{escape(c.title)}",
                    c.change,
                    moved,
                    escape(c.cause_text),
                )
        for row in result.not_answered:
            table.add_row(escape(row.operator), "", row.status.value, "", escape(row.error or ""))
        console.print(table)
    quiet = result.of(ImpactStatus.not_touched)
    console.print(f"not touched: {_operators_count(len(quiet))}", highlight=False)


def _law(side: dict[str, Any]) -> str:
    """A side of the change as the table's heading names it: version, sha256 prefix (two
    drafts of one version differ there) and any what-if decision."""
    text = f"{side['version']} ({side['sha256'][:12]})"
    return text + "".join(f" + what-if {a}" for a in side["assumed"])


def _operators_count(n: int) -> str:
    return f"{n} operator" + ("" if n == 1 else "s")


@portfolio_app.command("watch")
def watch(
    operators: Operators,
    as_of: AsOf,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            help="The store holding each operator's last run (stored by portfolio run --db or "
            "evaluate --db): sqlite:///file.db or postgresql://…",
        ),
    ],
    within_days: Annotated[
        int | None,
        typer.Option(
            "--within-days",
            min=0,
            help="Also report binding due dates in the next N days (deadline_within).",
        ),
    ] = None,
    webhook: Annotated[
        str | None,
        typer.Option(
            "--webhook",
            metavar="URL",
            help="POST the events here as one JSON body, signed (X-Dutybound-Signature: "
            "sha256=HMAC of 'TIMESTAMP.BODY', X-Dutybound-Timestamp).",
        ),
    ] = None,
    webhook_secret_env: Annotated[
        str | None,
        typer.Option(
            "--webhook-secret-env",
            metavar="VAR",
            help="The environment variable holding the signing secret (required with "
            "--webhook: nothing is sent unsigned).",
        ),
    ] = None,
    webhook_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the webhook to answer.")
    ] = 10.0,
    law_dir: LawDir = None,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
) -> None:
    """Compare each operator with its last stored run and print the changes as JSON lines:
    new_breach, new_overdue, new_obligation, resolved, deadline_within (with --within-days),
    each with operator, obligation, citation, due date and cause.

    watch stores nothing: store the portfolio (portfolio run --db) once the events are
    delivered, and the next watch compares with that run.

    Example: DUTYBOUND_HOOK_SECRET=… dutybound portfolio watch --operators clients/ --as-of
    2026-02-01 --db sqlite:///portfolio.db --within-days 30 --webhook https://alerts.example/in
    --webhook-secret-env DUTYBOUND_HOOK_SECRET
    """
    import orjson

    from dutybound.cli.inputs import load_pack, parse_as_of
    from dutybound.engine.portfolio.cluster import dask_client
    from dutybound.engine.portfolio.watch import run_watch
    from dutybound.engine.portfolio.webhook import send, webhook_from_options
    from dutybound.engine.store import resolve_url

    day = parse_as_of(as_of)
    hook = webhook_from_options(webhook, webhook_secret_env, webhook_timeout)
    found, source_url = _operators(operators)
    pack = load_pack(law_dir)
    url = resolve_url(db)
    with dask_client(workers, scheduler) as client:
        result = run_watch(
            client,
            found,
            day,
            (law_dir, pack.sha256),
            url,
            within_days,
            console=err,
            source_url=source_url,
        )
    events = [e.to_json() for e in result.events]
    out = sys.stdout.buffer
    for event in events:
        out.write(orjson.dumps(event) + b"\n")
    out.flush()
    err.print(
        f"{len(events)} events from {len(found)} operators",
        highlight=False,
        soft_wrap=True,
    )
    if result.no_baseline:
        err.print(
            f"no stored run to compare with: {_operators_count(len(result.no_baseline))} ("
            + escape(", ".join(n.operator for n in result.no_baseline[:10]))
            + (", …" if len(result.no_baseline) > 10 else "")
            + "); store one with portfolio run --db",
            highlight=False,
            soft_wrap=True,
        )
    if hook is not None and events:
        status = send(hook, events)
        err.print(
            f"sent {len(events)} events to {escape(hook.url)} (HTTP {status})", highlight=False
        )
    for name, error in result.refused + result.failed:
        err.print(f"[bold red]{escape(name)}:[/] {escape(error)}", highlight=False, soft_wrap=True)
    if result.refused:
        raise typer.Exit(EXIT_INPUT)
    if result.failed:
        raise typer.Exit(1)
