"""Every problem of an inventory in one run, mapping files, the template and the CycloneDX notice
(issue 21)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from dutybound.cli import app
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import COLUMNS
from dutybound.engine.inventory import read_inventory
from dutybound.engine.inventory_check import SHOWN_PROBLEMS, InventoryErrors
from dutybound.engine.mapping import Mapping, country_code, load_mapping
from dutybound.engine.outcomes import NoticeCode

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _cmdb_export(path: Path) -> Path:
    """Six rows as a CMDB exports them, with five different problems: an unknown header
    ('Device Type'), an unknown category ('Switch'), a lifecycle word ('Commissioned'), a
    country the export abbreviates ('Czech Rep.') and a function in the CMDB's words."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["Asset Tag", "Manufacturer", "Device Type", "Network Function", "Country", "Status"]
    )
    sheet.append(["SW-1", "Huawei", "Switch", "core", "CZ", "installed"])
    sheet.append(["SW-2", "Huawei", "telecom_equipment", "core", "CZ", "Commissioned"])
    sheet.append(["SW-3", "ZTE", "telecom_equipment", "core", "Czech Rep.", "installed"])
    sheet.append(["SW-4", "Nokia", "telecom_equipment", "Core Network", "CZ", "installed"])
    sheet.append(["SW-5", "Nokia", "router", "core", "Czechia", "In Service"])
    sheet.append(["SW-6", "Cisco", "router", "ran", "CZ", "planned"])
    book.save(path)
    return path


MAPPING = """\
columns:
  Device Type: category
values:
  category:
    Switch: telecom_equipment
  status:
    Commissioned: installed
  country:
    Czech Rep.: CZ
  function:
    Core Network: core
"""


def test_a_six_row_excel_export_with_five_problems_gets_all_five_in_one_run(
    tmp_path: Path,
) -> None:
    path = _cmdb_export(tmp_path / "cmdb.xlsx")
    with pytest.raises(InventoryErrors) as info:
        read_inventory(path)
    problems = info.value.problems
    where = [(p.line, p.field) for p in problems]
    assert where == [
        (1, "category"),
        (2, "category"),
        (3, "status"),
        (4, "country"),
        (5, "function"),
    ]
    header, switch, status, country, function = (p.message for p in problems)
    assert "did you mean 'Device Type'?" in header and "columns: {Device Type: category}" in header
    assert "column 'Device Type' (category)" in switch and "'switch'" in switch
    assert "values: {category: {Switch: <value>}}" in switch
    assert "'commissioned'" in status and "installed" in status  # the allowed values
    assert "'CZECH REP.'" in country and "did you mean Czech Republic (CZ)?" in country
    assert "'core network'" in function
    assert "values: {function: {Core Network: <value>}}" in function
    # 'Czechia' and 'In Service' are known without a mapping: no problem on row 6
    assert 6 not in [p.line for p in problems]


def test_the_same_export_loads_cleanly_with_a_mapping_file(tmp_path: Path) -> None:
    path = _cmdb_export(tmp_path / "cmdb.xlsx")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    read = read_inventory(path, mapping=load_mapping(mapping))
    got = {a.asset_id: (a.category, a.function, a.country, a.status) for a in read.assets}
    assert got == {
        "SW-1": ("telecom_equipment", "core", "CZ", "installed"),
        "SW-2": ("telecom_equipment", "core", "CZ", "installed"),
        "SW-3": ("telecom_equipment", "core", "CZ", "installed"),
        "SW-4": ("telecom_equipment", "core", "CZ", "installed"),
        "SW-5": ("router", "core", "CZ", "installed"),
        "SW-6": ("router", "ran", "CZ", "planned"),
    }
    assert ("Device Type", "category") in read.renamed()


def test_inventory_check_command_lists_every_problem_then_passes_with_the_map(
    tmp_path: Path,
) -> None:
    path = _cmdb_export(tmp_path / "cmdb.xlsx")
    failed = runner.invoke(app, ["inventory", "check", str(path)])
    assert failed.exit_code == 2
    assert "cmdb.xlsx: 5 problem(s)" in failed.output
    for row in range(1, 6):
        assert f"cmdb.xlsx:{row}: field" in failed.output
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    passed = runner.invoke(app, ["inventory", "check", str(path), "--map", str(mapping)])
    assert passed.exit_code == 0, passed.output
    assert "6 assets, no problems (xlsx)" in passed.output


