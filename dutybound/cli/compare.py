"""``dutybound compare``: jurisdictions side by side for one operator, or the law-level
vendor-by-jurisdiction matrix."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dutybound.cli.inputs import load_inputs
from dutybound.cli.options import (
    AsOf,
    AsRole,
    AssumeDesignation,
    Defaults,
    Format,
    LawDir,
    MatrixVendors,
    MaybeAssets,
    OutputFormat,
    Profile,
    Sheet,
)
from dutybound.cli.render.compare import print_comparison
from dutybound.cli.render.stdout import print_json
from dutybound.cli.terminal import terminal_console
from dutybound.engine.errors import InputError


def compare(
    profile: Profile,
    as_of: AsOf,
    assets: MaybeAssets = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            "--jurisdiction",
            "-j",
            help="Comma-separated ISO codes to compare (default: the "
            "profile's jurisdictions), e.g. CZ,GB,US,DE.",
        ),
    ] = None,
    vendor: MatrixVendors = None,
    as_role: AsRole = None,
    assume_designation: AssumeDesignation = None,
    default: Defaults = None,
    sheet: Sheet = None,
    format: OutputFormat = None,
    law_dir: LawDir = None,
) -> None:
    """Compare jurisdictions side by side for one operator: in each, the leading measure with its
    own citation, deadline and assets, guidance on its own line; with --vendor, the
    vendor-by-jurisdiction matrix.

    --assets is required, except for the --vendor matrix, which reads the law alone.
    """
    from dutybound.engine.compare import run_comparison

    if assets is None and not vendor:
        raise InputError(
            "--assets", "give an inventory, or --vendor for the law-level vendor matrix"
        )
    pack, operator, inventory, day, hypothetical = load_inputs(
        profile, assets, as_of, law_dir, as_role, default, sheet, assume=assume_designation
    )
    codes = (
        [c.strip().upper() for c in jurisdiction.split(",")]
        if jurisdiction
        else sorted(operator.jurisdictions)
    )
    data = run_comparison(pack, operator, inventory, day, codes, vendor, hypothetical).data
    fmt = format or (Format.table if sys.stdout.isatty() else Format.json)
    if fmt is Format.json:
        print_json(data)
    else:
        print_comparison(data, terminal_console())
