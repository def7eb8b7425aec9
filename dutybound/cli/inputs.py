"""Everything a command reads before it runs: dates and ``--default`` values as users type
them, the rule pack, the profile, the inventory and the waivers.

All of it is read and validated before anything is evaluated or written, so that bad input ends
the command (``InputError``, exit 2 at the boundary) with nothing half done. The engine modules
are imported inside the functions: ``dutybound --help`` should not pay for them.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

from rich.markup import escape

from dutybound.cli.boundary import err
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from dutybound.engine.attestations import Attestation
    from dutybound.engine.inputs import Asset, Profile
    from dutybound.engine.loading import RulePack
    from dutybound.engine.notices import Notice
    from dutybound.engine.waivers import Waiver

# The inputs live until the process ends; from this many assets on they are moved out of the
# garbage collector's sight (see ``load_inputs``).
FREEZE_MIN_ASSETS = 10_000


class Inputs(NamedTuple):
    """The validated inputs of one evaluation."""

    pack: RulePack
    operator: Profile
    inventory: Sequence[Asset]
    day: dt.date
    # roles assumed with --as-role that the profile does not declare
    hypothetical: frozenset[str]


def parse_date(option: str, value: str) -> dt.date:
    """A date option's value; the error names the option."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(option, f"not an ISO date (YYYY-MM-DD): {value!r}") from None


def parse_as_of(value: str) -> dt.date:
    return parse_date("--as-of", value)


def parse_defaults(values: list[str] | None) -> dict[str, str]:
    """``--default column=value`` options as a mapping (columns in lower case)."""
    out = {}
    for item in values or []:
        column, sep, value = item.partition("=")
        if not sep or not column.strip() or not value.strip():
            raise InputError("--default", f"expected COLUMN=VALUE, got {item!r}")
        out[column.strip().lower()] = value.strip()
    return out


def load_pack(law_dir: Path | None) -> RulePack:
    """The rule pack in ``law_dir``, or the bundled one."""
    from dutybound.engine.loading import load_rulepack

    return load_rulepack(law_dir)


def load_inputs(
    profile: Path,
    assets: Path | None,
    as_of: str,
    law_dir: Path | None,
    as_role: list[str] | None,
    defaults: list[str] | None = None,
    sheet: str | None = None,
    assume: list[str] | None = None,
    mapping: Path | None = None,
    notices: list[Notice] | None = None,
) -> Inputs:
    """Read and validate the date, rule pack, profile (with any ``--as-role``) and inventory
    (through the ``--map`` mapping file, if any).

    The columns read under another name than their header are listed on stderr, so that the
    user can check the guess. What qualifies the inventory as a whole (BOM components left out
    for want of a supplier) is printed there too, and added to ``notices`` when the caller
    passes a list, for it to put into the evaluation's notices.
    """
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.mapping import load_mapping
    from dutybound.engine.roles import assume_roles

    day = parse_as_of(as_of)
    table = load_mapping(mapping)
    pack = load_pack(law_dir)
    if assume:
        from dutybound.engine.powers import assume as assume_decisions
        from dutybound.engine.powers import parse_assumption

        pack = assume_decisions(pack, [parse_assumption(text, pack) for text in assume])
    operator = load_profile(profile, pack)
    hypothetical = frozenset(as_role or []) - set(operator.roles)
    if as_role:
        operator = assume_roles(pack, operator, as_role)
    inventory: Sequence[Asset] = []
    if assets is not None:
        read = read_inventory(assets, parse_defaults(defaults), sheet, table)
        inventory = read.assets
        for notice in read.notices:
            err.print(f"note: {escape(notice.message)}", highlight=False)
        if notices is not None:
            notices.extend(read.notices)
        renamed = read.renamed()
        if renamed:
            err.print(
                "columns read: " + ", ".join(f"{escape(h)!r} as {c}" for h, c in renamed),
                highlight=False,
            )
    # A large inventory is over a million objects that every full collection during the
    # evaluation would walk again; frozen, the collector skips them. Small inventories gain
    # nothing, and the tests that run the CLI in-process stay unfrozen.
    if len(inventory) >= FREEZE_MIN_ASSETS:
        gc.freeze()
    return Inputs(pack, operator, inventory, day, hypothetical)


def uses_database(db: str | None, store: bool | None) -> bool:
    """Whether this run reads and writes the store (see ``options.Store``)."""
    from dutybound.engine.store import ENV_URL  # a constant: imports no database library

    return store is True or (store is None and bool(db or os.environ.get(ENV_URL)))


class _Record(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Record)


def _with_register(found: list[R], stored: list[R], path: Path | None, what: str) -> list[R] | None:
    """The records of a file and of the register together, an id in both being an input error
    (which one counts would otherwise depend on the order); None when there are none."""
    in_file = {r.id for r in found}
    for record in stored:
        if record.id in in_file:
            raise InputError(
                str(path),
                f"{what} {record.id} is also in the {what} register; keep one",
                field="id",
            )
    return [*found, *stored] or None


def load_attestations(
    path: Path | None,
    pack: RulePack,
    operator: Profile,
    db: str | None = None,
    store: bool | None = False,
) -> list[Attestation] | None:
    """The attestations that apply: those in ``--attestations`` and, when the run uses the
    database, those recorded for the operator in its register. None when there are none."""
    from dutybound.engine.attestations import load_attestations as read_attestations

    found = read_attestations(path, pack, operator.name) if path is not None else []
    stored: list[Attestation] = []
    if uses_database(db, store):
        from dutybound.engine.store.attestation_register import stored_attestations

        stored = stored_attestations(operator.name, pack, db)
    return _with_register(found, stored, path, "attestation")


def load_waivers(
    path: Path | None,
    pack: RulePack,
    operator: Profile,
    db: str | None = None,
    store: bool | None = False,
) -> list[Waiver] | None:
    """The waivers that apply: those in ``--waivers`` and, when the run uses the database,
    those recorded for the operator in its register. None when there are none."""
    from dutybound.engine.waivers import load_waivers as read_waivers

    found = read_waivers(path, pack, operator.name) if path is not None else []
    stored: list[Waiver] = []
    if uses_database(db, store):
        from dutybound.engine.store.waiver_register import stored_waivers

        stored = stored_waivers(operator.name, pack, db)
    return _with_register(found, stored, path, "waiver")
