"""Evaluation-level behaviour that scenario files cannot state: review lists, determinism."""

from __future__ import annotations

import datetime as dt
import json
import random

from dutybound.engine.evaluation import evaluate
from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings

CONTRACTOR = {"name": "Contractor", "jurisdictions": ["US"], "roles": ["us.federal_contractor"]}


def _assets(*rows: dict[str, str]):
    base = {"country": "US", "status": "installed"}
    return assets_from_rows("test", rows_from_mappings([{**base, **r} for r in rows]))


def test_purpose_limited_vendor_with_unknown_use_goes_to_review(pack, evaluators) -> None:
    """s.889 reaches Hikvision cameras only for covered uses; with `use` empty the engine cannot
    decide, so the asset is listed for review with the obligations at stake, not silently passed."""
    profile = check_profile(CONTRACTOR, pack, "profile")
    assets = _assets(
        {
            "asset_id": "CAM-1",
            "vendor": "Hikvision",
            "category": "video_surveillance",
            "function": "physical_security",
        },
        {
            "asset_id": "CAM-2",
            "vendor": "Hikvision",
            "category": "video_surveillance",
            "function": "physical_security",
            "use": "other",
        },
        {
            "asset_id": "CAM-3",
            "vendor": "Axis Communications",
            "category": "video_surveillance",
            "function": "physical_security",
        },
    )
    result = evaluate(
        pack, profile, assets, dt.date(2021, 3, 1), evaluator=evaluators["production"]
    ).to_json()
    caught = {a for f in result["findings"] for a in f["assets"]}
    assert not caught & {"CAM-1", "CAM-2", "CAM-3"}
    review = [r for r in result["review"] if r["reason"] == "missing_fact" and r["field"] == "use"]
    assert {r["asset_id"] for r in review} == {"CAM-1"}
    assert "us.ndaa889.a1b-use-purpose-limited" in review[0]["obligations"]
    # whether the camera is delivered under a federal contract is asked too (s.889(a)(1)(A)),
    # but only where a covered use is still possible: not for CAM-2 (use other), nor for Axis
    asked = {r["asset_id"] for r in result["review"] if r["field"] == "federal_contract_delivery"}
    assert asked == {"CAM-1"}


def test_same_findings_whatever_the_row_order(pack, evaluators) -> None:
    profile = check_profile(
        {
            "name": "UK",
            "jurisdictions": ["GB"],
            "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
        },
        pack,
        "profile",
    )
    rows = [
        {
            "asset_id": f"A{i}",
            "vendor": v,
            "category": "telecom_equipment",
            "function": fn,
            "network": net,
            "country": "GB",
            "status": "installed",
            "quantity": str(q),
        }
        for i, (v, fn, net, q) in enumerate(
            [
                ("Huawei", "core", "4g", 2),
                ("Nokia", "ran", "5g", 5),
                ("HiSilicon", "ran", "5g", 1),
                ("Ericsson", "access_fttp", "fttp", 3),
                ("Huawei", "access_fttp", "fttp", 9),
            ]
        )
    ]
    first = evaluate(
        pack,
        profile,
        assets_from_rows("a", rows_from_mappings(rows)),
        dt.date(2024, 6, 1),
        evaluator=evaluators["production"],
    ).to_json()
    random.Random(3).shuffle(rows)
    second = evaluate(
        pack,
        profile,
        assets_from_rows("a", rows_from_mappings(rows)),
        dt.date(2024, 6, 1),
        evaluator=evaluators["production"],
    ).to_json()

    # the conditions and vendor links cite the inventory's row numbers, which move with the
    # rows; what the law asks (obligation, status, due date, assets, explanation) does not
    def legal(findings: list[dict]) -> str:  # type: ignore[type-arg]
        return json.dumps(
            [
                {k: v for k, v in f.items() if k not in ("conditions", "vendor_link")}
                for f in findings
            ]
        )

    assert legal(first["findings"]) == legal(second["findings"])
    assert [len(f["conditions"]) for f in first["findings"]] == [
        len(f["conditions"]) for f in second["findings"]
    ]


def test_json_text_is_the_standard_librarys_indented_json(pack) -> None:
    """orjson writes the CLI's JSON; it must be the text json.dumps would give, byte for byte,
    so that files written before the switch compare equal."""
    from pathlib import Path

    from dutybound.engine.inputs import load_profile
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.jsontext import json_text

    example = Path(__file__).resolve().parent.parent / "examples" / "cz-energy"
    profile = load_profile(example / "profile.yaml", pack)
    assets = read_inventory(example / "assets.csv").assets
    data = evaluate(pack, profile, assets, dt.date(2019, 2, 1)).to_json()
    data["operator"]["name"] = "Dvořák & syn — 华为 test"  # non-ASCII stays as written
    assert json_text(data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