def test_a_row_with_several_bad_cells_reports_each(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(
        "asset_id,vendor,category,function,country,status,installed_on\n"
        "A-1,Huawei,toaster,teleport,Atlantis,lost,yesterday\n"
        "A-1,ZTE,router,core,GB,installed,\n",
        encoding="utf-8",
    )
    with pytest.raises(InventoryErrors) as info:
        read_inventory(path)
    fields = [(p.line, p.field) for p in info.value.problems]
    assert fields == [
        (2, "category"),
        (2, "function"),
        (2, "status"),
        (2, "country"),
        (2, "installed_on"),
        (3, "asset_id"),
    ]
    assert "duplicate asset id 'A-1' (first on line 2)" in info.value.problems[-1].message


def test_a_ragged_csv_line_is_listed_with_the_other_problems(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(
        "asset_id,vendor,category,function,country,status\n"
        "A-1,Huawei,router,core,GB,installed,extra\n"
        "A-2,Huawei,toaster,core,GB,installed\n",
        encoding="utf-8",
    )
    with pytest.raises(InventoryErrors) as info:
        read_inventory(path)
    assert [(p.line, p.field) for p in info.value.problems] == [(2, None), (3, "category")]
    assert info.value.problems[0].message == "7 values but 6 columns"


def test_a_failing_evaluate_prints_the_list_capped_with_a_count(tmp_path: Path) -> None:
    rows = "\n".join(f"A-{n},Huawei,toaster,core,GB,installed" for n in range(SHOWN_PROBLEMS + 7))
    path = tmp_path / "inv.csv"
    path.write_text("asset_id,vendor,category,function,country,status\n" + rows + "\n")
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--profile",
            str(ROOT / "examples" / "uk-telecoms" / "profile.yaml"),
            "--assets",
            str(path),
            "--as-of",
            "2025-01-01",
        ],
    )
    assert result.exit_code == 2
    assert f"inv.csv: {SHOWN_PROBLEMS + 7} problems:" in result.output
    assert result.output.count("unknown category 'toaster'") == SHOWN_PROBLEMS
    assert "... and 7 more" in result.output
    report = runner.invoke(
        app,
        [
            "report",
            "--profile",
            str(ROOT / "examples" / "uk-telecoms" / "profile.yaml"),
            "--assets",
            str(path),
            "--as-of",
            "2025-01-01",
            "--out",
            str(tmp_path / "report.pdf"),
        ],
    )
    assert report.exit_code == 2 and not (tmp_path / "report.pdf").exists()
    assert report.output.count("unknown category 'toaster'") == SHOWN_PROBLEMS
    assert "... and 7 more" in report.output


@pytest.mark.parametrize(
    ("text", "code"),
    [("Czech Republic", "CZ"), ("Czechia", "CZ"), ("DEU", "DE"), ("United Kingdom", "GB")],
)
def test_country_names_are_known_without_a_mapping(text: str, code: str) -> None:
    assert country_code(text) == code


def test_country_code_refuses_what_is_not_a_country() -> None:
    assert country_code("Atlantis") is None
    assert country_code("European Union") is None  # a jurisdiction, not where an asset is


@pytest.mark.parametrize(
    ("headers", "likely"),
    [
        (["Equipment Class", "Notes"], "Equipment Class"),
        (["Categry"], "Categry"),
        (["Type of contract", "Notes"], None),
    ],
)
def test_a_missing_column_is_looked_for_conservatively(
    headers: list[str], likely: str | None
) -> None:
    from dutybound.engine.inventory_check import likely_header

    assert likely_header("category", headers) == likely


def test_an_unrelated_header_is_not_read_as_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text(
        "asset_id,vendor,Type of contract,function,country,status\n"
        "A-1,Huawei,lease,core,UK,installed\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_inventory(path)
    # one problem, the header: the contract types are not checked as categories
    assert (info.value.line, info.value.field) == (1, "category")
    assert "did you mean" not in info.value.message
    path.write_text(path.read_text().replace("Type of contract", "Device Type"))
    (asset,) = read_inventory(
        path,
        mapping=_mapping(
            tmp_path, "columns:\n  Device Type: category\nvalues:\n  category:\n    Lease: router\n"
        ),
    ).assets
    assert (asset.category, asset.country) == ("router", "GB")  # UK is GB without a mapping


def _mapping(folder: Path, text: str) -> Mapping:
    path = folder / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("colums:\n  A: category\n", 1, "unknown key 'colums'"),
        ("columns:\n  A: colour\n", 2, "'colour' is not a dutybound column"),
        ("values:\n  status:\n    Live: running\n", 3, "'running' is not a status value"),
        ("values:\n  vendor:\n    X: Y\n", 2, "values of 'vendor' cannot be mapped"),
        ("values:\n  country:\n    Bohemia: Narnia\n", 3, "an ISO country code"),
    ],
)
def test_a_mapping_file_is_checked_strictly(
    text: str, line: int, words: str, tmp_path: Path
) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_mapping(path)
    assert info.value.line == line and words in info.value.message
    assert info.value.file == str(path)


