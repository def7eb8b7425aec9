"""A finding's explanation as a lawyer reads it (issue 20): one legal sentence, the conditions of
the law each with the fact it was tested against (the inventory row, the profile, the date) and
whether it is met, and how each vendor name is linked to the law (how it resolved, on what
registry source, and whether the designation reaches that kind of company)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.explain import explain_asset
from dutybound.engine.inputs import load_profile
from dutybound.engine.inventory import read_inventory
from dutybound.engine.loading import RulePack
from dutybound.reports.paths import TEMPLATES
from dutybound.reports.render import environment

ROOT = Path(__file__).resolve().parent.parent
CZ = ROOT / "examples" / "cz-energy"
US = ROOT / "examples" / "us-federal-contractor"
HEADER = "asset_id,vendor,category,function,network,country,status,identified_on,flags\n"


def run(pack: RulePack, folder: Path, day: str, assets: Path | None = None) -> Evaluation:
    operator = load_profile(folder / "profile.yaml", pack)
    rows = read_inventory(assets or folder / "assets.csv", {}, None).assets
    return evaluate(pack, operator, rows, dt.date.fromisoformat(day))


def finding(result: Evaluation, finding_id: str) -> dict[str, Any]:
    return next(f for f in result.to_json()["findings"] if f["id"] == finding_id)


def condition(entry: dict[str, Any], test: str) -> dict[str, Any]:
    return next(c for c in entry["conditions"] if c["test"] == test)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "assets.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_cz_warning_names_the_subsidiary_row_and_why_the_law_reaches_it(pack: RulePack) -> None:
    # The NÚKIB warning of 17 Dec 2018 reaches Huawei and ZTE, their parent companies and
    # subsidiaries. On 1 Feb 2019 the Czech example's E-001 (line 2) is sold by Huawei's Czech
    # subsidiary: it counts because the registry lists that company as a Huawei subsidiary (the
    # ÚOHS decision is its source) and the warning reaches subsidiaries.
    risk = finding(run(pack, CZ, "2019-02-01"), "cz.nukib-2018.risk-management")
    vendor = condition(risk, "vendor")
    assert vendor["condition"] == "vendor is Huawei or ZTE (the parent company and subsidiaries)"
    assert "row 2: Huawei Technologies (Czech) s.r.o., a subsidiary of Huawei" in vendor["fact"]
    assert vendor["met"] is True and vendor["source"] == "inventory"
    link = next(
        v for v in risk["vendor_link"] if v["vendor"] == "Huawei Technologies (Czech) s.r.o."
    )
    designation = pack.obligation("cz.nukib-2018.risk-management").designation
    assert designation is not None
    assert link["designation"] == designation.id == "cz.nukib-2018.huawei-zte"
    assert set(link["reach"]) == {"parent", "subsidiary"} == set(designation.relationships)
    assert (link["rows"], link["relationship"], link["group_name"]) == ([2], "subsidiary", "Huawei")
    assert (
        link["source"]
        == "https://www.uohs.cz/cs/verejne-zakazky/sbirky-rozhodnuti/detail-16400.html"
    )
    assert link["text"].endswith(
        "reaches the parent company and subsidiaries of Huawei, so these assets count"
    )
    # the role is the operator's own declaration, the window the calendar's
    role = condition(risk, "role")
    assert role["source"] == "profile" and "cz.cii_administrator (declared)" in role["fact"]
    assert condition(risk, "in effect")["fact"] == "evaluated as of 1 Feb 2019"


def test_a_finding_reaching_two_vendors_lists_both(pack: RulePack) -> None:
    # The same warning covers the Huawei switches, transmission kit and inverter gateways
    # (E-001, E-002, E-008) and the planned ZTE routers (E-003): nothing hides behind "and 1
    # other combination". Every vendor name is listed with its row.
    risk = finding(run(pack, CZ, "2019-02-01"), "cz.nukib-2018.risk-management")
    assert "other combination" not in risk["explanation"]
    assert risk["explanation"].endswith(
        "It concerns assets E-001, E-002, E-003 and E-008 of Huawei and ZTE."
    )
    assert [(v["vendor"], v["rows"], v["group"]) for v in risk["vendor_link"]] == [
        ("Huawei Technologies (Czech) s.r.o.", [2], "huawei"),
        ("HUAWEI TECHNOLOGIES CO., LTD.", [3], "huawei"),
        ("ZTE Corporation", [4], "zte"),
        ("华为技术有限公司", [9], "huawei"),
    ]
    fact = condition(risk, "vendor")["fact"]
    assert "row 4: ZTE Corporation, the parent company of ZTE" in fact
    assert (
        "row 9: 华为技术有限公司 (Huawei Technologies Co., Ltd.), the parent company of Huawei"
        in fact
    )
    # status differs between the rows: each value with its own rows
    assert condition(risk, "status")["fact"] == "rows 2, 3 and 9: installed; row 4: planned"
    assert condition(risk, "country")["fact"] == "rows 2, 3, 4 and 9: CZ"


def test_explanation_is_one_legal_sentence_with_the_deadline(pack: RulePack) -> None:
    # The s.889 ten-business-day report: who (the contractor, as offeror), what, by when (ten
    # business days after U-001 was identified on 26 Feb 2021), under which provision.
    report = finding(run(pack, US, "2021-03-01"), "us.far52204-25.report-10bd")
    text = report["explanation"]
    assert text.startswith("As offeror or prime contractor with a US executive agency")
    assert "[FAR 52.204-25(d)(2)(ii);" in text
    assert "by 12 Mar 2021 (10 business days after the asset is identified)." in text
    assert "It concerns asset U-001 of Huawei." in text


def test_an_affiliate_counts_where_the_law_reaches_affiliates(pack: RulePack) -> None:
    # US s.889 reaches Huawei's affiliates: U-001, bought from Huawei Technologies USA (a name
    # of Huawei Device USA, an affiliate in the registry, on an unverified source), counts.
    use = finding(run(pack, US, "2021-03-01"), "us.ndaa889.a1b-use")
    (link,) = use["vendor_link"]
    assert (link["vendor"], link["entity"], link["relationship"]) == (
        "Huawei Technologies USA",
        "Huawei Device USA",
        "affiliate",
    )
    assert "affiliate" in link["reach"]
    assert link["source_verified"] is False and ", unverified)" in link["text"]
    assert (
        "reaches the parent company, subsidiaries, affiliates and brands of Huawei" in link["text"]
    )


def test_an_affiliate_is_not_reached_where_the_law_stops_at_subsidiaries(
    pack: RulePack, tmp_path: Path
) -> None:
    # The Czech warning reaches parents and subsidiaries only: the same affiliate's router in
    # the Czech operator's inventory gives no finding, and explain says the vendor condition is
    # not met, naming the row and what the company is.
    path = write(tmp_path, "A-1,Huawei Technologies USA,router,core,enterprise,CZ,installed,,\n")
    result = run(pack, CZ, "2019-02-01", path)
    assert result.findings == []
    data = explain_asset(result, "A-1")
    rule = next(r for r in data["rules"] if r["obligation_id"] == "cz.nukib-2018.risk-management")
    vendor = condition(rule, "vendor")
    assert (
        vendor["fact"]
        == "row 2: Huawei Technologies USA (Huawei Device USA), an affiliate of Huawei"
    )
    assert vendor["met"] is False and rule["outcome"] == "does_not_apply"


def test_an_upcoming_finding_says_the_law_is_not_yet_in_effect(pack: RulePack) -> None:
    # On 1 Jun 2020 the s.889(a)(1)(B) use prohibition (in effect 13 Aug 2020) is upcoming for
    # U-001: every condition is met but the window.
    use = finding(run(pack, US, "2020-06-01"), "us.ndaa889.a1b-use")
    unmet = [(c["test"], c["condition"]) for c in use["conditions"] if c["met"] is not True]
    assert unmet == [("in effect", "in effect on the date: from 13 Aug 2020")]


def test_an_operator_duty_has_no_inventory_condition(pack: RulePack) -> None:
    # The duty to represent in SAM reaches the contractor as such: it is tested against the
    # date and the profile, and links no vendor.
    sam = finding(run(pack, US, "2021-03-01"), "us.far52204-26.represent-uses")
    assert [(c["test"], c["source"], c["met"]) for c in sam["conditions"]] == [
        ("adopted", "date", True),
        ("in effect", "date", True),
        ("role", "profile", True),
    ]
    assert sam["vendor_link"] == []


def test_law_naming_no_vendor_lists_the_names_but_links_none(
    pack: RulePack, tmp_path: Path
) -> None:
    # NÚKIB's warning of 3 Sep 2025 on data flows to the PRC names no vendor: a Hikvision camera
    # and an unknown maker's sensor that both send data there are caught alike. The vendor
    # condition lists both names with their rows; no vendor link is drawn, since none decides.
    path = write(
        tmp_path,
        "A-1,Hikvision,video_surveillance,physical_security,,CZ,installed,,data_transfer_cn\n"
        "A-2,Acme Sensors s.r.o.,iot,ot,,CZ,installed,,data_transfer_cn\n",
    )
    flows = finding(run(pack, CZ, "2025-10-01", path), "cz.nukib-prc-data-2025.data-transfer")
    vendor = condition(flows, "vendor")
    assert vendor["condition"] == "any vendor (the law names none)"
    assert vendor["fact"] == (
        "row 2: Hikvision (Hangzhou Hikvision Digital Technology Co., Ltd.), the parent company "
        "of Hikvision; row 3: Acme Sensors s.r.o. (no designated vendor group)"
    )
    assert condition(flows, "flag data_transfer_cn")["fact"] == "rows 2 and 3: stated"
    assert flows["vendor_link"] == []
    assert flows["explanation"].endswith("It concerns assets A-1 and A-2 of Hikvision.")


def test_findings_split_by_identification_date_name_their_own_rows(
    pack: RulePack, tmp_path: Path
) -> None:
    # The one-business-day report counts from each asset's identification: two Huawei routers
    # identified on different days give two findings, and each names only its own row.
    path = write(
        tmp_path,
        "A-1,Huawei,router,office_it,enterprise,US,installed,2021-02-01,\n"
        "A-2,Huawei,router,office_it,enterprise,US,installed,2021-02-22,\n",
    )
    result = run(pack, US, "2021-03-01", path)
    split = [
        f for f in result.to_json()["findings"] if f["obligation_id"] == "us.far52204-25.report-1bd"
    ]
    assert [(f["assets"], [v["rows"] for v in f["vendor_link"]]) for f in split] == [
        (["A-1"], [[2]]),
        (["A-2"], [[3]]),
    ]
    assert [condition(f, "category")["fact"] for f in split] == ["row 2: routers", "row 3: routers"]


def test_conditions_do_not_grow_with_the_rows(pack: RulePack, tmp_path: Path) -> None:
    # The conditions are per signature, not per asset: 2,000 identical Huawei rows read as
    # "rows 2, 3, 4 and 1,997 more", and the conditions of 2,000 rows are as long as of 20.
    def sizes(n: int) -> tuple[int, dict[str, Any]]:
        body = "".join(
            f"A-{i},Huawei,router,office_it,enterprise,US,installed,2021-02-26,\n" for i in range(n)
        )
        use = finding(run(pack, US, "2021-03-01", write(tmp_path, body)), "us.ndaa889.a1b-use")
        return len(json.dumps([use["conditions"], use["vendor_link"]])), use

    small, _ = sizes(20)
    large, use = sizes(2000)
    assert condition(use, "category")["fact"] == "rows 2, 3, 4 and 1,997 more: routers"
    assert use["vendor_link"][0]["assets"] == 2000
    assert large - small < 60  # only the counts differ ("17 more", "1,997 more")


def _environment(translate: Any) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["j2"]),
        undefined=StrictUndefined,
    )
    env.globals["t"] = translate
    return env


MACRO = '{% from "conditions.html.j2" import conditions %}{{ conditions(f) }}'


def test_the_macro_draws_the_table_and_the_vendor_link(pack: RulePack) -> None:
    risk = finding(run(pack, CZ, "2019-02-01"), "cz.nukib-2018.risk-management")
    html = _environment(lambda s: s).from_string(MACRO).render(f=risk)
    assert '<th class="c-law">Condition in the law</th>' in html
    assert (
        "<td>vendor is Huawei or ZTE (the parent company and subsidiaries)</td>"
        "<td>row 2: Huawei Technologies (Czech) s.r.o., a subsidiary of Huawei; " in html
    )
    assert html.count('<tr class="met-yes">') == len(risk["conditions"])
    # one line per vendor name, each with the law's reach
    assert html.count('class="vendor-link"') == 4
    assert "ZTE Corporation (row 4) → the parent company of ZTE" in html
    assert "the designation reaches the parent company and subsidiaries of Huawei" in html


def test_inventory_text_in_the_macro_is_escaped(pack: RulePack, tmp_path: Path) -> None:
    path = write(tmp_path, 'A-1,"Huawei <b>x</b>",router,core,enterprise,CZ,installed,,\n')
    result = run(pack, CZ, "2019-02-01", path)
    risk = finding(result, "cz.nukib-2018.risk-management")
    html = environment("en").from_string(MACRO).render(f=risk)
    assert "Huawei &lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_the_macro_translates_every_fixed_word(pack: RulePack) -> None:
    # Every fixed string of the macro goes through t(): with a t() that marks what it is
    # given, no fixed English word is left unmarked.
    use = finding(run(pack, US, "2020-06-01"), "us.ndaa889.a1b-use")
    html = _environment(lambda s: f"[{s}]").from_string(MACRO).render(f=use)
    for word in (
        "[Condition in the law]",
        "[Fact in the inventory (row)]",
        "[Met?]",
        "[Yes]",
        "[No]",
        "[Vendor link]",
        "[row]",
        "[an affiliate of]",
        "[registry source]",
        "[the designation reaches]",
        "[affiliates]",
        "[and]",
        "[of]",
    ):
        assert word in html, word


def test_the_macro_shows_nothing_for_a_finding_stored_before_conditions(pack: RulePack) -> None:
    old = {"id": "x", "explanation": "text"}
    assert _environment(lambda s: s).from_string(MACRO).render(f=old).strip() == ""


def test_the_macro_renders_in_the_report_environment(pack: RulePack) -> None:
    # the report's own Jinja2 environment (translation catalogue, autoescape) loads the macro
    use = finding(run(pack, US, "2021-03-01"), "us.ndaa889.a1b-use")
    html = environment("cs").from_string(MACRO).render(f=use)
    # the fixed words come from the Czech catalogue, the vendor name as the inventory has it
    assert "Huawei Technologies USA (řádek 2)" in html
