"""``dutybound explain``: why one asset is or is not caught, obligation by obligation, with the
condition the law states, the fact the inventory gives, and the result."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dutybound.engine.errors import InputError
from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.explain import explain_asset
from dutybound.engine.inputs import load_profile
from dutybound.engine.inventory import read_inventory
from dutybound.engine.loading import RulePack

ROOT = Path(__file__).resolve().parent.parent
UK = ROOT / "examples" / "uk-telecoms"
US = ROOT / "examples" / "us-federal-contractor"


def example(pack: RulePack, folder: Path, day: str) -> Evaluation:
    operator = load_profile(folder / "profile.yaml", pack)
    rows = read_inventory(folder / "assets.csv", {}, None).assets
    return evaluate(pack, operator, rows, dt.date.fromisoformat(day))


def rule(data: dict[str, Any], obligation_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["obligation_id"] == obligation_id)


def checks_of(entry: dict[str, Any]) -> dict[str, tuple[str, str, bool | str]]:
    """{test: (condition in the law, fact with its row, met)} of one obligation."""
    return {c["test"]: (c["condition"], c["fact"], c["met"]) for c in entry["conditions"]}


def test_uk_transmission_kit_rule_by_rule(pack: RulePack) -> None:
    # T-001, Huawei OptiX transmission kit of the UK example, on 1 Jun 2023: the designated
    # vendor direction's transmission requirement applies (finding, due 31 Dec 2025); the core
    # requirement does not, because the row's function is transmission, not core; the 5G
    # requirement turns on the network, which the row leaves empty.
    data = explain_asset(example(pack, UK, "2023-06-01"), "T-001")
    assert data["asset"]["asset_id"] == "T-001"
    assert data["vendor"]["group"] == "huawei" and data["vendor"]["method"] == "alias"

    transmission = rule(data, "gb.dvd-2022.transmission-removal")
    assert transmission["outcome"] == "applies"
    assert transmission["result"] == (
        "applies — finding gb.dvd-2022.transmission-removal, status due"
    )
    # T-001 is on line 10 of the UK example's assets.csv (the header is line 1)
    assert checks_of(transmission)["function"] == (
        "function is transmission",
        "row 10: transmission",
        True,
    )
    assert checks_of(transmission)["role"][2] is True
    assert checks_of(transmission)["vendor"] == (
        "vendor is Huawei (the parent company, subsidiaries, affiliates and brands)",
        "row 10: Huawei (Huawei Technologies Co., Ltd.), the parent company of Huawei",
        True,
    )
    # how the name resolved, and why the law reaches it: the designation reaches the group's
    # parent company, which the registry says 'Huawei' is
    (link,) = transmission["vendor_link"]
    assert (link["vendor"], link["rows"], link["relationship"], link["method"]) == (
        "Huawei",
        [10],
        "parent",
        "alias",
    )
    assert link["reach"] == ["parent", "subsidiary", "affiliate", "brand"]
    assert link["text"].endswith(
        "reaches the parent company, subsidiaries, affiliates and brands of Huawei, so these "
        "assets count"
    )

    core = rule(data, "gb.dvd-2022.core-removal")
    assert core["outcome"] == "does_not_apply"
    assert checks_of(core)["function"] == (
        "function is network core",
        "row 10: transmission",
        False,
    )
    assert core["result"] == (
        "does not apply: the asset's function (transmission) is outside the law's scope: "
        "network core"
    )
    assert core["reason"] == "outside_scope"

    five_g = rule(data, "gb.dvd-2022.5g-removal")
    assert five_g["outcome"] == "review"
    assert checks_of(five_g)["network"] == ("network is 5G", "row 10: (empty)", "unknown")
    assert five_g["result"] == "review: network unknown"
    # the review list for the asset asks for the same fact
    assert any(r.get("field") == "network" for r in data["review"])

    assert [(f["id"], f["status"]) for f in data["findings"]] == [
        ("gb.dvd-2022.transmission-removal", "due")
    ]
    # applying obligations are listed first, then those needing a fact, then the rest
    outcomes = [r["outcome"] for r in data["rules"]]
    assert outcomes == sorted(outcomes, key=["applies", "review", "does_not_apply"].index)
    assert data["summary"]["applies"] == 1
    assert data["group_not_named_in"] == []


def test_uk_direction_day_before_and_day_of(pack: RulePack) -> None:
    # The designated vendor direction was given on 13 Oct 2022. On the 12th its core
    # requirement did not exist yet; on the 13th it applies to the Huawei packet core C-001.
    before = rule(
        explain_asset(example(pack, UK, "2022-10-12"), "C-001"), "gb.dvd-2022.core-removal"
    )
    assert before["outcome"] == "does_not_apply"
    assert checks_of(before)["adopted"][1:] == ("evaluated as of 12 Oct 2022", False)
    assert before["result"].startswith("does not apply: not yet adopted on 12 Oct 2022")
    assert "13 Oct 2022" in before["result"]
    day_of = rule(
        explain_asset(example(pack, UK, "2022-10-13"), "C-001"), "gb.dvd-2022.core-removal"
    )
    assert day_of["outcome"] == "applies"
    assert checks_of(day_of)["adopted"][2] is True


def test_us_router_before_and_after_the_use_ban(pack: RulePack) -> None:
    # s.889(a)(1)(B) (the "use" prohibition) was enacted on 13 Aug 2018 and took effect on
    # 13 Aug 2020. On 1 Jun 2020 the Huawei routers U-001 of the US example are caught as an
    # upcoming duty: the window test is not met, yet the finding is there.
    data = explain_asset(example(pack, US, "2020-06-01"), "U-001")
    use = rule(data, "us.ndaa889.a1b-use")
    assert checks_of(use)["in effect"] == (
        "in effect on the date: from 13 Aug 2020",
        "evaluated as of 1 Jun 2020",
        False,
    )
    assert use["result"] == "applies — finding us.ndaa889.a1b-use, status upcoming"
    # the ZTE splitters U-005 cannot see user data: the statutory exception applies
    splitters = rule(explain_asset(example(pack, US, "2021-06-01"), "U-005"), "us.ndaa889.a1b-use")
    assert checks_of(splitters)["exception no_user_data_visibility"][2] is False
    assert checks_of(splitters)["exception no_user_data_visibility"][1].endswith(": stated")
    assert splitters["reason"] == "fact_excludes"


def test_cz_roles_of_a_later_act_did_not_exist_yet(pack: RulePack) -> None:
    # The bundled Czech example on 1 Feb 2019: its Huawei switches E-001 are caught by the
    # NÚKIB warning of 17 Dec 2018. The warning's continuation under Act 264/2025 is addressed
    # to providers of regulated services, a status that Act (adopted 11 Jun 2025) created: in
    # 2019 it reached no one, and explain says so rather than "you do not hold the role".
    data = explain_asset(example(pack, ROOT / "examples" / "cz-energy", "2019-02-01"), "E-001")
    assert rule(data, "cz.nukib-2018.risk-management")["outcome"] == "applies"
    later = rule(data, "cz.nukib-2018.continuation-264-2025")
    assert later["outcome"] == "does_not_apply"
    assert later["reason"] == "role_not_held"
    assert later["detail"].endswith("which no law had defined yet on 1 Feb 2019")
    # not yet in effect either, but the role is the lasting reason
    assert checks_of(later)["in effect"][2] is False


def test_cz_hikvision_camera_is_reached_only_by_vendor_neutral_law(pack: RulePack) -> None:
    # No Czech obligation names Hikvision; the NÚKIB warning of 3 Sep 2025 on data flows to the
    # PRC reaches any brand. The Czech example's cameras E-006 on 1 Oct 2025, while its Act
    # 181/2014 roles still held: the warning turns on facts the inventory does not state.
    data = explain_asset(example(pack, ROOT / "examples" / "cz-energy", "2025-10-01"), "E-006")
    assert data["group_not_named_in"] == ["CZ"]
    transfer = rule(data, "cz.nukib-prc-data-2025.data-transfer")
    assert checks_of(transfer)["vendor"][0] == "any vendor (the law names none)"
    # a law that names no vendor links none: the vendor's group decides nothing
    assert transfer["vendor_link"] == []
    assert checks_of(transfer)["flag data_transfer_cn"] == (
        "data_transfer_cn holds",
        "row 7: (not stated)",
        "unknown",
    )
    assert transfer["outcome"] == "review"
    assert transfer["result"] == "review: flag data_transfer_cn unknown"


def test_uncertain_vendor_match_is_a_question(pack: RulePack, tmp_path: Path) -> None:
    # "Huawai" is one letter from Huawei: the match is uncertain, so nothing is applied, but
    # explain shows the rules it would reach with the vendor test unknown.
    (tmp_path / "assets.csv").write_text(
        "asset_id,vendor,category,function,network,country,status\n"
        "X-1,Huawai Technologies,telecom_equipment,core,5g,GB,installed\n",
        encoding="utf-8",
    )
    operator = load_profile(UK / "profile.yaml", pack)
    rows = read_inventory(tmp_path / "assets.csv", {}, None).assets
    data = explain_asset(evaluate(pack, operator, rows, dt.date(2024, 1, 1)), "X-1")
    core = rule(data, "gb.dvd-2022.core-removal")
    assert core["outcome"] == "review"
    assert checks_of(core)["vendor"][1:] == (
        "row 2: Huawai Technologies (Huawei Technologies Co., Ltd.), the parent company of "
        "Huawei (uncertain match: to be confirmed)",
        "unknown",
    )
    assert data["vendor"]["needs_review"] is True
    assert data["findings"] == []


def test_unknown_asset_names_the_inventory_and_close_ids(pack: RulePack) -> None:
    evaluation = example(pack, UK, "2024-01-01")
    with pytest.raises(InputError) as caught:
        explain_asset(evaluation, "T-01", UK / "assets.csv")
    message = str(caught.value)
    assert message.startswith(str(UK / "assets.csv"))
    assert "no asset 'T-01'" in message and "T-001" in message


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "dutybound", "explain", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def uk_args(asset: str, fmt: str) -> list[str | Path]:
    return [
        "--profile",
        UK / "profile.yaml",
        "--assets",
        UK / "assets.csv",
        "--as-of",
        "2024-01-01",
        "--asset",
        asset,
        "--format",
        fmt,
    ]


def test_cli_json_and_table() -> None:
    result = run_cli(*uk_args("C-001", "json"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    core = rule(data, "gb.dvd-2022.core-removal")
    # due 31 Dec 2023: on 1 Jan 2024 the Huawei core is overdue
    assert core["result"] == "applies — finding gb.dvd-2022.core-removal, status overdue"
    assert run_cli(*uk_args("C-001", "json")).stdout == result.stdout
    table = run_cli(*uk_args("C-001", "table"))
    assert table.returncode == 0, table.stderr
    assert "gb.dvd-2022.core-removal" in table.stdout
    assert "applies — finding gb.dvd-2022.core-removal, status overdue" in table.stdout
    # the table is the JSON's conditions: the condition, the row's fact, met; then the link
    flat = " ".join(table.stdout.split())
    assert "Condition in the law" in flat and "Met?" in flat
    assert "function is network core" in flat and "row 5: network core" in flat
    assert (
        "vendor link: row 5: Huawei (Huawei Technologies Co., Ltd.) is the parent company" in flat
    )


def test_cli_unknown_asset_exits_2_naming_the_file() -> None:
    result = run_cli(*uk_args("Z-999", "json"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "assets.csv" in result.stderr and "no asset 'Z-999'" in result.stderr
