"""``dutybound export oscal``: an evaluation in a format another tool takes in.

GRC tools import OSCAL assessment results (``engine.oscal`` states how findings, observations and
risks are mapped); the same inputs give the same bytes, so an export can be diffed and signed.
"""

from __future__ import annotations

import sys
from enum import StrEnum

import typer

from dutybound.cli.boundary import err
from dutybound.cli.inputs import load_attestations, load_inputs, load_waivers
from dutybound.cli.options import (
    AsOf,
    AsRole,
    Assets,
    Attestations,
    Defaults,
    LawDir,
    MapFile,
    MaybeOut,
    Profile,
    Sheet,
    VendorDecisions,
    Waivers,
)
from dutybound.cli.outfile import format_for_out
from dutybound.cli.vendor_decisions import load_vendor_decisions

export_app = typer.Typer(
    help="Export an evaluation for other tools (OSCAL assessment results).",
    no_args_is_help=True,
)


class ExportFormat(StrEnum):
    """What ``export oscal --out`` writes: OSCAL JSON (the one serialisation offered)."""

    oscal = "oscal"


@export_app.command("oscal")
def export_oscal(
    profile: Profile,
    assets: Assets,
    as_of: AsOf,
    out: MaybeOut = None,
    as_role: AsRole = None,
    default: Defaults = None,
    sheet: Sheet = None,
    mapping: MapFile = None,
    law_dir: LawDir = None,
    waivers: Waivers = None,
    attestations: Attestations = None,
    vendor_decisions: VendorDecisions = None,
) -> None:
    """Write the evaluation as OSCAL assessment results (JSON): a finding, an observation and a
    risk per finding, uuids derived from the inputs (the same inputs give the same bytes).

    Example: dutybound export oscal --profile examples/cz-energy/profile.yaml
    --assets examples/cz-energy/assets.csv --as-of 2019-02-01 --out results.json
    """
    from dutybound.engine.atomic import write_atomically
    from dutybound.engine.evaluation import evaluate, inputs_fingerprint
    from dutybound.engine.jsontext import json_bytes
    from dutybound.engine.notices import Notice
    from dutybound.engine.oscal import assessment_results

    format_for_out(ExportFormat.oscal, out, {".json": ExportFormat.oscal}, ExportFormat.oscal)
    inventory_notices: list[Notice] = []
    pack, operator, inventory, day, hypothetical = load_inputs(
        profile,
        assets,
        as_of,
        law_dir,
        as_role,
        default,
        sheet,
        mapping=mapping,
        notices=inventory_notices,
    )
    result = evaluate(
        pack,
        operator,
        inventory,
        day,
        hypothetical=hypothetical,
        waivers=load_waivers(waivers, pack, operator, None, None),
        attestations=load_attestations(attestations, pack, operator, None, None),
        vendor_decisions=load_vendor_decisions(vendor_decisions, pack, day, None, None),
        inputs_sha256=inputs_fingerprint(
            profile,
            assets,
            *(p for p in (waivers, attestations, vendor_decisions, mapping) if p is not None),
        ),
    )
    result.notices.extend(inventory_notices)
    body = json_bytes(assessment_results(result.to_json(), inventory, assets, profile))
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    write_atomically(out, body)
    err.print(f"wrote {out} (OSCAL assessment results, {len(result.findings)} findings)")
