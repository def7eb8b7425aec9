"""``dutybound diff``: what changed between two evaluations and why, and what is coming.

Exit codes follow the other commands: 0 done, 2 bad input (file, line and field on stderr,
nothing written), and 1 when ``--fail-on`` names a change that exists, so that a pipeline can
stop on a new overdue obligation or a new prohibition.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape as e

from dutybound.cli.boundary import err
from dutybound.cli.inputs import parse_date, parse_defaults
from dutybound.cli.options import (
    Db,
    Defaults,
    Format,
    LawDir,
    MaybeAssets,
    MaybeOut,
    MaybeProfile,
    OutputFormat,
    Sheet,
    Waivers,
)
from dutybound.cli.render.diff import print_result
from dutybound.cli.render.stdout import drawn_text
from dutybound.cli.terminal import terminal_console
from dutybound.engine.atomic import write_atomically
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from dutybound.engine.diff import PackCache, Side
    from dutybound.engine.inputs import Asset

EXIT_FAIL_ON = 1


class FailOn(StrEnum):
    new_overdue = "new-overdue"
    new_prohibited = "new-prohibited"


def diff(
    profile: MaybeProfile = None,
    assets: MaybeAssets = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="The 'before' date (YYYY-MM-DD).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="The 'after' date (YYYY-MM-DD).")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date of both sides when --from/--to are not given; the start of --upcoming.",
        ),
    ] = None,
    before_profile: Annotated[Path | None, typer.Option(help="The 'before' profile.")] = None,
    before_assets: Annotated[Path | None, typer.Option(help="The 'before' inventory.")] = None,
    after_assets: Annotated[Path | None, typer.Option(help="The 'after' inventory.")] = None,
    law_dir: LawDir = None,
    before_law_dir: Annotated[Path | None, typer.Option(help="The 'before' rule pack.")] = None,
    after_law_dir: Annotated[Path | None, typer.Option(help="The 'after' rule pack.")] = None,
    registry: Annotated[Path | None, typer.Option(help="Vendor registry for both sides.")] = None,
    before_registry: Annotated[
        Path | None, typer.Option(help="The 'before' vendor registry.")
    ] = None,
    after_registry: Annotated[
        Path | None, typer.Option(help="The 'after' vendor registry.")
    ] = None,
    waivers: Waivers = None,
    before_waivers: Annotated[Path | None, typer.Option(help="The 'before' waivers file.")] = None,
    after_waivers: Annotated[Path | None, typer.Option(help="The 'after' waivers file.")] = None,
    upcoming: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=120,
            help="List what will apply in the next N months that does not apply on --as-of.",
        ),
    ] = None,
    format: OutputFormat = None,
    fail_on: Annotated[
        list[FailOn] | None,
        typer.Option("--fail-on", help="Exit 1 if such a change exists (repeatable)."),
    ] = None,
    out: MaybeOut = None,
    default: Defaults = None,
    sheet: Sheet = None,
    stored: Annotated[
        list[int] | None,
        typer.Option(
            "--stored",
            help="Diff two stored evaluations (ids from 'dutybound history'), each "
            "re-run with the law and vendor data it was stored with: --stored 3 --stored 7.",
        ),
    ] = None,
    db: Db = None,
) -> None:
    """What changed between two evaluations, and why: profile, inventory, vendor data, law or
    time. Same inputs on two dates: --from D1 --to D2; changed inputs: --before-assets/
    --after-assets, --before-profile, --before-law-dir/--after-law-dir,
    --before-registry/--after-registry. --upcoming 12: what applies in the next 12 months that
    does not apply on --as-of.

    --profile, --assets, --law-dir, --registry and --waivers serve both sides; a --before-... or
    --after-... option replaces one side's. --profile is the 'after' profile when
    --before-profile is given.
    """
    from dutybound.engine.diff import PackCache
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
        raise InputError("--profile", "give the operator profile (or --stored A --stored B)")
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
    data, summaries = _run(compare, upcoming, sides, day, packs)
    _finish(data, summaries, format, fail_on or [], out)


def _optional_date(option: str, value: str | None) -> dt.date | None:
    return None if value is None else parse_date(option, value)


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


def _inventory(
    path: Path | None, option: str, defaults: dict[str, str], sheet: str | None
) -> Sequence[Asset]:
    """One side's inventory; the columns read under another name are listed on stderr."""
    from dutybound.engine.inventory import read_inventory

    if path is None:
        raise InputError(
            option, "give an inventory (--assets, or --before-assets and --after-assets)"
        )
    read = read_inventory(path, defaults, sheet)
    renamed = read.renamed()
    if renamed:
        err.print(
            f"{path.name}: columns read: " + ", ".join(f"{e(h)!r} as {c}" for h, c in renamed)
        )
    return read.assets


