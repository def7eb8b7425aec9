"""Streaming inventories (issue 23): chunked reading gives the same answer as one chunk, problems
keep their true row numbers across chunks, and Parquet reads as the CSV it was converted from."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from dutybound.engine import evaluation
from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import load_profile
from dutybound.engine.inventory import read_inventory
from dutybound.engine.inventory_check import InventoryErrors
from dutybound.engine.jsontext import json_bytes
from dutybound.engine.loading import RulePack
from tests.cli_runs import dutybound, evaluate_args

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    ("cz-energy", "2019-02-01"),
    ("us-federal-contractor", "2021-03-01"),
    ("uk-telecoms", "2026-11-28"),
    ("uk-telecoms", "2026-12-03"),
]
HEADER = "asset_id,vendor,product,category,function,network,country,status,quantity,installed_on\n"


def _json(pack: RulePack, example: str, assets: Path, as_of: str, chunk_rows: int) -> bytes:
    folder = ROOT / "examples" / example
    profile = load_profile(folder / "profile.yaml", pack)
    inventory = read_inventory(assets, chunk_rows=chunk_rows)
    result = evaluate(pack, profile, inventory.assets, dt.date.fromisoformat(as_of))
    return json_bytes(result.to_json())


def _parquet(csv: Path, target: Path) -> Path:
    """The CSV as a Parquet file of string columns (empty cells as empty strings), in row
    groups of 4 rows so that a reader must cross row groups."""
    table = pcsv.read_csv(
        csv,
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(csv.read_text().splitlines()[0].split(","), pa.string()),
            strings_can_be_null=False,
        ),
    )
    pq.write_table(table, target, row_group_size=4)
    return target


@pytest.mark.parametrize(("example", "as_of"), EXAMPLES, ids=[f"{e}-{d}" for e, d in EXAMPLES])
def test_chunks_of_seven_rows_give_the_json_of_one_chunk(
    pack: RulePack, example: str, as_of: str
) -> None:
    assets = ROOT / "examples" / example / "assets.csv"
    whole = _json(pack, example, assets, as_of, 1_000_000)
    assert _json(pack, example, assets, as_of, 7) == whole
    assert _json(pack, example, assets, as_of, 1) == whole


@pytest.mark.parametrize(("example", "as_of"), EXAMPLES, ids=[f"{e}-{d}" for e, d in EXAMPLES])
def test_the_example_as_parquet_gives_the_json_of_the_csv(
    pack: RulePack, example: str, as_of: str, tmp_path: Path
) -> None:
    csv = ROOT / "examples" / example / "assets.csv"
    parquet = _parquet(csv, tmp_path / "assets.parquet")
    assert _json(pack, example, parquet, as_of, 7) == _json(pack, example, csv, as_of, 7)
    assert read_inventory(parquet).format == "parquet"


def test_cli_evaluates_a_parquet_inventory_as_its_csv_byte_for_byte(tmp_path: Path) -> None:
    folder = ROOT / "examples" / "uk-telecoms"
    parquet = _parquet(folder / "assets.csv", tmp_path / "assets.parquet")
    golden = (ROOT / "tests" / "golden" / "uk-telecoms-2026-11-28.json").read_bytes()
    result = dutybound(
        *evaluate_args("uk-telecoms", "2026-11-28", parquet), "--format", "json", "--no-store"
    )
    assert result.returncode == 0, result.stderr.decode()
    # the inputs' fingerprint is of the files' bytes, which differ; everything else is equal
    out, want = json.loads(result.stdout), json.loads(golden)
    assert out["inputs"].pop("sha256") != want["inputs"].pop("sha256")
    assert out == want


def _rows(count: int) -> list[str]:
    return [
        f"A-{n:04d},Nokia,Radio,telecom_equipment,ran,5g,GB,installed,{n % 9 + 1},"
        f"2020-01-0{n % 9 + 1}"
        for n in range(1, count + 1)
    ]


def _bad_file(tmp_path: Path) -> Path:
    """30 rows, read in chunks of 7: row 3 (chunk 1) has a wrong category, row 17 (line 18, in
    chunk 3: rows 15-21) a wrong status and a bad date, and row 27 (chunk 4) repeats the id of
    row 2 (chunk 1)."""
    rows = _rows(30)
    rows[2] = rows[2].replace("telecom_equipment", "telecom_equipmnt")
    rows[16] = rows[16].replace("installed,", "instaled,").replace("2020-01-0", "2020-13-0")
    rows[26] = rows[26].replace("A-0027", "A-0002", 1)
    path = tmp_path / "assets.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def _problems(path: Path, chunk_rows: int) -> list[tuple[int | None, str | None]]:
    with pytest.raises(InventoryErrors) as caught:
        read_inventory(path, chunk_rows=chunk_rows)
    return [(p.line, p.field) for p in caught.value.problems]


EXPECTED = [
    (4, "category"),
    (18, "status"),
    (18, "installed_on"),
    (28, "asset_id"),
]


def test_problems_in_later_chunks_keep_their_true_line_and_come_all_at_once(
    tmp_path: Path,
) -> None:
    path = _bad_file(tmp_path)
    assert _problems(path, 7) == EXPECTED
    assert _problems(path, 1_000) == EXPECTED
    with pytest.raises(InventoryErrors) as caught:
        read_inventory(path, chunk_rows=7)
    duplicate = caught.value.problems[-1]
    assert "duplicate asset id 'A-0002' (first on line 3)" in str(duplicate)


def test_problems_of_a_parquet_file_name_the_rows_of_its_csv(tmp_path: Path) -> None:
    csv = _bad_file(tmp_path)
    parquet = _parquet(csv, tmp_path / "assets.parquet")
    assert _problems(parquet, 7) == EXPECTED
    with pytest.raises(InventoryErrors) as from_csv:
        read_inventory(csv, chunk_rows=7)
    with pytest.raises(InventoryErrors) as from_parquet:
        read_inventory(parquet, chunk_rows=7)
    assert [p.message for p in from_parquet.value.problems] == [
        p.message for p in from_csv.value.problems
    ]


def test_typed_parquet_columns_read_as_a_csv_export_would(tmp_path: Path) -> None:
    table = pa.table(
        {
            "Asset Tag": ["T-1", "T-2"],
            "Manufacturer": pa.array(["Huawei", "Nokia"]).dictionary_encode(),
            "category": ["telecom_equipment", "router"],
            "function": ["ran", "core"],
            "country": ["GB", "GB"],
            "status": ["installed", None],
            "qty": pa.array([3, None], pa.int64()),
            "installed_on": pa.array([dt.date(2020, 5, 1), None], pa.date32()),
        }
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    with pytest.raises(InventoryErrors) as caught:
        read_inventory(path)
    # the null status is an empty required cell on row 3, named as in a CSV
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "status")]
    table = table.set_column(5, "status", pa.array(["installed", "planned"]))
    pq.write_table(table, path)
    inventory = read_inventory(path)
    assert [(a.asset_id, a.vendor, a.quantity, a.installed_on) for a in inventory.assets] == [
        ("T-1", "Huawei", 3, dt.date(2020, 5, 1)),
        ("T-2", "Nokia", 1, None),
    ]
    assert ("Asset Tag", "asset_id") in inventory.columns


def test_a_file_that_is_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "assets.parquet"
    path.write_text(HEADER)
    with pytest.raises(Exception, match="not a readable Parquet file") as caught:
        read_inventory(path)
    assert str(path) in str(caught.value)


def test_the_arrow_path_in_small_chunks_gives_the_assets_of_one_chunk(tmp_path: Path) -> None:
    # more lines than FAST_PATH_MIN_ROWS: Arrow's streaming reader, one batch per block
    path = tmp_path / "large.csv"
    path.write_text(HEADER + "\n".join(_rows(9_000)) + "\n")
    whole = read_inventory(path, chunk_rows=1_000_000).assets
    assert len(whole) == 9_000
    assert read_inventory(path, chunk_rows=500).assets == whole
    # a duplicate id in a later block is found by the row path, on its true line
    text = path.read_text().replace("A-8500,", "A-0010,", 1)
    path.write_text(text)
    with pytest.raises(InventoryErrors) as caught:
        read_inventory(path, chunk_rows=500)
    assert [(p.line, p.field) for p in caught.value.problems] == [(8501, "asset_id")]


def _evaluation(pack: RulePack, example: str, as_of: str) -> dict[str, Any]:
    folder = ROOT / "examples" / example
    profile = load_profile(folder / "profile.yaml", pack)
    assets = read_inventory(folder / "assets.csv").assets
    return evaluate(pack, profile, assets, dt.date.fromisoformat(as_of)).to_json()


@pytest.mark.parametrize(("example", "as_of"), EXAMPLES, ids=[f"{e}-{d}" for e, d in EXAMPLES])
def test_above_the_threshold_every_list_of_ids_is_cut_and_counted(
    pack: RulePack, example: str, as_of: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = _evaluation(pack, example, as_of)
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 2)
    compact = _evaluation(pack, example, as_of)
    assert compact["inputs"]["shown_ids"] == 2
    assert compact["summary"] == full["summary"]
    for short, whole in zip(compact["findings"], full["findings"], strict=True):
        assert short["id"] == whole["id"]
        assert short["assets"] == whole["assets"][:2]
        assert short["assets_count"] == len(whole["assets"])
    # the same entries, in the same order, each with its first ids and their count
    for short, whole in zip(compact["unaffected"], full["unaffected"], strict=True):
        assert short.pop("assets_count") == len(whole["assets"])
        assert short.pop("assets") == whole.pop("assets")[:2]
        assert short == whole
    # a review question once per group of assets, with every asset of the full form counted
    asked = Counter((r["reason"], r.get("field"), r["detail"]) for r in full["review"])
    grouped = Counter[tuple[str, Any, str]]()
    for row in compact["review"]:
        assert len(row["assets"]) == min(2, row["assets_count"])
        assert row["asset_id"] == row["assets"][0]
        grouped[(row["reason"], row.get("field"), row["detail"])] += row["assets_count"]
    assert grouped == asked
    assert len(compact["review"]) <= len(full["review"])


def test_at_the_threshold_the_json_is_the_full_form(pack: RulePack, monkeypatch) -> None:
    full = _evaluation(pack, "uk-telecoms", "2026-11-28")
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", full["inputs"]["assets"])
    assert _evaluation(pack, "uk-telecoms", "2026-11-28") == full


def test_affected_assets_lists_every_asset_of_every_finding(tmp_path: Path) -> None:
    target = tmp_path / "out" / "affected.csv"
    result = dutybound(
        *evaluate_args("uk-telecoms", "2026-11-28"),
        "--format",
        "json",
        "--no-store",
        "--affected-assets",
        str(target),
    )
    assert result.returncode == 0, result.stderr.decode()
    # the JSON is the reviewed output, byte for byte
    golden = ROOT / "tests" / "golden" / "uk-telecoms-2026-11-28.json"
    assert result.stdout == golden.read_bytes()
    data = json.loads(result.stdout)
    lines = target.read_text().splitlines()
    assert lines[0] == "finding_id,jurisdiction,obligation_id,status,position,due,asset_id"
    rows = [line.split(",") for line in lines[1:]]
    assert [(r[0], r[6]) for r in rows] == [
        (f["id"], a) for f in data["findings"] for a in f["assets"]
    ]
    assert {(r[0], r[3], r[4], r[5]) for r in rows} == {
        (f["id"], f["status"], f["position"], f["due"] or "")
        for f in data["findings"]
        if f["assets"]
    }
    assert [p.name for p in target.parent.iterdir()] == ["affected.csv"]  # no temporary left


def test_an_unwritable_affected_assets_path_fails_before_any_output(tmp_path: Path) -> None:
    out = tmp_path / "evaluation.json"
    result = dutybound(
        *evaluate_args("uk-telecoms", "2026-11-28"),
        "--out",
        str(out),
        "--no-store",
        "--affected-assets",
        str(tmp_path),  # a directory
    )
    assert result.returncode == 2
    assert "is a directory" in result.stderr.decode()
    assert list(tmp_path.iterdir()) == []


def test_the_parquet_template_reads_as_the_csv_template(tmp_path: Path) -> None:
    for fmt in ("csv", "parquet"):
        done = dutybound(
            "inventory", "template", "--format", fmt, "--out", str(tmp_path / f"t.{fmt}")
        )
        assert done.returncode == 0, done.stderr.decode()
    parquet = read_inventory(tmp_path / "t.parquet")
    assert parquet.assets == read_inventory(tmp_path / "t.csv").assets
    assert parquet.format == "parquet"


def test_inventory_check_lists_every_problem_of_a_parquet_file_by_row(tmp_path: Path) -> None:
    parquet = _parquet(_bad_file(tmp_path), tmp_path / "assets.parquet")
    done = dutybound("inventory", "check", str(parquet), "--format", "json")
    assert done.returncode == 2
    listed = json.loads(done.stdout)["problems"]
    assert [(p["line"], p["field"]) for p in listed] == EXPECTED
    assert all(p["file"] == str(parquet) for p in listed)


def test_every_format_in_chunks_of_one_row_gives_the_assets_of_one_chunk(tmp_path: Path) -> None:
    from dutybound.engine.mapping import load_mapping

    netbox = ROOT / "examples" / "netbox"
    mapping = load_mapping(netbox / "mapping.yaml")
    for path, defaults, with_mapping in (
        (netbox / "devices.csv", {"country": "CZ"}, mapping),
        (netbox / "devices-api.json", None, mapping),
        (ROOT / "examples" / "cz-energy" / "assets.csv", {"use": "other"}, None),
    ):
        args = (path, defaults, None) + ((with_mapping,) if with_mapping else ())
        whole = read_inventory(*args, chunk_rows=1_000)
        assert read_inventory(*args, chunk_rows=1) == whole
        assert whole.assets


def test_problems_of_an_excel_sheet_keep_their_rows_across_chunks(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    for line in _bad_file(tmp_path).read_text().splitlines()[1:]:
        sheet.append(line.split(","))
    path = tmp_path / "assets.xlsx"
    book.save(path)
    assert _problems(path, 7) == EXPECTED
    assert _problems(path, 1_000) == EXPECTED


def test_a_parquet_file_without_a_required_column_lists_it_with_the_rows_problems(
    tmp_path: Path,
) -> None:
    parquet = _parquet(_bad_file(tmp_path), tmp_path / "full.parquet")
    table = pq.read_table(parquet).drop_columns(["country"])
    path = tmp_path / "assets.parquet"
    pq.write_table(table, path, row_group_size=5)
    assert _problems(path, 7) == [(1, "country"), *EXPECTED]
    # given with --default, a column the file lacks is no longer missing
    clean = tmp_path / "clean.csv"
    clean.write_text(HEADER + "\n".join(_rows(30)) + "\n")
    table = pq.read_table(_parquet(clean, tmp_path / "clean.parquet"))
    pq.write_table(table.drop_columns(["country", "category"]), path)
    assets = read_inventory(path, {"country": "GB", "category": "router"}, chunk_rows=7)
    assert {(a.country, a.category) for a in assets.assets} == {("GB", "router")}


def test_the_csv_format_lists_every_asset_also_in_the_compact_form(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from dutybound.cli import app

    args = [*evaluate_args("uk-telecoms", "2026-11-28"), "--no-store"]
    full = CliRunner().invoke(app, [*args, "--format", "csv"], catch_exceptions=False)
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 1)
    compact = CliRunner().invoke(app, [*args, "--format", "csv"], catch_exceptions=False)
    assert compact.exit_code == full.exit_code == 0
    assert compact.stdout == full.stdout
    data = json.loads(
        CliRunner().invoke(app, [*args, "--format", "json"], catch_exceptions=False).stdout
    )
    assert data["inputs"]["shown_ids"] == 1
    # the JSON is shorter, the CSV is not: every (finding, asset) row of the full form
    assert sum(len(f["assets"]) for f in data["findings"]) < len(full.stdout.splitlines()) - 1


def test_the_table_counts_a_findings_assets_from_the_compact_form(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from dutybound.cli import app

    folder = ROOT / "examples" / "uk-telecoms"
    header, first = (folder / "assets.csv").read_text().splitlines()[:2]
    inventory = tmp_path / "assets.csv"  # ten Huawei radios: findings of ten assets
    inventory.write_text(
        "\n".join([header, *(first.replace("R-001", f"R-{n:03d}", 1) for n in range(1, 11))])
    )
    args = [*evaluate_args("uk-telecoms", "2026-11-28", inventory), "--no-store"]
    data = json.loads(
        CliRunner().invoke(app, [*args, "--format", "json"], catch_exceptions=False).stdout
    )
    assert max(len(f["assets"]) for f in data["findings"]) == 10
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 2)
    table = CliRunner().invoke(
        app, [*args, "--format", "table"], catch_exceptions=False, env={"COLUMNS": "400"}
    )
    assert table.exit_code == 0
    # two ids shown, and the other eight counted
    assert "R-001, R-002 +8" in table.stdout


def test_the_long_line_check_agrees_with_splitting_the_text() -> None:
    import random

    from dutybound.engine.inventory import _has_line_over

    pick = random.Random(23)
    for _ in range(2_000):
        text = "".join(pick.choice("ab\n") for _ in range(pick.randrange(0, 40)))
        text += "\n" * pick.randrange(0, 3)
        end = len(text.rstrip("\n"))
        cap = pick.randrange(1, 12)
        naive = end > cap and max(map(len, text[:end].split("\n"))) > cap
        assert _has_line_over(text, end, cap) is naive, (text, cap)


def test_the_compact_unaffected_section_is_the_full_one_cut(
    pack: RulePack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = ROOT / "examples" / "uk-telecoms"
    lines = (folder / "assets.csv").read_text().splitlines()
    # the example's rows, and forty more of its Huawei and ZTE rows abroad or decommissioned,
    # ids shuffled so that inventory order is not id order
    extra = [
        line.replace(line.split(",", 1)[0], f"X-{(n * 37) % 97:03d}", 1)
        .replace(",GB,", [",DE,", ",GB,", ",FR,", ",GB,"][n % 4])
        .replace(",installed,", [",installed,", ",decommissioned,"][n % 2])
        for n, line in enumerate(lines[1:] * 4)
    ]
    inventory = tmp_path / "assets.csv"
    inventory.write_text("\n".join([lines[0], *lines[1:], *extra]) + "\n")
    profile = load_profile(folder / "profile.yaml", pack)
    assets = read_inventory(inventory).assets

    def section() -> list[dict[str, Any]]:
        return evaluate(pack, profile, assets, dt.date(2026, 11, 28)).to_json()["unaffected"]

    full = section()
    assert max(len(u["assets"]) for u in full) > 5
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 3)
    compact = section()
    for short, whole in zip(compact, full, strict=True):
        assert short.pop("assets_count") == len(whole["assets"])
        assert short.pop("assets") == whole.pop("assets")[:3]
        assert short == whole


def test_undated_rows_split_across_deadlines_group_in_the_compact_review(
    pack: RulePack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Rows of one signature that part identify and part leave undated fall into findings with
    different due dates (a finding covers part of a signature): the compact review asks about
    'identified_on' once per set of obligations for every undated row, and the compact
    unaffected section is the full one cut."""
    folder = ROOT / "examples" / "us-federal-contractor"
    lines = (folder / "assets.csv").read_text().splitlines()
    column = lines[0].split(",").index("identified_on")
    dates = ["2021-02-26", "", "2021-02-19", ""]
    extra = []
    for n, line in enumerate(lines[1:3] * 6):  # its Huawei and Hikvision rows, twelve more
        cells = line.split(",")
        cells[0] = f"V-{(n * 7) % 13:03d}"  # ids out of inventory order
        cells[column] = dates[n % 4]
        extra.append(",".join(cells))
    inventory = tmp_path / "assets.csv"
    inventory.write_text("\n".join([lines[0], *lines[1:], *extra]) + "\n")
    profile = load_profile(folder / "profile.yaml", pack)
    assets = read_inventory(inventory).assets

    def result() -> dict[str, Any]:
        return evaluate(pack, profile, assets, dt.date(2021, 3, 1)).to_json()

    full = result()
    undated = Counter(
        (r["detail"], tuple(r["obligations"]))
        for r in full["review"]
        if r.get("field") == "identified_on"
    )
    assert sum(undated.values()) == 6  # the extra rows with no date
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 3)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 2)
    compact = result()
    assert compact["summary"] == full["summary"]
    grouped = Counter[tuple[str, tuple[str, ...]]]()
    for row in compact["review"]:
        if row.get("field") == "identified_on":
            assert row["asset_id"] == row["assets"][0]
            grouped[(row["detail"], tuple(row["obligations"]))] += row["assets_count"]
    assert grouped == undated
    for short, whole in zip(compact["unaffected"], full["unaffected"], strict=True):
        assert short.pop("assets_count") == len(whole["assets"])
        assert short.pop("assets") == whole.pop("assets")[:2]
        assert short == whole
