"""Which column of an uploaded inventory was read as which dutybound column, for the result page.

The engine's reader says it (``engine.inventory.Inventory.columns``: the header as written in
the file, the column it was read as, after the built-in synonyms such as "Manufacturer" for
vendor); a person checks there that "Device Type" was not read as something it is not. It is
read from the inventory stored with the result, once per distinct upload: the bytes of a stored
result never change, so the answer is kept by their SHA-256.
"""

from __future__ import annotations

import tempfile
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from dutybound.engine.errors import InputError
from dutybound.service import db
from dutybound.service.state import Service

KEPT = 256  # distinct uploads whose columns are kept


@dataclass(frozen=True)
class ColumnsRead:
    """The upload's format, its (header as written, column read as) pairs in file order, and
    the headers read under another name (a synonym: worth a second look)."""

    format: str
    columns: list[tuple[str, str]]
    renamed: frozenset[str]


_kept: OrderedDict[tuple[str, str], ColumnsRead] = OrderedDict()
_lock = threading.Lock()


def read_columns(filename: str, body: bytes) -> ColumnsRead | None:
    """The columns the engine's reader reads in this upload; None when it refuses the file
    (the result page then says nothing about columns: its problems were shown at upload)."""
    from dutybound.engine.inventory import read_inventory

    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="dutybound-columns-") as tmp:
        path = Path(tmp) / f"inventory{suffix}"
        path.write_bytes(body)
        try:
            inventory = read_inventory(path)
        except InputError:
            return None
    renamed = frozenset(header for header, _ in inventory.renamed())
    return ColumnsRead(inventory.format, list(inventory.columns), renamed)


def columns_of(svc: Service, result_id: str) -> ColumnsRead | None:
    """The columns read from the inventory stored with this result; None for a result stored
    without its inventory."""
    inputs = db.result_input(svc.db, result_id)
    if inputs is None:
        return None
    cache_key = (inputs.inventory_sha256, Path(inputs.filename).suffix.lower())
    with _lock:
        found = _kept.get(cache_key)
    if found is not None:
        return found
    found = read_columns(inputs.filename, zlib.decompress(inputs.inventory_zlib))
    if found is not None:
        with _lock:
            _kept[cache_key] = found
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return found
