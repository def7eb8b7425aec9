"""Every problem of an inventory in one run, each with what to do about it.

A new user's first CMDB export has several kinds of mistakes at once (a column name, a category
word, a lifecycle word, a country name). Reported one per run, six rows took five runs to load.
Here the whole file is read: each row is validated by the one row validator
(``engine.inputs.assets_from_rows``); when it fails, the problem is recorded, the bad cell is
replaced by a neutral stand-in and the row is validated again, so a row with three bad cells
gives three problems and no check is written twice. Each problem names the file, the row, the
column as headed in the file, the value, the allowed values and, when one is close, a
suggestion (``engine.suggest``) or the mapping-file line that would fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from dutybound.engine import vocabulary as vocab
from dutybound.engine.errors import InputError, InputErrors
from dutybound.engine.inputs import COLUMNS, Asset, Row, assets_from_rows
from dutybound.engine.suggest import closest

# How many problems a failing command prints before it counts the rest.
SHOWN_PROBLEMS = 50

# A valid value for each required column, put in place of a bad cell so the rest of the row can
# still be checked (never kept: a row with a problem yields no asset).
_STAND_INS: dict[str, str] = {
    "vendor": "stand-in",
    "category": sorted(vocab.CATEGORIES)[0],
    "function": sorted(vocab.FUNCTIONS)[0],
    "country": "ZZ",
    "status": sorted(vocab.STATUSES)[0],
}
_INDEX = {c: i for i, c in enumerate(COLUMNS)}


class InventoryErrors(InputErrors):
    """All problems of one inventory: printed one per line (at most ``SHOWN_PROBLEMS``, then a
    count of the rest), so the person fixes them in one pass."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:
        problems = getattr(self, "problems", None)
        if not problems:
            return super().__str__()
        if len(problems) == 1:
            return str(problems[0])
        shown = problems[:SHOWN_PROBLEMS]
        # the file first, as every input error begins
        lines = [f"{problems[0].file}: {len(problems)} problems:"]
        lines += [f"  {p}" for p in shown]
        if len(problems) > len(shown):
            lines.append(
                f"  ... and {len(problems) - len(shown)} more "
                "(run 'dutybound inventory check' to list them all)"
            )
        return "\n".join(lines)


def raise_problems(problems: list[InputError]) -> None:
    """Raise nothing, or every problem at once."""
    if problems:
        # in file order (a ragged CSV line is found while reading, before the rows are checked)
        raise InventoryErrors(sorted(problems, key=lambda p: p.line or 0))


def likely_header(column: str, unread: list[str]) -> str | None:
    """Which of the file's unrecognised headers is probably ``column``: one the suggestion helper
    finds close to the column's name or a synonym ("Categry", "Asset Typ"), else one whose last
    word is a one-word synonym ("Device Type", "Equipment Class" for category; never "Type of
    contract"). None if none is; the caller reads it provisionally and reports it either way."""
    from dutybound.engine.inventory import SYNONYMS
    from dutybound.engine.mapping import key

    names = [column.replace("_", " "), *SYNONYMS.get(column, ())]
    for header in unread:
        if closest(header, names) is not None:
            return header
    words = {n for n in names if " " not in n}
    for header in unread:
        parts = key(header).split()
        if len(parts) > 1 and parts[-1] in words:
            return header
    return None


def header_suggestion(column: str, header: str | None) -> str:
    """The hint for a missing column: the likely header, as the mapping-file line to read it."""
    if header is None:
        return ""
    return (
        f"; did you mean {header!r}? (its values are checked as {column} below) map it with "
        f"--map: columns: {{{header}: {column}}}"
    )


def value_suggestion(column: str, value: str, guessed: bool = False) -> str:
    """A hint for a value the column does not accept: the closest allowed word (unless the
    message has ``guessed`` one already), and the mapping line that translates this export's
    word for good."""
    if not value:
        return ""
    allowed = vocab.ASSET_FIELDS.get(column)
    if allowed is not None:
        match = None if guessed else closest(value.lower(), allowed)
        hint = f"; did you mean {match!r}?" if match else ""
        return hint + f" (or map it with --map: values: {{{column}: {{{value}: <value>}}}})"
    if column in ("country", "origin"):
        names = _country_names()
        match = closest(value, names)
        if match is not None:
            return f"; did you mean {match} ({names[match]})?"
    return ""


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Every ISO 3166 country's name, official name and common name -> its alpha-2 code."""
    import pycountry

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                names[str(name)] = str(country.alpha_2)
    return names


