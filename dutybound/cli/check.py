"""``dutybound check``: gate a purchase, one proposed item or a whole bid, with a verdict a
pipeline can branch on.

Exit codes: 0 allowed, 1 prohibited, 3 review, 4 conditional (``engine.verdict``), 2 bad input
(the error boundary), 70 an internal error. A pipeline must be able to tell "prohibited" from
a crash, so a crash here does not end as Python's usual 1.

``--fail-on prohibited|review|conditional`` sets how bad a verdict must be to fail: a verdict at
least that bad (prohibited > review > conditional) exits with its own code as above, so the
pipeline can still tell which; a milder one exits 0. Without it every verdict but ``allowed``
fails, as ``--fail-on conditional`` does. ``--fail-on prohibited`` lets a bid that only needs
review or attaches conditions through; bad input (2) and crashes (70) fail whatever it says.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dutybound.cli.boundary import err
from dutybound.cli.inputs import load_inputs, load_waivers
from dutybound.cli.options import (
    AsOf,
    AsRole,
    AssumeDesignation,
    Defaults,
    LawDir,
    MapFile,
    Profile,
    Sheet,
    Waivers,
)
from dutybound.cli.outfile import format_for_out
from dutybound.cli.render.stdout import print_json
from dutybound.cli.render.verdict import print_verdicts
from dutybound.cli.terminal import terminal_console
from dutybound.engine.atomic import write_atomically
from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_bytes
from dutybound.engine.outcomes import Verdict

EXIT_INTERNAL = 70  # EX_SOFTWARE (sysexits.h): 1 already means "prohibited"


@contextmanager
def crashes_exit_internal() -> Iterator[None]:
    """Whatever fails inside ``check`` other than bad input (exit 2) or a verdict ends with 70:
    loading the items, evaluating, rendering or writing the report. A pipeline reading exit 1
    as "prohibited" must never read a crash that way."""
    try:
        yield
    except (InputError, typer.Exit):
        raise
    except Exception as error:
        err.print(f"internal error: {error.__class__.__name__}: {error}", soft_wrap=True)
        raise typer.Exit(EXIT_INTERNAL) from None


class CheckFormat(StrEnum):
    json = "json"
    table = "table"
    junit = "junit"
    sarif = "sarif"


class FailOn(StrEnum):
    """``--fail-on``: the mildest verdict that fails the check (module docstring)."""

    prohibited = "prohibited"
    review = "review"
    conditional = "conditional"


class ProcurementReportFormat(StrEnum):
    """What ``--report`` writes, from its extension (dutybound.cli.outfile)."""

    pdf = "pdf"
    html = "html"


REPORT_BY_SUFFIX = {
    ".pdf": ProcurementReportFormat.pdf,
    ".html": ProcurementReportFormat.html,
    ".htm": ProcurementReportFormat.html,
}


def gate_exit_code(verdict: Verdict, fail_on: FailOn | None) -> int:
    """The exit code: the verdict's own code when it is at least as bad as ``fail_on`` (any
    verdict but allowed when no ``--fail-on``), else 0."""
    from dutybound.engine.verdict import EXIT_CODES, SEVERITY

    threshold = Verdict(fail_on.value) if fail_on is not None else Verdict.CONDITIONAL
    if SEVERITY.index(verdict) <= SEVERITY.index(threshold):
        return EXIT_CODES[verdict]
    return 0


def check(
    profile: Profile,
    as_of: AsOf,
    vendor: Annotated[str | None, typer.Option(help="Vendor of the proposed item.")] = None,
    category: Annotated[str | None, typer.Option(help="Asset category, as in inventories.")] = None,
    function: Annotated[str | None, typer.Option(help="Network function.")] = None,
    use: Annotated[str | None, typer.Option(help="Use, e.g. government_facility_security.")] = None,
    country: Annotated[
        str | None,
        typer.Option(help="Where it will be used (default: the profile's only jurisdiction)."),
    ] = None,
    network: Annotated[str | None, typer.Option(help="Network, e.g. 5g.")] = None,
    product: Annotated[str | None, typer.Option(help="Product name.")] = None,
    model: Annotated[str | None, typer.Option(help="Model number.")] = None,
    quantity: Annotated[int, typer.Option(min=1, help="Units.")] = 1,
    flags: Annotated[str | None, typer.Option(help="Flags, ';'-separated.")] = None,
    origin: Annotated[
        str | None, typer.Option(help="Country where the item was produced (ISO code).")
    ] = None,
    items: Annotated[
        Path | None,
        typer.Option(
            help="A whole bid or bill of materials (CSV, XLSX, JSON, CycloneDX) instead of one "
            "item; empty status means in_procurement."
        ),
    ] = None,
    as_role: AsRole = None,
    assume_designation: AssumeDesignation = None,
    default: Defaults = None,
    sheet: Sheet = None,
    mapping: MapFile = None,
    format: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format",
            help="json, table (default on a terminal), junit, or sarif (SARIF 2.1.0, results at "
            "the rows of --items).",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Fail (exit with the verdict's code) only for a verdict at least this bad: "
            "prohibited, review or conditional (the default: every verdict but allowed fails); "
            "a milder verdict exits 0.",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the procurement report (.pdf or .html) here."),
    ] = None,
    law_dir: LawDir = None,
    waivers: Waivers = None,
) -> None:
    """Gate a purchase: prohibited (exit 1), review (3), conditional (4) or allowed (0).

    --as-of is the date of the purchase.

    Example: dutybound check --profile buyer.yaml --vendor Hikvision
    --category video_surveillance --function physical_security
    --use government_facility_security --country US --as-of 2026-11-28
    """
    with crashes_exit_internal():
        from dutybound.engine.inputs import assets_from_rows, rows_from_mappings
        from dutybound.engine.verdict import check_items, junit_xml

        if format is CheckFormat.sarif and items is None:
            raise InputError(
                "--format",
                "sarif points at the rows of a file of items: give --items (one item given "
                "with --vendor has no file to point at)",
            )
        report_format = (
            None
            if report is None
            else format_for_out(
                None, report, REPORT_BY_SUFFIX, ProcurementReportFormat.pdf, option="--report"
            )
        )
        if (items is None) == (vendor is None):
            raise InputError(
                "--vendor",
                "give one item (--vendor, --category, --function, ...) "
                "or a file of items (--items)",
            )
        defaults = [*(default or []), "status=in_procurement"]
        pack, operator, inventory, day, hypothetical = load_inputs(
            profile,
            items,
            as_of,
            law_dir,
            as_role,
            defaults,
            sheet,
            assume=assume_designation,
            mapping=mapping,
        )
        records = load_waivers(waivers, pack, operator, None, None)
        if items is None:
            assert vendor is not None  # one item or a file of items, checked above
            where = country or (
                operator.jurisdictions[0] if len(operator.jurisdictions) == 1 else None
            )
            if where is None:
                raise InputError(
                    "--country",
                    "the profile lists several jurisdictions; say where the item will be used",
                )
            row = {
                "asset_id": "item-1",
                "vendor": vendor,
                "category": category or "",
                "function": function or "",
                "country": where,
                "status": "in_procurement",
                "use": use or "",
                "network": network or "",
                "product": product or "",
                "model": model or "",
                "quantity": str(quantity),
                "flags": flags or "",
                "origin": origin or "",
            }
            try:
                inventory = assets_from_rows("--vendor/--category/...", rows_from_mappings([row]))
            except InputError as error:  # name the option the user typed, not an inventory column
                raise InputError(f"--{error.field or 'item'}", error.message) from None
        result = check_items(pack, operator, inventory, day, hypothetical, waivers=records)
        if report is not None:
            from dutybound.reports.render import render_html, render_pdf

            data = result.to_json()
            html = render_html("procurement.html.j2", {"d": data})
            body = (
                html.encode()
                if report_format is ProcurementReportFormat.html
                else render_pdf(
                    html, {"check.json": json.dumps(data, indent=2, ensure_ascii=False)}
                )
            )
            write_atomically(report, body)
            err.print(f"wrote {report}")
        fmt = format or (CheckFormat.table if sys.stdout.isatty() else CheckFormat.json)
        if fmt is CheckFormat.json:
            print_json(result.to_json())
        elif fmt is CheckFormat.junit:
            sys.stdout.write(junit_xml(result))
        elif fmt is CheckFormat.sarif:
            from dutybound.engine.sarif import check_sarif

            assert items is not None  # refused above without --items
            sarif = check_sarif(result.to_json(), inventory, items)
            sys.stdout.flush()
            sys.stdout.buffer.write(json_bytes(sarif))
            sys.stdout.buffer.flush()
        else:
            print_verdicts(result.to_json(), terminal_console())
        code = gate_exit_code(result.verdict, fail_on)
        if code == 0 and result.exit_code != 0 and fail_on is not None:
            # said on stderr, so a CI log shows why a bid that is not allowed passed the gate
            err.print(
                f"verdict {result.verdict.value} is milder than --fail-on {fail_on.value}: exit 0"
            )
        raise typer.Exit(code)
