"""Hostile input files (issue 19, input side): every one ends as an ``InputError`` (exit 2 at the
CLI) naming the file, where in it, and the limit or rule broken, never a traceback, never
unbounded memory or time, and nothing written.

Each test names the issue's item it holds fixed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from dutybound.engine.errors import InputError
from dutybound.engine.inventory import read_inventory, read_names
from dutybound.engine.limits import DEFAULTS, Limit, limit, nesting_depth
from dutybound.engine.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
UK = ROOT / "examples" / "uk-telecoms"
HEADER = "asset_id,vendor,category,function,country,status"
ROW = "A-{n},Huawei,router,core,GB,installed"


def csv_file(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dutybound", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "250", **(env or {})},
    )


def evaluate(
    assets: Path, tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """``evaluate`` of the UK example's profile with ``assets``, writing --out and --db."""
    out, db = tmp_path / "out.json", tmp_path / "store.db"
    result = run(
        "evaluate",
        "--profile",
        UK / "profile.yaml",
        "--assets",
        assets,
        "--as-of",
        "2026-11-28",
        "--format",
        "json",
        "--out",
        out,
        "--db",
        f"sqlite:///{db}",
        env=env,
    )
    return result, out, db


def assert_refused(
    result: subprocess.CompletedProcess[str], out: Path, db: Path, *words: str
) -> None:
    """Exit 2, one error line holding ``words``, no traceback, nothing written."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], result.stderr
    assert not out.exists() and not db.exists(), "nothing may be written on bad input"


# --- item 6: size limits -------------------------------------------------------------------


def test_item6_dev_zero_stops_at_the_byte_cap_naming_the_limit(tmp_path: Path) -> None:
    """``--assets /dev/zero`` used to read until memory ran out."""
    started = time.monotonic()
    result, out, db = evaluate(Path("/dev/zero"), tmp_path, env={Limit.INPUT_BYTES.value: "1MiB"})
    assert_refused(
        result, out, db, "/dev/zero", "limit of 1,048,576 bytes", "DUTYBOUND_MAX_INPUT_BYTES"
    )
    assert time.monotonic() - started < 60


def test_item6_a_file_over_the_byte_cap_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = csv_file(tmp_path / "big.csv", [ROW.format(n=n) for n in range(40_000)])
    monkeypatch.setenv(Limit.INPUT_BYTES.value, "64KiB")
    with pytest.raises(InputError) as info:
        read_inventory(path)
    assert info.value.file == str(path)
    assert "limit of 65,536 bytes" in info.value.message
    assert "set DUTYBOUND_MAX_INPUT_BYTES to raise it" in info.value.message
    monkeypatch.setenv(Limit.INPUT_BYTES.value, "4MiB")  # raised: the same file reads
    assert len(read_inventory(path).assets) == 40_000


def _workbook(path: Path, rows: int = 2) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for n in range(rows):
        sheet.append(ROW.format(n=n).split(","))
    book.save(path)
    return path


def _padded(source: Path, target: Path, padding: int) -> Path:
    """``source`` with its first sheet's XML followed by ``padding`` bytes of whitespace (valid
    XML, compressing about 1,000 to 1): a zip bomb openpyxl would read to the end."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data += b" " * padding
            bomb.writestr(entry.filename, data)
    return target


def test_item6_an_xlsx_zip_bomb_is_refused_before_openpyxl_inflates_it(tmp_path: Path) -> None:
    bomb = _padded(_workbook(tmp_path / "plain.xlsx"), tmp_path / "bomb.xlsx", 64 * 1024 * 1024)
    assert bomb.stat().st_size < 1024 * 1024
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        read_inventory(bomb)
    assert time.monotonic() - started < 5
    assert "'xl/worksheets/sheet1.xml'" in info.value.message
    assert "DUTYBOUND_MAX_XLSX_RATIO" in info.value.message


