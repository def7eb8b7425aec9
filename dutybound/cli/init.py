"""``dutybound init``: a new user's first profile and inventory template, from four answers.

A first profile is the hardest file to write: the user must know which legal roles the law gives
their kind of operator, by their ids. ``init`` asks for what a person does know (where the
operator works, its sector, its size, its name) and writes the roles the law of those
jurisdictions gives that sector (``engine.sector_roles``, the table ``compare --as-sector``
uses), each with its legal title and citation as a comment, so that the user reviews a list
instead of composing one. What the table cannot decide is written commented out, with why: a
role that needs a larger size than the one given, and a role held only by named addressees or
through a subsidy or a contract (whether the operator is one is a fact only it knows).

The profile is checked with the same loader ``evaluate`` uses before anything is written, and
neither file is written when either exists (unless ``--force``) or cannot be written.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dutybound.cli.options import LawDir
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from dutybound.engine.loading import RulePack
    from dutybound.engine.sector_roles import Assumption

PROFILE_FILE = "profile.yaml"
ASSETS_FILE = "assets.csv"
# the inventory template's columns: every column the loader reads but 'oui' ('mac' takes one)
TEMPLATE_SKIPS = frozenset({"oui"})


class Size(StrEnum):
    """The operator's size as the NIS2 size classes (Commission Recommendation 2003/361/EC) put
    it: small (under 50 staff and EUR 10m turnover), medium (under 250 staff and EUR 50m),
    large (the rest). Several regimes reach only medium and large entities."""

    small = "small"
    medium = "medium"
    large = "large"


def _size_condition(condition: str | None) -> bool:
    """Whether an assumed role's condition is a size threshold (met by a medium or large
    operator) rather than a fact about the operator's activity."""
    from dutybound.engine.sector_roles import ABOVE_THRESHOLDS, MEDIUM_OR_LARGE

    return condition in (MEDIUM_OR_LARGE, ABOVE_THRESHOLDS)


