"""A duty of the buyer itself that the law makes a condition of buying from a designated vendor
reaches the procurement gate (review of Dec 2026, X-4; engine.verdict, Obligation
.precondition_of_purchase): notify before the change makes the purchase conditional, a standing
"connect only trusted products" sends it to review; neither may leave it "allowed"."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest

from dutybound.engine.errors import InputError
from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings
from dutybound.engine.loading import RulePack, load_rulepack
from dutybound.engine.verdict import check_items

DAY = dt.date(2026, 11, 28)

RULEPACK = "version: test\nlaw_as_of: 2026-11-28\n"
JURISDICTION = """\
code: NZ
name: Testland
territory: [NZ]
calendar: {country: NZ}
roles:
  - {id: nz.operator, title: Network operator, citation: Test Act s.1, verified: true}
  - {id: nz.licensee, title: Licensee, citation: Test Act s.2, verified: true}
"""
URL = "https://www.legislation.govt.nz/act/public/2013/0091/latest/"


def _instrument(ident: str, binding: str, obligations: list[str]) -> str:
    kind = {"guidance": "guidance"}.get(binding, "statute")
    head = textwrap.dedent(
        f"""\
        instrument:
          id: nz.{ident}
          type: {kind}
          title: Test {ident}
          authority: Test authority
          citation: Test {ident}
          adopted: 2014-05-11
          url: {URL}
          binding: {binding}
          verified: true
        obligations:
        """
    )
    return head + "".join(textwrap.indent(o, "  ") for o in obligations)


def _obligation(
    ident: str,
    kind: str,
    *,
    marked: bool = True,
    roles: str = "nz.operator",
    start: str = "2014-05-11",
    extra: str = "",
) -> str:
    return textwrap.dedent(
        f"""\
        - id: {ident}
          kind: {kind}
          title: Title of {ident}
          duty: must do what {ident} says
          roles: [{roles}]
          effective: {{from: {start}}}
          citation: Citation of {ident}
          url: {URL}
          verified: true
        """
    ) + (
        ("  precondition_of_purchase: true\n" if marked else "")
        + textwrap.indent(textwrap.dedent(extra), "  ")
    )


ACT = _instrument(
    "act",
    "law",
    [
        # notify before implementing a change (TICSA s.48): a condition of the purchase
        _obligation("nz.act.notify-proposals", "notification"),
        # a duty of the operator that conditions nothing it buys
        _obligation("nz.act.security-duty", "measure", marked=False),
        # connect only trusted products: whether the item is one is not in the data
        _obligation("nz.act.trusted-only", "prohibition", roles="nz.licensee"),
        # adopted, in effect later
        _obligation(
            "nz.act.future-duty", "measure", roles="nz.licensee", start="2027-01-01", marked=True
        ),
        # a scoped prohibition: the item itself is reached
        _obligation(
            "nz.act.no-huawei-ran",
            "prohibition",
            marked=False,
            roles="nz.licensee",
            extra="assets: {vendor_groups: [huawei], functions: [ran]}\n",
        ),
    ],
)
ADVICE = _instrument("advice", "guidance", [_obligation("nz.advice.consult", "measure")])


def _law(root: Path, files: dict[str, str]) -> Path:
    """A law folder at ``root`` with Testland's jurisdiction and these instrument files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "rulepack.yaml").write_text(RULEPACK, encoding="utf-8")
    (root / "nz" / "instruments").mkdir(parents=True)
    (root / "nz" / "jurisdiction.yaml").write_text(JURISDICTION, encoding="utf-8")
    for name, text in files.items():
        (root / "nz" / "instruments" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def law_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _law(tmp_path_factory.mktemp("law"), {"act": ACT, "advice": ADVICE})


@pytest.fixture(scope="module")
def small(law_dir: Path) -> RulePack:
    return load_rulepack(law_dir)


def _item(vendor: str, function: str = "core", country: str = "NZ", status: str = "in_procurement"):
    row = {
        "asset_id": "item-1",
        "vendor": vendor,
        "category": "telecom_equipment",
        "function": function,
        "network": "5g",
        "country": country,
        "status": status,
    }
    return assets_from_rows("item", rows_from_mappings([row]))


def _check(pack: RulePack, roles: list[str], vendor: str, day: dt.date = DAY, **kw: Any):
    profile = check_profile({"name": "Buyer", "jurisdictions": ["NZ"], "roles": roles}, pack, "p")
    result = check_items(pack, profile, _item(vendor, **kw), day)
    (item,) = result.to_json()["items"]
    return item


def test_notify_before_the_change_makes_a_huawei_purchase_conditional(small) -> None:
    item = _check(small, ["nz.operator"], "Huawei")
    assert item["verdict"] == "conditional"
    (reason,) = item["reasons"]
    assert "Title of nz.act.notify-proposals" in reason
    assert "[Citation of nz.act.notify-proposals]" in reason
    assert "must do what nz.act.notify-proposals says" in reason and "Huawei" in reason
    pre, advice = item["preconditions"]
    assert (advice["obligation_id"], advice["effect"]) == ("nz.advice.consult", "advice")
    assert pre["obligation_id"] == "nz.act.notify-proposals"
    assert (pre["effect"], pre["kind"], pre["binding"], pre["jurisdiction"]) == (
        "conditional",
        "notification",
        "law",
        "NZ",
    )
    assert pre["url"] == URL and not any(k.startswith("_") for k in pre)
    # the guidance marked the same way is listed, and is no reason of the verdict
    assert item["findings"] == [] and item["review"] == []


def test_the_json_of_an_item_only_gains_a_key(small) -> None:
    item = _check(small, ["nz.operator"], "Huawei")
    assert list(item) == [
        "item",
        "verdict",
        "reasons",
        "findings",
        "review",
        "preconditions",
        "vendor_match",
    ]


def test_a_vendor_no_law_names_is_not_held_up(small) -> None:
    item = _check(small, ["nz.operator"], "Nokia")
    assert item["verdict"] == "allowed" and item["preconditions"] == []


def test_an_item_used_abroad_is_not_held_up(small) -> None:
    item = _check(small, ["nz.operator"], "Huawei", country="AU")
    assert item["verdict"] == "allowed" and item["preconditions"] == []


def test_a_standing_trusted_products_rule_sends_the_purchase_to_review(small) -> None:
    item = _check(small, ["nz.licensee"], "Huawei")
    assert item["verdict"] == "review"
    assert any("Citation of nz.act.trusted-only" in r for r in item["reasons"])
    assert any("confirm before buying" in r for r in item["reasons"])
    effects = {p["obligation_id"]: p["effect"] for p in item["preconditions"]}
    assert effects["nz.act.trusted-only"] == "review"
    assert effects["nz.act.future-duty"] == "upcoming"


def test_a_scoped_prohibition_still_decides(small) -> None:
    item = _check(small, ["nz.licensee"], "Huawei", function="ran")
    assert item["verdict"] == "prohibited"
    assert item["reasons"] == ["Title of nz.act.no-huawei-ran [Citation of nz.act.no-huawei-ran]"]


def test_marked_guidance_is_advice_and_an_unmarked_duty_is_nothing(tmp_path: Path) -> None:
    only = _instrument(
        "act",
        "law",
        [_obligation("nz.act.security-duty", "measure", marked=False)],
    )
    pack = load_rulepack(_law(tmp_path, {"act": only, "advice": ADVICE}))
    item = _check(pack, ["nz.operator"], "Huawei")
    assert item["verdict"] == "allowed"
    assert [p["effect"] for p in item["preconditions"]] == ["advice"]
    assert item["reasons"][0].startswith("advice only, precondition: Title of nz.advice.consult")


@pytest.mark.parametrize(
    ("day", "verdict"),
    [(dt.date(2026, 12, 31), "allowed"), (dt.date(2027, 1, 1), "conditional")],
)
def test_a_marked_duty_binds_from_its_first_day(tmp_path: Path, day: dt.date, verdict: str) -> None:
    only = _instrument(
        "act",
        "law",
        [_obligation("nz.act.future-duty", "measure", start="2027-01-01")],
    )
    pack = load_rulepack(_law(tmp_path, {"act": only}))
    item = _check(pack, ["nz.operator"], "ZTE", day=day)
    assert item["verdict"] == verdict
    if verdict == "allowed":
        assert item["reasons"] == [
            "from 2027-01-01: precondition: Title of nz.act.future-duty "
            "[Citation of nz.act.future-duty]: the buyer must do what nz.act.future-duty says "
            "(NZ, a duty of the buyer itself that conditions buying from ZTE)"
        ]


@pytest.mark.parametrize(
    ("extra", "kind", "message"),
    [
        ("assets: {vendor_groups: [huawei]}\n", "measure", "no assets scope"),
        ("deadline: {date: 2020-01-01}\n", "removal", "not a condition of a purchase"),
    ],
)
def test_the_mark_is_refused_where_it_cannot_mean_anything(
    tmp_path: Path, extra: str, kind: str, message: str
) -> None:
    bad = _instrument("act", "law", [_obligation("nz.act.bad", kind, extra=extra)])
    with pytest.raises(InputError, match=message):
        load_rulepack(_law(tmp_path, {"act": bad}))


def test_every_marked_duty_of_the_bundled_law_holds_up_a_huawei_purchase(pack) -> None:
    """Whatever the data helpers mark: a holder of the duty's role, in its territory, on a day
    it binds, cannot buy Huawei core kit "allowed"."""
    marked = [i for i in pack.obligations if i.obligation.precondition_of_purchase]
    if not marked:
        pytest.skip("no obligation of the bundled law is marked precondition_of_purchase yet")
    for item in marked:
        start, end = item.window()
        day = max(start, item.instrument.start or start)
        if end is not None and day >= end:
            continue
        role = item.obligation.roles[0]
        codes = sorted({item.jurisdiction, role.split(".")[0].upper()})
        profile = check_profile(
            {"name": "Buyer", "jurisdictions": codes, "roles": [role]}, pack, "p"
        )
        country = pack.jurisdictions[item.jurisdiction].territory[0]
        result = check_items(pack, profile, _item("Huawei", country=country), day)
        (verdict,) = result.to_json()["items"]
        assert verdict["verdict"] != "allowed", (item.obligation.id, verdict["reasons"])
        if verdict["verdict"] != "prohibited":
            assert item.obligation.id in {p["obligation_id"] for p in verdict["preconditions"]}
