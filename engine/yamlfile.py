"""Reading YAML while keeping line numbers, so validation errors can point at a line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from dutybound.engine.errors import InputError


class YamlDocument:
    """A parsed YAML file plus the node tree that knows where each value was written."""

    def __init__(self, path: Path, data: Any, root: yaml.Node | None) -> None:
        self.path = path
        self.data = data
        self._root = root

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of the value at ``loc`` (a pydantic error location), or the nearest
        parent that exists."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if k.value == key), None)
                if match is None:
                    # a missing key: point at the mapping that should have held it
                    return line
                node = match
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(key, int)
                and key < len(node.value)
            ):
                node = node.value[key]
            else:
                return line
            line = node.start_mark.line + 1
        return line


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, turning the usual failures into an ``InputError``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected a file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, f"not valid UTF-8 (byte {exc.start})", line=line) from None
    if not text.strip():
        raise InputError(path, "file is empty")
    return text


def load_yaml(path: Path) -> YamlDocument:
    text = read_text(path)
    # libyaml when present (much faster than the pure-Python loader); one parse gives both the
    # nodes and the data
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, f"invalid YAML: {problem}", line=line) from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, root)
