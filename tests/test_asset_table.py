"""A large inventory held as columns (engine.asset_table, ADR 0013) gives the evaluation a list
of the same assets gives, byte for byte: in the full form and in the compact form, for every
example and every scenario of the law, and whether the table was read from a CSV, from Parquet or
made from a list. And reading into a table names the same problems as reading into a list."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from dutybound.engine import evaluation, large_csv
from dutybound.engine.asset_table import AssetTable, from_assets
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import Asset, load_profile
from dutybound.engine.inventory import read_inventory
from dutybound.engine.inventory_check import InventoryErrors
from dutybound.engine.jsontext import json_bytes
from dutybound.engine.loading import RulePack
from dutybound.engine.waivers import load_waivers
from tests.scenario import load_case, run_case, scenario_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    ("cz-energy", "2019-02-01"),
    ("us-federal-contractor", "2021-03-01"),
    ("uk-telecoms", "2026-11-28"),
    ("uk-telecoms", "2028-01-01"),
]


def _json(pack: RulePack, example: str, assets: Sequence[Asset], as_of: str) -> bytes:
    folder = ROOT / "examples" / example
    profile = load_profile(folder / "profile.yaml", pack)
    waivers = None
    if (folder / "waivers.yaml").exists():
        waivers = load_waivers(folder / "waivers.yaml", pack)
    result = evaluate(pack, profile, assets, dt.date.fromisoformat(as_of), waivers=waivers)
    return json_bytes(result.to_json())


def _parquet(csv: Path, target: Path) -> Path:
    """The CSV as Parquet string columns, in row groups of 5 rows."""
    names = csv.read_text().splitlines()[0].split(",")
    table = pcsv.read_csv(
        csv,
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    pq.write_table(table, target, row_group_size=5)
    return target


@pytest.mark.parametrize(("example", "as_of"), EXAMPLES, ids=[f"{e}-{d}" for e, d in EXAMPLES])
def test_a_table_of_the_examples_assets_gives_the_json_of_the_list(
    pack: RulePack, example: str, as_of: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full form (the golden files' form) and compact form alike."""
    assets = read_inventory(ROOT / "examples" / example / "assets.csv").assets
    assert isinstance(assets, list)
    table = from_assets(assets)
    assert isinstance(table, AssetTable) and table == assets
    assert _json(pack, example, table, as_of) == _json(pack, example, assets, as_of)
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 2)
    compact = _json(pack, example, table, as_of)
    assert compact == _json(pack, example, assets, as_of)
    assert json.loads(compact)["inputs"]["shown_ids"] == 2


# the scenarios that give assets (the others hold nothing a table could hold)
WITH_ASSETS = [p for p in scenario_files() if load_case(p).get("assets")]


