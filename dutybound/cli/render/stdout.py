"""Results as text: the JSON every ``--format json`` prints, and tables drawn into text for
``--out``."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

from rich.console import Console

from dutybound.cli.terminal import terminal_console
from dutybound.engine.jsontext import json_text

# Tables written to a file do not follow the terminal: a fixed width keeps them reproducible.
FILE_WIDTH = 140


def print_json(data: object) -> None:
    """Write ``data`` to stdout as the canonical JSON text (``engine.jsontext``)."""
    sys.stdout.write(json_text(data))


def drawn_text(draw: Callable[[Console], None]) -> str:
    """What ``draw`` prints, as plain text at ``FILE_WIDTH`` columns."""
    console = terminal_console(record=True, width=FILE_WIDTH, file=io.StringIO())
    draw(console)
    return console.export_text()
