"""The ``unaffected`` section: for each asset of a designated vendor that no finding covers, why
not, per jurisdiction, in words a compliance officer can check against the law."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.inputs import (
    assets_from_rows,
    check_profile,
    load_profile,
    rows_from_mappings,
)
from dutybound.engine.inventory import read_inventory
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import UnaffectedReason
from dutybound.engine.unaffected import unaffected

ROOT = Path(__file__).resolve().parent.parent


def run(
    pack: RulePack, profile: dict[str, Any], assets: list[dict[str, str]], day: str
) -> Evaluation:
    operator = check_profile(profile, pack, "profile")
    rows = assets_from_rows("assets", rows_from_mappings(assets))
    return evaluate(pack, operator, rows, dt.date.fromisoformat(day))


def example(pack: RulePack, name: str, day: str) -> Evaluation:
    folder = ROOT / "examples" / name
    operator = load_profile(folder / "profile.yaml", pack)
    rows = read_inventory(folder / "assets.csv", {}, None).assets
    return evaluate(pack, operator, rows, dt.date.fromisoformat(day))


def asset(asset_id: str, vendor: str, category: str, function: str, **more: str) -> dict[str, str]:
    return {
        "asset_id": asset_id,
        "vendor": vendor,
        "category": category,
        "function": function,
        "status": "installed",
        **more,
    }


def entries_for(result: list[dict[str, Any]], asset_id: str) -> list[dict[str, Any]]:
    return [e for e in result if asset_id in e["assets"]]


def test_cz_ecomms_provider_is_not_addressed_by_the_nukib_warning(pack: RulePack) -> None:
    # Act 181/2014 § 3(a)/(b) e-comms providers are not among the addressees of the NÚKIB
    # warning of 17 Dec 2018: its risk-analysis and supplier duties bind CII, VIS and OES
    # administrators. On 1 Feb 2019 Huawei RAN kit of a provider holding only that role gives no
    # finding, and the section says so, naming the CII role.
    result = run(
        pack,
        {"name": "Provider", "jurisdictions": ["CZ"], "roles": ["cz.ecomms_provider"]},
        [
            asset(
                "RAN-1",
                "Huawei Technologies Co., Ltd.",
                "telecom_equipment",
                "ran",
                network="4g",
                country="CZ",
            )
        ],
        "2019-02-01",
    )
    assert result.findings == []
    rows = unaffected(result)
    warning = next(e for e in rows if "cz.nukib-2018.risk-management" in e["obligations"])
    assert warning["jurisdiction"] == "CZ"
    assert warning["reason"] == UnaffectedReason.ROLE_NOT_HELD
    # one entry for the radio and this reason, each condition followed by its obligations; the
    # government decision of 7 Jan 2019 addresses CII and VIS administrators only, a sentence
    # of its own in the same entry
    assert warning["obligations"] == [
        "cz.gov-2019.huawei-zte-risk-analysis",
        "cz.nukib-2018.risk-management",
        "cz.nukib-2018.supplier-selection",
        "cz.nukib-methodology-2019.procurement-conditions",
    ]
    assert "(cz.gov-2019.huawei-zte-risk-analysis)" in warning["detail"]
    assert "critical information infrastructure (CII)" in warning["detail"]
    assert "(cz.cii_administrator)" in warning["detail"]
    assert "holds none of these roles" in warning["detail"]
    assert warning["assets"] == ["RAN-1"] and warning["vendor_groups"] == ["huawei"]
    # the continuation under Act 264/2025 is addressed to roles that Act created in 2025: in
    # 2019 it is not named at all (no hindsight)
    assert not [o for e in rows for o in e["obligations"] if o.endswith("264-2025")]
    assert not [e for e in rows if "Act 264/2025" in e["detail"]]


def test_cz_before_the_warning_names_no_later_law(pack: RulePack) -> None:
    # On 16 Dec 2018, the day before the NÚKIB warning, no Czech obligation in the pack reaches
    # Huawei: the section says that, and names none of the law adopted later (no hindsight).
    result = run(
        pack,
        {"name": "CII", "jurisdictions": ["CZ"], "roles": ["cz.cii_administrator"]},
        [asset("RAN-1", "Huawei Technologies Co., Ltd.", "telecom_equipment", "ran", country="CZ")],
        "2018-12-16",
    )
    assert unaffected(result) == [
        {
            "jurisdiction": "CZ",
            "reason": UnaffectedReason.VENDOR_NOT_REACHED,
            "detail": "no Czech Republic obligation in this rule pack reaches Huawei on "
            "16 Dec 2018",
            "obligations": [],
            "vendor_groups": ["huawei"],
            "assets": ["RAN-1"],
        }
    ]
    # the day of the warning, the same asset is caught: nothing is unaffected
    result = run(
        pack,
        {"name": "CII", "jurisdictions": ["CZ"], "roles": ["cz.cii_administrator"]},
        [asset("RAN-1", "Huawei Technologies Co., Ltd.", "telecom_equipment", "ran", country="CZ")],
        "2018-12-17",
    )
    assert {f.item.obligation.id for f in result.findings} >= {"cz.nukib-2018.risk-management"}
    assert entries_for(unaffected(result), "RAN-1") == []


def test_cz_example_today_shows_the_warnings_ended_with_act_181(pack: RulePack) -> None:
    # The bundled Czech example declares Act 181/2014 roles. That Act and the NÚKIB warnings'
    # duties under it ceased to apply on 1 Nov 2025: evaluated on 1 Jan 2026 its Huawei and ZTE
    # kit is unaffected, and the reason given is the end of that law, not silence.
    result = example(pack, "cz-energy", "2026-01-01")
    rows = unaffected(result)
    ended = next(e for e in rows if "cz.nukib-2018.risk-management" in e["obligations"])
    assert ended["reason"] == UnaffectedReason.OUTSIDE_WINDOW
    assert ended["detail"] == "ceased to apply on 1 Nov 2025"
    assert ended["assets"] == ["E-001", "E-002", "E-003", "E-008"]
    # the continuation under Act 264/2025 addresses providers of regulated services, which the
    # profile does not declare
    successor = next(e for e in rows if "cz.nukib-2018.continuation-264-2025" in e["obligations"])
    assert successor["reason"] == UnaffectedReason.ROLE_NOT_HELD
    assert "(cz.regulated_service_higher)" in successor["detail"]
    # Siemens, Nokia and Microsoft are no designated group: never listed
    listed = {a for e in rows for a in e["assets"]}
    assert not listed & {"E-004", "E-005", "E-007"}


def test_cz_hikvision_cameras_without_data_flow_facts_are_asked_about(pack: RulePack) -> None:
    # No Czech obligation names Hikvision. The NÚKIB warning of 3 Sep 2025 reaches any brand
    # that sends data to, or is administered from, the PRC; its continuation under Act
    # 264/2025 is encoded for providers of regulated services. An inventory that says nothing of
    # the cameras' data flows gets a question, not an all-clear; stated false, the answer is
    # that the facts exclude them.
    profile = {
        "name": "Regulated",
        "jurisdictions": ["CZ"],
        "roles": ["cz.regulated_service_higher"],
    }
    camera = asset("CAM-1", "Hikvision", "video_surveillance", "physical_security", country="CZ")
    rows = unaffected(run(pack, profile, [camera], "2026-01-15"))
    assert [(e["reason"], e["obligations"]) for e in rows] == [
        (UnaffectedReason.VENDOR_NOT_REACHED, []),
        # the warning's duties under Act 181/2014 ended with that Act
        (
            UnaffectedReason.OUTSIDE_WINDOW,
            ["cz.nukib-prc-data-2025.data-transfer", "cz.nukib-prc-data-2025.remote-admin"],
        ),
        (
            UnaffectedReason.FACT_UNKNOWN,
            [
                "cz.nukib-prc-data-2025.data-transfer-264-2025",
                "cz.nukib-prc-data-2025.remote-admin-264-2025",
            ],
        ),
    ]
    assert rows[0]["detail"] == (
        "no Czech Republic obligation in this rule pack names Hikvision on 15 Jan 2026"
    )
    assert rows[2]["detail"].startswith("flag data_transfer_cn is not stated")
    assert "flag remote_admin_cn is not stated" in rows[2]["detail"]
    assert "see review" in rows[2]["detail"]

    stated = {**camera, "flags": "data_transfer_cn=no; remote_admin_cn=no"}
    rows = unaffected(run(pack, profile, [stated], "2026-01-15"))
    assert [e["reason"] for e in rows] == [
        UnaffectedReason.VENDOR_NOT_REACHED,
        UnaffectedReason.OUTSIDE_WINDOW,
        UnaffectedReason.FACT_EXCLUDES,
    ]
    assert "data_transfer_cn=no" in rows[2]["detail"]

    flagged = {**camera, "flags": "data_transfer_cn"}
    result = run(pack, profile, [flagged], "2026-01-15")
    assert [f.item.obligation.id for f in result.findings if f.assets] == [
        "cz.nukib-prc-data-2025.data-transfer-264-2025"
    ]
    # caught by a Czech finding: the camera is no longer unaffected in CZ
    assert unaffected(result) == []


def test_gb_hikvision_it_hardware_is_outside_the_surveillance_instruction(pack: RulePack) -> None:
    # The Cabinet Office instruction of 24 Nov 2022 and the removal timeline of 29 Apr 2024
    # reach visual surveillance equipment. A Hikvision device a department records as IT
    # hardware is outside their scope, and the section names the category and the scope.
    result = run(
        pack,
        {
            "name": "Department",
            "jurisdictions": ["GB"],
            "roles": ["gb.central_government_department"],
        },
        [asset("NVR-1", "Hikvision", "it_hardware", "office_it", country="GB")],
        "2025-06-01",
    )
    assert unaffected(result) == [
        {
            "jurisdiction": "GB",
            "reason": UnaffectedReason.OUTSIDE_SCOPE,
            "detail": "the asset's category (IT hardware) is outside the law's scope: "
            "video-surveillance equipment",
            "obligations": [
                "gb.surveillance-equipment-2022.consider-removal",
                "gb.surveillance-equipment-2022.no-core-network-connection",
                "gb.surveillance-equipment-2022.no-new-deployment",
                "gb.surveillance-equipment-2024.sensitive-sites-removal",
            ],
            "vendor_groups": ["hikvision"],
            "assets": ["NVR-1"],
        }
    ]


def test_uk_example_4g_radio_is_outside_the_5g_requirements(pack: RulePack) -> None:
    # The UK example on 1 Jun 2023: the Huawei 4G radio R-003 is caught by no requirement. The
    # 2020 decisions were replaced by the designated vendor direction on 13 Oct 2022; the
    # direction's 5G requirements do not reach a 4G network; whether it sits on a site
    # significant to national security the inventory does not say.
    result = example(pack, "uk-telecoms", "2023-06-01")
    rows = entries_for(unaffected(result), "R-003")
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for e in rows:
        by_reason.setdefault(e["reason"], []).append(e)
    (ended,) = by_reason[UnaffectedReason.OUTSIDE_WINDOW]
    assert ended["detail"] == "ceased to apply on 13 Oct 2022"
    assert "gb.huawei-5g-decision-2020.5g-removal" in ended["obligations"]
    five_g = next(
        e
        for e in by_reason[UnaffectedReason.OUTSIDE_SCOPE]
        if "gb.dvd-2022.5g-removal" in e["obligations"]
    )
    assert five_g["detail"].startswith(
        "the asset's network (4G) is outside the law's scope: 5G (gb.dvd-2022.5g-access-cap, "
    )
    (unknown,) = by_reason[UnaffectedReason.FACT_UNKNOWN]
    assert unknown["obligations"] == ["gb.dvd-2022.national-security-sites"]
    # every asset a finding covers stays out of the section
    caught = {a for f in result.findings for a in f.assets}
    assert caught and not caught & {a for e in unaffected(result) for a in e["assets"]}


def test_us_example_exceptions_purposes_and_former_members(pack: RulePack) -> None:
    # The US federal contractor on 1 Jun 2021: ZTE optical splitters that cannot see user data
    # fall under the s.889 exception (FAR 52.204-25(b)(2)); Hikvision warehouse cameras used
    # for "other" purposes are outside the purpose-limited prohibition; Honor, sold by Huawei in
    # November 2020, is a former member the law does not reach.
    folder = ROOT / "examples" / "us-federal-contractor"
    operator = load_profile(folder / "profile.yaml", pack)
    rows = read_inventory(folder / "assets.csv", {}, None).assets
    honor = assets_from_rows(
        "more",
        rows_from_mappings(
            [asset("U-007", "Honor", "telecom_equipment", "office_it", country="US")]
        ),
    )
    result = evaluate(pack, operator, [*rows, *honor], dt.date(2021, 6, 1))
    section = unaffected(result)

    exception = next(
        e
        for e in section
        if "U-005" in e["assets"] and e["reason"] == UnaffectedReason.FACT_EXCLUDES
    )
    assert "us.ndaa889.a1b-use" in exception["obligations"]
    assert exception["detail"].startswith(
        "flag no_user_data_visibility is stated: the law's exception for it applies"
    )
    purpose = next(
        e
        for e in section
        if "U-003" in e["assets"] and e["reason"] == UnaffectedReason.OUTSIDE_SCOPE
    )
    assert "us.ndaa889.a1b-use-purpose-limited" in purpose["obligations"]
    assert purpose["detail"].startswith("the asset's use (other use) is outside the law's scope")
    former = [e for e in section if "U-007" in e["assets"]]
    assert former and all(
        e["reason"] in (UnaffectedReason.VENDOR_NOT_REACHED, UnaffectedReason.ROLE_NOT_HELD)
        for e in former
    )
    reached = next(e for e in former if "us.ndaa889.a1b-use" in e["obligations"])
    assert reached["reason"] == UnaffectedReason.VENDOR_NOT_REACHED
    assert reached["detail"].startswith(
        "the vendor is a former member of Huawei; the law reaches Huawei or ZTE: the parent "
        "company, subsidiaries, affiliates, brands"
    )
    # the router and the lobby cameras are caught; they are not in the section
    assert not {"U-001", "U-002"} & {a for e in section for a in e["assets"]}


def test_uncertain_and_undesignated_vendors_are_left_to_review(pack: RulePack) -> None:
    # A misspelt name ("Huawai") is an uncertain match: it is in the review list, and the
    # section does not guess. Ericsson is no designated group: no "why not" is owed.
    result = run(
        pack,
        {"name": "Provider", "jurisdictions": ["GB"], "roles": ["gb.dvd_addressee"]},
        [
            asset("X-1", "Huawai", "telecom_equipment", "core", country="GB"),
            asset("X-2", "Ericsson AB", "telecom_equipment", "core", country="GB"),
        ],
        "2024-01-01",
    )
    assert unaffected(result) == []
    assert any(r["asset_id"] == "X-1" for r in result.review())


def test_order_is_jurisdiction_then_reason(pack: RulePack) -> None:
    result = example(pack, "us-federal-contractor", "2021-06-01")
    section = unaffected(result)
    order = list(UnaffectedReason)
    keys = [(e["jurisdiction"], order.index(e["reason"])) for e in section]
    assert keys == sorted(keys)
    assert section == unaffected(result)


def test_no_designated_asset_is_passed_over_in_silence(pack: RulePack) -> None:
    # Over every bundled scenario: each asset of a designated group that no finding of a
    # jurisdiction covers has a reason in that jurisdiction, and explain agrees with it
    # obligation by obligation.
    from dutybound.engine.evaluators.reference import ReferenceEvaluator
    from dutybound.engine.explain import explain_asset
    from tests.scenario import load_case, run_case, scenario_files

    checked = 0
    for path in scenario_files():
        result = run_case(path, load_case(path), pack, ReferenceEvaluator())
        section = unaffected(result)
        for a in result.assets:
            match = result.vendor_matches[a.vendor]
            if match.group is None or match.needs_review:
                continue
            explained = explain_asset(result, a.asset_id)
            for code in result.profile.jurisdictions:
                covered = any(
                    a.asset_id in f.assets and f.item.jurisdiction == code for f in result.findings
                )
                reasons = {
                    o: e["reason"]
                    for e in section
                    if e["jurisdiction"] == code and a.asset_id in e["assets"]
                    for o in e["obligations"]
                }
                listed = any(
                    e["jurisdiction"] == code and a.asset_id in e["assets"] for e in section
                )
                assert covered != listed, (path.name, a.asset_id, code)
                if covered:
                    continue
                checked += 1
                for r in explained["rules"]:
                    if r["jurisdiction"] == code and r["obligation_id"] in reasons:
                        assert r["reason"] == reasons[r["obligation_id"]], (path.name, r)
    assert checked > 50
