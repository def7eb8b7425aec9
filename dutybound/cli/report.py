"""``dutybound report``: the obligation report (PDF/A-3b, HTML or Markdown) or the comparison
report; and ``dutybound verify-report``, which reads back the evaluation a PDF report carries."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape as e

from dutybound.cli.boundary import err
from dutybound.cli.inputs import Inputs, load_attestations, load_inputs, load_pack, load_waivers
from dutybound.cli.options import (
    AsOf,
    AsRole,
    AsSector,
    AssumeDesignation,
    Attestations,
    Db,
    Defaults,
    LawDir,
    MapFile,
    MatrixVendors,
    MaybeAssets,
    MaybeOut,
    Out,
    Profile,
    Sheet,
    Store,
    VendorDecisions,
    Waivers,
)
from dutybound.cli.outfile import format_for_out
from dutybound.cli.store import StoredAs, store_evaluation
from dutybound.cli.terminal import terminal_console
from dutybound.cli.vendor_decisions import load_vendor_decisions
from dutybound.engine.atomic import stage, write_atomically
from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.reports.context import Provenance


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    md = "md"


# the extensions --out may carry, each with the format it names (dutybound.cli.outfile): a
# report.docx would be a PDF under a Word name, so it is refused
FORMAT_BY_SUFFIX = {
    ".pdf": ReportFormat.pdf,
    ".html": ReportFormat.html,
    ".htm": ReportFormat.html,
    ".md": ReportFormat.md,
}


def report(
    profile: Profile,
    as_of: AsOf,
    out: Out,
    assets: MaybeAssets = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Comparison report across these jurisdictions (e.g. CZ,GB,US) "
            "instead of the obligation report.",
        ),
    ] = None,
    vendor: MatrixVendors = None,
    as_sector: AsSector = None,
    format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="pdf, html or md (default: from the --out extension)."),
    ] = None,
    lang: Annotated[str, typer.Option(help="Interface language of the report.")] = "en",
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
    prepared_by: Annotated[
        str | None, typer.Option(help="Sign-off block: who prepared the report.")
    ] = None,
    reviewed_by: Annotated[
        str | None, typer.Option(help="Sign-off block: who reviewed it.")
    ] = None,
    approved_by: Annotated[
        str | None, typer.Option(help="Sign-off block: who approved it.")
    ] = None,
    document_version: Annotated[
        str | None, typer.Option(help="Sign-off block: the document's version (e.g. 1.0).")
    ] = None,
    classification: Annotated[
        str | None,
        typer.Option(help="Sign-off block: the document's classification (e.g. CONFIDENTIAL)."),
    ] = None,
) -> None:
    """Write the obligation report a compliance officer takes to the board: PDF/A-3b with the
    evaluation (JSON) and the affected assets (CSV) attached, or HTML, or Markdown.

    --vendor goes with --compare (the vendor-by-jurisdiction matrix), and only that report
    works from the law alone, without --assets.

    Example: dutybound report --profile examples/uk-telecoms/profile.yaml
    --assets examples/uk-telecoms/assets.csv --as-of 2026-11-28 --out report.pdf
    """
    from dutybound.engine.evaluation import evaluate as run_evaluation
    from dutybound.engine.evaluation import inputs_fingerprint
    from dutybound.engine.notices import Notice
    from dutybound.reports.context import Provenance
    from dutybound.reports.render import LANGUAGES

    fmt = format_for_out(format, out, FORMAT_BY_SUFFIX, ReportFormat.pdf)
    if lang not in LANGUAGES:
        raise InputError(
            "--lang", f"no interface language {lang!r}; available: {', '.join(LANGUAGES)}"
        )
    if assets is None and not (compare and vendor):
        raise InputError(
            "--assets",
            "an inventory is needed (only --compare with --vendor works from the law alone)",
        )
    inventory_notices: list[Notice] = []
    inputs = load_inputs(
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
    if compare and waivers:
        raise InputError("--waivers", "waivers apply to the obligation report, not to --compare")
    if compare and attestations:
        raise InputError(
            "--attestations", "attestations apply to the obligation report, not to --compare"
        )
    records = load_waivers(waivers, inputs.pack, inputs.operator, db, store)
    done = load_attestations(attestations, inputs.pack, inputs.operator, db, store)
    decisions = load_vendor_decisions(vendor_decisions, inputs.pack, inputs.day, db, store)
    if compare:
        _comparison_report(inputs, compare, vendor, out, fmt, lang, as_sector)
        return
    assert assets is not None
    result = run_evaluation(
        inputs.pack,
        inputs.operator,
        inputs.inventory,
        inputs.day,
        hypothetical=inputs.hypothetical,
        waivers=records,
        attestations=done,
        vendor_decisions=decisions,
        inputs_sha256=inputs_fingerprint(
            profile,
            assets,
            *(p for p in (waivers, attestations, vendor_decisions, mapping) if p is not None),
        ),
    )
    result.notices.extend(inventory_notices)
    data = result.to_json()
    provenance = Provenance(
        prepared_by=prepared_by,
        reviewed_by=reviewed_by,
        approved_by=approved_by,
        version=document_version,
        classification=classification,
        inventory_sha256=hashlib.sha256(assets.read_bytes()).hexdigest(),
        inventory_rows=len(inputs.inventory),
    )
    body = _obligation_report(result, data, fmt, lang, provenance)
    with stage(out, body) as staged:  # in place only once stored: see engine.atomic

        def put_in_place(stored: StoredAs | None) -> None:
            """Stored, the report prints the evaluation id and the audit head it is stored
            under (so paper and record can be matched), known only inside the transaction."""
            nonlocal body
            if stored is not None:
                body = _obligation_report(
                    result,
                    data,
                    fmt,
                    lang,
                    replace(
                        provenance,
                        evaluation_id=stored.evaluation_id,
                        audit_head=stored.audit_head,
                    ),
                )
                staged.rewrite(body)
            staged.publish()

        store_evaluation(result, json_text(data), db, store, law_dir, publish=put_in_place)
    err.print(f"wrote {out} ({fmt.value}, {len(result.findings)} findings, {len(body):,} bytes)")


def _obligation_report(
    result: Evaluation,
    data: dict[str, Any],
    fmt: ReportFormat,
    lang: str,
    provenance: Provenance | None = None,
) -> bytes:
    """The obligation report's bytes in ``fmt``; ``provenance`` fills its sign-off block."""
    from dutybound.reports.context import obligation_report
    from dutybound.reports.markdown import obligation_markdown
    from dutybound.reports.render import obligation_report_pdf, render_html

    if fmt is ReportFormat.pdf:
        return obligation_report_pdf(result, lang, data, provenance)
    context = obligation_report(result, data, provenance)
    if fmt is ReportFormat.md:
        return obligation_markdown(context).encode()
    return render_html("report.html.j2", context, lang).encode()


