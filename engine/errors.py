"""One error type for every input a user or a law author can get wrong.

It always names the file, the line (when the format has lines) and the field, because the person
who reads it has to find the mistake in a file of thousands of rows.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: the CLI prints ``str(error)`` on one line and exits with code 2."""

    def __init__(
        self, file: str | Path, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"field '{self.field}': " if self.field else ""
        return f"{where}: {what}{self.message}"


class InputErrors(InputError):
    """Every problem of one file, so that a person fixes them in one pass. It is an
    ``InputError`` for the first problem (the CLI prints one line naming file, line and field)
    whose message also lists the others; ``problems`` holds each one."""

    def __init__(self, problems: list[InputError]) -> None:
        first, rest = problems[0], problems[1:]
        others = "; ".join(
            (f"line {p.line}, " if p.line is not None else "") + f"field '{p.field}': {p.message}"
            for p in rest
        )
        super().__init__(
            first.file,
            f"{first.message} (and {len(rest)} more: {others})",
            line=first.line,
            field=first.field,
        )
        self.problems = problems


def raise_all(problems: list[InputError]) -> None:
    """Raise nothing, the one problem, or all of them (``InputErrors``)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputErrors(problems)
