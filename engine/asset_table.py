"""The assets of a large inventory held as columns: no Python object per row.

An inventory above ``engine.evaluation.COMPACT_ABOVE_ASSETS`` rows (a group counting its customer
premises equipment has ten million) cannot be held as one ``Asset`` tuple per row: a tuple, its id
string and its list slot cost about 360 bytes, 3.6 GB at 10M rows. Its rows repeat a few hundred
combinations of the attributes the law looks at, so an ``AssetTable`` keeps each row as numbers:

- the attributes the rules, the review and the vendor matching read (vendor, category, function,
  network, use, status, country, origin, flags, model, MAC) as one code into a list of distinct
  ``keys`` (``KEY_FIELDS`` order);
- the product and the site, which may be near-unique per row, each as a code into its own list;
- quantity, line and the two dates (as day ordinals, 0 for none) as NumPy columns;
- the ids as one Arrow string array (their bytes and an offset each, no string object).

About 50 bytes a row in all (docs/adr/0013-streaming-evaluation.md). The table is a
``Sequence[Asset]``: code written for lists (a stored evaluation, the web pages, ``explain``)
reads it row by row and gets the same ``Asset`` tuples the list would hold, made on demand. The
evaluation's steps that run on every large inventory read the columns instead
(``keys_in_row_order``, ``rows_where``, ``first_ids``), so that no step makes an object per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from dutybound.engine.inputs import Asset

if TYPE_CHECKING:
    import pyarrow as pa

# An inventory of more than this many rows is held as a table (its reader switches once past it):
# the same figure as the compact JSON's (``engine.evaluation.COMPACT_ABOVE_ASSETS``), so that every
# example, test and golden file is read into a list, as before
TABLE_ABOVE_ASSETS = 100_000

# the attributes kept as one code per row, in this order in each key
KEY_FIELDS = (
    "vendor",
    "category",
    "function",
    "network",
    "use",
    "status",
    "country",
    "origin",
    "flags",
    "model",
    "mac",
)
Key = tuple[Any, ...]
_key_of = attrgetter(*KEY_FIELDS)
Rows = np.ndarray  # of row indexes (ROW, int32), ascending unless said otherwise
# a row index of a table: 4 bytes (the row cap is far below 2**31), half of NumPy's default, for
# arrays that hold every row of a finding or a signature
ROW = np.int32
# the row indexes of a list of assets (a list) or of a table (an array)
RowIndexes = Sequence[int] | np.ndarray

# rows turned into ``Asset`` tuples at a time when the table is read row by row
_ITER_BLOCK = 65_536


def _date(ordinal: int) -> dt.date | None:
    return dt.date.fromordinal(ordinal) if ordinal else None


@dataclass(eq=False)
class AssetTable(Sequence[Asset]):
    """An inventory's assets as columns (module docstring). Rows keep the file's order."""

    ids: pa.ChunkedArray
    key: np.ndarray  # int32: row -> index into keys
    keys: list[Key]
    product: np.ndarray  # int32: row -> index into products
    products: list[str]
    site: np.ndarray  # int32: row -> index into sites
    sites: list[str]
    quantity: np.ndarray  # int64
    installed: np.ndarray  # int32 day ordinals, 0 for none
    identified: np.ndarray  # int32 day ordinals, 0 for none
    line: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.key)

    @overload
    def __getitem__(self, index: int) -> Asset: ...

    @overload
    def __getitem__(self, index: slice) -> list[Asset]: ...

    def __getitem__(self, index: int | slice) -> Asset | list[Asset]:
        if isinstance(index, slice):
            return list(self._assets(np.arange(len(self))[index]))
        i = int(index)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(index)
        return self._asset(i, self.ids[i].as_py())

    def __iter__(self) -> Iterator[Asset]:
        for start in range(0, len(self), _ITER_BLOCK):
            yield from self._assets(np.arange(start, min(len(self), start + _ITER_BLOCK)))

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same assets (a list read from the same file)."""
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def _asset(self, i: int, asset_id: str) -> Asset:
        (vendor, category, function, network, use, status, country, origin, flags, model, mac) = (
            self.keys[self.key[i]]
        )
        return Asset(
            asset_id,
            vendor,
            self.products[self.product[i]],
            category,
            function,
            network,
            country,
            use,
            status,
            int(self.quantity[i]),
            self.sites[self.site[i]],
            model,
            _date(int(self.installed[i])),
            _date(int(self.identified[i])),
            flags,
            int(self.line[i]),
            origin,
            mac,
        )

    def _assets(self, rows: Rows) -> Iterator[Asset]:
        """The assets of ``rows``, their ids fetched in one Arrow call."""
        ids = self.ids_of(rows)
        for i, asset_id in zip(rows.tolist(), ids, strict=True):
            yield self._asset(i, asset_id)

    # --- column reads: what the evaluation of a large inventory uses instead of rows ----------

    def ids_of(self, rows: RowIndexes) -> list[str]:
        """The ids of ``rows``, in the order given."""
        if len(rows) == 0:
            return []
        return list(self.ids.take(as_rows(rows)).to_pylist())

    def first_ids(self, rows: RowIndexes, count: int | None) -> list[str]:
        """The ``count`` smallest ids of ``rows`` in sorted order (all of them for None): the
        order a list of ids has in an evaluation's JSON (by code point, as ``sorted``; UTF-8
        bytes sort the same way)."""
        import pyarrow.compute as pc

        if len(rows) == 0:
            return []
        if self.ids_in_order():  # row order is id order: the first rows hold the first ids
            ordered = np.sort(rows) if count is None else _smallest(np.asarray(rows), count)
            return self.ids_of(ordered)
        ids = self.ids.take(as_rows(rows))
        if count is not None and count < len(ids):
            picked = pc.select_k_unstable(ids, k=count, sort_keys=[("dummy", "ascending")])
            return sorted(ids.take(picked).to_pylist())
        return list(ids.take(pc.sort_indices(ids)).to_pylist())

    def ids_in_order(self) -> bool:
        """Whether every id sorts after the one of the row before (an inventory numbered in
        order, the common case): then picking the smallest ids is picking the first rows.
        Compared by Arrow chunk by chunk, and across the chunks' bounds; worked once."""
        held = self.__dict__.get("_ids_in_order")
        if held is None:
            held = self.__dict__["_ids_in_order"] = _ascending(self.ids)
        return bool(held)

    def keys_in_row_order(self) -> list[int]:
        """The keys some row carries, in the order of their first row (the order a pass over
        the rows meets them; the codes follow each chunk's sorted combinations instead)."""
        used, first = np.unique(self.key, return_index=True)
        return [int(k) for k in used[np.argsort(first)]]

    def vendors(self) -> set[str]:
        """The distinct vendor names."""
        at = self.field("vendor")
        return {self.keys[k][at] for k in np.flatnonzero(self.key_counts()).tolist()}

    def count_where(self, wanted: Callable[[Key], bool]) -> int:
        """How many rows carry a key for which ``wanted`` holds."""
        counts = self.key_counts()
        return int(sum(counts[k] for k, key in enumerate(self.keys) if wanted(key)))

    def key_counts(self) -> np.ndarray:
        """How many rows carry each key."""
        held = self.__dict__.get("_key_counts")
        if held is None:
            held = self.__dict__["_key_counts"] = np.bincount(self.key, minlength=len(self.keys))
        return held

    def rows_where(self, keys: Sequence[int] | np.ndarray) -> Rows:
        """The ascending indexes of the rows whose key is one of ``keys``."""
        wanted = np.zeros(len(self.keys), dtype=bool)
        wanted[np.asarray(keys, dtype=np.int64)] = True
        return np.flatnonzero(wanted[self.key]).astype(ROW)

    def field(self, name: str) -> int:
        """The position of an attribute in each key."""
        return KEY_FIELDS.index(name)

    def with_keys(self, keys: list[Key]) -> AssetTable:
        """The same rows with each key replaced by the one at the same position of ``keys``
        (``engine.macs.resolve_macs`` gives MAC-resolved vendors keys of their own)."""
        remap: dict[Key, int] = {}
        codes = np.empty(len(keys), dtype=np.int32)
        unique: list[Key] = []
        for n, k in enumerate(keys):
            code = remap.get(k)
            if code is None:
                code = remap[k] = len(unique)
                unique.append(k)
            codes[n] = code
        return AssetTable(
            self.ids,
            codes[self.key],
            unique,
            self.product,
            self.products,
            self.site,
            self.sites,
            self.quantity,
            self.installed,
            self.identified,
            self.line,
        )


