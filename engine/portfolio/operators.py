"""The operators of a portfolio: where each one's profile and inventory are.

A portfolio folder holds one sub-folder per operator, named after it, with a ``profile.yaml``
and exactly one inventory (``assets.csv``, ``.xlsx``, ``.json`` or ``.parquet``). The folder is
checked whole before anything runs, and every problem is reported at once with its path: a
person fixing a portfolio of hundreds of clients should not find the mistakes one run at a time.
What is wrong inside a profile or an inventory is found when that operator is evaluated, and
costs only that operator (an error row in the summary).

Operators can also be read back from the store (``--operators DB-URL``): the store keeps every
stored evaluation's profile and inventory (``engine.store.records``), so the latest stored
inputs of each operator can be evaluated again, on another date or under a newer law.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dutybound.engine.errors import InputError

PROFILE_FILE = "profile.yaml"
# the inventory file names an operator folder may hold, in the order they are looked for
INVENTORY_FILES = ("assets.csv", "assets.xlsx", "assets.json", "assets.parquet")


class Source(StrEnum):
    """Where an operator's inputs come from."""

    folder = "folder"
    store = "store"


@dataclass(frozen=True)
class Operator:
    """One operator of a portfolio. ``name`` is its folder's name (or, from the store, the
    profile's name): the key of its row in the summary and of its output file.

    From a folder, ``profile`` and ``inventory`` are its files; from the store,
    ``stored_evaluation`` is the id of the latest stored evaluation whose inputs it re-uses."""

    name: str
    source: Source
    profile: Path | None = None
    inventory: Path | None = None
    stored_evaluation: int | None = None


def is_database_url(value: str) -> bool:
    """Whether ``--operators`` names a database (``sqlite:///…``, ``postgresql://…``) rather
    than a folder."""
    return "://" in value


def discover(root: Path) -> list[Operator]:
    """The operators of a portfolio folder, sorted by name; every problem of the folder is
    raised together (``InputErrors``), each naming its path."""
    if not root.exists():
        raise InputError(root, "no such folder (--operators: a folder of operator folders)")
    if not root.is_dir():
        raise InputError(root, "not a folder (--operators: a folder of operator folders)")
    # absolute: the workers read the files, and a worker's working folder (on another machine,
    # or a Dask worker started elsewhere) is not this command's
    root = root.absolute()
    problems: list[InputError] = []
    found: list[Operator] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        profile = folder / PROFILE_FILE
        inventories = [folder / n for n in INVENTORY_FILES if (folder / n).is_file()]
        if not profile.is_file():
            problems.append(
                InputError(folder, f"no {PROFILE_FILE}: each operator folder needs one")
            )
        if not inventories:
            problems.append(
                InputError(folder, f"no inventory: give one of {', '.join(INVENTORY_FILES)}")
            )
        elif len(inventories) > 1:
            problems.append(
                InputError(
                    folder,
                    "more than one inventory ("
                    + ", ".join(p.name for p in inventories)
                    + "): keep one, so that it is clear which was evaluated",
                )
            )
        if profile.is_file() and len(inventories) == 1:
            found.append(Operator(folder.name, Source.folder, profile, inventories[0]))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        # each problem with its own path (InputErrors keeps only the first one's)
        raise InputError(
            root,
            f"{len(problems)} problems:\n" + "\n".join(f"  {p}" for p in problems),
        )
    if not found:
        raise InputError(root, "no operator folders (each needs profile.yaml and an inventory)")
    return found


def from_store(url: str) -> list[Operator]:
    """The operators of the store at ``url``: for each tenant and operator name, the latest
    stored evaluation, whose profile and inventory are evaluated again. Sorted by name (the
    tenant is part of the name when there is more than one)."""
    from dutybound.engine.store import list_evaluations

    latest: dict[tuple[str, str], tuple[int, dt.datetime]] = {}
    for record, tenant, name in list_evaluations(url):
        assert record.id is not None
        latest[(tenant, name)] = (record.id, record.stored_at)
    if not latest:
        raise InputError(url, "the store holds no evaluation to take operators from")
    tenants = {t for t, _ in latest}
    operators = [
        Operator(
            name if len(tenants) == 1 else f"{tenant}.{name}",
            Source.store,
            stored_evaluation=evaluation_id,
        )
        for (tenant, name), (evaluation_id, _) in latest.items()
    ]
    return sorted(operators, key=lambda o: o.name)