def _sides(
    packs: PackCache,
    *,
    profile: Path,
    before_profile: Path | None,
    assets: tuple[Sequence[Asset], Sequence[Asset]],
    dates: tuple[dt.date, dt.date],
    law_dirs: tuple[Path, Path],
    registries: tuple[Path, Path],
    waivers: tuple[Path | None, Path | None] = (None, None),
) -> tuple[Side, Side]:
    """Both sides, each profile and waivers file checked against its own side's law."""
    from dutybound.engine.diff import Side
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.waivers import load_waivers

    sides = []
    for n, path in enumerate((before_profile or profile, profile)):
        pack = packs.get(law_dirs[n], registries[n])
        operator = load_profile(path, pack)
        waiver_file = waivers[n]
        records = tuple(load_waivers(waiver_file, pack, operator.name)) if waiver_file else ()
        sides.append(
            Side(operator, assets[n], dates[n], law_dirs[n], registries[n], waivers=records)
        )
    return sides[0], sides[1]


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

    if len(ids) != 2:
        raise InputError("--stored", f"give exactly two evaluation ids, got {len(ids)}")
    from dutybound.engine.store.replay import stored_side

    with tempfile.TemporaryDirectory(prefix="dutybound-diff-") as folder:
        sides = (
            stored_side(ids[0], db, Path(folder), packs),
            stored_side(ids[1], db, Path(folder), packs),
        )
        data, summaries = _run(True, months, sides, None, packs)
    _finish(data, summaries, format, fail_on, out)


def _run(
    compare: bool,
    months: int | None,
    sides: tuple[Side, Side],
    day: dt.date | None,
    packs: PackCache,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the diff and/or the upcoming scan; the JSON to print and the summaries --fail-on
    reads. With both, the JSON has a ``diff`` and an ``upcoming`` key."""
    from dataclasses import replace

    from dutybound.engine.diff import diff as run_diff
    from dutybound.engine.diff import upcoming as run_upcoming

    result = run_diff(*sides, packs=packs) if compare else None
    ahead = None
    if months is not None:
        side = sides[1] if day is None else replace(sides[1], as_of=day)
        ahead = run_upcoming(side, months, packs=packs)
    parts: dict[str, dict[str, Any]] = {}
    if result is not None:
        parts["diff"] = result.to_json()
    if ahead is not None:
        parts["upcoming"] = ahead.to_json()
    summaries = [p["summary"] for p in parts.values()]
    data = parts["diff"] if ahead is None else parts["upcoming"] if result is None else parts
    return data, summaries


def _finish(
    data: dict[str, Any],
    summaries: list[dict[str, Any]],
    format: Format | None,
    fail_on: list[FailOn],
    out: Path | None,
) -> None:
    """Print or write the result, then exit 1 if a --fail-on condition holds."""
    from dutybound.engine.jsontext import json_text

    fmt = format or (Format.table if sys.stdout.isatty() and out is None else Format.json)
    if out is not None:
        body = (
            json_text(data) if fmt is Format.json else drawn_text(lambda c: print_result(data, c))
        )
        write_atomically(out, body)
    elif fmt is Format.json:
        sys.stdout.write(json_text(data))
    else:
        print_result(data, terminal_console())
    hits = [h for s in summaries for h in _failed(fail_on, s)]
    if hits:
        err.print("fail-on: " + "; ".join(e(h) for h in hits))
        raise typer.Exit(EXIT_FAIL_ON)


def _failed(fail_on: list[FailOn], summary: dict[str, Any]) -> list[str]:
    """The --fail-on conditions that hold, as words for stderr."""
    hits = []
    for condition in fail_on:
        key = condition.value.replace("-", "_")
        if summary.get(key):
            hits.append(f"{condition.value}: {', '.join(summary[key + '_obligations'])}")
    return hits
