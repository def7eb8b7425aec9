"""``dutybound evaluate``: an operator's obligations on a date, as JSON, a table, a spreadsheet
(CSV or XLSX, a row per finding and asset, ``engine.findings_table``) or SARIF
(``engine.sarif``)."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from dutybound.cli.boundary import err
from dutybound.cli.inputs import load_attestations, load_inputs, load_waivers
from dutybound.cli.options import (
    AsOf,
    AsRole,
    Assets,
    AssumeDesignation,
    Attestations,
    Db,
    Defaults,
    LawDir,
    MapFile,
    MaybeOut,
    Profile,
    Sheet,
    Store,
    VendorDecisions,
    Waivers,
)
from dutybound.cli.outfile import format_for_out
from dutybound.cli.render.evaluation import print_evaluation
from dutybound.cli.render.stdout import drawn_text
from dutybound.cli.store import store_evaluation
from dutybound.cli.terminal import terminal_console
from dutybound.cli.vendor_decisions import load_vendor_decisions
from dutybound.engine.atomic import StagedFile, stage
from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_bytes


class EvaluatorChoice(StrEnum):
    """``--evaluator``: the words of ``engine.evaluators.EvaluatorChoice``, repeated here because
    Typer needs the choices when it builds the command line, and importing that module loads
    the law models, which ``--help`` should not wait for. A test keeps the two equal."""

    auto = "auto"
    durable = "durable"
    reference = "reference"


class EvaluateFormat(StrEnum):
    """``--format`` of ``evaluate``."""

    json = "json"
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    sarif = "sarif"


# the extensions --out may carry, each with the format it names (dutybound.cli.outfile)
FORMAT_BY_SUFFIX = {
    ".json": EvaluateFormat.json,
    ".txt": EvaluateFormat.table,
    ".csv": EvaluateFormat.csv,
    ".xlsx": EvaluateFormat.xlsx,
    ".sarif": EvaluateFormat.sarif,
}


class FailOn(StrEnum):
    """``--fail-on``: what makes ``evaluate`` exit 1, for a pipeline gate. ``overdue`` is the
    stricter gate: it fails on any breach as well as on any overdue duty."""

    breach = "breach"
    overdue = "overdue"


def gate_failures(data: dict[str, Any], fail_on: FailOn) -> list[str]:
    """The findings (ids) that fail the gate, from the evaluation JSON."""
    return [
        f["id"]
        for f in data["findings"]
        # a what-if finding (--assume-designation) never fails a gate: it is not law in force
        if not f.get("hypothetical")
        and (f["position"] == "breach" or (fail_on is FailOn.overdue and f["status"] == "overdue"))
    ]


def evaluate(
    profile: Profile,
    assets: Assets,
    as_of: AsOf,
    format: Annotated[
        EvaluateFormat | None,
        typer.Option(
            "--format",
            help="json, table (default on a terminal), csv or xlsx (a row per finding and asset, "
            "for tracking remediation; xlsx needs --out) or sarif (for CI); with --out and no "
            "--format, the extension decides (.json .txt .csv .xlsx .sarif).",
        ),
    ] = None,
    out: MaybeOut = None,
    include_ended: Annotated[
        bool, typer.Option(help="Also list obligations that had ended by the date.")
    ] = False,
    evaluator: Annotated[
        EvaluatorChoice,
        typer.Option(help="Rules engine: durable-rules, the plain-Python reference, or auto."),
    ] = EvaluatorChoice.auto,
    as_role: AsRole = None,
    assume_designation: AssumeDesignation = None,
    default: Defaults = None,
    sheet: Sheet = None,
    mapping: MapFile = None,
    law_dir: LawDir = None,
    waivers: Waivers = None,
    db: Db = None,
    store: Store = None,
    attestations: Attestations = None,
    vendor_decisions: VendorDecisions = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            help="Exit 1 after writing the output if any finding is a breach ('breach'), or a "
            "breach or overdue ('overdue'): a gate for pipelines."
        ),
    ] = None,
    affected_assets: Annotated[
        Path | None,
        typer.Option(
            "--affected-assets",
            help="Also write every asset of every finding to this CSV (a row per finding and "
            "asset): the JSON of an inventory of more than 100,000 assets lists only each "
            "finding's first 100 ids and their count.",
        ),
    ] = None,
) -> None:
    """Evaluate an operator's obligations as of a date.

    Example: dutybound evaluate --profile examples/cz-energy/profile.yaml
    --assets examples/cz-energy/assets.csv --as-of 2019-02-01
    """
    from dutybound.engine.evaluation import evaluate as run_evaluation
    from dutybound.engine.evaluation import inputs_fingerprint
    from dutybound.engine.evaluators import get_evaluator
    from dutybound.engine.notices import Notice, evaluator_notice

    fmt = format_for_out(
        format,
        out,
        FORMAT_BY_SUFFIX,
        EvaluateFormat.table if sys.stdout.isatty() and out is None else EvaluateFormat.json,
    )
    if fmt is EvaluateFormat.xlsx and out is None:
        raise InputError("--out", "--format xlsx writes a workbook: give --out FILE.xlsx")
    inventory_notices: list[Notice] = []
    pack, operator, inventory, day, hypothetical = load_inputs(
        profile,
        assets,
        as_of,
        law_dir,
        as_role,
        default,
        sheet,
        assume=assume_designation,
        mapping=mapping,
        notices=inventory_notices,
    )
    records = load_waivers(waivers, pack, operator, db, store)
    done = load_attestations(attestations, pack, operator, db, store)
    decisions = load_vendor_decisions(vendor_decisions, pack, day, db, store)
    chosen, notice = get_evaluator(evaluator.value)
    result = run_evaluation(
        pack,
        operator,
        inventory,
        day,
        evaluator=chosen,
        include_ended=include_ended,
        hypothetical=hypothetical,
        waivers=records,
        attestations=done,
        vendor_decisions=decisions,
        inputs_sha256=inputs_fingerprint(
            profile,
            assets,
            *(p for p in (waivers, attestations, vendor_decisions, mapping) if p is not None),
        ),
    )
    if notice:
        result.notices.insert(0, evaluator_notice(notice))
    result.notices.extend(inventory_notices)
    data = result.to_json()
    # bytes, decoded only to store them (store_evaluation): a large evaluation is tens of MB
    encoded = json_bytes(data)

    def full_findings() -> list[dict[str, Any]]:
        return [f.to_json() for f in result.findings]

    def rendered() -> bytes:
        """The output in a file format (every format but the table)."""
        if fmt is EvaluateFormat.json:
            return encoded
        if fmt is EvaluateFormat.sarif:
            from dutybound.engine.sarif import evaluation_sarif

            return json_bytes(evaluation_sarif(data, inventory, assets, profile))
        from dutybound.engine.cells import csv_text, tracking_sheet
        from dutybound.engine.findings_table import HEADER, WIDTHS, finding_rows

        # a row per finding and asset: every asset, also where the JSON of a large inventory
        # lists only the first ids (engine.evaluation.COMPACT_ABOVE_ASSETS)
        findings = data["findings"] if result.shown_ids is None else full_findings()
        rows = finding_rows(result, findings)
        if fmt is EvaluateFormat.xlsx:
            return tracking_sheet("Findings", HEADER, rows, WIDTHS)
        return csv_text(HEADER, rows).encode()

    def print_result() -> None:
        if fmt is EvaluateFormat.table:
            print_evaluation(data, terminal_console())
        else:
            body = rendered()
            sys.stdout.flush()
            sys.stdout.buffer.write(body)
            sys.stdout.buffer.flush()

    # the affected-asset file is staged before anything is printed or stored, and put in place
    # with the output (an unwritable path fails the run before it has done anything)
    affected: StagedFile | None = None
    with ExitStack() as cleanup:  # an affected-asset file not published is removed
        if affected_assets is not None:
            from dutybound.engine.affected_assets import stage_affected_assets

            affected = cleanup.enter_context(stage_affected_assets(result, affected_assets))
        if out is None:
            # printed first, outside the store's transaction: a pipe may take its time to read, and
            # the transaction holds the database's write lock; a run that fails to print stores
            # nothing
            print_result()
            store_evaluation(
                result,
                encoded,
                db,
                store,
                law_dir,
                **({} if affected is None else {"publish": lambda _stored: affected.publish()}),
            )
        else:
            # written beside --out first: an unwritable path fails (exit 2) before anything is
            # stored; put in place inside the store's transaction (see engine.atomic)
            body = (
                drawn_text(lambda c: print_evaluation(data, c))
                if fmt is EvaluateFormat.table
                else rendered()
            )
            with stage(out, body) as staged:

                def publish(_stored: object) -> None:
                    staged.publish()
                    if affected is not None:
                        affected.publish()

                store_evaluation(result, encoded, db, store, law_dir, publish=publish)
            err.print(f"wrote {out} ({len(result.findings)} findings)")
    if affected is not None:
        err.print(f"wrote {affected_assets}")
    if fail_on is not None:
        failing = gate_failures(data, fail_on)
        if failing:
            err.print(
                f"--fail-on {fail_on.value}: {len(failing)} finding"
                f"{'s' if len(failing) != 1 else ''} ({', '.join(failing[:5])}"
                f"{', ...' if len(failing) > 5 else ''})"
            )
            raise typer.Exit(1)