def test_item6_an_xlsx_over_the_uncompressed_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path / "inv.xlsx", rows=50)
    assert len(read_inventory(path).assets) == 50
    monkeypatch.setenv(Limit.XLSX_BYTES.value, "4KiB")
    with pytest.raises(InputError, match="uncompressed exceeds the limit of 4,096 bytes"):
        read_inventory(path)


@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx"])
def test_item6_rows_past_the_row_cap_are_refused_in_every_format(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"inv{suffix}"
    if suffix == ".csv":
        csv_file(path, [ROW.format(n=n) for n in range(5)])
    elif suffix == ".json":
        keys = HEADER.split(",")
        items = [dict(zip(keys, ROW.format(n=n).split(","), strict=True)) for n in range(5)]
        path.write_text(json.dumps(items), encoding="utf-8")
    else:
        _workbook(path, rows=5)
    assert len(read_inventory(path).assets) == 5
    monkeypatch.setenv(Limit.ROWS.value, "4")
    with pytest.raises(InputError, match=r"exceeds the limit of 4 rows .*DUTYBOUND_MAX_ROWS"):
        read_inventory(path)


def test_item6_a_cyclonedx_bom_past_the_row_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bom = {
        "bomFormat": "CycloneDX",
        "components": [{"name": f"c{n}", "version": "1"} for n in range(3)],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(bom), encoding="utf-8")
    monkeypatch.setenv(Limit.ROWS.value, "2")
    with pytest.raises(InputError, match="DUTYBOUND_MAX_ROWS") as info:
        read_inventory(path, {"country": "GB", "function": "other"})
    assert info.value.field == "components[2]"


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1e9", "2XB"])
def test_item6_a_malformed_limit_names_its_variable(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(Limit.ROWS.value, value)
    with pytest.raises(InputError) as info:
        read_inventory(csv_file(tmp_path / "a.csv", [ROW.format(n=1)]))
    assert info.value.file == "DUTYBOUND_MAX_ROWS" and repr(value) in info.value.message


def test_item6_limits_read_sizes_with_binary_suffixes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert limit(Limit.INPUT_BYTES) == DEFAULTS[Limit.INPUT_BYTES] == 256 * 2**20
    for text, expected in [("512MiB", 512 * 2**20), ("2g", 2 * 2**30), ("64 KiB", 65536)]:
        monkeypatch.setenv(Limit.INPUT_BYTES.value, text)
        assert limit(Limit.INPUT_BYTES) == expected


def test_item6_profiles_and_other_yaml_files_meet_the_same_byte_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text("name: X\njurisdictions: [GB]\n" + "# padding\n" * 1000, encoding="utf-8")
    monkeypatch.setenv(Limit.INPUT_BYTES.value, "4KiB")
    with pytest.raises(InputError, match="DUTYBOUND_MAX_INPUT_BYTES"):
        load_yaml(path)


# --- item 8: the value domain --------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "accepted"),
    [
        ("0", True),
        ("3000000000", True),  # past 32 bits: stores alike on SQLite and PostgreSQL
        (str(10**12), True),
        (str(10**12 + 1), False),
        (str(10**19), False),
        (str(10**20), False),
        ("-1", False),
    ],
)
def test_item8_quantity_is_a_whole_number_from_0_to_10_to_the_12(
    quantity: str, accepted: bool, tmp_path: Path
) -> None:
    for n_rows in (1, 5_100):  # the row-by-row path and the fast path for large files
        rows = [ROW.format(n=n) + ",1" for n in range(n_rows - 1)]
        rows.append(ROW.format(n="last") + f",{quantity}")
        path = csv_file(tmp_path / "inv.csv", rows, header=HEADER + ",quantity")
        if accepted:
            assert read_inventory(path).assets[-1].quantity == int(quantity)
            continue
        with pytest.raises(InputError) as info:
            read_inventory(path)
        assert (info.value.line, info.value.field) == (n_rows + 1, "quantity")
        assert "from 0 to 1,000,000,000,000" in info.value.message


@pytest.mark.parametrize("quantity", [10**19, 10**20])
@pytest.mark.parametrize("command", ["evaluate", "compare", "report", "diff"])
def test_item8_huge_quantities_are_clean_errors_on_every_command(
    command: str, quantity: int, tmp_path: Path
) -> None:
    assets = csv_file(
        tmp_path / "inv.csv", [ROW.format(n=1) + f",{quantity}"], HEADER + ",quantity"
    )
    out = tmp_path / "out.pdf"
    extra: list[str | Path] = (
        ["--from", "2022-01-01", "--to", "2026-11-28"]
        if command == "diff"
        else ["--as-of", "2026-11-28"]
    )
    if command == "report":
        extra += ["--out", out]
    result = run(command, "--profile", UK / "profile.yaml", "--assets", assets, *extra)
    assert result.returncode == 2, result.stderr
    assert f"{assets}:2: field 'quantity': must be a whole number from 0" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_item8_check_refuses_a_huge_quantity_with_exit_2() -> None:
    result = run(
        "check",
        "--profile",
        UK / "profile.yaml",
        "--as-of",
        "2026-11-28",
        "--vendor",
        "Nokia",
        "--category",
        "router",
        "--function",
        "core",
        "--quantity",
        str(10**20),
    )
    assert result.returncode == 2, result.stderr
    assert "quantity" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("cell", "problem"),
    [("Hua\\u0000wei", "NUL character"), ("Hua\\ud800wei", "lone surrogate U+D800")],
)
def test_item8_nul_and_lone_surrogates_are_refused_naming_row_and_field(
    cell: str, problem: str, tmp_path: Path
) -> None:
    keys = HEADER.split(",")
    good = dict(zip(keys, ROW.format(n=1).split(","), strict=True))
    text = json.dumps([good, {**good, "asset_id": "A-2", "vendor": "@"}]).replace("@", cell)
    path = tmp_path / "inv.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_inventory(path)
    assert (info.value.line, info.value.field) == (2, "vendor")
    assert problem in info.value.message


