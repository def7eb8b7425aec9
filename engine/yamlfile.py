"""Reading YAML while keeping line numbers, so validation errors can point at a line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from dutybound.engine import limits
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
    """Read a text file through the one capped reader (``engine.limits``): within the byte cap,
    UTF-8 or a marked or recognisable UTF-16, not empty; failures are ``InputError``s."""
    return limits.read_text(path)


def check_mappings(path: Path, root: yaml.Node) -> None:
    """Refuse a duplicate key in any mapping (YAML keeps the last silently: a profile with two
    ``roles:`` blocks would lose the first) and nesting past ``DUTYBOUND_MAX_DEPTH``. The error
    names the file, the line of the repeated key and the key. Walked without recursion."""
    cap = limits.limit(limits.Limit.DEPTH)
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    visited: set[int] = set()  # an alias is the node it names: walk it once (no YAML bombs)
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.ScalarNode) or id(node) in visited:
            continue
        visited.add(id(node))
        if depth > cap:
            raise limits.breach(
                path, limits.Limit.DEPTH, "the YAML's nesting", line=node.start_mark.line + 1
            )
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
            continue
        first: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                line = key.start_mark.line + 1
                seen = first.get((key.tag, key.value))
                if seen is not None:
                    raise InputError(
                        path,
                        f"duplicate key {key.value!r} (first on line {seen}); YAML would keep "
                        "only the last, so merge the two",
                        line=line,
                        field=key.value,
                    )
                first[(key.tag, key.value)] = line
            stack.append((value, depth + 1))
            if not isinstance(key, yaml.ScalarNode):
                stack.append((key, depth + 1))


def load_yaml(path: Path) -> YamlDocument:
    text = read_text(path)
    # libyaml when present (much faster than the pure-Python loader); one parse gives both the
    # nodes and the data
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            check_mappings(path, root)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, f"invalid YAML: {problem}", line=line) from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, root)
