"""Comparison cells say of each rule only what is true of it (review of Dec 2026, X-3): measure,
citation, deadline and assets come from one finding; rules that reach the operator's kit lead
its standing duties; guidance is a line of its own; a standing prohibition that reaches no asset
never reads "prohibited" (engine.compare)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest

from dutybound.engine.compare import LIVE, Cell, Line, compare_operator, run_comparison
from dutybound.engine.evaluation import Evaluation, evaluate
from dutybound.engine.evaluators.reference import ReferenceEvaluator
from dutybound.engine.inputs import assets_from_rows, check_profile, rows_from_mappings
from dutybound.engine.loading import RulePack, load_rulepack
from dutybound.engine.vocabulary import BINDS

from .scenario import load_case, run_case, scenario_files

DAY = dt.date(2026, 11, 28)


def _assets(*rows: tuple[str, ...]) -> list[Any]:
    keys = ("asset_id", "vendor", "category", "function", "network", "country", "status")
    return assets_from_rows(
        "test", rows_from_mappings([dict(zip(keys, r, strict=True)) for r in rows])
    )


def _lines(cell: dict[str, Any]) -> list[dict[str, Any]]:
    """Every line a cell shows, the leading one first, as JSON."""
    lead = {
        "obligation_id": cell["obligation_id"],
        "due": cell["measure_due"],
        "assets": cell["assets"],
        "citation": cell["citation"],
        "binding": cell["binding"],
        "measure": cell["measure"],
    }
    return [lead, *([cell["guidance"]] if cell["guidance"] else []), *cell["more"]]


def _line_with(cell: dict[str, Any], asset_id: str) -> dict[str, Any]:
    (line,) = [line for line in _lines(cell) if asset_id in line["assets"]]
    return line


# --- the cases the review names, on the bundled law ------------------------------------------


def test_a_german_huawei_core_asset_is_shown_under_the_contractual_core_exit(pack) -> None:
    """Not under s.41 BSIG with the NIS2 registration date: the rule that reaches the core asset
    is the 2024 contract, with its own date and citation; the management asset keeps its own."""
    profile = check_profile(
        {
            "name": "Example Mobilfunk GmbH",
            "jurisdictions": ["DE", "EU"],
            "sectors": ["telecoms"],
            "roles": [
                "de.huawei_agreement_party_2024",
                "de.kritis_operator",
                "eu.nis2_essential_entity",
                "eu.mobile_network_operator",
            ],
        },
        pack,
        "profile",
    )
    assets = _assets(
        ("C-1", "Huawei", "telecom_equipment", "core", "5g", "DE", "installed"),
        ("M-1", "Huawei", "software", "management", "5g", "DE", "installed"),
        ("N-1", "Ericsson", "telecom_equipment", "core", "5g", "DE", "installed"),
    )
    data = run_comparison(pack, profile, assets, DAY, ["DE", "EU"], None).data
    de = {c["jurisdiction"]: c for c in data["cells"]}["DE"]
    core_exit = pack.obligation("de.bmi-5g-contracts-2024.core-exit").obligation
    assert de["obligation_id"] == core_exit.id
    assert (de["measure"], de["binding"]) == ("must remove", "contract")
    assert (
        de["measure_due"] == "2026-12-31" and de["label"] == "must remove by 2026-12-31 (contract)"
    )
    assert de["citation"] == core_exit.citation and de["url"] == core_exit.url
    assert de["assets"] == ["C-1"]
    # the management asset under its own rule and date, never under the core exit
    management = _line_with(de, "M-1")
    assert management["obligation_id"] == "de.bmi-5g-contracts-2024.management-exit"
    assert management["due"] == "2029-12-31"
    # the earliest German deadline, if any, is named with its own rule
    if de["due"] is not None and de["due"] != de["measure_due"]:
        assert de["due_obligation_id"] != core_exit.id


def test_a_canadian_zte_4g_asset_keeps_its_own_removal_date(pack) -> None:
    """The 2022 policy's three dates stay apart: a 4G asset under 31 Dec 2027, a 5G asset under
    28 Jun 2024, a planned purchase under the procurement cut-off."""
    profile = check_profile(
        {
            "name": "Example Telco",
            "jurisdictions": ["CA"],
            "roles": ["ca.telecom_service_provider"],
        },
        pack,
        "profile",
    )
    assets = _assets(
        ("Z-4G", "ZTE", "telecom_equipment", "ran", "4g", "CA", "installed"),
        ("Z-5G", "ZTE", "telecom_equipment", "ran", "5g", "CA", "installed"),
        ("Z-NEW", "ZTE", "telecom_equipment", "ran", "5g", "CA", "planned"),
    )
    operator = run_comparison(pack, profile, assets, DAY, ["CA"], None).data["cells"][0]
    vendor = run_comparison(pack, profile, assets, DAY, ["CA"], ["ZTE"]).data["vendors"][0]
    for cell in (operator, vendor["cells"][0]):
        assert _line_with(cell, "Z-4G")["due"] == "2027-12-31"
        assert _line_with(cell, "Z-5G")["due"] == "2024-06-28"
        assert _line_with(cell, "Z-NEW")["due"] == "2022-09-01"
        assert sorted(cell["all_assets"]) == ["Z-4G", "Z-5G", "Z-NEW"]
    # from the law alone, the removal dates are not lost behind the procurement cut-off
    law = run_comparison(pack, profile, [], DAY, ["CA"], ["ZTE"]).data["vendors"][0]["cells"][0]
    assert {line["due"] for line in _lines(law)} >= {"2022-09-01", "2024-06-28", "2027-12-31"}


# --- the rule, on every scenario of the bundled law --------------------------------------------


def _findings_by_obligation(evaluation: Evaluation) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in evaluation.findings:
        if f.status in LIVE:
            out.setdefault(f.item.obligation.id, []).append(f)
    return out


def _same_finding(line: Line, findings: dict[str, list[Any]]) -> bool:
    return any(
        f.due == line.due
        and f.status == line.status
        and set(line.assets) <= set(f.assets)
        and f.item.obligation.citation == line.citation
        for f in findings.get(line.obligation_id, ())
    )


def _check_cell(cell: Cell, findings: dict[str, list[Any]], where: str) -> None:
    if cell.obligation_id is None:
        assert cell.measure in ("nothing", "no role") and not cell.assets, where
        return
    lead = Line(
        cell.measure,
        cell.binding,  # type: ignore[arg-type]
        cell.obligation_id,
        "",
        cell.citation or "",
        cell.url or "",
        cell.measure_due,
        cell.status,  # type: ignore[arg-type]
        bool(cell.verified),
        cell.assets,
        True,
        findings[cell.obligation_id][0].item.obligation.kind,
    )
    lines = [lead, *([cell.guidance] if cell.guidance else []), *cell.more]
    for line in lines:
        assert _same_finding(line, findings), f"{where}: {line.obligation_id} {line.due}"
    # a prohibition the operator breaks names what it breaks it with
    assert cell.measure != "prohibited" or cell.assets, where
    # guidance never leads binding law or a contract, and is never the binding line beneath
    if any(f.item.instrument.binding in BINDS for fs in findings.values() for f in fs):
        assert cell.binding in BINDS, where
    if cell.guidance is not None:
        assert cell.guidance.binding not in BINDS, where
    # every affected asset is shown under a rule that reaches it
    assert set(cell.all_assets) == {a for line in lines for a in line.assets}, where
    if cell.due is not None:
        assert any(f.due == cell.due for f in findings.get(cell.due_obligation_id or "", ())), where


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_cell_line_is_one_findings_own(path: Path, pack: RulePack) -> None:
    case = load_case(path)
    evaluation = run_case(path, case, pack, ReferenceEvaluator())
    codes = sorted(evaluation.profile.jurisdictions)
    for cell in compare_operator(evaluation, codes):
        mine = {
            k: [f for f in v if f.item.jurisdiction == cell.jurisdiction]
            for k, v in _findings_by_obligation(evaluation).items()
        }
        _check_cell(cell, {k: v for k, v in mine.items() if v}, f"{path.name} {cell.jurisdiction}")


# --- the ordering, on a small law of its own -------------------------------------------------

RULEPACK = "version: test\nlaw_as_of: 2026-11-28\n"
JURISDICTION = """\
code: NZ
name: Testland
territory: [NZ]
calendar: {country: NZ}
roles:
  - {id: nz.operator, title: Operator, citation: Test Act s.1, verified: true}
