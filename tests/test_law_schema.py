"""The JSON Schemas shipped for editors match the law models, and every law file names its
schema (engine.lawschema)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from dutybound.engine import bundled
from dutybound.engine.lawschema import SCHEMA_DIR, header, schema_texts

LAW = bundled.law_dir()


def test_shipped_schemas_are_generated_from_the_models() -> None:
    for name, text in schema_texts().items():
        shipped = LAW / SCHEMA_DIR / name
        assert shipped.is_file(), f"{shipped} missing: run 'dutybound law schema'"
        assert shipped.read_text(encoding="utf-8") == text, (
            f"{shipped} is stale: run 'dutybound law schema'"
        )


def test_every_law_file_names_its_schema_and_validates_against_it() -> None:
    schemas = {name: json.loads(text) for name, text in schema_texts().items()}
    checked = 0
    for path in sorted(LAW.rglob("*.yaml")):
        line = header(LAW, path)
        if line is None:
            continue
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == line, f"{path}: first line should be {line!r}"
        name = line.rsplit("/", 1)[1]
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        # YAML dates load as dates; the schema (like JSON) sees them as ISO strings
        data = json.loads(json.dumps(data, default=str))
        jsonschema.validate(data, schemas[name])
        checked += 1
    assert checked > 50


def test_the_schema_offers_the_closed_vocabularies(tmp_path: Path) -> None:
    schema = json.loads(schema_texts()["instrument.schema.json"])
    categories = schema["$defs"]["AssetScope"]["properties"]["categories"]["anyOf"][0]
    assert "video_surveillance" in categories["items"]["enum"]
    bad = {
        "instrument": {"id": "xx.a"},
        "obligations": [{"id": "xx.a.b", "kind": "ban"}],
    }
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    assert errors, "an instrument without its required keys and an unknown kind must not pass"
