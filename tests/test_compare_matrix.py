"""The comparison a consultant puts on a slide (issue 20): each cell one obligation's scoped
phrase with its own date and footnote, the earliest binding removal or prohibition first,
--as-sector roles marked hypothetical, and the matrix as CSV, XLSX and Markdown with one row per
vendor and one column per jurisdiction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from dutybound.engine.compare import Line, run_comparison
from dutybound.engine.compare_matrix import slide_matrix
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import SECTORS, assets_from_rows, check_profile, rows_from_mappings
from dutybound.engine.loading import RulePack
from dutybound.engine.outcomes import FindingStatus
from dutybound.engine.sector_roles import SECTOR_ROLES, sector_roles
from dutybound.engine.vocabulary import Binding, ObligationKind

from .test_cli import run, write

DAY = dt.date(2026, 12, 3)
ALL = ["AU", "CA", "CZ", "DE", "EU", "GB", "IN", "NZ", "PL", "SE", "US"]
VENDORS = ["Huawei", "ZTE", "Hikvision", "Kaspersky"]


def _profile(pack: RulePack, codes: list[str], roles: list[str], name: str = "Op") -> Any:
    return check_profile({"name": name, "jurisdictions": codes, "roles": roles}, pack, "profile")


def _assets(*rows: tuple[str, ...]) -> list[Any]:
    keys = ("asset_id", "vendor", "category", "function", "network", "country", "status")
    return assets_from_rows(
        "test", rows_from_mappings([dict(zip(keys, r, strict=True)) for r in rows])
    )


def _line(ident: str, kind: ObligationKind, binding: Binding, due: dt.date | None) -> Line:
    measure = {ObligationKind.REMOVAL: "must remove", ObligationKind.MEASURE: "assess"}[kind]
    return Line(
        measure, binding, ident, "", "", "", due, FindingStatus.DUE, True, [], True, kind,
        dt.date(2024, 7, 11),
    )  # fmt: skip


# --- ranking ------------------------------------------------------------------------------------


def test_a_contract_removing_kit_sooner_leads_a_binding_assess_duty() -> None:
    """The rule (engine.compare, tests 2-4): among binding lines, kit-removing ones first, the
    one that bites first leading, law and contract not ranked against each other."""
    assess = _line("de.s41", ObligationKind.MEASURE, Binding.LAW, dt.date(2026, 3, 6))
    core = _line("de.core", ObligationKind.REMOVAL, Binding.CONTRACT, dt.date(2026, 12, 31))
    later_law = _line("de.law", ObligationKind.REMOVAL, Binding.LAW, dt.date(2027, 6, 30))
    ordered = sorted([assess, later_law, core], key=Line.key)
    assert [line.obligation_id for line in ordered] == ["de.core", "de.law", "de.s41"]


def test_germany_huawei_cell_is_the_2024_core_exit(pack: RulePack) -> None:
    """DE/Huawei for a KRITIS operator party to the 2024 agreements: the cell is the contract's
    core exit, with its own phrase, date and citation, and the s.41 duty does not hide it."""
    roles = ["de.kritis_operator", "de.huawei_agreement_party_2024"]
    profile = _profile(pack, ["DE"], roles)
    core = pack.obligation("de.bmi-5g-contracts-2024.core-exit").obligation
    law = run_comparison(pack, profile, [], DAY, ["DE"], ["Huawei"]).data
    kit = _assets(
        ("C-1", "Huawei", "telecom_equipment", "core", "5g", "DE", "installed"),
        ("E-1", "Ericsson", "telecom_equipment", "ran", "5g", "DE", "installed"),
    )
    operator = run_comparison(pack, profile, kit, DAY, ["DE"], None).data
    for cell in (law["vendors"][0]["cells"][0], operator["cells"][0]):
        assert cell["obligation_id"] == core.id and cell["binding"] == "contract"
        assert cell["phrase"] == "5G core out by 31 Dec 2026"
        assert (cell["measure_due"], cell["citation"]) == ("2026-12-31", core.citation)
    # the statutory "assess" duties are there (they lead when no Huawei kit is held), and the
    # contract's removal leads them
    ericsson_only = run_comparison(pack, profile, kit[1:], DAY, ["DE"], None).data["cells"][0]
    assert ericsson_only["binding"] == "law" and ericsson_only["measure"] == "assess"
    assert operator["cells"][0]["findings"] == ericsson_only["findings"] + 1
    matrix = slide_matrix(law)
    (cell,) = matrix.rows[0][1]
    assert cell.plain() == (
        "5G core out by 31 Dec 2026 (contract) [1]; 5G management out by 31 Dec 2029 (contract) [2]"
    )
    assert (matrix.footnotes[0].obligation_id, matrix.footnotes[0].citation) == (
        core.id,
        core.citation,
    )


def test_uk_and_us_cells_say_their_scope(pack: RulePack) -> None:
    """UK: new 5G kit only, then the earliest removal; US Hikvision: covered uses only. Each
    phrase's footnote is the citation of the obligation the phrase was made from."""
    profile = _profile(
        pack,
        ["GB", "US"],
        ["gb.public_telecoms_provider", "gb.dvd_addressee", "us.fcc_subsidy_recipient"],
    )
    data = run_comparison(pack, profile, [], DAY, ["GB", "US"], ["Huawei", "Hikvision"]).data
    matrix = slide_matrix(data)
    cells = {title: {c.jurisdiction: c for c in row} for title, row in matrix.rows}
    notes = {n.number: n for n in matrix.footnotes}
    uk = cells["Huawei"]["GB"].phrases
    assert [p.text for p in uk] == [
        "no new 5G kit",
        "kit at national-security sites out by 28 Jan 2023",
    ]
    for phrase, ident in zip(
        uk, ["gb.dvd-2022.5g-no-new-install", "gb.dvd-2022.national-security-sites"], strict=True
    ):
        obligation = pack.obligation(ident).obligation
        assert notes[phrase.footnote].obligation_id == ident
        assert notes[phrase.footnote].citation == obligation.citation
    assert cells["Huawei"]["GB"].further > 0
    hikvision = cells["Hikvision"]["US"].phrases[0]
    assert "covered uses only" in hikvision.text
    assert notes[hikvision.footnote].obligation_id == "us.47cfr54-10.purpose-limited"
    # law is unmarked, a guidance line is marked as such
    assert {p.binding for p in uk} == {"law"}
    assert "guidance" not in cells["Huawei"]["GB"].plain()
    assert "contract" not in cells["Huawei"]["GB"].plain()