"""


def _instrument(ident: str, binding: str, obligations: str) -> str:
    kind = {"contract": "contract", "guidance": "guidance"}.get(binding, "statute")
    head = f"""\
    instrument:
      id: nz.{ident}
      type: {kind}
      title: Test {binding} {ident}
      authority: Test authority
      citation: Test {ident}
      adopted: 2020-01-01
      url: https://www.legislation.govt.nz/act/public/2013/0091/latest/
      binding: {binding}
      verified: true
    obligations:
    """
    return textwrap.dedent(head) + textwrap.indent(textwrap.dedent(obligations), "  ")


def _obligation(ident: str, kind: str, extra: str = "") -> str:
    return textwrap.dedent(
        f"""\
        - id: {ident}
          kind: {kind}
          title: Title of {ident}
          duty: must do what {ident} says
          roles: [nz.operator]
          effective: {{from: 2020-01-01}}
          citation: Citation of {ident}
          url: https://www.legislation.govt.nz/act/public/2013/0091/latest/
          verified: true
        """
    ) + textwrap.indent(textwrap.dedent(extra), "  ")


LAW = _instrument(
    "act",
    "law",
    _obligation("nz.act.standing-duty", "measure")
    + _obligation("nz.act.registration", "notification", "deadline: {date: 2021-03-01}\n")
    + _obligation("nz.act.trusted-only", "prohibition"),
)
CONTRACT = _instrument(
    "deal",
    "contract",
    _obligation(
        "nz.deal.core-exit",
        "removal",
        "assets: {vendor_groups: [huawei], functions: [core]}\ndeadline: {date: 2026-12-31}\n",
    )
    + _obligation(
        "nz.deal.management-exit",
        "removal",
        "assets: {vendor_groups: [huawei], functions: [management]}\n"
        "deadline: {date: 2029-12-31}\n",
    ),
)
GUIDANCE = _instrument(
    "advice",
    "guidance",
    _obligation("nz.advice.exclude", "prohibition", "assets: {vendor_groups: [huawei]}\n"),
)


def _law(root: Path, guidance: str = GUIDANCE) -> RulePack:
    """The small law: one act of standing duties, one contract, one piece of guidance."""
    (root / "rulepack.yaml").write_text(RULEPACK, encoding="utf-8")
    folder = root / "nz"
    (folder / "instruments").mkdir(parents=True)
    (folder / "jurisdiction.yaml").write_text(JURISDICTION, encoding="utf-8")
    for name, text in (("act", LAW), ("deal", CONTRACT), ("advice", guidance)):
        (folder / "instruments" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return load_rulepack(root)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> RulePack:
    return _law(tmp_path_factory.mktemp("law"))


def _operator_cell(pack: RulePack, *rows: tuple[str, ...]) -> dict[str, Any]:
    profile = check_profile(
        {"name": "Op", "jurisdictions": ["NZ"], "roles": ["nz.operator"]}, pack, "p"
    )
    return run_comparison(pack, profile, _assets(*rows), DAY, ["NZ"], None).data["cells"][0]


HUAWEI_KIT = (
    ("C-1", "Huawei", "telecom_equipment", "core", "5g", "NZ", "installed"),
    ("M-1", "Huawei", "software", "management", "5g", "NZ", "installed"),
    ("R-1", "Huawei", "telecom_equipment", "ran", "5g", "NZ", "installed"),
)


def test_a_vendor_specific_contract_leads_the_standing_duties_of_law(small) -> None:
    cell = _operator_cell(small, *HUAWEI_KIT)
    assert cell["obligation_id"] == "nz.deal.core-exit"
    assert cell["label"] == "must remove by 2026-12-31 (contract)"
    assert cell["citation"] == "Citation of nz.deal.core-exit" and cell["assets"] == ["C-1"]
    assert [(m["obligation_id"], m["due"], m["assets"]) for m in cell["more"]] == [
        ("nz.deal.management-exit", "2029-12-31", ["M-1"])
    ]
    # guidance on a line of its own, with the assets it reaches
    guidance = cell["guidance"]
    assert guidance["obligation_id"] == "nz.advice.exclude"
    assert guidance["label"] == "prohibited (guidance)"
    assert guidance["assets"] == ["C-1", "M-1", "R-1"]
    # the earliest deadline is the registration's, and says so
    assert (cell["due"], cell["due_obligation_id"]) == ("2021-03-01", "nz.act.registration")
    assert cell["all_assets"] == ["C-1", "M-1", "R-1"] and cell["findings"] == 6


def test_a_standing_prohibition_that_reaches_no_asset_reads_restricted(small) -> None:
    cell = _operator_cell(
        small, ("N-1", "Nokia", "telecom_equipment", "core", "5g", "NZ", "installed")
    )
    assert cell["obligation_id"] == "nz.act.trusted-only"
    assert cell["measure"] == "restricted" and cell["label"] == "restricted"
    assert cell["assets"] == [] and cell["guidance"] is None and cell["more"] == []
    assert cell["measure_due"] is None and cell["due"] == "2021-03-01"


def test_the_vendor_matrix_keeps_each_rule_with_its_own_date(small) -> None:
    profile = check_profile(
        {"name": "Op", "jurisdictions": ["NZ"], "roles": ["nz.operator"]}, small, "p"
    )
    # from the law alone: binding first, guidance beneath, the other date kept
    (law,) = run_comparison(small, profile, [], DAY, ["NZ"], ["Huawei"]).data["vendors"]
    cell = law["cells"][0]
    assert (cell["obligation_id"], cell["measure_due"]) == ("nz.deal.core-exit", "2026-12-31")
    assert cell["guidance"]["obligation_id"] == "nz.advice.exclude"
    assert [(m["obligation_id"], m["due"]) for m in cell["more"]] == [
        ("nz.deal.management-exit", "2029-12-31")
    ]
    # with an inventory holding only management kit, the rule that reaches it leads
    assets = _assets(HUAWEI_KIT[1])
    (row,) = run_comparison(small, profile, assets, DAY, ["NZ"], ["Huawei"]).data["vendors"]
    cell = row["cells"][0]
    assert (cell["obligation_id"], cell["measure_due"], cell["assets"]) == (
        "nz.deal.management-exit",
        "2029-12-31",
        ["M-1"],
    )
    assert [(m["obligation_id"], m["assets"]) for m in cell["more"]] == [("nz.deal.core-exit", [])]


def test_past_target_guidance_still_fills_a_cell(tmp_path: Path) -> None:
    """Guidance whose date has passed still asks for the removal: the cell must not say
    nothing."""
    text = GUIDANCE.replace(
        "assets: {vendor_groups: [huawei]}\n",
        "assets: {vendor_groups: [huawei]}\n    deadline: {date: 2024-06-28}\n",
    ).replace("kind: prohibition", "kind: removal")
    assert "deadline" in text
    pack = _law(tmp_path, text)
    profile = check_profile(
        {"name": "Op", "jurisdictions": ["NZ"], "roles": ["nz.operator"]}, pack, "p"
    )
    evaluation = evaluate(pack, profile, _assets(HUAWEI_KIT[2]), DAY)
    (cell,) = compare_operator(evaluation, ["NZ"])
    assert cell.guidance is not None
    assert (cell.guidance.obligation_id, cell.guidance.status) == (
        "nz.advice.exclude",
        "past_target",
    )
    assert cell.guidance.label() == "must remove by 2024-06-28 (guidance)"
