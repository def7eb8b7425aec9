"""The value domain every request field must lie in, checked once for every request model.

JSON lets a client send things the engine and the stores cannot hold: a lone surrogate
(``"\\ud800"``) is a valid JSON string but no UTF-8 text, so hashing it (orjson) or writing it to
PostgreSQL fails; ``"\\u0000"`` is a NUL that PostgreSQL text refuses; an integer of 30 digits
overflows orjson and every 64-bit column; ``NaN`` and ``Infinity`` (which Python's JSON reader
accepts) are no JSON numbers at all. Pydantic takes most of them as ``str``, ``int`` or
``float``, so they reached the engine and came back as 500.

The domain is the one the input files of the CLI are held to (``engine.limits``: valid Unicode
without NUL, whole numbers within ±2**53-1, finite numbers, quantities 0 to 10**12), so that a
request and a file are refused for the same values. ``Strict`` in ``models`` applies
``check_value`` to every field of every request model (one validator, inherited), so a new field
cannot forget it and the 422 names the field.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel

from dutybound.engine import limits

QUANTITY_MIN = limits.QUANTITY_MIN
QUANTITY_MAX = limits.QUANTITY_MAX
# values that are within the domain whatever they hold
_PLAIN: frozenset[type] = frozenset({bool, dt.date, dt.datetime})


def check_value(value: Any) -> Any:
    """``value`` unchanged, or ValueError saying what in it (and where, inside a list or a
    mapping) is outside the value domain. Nested models are left alone: their own fields were
    checked when they were validated (and ``/check`` pays for every microsecond here, so
    the common values, ASCII text, enums, dates and absent fields, are passed first)."""
    kind = type(value)
    if kind is str:
        if value.isascii() and "\x00" not in value:
            return value
    elif kind is int:
        if -limits.INTEGER_MAX <= value <= limits.INTEGER_MAX:
            return value
    elif (
        value is None
        or kind in _PLAIN
        or isinstance(value, Enum | BaseModel)
        or (isinstance(value, list) and value and isinstance(value[0], BaseModel))
    ):
        return value
    found = limits.value_problem(value)
    if found is not None:
        loc, problem = found
        where = "".join(f"[{part!r}]" for part in loc)
        raise ValueError(f"{where} {problem}" if where else problem)
    return value


# A path parameter that is looked up in the database (a result's or a profile's id).
Text = Annotated[str, AfterValidator(check_value)]
