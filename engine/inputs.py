"""Reading and validating what the user gives: an operator profile and an asset inventory.

Everything is checked before any evaluation runs, and every failure is an ``InputError`` naming the
file, line and field. Assets are parsed with plain code rather than a pydantic model per row,
because a 100k-row inventory must load in a fraction of a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine import vocabulary as vocab
from engine.errors import InputError
from engine.loading import RulePack
from engine.yamlfile import load_yaml, read_text

SECTORS: frozenset[str] = frozenset(
    {"telecoms", "energy", "water", "transport", "health", "government", "finance",
     "digital_infrastructure", "manufacturing", "space", "defence", "other"}
)


class Profile(BaseModel):
    """The operator: who it is in law, where, and the numbers the law looks at."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    jurisdictions: list[str] = Field(min_length=1)
    sectors: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    attributes: dict[str, bool | int | float | str] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Asset:
    asset_id: str
    vendor: str
    product: str
    category: str
    function: str
    network: str
    country: str
    use: str
    status: str
    quantity: int
    site: str
    model: str
    installed_on: dt.date | None
    identified_on: dt.date | None
    flags: tuple[str, ...]
    line: int


REQUIRED_COLUMNS = ("asset_id", "vendor", "category", "function", "country", "status")
OPTIONAL_COLUMNS = ("product", "network", "use", "quantity", "site", "model", "installed_on",
                    "identified_on", "flags")


def parse_date(value: str, file: Path | str, line: int | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(file, f"not an ISO date (YYYY-MM-DD): {value!r}", line=line,
                         field=field) from None


def load_profile(path: Path, pack: RulePack) -> Profile:
    """Read a YAML or JSON profile and check it against the rule pack's roles and attributes."""
    doc = load_yaml(path)  # JSON is YAML, and this keeps line numbers for both
    return check_profile(doc.data, pack, path, doc.line_of)


def check_profile(data: Any, pack: RulePack, source: Path | str,
                  line_of: Callable[[Sequence[str | int]], int | None] = lambda loc: None,
                  ) -> Profile:
    """Validate a profile given as parsed data (from a file, a scenario or an HTTP request)."""
    if not isinstance(data, dict):
        raise InputError(source, "a profile must be a mapping with name, jurisdictions, roles, ...",
                         line=1)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(source, err["msg"], line=line_of(err["loc"]),
                         field=".".join(str(p) for p in err["loc"])) from None

    def fail(loc: tuple[str | int, ...], message: str) -> InputError:
        return InputError(source, message, line=line_of(loc),
                          field=".".join(str(p) for p in loc))

    for i, code in enumerate(profile.jurisdictions):
        if code not in pack.jurisdictions:
            raise fail(("jurisdictions", i), f"unknown jurisdiction {code!r}; this rule pack has "
                       f"{sorted(pack.jurisdictions)}")
    for i, sector in enumerate(profile.sectors):
        if sector not in SECTORS:
            raise fail(("sectors", i), f"unknown sector {sector!r}; allowed: {sorted(SECTORS)}")
    for i, role in enumerate(profile.roles):
        if role not in pack.roles:
            raise fail(("roles", i), f"unknown role {role!r}; see 'dutybound law roles'")
        if role.split(".")[0].upper() not in profile.jurisdictions:
            raise fail(("roles", i), f"role {role!r} belongs to a jurisdiction the profile does "
                       "not list")
    declared = {a.id: a for j in pack.jurisdictions.values() for a in j.attributes}
    for name, value in profile.attributes.items():
        attr = declared.get(name)
        if attr is None:
            raise fail(("attributes", name), f"unknown attribute {name!r}; declared: "
                       f"{sorted(declared)}")
        ok = {"number": isinstance(value, int | float) and not isinstance(value, bool),
              "boolean": isinstance(value, bool), "string": isinstance(value, str)}[attr.type]
        if not ok:
            raise fail(("attributes", name), f"must be a {attr.type}")
    return profile


def _rows_from_csv(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, "file is empty") from None
    names = [h.strip().lower() for h in header]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) > len(names):
            raise InputError(path, f"{len(values)} values but {len(names)} columns", line=line)
        rows.append((line, dict(zip(names, values, strict=False))))
    return names, rows


def _rows_from_json(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if isinstance(data, dict):
        data = data.get("assets")
    if not isinstance(data, list):
        raise InputError(path, "expected a list of assets or an object with an 'assets' list")
    rows: list[tuple[int, dict[str, str]]] = []
    names: set[str] = set()
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise InputError(path, f"asset #{i + 1} is not an object", field=f"[{i}]")
        row = {str(k).strip().lower(): "" if v is None else str(v) for k, v in item.items()}
        names.update(row)
        # JSON has no useful line per item; the 1-based item number stands in for it
        rows.append((i + 1, row))
    return sorted(names), rows


def load_assets(path: Path) -> list[Asset]:
    """Read an inventory (CSV or JSON by extension) into validated ``Asset`` records."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        names, rows = _rows_from_json(path, text)
        where = "item"
    else:
        names, rows = _rows_from_csv(path, text)
        where = "line"
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing and (rows or where == "line"):
        raise InputError(path, f"missing required column(s): {', '.join(missing)}", line=1,
                         field=missing[0])
    if not rows:
        raise InputError(path, "no assets (only a header)")
    return assets_from_rows(path, rows)


def assets_from_rows(source: Path | str, rows: list[tuple[int, dict[str, str]]]) -> list[Asset]:
    """Validate inventory rows given as (line, {column: text}) pairs."""
    seen: dict[str, int] = {}
    return [_parse_asset(source, line, row, seen) for line, row in rows]


def _parse_asset(path: Path | str, line: int, row: dict[str, str],
                 seen: dict[str, int]) -> Asset:
    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    def fail(field: str, message: str) -> InputError:
        return InputError(path, message, line=line, field=field)

    for name in REQUIRED_COLUMNS:
        if not get(name):
            raise fail(name, "is empty")
    asset_id = get("asset_id")
    if asset_id in seen:
        raise fail("asset_id", f"duplicate asset id {asset_id!r} (first on line {seen[asset_id]})")
    seen[asset_id] = line
    values: dict[str, str] = {}
    for name, allowed in vocab.ASSET_FIELDS.items():
        value = get(name).lower()
        if value and value not in allowed:
            raise fail(name, f"unknown {name} {value!r}; allowed: {', '.join(sorted(allowed))}")
        values[name] = value
    country = get("country").upper()
    if len(country) != 2 or not country.isalpha():
        raise fail("country", f"expected a two-letter ISO country code, got {country!r}")
    quantity_text = get("quantity") or "1"
    try:
        quantity = int(quantity_text)
    except ValueError:
        raise fail("quantity", f"not a whole number: {quantity_text!r}") from None
    if quantity < 1:
        raise fail("quantity", "must be 1 or more")
    flags = tuple(sorted({f.strip().lower() for f in get("flags").split(";") if f.strip()}))
    for flag in flags:
        if flag not in vocab.FLAGS:
            raise fail("flags", f"unknown flag {flag!r}; allowed: {', '.join(sorted(vocab.FLAGS))}")
    installed = get("installed_on")
    identified = get("identified_on")
    return Asset(
        asset_id=asset_id, vendor=get("vendor"), product=get("product"),
        category=values["category"], function=values["function"], network=values["network"],
        country=country, use=values["use"], status=values["status"], quantity=quantity,
        site=get("site"), model=get("model"),
        installed_on=parse_date(installed, path, line, "installed_on") if installed else None,
        identified_on=parse_date(identified, path, line, "identified_on") if identified else None,
        flags=flags, line=line,
    )
