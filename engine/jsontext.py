"""The one JSON text format dutybound writes: two-space indent, UTF-8 as is, final newline.

orjson writes it much faster than the standard library (a large evaluation is megabytes of JSON;
docs/performance.md) and gives byte-identical text to ``json.dumps(data, indent=2,
ensure_ascii=False) + "\\n"`` for the data dutybound emits, which a test checks.

The closed vocabularies (``engine.outcomes``, ``engine.vocabulary``) are ``StrEnum``s. orjson
writes a ``str`` subclass as the plain string (``OPT_PASSTHROUGH_SUBCLASS``, which would hand it
to ``default`` instead, is not set), so they need no conversion as values; as dict *keys* orjson
accepts only exact ``str``, so the ``to_json`` methods key their dicts by ``.value``.
"""

from __future__ import annotations

from typing import Any

import orjson


def json_bytes(data: Any) -> bytes:
    """``data`` as indented JSON ending in a newline, UTF-8 encoded: what a writer to a file or
    stdout needs, without a decoded copy (an evaluation of a large inventory is tens of MB)."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def json_text(data: Any) -> str:
    """``data`` as indented JSON text ending in a newline."""
    return json_bytes(data).decode()
