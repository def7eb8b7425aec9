"""``dutybound diff``: what changed between two evaluations and why, and what is coming.

Kept out of ``engine/cli.py`` so that the command can grow without touching the others; the main
CLI calls ``register(app)``. Exit codes follow the other commands: 0 done, 2 bad input (file, line
and field on stderr, nothing written), and 1 when ``--fail-on`` names a change that exists, so a
pipeline can stop on a new overdue obligation or a new prohibition.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape as e
from rich.table import Table

from dutybound.engine.atomic import write_atomically
from dutybound.engine.cli_common import Format, parse_date, parse_defaults
from dutybound.engine.cli_common import fail_input as _fail_input
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from dutybound.engine.diff import Diff, PackCache, Side, Upcoming
    from dutybound.engine.inputs import Asset, Profile

EXIT_FAIL_ON = 1


class FailOn(StrEnum):
    new_overdue = "new-overdue"
    new_prohibited = "new-prohibited"


def _optional_date(option: str, value: str | None) -> dt.date | None:
    return None if value is None else parse_date(option, value)


def _inventory(
    path: Path | None, option: str, defaults: dict[str, str], sheet: str | None
) -> list[Asset]:
    from dutybound.engine.inventory import read_inventory

    if path is None:
        raise InputError(
            option, "give an inventory (--assets, or --before-assets and --after-assets)"
        )
    read = read_inventory(path, defaults, sheet)
    renamed = read.renamed()
    if renamed:
        Console(stderr=True, highlight=False).print(
            f"{path.name}: columns read: " + ", ".join(f"{e(h)!r} as {c}" for h, c in renamed)
        )
    return read.assets


def _profile(path: Path, packs: PackCache, law_dir: Path, registry: Path) -> Profile:
    from dutybound.engine.inputs import load_profile

    return load_profile(path, packs.get(law_dir, registry))


def _sides(
    packs: PackCache,
    *,
    profile: Path,
    before_profile: Path | None,
    assets: tuple[list[Asset], list[Asset]],
    dates: tuple[dt.date, dt.date],
    law_dirs: tuple[Path, Path],
    registries: tuple[Path, Path],
    waivers: tuple[Path | None, Path | None] = (None, None),
) -> tuple[Side, Side]:
    """Both sides, each profile and waivers file checked against its own side's law (exit 2
    on any problem)."""
    from dutybound.engine.diff import Side
    from dutybound.engine.waivers import load_waivers

    sides = []
    for n, path in enumerate((before_profile or profile, profile)):
        pack = packs.get(law_dirs[n], registries[n])
        operator = _profile(path, packs, law_dirs[n], registries[n])
        records = tuple(load_waivers(waivers[n], pack, operator.name)) if waivers[n] else ()
        sides.append(
            Side(operator, assets[n], dates[n], law_dirs[n], registries[n], waivers=records)
        )
    return sides[0], sides[1]


def _dates(
    start: dt.date | None, end: dt.date | None, day: dt.date | None, compare: bool
) -> tuple[dt.date, dt.date]:
    """The two sides' dates: --from/--to, either defaulting to --as-of."""
    before, after = start or day, end or day
    if before is None or after is None:
        if compare:
            raise InputError(
                "--from" if before is None else "--to", "give --from and --to, or --as-of"
            )
        raise InputError("--as-of", "--upcoming counts months from --as-of")
    return before, after


def _failed(fail_on: list[FailOn], summary: dict[str, Any]) -> list[str]:
    """The --fail-on conditions that hold, as words for stderr."""
    hits = []
    for condition in fail_on:
        key = condition.value.replace("-", "_")
        if summary.get(key):
            hits.append(f"{condition.value}: {', '.join(summary[key + '_obligations'])}")
    return hits


