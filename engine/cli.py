"""The ``dutybound`` command line.

Exit codes (documented in the README):
  0  the evaluation ran (whatever it found)
  1  an unexpected internal error
  2  bad input: the message names the file, line and field; nothing was written
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.atomic import write_atomically
from dutybound.engine.cli_common import Format, err, parse_as_of, parse_defaults
from dutybound.engine.cli_common import fail_input as _fail_input
from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text

app = typer.Typer(
    name="dutybound",
    help="Which high-risk-vendor obligations apply to an operator on a date, and why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Markdown joins the docstrings' wrapped lines into paragraphs; Typer's default ("rich")
    # keeps every source line break and prints ragged help.
    rich_markup_mode="markdown",
)


class EvaluatorChoice(StrEnum):
    auto = "auto"
    durable = "durable"
    reference = "reference"


@app.callback()
def main_options() -> None:
    """dutybound: high-risk-vendor obligations for critical-infrastructure operators."""


LawDir = Annotated[
    Path | None, typer.Option(help="Use this rule pack instead of the bundled jurisdictions/.")
]
AsRole = Annotated[
    list[str] | None,
    typer.Option(
        "--as-role",
        help="What-if: assume the operator also holds this role (repeatable), e.g. "
        "gb.public_telecoms_provider.",
    ),
]


Defaults = Annotated[
    list[str] | None,
    typer.Option(
        "--default",
        help="Fill empty inventory cells of a column, e.g. country=GB (repeatable); "
        "useful for SBOMs, which carry no country.",
    ),
]
Sheet = Annotated[str | None, typer.Option(help="Excel sheet to read (default: the first).")]
WaiversOpt = Annotated[
    Path | None,
    typer.Option(
        "--waivers",
        help="Waivers and exceptions (YAML/JSON, see docs/waivers.md): findings they "
        "cover show as waived while in effect; a waiver whose legal basis had lapsed is refused.",
    ),
]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store the evaluation, with its inputs and an audit entry, in this database "
        "(sqlite:///file.db or postgresql://user@host/db).",
    ),
]
Store = Annotated[
    bool | None,
    typer.Option(
        "--store/--no-store",
        help="Store the evaluation in the database (default: yes when --db "
        "or DUTYBOUND_DATABASE_URL is set; --store alone uses a file in your data directory).",
    ),
]


def _uses_database(db: str | None, store: bool | None) -> bool:
    """Whether this run reads and writes the store (see ``Store``)."""
    from dutybound.engine.store import ENV_URL  # a constant: imports no database library

    return store is True or (store is None and bool(db or os.environ.get(ENV_URL)))


def _load_waivers(
    path: Path | None, pack, operator, db: str | None = None, store: bool | None = False
) -> list | None:
    """The waivers that apply: those in ``--waivers`` and, when the run uses the database,
    those recorded for the operator in its register. Checked before anything is evaluated or
    written (exit 2)."""
    from dutybound.engine.waivers import load_waivers

    try:
        found = load_waivers(path, pack, operator.name) if path is not None else []
        if _uses_database(db, store):
            from dutybound.engine.store.waiver_register import stored_waivers

            in_file = {w.id for w in found}
            for waiver in stored_waivers(operator.name, pack, db):
                if waiver.id in in_file:
                    raise InputError(
                        str(path),
                        f"waiver {waiver.id} is also in the waiver register; keep one",
                        field="id",
                    )
                found.append(waiver)
    except InputError as error:
        _fail_input(error)
    return found or None


def _store_evaluation(
    result, text: str, db: str | None, store: bool | None, law_dir: Path | None
) -> None:
    """Store an evaluation when asked to (see ``Store``); an unusable database is an input
    error (exit 2) and the evaluation is not half-stored."""
    if not _uses_database(db, store):
        return
    from dutybound.engine.store import save_evaluation

    try:
        evaluation_id = save_evaluation(result, text, db, law_dir=law_dir)
    except InputError as error:
        _fail_input(error)
    err.print(f"stored as evaluation {evaluation_id}")


def _load(
    profile: Path,
    assets: Path | None,
    as_of: str,
    law_dir: Path | None,
    as_role: list[str] | None,
    defaults: list[str] | None = None,
    sheet: str | None = None,
):  # -> (pack, profile, assets, day, hypothetical roles)
    """Read and validate every input before anything runs; exit 2 on the first problem."""
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.loading import load_rulepack
    from dutybound.engine.roles import assume_roles

    try:
        day = parse_as_of(as_of)
        pack = load_rulepack(law_dir)
        operator = load_profile(profile, pack)
        hypothetical = frozenset(as_role or []) - set(operator.roles)
        if as_role:
            operator = assume_roles(pack, operator, as_role)
        inventory = []
        if assets is not None:
            read = read_inventory(assets, parse_defaults(defaults), sheet)
            inventory = read.assets
            renamed = read.renamed()
            if renamed:
                err.print(
                    "columns read: " + ", ".join(f"{e(h)!r} as {c}" for h, c in renamed),
                    highlight=False,
                )
    except InputError as error:
        _fail_input(error)
    # The inputs live until the process ends: move them out of the garbage collector's sight.
    # A 100k-asset inventory is over a million objects that every full collection during the
    # evaluation would walk again (0.1 s of a 1.8 s run, measured in bench/bench_evaluate.py).
    # Small inventories gain nothing, and the tests that run the CLI in-process stay unfrozen.
    if len(inventory) >= 10_000:
        gc.freeze()
    return pack, operator, inventory, day, hypothetical


@app.command()
def evaluate(
    profile: Annotated[Path, typer.Option(help="Operator profile (YAML or JSON).")],
    assets: Annotated[Path, typer.Option(help="Asset inventory (CSV or JSON).")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Evaluate the law as of this date (YYYY-MM-DD).")
    ],
    format: Annotated[
        Format | None, typer.Option("--format", help="json, or table (default on a terminal).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the result to this file.")] = None,
    include_ended: Annotated[
        bool, typer.Option(help="Also list obligations that had ended by the date.")
    ] = False,
    evaluator: Annotated[
        EvaluatorChoice,
        typer.Option(help="Rules engine: durable-rules, the plain-Python reference, or auto."),
    ] = EvaluatorChoice.auto,
    as_role: AsRole = None,
    default: Defaults = None,
    sheet: Sheet = None,
    law_dir: LawDir = None,
    waivers: WaiversOpt = None,
    db: Db = None,
    store: Store = None,
) -> None:
    """Evaluate an operator's obligations as of a date.

    Example: dutybound evaluate --profile examples/cz-energy/profile.yaml
    --assets examples/cz-energy/assets.csv --as-of 2019-02-01
    """
    from dutybound.engine.evaluation import evaluate as run_evaluation
    from dutybound.engine.evaluation import inputs_fingerprint
    from dutybound.engine.evaluators import get_evaluator

    pack, operator, inventory, day, hypothetical = _load(
        profile, assets, as_of, law_dir, as_role, default, sheet
    )
    records = _load_waivers(waivers, pack, operator, db, store)
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
        inputs_sha256=inputs_fingerprint(profile, assets, *([waivers] if waivers else [])),
    )
    if notice:
        result.notices.insert(0, notice)
    data = result.to_json()
    text = json_text(data)
    fmt = format or (Format.table if sys.stdout.isatty() and out is None else Format.json)
    _store_evaluation(result, text, db, store, law_dir)
    if out is not None:
        write_atomically(out, text if fmt is Format.json else _table_text(data))
        err.print(f"wrote {out} ({len(result.findings)} findings)")
    elif fmt is Format.json:
        sys.stdout.write(text)
    else:
        print_table(data, Console())


@app.command()
def compare(
    profile: Annotated[Path, typer.Option(help="Operator profile (YAML or JSON).")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Compare the law as of this date (YYYY-MM-DD).")
    ],
    assets: Annotated[
        Path | None,
        typer.Option(help="Asset inventory (CSV or JSON); required unless --vendor is given."),
    ] = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            "--jurisdiction",
            "-j",
            help="Comma-separated ISO codes to compare (default: the "
            "profile's jurisdictions), e.g. CZ,GB,US,DE.",
        ),
    ] = None,
    vendor: Annotated[
        list[str] | None,
        typer.Option(
            help="Vendor-by-jurisdiction matrix for this vendor (repeatable), e.g. Huawei."
        ),
    ] = None,
    as_role: AsRole = None,
    default: Defaults = None,
    sheet: Sheet = None,
    format: Annotated[
        Format | None, typer.Option("--format", help="json, or table (default on a terminal).")
    ] = None,
    law_dir: LawDir = None,
) -> None:
    """Compare jurisdictions side by side for one operator: the strongest measure, the earliest
    deadline and the citation in each; with --vendor, the vendor-by-jurisdiction matrix."""
    from dutybound.engine.compare import run_comparison

    if assets is None and not vendor:
        _fail_input(
            InputError("--assets", "give an inventory, or --vendor for the law-level vendor matrix")
        )
    pack, operator, inventory, day, hypothetical = _load(
        profile, assets, as_of, law_dir, as_role, default, sheet
    )
    codes = (
        [c.strip().upper() for c in jurisdiction.split(",")]
        if jurisdiction
        else sorted(operator.jurisdictions)
    )
    try:
        data = run_comparison(pack, operator, inventory, day, codes, vendor, hypothetical).data
    except InputError as error:
        _fail_input(error)
    fmt = format or (Format.table if sys.stdout.isatty() else Format.json)
    if fmt is Format.json:
        _emit_json(data)
        return
    console = Console()
    console.print(
        f"[bold]{e(operator.name)}[/] — compared as of [bold]{day}[/] (rule pack {pack.version})"
    )
    for notice in data["notices"]:
        console.print(f"[yellow]note:[/] {e(notice)}")
    table = Table(show_lines=True, expand=True)
    if vendor:
        table.add_column("Vendor", no_wrap=True)
        for code in codes:
            table.add_column(code, overflow="fold")
        for row in data["vendors"]:
            table.add_row(row["vendor"], *[_cell_text(c) for c in row["cells"]])
    else:
        for name in ("Jurisdiction", "Strongest measure", "Earliest due", "Citation", "Assets"):
            table.add_column(name, overflow="fold")
        for c in data["cells"]:
            table.add_row(
                c["jurisdiction"],
                _cell_text(c),
                c["due"] or "—",
                e(c["citation"] or "—"),
                e(", ".join(c["assets"][:6]))
                + (f" +{len(c['assets']) - 6}" if len(c["assets"]) > 6 else ""),
            )
    console.print(table)
    console.print(
        "Strongest measure in force on the date, binding law first; "
        "(unverified) marks content the research could not verify. Not legal advice."
    )


def _cell_text(cell: dict) -> str:
    from dutybound.engine.compare import Cell

    def day(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    text = e(
        Cell(**{**cell, "due": day(cell["due"]), "measure_due": day(cell["measure_due"])}).label()
    )
    if cell["verified"] is False:
        text += " [magenta](unverified)[/]"
    if cell["upcoming"]:
        text += f"\n[dim]+{cell['upcoming']} upcoming[/]"
    if cell["obligation_id"]:
        text += f"\n[dim]{cell['obligation_id']}[/]"
    return text


def _table_text(data: dict) -> str:
    console = Console(record=True, width=140, file=io.StringIO())
    print_table(data, console)
    return console.export_text()


STATUS_STYLE = {
    "overdue": "bold red",
    "due": "yellow",
    "in_force": "cyan",
    "waived": "magenta",
    "upcoming": "green",
    "ended": "dim",
}


def print_table(data: dict, console: Console) -> None:
    """The evaluation as a terminal table: one row per finding, explanation beneath."""
    op = data["operator"]
    console.print(f"[bold]{e(op['name'])}[/] — obligations as of [bold]{data['as_of']}[/]")
    console.print(
        f"rule pack {data['rulepack']['version']} "
        f"(law as of {data['rulepack']['law_as_of']}, "
        f"sha256 {data['rulepack']['sha256'][:12]}), "
        f"evaluator {data['engine']['evaluator']}"
    )
    roles = ", ".join(
        r["role"] + (" (derived)" if r["source"] == "derived" else "") for r in op["roles"]
    )
    console.print(f"roles: {roles or 'none'}")
    for notice in data["notices"]:
        console.print(f"[yellow]note:[/] {e(notice)}")
    table = Table(show_lines=True, expand=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    table.add_column("Obligation", ratio=3, overflow="fold")
    table.add_column("Assets", ratio=1, overflow="fold")
    for f in data["findings"]:
        mark = "" if f["verified"] else " [bold magenta](unverified)[/]"
        status = f"[{STATUS_STYLE[f['status']]}]{f['status']}[/]"
        assets = ", ".join(f["assets"][:4]) + (
            f" +{len(f['assets']) - 4}" if len(f["assets"]) > 4 else ""
        )
        binding = "" if f["instrument"]["binding"] == "law" else f" · {f['instrument']['binding']}"
        table.add_row(
            status,
            f["due"] or "—",
            f"[bold]{e(f['title'])}[/]{mark}\n[dim]{f['obligation_id']} · {f['kind']}"
            f"{binding}\n{e(f['citation'])}[/]",
            e(assets) or "(operator)",
        )
    console.print(table)
    s = data["summary"]
    counts = ", ".join(f"{n} {k}" for k, n in s["by_status"].items()) or "none"
    console.print(
        f"{s['findings']} findings ({counts}); {s['unverified']} rely on unverified "
        f"content; {s['assets_affected']} of {data['inputs']['assets']} assets affected."
    )
    for row in data["review"][:20]:
        console.print(
            f"[yellow]review[/] {e(row['asset_id'])} ({e(row['vendor'])}): {e(row['detail'])}"
        )
    if len(data["review"]) > 20:
        console.print(f"[yellow]... and {len(data['review']) - 20} more items to review[/]")
    console.print("Use --format json for explanations and traces. Not legal advice.")


law_app = typer.Typer(
    help="Browse the encoded law: obligations, instruments, roles.", no_args_is_help=True
)
app.add_typer(law_app, name="law")


def _pack(law_dir: Path | None):  # -> RulePack, imported lazily for start-up time
    from dutybound.engine.loading import load_rulepack

    try:
        return load_rulepack(law_dir)
    except InputError as error:
        _fail_input(error)


def _emit_json(data: object) -> None:
    sys.stdout.write(json_text(data))


JurisdictionOpt = Annotated[
    str | None,
    typer.Option("--jurisdiction", "-j", help="Only this jurisdiction (ISO code, e.g. CZ)."),
]


@law_app.command("list")
def law_list(
    jurisdiction: JurisdictionOpt = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind, e.g. removal.")] = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    law_dir: LawDir = None,
) -> None:
    """List obligations with their citations, dates and verification status."""
    from dutybound.engine.catalogue import list_obligations

    pack = _pack(law_dir)
    if jurisdiction and jurisdiction.upper() not in pack.jurisdictions:
        _fail_input(
            InputError(
                "--jurisdiction",
                f"unknown jurisdiction {jurisdiction!r}; this "
                f"rule pack has {sorted(pack.jurisdictions)}",
            )
        )
    rows = list_obligations(pack, jurisdiction.upper() if jurisdiction else None, kind)
    if format is Format.json:
        _emit_json(rows)
        return
    console = Console()
    table = Table(
        title=f"{len(rows)} obligations (rule pack {pack.version}, law as of {pack.law_as_of})",
        show_lines=False,
        expand=True,
    )
    table.add_column("Obligation", overflow="fold", ratio=3)
    table.add_column("Kind", no_wrap=True)
    table.add_column("From", no_wrap=True)
    table.add_column("Deadline", overflow="fold")
    table.add_column("Citation", overflow="fold", ratio=3)
    for row in rows:
        mark = (
            "" if row["verified"] and row["instrument"]["verified"] else " [magenta](unverified)[/]"
        )
        binding = row["instrument"]["binding"]
        table.add_row(
            f"{row['obligation_id']}{mark}\n[dim]{e(row['title'])}[/]",
            row["kind"] + ("" if binding == "law" else f"\n[dim]{binding}[/]"),
            row["effective"]["from"]
            + (f"\n→ {row['effective']['ended']}" if row["effective"]["ended"] else ""),
            row["deadline"]["text"] if row["deadline"] else "—",
            e(row["citation"]),
        )
    console.print(table)


@law_app.command("show")
def law_show(
    item_id: Annotated[str, typer.Argument(help="An obligation id or an instrument id.")],
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    law_dir: LawDir = None,
) -> None:
    """Show one obligation (or an instrument with its obligations) in full."""
    from dutybound.engine.catalogue import instrument_detail, obligation_json

    pack = _pack(law_dir)
    obligations = [
        obligation_json(i)
        for i in pack.obligations
        if item_id in (i.obligation.id, i.instrument.id)
    ]
    is_instrument = item_id in pack.instruments
    if is_instrument:
        data: object = {
            "instrument": instrument_detail(pack.instruments[item_id]),
            "obligations": sorted(obligations, key=lambda o: o["obligation_id"]),
        }
    elif obligations:
        data = obligations[0]
    else:
        _fail_input(
            InputError(
                item_id, "no obligation or instrument with this id; see 'dutybound law list'"
            )
        )
    if format is Format.json:
        _emit_json(data)
        return
    console = Console()
    assert isinstance(data, dict)
    items = data["obligations"] if is_instrument else [data]
    if is_instrument:
        inst = data["instrument"]
        console.print(f"[bold]{e(inst['title'])}[/] ({inst['id']})")
        for key in (
            "title_original",
            "type",
            "authority",
            "citation",
            "adopted",
            "in_force",
            "ended",
            "binding",
            "verified",
            "url",
            "note",
        ):
            if inst.get(key) is not None:
                console.print(f"  {key}: {e(str(inst[key]))}")
        console.print()
    for ob in items:
        assert isinstance(ob, dict)
        flag = "verified" if ob["verified"] else "[magenta]UNVERIFIED[/]"
        console.print(f"[bold]{e(ob['title'])}[/] ({ob['obligation_id']}, {ob['kind']}, {flag})")
        console.print(f"  duty: the operator {e(ob['duty'])}")
        console.print(f"  citation: {e(ob['citation'])}")
        console.print(
            f"  instrument: {e(ob['instrument']['title'])} ({ob['instrument']['binding']})"
        )
        console.print(f"  roles: {', '.join(ob['roles'])}")
        console.print(
            f"  effective: {ob['effective']['from']}"
            + (f" until {ob['effective']['ended']}" if ob["effective"]["ended"] else "")
        )
        console.print(f"  deadline: {ob['deadline']['text'] if ob['deadline'] else 'none'}")
        if ob["assets"]:
            console.print(f"  assets: {e(json.dumps(ob['assets'], ensure_ascii=False))}")
        if ob["note"]:
            console.print(f"  note: {e(ob['note'])}")
        console.print(f"  source: {e(ob['url'])}")
        console.print()


@law_app.command("roles")
def law_roles(
    jurisdiction: JurisdictionOpt = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    law_dir: LawDir = None,
) -> None:
    """List the legal roles a profile can declare (and those derived from its attributes)."""
    from dutybound.engine.catalogue import role_json

    pack = _pack(law_dir)
    roles = [
        role_json(r)
        for rid, r in sorted(pack.roles.items())
        if jurisdiction is None or rid.startswith(jurisdiction.lower() + ".")
    ]
    if format is Format.json:
        _emit_json(roles)
        return
    table = Table(expand=True)
    table.add_column("Role", overflow="fold")
    table.add_column("Title", overflow="fold", ratio=2)
    table.add_column("Citation", overflow="fold", ratio=2)
    for role in roles:
        derived = "\n[dim](derived from attributes)[/]" if role["derived_from"] else ""
        table.add_row(role["role"] + derived, e(role["title"]), e(role["citation"]))
    Console().print(table)


class CheckFormat(StrEnum):
    json = "json"
    table = "table"
    junit = "junit"


EXIT_INTERNAL = 70  # for `check`, whose 1 means "prohibited"


@app.command()
def check(
    profile: Annotated[Path, typer.Option(help="The buyer's profile (YAML or JSON).")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date of the purchase (YYYY-MM-DD).")],
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
    default: Defaults = None,
    sheet: Sheet = None,
    format: Annotated[
        CheckFormat | None,
        typer.Option("--format", help="json, table (default on a terminal) or junit."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the procurement report (.pdf or .html) here."),
    ] = None,
    law_dir: LawDir = None,
    waivers: WaiversOpt = None,
) -> None:
    """Gate a purchase: prohibited (exit 1), review (3), conditional (4) or allowed (0).

    Example: dutybound check --profile buyer.yaml --vendor Hikvision
    --category video_surveillance --function physical_security
    --use government_facility_security --country US --as-of 2026-11-28
    """
    from dutybound.engine.inputs import assets_from_rows, rows_from_mappings
    from dutybound.engine.verdict import check_items, junit_xml

    if (items is None) == (vendor is None):
        _fail_input(
            InputError(
                "--vendor",
                "give one item (--vendor, --category, --function, "
                "...) or a file of items (--items)",
            )
        )
    defaults = [*(default or []), "status=in_procurement"]
    pack, operator, inventory, day, hypothetical = _load(
        profile, items, as_of, law_dir, as_role, defaults, sheet
    )
    records = _load_waivers(waivers, pack, operator, None, None)
    if items is None:
        where = country or (operator.jurisdictions[0] if len(operator.jurisdictions) == 1 else None)
        if where is None:
            _fail_input(
                InputError(
                    "--country",
                    "the profile lists several jurisdictions; say where the item will be used",
                )
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
        except InputError as error:
            _fail_input(InputError(f"--{error.field or 'item'}", error.message))
    try:
        result = check_items(pack, operator, inventory, day, hypothetical, waivers=records)
    except Exception as error:  # a pipeline must tell "prohibited" (1) from a crash
        err.print(f"internal error: {error.__class__.__name__}: {error}")
        raise typer.Exit(EXIT_INTERNAL) from None
    if report is not None:
        from dutybound.reports.render import render_html, render_pdf

        data = result.to_json()
        html = render_html("procurement.html.j2", {"d": data})
        body = (
            html.encode()
            if report.suffix.lower() in (".html", ".htm")
            else render_pdf(html, {"check.json": json.dumps(data, indent=2, ensure_ascii=False)})
        )
        write_atomically(report, body)
        err.print(f"wrote {report}")
    fmt = format or (CheckFormat.table if sys.stdout.isatty() else CheckFormat.json)
    if fmt is CheckFormat.json:
        _emit_json(result.to_json())
    elif fmt is CheckFormat.junit:
        sys.stdout.write(junit_xml(result))
    else:
        console = Console()
        style = {
            "prohibited": "bold red",
            "review": "bold yellow",
            "conditional": "yellow",
            "allowed": "bold green",
        }
        console.print(
            f"verdict: [{style[result.verdict]}]{result.verdict}[/] "
            f"({len(result.items)} item{'s' if len(result.items) > 1 else ''}, "
            f"as of {day}, rule pack {pack.version})"
        )
        for item in result.items:
            console.print(
                f"[{style[item.verdict]}]{item.verdict:>11}[/]  "
                f"{e(item.asset.asset_id)}  {e(item.asset.vendor)} "
                f"({item.asset.category}, {item.asset.function}, {item.asset.country})"
            )
            for reason in item.reasons:
                console.print(f"             · {e(reason)}")
    raise typer.Exit(result.exit_code)


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    md = "md"


@app.command()
def report(
    profile: Annotated[Path, typer.Option(help="Operator profile (YAML or JSON).")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Report the law as of this date (YYYY-MM-DD).")
    ],
    out: Annotated[Path, typer.Option(help="Write the report here (.pdf, .html or .md).")],
    assets: Annotated[
        Path | None,
        typer.Option(help="Asset inventory (CSV, XLSX, JSON, CycloneDX); optional for --vendor."),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Comparison report across these jurisdictions (e.g. CZ,GB,US) "
            "instead of the obligation report.",
        ),
    ] = None,
    vendor: Annotated[
        list[str] | None,
        typer.Option(help="With --compare: the vendor-by-jurisdiction matrix for this vendor."),
    ] = None,
    format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="pdf, html or md (default: from the --out extension)."),
    ] = None,
    lang: Annotated[str, typer.Option(help="Interface language of the report.")] = "en",
    as_role: AsRole = None,
    default: Defaults = None,
    sheet: Sheet = None,
    law_dir: LawDir = None,
    waivers: WaiversOpt = None,
    db: Db = None,
    store: Store = None,
) -> None:
    """Write the obligation report a compliance officer takes to the board: PDF/A-3b with the
    evaluation (JSON) and the affected assets (CSV) attached, or HTML, or Markdown.

    Example: dutybound report --profile examples/uk-telecoms/profile.yaml
    --assets examples/uk-telecoms/assets.csv --as-of 2026-11-28 --out report.pdf
    """
    from dutybound.engine.evaluation import evaluate as run_evaluation
    from dutybound.engine.evaluation import inputs_fingerprint
    from dutybound.reports.context import obligation_report
    from dutybound.reports.markdown import obligation_markdown
    from dutybound.reports.render import LANGUAGES, obligation_report_pdf, render_html

    fmt = format or {
        ".html": ReportFormat.html,
        ".htm": ReportFormat.html,
        ".md": ReportFormat.md,
    }.get(out.suffix.lower(), ReportFormat.pdf)
    if lang not in LANGUAGES:
        _fail_input(
            InputError(
                "--lang", f"no interface language {lang!r}; available: {', '.join(LANGUAGES)}"
            )
        )
    if assets is None and not (compare and vendor):
        _fail_input(
            InputError(
                "--assets",
                "an inventory is needed (only --compare with --vendor works from the law alone)",
            )
        )
    pack, operator, inventory, day, hypothetical = _load(
        profile, assets, as_of, law_dir, as_role, default, sheet
    )
    if compare and waivers:
        _fail_input(
            InputError("--waivers", "waivers apply to the obligation report, not to --compare")
        )
    records = _load_waivers(waivers, pack, operator, db, store)
    if compare:
        _comparison_report(
            pack, operator, inventory, day, compare, vendor, hypothetical, out, fmt, lang
        )
        return
    assert assets is not None
    result = run_evaluation(
        pack,
        operator,
        inventory,
        day,
        hypothetical=hypothetical,
        waivers=records,
        inputs_sha256=inputs_fingerprint(profile, assets, *([waivers] if waivers else [])),
    )
    data = result.to_json()
    if fmt is ReportFormat.pdf:
        body = obligation_report_pdf(result, lang, data)
    elif fmt is ReportFormat.md:
        body = obligation_markdown(obligation_report(result, data)).encode()
    else:
        body = render_html("report.html.j2", obligation_report(result, data), lang).encode()
    _store_evaluation(result, json_text(data), db, store, law_dir)
    write_atomically(out, body)
    err.print(f"wrote {out} ({fmt.value}, {len(result.findings)} findings, {len(body):,} bytes)")


def _comparison_report(
    pack,
    operator,
    inventory,
    day,
    compare,
    vendor,
    hypothetical,
    out: Path,
    fmt: ReportFormat,
    lang: str,
) -> None:
    from dutybound.engine.compare import run_comparison
    from dutybound.reports.context import comparison_report
    from dutybound.reports.render import render_html, render_pdf

    codes = [c.strip().upper() for c in compare.split(",") if c.strip()]
    try:
        comparison = run_comparison(pack, operator, inventory, day, codes, vendor, hypothetical)
    except InputError as error:
        _fail_input(error)
    if fmt is ReportFormat.md:
        _fail_input(InputError("--out", "the comparison report is PDF or HTML"))
    context = comparison_report(
        operator=operator.name,
        as_of=day,
        pack_version=pack.version,
        roles=comparison.data["roles"],
        notices=comparison.data["notices"],
        blocks=comparison.blocks,
        names={c: pack.jurisdictions[c].name for c in codes},
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


@app.command("verify-report")
def verify_report(
    pdf: Annotated[Path, typer.Argument(help="A PDF written by 'dutybound report'.")],
    out: Annotated[
        Path | None, typer.Option(help="Also write the attached evaluation JSON here.")
    ] = None,
    law_dir: LawDir = None,
) -> None:
    """Extract the evaluation a report carries, validate it, and say whether it was made with
    the rule pack installed here."""
    from dutybound.reports.archive import extract_evaluation

    try:
        record, text = extract_evaluation(pdf)
    except InputError as error:
        _fail_input(error)
    pack = _pack(law_dir)
    same = record.rulepack.sha256 == pack.sha256
    console = Console()
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            help="Database for API keys, profiles and results (default: DUTYBOUND_DATABASE_URL, "
            "else the per-user SQLite file); it can be the one the CLI stores evaluations in."
        ),
    ] = None,
    law_dir: LawDir = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes, one per CPU core is best (each loads the rule pack and "
            "keeps its own caches; on Linux each has its own socket, so connections spread).",
        ),
    ] = 1,
    check_cache_mb: Annotated[
        float,
        typer.Option(
            min=0,
            help="Memory per process for answers to repeated POST /check requests; 0 turns "
            "the cache off.",
        ),
    ] = 64,
) -> None:
    """Run the HTTP service (OpenAPI at /docs). Create API keys with
    'python -m service keys create --tenant NAME'."""
    from dutybound.service.app import run

    try:
        status = run(
            host=host,
            port=port,
            db_url=db,
            law_dir=law_dir,
            workers=workers,
            check_cache_bytes=int(check_cache_mb * 2**20),
        )
    except (OSError, ValueError) as error:  # the port is taken, or 0 with several workers
        _fail_input(InputError("--port", f"cannot listen on {host}:{port}: {error}"))
    raise typer.Exit(status)


vendors_app = typer.Typer(
    help="Identify high-risk vendors in names from inventories and supplier lists.",
    no_args_is_help=True,
)
app.add_typer(vendors_app, name="vendors")
AsOfToday = Annotated[
    str | None,
    typer.Option("--as-of", help="Group membership as of this date (YYYY-MM-DD; default today)."),
]


def _registry_and_day(as_of: str | None, law_dir: Path | None):  # -> (Registry, date)
    try:
        day = parse_as_of(as_of) if as_of else dt.date.today()
    except InputError as error:
        _fail_input(error)
    return _pack(law_dir).registry, day


def _match_table(matches: list[dict], console: Console) -> None:
    table = Table(expand=True)
    for name in ("Input", "Group", "Entity", "Relationship", "Score", "Review", "Why"):
        table.add_column(name, overflow="fold")
    for m in matches:
        table.add_row(
            e(m["input"]),
            m["group"] or "—",
            e(m["entity"] or "—"),
            m["relationship"] or "—",
            f"{m['score']:.2f}",
            "[yellow]yes[/]" if m["needs_review"] else "no",
            e(m["reason"]),
        )
    console.print(table)


@vendors_app.command("match")
def vendors_match(
    name: Annotated[str, typer.Argument(help="A vendor name as an inventory writes it.")],
    as_of: AsOfToday = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    law_dir: LawDir = None,
) -> None:
    """Resolve one vendor name: group, entity, relationship, score, method, needs_review."""
    registry, day = _registry_and_day(as_of, law_dir)
    result = registry.match(name, day).to_json()
    if format is Format.json:
        _emit_json(result)
    else:
        _match_table([result], Console())


@vendors_app.command("screen")
def vendors_screen(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or Excel supplier list with a vendor column "
            "(Vendor, Supplier, Manufacturer, Make, OEM, ...), or a "
            "text file with one name per line."
        ),
    ],
    as_of: AsOfToday = None,
    sheet: Sheet = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    law_dir: LawDir = None,
) -> None:
    """Screen every name in a supplier list; each distinct name is resolved once."""
    from dutybound.engine.inventory import read_names

    registry, day = _registry_and_day(as_of, law_dir)
    try:
        names = read_names(file, sheet)
    except InputError as error:
        _fail_input(error)
    cache: dict[str, dict] = {}
    rows = []
    for line, name in names:
        if name not in cache:
            cache[name] = registry.match(name, day).to_json()
        rows.append({"line": line, **cache[name]})
    if format is Format.json:
        _emit_json(rows)
        return
    console = Console()
    _match_table(rows, console)
    flagged = sum(1 for r in rows if r["group"] and not r["needs_review"])
    review = sum(1 for r in rows if r["needs_review"])
    console.print(
        f"{len(rows)} names ({len(cache)} distinct): {flagged} matched a covered "
        f"group, {review} need review."
    )


def _register_commands() -> None:
    from dutybound.engine import cli_diff, cli_store, cli_waivers

    cli_diff.register(app)
    cli_store.register(app)
    cli_waivers.register(app)


_register_commands()


def main() -> None:  # pragma: no cover - console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
