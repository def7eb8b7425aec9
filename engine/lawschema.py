"""JSON Schemas of the law files, for editors: generated from the models in ``engine.law``.

A lawyer editing ``jurisdictions/cz/instruments/x.yaml`` in an editor with a YAML language
server (VS Code, IntelliJ, Neovim) gets completion, the closed vocabularies as choices and errors
as she types, because each law file names its schema in its first line::

    # yaml-language-server: $schema=../../schema/instrument.schema.json

The schemas are generated, never edited: ``dutybound law schema`` rewrites them and a test fails
when the shipped ones differ from the models. The loader stays the authority (it also checks the
references between files, which a schema cannot); the schema is the editor's early warning.
The vocabularies that the models check with validators (categories, functions, ...) are added as
``enum`` so that the editor offers them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dutybound.engine import vocabulary as vocab
from dutybound.engine.law import InstrumentFile, JurisdictionInfo, WaiverBasisFile
from dutybound.engine.loading import PackInfo

# file name -> (model, the law files that use it, as globs relative to the rule pack)
SCHEMAS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "instrument.schema.json": (InstrumentFile, ("*/instruments/*.yaml",)),
    "jurisdiction.schema.json": (JurisdictionInfo, ("*/jurisdiction.yaml",)),
    "waivers.schema.json": (WaiverBasisFile, ("*/waivers.yaml",)),
    "rulepack.schema.json": (PackInfo, ("rulepack.yaml",)),
}
SCHEMA_DIR = "schema"

# (definition, property) -> the closed vocabulary its values come from
_VOCABULARIES: dict[tuple[str, str], frozenset[str]] = {
    ("AssetScope", "categories"): vocab.CATEGORIES,
    ("AssetScope", "functions"): vocab.FUNCTIONS,
    ("AssetScope", "networks"): vocab.NETWORKS,
    ("AssetScope", "uses"): vocab.USES,
    ("AssetScope", "statuses"): vocab.STATUSES,
    ("AssetScope", "flags_all"): vocab.FLAGS,
    ("AssetScope", "flags_none"): vocab.FLAGS,
    ("AssetScope", "relationships"): vocab.RELATIONSHIPS,
    ("Designation", "relationships"): vocab.RELATIONSHIPS,
    ("Instrument", "type"): vocab.INSTRUMENT_TYPES,
}


def _with_enum(node: dict[str, Any], values: frozenset[str]) -> None:
    """Put ``enum`` on the string items of a list property (or on a string property)."""
    choices = sorted(values)
    if node.get("type") == "string":
        node["enum"] = choices
        return
    for branch in node.get("anyOf", [node]):
        if branch.get("type") == "array":
            branch["items"] = {"type": "string", "enum": choices}


def schema_of(model: type[BaseModel], name: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": name, **schema}
    defs = schema.get("$defs", {})
    for (definition, prop), values in _VOCABULARIES.items():
        target = schema if definition == model.__name__ else defs.get(definition)
        if target is not None and prop in target.get("properties", {}):
            _with_enum(target["properties"][prop], values)
    return schema


def schema_texts() -> dict[str, str]:
    """Each schema file's content, as written to ``<rule pack>/schema/``."""
    return {
        name: json.dumps(schema_of(model, name), indent=2, ensure_ascii=False, sort_keys=True)
        + "\n"
        for name, (model, _) in SCHEMAS.items()
    }


def header(law_dir: Path, path: Path) -> str | None:
    """The ``yaml-language-server`` comment line a law file should start with, or None if no
    schema applies to it."""
    rel = path.relative_to(law_dir)
    for name, (_, patterns) in SCHEMAS.items():
        if any(rel.match(pattern) for pattern in patterns):
            up = "../" * (len(rel.parts) - 1)
            return f"# yaml-language-server: $schema={up}{SCHEMA_DIR}/{name}"
    return None


def write_schemas(law_dir: Path) -> list[Path]:
    """Write the schemas and make every law file name its schema in its first line; returns
    the files changed."""
    changed = []
    folder = law_dir / SCHEMA_DIR
    folder.mkdir(exist_ok=True)
    for name, text in schema_texts().items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in sorted(law_dir.rglob("*.yaml")):
        line = header(law_dir, path)
        if line is None:
            continue
        text = path.read_text(encoding="utf-8")
        if text.startswith("# yaml-language-server:"):
            first, _, rest = text.partition("\n")
            if first == line:
                continue
            text = rest
        path.write_text(line + "\n" + text, encoding="utf-8")
        changed.append(path)
    return changed
