"""``dutybound attestations record|list``: the register of duties an operator has done.

``record`` puts attestations (fulfilment records) in the database's register, each with an audit
entry, where evaluations that use the database find them; ``list`` prints the register. Whether a
record fulfils a finding is decided by the evaluation that applies it (``engine.attestations``).

Exit codes: 0 done; 2 bad input (the message names the file, line and field), or a record the
register refuses (for a prohibition or a cap, or an id already recorded): nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from dutybound.cli.inputs import load_pack
from dutybound.cli.options import Db, Format, LawDir, OutputFormat
from dutybound.cli.render.stdout import print_json
from dutybound.cli.terminal import terminal_console

attestations_app = typer.Typer(
    help="Attestations: records that an operator did a duty (see docs/attestations.md).",
    no_args_is_help=True,
)

AttestationsPath = Annotated[
    Path,
    typer.Argument(
        help="Attestations file (YAML or JSON): records under 'attestations:' with id, "
        "operator, obligation, assets, done_on, evidence, by, note.",
        show_default=False,
    ),
]


@attestations_app.command("record")
def record(file: AttestationsPath, db: Db = None, law_dir: LawDir = None) -> None:
    """Record attestations in the register, each with an audit entry. All or nothing: a record
    for a prohibition or a cap (met by the inventory, not a record), or an id already recorded
    for its operator, stops the lot (exit 2). Evaluations that use the database then apply them.

    Example: dutybound attestations record attestations.yaml --db sqlite:///dutybound.db
    """
    from dutybound.engine.attestations import load_attestations
    from dutybound.engine.store.attestation_register import record_attestations

    pack = load_pack(law_dir)
    records = load_attestations(file, pack)
    ids = record_attestations(records, db)
    operators = sorted({a.operator for a in records})
    typer.echo(f"recorded {len(ids)} attestation(s) for {', '.join(operators) or 'no operator'}")


@attestations_app.command("list")
def list_register(
    db: Db = None,
    operator: Annotated[str | None, typer.Option(help="Only this operator's records.")] = None,
    format: OutputFormat = None,
) -> None:
    """List the attestation register: who did what, when, on what evidence, and who recorded it.
    JSON when piped, a table on a terminal."""
    import orjson

    from dutybound.engine.store.attestation_register import list_attestations

    data: list[dict[str, Any]] = [
        {
            "record": r.id,
            "operator": r.operator,
            "id": r.attestation_id,
            "obligation": r.obligation,
            "assets": orjson.loads(r.assets) if r.assets is not None else None,
            "done_on": r.done_on.isoformat(),
            "evidence": r.evidence,
            "by": r.attested_by,
            "note": r.note,
            "recorded_by": r.recorded_by,
            "recorded_at": r.recorded_at.isoformat(),
        }
        for r in list_attestations(db, operator=operator)
    ]
    fmt = format or (Format.table if sys.stdout.isatty() else Format.json)
    if fmt is Format.json:
        print_json(data)
        return
    table = Table(title=f"Attestation register ({len(data)} record(s))")
    for column in ("operator", "id", "obligation", "assets", "done on", "evidence", "by"):
        table.add_column(column, overflow="fold")  # ids are never cut short
    for row in data:
        assets = ", ".join(row["assets"]) if row["assets"] is not None else "(its own duty)"
        cells = (row["operator"], row["id"], row["obligation"], assets, row["done_on"])
        # the register holds the user's own text, which is never terminal markup
        table.add_row(*(escape(c) for c in (*cells, row["evidence"], row["by"])))
    terminal_console().print(table)
