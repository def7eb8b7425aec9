"""Inventory formats as compliance officers have them: synonyms, Excel, CycloneDX, defaults."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from engine.errors import InputError
from engine.inventory import read_inventory


def test_column_synonyms_are_mapped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Asset Tag,Manufacturer,Asset Type,Network Function,Country Code,Lifecycle,"
                    "Qty,Model Number,Notes\n"
                    "T-1,HUAWEI TECHNOLOGIES CO.,telecom_equipment,core,gb,Installed,2,"
                    "USN9810,free text\n", encoding="utf-8")
    inventory = read_inventory(path)
    (asset,) = inventory.assets
    assert (asset.asset_id, asset.vendor, asset.country, asset.status, asset.quantity,
            asset.model) == ("T-1", "HUAWEI TECHNOLOGIES CO.", "GB", "installed", 2, "USN9810")
    assert ("Manufacturer", "vendor") in inventory.renamed()
    assert ("Lifecycle", "status") in inventory.renamed()


def test_two_headers_for_one_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("asset_id,Make,Manufacturer,category,function,country,status\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="'Make' and 'Manufacturer' both mean 'vendor'"):
        read_inventory(path)


def test_excel_inventory_reads_the_first_sheet_with_excel_row_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Asset ID", "OEM", "Category", "Function", "Country", "Status", "Installed"])
    sheet.append(["X-1", "ZTE Corporation", "router", "core", "CZ", "installed",
                  dt.datetime(2018, 5, 1)])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["X-2", "Nokia", "router", "core", "CZ", "retired", None])
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
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
        {"type": "device", "bom-ref": "cam-1", "name": "DS-2CD2143G2-I",
         "manufacturer": {"name": "Hangzhou Hikvision Digital Technology Co., Ltd."},
         "properties": [{"name": "dutybound:category", "value": "video_surveillance"},
                        {"name": "dutybound:use", "value": "public_safety"}],
         "components": [{"type": "firmware", "name": "IPC firmware", "version": "5.7.3",
                         "supplier": {"name": "Hikvision"}}]},
        {"type": "application", "name": "Endpoint Security", "version": "11",
         "publisher": "Kaspersky Lab"},
    ]}
    path = tmp_path / "hbom.json"
    path.write_text(json.dumps(bom), encoding="utf-8")
    with pytest.raises(InputError, match="field 'function': is empty"):
        read_inventory(path)
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
