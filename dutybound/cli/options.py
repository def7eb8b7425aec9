"""The options several commands share, each declared once: flag, help text and type.

An option that is required in one command and optional in another shares one ``typer.Option``
(the flag and its help) between two ``Annotated`` aliases, so the words a user reads are the same
in every ``--help``. Options only one command has stay with that command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Format(StrEnum):
    """``--format`` of the commands that print JSON or a rich table."""

    json = "json"
    table = "table"


_PROFILE = typer.Option("--profile", help="Operator profile (YAML or JSON).")
Profile = Annotated[Path, _PROFILE]
MaybeProfile = Annotated[Path | None, _PROFILE]

_ASSETS = typer.Option("--assets", help="Asset inventory (CSV, XLSX, JSON, CycloneDX or Parquet).")
Assets = Annotated[Path, _ASSETS]
MaybeAssets = Annotated[Path | None, _ASSETS]

AsOf = Annotated[
    str, typer.Option("--as-of", help="Apply the law as it stood on this date (YYYY-MM-DD).")
]
AsOfOrToday = Annotated[
    str | None,
    typer.Option("--as-of", help="Group membership as of this date (YYYY-MM-DD; default today)."),
]

OutputFormat = Annotated[
    Format | None, typer.Option("--format", help="json, or table (default on a terminal).")
]
ListingFormat = Annotated[Format, typer.Option("--format")]

_OUT = typer.Option("--out", help="Write the result to this file.")
Out = Annotated[Path, _OUT]
MaybeOut = Annotated[Path | None, _OUT]

LawDir = Annotated[
    Path | None,
    typer.Option("--law-dir", help="Use this rule pack instead of the bundled jurisdictions/."),
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
Sheet = Annotated[
    str | None, typer.Option("--sheet", help="Excel sheet to read (default: the first).")
]
MapFile = Annotated[
    Path | None,
    typer.Option(
        "--map",
        help="Mapping file (YAML, see docs/inventories.md): the inventory's column names and "
        "values in dutybound's words, e.g. 'Device Type' -> category, 'In Service' -> installed.",
    ),
]
Waivers = Annotated[
    Path | None,
    typer.Option(
        "--waivers",
        help="Waivers and exceptions (YAML/JSON, see docs/waivers.md): findings they "
        "cover show as waived while in effect; a waiver whose legal basis had lapsed is refused.",
    ),
]
AssumeDesignation = Annotated[
    list[str] | None,
    typer.Option(
        "--assume-designation",
        help="What-if: assume a jurisdiction's authority names a vendor group under its supplier "
        "powers on a date, JURISDICTION:group:YYYY-MM-DD (repeatable), e.g. PL:huawei:2027-01-01; "
        "the duties it brings are marked hypothetical and counted apart.",
    ),
]
VendorDecisions = Annotated[
    Path | None,
    typer.Option(
        "--vendor-decisions",
        help="Recorded answers about vendor names (YAML: id, name, group or not_group, by, "
        "decided_on): a confirmed name is that group's equipment, a rejected one is not.",
    ),
]
Attestations = Annotated[
    Path | None,
    typer.Option(
        "--attestations",
        help="Records of duties done (YAML, see docs/attestations.md): a finding they cover for "
        "every asset shows as fulfilled; a record for a duty that does not apply is refused.",
    ),
]
WaiversFile = Annotated[
    Path,
    typer.Option(
        "--waivers",
        help="Waivers file (YAML or JSON): a list of records with id, operator, obligation, "
        "basis, reference, approver, granted_on, expires_on; each names the profile's operator.",
    ),
]
MatrixVendors = Annotated[
    list[str] | None,
    typer.Option(
        "--vendor",
        help="Vendor-by-jurisdiction matrix for this vendor (repeatable), e.g. Huawei.",
    ),
]

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL, sqlite:///file.db or postgresql://user@host/db (default: "
        "DUTYBOUND_DATABASE_URL, else a file in your data directory).",
    ),
]
Store = Annotated[
    bool | None,
    typer.Option(
        "--store/--no-store",
        help="Store the evaluation, with its inputs and an audit entry, in the database "
        "(default: yes when --db or DUTYBOUND_DATABASE_URL is set; --store alone uses a file "
        "in your data directory).",
    ),
]
AsSector = Annotated[
    str | None,
    typer.Option(
        "--as-sector",
        help="What-if: fill each compared jurisdiction's roles with the ones its law gives this "
        "sector (e.g. telecoms), marked hypothetical; roles of named addressees are not assumed.",
    ),
]
