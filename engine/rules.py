"""Compiling obligations into rules, and inventories into signature facts.

A *rule* is the applicability test of one obligation: which roles, and which asset attribute
values. A *signature* is one distinct combination of exactly the attributes rules read (vendor
group, relationship, category, function, network, use, status, country, flags). A 100k-row
inventory typically has a few hundred signatures; both evaluators work on signatures, and the
findings stage expands the matches back to assets. Time (effective windows, deadlines) is not in
the rules: it is applied afterwards, as of the evaluation date, by ``engine.findings``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from dutybound.engine.asset_table import ROW, AssetTable, RowIndexes
from dutybound.engine.inputs import FALSE_SUFFIX, Asset
from dutybound.engine.loading import LoadedObligation, RulePack
from dutybound.engine.vendors import VendorMatch

DEFAULT_RELATIONSHIPS = ("parent", "subsidiary", "affiliate", "brand")

# The signature fields, in a fixed order.
SIGNATURE_FIELDS = (
    "group",
    "relationship",
    "category",
    "function",
    "network",
    "use",
    "status",
    "country",
    "origin",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """The applicability test of one obligation (see module docstring)."""

    id: str
    jurisdiction: str
    roles: tuple[str, ...]
    asset_level: bool
    # (field, allowed values): every field must hold one of its values
    tests: tuple[tuple[str, tuple[str, ...]], ...]
    flags_all: tuple[str, ...]
    flags_none: tuple[str, ...]
    # (field, excluded values): the field must hold none of them
    tests_not: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # every field named by tests and tests_not (derived once: findings ask per evaluation)
    tested_fields: frozenset[str] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "tested_fields", frozenset(name for name, _ in (*self.tests, *self.tests_not))
        )


@dataclass(frozen=True, slots=True)
class Signature:
    id: str
    values: tuple[str, ...]  # in SIGNATURE_FIELDS order; "" for no value
    flags: tuple[str, ...]
    # flags the inventory states are false ("federal_award_funded=no"): a rule that needs one is
    # not met, and no review asks for it; rules never read these (an unset flag is not set)
    flags_false: tuple[str, ...] = ()

    def get(self, field: str) -> str:
        return self.values[SIGNATURE_FIELDS.index(field)]

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = dict(zip(SIGNATURE_FIELDS, self.values, strict=True))
        data["flags"] = list(self.flags)
        if self.flags_false:
            data["flags_false"] = list(self.flags_false)
        return data


def compile_rule(item: LoadedObligation, pack: RulePack) -> Rule:
    ob = item.obligation
    scope = ob.assets
    if scope is None:
        return Rule(ob.id, item.jurisdiction, tuple(sorted(ob.roles)), False, (), (), ())
    tests: list[tuple[str, tuple[str, ...]]] = []
    if item.designation is not None:
        tests.append(("group", tuple(sorted(item.designation.vendor_groups))))
        relationships = scope.relationships or item.designation.relationships
        tests.append(("relationship", tuple(sorted(relationships))))
    elif scope.vendor_groups:
        tests.append(("group", tuple(sorted(scope.vendor_groups))))
        tests.append(("relationship", tuple(sorted(scope.relationships or DEFAULT_RELATIONSHIPS))))
    for field, values in (
        ("category", scope.categories),
        ("function", scope.functions),
        ("network", scope.networks),
        ("use", scope.uses),
        ("status", scope.statuses),
        ("origin", scope.origins),
    ):
        if values:
            tests.append((field, tuple(sorted(values))))
    if not scope.anywhere:
        countries = scope.countries or pack.jurisdictions[item.jurisdiction].territory
        tests.append(("country", tuple(sorted(countries))))
    tests_not: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if scope.origins_not:
        # an unknown origin is not "foreign": it goes to review, not to a finding
        tests_not = (("origin", ("", *sorted(scope.origins_not))),)
    return Rule(
        ob.id,
        item.jurisdiction,
        tuple(sorted(ob.roles)),
        True,
        tuple(tests),
        tuple(sorted(scope.flags_all or ())),
        tuple(sorted(scope.flags_none or ())),
        tests_not,
    )


def compile_rules(pack: RulePack, jurisdictions: list[str] | None = None) -> list[Rule]:
    """Rules of the given jurisdictions (all when None), in a stable order. The full list is
    compiled once per pack and reused (a service checks thousands of items against it)."""
    key = "rules:" + (",".join(sorted(jurisdictions)) if jurisdictions is not None else "*")
    cached = pack.cache.get(key)
    if cached is None:
        wanted = set(jurisdictions) if jurisdictions is not None else None
        cached = pack.cache[key] = sorted(
            (
                compile_rule(item, pack)
                for item in pack.obligations
                if wanted is None or item.jurisdiction in wanted
            ),
            key=lambda r: r.id,
        )
    return cached


def build_signatures(
    assets: Sequence[Asset],
    matches: dict[str, VendorMatch],
) -> tuple[list[Signature], Sequence[RowIndexes]]:
    """Distinct signatures and, for each, the indexes of the assets that have it (a NumPy
    array for a table, ``engine.asset_table``). Numbered in the order of their first asset."""
    if isinstance(assets, AssetTable):
        return _table_signatures(assets, matches)
    # two passes: group rows by their raw attributes (one C-level tuple per row), then fold the
    # vendor strings into vendor groups, which merges rows of different spellings
    raw = attrgetter(*_RAW_FIELDS, "flags")
    by_raw: dict[tuple[Any, ...], list[int]] = {}
    for i, key in enumerate(map(raw, assets)):
        rows = by_raw.get(key)
        if rows is None:
            by_raw[key] = [i]
        else:
            rows.append(i)
    numbering = _Numbering(matches)
    members: list[list[int]] = []
    for raw_key, rows in by_raw.items():
        n = numbering.number(raw_key)
        if n == len(members):
            members.append([])
        members[n].extend(rows)
    for rows in members:
        rows.sort()
    return numbering.signatures, members


class _Numbering:
    """Signatures numbered in the order their raw attributes are met: each raw key (vendor
    name, the other attributes, flags) folded into vendor group and relationship. Rows of
    different spellings of one vendor then share a signature."""

    def __init__(self, matches: dict[str, VendorMatch]) -> None:
        self.matches = matches
        self.signatures: list[Signature] = []
        self._index: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}

    def number(self, raw_key: tuple[Any, ...]) -> int:
        """The signature number of a raw key (``_RAW_FIELDS`` and flags), a new one if need be."""
        vendor, category, function, network, use, status, country, origin, flags = raw_key
        match = self.matches[vendor]
        # an uncertain match is never applied silently: it goes to review, not into the rules
        group = "" if match.needs_review else match.group or ""
        relationship = "" if match.needs_review else match.relationship or ""
        values = (group, relationship, category, function, network, use, status, country, origin)
        n = self._index.get((values, flags))
        if n is None:
            n = self._index[(values, flags)] = len(self.signatures)
            self.signatures.append(Signature(f"s{n}", *_split_flags(values, flags)))
        return n


def _table_signatures(
    table: AssetTable, matches: dict[str, VendorMatch]
) -> tuple[list[Signature], Sequence[RowIndexes]]:
    """``build_signatures`` of a table: worked per key (engine.asset_table), the rows of each
    signature found by one stable sort of a signature number per row."""
    import numpy as np

    numbering = _Numbering(matches)
    of_key = np.zeros(len(table.keys), dtype=ROW)
    fields = [table.field(f) for f in (*_RAW_FIELDS, "flags")]
    # keys in the order of their first row, as the row-by-row pass meets them
    for k in table.keys_in_row_order():
        of_key[k] = numbering.number(tuple(table.keys[k][f] for f in fields))
    signatures = numbering.signatures
    row_signature = of_key[table.key]
    order = np.argsort(row_signature, kind="stable").astype(ROW)
    bounds = np.cumsum(np.bincount(row_signature, minlength=len(signatures)))[:-1]
    return signatures, np.split(order, bounds)


_RAW_FIELDS = ("vendor", "category", "function", "network", "use", "status", "country", "origin")


def _split_flags(
    values: tuple[str, ...], flags: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(values, flags stated true, flags stated false) from an asset's flags
    (``engine.inputs.parse_flags`` writes a false one as ``name=no``)."""
    true = tuple(f for f in flags if not f.endswith(FALSE_SUFFIX))
    false = tuple(f.removesuffix(FALSE_SUFFIX) for f in flags if f.endswith(FALSE_SUFFIX))
    return values, true, false


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A key safe for durable-rules (no dots, which it reads as nested paths)."""
    return _SLUG.sub("_", text.lower()).strip("_")


def signature_matches(rule: Rule, sig: Signature, ignore: frozenset[str] = frozenset()) -> bool:
    """Whether a signature meets a rule's asset tests (roles and jurisdiction aside).

    ``ignore`` drops some tests (fields or flags): a cap measures its denominator as "the same
    scope, any vendor"; a review asks whether a rule would apply once an unstated fact is known.
    """
    return (
        all(sig.get(field) in values for field, values in rule.tests if field not in ignore)
        and all(
            sig.get(field) not in values for field, values in rule.tests_not if field not in ignore
        )
        and all(f in sig.flags for f in rule.flags_all if f not in ignore)
        and not any(f in sig.flags for f in rule.flags_none if f not in ignore)
    )
