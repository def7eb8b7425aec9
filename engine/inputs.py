"""Reading and validating what the user gives: an operator profile and an asset inventory.

Everything is checked before any evaluation runs, and every failure is an ``InputError`` naming the
file, line and field. Assets are parsed with plain code rather than a pydantic model per row,
because a 100k-row inventory must load in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dutybound.engine import limits
from dutybound.engine import vocabulary as vocab
from dutybound.engine.errors import InputError
from dutybound.engine.loading import RulePack
from dutybound.engine.suggest import country_code, unknown
from dutybound.engine.yamlfile import load_yaml

SECTORS: frozenset[str] = frozenset(
    {
        "telecoms",
        "energy",
        "water",
        "transport",
        "health",
        "government",
        "finance",
        "digital_infrastructure",
        "manufacturing",
        "space",
        "defence",
        "other",
    }
)


class Profile(BaseModel):
    """The operator: who it is in law, where, and the numbers the law looks at."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    jurisdictions: list[str] = Field(min_length=1)
    sectors: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    attributes: dict[str, bool | int | float | str] = Field(default_factory=dict)


class Asset(NamedTuple):
    """One inventory row, validated. A named tuple: 100k of them build in a blink."""

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
    origin: str = ""  # ISO code of the country where it was produced, when known
    # MAC address 'aa:bb:cc:dd:ee:ff' or bare OUI 'aa:bb:cc' (engine.macs), from the mac or oui
    # column; an asset with one may leave its vendor empty
    mac: str = ""


REQUIRED_COLUMNS = ("asset_id", "vendor", "category", "function", "country", "status")
OPTIONAL_COLUMNS = (
    "product",
    "network",
    "use",
    "quantity",
    "site",
    "model",
    "installed_on",
    "identified_on",
    "flags",
    "origin",
    "mac",
    "oui",
)
# either of these stands in for an empty vendor (engine.macs resolves it)
VENDOR_STAND_INS = ("mac", "oui")


def parse_date(value: str, file: Path | str, line: int | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            file, f"not an ISO date (YYYY-MM-DD): {value!r}", line=line, field=field
        ) from None


def load_profile(path: Path, pack: RulePack) -> Profile:
    """Read a YAML or JSON profile and check it against the rule pack's roles and attributes."""
    doc = load_yaml(path)  # JSON is YAML, and this keeps line numbers for both
    return check_profile(doc.data, pack, path, doc.line_of)


def check_profile(
    data: Any,
    pack: RulePack,
    source: Path | str,
    line_of: Callable[[Sequence[str | int]], int | None] = lambda loc: None,
) -> Profile:
    """Validate a profile given as parsed data (from a file, a scenario or an HTTP request)."""
    if not isinstance(data, dict):
        raise InputError(
            source, "a profile must be a mapping with name, jurisdictions, roles, ...", line=1
        )
    _check_attribute_values(data.get("attributes"), pack, source, line_of)
    bad = limits.value_problem(data)
    if bad is not None:
        loc, problem = bad
        raise InputError(
            source, problem, line=line_of(loc), field=".".join(str(p) for p in loc) or None
        )
    # a misspelt key gets the key it was meant to be, where pydantic would only say "extra";
    # checked after the value domain, so a key too long to quote is refused as such first
    for key in data:
        if key not in Profile.model_fields:
            raise InputError(
                source,
                unknown("key", str(key), Profile.model_fields),
                line=line_of((key,)),
                field=str(key),
            )
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(
            source, err["msg"], line=line_of(err["loc"]), field=".".join(str(p) for p in err["loc"])
        ) from None

    def fail(loc: tuple[str | int, ...], message: str) -> InputError:
        return InputError(source, message, line=line_of(loc), field=".".join(str(p) for p in loc))

    for i, code in enumerate(profile.jurisdictions):
        if code not in pack.jurisdictions:
            raise fail(
                ("jurisdictions", i),
                unknown("jurisdiction", code, pack.jurisdictions, label="this rule pack has"),
            )
    for i, sector in enumerate(profile.sectors):
        if sector not in SECTORS:
            raise fail(("sectors", i), unknown("sector", sector, SECTORS))
    for i, role in enumerate(profile.roles):
        if role not in pack.roles:
            raise fail(
                ("roles", i),
                unknown("role", role, pack.roles, listing=False) + "; see 'dutybound law roles'",
            )
        if role.split(".")[0].upper() not in profile.jurisdictions:
            raise fail(
                ("roles", i), f"role {role!r} belongs to a jurisdiction the profile does not list"
            )
    declared = {a.id: a for j in pack.jurisdictions.values() for a in j.attributes}
    for name, value in profile.attributes.items():
        attr = declared.get(name)
        if attr is None:
            raise fail(("attributes", name), unknown("attribute", name, declared))
        ok = {
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
            "string": isinstance(value, str),
        }[attr.type]
        if not ok:
            raise fail(("attributes", name), _attribute_type_message(attr.type, value))
    return profile