def can_ask() -> bool:
    """Whether a person can answer prompts: stdin and stdout are a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def with_unions(pack: RulePack, codes: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """``codes`` plus each jurisdiction of the pack whose territory holds one of them (the EU for
    CZ: NIS2 reaches a Czech operator through the EU's roles too), and, for each one added, the
    codes that brought it in."""
    added: dict[str, list[str]] = {}
    for union in pack.jurisdictions.values():
        members = [c for c in codes if c in union.territory and c != union.code]
        if members and union.code not in codes:
            added[union.code] = members
    return sorted({*codes, *added}), added


def _comment(text: str) -> str:
    """One YAML comment line's text (no line breaks can end the comment early)."""
    return " ".join(text.split())


def profile_text(
    pack: RulePack, name: str, codes: list[str], sector: str, size: Size, day: dt.date
) -> str:
    """The profile ``init`` writes: the roles the law gives ``sector`` in ``codes`` (and the
    unions they belong to) on ``day``, for an operator of ``size``, each with its title and
    citation; the rest commented out, with why."""
    from dutybound.engine.sector_roles import MEDIUM_OR_LARGE, sector_roles

    wanted, unions = with_unions(pack, codes)
    assumed = sector_roles(pack, sector, wanted, day)
    held: list[Assumption] = []
    too_small: list[Assumption] = []
    for a in assumed.assumed:
        needs_size = _size_condition(a.condition)
        (too_small if needs_size and size is Size.small else held).append(a)

    def title(role: str) -> str:
        r = pack.roles[role]
        return _comment(f"{r.title} — {r.citation}")

    lines = [
        f"# Operator profile written by 'dutybound init' on {day.isoformat()} (rule pack "
        f"{pack.version}):",
        f"# the roles the law of {', '.join(wanted)} gives a {size.value} {sector} operator.",
        "# Review every role: a role is a legal status the law gives the operator, not a",
        "# setting. 'dutybound law roles' lists every role with its title and citation.",
        f"name: {json.dumps(name, ensure_ascii=False)}",
        f"jurisdictions: [{', '.join(wanted)}]",
    ]
    lines += [
        f"# {code} is listed because its territory includes {', '.join(members)}"
        for code, members in sorted(unions.items())
    ]
    lines.append(f"sectors: [{sector}]")
    lines.append("roles:" if held else "roles: []")
    for a in held:
        lines.append(f"  # {title(a.role)}")
        if a.condition == MEDIUM_OR_LARGE:
            lines.append(f"  # held as a {size.value} entity ({a.condition})")
        elif a.condition is not None:
            lines.append(f"  # only if: {_comment(a.condition)}; delete otherwise")
        lines.append(f"  - {a.role}")
    for a in too_small:
        lines.append(f"  # not held by a small operator (needs: {_comment(a.condition or '')}):")
        lines.append(f"  # - {a.role}  # {title(a.role)}")
    if assumed.not_assumed:
        lines.append(
            "  # held only by named addressees, or through a subsidy or contract: uncomment "
            "if the operator is one"
        )
        lines += [f"  # - {r}  # {title(r)}" for r in assumed.not_assumed]
    lines += [f"  # {r}: its law does not apply yet on {day.isoformat()}" for r in assumed.not_yet]
    lines += [
        f"  # no role in this rule pack for {sector} in {code}'s law" for code in assumed.none
    ]
    attributes = [a for code in wanted for a in pack.jurisdictions[code].attributes]
    if attributes:
        lines.append(
            "# The law derives further roles from these numbers; uncomment and fill in the ones "
            "you know:"
        )
        lines.append("# attributes:")
        for attr in attributes:
            lines.append(f"#   {attr.id}:   # {attr.type}: {_comment(attr.description)}")
    return "\n".join(lines) + "\n"


def template_columns() -> list[str]:
    """The inventory template's columns: every column the loader reads, required ones first."""
    from dutybound.engine.inputs import COLUMNS

    return [c for c in COLUMNS if c not in TEMPLATE_SKIPS]


def template_text() -> str:
    """The inventory template: the header alone. It holds no example row, because every row of
    an inventory is read as an asset (a CSV has no comments); ``init`` prints one instead."""
    return ",".join(template_columns()) + "\n"


def example_row(country: str) -> str:
    """An example inventory row in the template's column order, for the user to copy: the one
    ``dutybound inventory template`` writes, in the operator's country."""
    from dutybound.engine.inventory_template import EXAMPLE

    values = {**EXAMPLE, "country": country}
    return ",".join(values.get(c, "") for c in template_columns())


def _missing(value: object, option: str, missing: list[str]) -> None:
    if value is None or value == []:
        missing.append(option)


def init(
    jurisdiction: Annotated[
        list[str] | None,
        typer.Option(
            "--jurisdiction",
            "-j",
            metavar="CODE",
            help="Where the operator works: a jurisdiction code of the rule pack (repeatable, or "
            "comma-separated), e.g. CZ or CZ,GB; AU, CA, CZ, DE, EU, GB, IN, NZ, PL, SE, US in "
            "the bundled one.",
        ),
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option(
            metavar="SECTOR",
            help="The operator's sector: telecoms, energy, water, transport, health, finance, "
            "digital_infrastructure, space, government, manufacturing, defence or other.",
        ),
    ] = None,
    size: Annotated[
        Size | None,
        typer.Option(
            help="small (<50 staff, <EUR 10m), medium (<250, <EUR 50m) or large: several "
            "regimes reach only medium and large operators."
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(metavar="NAME", help="The operator's legal name.")
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="DIR", help="Directory to write profile.yaml and assets.csv into."
        ),
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Replace profile.yaml and assets.csv if they exist.")
    ] = False,
    law_dir: LawDir = None,
) -> None:
    """Write a first operator profile (the roles the law gives your sector, each with its title
    and citation) and an inventory template; asks for what is not given when run in a terminal.

    Example: dutybound init --jurisdiction CZ --sector telecoms --size medium --name "Acme
    s.r.o." --out acme
    """
    import yaml

    from dutybound.cli.boundary import err
    from dutybound.cli.inputs import load_pack
    from dutybound.engine.atomic import stage
    from dutybound.engine.inputs import SECTORS, check_profile
    from dutybound.engine.suggest import unknown

    pack = load_pack(law_dir)
    if can_ask():
        if not jurisdiction:
            jurisdiction = [
                typer.prompt(
                    f"Jurisdictions, comma-separated ({', '.join(sorted(pack.jurisdictions))})"
                )
            ]
        if sector is None:
            sector = typer.prompt(f"Sector ({', '.join(sorted(SECTORS))})")
        while size is None:
            answer = typer.prompt("Size (small, medium or large)").strip().lower()
            size = Size(answer) if answer in Size.__members__ else None
        if name is None:
            name = typer.prompt("Operator's legal name")
    missing: list[str] = []
    _missing(jurisdiction, "--jurisdiction", missing)
    _missing(sector, "--sector", missing)
    _missing(size, "--size", missing)
    _missing(name, "--name", missing)
    if missing:
        raise InputError(
            missing[0],
            "is required (no terminal to ask on); give "
            + ", ".join(missing)
            + ", e.g. dutybound init --jurisdiction CZ --sector telecoms --size medium "
            "--name 'Acme'",
        )
    assert jurisdiction is not None and sector is not None and size is not None
    assert name is not None  # all four checked just above
    # -j CZ -j GB, -j CZ,GB and the prompt's "CZ, GB" all say the same
    given_codes = [part.strip() for item in jurisdiction for part in item.split(",")]
    codes = sorted({c.upper() for c in given_codes if c})
    for given in given_codes:
        code = given.strip().upper()
        if code and code not in pack.jurisdictions:
            raise InputError(
                "--jurisdiction",
                unknown(
                    "jurisdiction", given.strip(), pack.jurisdictions, label="this rule pack has"
                ),
            )
    if not codes:
        raise InputError("--jurisdiction", "is empty; give a code of the rule pack, e.g. CZ")
    if sector not in SECTORS:
        raise InputError("--sector", unknown("sector", sector, SECTORS))
    if not name.strip():
        raise InputError("--name", "is empty; give the operator's legal name")
    profile_path, assets_path = out / PROFILE_FILE, out / ASSETS_FILE
    existing = [p for p in (profile_path, assets_path) if p.exists()]
    if existing and not force:
        also = f" (nor is {existing[1]}, which exists too)" if len(existing) > 1 else ""
        raise InputError(
            existing[0], f"exists; not overwritten{also}: --force replaces it, or choose --out"
        )
    day = dt.date.today()
    text = profile_text(pack, name.strip(), codes, sector, size, day)
    # the profile must load as 'evaluate' loads it: a table out of step with the law fails here,
    # before anything is written
    check_profile(yaml.safe_load(text), pack, profile_path)
    country = next((c for c in codes if c != "EU"), codes[0])
    with (
        stage(profile_path, text) as profile_file,
        stage(assets_path, template_text()) as assets_file,
    ):
        profile_file.publish()
        assets_file.publish()
    err.print(f"wrote {profile_path} and {assets_path}", soft_wrap=True)
    err.print(
        f"next: add one row per asset to {assets_path}, e.g.\n  {example_row(country)}\n"
        "  ('dutybound vocabulary' lists the words each column accepts; 'dutybound inventory "
        "template --format xlsx' writes an Excel template with them as drop-down lists), then\n"
        f"  dutybound inventory check {assets_path}\n"
        f"  dutybound report --profile {profile_path} --assets {assets_path} "
        f"--as-of {day.isoformat()} --out report.pdf",
        soft_wrap=True,
        markup=False,
    )