def _ascending(ids: pa.ChunkedArray) -> bool:
    """Whether the ids are strictly ascending (UTF-8 bytes, as code points sort)."""
    import pyarrow.compute as pc

    last: str | None = None
    for chunk in ids.chunks:
        if len(chunk) == 0:
            continue
        if len(chunk) > 1 and not pc.all(pc.less(chunk[:-1], chunk[1:])).as_py():
            return False
        first = chunk[0].as_py()
        if last is not None and not last < first:
            return False
        last = chunk[-1].as_py()
    return True


def _smallest(rows: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` smallest of ``rows``, ascending (a partition, not a sort of them all)."""
    if count >= len(rows):
        return np.sort(rows)
    return np.sort(np.partition(rows, count - 1)[:count]) if count else rows[:0]


def as_rows(rows: RowIndexes) -> Rows:
    """Row indexes as a NumPy array (a list of a small inventory's, or an array already)."""
    return rows if isinstance(rows, np.ndarray) else np.asarray(rows, dtype=ROW)


# each NumPy column of a table, with its type ("hash" is the builder's: an id's hash)
_COLUMN_TYPES: dict[str, Any] = {
    "key": np.int32,
    "product": np.int32,
    "site": np.int32,
    "quantity": np.int64,
    "installed": np.int32,
    "identified": np.int32,
    "line": np.int64,
    "hash": np.int64,
}


class TableBuilder:
    """Collects an inventory's validated rows chunk by chunk into an ``AssetTable``.

    With ``capacity`` (the rows a Parquet file's metadata or a CSV's scan announce) the columns
    are allocated once and filled in place, instead of kept in parts and joined at the end (which
    held both at once). Each id's hash is kept beside it, so that repeated ids are found by
    sorting integers (``repeated``) rather than by a hash set of every id."""

    def __init__(self, capacity: int = 0) -> None:
        self._keys: dict[Key, int] = {}
        self._products: dict[str, int] = {}
        self._sites: dict[str, int] = {}
        self._ids: list[Any] = []
        self._full = {name: np.empty(capacity, dtype) for name, dtype in _COLUMN_TYPES.items()}
        self._parts: dict[str, list[np.ndarray]] = {name: [] for name in _COLUMN_TYPES}
        self.rows = 0

    def _code(self, table: dict[Any, int], value: Any) -> int:
        code = table.get(value)
        if code is None:
            code = table[value] = len(table)
        return code

    def codes(self, table: str, values: Sequence[Any]) -> np.ndarray:
        """Each of ``values`` (distinct values of one chunk) as its code in the whole file."""
        tables: dict[str, dict[Any, int]] = {
            "key": self._keys,
            "product": self._products,
            "site": self._sites,
        }
        held = tables[table]
        return np.fromiter((self._code(held, v) for v in values), dtype=np.int32, count=len(values))

    def add_assets(self, assets: Sequence[Asset]) -> None:
        """A chunk of validated ``Asset`` tuples (the row-by-row path), folded row by row."""
        import pyarrow as pa

        if not assets:
            return
        keys, products, sites = self._keys, self._products, self._sites
        code = self._code
        self.add_columns(
            ids=pa.array([a.asset_id for a in assets], type=pa.string()),
            key=np.fromiter((code(keys, _key_of(a)) for a in assets), np.int32, len(assets)),
            product=np.fromiter((code(products, a.product) for a in assets), np.int32),
            site=np.fromiter((code(sites, a.site) for a in assets), np.int32),
            quantity=np.fromiter((a.quantity for a in assets), np.int64),
            installed=np.fromiter(
                (a.installed_on.toordinal() if a.installed_on else 0 for a in assets), np.int32
            ),
            identified=np.fromiter(
                (a.identified_on.toordinal() if a.identified_on else 0 for a in assets), np.int32
            ),
            line=np.fromiter((a.line for a in assets), np.int64),
        )

    def add_columns(self, ids: Any, **columns: np.ndarray) -> None:
        """A chunk as columns: ``ids`` an Arrow string array, the others NumPy arrays of
        whole-file codes and values (``engine.inventory_columns``)."""
        count = len(ids)
        self._ids.append(ids)
        columns["hash"] = np.fromiter(map(hash, ids.to_pylist()), np.int64, count)
        start, end = self.rows, self.rows + count
        for name, values in columns.items():
            full = self._full[name]
            if end <= len(full) and not self._parts[name]:
                full[start:end] = values
            else:
                self._parts[name].append(values)
        self.rows = end

    def _column(self, name: str) -> np.ndarray:
        full, parts = self._full[name], self._parts[name]
        filled = full[: min(self.rows, len(full))]
        return np.concatenate([filled, *parts]) if parts else filled

    def finish(self) -> AssetTable:
        import pyarrow as pa

        def listed(table: dict[Any, int]) -> list[Any]:
            return list(table)  # a dict keeps insertion order: a value's code is its position

        return AssetTable(
            pa.chunked_array(self._ids, type=pa.string()),
            self._column("key"),
            listed(self._keys),
            self._column("product"),
            listed(self._products),
            self._column("site"),
            listed(self._sites),
            self._column("quantity"),
            self._column("installed"),
            self._column("identified"),
            self._column("line"),
        )

    def repeated(self) -> Rows:
        """The rows whose id's hash another row shares (ascending): the candidates for a
        repeated id, compared as text by the caller. Usually none, found by one sort."""
        ordered = self._column("hash")
        ordered.sort()  # in place: the column is not read again unless a hash repeats
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            return np.empty(0, dtype=ROW)
        shared = ordered[1:][same]
        hashes = np.concatenate(  # made again, in row order: a rare case
            [np.fromiter(map(hash, chunk.to_pylist()), np.int64, len(chunk)) for chunk in self._ids]
        )
        return np.flatnonzero(np.isin(hashes, shared)).astype(ROW)


def from_assets(assets: Sequence[Asset]) -> AssetTable:
    """A table of the given assets (tests compare evaluations of a list and of its table)."""
    builder = TableBuilder()
    builder.add_assets(list(assets))
    return builder.finish()


class IdList(Sequence[str]):
    """The ids of some rows of a table in sorted order, as a finding lists them, made when read:
    a finding of a large inventory holds millions of rows, and its JSON shows the first hundred
    (``engine.evaluation.COMPACT_SHOWN_IDS``). Nothing is kept once read: iterating (the
    affected-asset file, ``--format csv``) makes the ids a block at a time."""

    def __init__(self, table: AssetTable, rows: Rows) -> None:
        self.table = table
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            start, stop, step = index.start, index.stop, index.step
            if not start and step in (None, 1) and stop is not None and stop >= 0:
                return self.table.first_ids(self.rows, stop)
            return self.whole()[index]
        if 0 <= index < _FIRST_PICKED:
            return self.table.first_ids(self.rows, index + 1)[index]
        return self.whole()[index]

    def __iter__(self) -> Iterator[str]:
        table = self.table
        if table.ids_in_order():
            ordered = np.sort(self.rows)
            for start in range(0, len(ordered), _ITER_BLOCK):
                yield from table.ids_of(ordered[start : start + _ITER_BLOCK])
            return
        import pyarrow.compute as pc

        ids = table.ids.take(as_rows(self.rows))
        ordered_ids = ids.take(pc.sort_indices(ids))
        for start in range(0, len(ordered_ids), _ITER_BLOCK):
            yield from ordered_ids.slice(start, _ITER_BLOCK).to_pylist()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return False
        return self.whole() == list(other)

    __hash__ = None  # type: ignore[assignment]

    def whole(self) -> list[str]:
        """Every id, sorted, as a list."""
        return list(self)


# an index below this is read from the first ids picked, not from the whole list
_FIRST_PICKED = 16


def distinct_rows(lists: Sequence[Sequence[str]]) -> int | None:
    """How many distinct rows the ``IdList``s of one table hold together; None when a list is
    not one (a small inventory's findings hold lists of ids, counted as a set)."""
    if not lists or not all(isinstance(ids, IdList) for ids in lists):
        return None
    tables = [ids for ids in lists if isinstance(ids, IdList)]
    seen = np.zeros(len(tables[0].table), dtype=np.bool_)
    for ids in tables:
        seen[ids.rows] = True
    return int(seen.sum())
