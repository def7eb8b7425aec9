"""Inventory formats as compliance officers have them: synonyms, Excel, CycloneDX, defaults."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from dutybound.engine.errors import InputError
from dutybound.engine.inventory import read_inventory


def test_column_synonyms_are_mapped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Asset Tag,Manufacturer,Asset Type,Network Function,Country Code,Lifecycle,"
        "Qty,Model Number,Notes\n"
        "T-1,HUAWEI TECHNOLOGIES CO.,telecom_equipment,core,gb,Installed,2,"
        "USN9810,free text\n",
        encoding="utf-8",
    )
    inventory = read_inventory(path)
    (asset,) = inventory.assets
    assert (
        asset.asset_id,
        asset.vendor,
        asset.country,
        asset.status,
        asset.quantity,
        asset.model,
    ) == ("T-1", "HUAWEI TECHNOLOGIES CO.", "GB", "installed", 2, "USN9810")
    assert ("Manufacturer", "vendor") in inventory.renamed()
    assert ("Lifecycle", "status") in inventory.renamed()


def test_two_headers_for_one_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "asset_id,Make,Manufacturer,category,function,country,status\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="'Make' and 'Manufacturer' both mean 'vendor'"):
        read_inventory(path)


def test_excel_inventory_reads_the_first_sheet_with_excel_row_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Asset ID", "OEM", "Category", "Function", "Country", "Status", "Installed"])
    sheet.append(
        ["X-1", "ZTE Corporation", "router", "core", "CZ", "installed", dt.datetime(2018, 5, 1)]
    )
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["X-2", "Nokia", "router", "core", "CZ", "scrapped", None])
    path = tmp_path / "inventory.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        read_inventory(path)
    assert info.value.line == 4 and info.value.field == "status"  # Excel row 4
    sheet.cell(row=4, column=6, value="decommissioned")
    book.save(path)
    assets = read_inventory(path).assets
    assert [a.asset_id for a in assets] == ["X-1", "X-2"]
    assert assets[0].installed_on == dt.date(2018, 5, 1) and assets[0].vendor == "ZTE Corporation"


def test_cyclonedx_hbom_with_defaults(tmp_path: Path) -> None:
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "type": "device",
                "bom-ref": "cam-1",
                "name": "DS-2CD2143G2-I",
                "manufacturer": {"name": "Hangzhou Hikvision Digital Technology Co., Ltd."},
                "properties": [
                    {"name": "dutybound:category", "value": "video_surveillance"},
                    {"name": "dutybound:use", "value": "public_safety"},
                ],
                "components": [
                    {
                        "type": "firmware",
                        "name": "IPC firmware",
                        "version": "5.7.3",
                        "supplier": {"name": "Hikvision"},
                    }
                ],
            },
            {
                "type": "application",
                "name": "Endpoint Security",
                "version": "11",
                "publisher": "Kaspersky Lab",
            },
        ],
    }
    path = tmp_path / "hbom.json"
    path.write_text(json.dumps(bom), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_inventory(path)
    message = str(info.value)
    # every component's problems in one run, each naming the component by bom-ref or position
    assert "field 'function': components[0] (bom-ref 'cam-1'): is empty" in message
    assert "field 'country': components[0].components[0]: is empty" in message
    assert "--default function=<value>" in message
    assert len(getattr(info.value, "problems", [])) == 6
    inventory = read_inventory(path, {"country": "US", "function": "other"})
    assert inventory.format == "cyclonedx"
    assets = {a.asset_id: a for a in inventory.assets}
    assert assets["cam-1"].category == "video_surveillance"
    assert assets["cam-1"].use == "public_safety"
    assert assets["IPC firmware@5.7.3"].vendor == "Hikvision"
    assert assets["IPC firmware@5.7.3"].category == "software"
    assert assets["Endpoint Security@11"].vendor == "Kaspersky Lab"
    assert all(a.country == "US" for a in inventory.assets)


def test_unknown_default_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("asset_id,vendor,category,function,country,status\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown column 'colour'"):
        read_inventory(path, {"colour": "red"})


# Cells for the differential test of the two CSV paths: valid values, values each path must
# reject, whitespace to strip, quoting, empties.
_CELLS = {
    "asset_id": ["A-1", "A-2", " A-3 ", "A-1", "", "x,y", 'q"uote'],
    "vendor": ["Huawei", " ZTE Corporation", "Nokia", "", "华为"],
    "category": ["telecom_equipment", "ROUTER", " video_surveillance", "toaster", ""],
    "function": ["ran", "core", "Office_IT", "teleport", ""],
    "country": ["GB", "cz", "USA", "1X", ""],
    "status": ["installed", "Planned", "lost", ""],
    "network": ["", "5g", "6g"],
    "quantity": ["", "2", "0", "1.5", " 3"],
    "installed_on": ["", "2024-02-29", "2023-02-30", "yesterday"],
    "flags": ["", "government_contract", "bogus_flag"],
    "origin": ["", "cn", "C1"],
}


def _csv_text(rows: list[dict[str, str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(_CELLS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("seed", range(60))
def test_fast_and_row_by_row_csv_paths_agree(seed: int, tmp_path: Path) -> None:
    """The Arrow fast path either gives exactly the assets the row-by-row path gives, or steps
    aside (None) whenever the row-by-row path would report an error."""
    import random

    from dutybound.engine.inputs import assets_from_rows
    from dutybound.engine.inventory import _csv_assets, _csv_rows

    rng = random.Random(seed)
    rows = []
    for n in range(rng.randint(1, 8)):
        row = {column: rng.choice(cells) for column, cells in _CELLS.items()}
        if rng.random() < 0.8:  # mostly valid rows, so that whole files pass too
            row.update(
                asset_id=f"R-{n}",
                vendor="Huawei",
                category="router",
                function="core",
                country="GB",
                status="installed",
                installed_on="",
                flags="",
                origin="",
                quantity=rng.choice(["", "2", " 3"]),
            )
        rows.append(row)
    path = tmp_path / "inv.csv"
    text = _csv_text(rows)
    path.write_text(text, encoding="utf-8")
    fast = _csv_assets(path, text, {})
    try:
        _mapping, stream = _csv_rows(path, text, frozenset())
        slow = assets_from_rows(path, stream)
    except InputError:
        assert fast is None
        return
    assert fast is not None and fast[0] == slow


def test_csv_with_blank_lines_or_multi_line_cells_keeps_exact_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(
        "asset_id,vendor,category,function,country,status,product\n"
        'A-1,Huawei,router,core,GB,installed,"two\nlines"\n'
        "\n"
        "A-2,ZTE,router,core,GB,installed,x\n"
        "A-3,ZTE,router,core,GB,lost,x\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_inventory(path)
    assert (info.value.line, info.value.field) == (6, "status")


def test_the_fast_path_translates_country_names_and_mapped_values_as_the_row_path_does(
    tmp_path: Path,
) -> None:
    from dutybound.engine.inventory import _csv_assets
    from dutybound.engine.mapping import load_mapping

    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text("values:\n  category:\n    Switch: telecom_equipment\n")
    mapping = load_mapping(mapping_file)
    path = tmp_path / "inv.csv"
    text = "asset_id,vendor,category,function,country,status\n" + "".join(
        f"A-{n},Huawei,{'Switch' if n % 2 else 'router'},core,"
        f"{'Czech Republic' if n % 3 else 'GB'},{'In Service' if n % 5 else 'planned'}\n"
        for n in range(30)
    )
    path.write_text(text, encoding="utf-8")
    slow = read_inventory(path, mapping=mapping).assets  # small: the row-by-row path
    fast = _csv_assets(path, text, {}, mapping)
    assert fast is not None and fast[0] == slow
    assert {(a.category, a.country, a.status) for a in slow} >= {
        ("telecom_equipment", "CZ", "installed"),
        ("router", "GB", "planned"),
    }