def _comparison_report(
    inputs: Inputs,
    compare: str,
    vendor: list[str] | None,
    out: Path,
    fmt: ReportFormat,
    lang: str,
    sector: str | None = None,
) -> None:
    """``report --compare``: the comparison as HTML, or as PDF with its JSON attached; with
    ``sector`` (``--as-sector``), each jurisdiction's roles are those its law gives the sector,
    printed as an assumption."""
    from dutybound.engine.compare import run_comparison
    from dutybound.reports.context import comparison_report
    from dutybound.reports.render import render_html, render_pdf

    pack = inputs.pack
    codes = [c.strip().upper() for c in compare.split(",") if c.strip()]
    comparison = run_comparison(
        pack,
        inputs.operator,
        inputs.inventory,
        inputs.day,
        codes,
        vendor,
        inputs.hypothetical,
        sector,
    )
    if fmt is ReportFormat.md:
        raise InputError("--out", "the comparison report is PDF or HTML")
    context = comparison_report(
        operator=inputs.operator.name,
        as_of=inputs.day,
        pack_version=pack.version,
        roles=comparison.data["roles"],
        notices=comparison.data["notices"],
        blocks=comparison.blocks,
        names={c: pack.jurisdictions[c].name for c in codes},
        assumed_sector=comparison.data["assumed_sector"],
    )
    html = render_html("compare.html.j2", context, lang)
    body = (
        html.encode()
        if fmt is ReportFormat.html
        else render_pdf(
            html, {"comparison.json": json.dumps(comparison.data, indent=2, ensure_ascii=False)}
        )
    )
    write_atomically(out, body)
    err.print(f"wrote {out} ({fmt.value} comparison, {len(codes)} jurisdictions)")


def verify_report(
    pdf: Annotated[Path, typer.Argument(help="A PDF written by 'dutybound report'.")],
    out: MaybeOut = None,
    law_dir: LawDir = None,
) -> None:
    """Extract the evaluation a report carries, validate it, and say whether it was made with
    the rule pack installed here.

    --out also writes the extracted evaluation (JSON) to a file.
    """
    from dutybound.reports.archive import extract_evaluation

    record, text = extract_evaluation(pdf)
    pack = load_pack(law_dir)
    same = record.rulepack.sha256 == pack.sha256
    console = terminal_console()
    console.print(
        f"{e(str(pdf))}: valid evaluation of {e(record.operator.get('name', '?'))} as "
        f"of {record.as_of}, {len(record.findings)} findings, rule pack "
        f"{e(record.rulepack.version)} (sha256 {record.rulepack.sha256[:12]})"
    )
    console.print(
        "made with the rule pack installed here"
        if same
        else f"[yellow]made with a different rule pack than the one installed here "
        f"({pack.version}, sha256 {pack.sha256[:12]}); re-run to see today's law[/]"
    )
    if out is not None:
        write_atomically(out, text)
        err.print(f"wrote {out}")