def test_a_cyclonedx_sbom_with_libraries_lacking_suppliers_evaluates_with_a_notice(
    tmp_path: Path,
) -> None:
    from dutybound.engine.evaluation import evaluate
    from dutybound.engine.inputs import load_profile
    from dutybound.engine.loading import load_rulepack

    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "type": "application",
                "bom-ref": "pkg:generic/kes@11",
                "name": "Endpoint Security",
                "version": "11",
                "supplier": {"name": "Kaspersky Lab"},
            },
            {"type": "library", "bom-ref": "pkg:pypi/requests@2.32", "name": "requests"},
            {"type": "library", "bom-ref": "pkg:npm/left-pad@1.3", "name": "left-pad"},
            {
                "type": "library",
                "bom-ref": "pkg:pypi/internal@1",
                "name": "internal",
                "properties": [{"name": "dutybound:vendor", "value": "Example Ltd"}],
            },
        ],
    }
    path = tmp_path / "sbom.json"
    path.write_text(json.dumps(bom), encoding="utf-8")
    read = read_inventory(path, {"country": "GB", "function": "office_it"})
    assert sorted(a.asset_id for a in read.assets) == ["pkg:generic/kes@11", "pkg:pypi/internal@1"]
    (notice,) = read.notices
    assert notice.code is NoticeCode.COMPONENTS_WITHOUT_VENDOR
    assert notice.message.startswith("2 components without a supplier were not evaluated")
    assert notice.details["components"] == [
        "components[1] (bom-ref 'pkg:pypi/requests@2.32')",
        "components[2] (bom-ref 'pkg:npm/left-pad@1.3')",
    ]
    pack = load_rulepack(None)
    profile = load_profile(ROOT / "examples" / "uk-telecoms" / "profile.yaml", pack)
    result = evaluate(pack, profile, read.assets, dt.date(2025, 1, 1))
    assert {a.asset_id for a in result.assets} == {"pkg:generic/kes@11", "pkg:pypi/internal@1"}


def test_every_cyclonedx_component_type_has_a_category() -> None:
    from cyclonedx.model.component import ComponentType

    from dutybound.engine.cyclonedx import CATEGORIES, cyclonedx_category

    assert set(CATEGORIES) == set(ComponentType)
    assert cyclonedx_category("library") == "software"
    assert cyclonedx_category("device") == "it_hardware"
    assert cyclonedx_category("toaster") == ""