def _annotated(
    error: InputError, value: str, header: str | None, label: Callable[[int], str] | None
) -> InputError:
    """The row validator's error with the header as written, the component (for a BOM) and a
    suggestion."""
    column = error.field or ""
    named = header and " ".join(header.lower().replace("_", " ").split()) != column.replace(
        "_", " "
    )
    where = f"column {header!r} ({column})" if named else ""
    message = error.message + value_suggestion(column, value, "did you mean" in error.message)
    if where:
        message = f"{where}: {message}"
    if error.message == "is empty" and header is None:
        # the format has no such column (a BOM's or NetBox's country): one option fills it
        message += f" (this format has no {column}: give it with --default {column}=<value>"
        message += (
            f", or a 'dutybound:{column}' property on the component)"
            if label is not None and "component" in label(error.line or 0)
            else ")"
        )
    if label is not None and error.line is not None:
        message = f"{label(error.line)}: {message}"
    return InputError(error.file, message, line=error.line, field=error.field)


def validate_all(
    path: Path | str,
    rows: list[Row],
    problems: list[InputError],
    headers: dict[str, str] | None = None,
    absent: frozenset[str] = frozenset(),
    label: Callable[[int], str] | None = None,
    final: bool = True,
) -> list[Asset]:
    """The assets of ``rows``, or ``InventoryErrors`` listing ``problems`` (those found already,
    e.g. in the header) and every problem of every row. With ``final`` False (one chunk of a
    streamed file, ``engine.inventory_stream``) nothing is raised: the problems stay in
    ``problems`` and the good rows' assets are returned, for the reader to go on. ``headers``
    maps a column to its header in the file; ``absent`` are required columns the header lacks
    (reported once, not per row); ``label`` names a row for the person (a BOM component's bom-ref).

    The rows run through the one-pass validator up to the first bad row; that row alone is taken
    apart cell by cell (``_row_problems``), and the pass resumes after it: a large file with a
    few bad rows costs little more than a clean one."""
    if not problems and not absent:
        try:
            return assets_from_rows(path, rows)  # the common case: one fast pass
        except InputError:
            pass
    headers = headers or {}
    if absent:
        rows = [(line, _with_stand_ins(values, absent)) for line, values in rows]
    checked: list[tuple[Asset, bool]] = []  # (asset, whether its row had a problem)
    start, count = 0, len(rows)
    while start < count:
        reached = [start]
        try:
            checked.extend(
                (asset, False) for asset in assets_from_rows(path, _tracked(rows, start, reached))
            )
            break
        except InputError:
            bad = reached[0]
        if bad > start:  # the rows before the bad one passed: take their assets
            checked.extend((asset, False) for asset in assets_from_rows(path, rows[start:bad]))
        found = _row_problems(path, rows[bad], problems, headers, label)
        if found is not None:
            checked.append(found)
        start = bad + 1
    assets: list[Asset] = []
    seen: dict[str, int] = {}
    for asset, bad_row in checked:  # asset ids are unique across the whole file
        if asset.asset_id in seen:
            problems.append(
                _annotated(
                    InputError(
                        path,
                        f"duplicate asset id {asset.asset_id!r} (first on line "
                        f"{seen[asset.asset_id]})",
                        line=asset.line,
                        field="asset_id",
                    ),
                    asset.asset_id,
                    headers.get("asset_id"),
                    label,
                )
            )
            continue
        seen[asset.asset_id] = asset.line
        if not bad_row:
            assets.append(asset)
    if final:
        raise_problems(problems)
    return assets


def _tracked(rows: list[Row], first: int, reached: list[int]) -> Iterator[Row]:
    """``rows`` from ``first`` on, noting in ``reached[0]`` the index of the row last given."""
    for k in range(first, len(rows)):
        reached[0] = k
        yield rows[k]


def _with_stand_ins(values: list[str], absent: frozenset[str]) -> list[str]:
    """A row with stand-ins in the columns the header lacks."""
    values = list(values)
    for column in absent:
        values[_INDEX[column]] = _STAND_INS.get(column, "")
    return values


def _row_problems(
    path: Path | str,
    row: Row,
    problems: list[InputError],
    headers: dict[str, str],
    label: Callable[[int], str] | None,
) -> tuple[Asset, bool] | None:
    """Every problem of one row, added to ``problems``: each failing cell is recorded and given a
    stand-in, and the row validated again, until it passes. The asset and whether the row had a
    problem, for the duplicate check; None when its asset id itself was bad."""
    line, cells = row
    values = list(cells)
    bad = False
    for _ in range(len(COLUMNS) + 1):
        try:
            (asset,) = assets_from_rows(path, [(line, values)])
        except InputError as error:
            bad = True
            index = _INDEX.get(error.field or "")
            if index is None:
                problems.append(error)
                return None
            problems.append(_annotated(error, values[index], headers.get(error.field or ""), label))
            stand_in = f"row {line}" if index == 0 else _STAND_INS.get(error.field or "", "")
            if values[index] == stand_in:
                return None  # nothing more to learn from this row
            values[index] = stand_in
            continue
        return None if values[0] != cells[0] else (asset, bad)
    return None
