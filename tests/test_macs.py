"""MAC addresses in the inventory: the IEEE OUI registry says whose equipment it is (engine.macs).

The OUIs used are the IEEE registrations shipped with netaddr 1.3.0: 00-E0-FC and 00-1E-10 are
HUAWEI TECHNOLOGIES CO.,LTD, 28-57-BE and C0-56-E3 Hangzhou Hikvision Digital Technology Co.,Ltd.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.inputs import Asset, Profile, check_profile
from dutybound.engine.inventory import read_inventory
from dutybound.engine.loading import RulePack
from dutybound.engine.macs import MacMatch, organisation, parse_mac, resolve_macs
from dutybound.engine.outcomes import MatchMethod

DVD = {
    "name": "Example Telecom plc",
    "jurisdictions": ["GB"],
    "sectors": ["telecoms"],
    "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
    "attributes": {"gb.relevant_turnover_gbp": 2000000000},
}
HEADER = "Asset ID,Manufacturer,MAC Address,category,function,network,country,status\n"


def evaluate_with_macs(
    pack: RulePack,
    profile: Profile,
    assets: list[Asset],
    as_of: dt.date,
    monkeypatch: pytest.MonkeyPatch,
) -> Evaluation:
    """``evaluate`` with ``resolve_macs`` applied as evaluate() will once it is wired in (right
    after its vendor matches are made): the resolved assets go in, and the registry answers
    their vendor keys with the MAC matches. Once evaluate() calls resolve_macs itself this
    changes nothing (resolve_macs leaves resolved assets alone)."""
    registry = pack.registry
    matches = {v: registry.match(v, as_of) for v in {a.vendor for a in assets}}
    resolved, by_mac = resolve_macs(assets, matches, registry, as_of)
    plain = registry.match
    monkeypatch.setattr(
        registry,
        "match",
        lambda vendor, on: by_mac[vendor] if vendor in by_mac else plain(vendor, on),
    )
    return evaluate(pack, profile, resolved, as_of)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "inventory.csv"
    path.write_text(HEADER + body)
    return path


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("00:E0:FC:12:34:56", "00:e0:fc:12:34:56"),
        ("00-e0-fc-12-34-56", "00:e0:fc:12:34:56"),
        ("00e0.fc12.3456", "00:e0:fc:12:34:56"),
        ("00E0FC123456", "00:e0:fc:12:34:56"),
        ("00E0FC", "00:e0:fc"),
        ("00-E0-FC", "00:e0:fc"),
    ],
)
def test_mac_forms(text: str, canonical: str) -> None:
    assert parse_mac(text) == canonical
    assert organisation(text) == "HUAWEI TECHNOLOGIES CO.,LTD"


def test_registrants() -> None:
    assert organisation("28:57:BE:00:00:01") == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert organisation("c056.e3aa.bbcc") == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    with pytest.raises(ValueError, match="not a MAC address"):
        organisation("00:E0:FC:12:34")


def test_inventory_known_only_by_mac_gives_the_findings(
    pack: RulePack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GB DVD addressee whose core router is known only by its MAC (Huawei's OUI 00-E0-FC):
    the core-removal finding is the one a Huawei vendor name gives; a camera known only by a
    Hikvision MAC resolves to Hikvision; a Nokia router with no MAC is untouched."""
    path = _write(
        tmp_path,
        "C-1,,00:E0:FC:12:34:56,telecom_equipment,core,4g,GB,installed\n"
        "C-2,Nokia,,telecom_equipment,core,5g,GB,installed\n"
        "CAM-1,,28-57-BE-00-00-01,video_surveillance,physical_security,,GB,installed\n",
    )
    inventory = read_inventory(path)
    assert ("MAC Address", "mac") in inventory.columns
    assets = inventory.assets
    assert assets[0].vendor == "" and assets[0].mac == "00:e0:fc:12:34:56"
    profile = check_profile(DVD, pack, "profile")
    as_of = dt.date(2024, 1, 1)
    result = evaluate_with_macs(pack, profile, assets, as_of, monkeypatch)
    by_id = {a.asset_id: a for a in result.assets}
    c1 = result.vendor_matches[by_id["C-1"].vendor]
    assert isinstance(c1, MacMatch)
    assert (c1.group, c1.method, c1.needs_review) == ("huawei", MatchMethod.MAC_OUI, False)
    assert c1.reason().startswith(
        "MAC 00:e0:fc:… is registered to HUAWEI TECHNOLOGIES CO.,LTD "
        "(IEEE OUI registry, netaddr 1.3.0)"
    )
    assert c1.to_json()["method"] == "mac_oui"
    assert result.vendor_matches[by_id["CAM-1"].vendor].group == "hikvision"
    assert by_id["C-2"].vendor == "Nokia"
    findings = [f.to_json() for f in result.findings]
    core = [f for f in findings if f["obligation_id"] == "gb.dvd-2022.core-removal"]
    assert [(f["status"], f["assets"]) for f in core] == [("overdue", ["C-1"])]
    assert not [r for r in result.review() if r["reason"] == "vendor_match"]