def test_item8_a_nul_in_a_csv_cell_is_refused_in_small_and_large_files(tmp_path: Path) -> None:
    for n_rows in (2, 5_100):
        rows = [ROW.format(n=n) for n in range(n_rows)]
        rows[-1] = rows[-1].replace("Huawei", "Hua\x00wei")
        path = csv_file(tmp_path / "inv.csv", rows)
        with pytest.raises(InputError, match="NUL character") as info:
            read_inventory(path)
        assert (info.value.line, info.value.field) == (n_rows + 1, "vendor")


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "X\x00", "jurisdictions": ["GB"]}, "name", "NUL character"),
        ({"name": "X", "jurisdictions": ["G\ud800"]}, "jurisdictions.0", "lone surrogate"),
        ({"name": "X", "jurisdictions": ["GB"], "k\x00": 1}, "k\x00", "the key contains a NUL"),
        (
            {
                "name": "X",
                "jurisdictions": ["GB"],
                "attributes": {"gb.relevant_turnover_gbp": 10**20},
            },
            "attributes.gb.relevant_turnover_gbp",
            "must be between",
        ),
        (
            {
                "name": "X",
                "jurisdictions": ["GB"],
                "attributes": {"gb.relevant_turnover_gbp": 1e999},
            },
            "attributes.gb.relevant_turnover_gbp",
            "must be a finite number, got inf",
        ),
    ],
)
def test_item8_profiles_hold_the_same_value_domain(
    data: dict[str, object], field: str, words: str
) -> None:
    """The profile check shared by files, scenarios and the HTTP service."""
    from dutybound.engine.inputs import check_profile
    from dutybound.engine.loading import load_rulepack

    with pytest.raises(InputError) as info:
        check_profile(data, load_rulepack(None), "profile")
    assert info.value.field == field and words in info.value.message


