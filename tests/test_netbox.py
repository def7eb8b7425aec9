"""NetBox device lists as inventories: the Devices table's CSV export and a page of the REST API
(issue 21), read from the example files in examples/netbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.errors import InputError
from dutybound.engine.inventory import read_inventory
from dutybound.engine.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[1]
NETBOX = ROOT / "examples" / "netbox"
runner = CliRunner()


def test_the_device_csv_export_is_recognised_and_mapped() -> None:
    read = read_inventory(NETBOX / "devices.csv", {"country": "CZ"})
    assert read.format == "netbox"
    assets = {a.asset_id: a for a in read.assets}
    # the asset tag when there is one, else the device name
    assert sorted(assets) == [
        "DC-0007",
        "DC-0101",
        "DC-0102",
        "DC-0104",
        "brn-cam01",
        "sub-olm-rtr01",
    ]
    core = assets["DC-0101"]
    assert (core.vendor, core.product, core.category, core.function) == (
        "Huawei",
        "CloudEngine 6881-48S6CQ",
        "telecom_equipment",
        "core",
    )
    assert (core.status, core.site, core.country, core.line) == (
        "installed",  # NetBox's Active
        "Brno dispatch centre",
        "CZ",
        2,
    )
    assert assets["sub-olm-rtr01"].status == "planned"
    assert (assets["sub-olm-rtr01"].category, assets["sub-olm-rtr01"].function) == (
        "router",
        "core",
    )
    assert assets["DC-0007"].status == "decommissioned"  # Decommissioning
    assert (assets["DC-0104"].category, assets["DC-0104"].function) == (
        "it_hardware",
        "security_function",
    )


def test_the_api_page_reads_the_manufacturer_under_the_device_type() -> None:
    read = read_inventory(NETBOX / "devices-api.json")
    assert read.format == "netbox"
    got = {
        a.asset_id: (a.vendor, a.product, a.category, a.function, a.status, a.site, a.country)
        for a in read.assets
    }
    assert got == {
        "DC-0101": (
            "Huawei",
            "CloudEngine 6881-48S6CQ",
            "telecom_equipment",
            "core",
            "installed",
            "Brno dispatch centre",
            "CZ",
        ),
        "sub-olm-rtr01": (
            "ZTE",
            "ZXR10 5960-56QU-HI",
            "router",
            "core",
            "planned",
            "Olomouc substation",
            "CZ",
        ),
        "DC-0104": (
            "Fortinet",
            "FortiGate 200F",
            "it_hardware",
            "security_function",
            "installed",
            "Brno dispatch centre",
            "CZ",
        ),
    }


def test_a_mapping_file_overrides_the_default_role_table() -> None:
    mapping = load_mapping(NETBOX / "mapping.yaml")
    assets = {
        a.asset_id: a
        for a in read_inventory(NETBOX / "devices.csv", {"country": "CZ"}, None, mapping).assets
    }
    assert assets["DC-0101"].function == "transmission"  # Core Switch, mapped
    assert assets["DC-0101"].category == "telecom_equipment"  # from the default table
    assert (assets["brn-cam01"].category, assets["brn-cam01"].function) == (
        "video_surveillance",
        "physical_security",
    )


def test_a_role_outside_the_table_is_named_with_the_device_and_the_fix(tmp_path: Path) -> None:
    page = json.loads((NETBOX / "devices-api.json").read_text(encoding="utf-8"))
    page["results"][1]["role"]["name"] = "Smart Meter Head-End"
    del page["results"][0]["custom_fields"]["country"]
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_inventory(path)
    problems = info.value.problems  # type: ignore[attr-defined]
    messages = [p.message for p in problems]
    assert [(p.line, p.field) for p in problems] == [
        (1, "country"),
        (2, "category"),
        (2, "function"),
    ]
    assert messages[0].startswith("device 'DC-0101': is empty")
    assert "--default country=<value>" in messages[0]
    assert messages[1].startswith("device 'sub-olm-rtr01': ")
    assert "values: {category: {Smart Meter Head-End: <value>}}" in messages[1]


def test_netbox_csv_without_a_country_says_how_to_give_one() -> None:
    result = runner.invoke(app, ["inventory", "check", str(NETBOX / "devices.csv")])
    assert result.exit_code == 2
    assert "6 problem(s)" in result.output
    assert result.output.count("--default country=<value>") == 6
    ok = runner.invoke(
        app, ["inventory", "check", str(NETBOX / "devices.csv"), "--default", "country=CZ"]
    )
    assert ok.exit_code == 0 and "6 assets, no problems (netbox)" in ok.output


def test_a_plain_csv_with_a_type_column_is_not_taken_for_netbox(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(
        "Asset ID,Manufacturer,Type,Function,Country,Status\nA-1,Huawei,router,core,GB,installed\n",
        encoding="utf-8",
    )
    read = read_inventory(path)
    assert read.format == "csv" and read.assets[0].category == "router"


def test_evaluating_a_netbox_export_finds_the_designated_vendors_equipment() -> None:
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--profile",
            str(ROOT / "examples" / "cz-energy" / "profile.yaml"),
            "--assets",
            str(NETBOX / "devices.csv"),
            "--default",
            "country=CZ",
            "--as-of",
            "2025-06-01",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assets = {a for f in data["findings"] for a in f["assets"]}
    assert "DC-0101" in assets  # Huawei core switch
    assert "DC-0104" not in assets  # Fortinet
