"""The CLI's one error boundary: every command that meets bad input ends the same way.

Commands and the engine raise ``InputError`` wherever a problem is found; nothing catches it on
the way up. The root command group (``InputErrorGroup``) turns it into one line on stderr that
names the file, the line and the field, and exit code 2, so no command can forget to, or word
it differently. Exit codes a command chooses itself (``check``'s verdicts and its 70 for an
internal error, ``--fail-on``'s 1) are ``typer.Exit`` and pass through untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from dutybound.cli.terminal import terminal_console
from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from typer._click import Context  # the click that typer runs on (it vendors its own)

EXIT_INPUT = 2
# Progress and problems go to stderr, so that stdout carries only the result a pipe reads. Error
# messages quote the user's own text: the terminal console shows its control characters inert.
err = terminal_console(stderr=True, highlight=False)


def report_input_error(error: InputError) -> None:
    """Print the one-line input error. The message is escaped: it can quote the user's own text,
    which is never terminal markup."""
    err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, soft_wrap=True)


class InputErrorGroup(TyperGroup):
    """The root ``dutybound`` group: runs the chosen command (sub-groups included) and turns an
    ``InputError`` from anywhere beneath it into the one-line message and exit 2."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as error:
            report_input_error(error)
            raise typer.Exit(EXIT_INPUT) from None