def test_item8_a_profile_file_with_a_huge_number_is_refused_with_its_line(tmp_path: Path) -> None:
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.loading import load_rulepack

    path = tmp_path / "profile.yaml"
    path.write_text(
        f"name: X\njurisdictions: [GB]\nattributes:\n  gb.relevant_turnover_gbp: {10**20}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="must be between") as info:
        load_profile(path, load_rulepack(None))
    assert info.value.line == 4


# --- item 10: duplicate YAML keys ------------------------------------------------------------


def test_item10_a_profile_with_two_roles_blocks_is_refused_naming_line_and_key(
    tmp_path: Path,
) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "name: X\njurisdictions: [GB]\nroles: [gb.public_telecoms_provider]\n"
        "sectors: [telecoms]\nroles: [gb.dvd_addressee]\n",
        encoding="utf-8",
    )
    result = run(
        "evaluate", "--profile", profile, "--assets", UK / "assets.csv", "--as-of", "2026-11-28"
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"error: {profile}:5: field 'roles': duplicate key 'roles' (first on line 3); "
        "YAML would keep only the last, so merge the two"
    )


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("- id: w1\n  basis: a\n  id: w2\n", 3, "id"),  # a list of records (waivers, ...)
        ("a: {b: 1, b: 2}\n", 1, "b"),  # flow style
        ("top:\n  inner:\n    k: 1\n    k: 1\n", 4, "k"),  # equal values still lose nothing
    ],
)
def test_item10_every_yaml_file_refuses_duplicate_keys(
    text: str, line: int, key: str, tmp_path: Path
) -> None:
    path = tmp_path / "any.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="duplicate key") as info:
        load_yaml(path)
    assert (info.value.line, info.value.field) == (line, key)


def test_item10_aliases_are_walked_once_so_a_yaml_bomb_stays_cheap(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    load_yaml(path)  # 10**9 leaves if expanded
    assert time.monotonic() - started < 2


# --- item 12: one CSV field-size rule for every file size ----------------------------------


@pytest.mark.parametrize("n_rows", [1, 5_100])
def test_item12_a_cell_of_200_000_characters_reads_in_small_and_large_files(
    n_rows: int, tmp_path: Path
) -> None:
    rows = [ROW.format(n=n) + ",x" for n in range(n_rows)]
    rows[0] = ROW.format(n=0) + "," + "p" * 200_000
    path = csv_file(tmp_path / "inv.csv", rows, header=HEADER + ",product")
    assets = read_inventory(path).assets
    assert len(assets) == n_rows and len(assets[0].product) == 200_000


@pytest.mark.parametrize("n_rows", [1, 5_100])
def test_item12_a_cell_past_the_field_cap_is_one_clean_error_at_any_size(
    n_rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(Limit.FIELD_CHARS.value, "1000")
    rows = [ROW.format(n=n) + ",x" for n in range(n_rows)]
    rows[-1] = ROW.format(n="last") + "," + "p" * 1001
    path = csv_file(tmp_path / "inv.csv", rows, header=HEADER + ",product")
    with pytest.raises(InputError) as info:
        read_inventory(path)
    assert info.value.line == n_rows + 1
    assert "limit of 1,000 characters in one field" in info.value.message
    assert "DUTYBOUND_MAX_FIELD_CHARS" in info.value.message


# --- item 13: JSON depth and CycloneDX types -------------------------------------------------


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
def test_item13_json_nested_past_the_depth_cap_is_refused(depth: int, tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text('{"assets": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    with pytest.raises(InputError, match=r"limit of 64 levels of nesting .*DUTYBOUND_MAX_DEPTH"):
        read_inventory(path)


def test_item13_nesting_depth_counts_without_recursion() -> None:
    deep: list[object] = []
    node = deep
    for _ in range(50_000):
        node.append([])
        node = node[0]  # type: ignore[assignment]
    assert nesting_depth(deep, 10**6) == 50_001
    assert nesting_depth({"a": [1, {"b": 2}]}, 64) == 3 and nesting_depth(5, 64) == 0


@pytest.mark.parametrize(
    ("component", "field", "words"),
    [
        ({"bom-ref": "cam-1", "properties": 5}, "components[0].properties", "bom-ref 'cam-1'"),
        ({"bom-ref": "cam-1", "properties": "x"}, "components[0].properties", "must be a list"),
        (
            {"properties": [{"name": ["a"], "value": "b"}]},
            "components[0].properties[0].name",
            "must be a string, got a list",
        ),
        ({"properties": [7]}, "components[0].properties[0]", "not an object"),
        ({"bom-ref": "c", "components": {"a": 1}}, "components[0].components", "must be a list"),
        ({"bom-ref": "c", "components": 3}, "components[0].components", "bom-ref 'c'"),
        ({"type": ["device"]}, "components[0].type", "must be a string, got a list"),
        ({"name": {"x": 1}}, "components[0].name", "got an object"),
        ({"manufacturer": "Huawei"}, "components[0].manufacturer", "object with a name"),
        ({"supplier": {"name": True}}, "components[0].supplier.name", "got a boolean"),
    ],
)
def test_item13_cyclonedx_fields_of_the_wrong_type_name_the_component_and_field(
    component: dict[str, object], field: str, words: str, tmp_path: Path
) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "components": [component]}))
    with pytest.raises(InputError) as info:
        read_inventory(path, {"country": "GB", "function": "other"})
    assert info.value.field == field and words in info.value.message


def test_item13_top_level_components_of_the_wrong_type_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "components": 42}))
    with pytest.raises(InputError, match="must be a list, got a number") as info:
        read_inventory(path)
    assert info.value.field == "components"


