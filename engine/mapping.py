"""A mapping file: how one organisation's inventory export says what dutybound's columns say.

A CMDB export has its own column names ("Device Type") and its own words ("Switch", "In
Service", "Czech Republic"). Renaming them by hand in every export is the step people get wrong,
so ``--map mapping.yaml`` states the translation once::

    columns:            # header as written in the file -> dutybound column
      Device Type: category
    values:             # per dutybound column: cell text -> dutybound word
      category:
        Switch: telecom_equipment
      status:
        In Service: installed

Country names ("Czech Republic", "Czechia", "DEU") are known without a mapping, from ISO 3166
through ``pycountry`` (a maintained list, not a hand-kept one), and so are a few lifecycle words
every CMDB uses (``STATUS_SYNONYMS``). A mapping's own entries win over both. The schema is
strict: an unknown key, a column that does not exist or a target value outside the vocabulary is
an error naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from dutybound.engine import vocabulary as vocab
from dutybound.engine.errors import InputError
from dutybound.engine.yamlfile import load_yaml

# Columns whose values a mapping may translate, with the words each accepts (None: free text,
# checked by the inventory reader, e.g. a country code).
MAPPABLE: dict[str, frozenset[str] | None] = {
    **vocab.ASSET_FIELDS,
    "country": None,
    "origin": None,
}

# Lifecycle words of common CMDB and NetBox exports (lower case) -> dutybound status.
STATUS_SYNONYMS: dict[str, str] = {
    "in service": "installed",
    "in use": "installed",
    "active": "installed",
    "live": "installed",
    "production": "installed",
    "deployed": "installed",
    "operational": "installed",
    "offline": "installed",
    "failed": "installed",
    "staged": "planned",
    "staging": "planned",
    "on order": "in_procurement",
    "ordered": "in_procurement",
    "procurement": "in_procurement",
    "inventory": "in_procurement",
    "in stock": "in_procurement",
    "retired": "decommissioned",
    "decommissioning": "decommissioned",
    "disposed": "decommissioned",
    "removed": "decommissioned",
    "end of life": "decommissioned",
}


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file. Keys are compared case- and space-insensitively (``key``)."""

    source: str = ""
    # normalised header -> dutybound column
    columns: dict[str, str] = field(default_factory=dict)
    # dutybound column -> normalised cell text -> dutybound value
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def translate(self, column: str, text: str) -> str:
        """The dutybound value for a cell of ``column``: the mapping's entry, else a known
        synonym (country names, lifecycle words), else the text unchanged."""
        if not text:
            return text
        mapped = self.values.get(column, {}).get(key(text))
        if mapped is not None:
            return mapped
        if column in ("country", "origin"):
            return country_code(text) or text
        if column == "status":
            return STATUS_SYNONYMS.get(key(text), text)
        return text


NO_MAPPING = Mapping()


def key(text: str) -> str:
    """How headers and cells are compared: lower case, '_' and '-' as spaces, spaces collapsed."""
    return " ".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country named by its code, alpha-3 code, name, official
    name, common name or common alias ("Czech Republic", "Czechia", "CZE", "UK"), through the
    project's one country resolver (``engine.suggest.country_code``); None if it names no
    country (the European Union is a jurisdiction, not where an asset is). Exact lookups only:
    a guess is the suggestion's job, not the reader's."""
    from dutybound.engine.suggest import country_code as resolve

    code = resolve(text)
    return code if code is not None and code != "EU" else None


def _key_lines(path: Path) -> dict[tuple[str, ...], int]:
    """The line of every key of the file, by its path of keys: an error about a key points at
    the key, not at the value below it. (The file has been parsed once already: it is valid.)"""
    import yaml

    from dutybound.engine.yamlfile import read_text

    root = yaml.compose(read_text(path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    lines: dict[tuple[str, ...], int] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, trail = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                at = (*trail, str(k.value))
                lines[at] = k.start_mark.line + 1
                stack.append((v, at))
    return lines


def load_mapping(path: Path | None) -> Mapping:
    """Read and check a mapping file; ``NO_MAPPING`` when none is given."""
    if path is None:
        return NO_MAPPING
    doc = load_yaml(path)
    data: Any = doc.data
    keys = _key_lines(path)

    def fail(loc: tuple[str | int, ...], message: str) -> InputError:
        line = keys.get(tuple(str(p) for p in loc)) or doc.line_of(loc)
        return InputError(path, message, line=line, field=".".join(str(p) for p in loc) or None)

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise fail((), "a mapping file is a mapping with 'columns' and/or 'values'")
    for name in data:
        if name not in ("columns", "values"):
            raise fail((name,), f"unknown key {name!r}; allowed: columns, values")
    from dutybound.engine.inputs import COLUMNS

    columns: dict[str, str] = {}
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        raise fail(("columns",), "must map headers to columns, e.g. 'Device Type: category'")
    for header, column in raw_columns.items():
        if not isinstance(column, str) or column not in COLUMNS:
            raise fail(
                ("columns", header),
                f"{column!r} is not a dutybound column; columns: {', '.join(COLUMNS)}",
            )
        columns[key(str(header))] = column
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        raise fail(("values",), "must map columns to value tables, e.g. 'status: {In Service: …}'")
    for column, table in raw_values.items():
        if column not in MAPPABLE:
            raise fail(
                ("values", column),
                f"values of {column!r} cannot be mapped; mappable: {', '.join(sorted(MAPPABLE))}",
            )
        if not isinstance(table, dict):
            raise fail(("values", column), "must map cell text to a value, e.g. 'Switch: router'")
        allowed = MAPPABLE[column]
        out: dict[str, str] = {}
        for text, value in table.items():
            target = str(value).strip() if isinstance(value, str | int) else None
            if target is not None and allowed is None:
                target = country_code(target)
            ok = target is not None and (allowed is None or target.lower() in allowed)
            if not ok:
                expected = (
                    ", ".join(sorted(allowed)) if allowed is not None else "an ISO country code"
                )
                raise fail(
                    ("values", column, text),
                    f"{value!r} is not a {column} value; allowed: {expected}",
                )
            assert target is not None
            out[key(str(text))] = target.lower() if allowed is not None else target
        values[column] = out
    return Mapping(str(path), columns, values)