def test_the_xlsx_template_offers_the_vocabulary_as_drop_downs(tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    result = runner.invoke(app, ["inventory", "template", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    sheet = book["Inventory"]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    rules = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert rules["C2:C5001"].startswith("=Vocabulary!$A$2:$A$")  # category
    vocabulary = book["Vocabulary"]
    assert vocabulary["A1"].value == "category"
    categories = [r[0] for r in vocabulary.iter_rows(min_row=2, values_only=True) if r[0]]
    assert "telecom_equipment" in categories
    from dutybound.engine.vocabulary import MEANINGS, Vocabulary

    meanings = {r[0]: r[1] for r in vocabulary.iter_rows(min_row=2, values_only=True) if r[0]}
    assert meanings["telecom_equipment"] == MEANINGS[Vocabulary.CATEGORY]["telecom_equipment"]
    # the example row loads as an inventory
    csv_out = tmp_path / "template.csv"
    assert runner.invoke(app, ["inventory", "template", "--format", "csv", "--out", str(csv_out)])
    assert len(read_inventory(csv_out).assets) == 1


def test_the_template_refuses_an_out_file_of_another_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["inventory", "template", "--format", "xlsx", "--out", str(tmp_path / "t.csv")]
    )
    assert result.exit_code == 2 and "does not end in .xlsx" in result.output
    assert not (tmp_path / "t.csv").exists()


def test_evaluate_reads_through_a_mapping_and_reports_the_bom_notice(tmp_path: Path) -> None:
    profile = str(ROOT / "examples" / "uk-telecoms" / "profile.yaml")
    export = _cmdb_export(tmp_path / "cmdb.xlsx")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    base = ["evaluate", "--profile", profile, "--as-of", "2025-01-01", "--format", "json"]
    cz = ["--profile", str(ROOT / "examples" / "cz-energy" / "profile.yaml")]
    inputs = ["--assets", str(export), "--map", str(mapping)]
    mapped = runner.invoke(
        app,
        ["evaluate", *cz, "--as-of", "2019-02-01", "--format", "json", *inputs],
    )
    assert mapped.exit_code == 0, mapped.output
    findings = json.loads(mapped.stdout)["findings"]
    # the Huawei and ZTE switches, read through the mapping (SW-3's country was 'Czech Rep.')
    assert {a for f in findings for a in f["assets"]} == {"SW-1", "SW-2", "SW-3"}
    bom = tmp_path / "sbom.json"
    bom.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "components": [
                    {"type": "library", "bom-ref": "a", "name": "a", "supplier": {"name": "ZTE"}},
                    {"type": "library", "bom-ref": "b", "name": "b"},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [*base, "--assets", str(bom), "--default", "country=GB", "--default", "function=core"],
    )
    assert result.exit_code == 0, result.output
    notices = json.loads(result.stdout)["notices"]
    (skipped,) = [n for n in notices if n["code"] == "components_without_vendor"]
    assert skipped["count"] == 1 and skipped["components"] == ["components[1] (bom-ref 'b')"]


def test_json_cells_of_the_wrong_type_are_listed_with_the_other_problems(tmp_path: Path) -> None:
    asset = {
        "asset_id": "A-1",
        "vendor": "Huawei",
        "category": "router",
        "function": "core",
        "country": "GB",
        "status": "installed",
    }
    path = tmp_path / "inv.json"
    path.write_text(
        json.dumps(
            [
                {**asset, "vendor": {"name": "Huawei"}, "site": ["a"]},
                {**asset, "asset_id": "A-2", "status": "lost"},
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(InventoryErrors) as info:
        read_inventory(path)
    assert [(p.line, p.field) for p in info.value.problems] == [
        (1, "vendor"),
        (1, "site"),
        (2, "status"),
    ]
    assert "got an object" in info.value.problems[0].message


def test_an_unknown_component_type_is_named_with_its_component(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "components": [
                    {"type": "toaster", "bom-ref": "t-1", "name": "x", "supplier": {"name": "A"}}
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_inventory(path, {"country": "GB", "function": "core"})
    assert info.value.message.startswith(
        "components[0] (bom-ref 't-1'): column 'type' (category): unknown category 'toaster'"
    )


@pytest.mark.parametrize("command", ["compare", "check"])
def test_compare_and_check_items_read_through_a_mapping_file(command: str, tmp_path: Path) -> None:
    export = _cmdb_export(tmp_path / "cmdb.xlsx")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    profile = str(ROOT / "examples" / "cz-energy" / "profile.yaml")
    items = "--assets" if command == "compare" else "--items"
    args = [command, "--profile", profile, items, str(export), "--as-of", "2019-02-01"]
    if command == "compare":
        args += ["-j", "CZ,GB"]
    args += ["--format", "json"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "cmdb.xlsx: 5 problems:" in refused.output
    mapped = runner.invoke(app, [*args, "--map", str(mapping)])
    assert mapped.exit_code != 2, mapped.output
    assert "problem" not in mapped.output


def test_inventory_check_as_json_for_a_pipeline(tmp_path: Path) -> None:
    path = _cmdb_export(tmp_path / "cmdb.xlsx")
    failed = runner.invoke(app, ["inventory", "check", str(path), "--format", "json"])
    assert failed.exit_code == 2
    data = json.loads(failed.stdout)
    assert data["ok"] is False
    assert [(p["line"], p["field"]) for p in data["problems"]] == [
        (1, "category"),
        (2, "category"),
        (3, "status"),
        (4, "country"),
        (5, "function"),
    ]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    passed = runner.invoke(
        app, ["inventory", "check", str(path), "--map", str(mapping), "--format", "json"]
    )
    assert passed.exit_code == 0
    data = json.loads(passed.stdout)
    assert (data["ok"], data["assets"], data["format"]) == (True, 6, "xlsx")
    assert {"header": "Device Type", "column": "category"} in data["columns"]
