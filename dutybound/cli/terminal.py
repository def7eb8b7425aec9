"""Strings bound for a terminal: text from an inventory must never become a control sequence.

An asset id, a vendor name or a site is untrusted text. Printed raw, ``\\x1b[2J`` clears the
screen, an OSC 8 sequence plants a link, ``\\r`` overwrites what the line said and a
right-to-left override reorders it. ``printable`` shows every such character as a visible escape
(``\\x1b``, ``\\r``, ``\\u202e``), the way Python's ``repr`` would, and leaves all other text,
accents and scripts included, as it is.

It is applied once, where the CLI draws text: ``TerminalConsole`` (every console the commands
print tables and messages with, stdout and stderr, and the tables written to ``--out``) passes
every string it renders through it before laying it out, so no command, renderer or future
column can forget it. The program's own styles are not strings but segments Rich adds when it
writes, so they survive. Newlines and tabs pass at this layer (renderers break cells into lines
with them); ``printable`` alone, for a single value, escapes them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

# C0 controls, DEL and C1 controls (ESC, CSI 0x9b, OSC 0x9d ...), the bidirectional embeddings,
# overrides and isolates (they reorder what a line shows), and lone surrogates (not text; they
# cannot even be encoded for the terminal).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# What the console layer lets through: renderers lay out cells with them.
LAYOUT = "\n\t"


def _visible(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character shown as a visible escape, except those in
    ``keep``."""
    if not _UNSAFE.search(text):  # the common case: nothing to do, no copy
        return text
    return _UNSAFE.sub(lambda m: m[0] if m[0] in keep else _visible(m[0]), text)


class TerminalConsole(Console):
    """A Rich console that renders no control character it was handed in a string.

    ``render_str`` is where Rich turns every string (a printed line, a table cell, a title) into
    text before measuring it, so neutralising there keeps the layout right. ``render`` checks
    the segments once more, for ``Text`` objects built elsewhere and handed over ready-made.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(printable(text, LAYOUT), **kwargs)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            clean = segment.text if segment.control else printable(segment.text, LAYOUT)
            yield segment if clean == segment.text else Segment(clean, segment.style)


def terminal_console(**options: Any) -> Console:
    """The console every command prints with (``Console``'s options)."""
    return TerminalConsole(**options)
