"""``dutybound vocabulary``: the words an inventory's closed columns accept, with what each means.

A new user filling in ``category`` or ``function`` needs the allowed words and when to choose
each one, not a refusal naming them after the fact. The words and meanings live in
``engine.vocabulary`` (the same tables the loader checks against), so this list cannot drift
from what is accepted.
"""

from __future__ import annotations

import sys
from typing import Any

from dutybound.cli.options import Format, OutputFormat


def vocabulary_json() -> dict[str, list[dict[str, Any]]]:
    """Every vocabulary column with its words, each with its label and meaning, sorted."""
    from dutybound.engine.vocabulary import MEANINGS, WORDS, label

    return {
        column.value: [
            {"value": word, "label": label(word), "meaning": MEANINGS[column][word]}
            for word in sorted(WORDS[column])
        ]
        for column in WORDS
    }


def vocabulary(format: OutputFormat = None) -> None:
    """List the words the closed inventory columns accept (category, function, network, use,
    status, flags) and what each means.

    Example: dutybound vocabulary --format json
    """
    from rich.table import Table

    from dutybound.cli.render.stdout import print_json
    from dutybound.cli.terminal import terminal_console

    data = vocabulary_json()
    if (format or (Format.table if sys.stdout.isatty() else Format.json)) is Format.json:
        print_json(data)
        return
    console = terminal_console()
    for column, words in data.items():
        multi = " (several, separated by ';')" if column == "flags" else ""
        table = Table(title=f"{column}{multi}", title_justify="left", expand=True)
        table.add_column("value", no_wrap=True)
        table.add_column("meaning")
        for word in words:
            table.add_row(word["value"], word["meaning"])
        console.print(table)
