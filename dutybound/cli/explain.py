"""``dutybound explain``: why one asset is, or is not, caught, obligation by obligation."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dutybound.cli.inputs import load_attestations, load_inputs, load_waivers
from dutybound.cli.options import (
    AsOf,
    AsRole,
    Assets,
    AssumeDesignation,
    Attestations,
    Defaults,
    Format,
    LawDir,
    OutputFormat,
    Profile,
    Sheet,
    Waivers,
)
from dutybound.cli.render.explain import print_explanation
from dutybound.cli.render.stdout import print_json
from dutybound.cli.terminal import terminal_console


def explain(
    profile: Profile,
    assets: Assets,
    as_of: AsOf,
    asset: Annotated[str, typer.Option("--asset", help="The asset_id of the inventory row.")],
    format: OutputFormat = None,
    as_role: AsRole = None,
    assume_designation: AssumeDesignation = None,
    default: Defaults = None,
    sheet: Sheet = None,
    law_dir: LawDir = None,
    waivers: Waivers = None,
    attestations: Attestations = None,
) -> None:
    """Explain why one asset is or is not caught, obligation by obligation.

    Every obligation of the profile's jurisdictions that names the asset's vendor group, or
    reaches any vendor, with each test: the condition the law states, the fact the inventory
    (or the profile, or the date) gives, and the result; then whether it applies, needs a fact
    the inventory does not state, or does not apply, and why. The evaluation is the one
    ``evaluate`` makes with the same options.

    Example: dutybound explain --profile examples/uk-telecoms/profile.yaml
    --assets examples/uk-telecoms/assets.csv --as-of 2024-01-01 --asset T-001
    """
    from dutybound.engine.evaluation import evaluate as run_evaluation
    from dutybound.engine.explain import explain_asset

    pack, operator, inventory, day, hypothetical = load_inputs(
        profile, assets, as_of, law_dir, as_role, default, sheet, assume=assume_designation
    )
    result = run_evaluation(
        pack,
        operator,
        inventory,
        day,
        hypothetical=hypothetical,
        waivers=load_waivers(waivers, pack, operator),
        attestations=load_attestations(attestations, pack, operator),
    )
    data = explain_asset(result, asset, assets)
    fmt = format or (Format.table if sys.stdout.isatty() else Format.json)
    if fmt is Format.json:
        print_json(data)
    else:
        print_explanation(data, terminal_console())