# --- roles for a sector -----------------------------------------------------------------------


@pytest.mark.parametrize("sector", sorted(SECTORS))
def test_every_sector_of_the_vocabulary_has_its_roles_in_the_law(
    sector: str, pack: RulePack
) -> None:
    assumed = sector_roles(pack, sector, ALL, DAY)
    assert {a.role for a in assumed.assumed} <= set(pack.roles)
    assert len(assumed.assumed) == len({a.role for a in SECTOR_ROLES[sector]})
    assert set(assumed.none) == set(ALL) - {a.jurisdiction for a in assumed.assumed}


def test_as_sector_telecoms_fills_roles_marked_hypothetical(pack: RulePack) -> None:
    profile = _profile(pack, ["GB"], [])
    data = run_comparison(pack, profile, [], DAY, ALL, ["Huawei"], sector="telecoms").data
    roles = {r["role"]: r for r in data["roles"]}
    for role in ("gb.public_telecoms_provider", "in.unified_licence_holder", "us.acs_provider"):
        assert roles[role]["source"] == "hypothetical" and roles[role]["sector"] == "telecoms"
    # roles of named addressees are never assumed, and said so
    assert "gb.dvd_addressee" not in roles and "de.huawei_agreement_party_2024" not in roles
    assert "de.huawei_agreement_party_2024" in data["assumed_sector"]["not_assumed"]
    assert data["assumed_sector"]["no_role_in"] == ["SE"]
    cells = {c["jurisdiction"]: c for c in data["vendors"][0]["cells"]}
    assert cells["SE"]["measure"] == "no role" and cells["IN"]["measure"] != "no role"
    text = slide_matrix(data).assumption or ""
    assert text.startswith("Roles assumed for sector telecoms (hypothetical, not declared)")


def test_an_unknown_sector_is_refused(pack: RulePack) -> None:
    with pytest.raises(InputError) as caught:
        sector_roles(pack, "telecom", ["GB"], DAY)
    assert "--as-sector" in str(caught.value) and "telecoms" in str(caught.value)


# --- files: CSV, XLSX, Markdown ----------------------------------------------------------------


def _cli(tmp_path: Path, *extra: str) -> Any:
    profile = write(
        tmp_path / "p.yaml", "name: '=HYPERLINK(\"http://x.example\")'\njurisdictions: [GB]\n"
    )
    args = ["compare", "--profile", profile, "--as-of", DAY.isoformat(), "-j", ",".join(ALL)]
    for vendor in VENDORS:
        args += ["--vendor", vendor]
    return run(*args, "--as-sector", "telecoms", *extra)