def test_vendor_and_mac_that_disagree_go_to_review(
    pack: RulePack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path,
        "C-1,Nokia,00:1E:10:00:00:01,telecom_equipment,core,4g,GB,installed\n"
        "C-2,Huawei,00:E0:FC:00:00:02,telecom_equipment,core,4g,GB,installed\n"
        "C-3,Huawei,28:57:BE:00:00:03,telecom_equipment,core,4g,GB,installed\n",
    )
    profile = check_profile(DVD, pack, "profile")
    result = evaluate_with_macs(
        pack, profile, read_inventory(path).assets, dt.date(2024, 1, 1), monkeypatch
    )
    review = {r["asset_id"]: r for r in result.review() if r["reason"] == "vendor_match"}
    assert set(review) == {"C-1", "C-3"}  # C-2: name and MAC agree
    assert "'Nokia' resolves to no group in the registry" in review["C-1"]["detail"]
    assert "HUAWEI TECHNOLOGIES CO.,LTD" in review["C-1"]["detail"]
    assert "Hikvision" in review["C-3"]["detail"] and "Huawei" in review["C-3"]["detail"]
    caught = {a for f in result.findings for a in f.assets}
    assert caught == {"C-2"}  # a disputed asset is never decided silently


def test_malformed_mac_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "C-1,,00:E0:FC:12:34,telecom_equipment,core,4g,GB,installed\n")
    with pytest.raises(InputError) as err:
        read_inventory(path)
    assert err.value.line == 2 and err.value.field == "mac"
    assert "not a MAC address" in str(err.value)


def test_empty_vendor_without_mac_is_still_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "C-1,,,telecom_equipment,core,4g,GB,installed\n")
    with pytest.raises(InputError) as err:
        read_inventory(path)
    assert err.value.line == 2 and err.value.field == "vendor"
    assert "MAC address" in str(err.value)


def test_mac_and_oui_must_agree(tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_text(
        "id,vendor,mac,OUI,category,function,country,status\n"
        "C-1,,00:E0:FC:12:34:56,28-57-BE,telecom_equipment,core,GB,installed\n"
    )
    with pytest.raises(InputError) as err:
        read_inventory(path)
    assert err.value.field == "oui"


def test_fast_path_reads_macs_like_the_row_path(tmp_path: Path, pack: RulePack) -> None:
    """Over the Arrow threshold: the same assets, MAC-only rows included; resolving is done
    once per distinct (vendor, OUI)."""
    rows = "".join(
        f"A{i},{'' if i % 2 else 'Nokia'},00:E0:FC:00:{i // 256 % 256:02x}:{i % 256:02x},"
        "telecom_equipment,core,4g,GB,installed\n"
        for i in range(6000)
    )
    path = _write(tmp_path, rows)
    assets = read_inventory(path).assets
    assert assets[1].vendor == "" and assets[1].mac == "00:e0:fc:00:00:01"
    as_of = dt.date(2024, 1, 1)
    matches = {v: pack.registry.match(v, as_of) for v in {a.vendor for a in assets}}
    resolved, by_mac = resolve_macs(assets, matches, pack.registry, as_of)
    assert set(by_mac) == {
        "HUAWEI TECHNOLOGIES CO.,LTD [MAC 00:e0:fc]",
        "Nokia [MAC 00:e0:fc disputed]",
    }
    again, same = resolve_macs(resolved, by_mac, pack.registry, as_of)
    assert again == resolved and same == by_mac


def test_a_procurement_check_of_an_item_known_only_by_its_mac(pack) -> None:
    """A bid line with no vendor name but a Huawei MAC prefix, for a UK DVD addressee after the
    core deadline: the gate treats it as Huawei's and says how the vendor was resolved. It is not
    allowed: the direction's rules reach it, and ask whether the site is significant to national
    security."""
    import datetime as dt

    from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings
    from dutybound.engine.verdict import check_items

    profile = check_profile(
        {
            "name": "Albion",
            "jurisdictions": ["GB"],
            "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
        },
        pack,
        "p",
    )
    items = assets_from_rows(
        "bid",
        rows_from_mappings(
            [
                {
                    "asset_id": "item-1",
                    "vendor": "",
                    "mac": "00:E0:FC:12:34:56",
                    "category": "telecom_equipment",
                    "function": "core",
                    "country": "GB",
                    "status": "in_procurement",
                }
            ]
        ),
    )
    result = check_items(pack, profile, items, dt.date(2024, 1, 15))
    item = result.to_json()["items"][0]
    assert item["vendor_match"]["group"] == "huawei"
    assert "IEEE OUI registry" in item["vendor_match"]["reason"]
    assert item["verdict"] != "allowed"
    assert not [r for r in item["review"] if r["reason"] == "vendor_match"]
    # the direction's rules reach it as Huawei's: they ask what only the operator knows
    asked = {ob for r in item["review"] for ob in r.get("obligations", [])}
    assert any(ob.startswith("gb.dvd-2022") for ob in asked)