def test_item13_a_json_cell_that_is_a_list_names_the_asset_and_field(tmp_path: Path) -> None:
    keys = HEADER.split(",")
    item = dict(zip(keys, ROW.format(n=1).split(","), strict=True))
    path = tmp_path / "inv.json"
    path.write_text(json.dumps([{**item, "vendor": ["Huawei"]}]))
    with pytest.raises(InputError, match="got a list") as info:
        read_inventory(path)
    assert (info.value.line, info.value.field) == (1, "vendor")


# --- item 15: vendors screen on a file that is not a workbook -------------------------------


@pytest.mark.parametrize("content", [b"Vendor\nHuawei\n", b"", b"PK\x03\x04 broken"])
def test_item15_vendors_screen_on_a_non_zip_xlsx_exits_2(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "suppliers.xlsx"
    path.write_bytes(content)
    result = run("vendors", "screen", path, "--as-of", "2026-01-01", "--format", "json")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {path}: not ") and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_item15_supplier_lists_meet_the_zip_bomb_check_and_name_a_missing_sheet(
    tmp_path: Path,
) -> None:
    bomb = _padded(_workbook(tmp_path / "plain.xlsx"), tmp_path / "bomb.xlsx", 8 * 1024 * 1024)
    with pytest.raises(InputError, match="DUTYBOUND_MAX_XLSX_RATIO"):
        read_names(bomb)
    with pytest.raises(InputError, match="no sheet 'Nope'"):
        read_names(tmp_path / "plain.xlsx", "Nope")
    assert read_names(tmp_path / "plain.xlsx")[0] == (2, "Huawei")