def _print_diff(data: dict[str, Any], console: Console) -> None:
    b, a = data["before"], data["after"]
    console.print(
        f"[bold]{e(a['operator'])}[/] — changes from [bold]{b['as_of']}[/] "
        f"(rule pack {b['rulepack']['version']}) to [bold]{a['as_of']}[/] "
        f"(rule pack {a['rulepack']['version']})"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("Change", no_wrap=True)
    table.add_column("Obligation", ratio=2, overflow="fold")
    table.add_column("Before → after", ratio=1, overflow="fold")
    table.add_column("Why", ratio=3, overflow="fold")
    for c in data["changes"]:
        table.add_row(
            c["change"],
            f"[bold]{e(c['title'])}[/]\n[dim]{c['obligation_id']} · {c['kind']}[/]",
            _state_text(c["before"]) + " → " + _state_text(c["after"]),
            "\n".join(
                f"[dim]{k['step_number']}. {k['step']}[/] {e(k['text'])}" for k in c["causes"]
            ),
        )
    console.print(table)
    s = data["summary"]
    counts = ", ".join(f"{n} {k}" for k, n in s["by_change"].items()) or "none"
    console.print(
        f"{s['changes']} changes ({counts}); {s['new_overdue']} newly overdue, "
        f"{s['new_prohibited']} new prohibitions. Not legal advice."
    )


def _state_text(state: dict[str, Any] | None) -> str:
    if state is None:
        return "—"
    text = state["status"] + (f" (due {state['due']})" if state["due"] else "")
    assets = state["assets"]
    if assets:
        text += (
            "\n" + e(", ".join(assets[:4])) + (f" +{len(assets) - 4}" if len(assets) > 4 else "")
        )
    return text


def _print_upcoming(data: dict[str, Any], console: Console) -> None:
    console.print(
        f"Upcoming from [bold]{data['as_of']}[/] to [bold]{data['until']}[/] "
        f"({len(data['dates_evaluated'])} dates evaluated)"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Event", no_wrap=True)
    table.add_column("Obligation", ratio=2, overflow="fold")
    table.add_column("Why", ratio=3, overflow="fold")
    for ev in data["events"]:
        table.add_row(
            ev["date"],
            ev["event"].replace("_", " "),
            f"[bold]{e(ev['title'])}[/]\n[dim]{ev['obligation_id']} · {ev['kind']}[/]",
            "\n".join(e(k["text"]) for k in ev["causes"]),
        )
    console.print(table)


def _render(data: dict[str, Any], fmt: Format, out: Path | None) -> None:
    from dutybound.engine.jsontext import json_text

    if fmt is Format.json:
        text = json_text(data)
    else:
        console = Console(record=True, width=140, file=io.StringIO()) if out else Console()
        if "changes" in data.get("diff", data):
            _print_diff(data.get("diff", data), console)
        if "events" in data.get("upcoming", data):
            _print_upcoming(data.get("upcoming", data), console)
        if out is None:
            return
        text = console.export_text()
    if out is None:
        sys.stdout.write(text)
        return
    write_atomically(out, text)


Opt = typer.Option


def diff_command(
    profile: Annotated[
        Path | None,
        Opt(
            help="Operator profile (YAML or JSON); the 'after' "
            "profile when --before-profile is given."
        ),
    ] = None,
    assets: Annotated[Path | None, Opt(help="Asset inventory for both sides.")] = None,
    from_: Annotated[str | None, Opt("--from", help="The 'before' date (YYYY-MM-DD).")] = None,
    to: Annotated[str | None, Opt("--to", help="The 'after' date (YYYY-MM-DD).")] = None,
    as_of: Annotated[
        str | None,
        Opt(
            "--as-of",
            help="Date of both sides when --from/--to are not given; the start of --upcoming.",
        ),
    ] = None,
    before_profile: Annotated[Path | None, Opt(help="The 'before' profile.")] = None,
    before_assets: Annotated[Path | None, Opt(help="The 'before' inventory.")] = None,
    after_assets: Annotated[Path | None, Opt(help="The 'after' inventory.")] = None,
    law_dir: Annotated[Path | None, Opt(help="Rule pack for both sides.")] = None,
    before_law_dir: Annotated[Path | None, Opt(help="The 'before' rule pack.")] = None,
    after_law_dir: Annotated[Path | None, Opt(help="The 'after' rule pack.")] = None,
    registry: Annotated[Path | None, Opt(help="Vendor registry for both sides.")] = None,
    before_registry: Annotated[Path | None, Opt(help="The 'before' vendor registry.")] = None,
    after_registry: Annotated[Path | None, Opt(help="The 'after' vendor registry.")] = None,
    waivers: Annotated[Path | None, Opt(help="Waivers file for both sides.")] = None,
    before_waivers: Annotated[Path | None, Opt(help="The 'before' waivers file.")] = None,
    after_waivers: Annotated[Path | None, Opt(help="The 'after' waivers file.")] = None,
    upcoming: Annotated[
        int | None,
        Opt(
            min=1,
            max=120,
            help="List what will apply in the next N months that does not apply on --as-of.",
        ),
    ] = None,
    format: Annotated[
        Format | None, Opt("--format", help="json, or table (default on a terminal).")
    ] = None,
    fail_on: Annotated[
        list[FailOn] | None, Opt("--fail-on", help="Exit 1 if such a change exists (repeatable).")
    ] = None,
    out: Annotated[Path | None, Opt(help="Write the result to this file.")] = None,
    default: Annotated[
        list[str] | None,
        Opt("--default", help="Fill empty inventory cells, e.g. country=GB (repeatable)."),
    ] = None,
    sheet: Annotated[str | None, Opt(help="Excel sheet to read.")] = None,
    stored: Annotated[
        list[int] | None,
        Opt(
            "--stored",
            help="Diff two stored evaluations (ids from 'dutybound history'), each "
            "re-run with the law and vendor data it was stored with: --stored 3 --stored 7.",
        ),
    ] = None,
    db: Annotated[
        str | None,
        Opt(
            "--db",
            help="Database of --stored (default: "
            "DUTYBOUND_DATABASE_URL, else your data directory).",
        ),
    ] = None,
) -> None:
    """What changed between two evaluations, and why: profile, inventory, vendor data, law or
    time. Same inputs on two dates: --from D1 --to D2; changed inputs: --before-assets/
    --after-assets, --before-profile, --before-law-dir/--after-law-dir,
    --before-registry/--after-registry. --upcoming 12: what applies in the next 12 months that
    does not apply on --as-of.
    """
    from dutybound.engine.diff import PackCache
    from dutybound.engine.diff import diff as run_diff
    from dutybound.engine.diff import upcoming as run_upcoming
    from dutybound.engine.loading import default_law_dir, default_registry_path

    compare = (
        any(
            v is not None
            for v in (
                from_,
                to,
                before_profile,
                before_assets,
                after_assets,
                before_law_dir,
                after_law_dir,
                before_registry,
                after_registry,
                before_waivers,
                after_waivers,
            )
        )
        or upcoming is None
    )
    packs = PackCache()
    if stored is not None:
        _stored_diff(stored, db, packs, upcoming, format, fail_on or [], out)
        return
    if profile is None:
        _fail_input(InputError("--profile", "give the operator profile (or --stored A --stored B)"))
    try:
        day = _optional_date("--as-of", as_of)
        dates = _dates(_optional_date("--from", from_), _optional_date("--to", to), day, compare)
        law = law_dir or default_law_dir()
        reg = registry or default_registry_path()
        defaults = parse_defaults(default)
        sides = _sides(
            packs,
            profile=profile,
            before_profile=before_profile,
            assets=(
                _inventory(before_assets or assets, "--before-assets", defaults, sheet),
                _inventory(after_assets or assets, "--after-assets", defaults, sheet),
            ),
            dates=dates,
            law_dirs=(before_law_dir or law, after_law_dir or law),
            registries=(before_registry or reg, after_registry or reg),
            waivers=(before_waivers or waivers, after_waivers or waivers),
        )
    except InputError as error:
        _fail_input(error)
    data, summaries = _run(compare, upcoming, sides, day, packs, run_diff, run_upcoming)
    _finish(data, summaries, format, fail_on or [], out)


def _finish(
    data: dict[str, Any],
    summaries: list[dict[str, Any]],
    format: Format | None,
    fail_on: list[FailOn],
    out: Path | None,
) -> None:
    """Print or write the result, then exit 1 if a --fail-on condition holds."""
    fmt = format or (Format.table if sys.stdout.isatty() and out is None else Format.json)
    _render(data, fmt, out)
    hits = [h for s in summaries for h in _failed(fail_on, s)]
    if hits:
        Console(stderr=True, highlight=False).print("fail-on: " + "; ".join(e(h) for h in hits))
        raise typer.Exit(EXIT_FAIL_ON)


def _stored_diff(
    ids: list[int],
    db: str | None,
    packs: PackCache,
    months: int | None,
    format: Format | None,
    fail_on: list[FailOn],
    out: Path | None,
) -> None:
    """``--stored A --stored B``: both sides from the database, law included."""
    import tempfile

    from dutybound.engine.diff import diff as run_diff
    from dutybound.engine.diff import upcoming as run_upcoming

    if len(ids) != 2:
        _fail_input(InputError("--stored", f"give exactly two evaluation ids, got {len(ids)}"))
    with tempfile.TemporaryDirectory(prefix="dutybound-diff-") as folder:
        try:
            from dutybound.engine.store.replay import stored_side

            sides = (
                stored_side(ids[0], db, Path(folder), packs),
                stored_side(ids[1], db, Path(folder), packs),
            )
        except InputError as error:
            _fail_input(error)
        data, summaries = _run(True, months, sides, None, packs, run_diff, run_upcoming)
    _finish(data, summaries, format, fail_on, out)


def _run(
    compare: bool,
    months: int | None,
    sides: tuple[Side, Side],
    day: dt.date | None,
    packs: PackCache,
    run_diff: Any,
    run_upcoming: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the diff and/or the upcoming scan; the JSON to print and the summaries --fail-on
    reads. With both, the JSON has a ``diff`` and an ``upcoming`` key."""
    from dataclasses import replace

    result: Diff | None = run_diff(*sides, packs=packs) if compare else None
    ahead: Upcoming | None = None
    if months is not None:
        side = sides[1] if day is None else replace(sides[1], as_of=day)
        ahead = run_upcoming(side, months, packs=packs)
    parts = {k: v.to_json() for k, v in (("diff", result), ("upcoming", ahead)) if v is not None}
    summaries = [p["summary"] for p in parts.values()]
    data = parts["diff"] if ahead is None else parts["upcoming"] if result is None else parts
    return data, summaries


def register(app: typer.Typer) -> None:
    """Add the ``diff`` command to the dutybound CLI."""
    app.command("diff")(diff_command)
