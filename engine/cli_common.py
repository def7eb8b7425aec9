"""What every dutybound command shares: the error console, input errors (exit 2), the
``--format json|table`` choice, and dates and ``--default`` options as users type them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from dutybound.engine.errors import InputError

EXIT_INPUT = 2
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    """``--format`` of the commands that print JSON or a rich table."""

    json = "json"
    table = "table"


def fail_input(error: InputError) -> NoReturn:
    """Print the one-line input error (file, line, field) and exit 2. The message is escaped:
    it can quote the user's own text, which is never terminal markup."""
    err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, soft_wrap=True)
    raise typer.Exit(EXIT_INPUT)


def parse_date(option: str, value: str) -> dt.date:
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