@pytest.mark.parametrize("path", WITH_ASSETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_scenario_evaluates_the_same_from_a_table(
    path: Path, pack: RulePack, evaluators: dict
) -> None:
    """Every statement of law in tests/scenarios (caps, relative deadlines, flags, MACs,
    waivers, attestations, assumed designations) reads the same from columns."""
    case = load_case(path)
    listed = run_case(path, case, pack, evaluators["reference"])
    tabled = run_case(path, case, pack, evaluators["reference"], as_table=True)
    assert isinstance(tabled.assets, AssetTable)
    assert json_bytes(tabled.to_json()) == json_bytes(listed.to_json())


@pytest.mark.parametrize("example", ["cz-energy", "us-federal-contractor", "uk-telecoms"])
@pytest.mark.parametrize("chunk_rows", [7, 16_384])
def test_reading_into_a_table_gives_the_assets_of_the_list(
    example: str, chunk_rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The column-by-column reader of a large CSV (from the disk, ``engine.large_csv``) and of a
    large Parquet file, forced onto a small file, gives the rows the row-by-row reader gives."""
    monkeypatch.setattr(large_csv, "MIN_BYTES", 0)
    csv = ROOT / "examples" / example / "assets.csv"
    listed = read_inventory(csv).assets
    from_csv = read_inventory(csv, chunk_rows=chunk_rows, table_above=0)
    assert isinstance(from_csv.assets, AssetTable)
    assert from_csv.assets == listed and from_csv.format == "csv"
    parquet = _parquet(csv, tmp_path / "assets.parquet")
    from_parquet = read_inventory(parquet, chunk_rows=chunk_rows, table_above=0).assets
    assert isinstance(from_parquet, AssetTable) and from_parquet == listed


def _inventory(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "assets.csv"
    path.write_text(
        "asset_id,vendor,category,function,network,country,status,quantity,identified_on\n"
        + "".join(f"{row}\n" for row in rows)
    )
    return path


GOOD = "telecom_equipment,core,5g,GB,installed,2,2024-05-01"


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_table_names_every_problem_the_list_names(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id repeated in a later chunk, a category outside the vocabulary and an empty vendor:
    each named with its line and field, all at once, as when the file is read into a list."""
    monkeypatch.setattr(large_csv, "MIN_BYTES", 0)
    rows = [f"A-{i},Huawei,{GOOD}" for i in range(20)]
    rows[14] = f"A-3,Huawei,{GOOD}"  # the id of line 5, on line 16
    rows[9] = "A-9,Huawei,toaster,core,5g,GB,installed,1,"
    rows[17] = f"A-17,,{GOOD}"
    path = _inventory(tmp_path, rows)
    if kind == "parquet":
        path = _parquet(path, tmp_path / "assets.parquet")

    def problems(**options: int) -> list[tuple[int | None, str | None, str]]:
        with pytest.raises(InventoryErrors) as raised:
            read_inventory(path, chunk_rows=6, **options)
        return [(p.line, p.field, p.message) for p in raised.value.problems]

    listed = problems()
    assert [(line, field) for line, field, _m in listed] == [
        (11, "category"),
        (16, "asset_id"),
        (19, "vendor"),
    ]
    assert "first on line 5" in listed[1][2]
    assert problems(table_above=0) == listed


def test_a_large_csv_is_not_held_as_text_and_reads_as_the_small_one(
    tmp_path: Path, pack: RulePack
) -> None:
    """Past the table threshold a CSV is read from the disk: the same assets as the text path
    and, evaluated, the same JSON (the compact form, 120,000 rows)."""
    rows = [
        f"R{i:06d},{'Huawei' if i % 3 else 'Nokia'},{GOOD.replace(',2,', f',{1 + i % 7},')}"
        for i in range(120_000)
    ]
    path = _inventory(tmp_path, rows)
    table = read_inventory(path).assets
    assert isinstance(table, AssetTable) and len(table) == 120_000
    listed = read_inventory(path, table_above=10**9).assets
    assert isinstance(listed, list) and table == listed
    profile = load_profile(ROOT / "examples" / "uk-telecoms" / "profile.yaml", pack)
    day = dt.date(2026, 11, 28)
    tabled = json_bytes(evaluate(pack, profile, table, day).to_json())
    assert tabled == json_bytes(evaluate(pack, profile, listed, day).to_json())
    data = json.loads(tabled)
    assert data["inputs"]["assets"] == 120_000 and data["inputs"]["shown_ids"] == 100
    removal = next(f for f in data["findings"] if f["obligation_id"] == "gb.dvd-2022.5g-removal")
    assert removal["assets_count"] == 80_000  # the Huawei rows: two in three
    assert removal["assets"][:2] == ["R000001", "R000002"]


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_ids_out_of_order_are_listed_as_the_list_lists_them(
    pack: RulePack, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table whose rows are not in id order picks each list's first ids by sorting the ids
    (Arrow), not by taking the first rows: the same JSON as the list, full and compact."""
    import random

    assets = list(read_inventory(ROOT / "examples" / "uk-telecoms" / "assets.csv").assets)
    if order == "reversed":
        assets.reverse()
    else:
        random.Random(23).shuffle(assets)
    table = from_assets(assets)
    assert not table.ids_in_order()
    assert _json(pack, "uk-telecoms", table, "2026-11-28") == _json(
        pack, "uk-telecoms", assets, "2026-11-28"
    )
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 2)
    assert _json(pack, "uk-telecoms", table, "2026-11-28") == _json(
        pack, "uk-telecoms", assets, "2026-11-28"
    )


def test_undated_rows_split_across_deadlines_read_the_same_from_a_table(
    pack: RulePack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deadline counted from each asset's identification: rows of one signature that part
    identify and part leave undated fall into findings with different due dates; the table
    groups them per day (and the review per set of obligations) as the list does."""
    folder = ROOT / "examples" / "us-federal-contractor"
    lines = (folder / "assets.csv").read_text().splitlines()
    column = lines[0].split(",").index("identified_on")
    dates = ["2021-02-26", "", "2021-02-19", ""]
    extra = []
    for n, line in enumerate(lines[1:3] * 6):
        cells = line.split(",")
        cells[0] = f"V-{(n * 7) % 13:03d}"
        cells[column] = dates[n % 4]
        extra.append(",".join(cells))
    inventory = tmp_path / "assets.csv"
    inventory.write_text("\n".join([lines[0], *lines[1:], *extra]) + "\n")
    listed = read_inventory(inventory).assets
    table = from_assets(listed)
    full = _json(pack, "us-federal-contractor", listed, "2021-03-01")
    assert b"the inventory gives no identified_on date" in full
    assert _json(pack, "us-federal-contractor", table, "2021-03-01") == full
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 2)
    assert _json(pack, "us-federal-contractor", table, "2021-03-01") == _json(
        pack, "us-federal-contractor", listed, "2021-03-01"
    )


@pytest.mark.parametrize("block", [5, 7, 64, 1 << 24])
def test_the_scan_of_a_large_csv_agrees_with_the_text_across_block_bounds(
    block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk scan (``engine.large_csv``) counts the rows and refuses what the text path
    must name (a line over the field cap, a lone carriage return, a NUL, a byte-order mark),
    whatever block the bytes arrive in."""
    monkeypatch.setattr(large_csv, "MIN_BYTES", 0)
    monkeypatch.setattr(large_csv, "_BLOCK", block)
    path = tmp_path / "assets.csv"

    def scanned(data: bytes, cap: int = 40) -> large_csv.Scan | None:
        path.write_bytes(data)
        return large_csv.scan(path, cap)

    lines = [b"asset_id,vendor", *(b"A-%d,Huawei" % i for i in range(30))]
    crlf = scanned(b"\r\n".join(lines) + b"\r\n\r\n")
    assert crlf is not None and crlf.rows == 30 and crlf.header == "asset_id,vendor\r\n"
    plain = scanned(b"\n".join(lines))
    assert plain is not None and plain.rows == 30
    long = [*lines[:20], b"A-99," + b"x" * 40, *lines[20:]]
    assert scanned(b"\n".join(long)) is None
    assert scanned(b"\n".join(long), cap=60) is not None
    assert scanned(b"\n".join(lines[:10]) + b"\rA-77,ZTE\n" + b"\n".join(lines[10:])) is None
    assert scanned(b"\n".join(lines).replace(b"A-5,", b"A-5\x00,")) is None
    assert scanned(b"\xef\xbb\xbf" + b"\n".join(lines)) is None


def test_a_nul_or_an_overlong_cell_in_a_large_parquet_file_is_named_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The column paths check the value domain and the field cap of every distinct cell and
    id; a chunk that breaks one goes to the row path, which names the row and field (a small
    Parquet file's list path accepted both before)."""
    from dutybound.engine import limits

    monkeypatch.setenv("DUTYBOUND_MAX_FIELD_CHARS", "30")
    assert limits.limit(limits.Limit.FIELD_CHARS) == 30
    rows = [f"A-{i},Huawei,{GOOD}" for i in range(12)]
    rows[4] = f"A-4,Hua\x00wei,{GOOD}"
    rows[8] = f"A-{'8' * 40},Huawei,{GOOD}"
    path = _parquet(_inventory(tmp_path, rows), tmp_path / "assets.parquet")
    for above in (0, 10**9):  # into a table, and into a list
        with pytest.raises(InventoryErrors) as raised:
            read_inventory(path, chunk_rows=5, table_above=above)
        found = [(p.line, p.field) for p in raised.value.problems]
        assert found == [(6, "vendor"), (10, "asset_id")]