def _check_attribute_values(
    attributes: Any,
    pack: RulePack,
    source: Path | str,
    line_of: Callable[[Sequence[str | int]], int | None],
) -> None:
    """Refuse an attribute given as null, NaN, a list or a mapping with the message of its
    declared type (what it may be, and that an unknown value is left out), before pydantic
    would answer "Input should be a valid boolean" for a NaN or a null."""
    if isinstance(attributes, dict):
        declared_types = {a.id: a.type for j in pack.jurisdictions.values() for a in j.attributes}
        for name, value in attributes.items():
            unknown = value is None or (isinstance(value, float) and value != value)
            if unknown or not isinstance(value, bool | int | float | str):
                kind = declared_types.get(str(name), "boolean, number or string")
                raise InputError(
                    source,
                    _attribute_type_message(kind, value),
                    line=line_of(("attributes", name)),
                    field=f"attributes.{name}",
                )


def _attribute_type_message(kind: str, value: Any) -> str:
    """What an attribute of the wrong type should be. NaN, null and '' are not "unknown" values:
    an attribute that is not known is left out, and a role that depends on it is not derived."""
    allowed = {
        "boolean": "true or false",
        "number": "a number such as 250 or 1.5",
        "string": "text",
    }.get(kind, "true, false, a number or text")
    unknown = value is None or value == "" or (isinstance(value, float) and value != value)
    return f"must be a {kind} ({allowed}), got {value!r}" + (
        "; to say it is not known, leave the attribute out" if unknown else ""
    )


COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
Row = tuple[int, list[str]]  # (line or item number, values in COLUMNS order)