@pytest.mark.parametrize("reader", ["inventory", "names"])
def test_item15_a_sheet_that_fails_while_it_is_read_names_the_row(
    reader: str, tmp_path: Path
) -> None:
    """openpyxl writes U+FFFF as a character reference its own reader then refuses, mid-sheet
    (found by the property tests): the error names the row, like a workbook that fails to open."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["A-1", "Huawei\uffff", "router", "core", "GB", "installed"])
    path = tmp_path / "damaged.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="row 2 cannot be read") as info:
        read_inventory(path) if reader == "inventory" else read_names(path)
    assert info.value.line == 2


# --- item 17: encodings and unknown values --------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le", "utf-16", "utf-8-sig", "utf-32"])
def test_item17_utf16_with_or_without_a_bom_reads_like_utf8(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    text = f"{HEADER}\n{ROW.format(n=1)}\nB-2,华为,router,core,GB,installed\n"
    path.write_bytes(text.encode(encoding))
    assets = read_inventory(path).assets
    assert [(a.asset_id, a.vendor) for a in assets] == [("A-1", "Huawei"), ("B-2", "华为")]


def test_item17_utf16_without_a_bom_that_does_not_decode_says_so(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_bytes(f"{HEADER}\n".encode("utf-16-be") + b"\xd8\x00\x00a")  # a lone surrogate
    with pytest.raises(InputError, match="looks like UTF-16-BE without a byte-order mark"):
        read_inventory(path)


def _pack_with_a_boolean_attribute() -> object:
    """A stand-in rule pack declaring one boolean attribute (the shipped pack has none): all
    ``check_profile`` reads of a pack is its jurisdictions' attributes and its roles."""
    from types import SimpleNamespace

    from dutybound.engine.law import Attribute

    flag = Attribute(id="xx.listed_company", type="boolean", description="listed")
    return SimpleNamespace(jurisdictions={"XX": SimpleNamespace(attributes=[flag])}, roles={})


@pytest.mark.parametrize("value", [".nan", "null", "''", "~"])
def test_item17_an_unknown_boolean_attribute_says_what_is_allowed(
    value: str, tmp_path: Path
) -> None:
    from dutybound.engine.inputs import check_profile

    path = tmp_path / "profile.yaml"
    path.write_text(
        f"name: X\njurisdictions: [XX]\nattributes:\n  xx.listed_company: {value}\n",
        encoding="utf-8",
    )
    doc = load_yaml(path)
    with pytest.raises(InputError) as info:
        check_profile(doc.data, _pack_with_a_boolean_attribute(), path, doc.line_of)  # type: ignore[arg-type]
    assert info.value.field == "attributes.xx.listed_company" and info.value.line == 4
    assert "must be a boolean (true or false)" in info.value.message
    assert "to say it is not known, leave the attribute out" in info.value.message
    assert "valid boolean" not in info.value.message


def test_item17_a_boolean_attribute_accepts_true_and_false(tmp_path: Path) -> None:
    from dutybound.engine.inputs import check_profile

    data = {"name": "X", "jurisdictions": ["XX"], "attributes": {"xx.listed_company": False}}
    profile = check_profile(data, _pack_with_a_boolean_attribute(), "p")  # type: ignore[arg-type]
    assert profile.attributes == {"xx.listed_company": False}


def test_item17_a_flag_value_that_is_not_yes_or_no_lists_the_words(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "inv.csv", [ROW.format(n=1) + ",remote_admin_cn=nan"], HEADER + ",flags"
    )
    with pytest.raises(InputError, match="yes, true, y, 1 or no, false, n, 0") as info:
        read_inventory(path)
    assert info.value.field == "flags"


# --- every hostile file through the CLI: exit 2, nothing written -----------------------------


def test_hostile_files_through_the_cli_exit_2_and_write_nothing(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    bad_bom = tmp_path / "bom.json"
    bad_bom.write_text(json.dumps({"bomFormat": "CycloneDX", "components": [{"properties": 1}]}))
    not_zip = tmp_path / "inv.xlsx"
    not_zip.write_text("asset_id\n")
    for path, words in [
        (deep, "DUTYBOUND_MAX_DEPTH"),
        (bad_bom, "components[0].properties"),
        (not_zip, "not an Excel workbook"),
    ]:
        result, out, db = evaluate(path, tmp_path)
        assert_refused(result, out, db, str(path), words)
