"""``dutybound law list|show|roles``: browse the encoded law (obligations, instruments, legal
roles) without evaluating anything."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dutybound.cli.inputs import load_pack
from dutybound.cli.options import Format, LawDir, ListingFormat
from dutybound.cli.render.law import (
    print_instrument,
    print_obligation,
    print_obligation_list,
    print_roles,
)
from dutybound.cli.render.stdout import print_json
from dutybound.cli.terminal import terminal_console
from dutybound.engine.errors import InputError

law_app = typer.Typer(
    help="Browse the encoded law: obligations, instruments, roles.", no_args_is_help=True
)

Jurisdiction = Annotated[
    str | None,
    typer.Option("--jurisdiction", "-j", help="Only this jurisdiction (ISO code, e.g. CZ)."),
]


@law_app.command("list")
def law_list(
    jurisdiction: Jurisdiction = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind, e.g. removal.")] = None,
    format: ListingFormat = Format.table,
    law_dir: LawDir = None,
) -> None:
    """List obligations with their citations, dates and verification status."""
    from dutybound.engine.catalogue import list_obligations
    from dutybound.engine.suggest import unknown

    pack = load_pack(law_dir)
    if jurisdiction and jurisdiction.upper() not in pack.jurisdictions:
        raise InputError(
            "--jurisdiction",
            unknown("jurisdiction", jurisdiction, pack.jurisdictions, label="this rule pack has"),
        )
    rows = list_obligations(pack, jurisdiction.upper() if jurisdiction else None, kind)
    if format is Format.json:
        print_json(rows)
        return
    title = f"{len(rows)} obligations (rule pack {pack.version}, law as of {pack.law_as_of})"
    print_obligation_list(rows, title, terminal_console())


@law_app.command("show")
def law_show(
    item_id: Annotated[str, typer.Argument(help="An obligation id or an instrument id.")],
    format: ListingFormat = Format.table,
    law_dir: LawDir = None,
) -> None:
    """Show one obligation (or an instrument with its obligations) in full."""
    from dutybound.engine.catalogue import instrument_detail, obligation_json

    pack = load_pack(law_dir)
    obligations = [
        obligation_json(i)
        for i in pack.obligations
        if item_id in (i.obligation.id, i.instrument.id)
    ]
    data: dict[str, Any]
    if item_id in pack.instruments:
        data = {
            "instrument": instrument_detail(pack.instruments[item_id]),
            "obligations": sorted(obligations, key=lambda o: o["obligation_id"]),
        }
    elif obligations:
        data = obligations[0]
    else:
        raise InputError(
            item_id, "no obligation or instrument with this id; see 'dutybound law list'"
        )
    if format is Format.json:
        print_json(data)
        return
    console = terminal_console()
    if item_id in pack.instruments:
        print_instrument(data["instrument"], console)
        for obligation in data["obligations"]:
            print_obligation(obligation, console)
    else:
        print_obligation(data, console)


@law_app.command("roles")
def law_roles(
    jurisdiction: Jurisdiction = None,
    format: ListingFormat = Format.table,
    law_dir: LawDir = None,
) -> None:
    """List the legal roles a profile can declare (and those derived from its attributes)."""
    from dutybound.engine.catalogue import role_json

    pack = load_pack(law_dir)
    roles = [
        role_json(r)
        for rid, r in sorted(pack.roles.items())
        if jurisdiction is None or rid.startswith(jurisdiction.lower() + ".")
    ]
    if format is Format.json:
        print_json(roles)
    else:
        print_roles(roles, terminal_console())


@law_app.command("sources")
def law_sources(format: ListingFormat = Format.table, law_dir: LawDir = None) -> None:
    """Per jurisdiction, how many instruments and obligations cite an official text, and the
    binding instruments that cite none without saying why. Exits 1 if there are any: the CI
    gate for the law's sources.
    """
    from dutybound.engine.sources import official_share, source_report

    report = source_report(load_pack(law_dir))
    missing = [i for r in report for i in r.missing]
    if format is Format.json:
        print_json(
            {
                "official_share": round(official_share(report), 4),
                "jurisdictions": [r.to_json() for r in report],
            }
        )
    else:
        from dutybound.cli.render.law import print_sources

        print_sources(report, official_share(report), terminal_console())
    if missing:
        raise typer.Exit(1)


@law_app.command("digest")
def law_digest(law_dir: LawDir = None) -> None:
    """Print the digest of the law data, for the rule-pack version's heading in the law
    changelog (jurisdictions/CHANGELOG.md): '## <version> — law digest <digest>'."""
    from dutybound.engine import bundled
    from dutybound.engine.changelog import law_digest as digest

    print(digest(law_dir or bundled.law_dir(), bundled.registry_file()))


@law_app.command("schema")
def law_schema(law_dir: LawDir = None) -> None:
    """Regenerate the JSON Schemas of the law files (<rule pack>/schema/) from the models, and
    make every law file name its schema in its first line, for editors with a YAML language
    server."""
    from dutybound.engine import bundled
    from dutybound.engine.lawschema import write_schemas

    root = law_dir or bundled.law_dir()
    for path in write_schemas(root):
        print(path.relative_to(root).as_posix())


@law_app.command("powers")
def law_powers(format: ListingFormat = Format.table, law_dir: LawDir = None) -> None:
    """List the powers in the rule pack that no authority has used: who may use them, what a
    decision names, whom it reaches and the duties it would bring, with their dates counted from
    the decision (latent exposure; --assume-designation asks what-if)."""
    from dutybound.engine.powers import duty_when

    pack = load_pack(law_dir)
    rows = [
        {
            "power": p.power.id,
            "jurisdiction": p.jurisdiction,
            "title": p.power.title,
            "authority": p.power.authority,
            "names": p.power.names,
            "roles": list(p.power.roles),
            "citation": p.power.citation,
            "url": p.power.url,
            "verified": p.power.verified,
            "duties": [
                {"id": d.id, "kind": d.kind, "title": d.title, "when": duty_when(d)}
                for d in p.power.duties
            ],
        }
        for p in sorted(pack.powers.values(), key=lambda p: (p.jurisdiction, p.power.id))
    ]
    if format is Format.json:
        print_json(rows)
        return
    from dutybound.cli.render.law import print_powers

    print_powers(rows, terminal_console())