def rows_from_mappings(mappings: list[dict[str, str]]) -> list[Row]:
    """Rows from {column: text} mappings (JSON inventories, scenario files)."""
    return [
        (n, [str(m.get(c) or "").strip() for c in COLUMNS]) for n, m in enumerate(mappings, start=1)
    ]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the garbage collector while many records are built. They hold no reference cycles,
    and the collector's repeated full passes over the growing lists cost more than building
    them, on inventory parsing and on reloading a stored inventory (docs/performance.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def assets_from_rows(source: Path | str, rows: Iterable[Row]) -> list[Asset]:
    """Validate inventory rows (values in ``COLUMNS`` order)."""
    seen: dict[str, int] = {}
    vocabulary_cache: dict[tuple[str, ...], tuple[Any, ...]] = {}
    cap = limits.limit(limits.Limit.FIELD_CHARS)
    with paused_gc():
        return [
            _parse_asset(source, line, values, seen, vocabulary_cache, cap) for line, values in rows
        ]


def _check_vocabulary(
    fail: Callable[[str, str], InputError],
    category: str,
    function: str,
    status: str,
    network: str,
    use: str,
    country: str,
    flags_text: str,
) -> tuple[Any, ...]:
    category, function, status = category.lower(), function.lower(), status.lower()
    network, use = network.lower(), use.lower()
    for name, value, allowed in (
        ("category", category, vocab.CATEGORIES),
        ("function", function, vocab.FUNCTIONS),
        ("status", status, vocab.STATUSES),
        ("network", network, vocab.NETWORKS),
        ("use", use, vocab.USES),
    ):
        if value not in allowed and value:
            raise fail(name, unknown(name, value, allowed))
    country = country.upper()
    if len(country) != 2 or not country.isalpha():
        raise fail("country", _not_a_country(country))
    try:
        flags = parse_flags(flags_text)
    except ValueError as exc:
        raise fail("flags", str(exc)) from None
    return category, function, status, network, use, country, flags


def _parse_asset(
    path: Path | str,
    line: int,
    values: list[str],
    seen: dict[str, int],
    vocabulary_cache: dict[tuple[str, ...], tuple[Any, ...]],
    field_cap: int,
) -> Asset:
    """One row. Rows repeat the same few vocabulary combinations, so each distinct combination
    is checked once and the common path is a few dictionary lookups."""
    (
        asset_id,
        vendor,
        category,
        function,
        country,
        status,
        product,
        network,
        use,
        quantity,
        site,
        model,
        installed_on,
        identified_on,
        flags_text,
        origin,
        mac_text,
        oui_text,
    ) = values

    def fail(field: str, message: str) -> InputError:
        return InputError(path, message, line=line, field=field)

    _check_cells(path, line, values, field_cap)
    mac = _mac_cell(fail, mac_text, oui_text) if mac_text or oui_text else ""
    if not (asset_id and (vendor or mac) and category and function and country and status):
        for name, value in zip(REQUIRED_COLUMNS, values, strict=False):
            if not value and not (name == "vendor" and mac):
                raise fail(
                    name,
                    "is empty (give a vendor name, or a MAC address or OUI in a 'mac' or 'oui' "
                    "column)"
                    if name == "vendor"
                    else "is empty",
                )
    if asset_id in seen:
        raise fail("asset_id", f"duplicate asset id {asset_id!r} (first on line {seen[asset_id]})")
    seen[asset_id] = line
    key = (category, function, status, network, use, country, flags_text)
    checked = vocabulary_cache.get(key)
    if checked is None:
        checked = vocabulary_cache[key] = _check_vocabulary(fail, *key)
    category, function, status, network, use, country, flags = checked
    if origin:
        origin = origin.upper()
        if len(origin) != 2 or not origin.isalpha():
            raise fail("origin", _not_a_country(origin))
    if not quantity:
        amount = 1
    else:
        try:
            amount = int(quantity)
        except ValueError:
            raise fail("quantity", f"not a whole number: {quantity[:40]!r}") from None
        if not _is_quantity(amount):
            raise fail(
                "quantity",
                f"must be a whole number from {limits.QUANTITY_MIN} to {limits.QUANTITY_MAX:,}, "
                f"got {quantity[:40]}",
            )
    return Asset(
        asset_id,
        vendor,
        product,
        category,
        function,
        network,
        country,
        use,
        status,
        amount,
        site,
        model,
        parse_date(installed_on, path, line, "installed_on") if installed_on else None,
        parse_date(identified_on, path, line, "identified_on") if identified_on else None,
        flags,
        line,
        origin,
        mac,
    )


def _check_cells(path: Path | str, line: int, values: list[str], cap: int) -> None:
    """The row's cells within the value domain every store accepts (no NUL, valid Unicode) and
    the field-size cap. The whole row is tested at once, and each cell only when it fails: the
    common path is a join and two scans in C."""
    joined = "".join(values)
    if len(joined) <= cap and limits.text_problem(joined) is None:
        return
    for name, value in zip(COLUMNS, values, strict=True):
        if len(value) > cap:
            raise limits.breach(path, limits.Limit.FIELD_CHARS, "the field", line=line, field=name)
        problem = limits.text_problem(value)
        if problem is not None:
            raise InputError(path, problem, line=line, field=name)


def _not_a_country(text: str) -> str:
    """The refusal of a country cell that is not a code, naming the code when it is a
    country's name or alias ("Czech Republic" is CZ)."""
    code = country_code(text)
    hint = f" (did you mean {code!r}?)" if code is not None else ""
    return f"expected a two-letter ISO country code, got {text!r}{hint}"


def _is_quantity(amount: int) -> bool:
    return limits.QUANTITY_MIN <= amount <= limits.QUANTITY_MAX


def _mac_cell(fail: Callable[[str, str], InputError], mac_text: str, oui_text: str) -> str:
    """The row's MAC (or bare OUI) in canonical form; a MAC and an OUI that disagree fail."""
    from dutybound.engine.macs import oui_of, parse_mac

    parsed: dict[str, str] = {}
    for name, text in (("mac", mac_text), ("oui", oui_text)):
        if text:
            try:
                parsed[name] = parse_mac(text)
            except ValueError as exc:
                raise fail(name, str(exc)) from None
    if len(parsed) == 2 and oui_of(parsed["mac"]) != oui_of(parsed["oui"]):
        raise fail("oui", f"OUI {oui_text!r} is not the prefix of MAC {mac_text!r}")
    return parsed.get("mac") or parsed["oui"]


def _mac_or_none(pair: tuple[str, str]) -> str | None:
    try:
        return _mac_cell(_no_line, *pair) if pair[0] or pair[1] else ""
    except InputError:
        return None  # the row-by-row path names the line


def _no_line(field: str, message: str) -> InputError:
    return InputError("", message, field=field)


def _mapped(
    values: list[str], transform: Callable[[str], Any], valid: Callable[[Any], bool]
) -> list[Any] | None:
    """``values`` transformed, each distinct value once; None if one is not ``valid``."""
    distinct = list(set(values))
    converted = convert_distinct(distinct, transform, valid)
    if converted is None:
        return None
    table = dict(zip(distinct, converted, strict=True))
    return list(map(table.__getitem__, values))


def convert_distinct(
    values: Sequence[str], transform: Callable[[str], Any], valid: Callable[[Any], bool]
) -> list[Any] | None:
    """Each of ``values`` (distinct cells) transformed (``COLUMN_RULES``); None as soon as one
    raises ValueError or is not ``valid``: the row path then names the row."""
    out = []
    for value in values:
        try:
            result = transform(value)
        except ValueError:
            return None
        if not valid(result):
            return None
        out.append(result)
    return out


def _country(value: str) -> str:
    return value.upper()


def _is_country(value: str) -> bool:
    return len(value) == 2 and value.isalpha()


# how a flag is stated true or false: "remote_admin_cn", "remote_admin_cn=yes", "...=no"
_TRUE_WORDS = frozenset({"yes", "true", "y", "1"})
_FALSE_WORDS = frozenset({"no", "false", "n", "0"})
FALSE_SUFFIX = "=no"


def parse_flags(text: str) -> tuple[str, ...]:
    """The flags of a ``;``-separated cell, sorted: ``name`` for a fact stated true and
    ``name=no`` for a fact stated false (``engine.rules.build_signatures`` splits them).

    Why a false form at all: a rule that turns on a flag (2 CFR 200.216 on federal award money)
    asks for it in the review list while the inventory is silent; stating the fact false is how
    an operator closes that question, and silence is never read as "no". ValueError on an
    unknown flag or value, or a flag stated both ways.
    """
    out: set[str] = set()
    for token in text.split(";"):
        token = token.strip().lower().replace(" ", "")
        if not token:
            continue
        name, _, value = token.partition("=")
        if name not in vocab.FLAGS:
            raise ValueError(unknown("flag", name, vocab.FLAGS))
        if not value or value in _TRUE_WORDS:
            out.add(name)
        elif value in _FALSE_WORDS:
            out.add(name + FALSE_SUFFIX)
        else:
            raise ValueError(
                f"flag {name!r}: {value!r} is not yes or no (yes, true, y, 1 or no, false, n, 0; "
                "leave the flag out when it is not known)"
            )
    both = sorted(f for f in out if f + FALSE_SUFFIX in out)
    if both:
        raise ValueError(f"flag {both[0]!r} is stated both true and false")
    return tuple(sorted(out))


def _flags_or_none(text: str) -> tuple[str, ...] | None:
    try:
        return parse_flags(text)
    except ValueError:
        return None


def assets_from_columns(columns: Sequence[list[str]], lines: list[int]) -> list[Asset] | None:
    """Validate a whole inventory column by column (values in ``COLUMNS`` order, stripped).

    The fast path for large files: each column's distinct values are checked once, and no Python
    code runs per row. It returns None as soon as anything is wrong; the caller then runs
    ``assets_from_rows``, which finds the first bad row and names its line and field. The
    caller has checked the text's value domain and field sizes (``inventory._csv_assets`` does,
    on the whole file at once, cheaper than per cell). A test
    checks that both paths give the same assets whenever this one succeeds.
    """
    (
        asset_id,
        vendor,
        category,
        function,
        country,
        status,
        product,
        network,
        use,
        quantity,
        site,
        model,
        installed_on,
        identified_on,
        flags_text,
        origin,
        mac_text,
        oui_text,
    ) = columns
    if any("" in column for column in (asset_id, category, function, country, status)):
        return None
    if any(mac_text) or any(oui_text):
        pairs = list(zip(mac_text, oui_text, strict=True))
        table: dict[tuple[str, str], str] = {}
        for pair in set(pairs):
            mac = _mac_or_none(pair)
            if mac is None:
                return None
            table[pair] = mac
        macs = list(map(table.__getitem__, pairs))
        if "" in vendor and not all(v or m for v, m in zip(vendor, macs, strict=True)):
            return None
    else:
        if "" in vendor:
            return None
        macs = [""] * len(vendor)
    if len(set(asset_id)) != len(asset_id):
        return None
    checked = [
        _mapped(category, *COLUMN_RULES["category"]),
        _mapped(function, *COLUMN_RULES["function"]),
        _mapped(status, *COLUMN_RULES["status"]),
        _mapped(network, *COLUMN_RULES["network"]),
        _mapped(use, *COLUMN_RULES["use"]),
        _mapped(country, *COLUMN_RULES["country"]),
        _mapped(origin, *COLUMN_RULES["origin"]),
        _mapped(quantity, *COLUMN_RULES["quantity"]),
        _mapped(installed_on, *COLUMN_RULES["installed_on"]),
        _mapped(identified_on, *COLUMN_RULES["identified_on"]),
        _mapped(flags_text, *COLUMN_RULES["flags"]),
    ]
    if any(column is None for column in checked):
        return None
    valid = cast("list[list[Any]]", checked)
    (
        category,
        function,
        status,
        network,
        use,
        country,
        origin,
        amount,
        installed,
        identified,
        flags,
    ) = valid
    with paused_gc():
        return list(
            map(
                Asset,
                asset_id,
                vendor,
                product,
                category,
                function,
                network,
                country,
                use,
                status,
                amount,
                site,
                model,
                installed,
                identified,
                flags,
                lines,
                origin,
                macs,
            )
        )


def _always(_value: Any) -> bool:
    return True


def _optional_date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# How each checked column's cell becomes its value, and which values are valid: the checks of the
# column paths (``assets_from_columns``, and ``engine.inventory_columns`` for a large inventory),
# run once per distinct cell. A ValueError or an invalid value sends the rows to the row-by-row
# path (``assets_from_rows``), which names the line and field.
COLUMN_RULES: dict[str, tuple[Callable[[str], Any], Callable[[Any], bool]]] = {
    "category": (str.lower, vocab.CATEGORIES.__contains__),
    "function": (str.lower, vocab.FUNCTIONS.__contains__),
    "status": (str.lower, vocab.STATUSES.__contains__),
    "network": (str.lower, lambda v: not v or v in vocab.NETWORKS),
    "use": (str.lower, lambda v: not v or v in vocab.USES),
    "country": (_country, _is_country),
    "origin": (_country, lambda v: not v or _is_country(v)),
    "quantity": (lambda v: int(v) if v else 1, _is_quantity),
    "installed_on": (_optional_date, _always),
    "identified_on": (_optional_date, _always),
    "flags": (_flags_or_none, lambda fs: fs is not None),
}