def test_compare_xlsx_has_one_row_per_vendor_and_one_column_per_jurisdiction(
    tmp_path: Path,
) -> None:
    out = tmp_path / "m.xlsx"
    result = _cli(tmp_path, "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Matrix", "Footnotes", "About"]
    rows = list(book["Matrix"].iter_rows(values_only=True))
    assert rows[0] == ("Vendor", *ALL)
    assert [r[0] for r in rows[1:]] == VENDORS
    assert all(len(r) == len(ALL) + 1 and all(v for v in r) for r in rows)
    by_vendor = {r[0]: dict(zip(ALL, r[1:], strict=True)) for r in rows[1:]}
    assert by_vendor["Huawei"]["DE"] == "nothing"  # the 2024 parties' role is not assumed
    assert "covered uses only" in by_vendor["Hikvision"]["US"]
    # every footnote a cell cites is on the footnotes sheet
    cited = {n for r in rows[1:] for v in r[1:] for n in _numbers(str(v))}
    notes = list(book["Footnotes"].iter_rows(values_only=True))
    assert cited == {r[0] for r in notes[1:]}
    # the operator's name is text from a file: a formula in it is neutralised
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Operator"] == "'" + '=HYPERLINK("http://x.example")'
    assert "gb.public_telecoms_provider" in about["Assumption"]


def _numbers(text: str) -> set[int]:
    import re

    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_compare_csv_and_markdown_hold_the_same_matrix(tmp_path: Path) -> None:
    result = _cli(tmp_path, "--format", "csv")
    assert result.returncode == 0, result.stderr
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0] == ["Vendor", *ALL] and [r[0] for r in table[1:5]] == VENDORS
    assert table[6][:2] == ["Footnote", "Obligation"]
    markdown = _cli(tmp_path, "--format", "md")
    assert markdown.returncode == 0, markdown.stderr
    lines = markdown.stdout.splitlines()
    header = lines.index("| Vendor | " + " | ".join(ALL) + " |")
    assert [line.split(" | ")[0] for line in lines[header + 2 : header + 6]] == [
        f"| {v}" for v in VENDORS
    ]
    assert "Footnotes:" in lines


def test_xlsx_needs_out_and_bad_sector_exits_2(tmp_path: Path) -> None:
    no_out = _cli(tmp_path, "--format", "xlsx")
    assert no_out.returncode == 2 and "--out" in no_out.stderr
    profile = write(tmp_path / "q.yaml", "name: Q\njurisdictions: [GB]\n")
    bad = run(
        "compare", "--profile", profile, "--as-of", "2026-12-03", "--vendor", "Huawei",
        "--as-sector", "telco",
    )  # fmt: skip
    assert bad.returncode == 2 and "--as-sector" in bad.stderr and "telecoms" in bad.stderr
    assert bad.stdout == ""


# --- the PDF ------------------------------------------------------------------------------------


def test_comparison_pdf_opens_on_a_landscape_matrix_and_counts_no_assets_without_inventory(
    tmp_path: Path,
) -> None:
    from pypdf import PdfReader

    profile = write(
        tmp_path / "p.yaml",
        "name: Slide Co\njurisdictions: [GB, US]\n"
        "roles: [gb.public_telecoms_provider, gb.dvd_addressee, us.fcc_subsidy_recipient]\n",
    )
    out = tmp_path / "c.pdf"
    args = ["report", "--profile", profile, "--as-of", "2026-12-03", "--compare", ",".join(ALL)]
    for vendor in VENDORS:
        args += ["--vendor", vendor]
    result = run(*args, "--out", str(out))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)  # landscape
    assert all(float(p.mediabox.width) < float(p.mediabox.height) for p in reader.pages[1:])
    slide = " ".join(first.extract_text().split())
    assert "Jurisdiction comparison: vendor × jurisdiction matrix" in slide
    assert all(vendor in slide for vendor in VENDORS) and all(code in slide for code in ALL)
    assert "no new 5G kit" in slide and "covered uses only" in slide
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Assets it reaches" not in text and "affected assets" not in text
    assert "gb.dvd-2022.5g-no-new-install" in text  # in the citations


def test_the_comparison_report_prints_the_sector_assumption(tmp_path: Path) -> None:
    # report --compare takes --as-sector too: the PDF says the roles are assumed, not declared
    out = tmp_path / "c.html"
    profile = write(tmp_path / "p.yaml", "name: Client\njurisdictions: [GB]\n")
    result = run(
        "report",
        "--profile",
        profile,
        "--as-of",
        DAY.isoformat(),
        "--compare",
        "GB,DE",
        "--vendor",
        "Huawei",
        "--as-sector",
        "telecoms",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    html = " ".join(out.read_text().split())
    assert "Roles assumed for sector telecoms (hypothetical, not declared)" in html
    assert "gb.public_telecoms_provider" in html
