"""The encoded law as terminal text: ``law list``, ``law show``, ``law roles`` and
``law sources``."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.sources import JurisdictionSources
from dutybound.engine.vocabulary import Binding

# The instrument fields ``law show`` prints, in this order, when they have a value.
INSTRUMENT_FIELDS = (
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
    "url_reason",
    "text_original",
    "note",
)


def print_obligation_list(rows: list[dict[str, Any]], title: str, console: Console) -> None:
    """One row per obligation: id and title, kind, dates, deadline and citation."""
    table = Table(title=title, show_lines=False, expand=True)
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
            row["kind"] + ("" if binding == Binding.LAW else f"\n[dim]{binding}[/]"),
            row["effective"]["from"]
            + (f"\n→ {row['effective']['ended']}" if row["effective"]["ended"] else ""),
            row["deadline"]["text"] if row["deadline"] else "—",
            e(row["citation"]),
        )
    console.print(table)


def print_instrument(instrument: dict[str, Any], console: Console) -> None:
    """An instrument's title and id, then each of its fields that has a value."""
    console.print(f"[bold]{e(instrument['title'])}[/] ({instrument['id']})")
    for key in INSTRUMENT_FIELDS:
        if instrument.get(key) is not None:
            console.print(f"  {key}: {e(str(instrument[key]))}")
    for source in instrument.get("sources") or []:
        console.print(f"  secondary source: {e(source.get('title') or '')} {e(source['url'])}")
    console.print()


def print_obligation(ob: dict[str, Any], console: Console) -> None:
    """One obligation in full: duty, citation, instrument, roles, dates, assets, source."""
    flag = "verified" if ob["verified"] else "[magenta]UNVERIFIED[/]"
    console.print(f"[bold]{e(ob['title'])}[/] ({ob['obligation_id']}, {ob['kind']}, {flag})")
    console.print(f"  duty: the operator {e(ob['duty'])}")
    console.print(f"  citation: {e(ob['citation'])}")
    console.print(f"  instrument: {e(ob['instrument']['title'])} ({ob['instrument']['binding']})")
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


def print_roles(roles: list[dict[str, Any]], console: Console) -> None:
    """One row per legal role, marking those derived from a profile's attributes."""
    table = Table(expand=True)
    table.add_column("Role", overflow="fold")
    table.add_column("Title", overflow="fold", ratio=2)
    table.add_column("Citation", overflow="fold", ratio=2)
    for role in roles:
        derived = "\n[dim](derived from attributes)[/]" if role["derived_from"] else ""
        table.add_row(role["role"] + derived, e(role["title"]), e(role["citation"]))
    console.print(table)


def print_sources(report: list[JurisdictionSources], share: float, console: Console) -> None:
    """``law sources``: one row per jurisdiction, then every binding instrument with no official
    text and no reason, then the reasons given where no official text is published."""
    table = Table(title=f"Official texts cited: {share:.0%} of instruments")
    for name in ("Jurisdiction", "Instruments", "Official", "Obligations", "Official", "Missing"):
        table.add_column(name, justify="right" if name != "Jurisdiction" else "left")
    for r in report:
        table.add_row(
            r.code,
            str(r.instruments),
            str(r.official),
            str(r.obligations),
            str(r.obligations_official),
            str(len(r.missing)) if r.missing else "",
        )
    console.print(table)
    for r in report:
        for inst in r.missing:
            console.print(f"[red]missing[/] {e(inst)}: binding, no official URL and no url_reason")
        for inst, reason in r.explained:
            console.print(f"[dim]no official text[/] {e(inst)}: {e(reason)}")


def print_powers(rows: list[dict[str, Any]], console: Console) -> None:
    """``law powers``: each unused power with the duties a decision under it would bring."""
    console.print(f"[bold]{len(rows)} powers not yet used[/] (no finding until used)")
    for row in rows:
        flag = "" if row["verified"] else " [magenta]UNVERIFIED[/]"
        console.print(
            f"[bold]{row['jurisdiction']}[/] {e(row['title'])} ({row['power']}){flag}\n"
            f"  {e(row['authority'])} may name a {row['names'].replace('_', ' ')}; reaches "
            f"{', '.join(row['roles'])} [{e(row['citation'])}]"
        )
        for duty in row["duties"]:
            console.print(f"  - {duty['kind']}: {e(duty['title'])} ({duty['when']})")
