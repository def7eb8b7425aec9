"""Property-based tests (issue 19): whatever text, numbers or structure an inventory or a profile
holds, reading it gives valid records or an ``InputError`` naming the file (and, for a problem in
a row or field, where), never another exception; through the CLI that is exit 2 with nothing
written.

The strategies mix valid values with the hostile ones the probes found (NUL, lone surrogates,
control characters, numbers past 64 bits, NaN, deep nesting, wrong JSON types), so that examples
get past the header and reach the rows. The budget is small so the file runs in seconds; a
failure prints the example to reproduce.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from typer.testing import CliRunner

from dutybound.engine.errors import InputError
from dutybound.engine.inputs import COLUMNS, Asset, load_profile
from dutybound.engine.inventory import SYNONYMS, read_inventory
from dutybound.engine.limits import QUANTITY_MAX, text_problem
from dutybound.engine.loading import RulePack, load_rulepack

ROOT = Path(__file__).resolve().parents[2]
UK = ROOT / "examples" / "uk-telecoms"
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_CELLS = {
    "asset_id": ["A-1", "A-2", "x"],
    "vendor": ["Huawei", "ZTE Corporation", "Nokia", "华为"],
    "category": ["router", "telecom_equipment", "video_surveillance"],
    "function": ["core", "ran", "office_it"],
    "country": ["GB", "cz", "US"],
    "status": ["installed", "planned", "retired"],
    "quantity": ["", "1", "3000000000", str(QUANTITY_MAX)],
}
HOSTILE_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    "\x1b[2J",
    "=HYPERLINK(1)",
    '"',
    "\n",
    "\r",
    ",",
    "NaN",
    str(10**19),
    str(10**20),
    "-1",
    "1e9",
    "\ufeff",
    "x" * 3000,
    "y" * 140_000,  # past the csv module's default field limit (131,072)
]
any_text = st.text(max_size=30)
cell_text = st.one_of(st.sampled_from(HOSTILE_TEXT), any_text)


def _cell_for(column: str) -> st.SearchStrategy[str]:
    valid = VALID_CELLS.get(column)
    return st.one_of(st.sampled_from(valid), cell_text) if valid else cell_text


header_names = st.lists(
    st.one_of(
        st.sampled_from(list(COLUMNS)),
        st.sampled_from([name for names in SYNONYMS.values() for name in names]),
        any_text,
    ),
    min_size=1,
    max_size=10,
)


@st.composite
def inventories(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header (mostly known column names) and rows of cells (mostly valid for their column)."""
    header = draw(st.one_of(st.just(list(COLUMNS[:6])), header_names))
    width = len(header)
    rows = draw(
        st.lists(
            st.one_of(
                st.tuples(*[_cell_for(name) for name in header]).map(list),
                st.lists(cell_text, max_size=width + 2),  # ragged rows
            ),
            max_size=6,
        )
    )
    return header, rows


def _assert_valid_or_input_error(path: Path, read: Any) -> list[Asset] | None:
    """Run ``read``; a valid result must hold only in-domain values, an error must be an
    ``InputError`` naming ``path``. Any other exception fails the test (hypothesis shows it)."""
    try:
        assets: list[Asset] = read()
    except InputError as error:
        assert error.file == str(path), error
        assert str(error).startswith(str(path)), error
        assert error.message
        if error.field is not None:
            assert error.field in str(error)
        return None
    for asset in assets:
        assert 0 <= asset.quantity <= QUANTITY_MAX
        for value in asset:
            if isinstance(value, str):
                assert text_problem(value) is None, (asset, value)
    return assets


def _csv_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, errors="surrogatepass")


@FAST
@given(
    inventory=inventories(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-16-le"]),
)
def test_csv_inventories_read_or_fail_with_an_input_error(
    inventory: tuple[list[str], list[list[str]]], encoding: str, tmp_path: Path
) -> None:
    path = tmp_path / "inv.csv"
    path.write_bytes(_csv_bytes(*inventory, encoding))
    _assert_valid_or_input_error(path, lambda: read_inventory(path).assets)


@FAST
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_as_csv_read_or_fail_with_an_input_error(
    raw: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "inv.csv"
    path.write_bytes(b"asset_id,vendor,category,function,country,status\n" + raw)
    _assert_valid_or_input_error(path, lambda: read_inventory(path).assets)


CYCLONEDX_KEYS = [
    "bom-ref",
    "name",
    "version",
    "type",
    "manufacturer",
    "supplier",
    "publisher",
    "author",
    "properties",
    "components",
]
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    cell_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(list(COLUMNS)), any_text), inner, max_size=4),
    ),
    max_leaves=20,
)


@st.composite
def json_inventories(draw: st.DrawFn) -> Any:
    """A list of asset objects (mostly valid cells), an ``assets`` wrapper, a CycloneDX BOM with
    components of any shape, or any JSON value at all."""
    asset = st.fixed_dictionaries(
        {c: st.one_of(st.sampled_from(VALID_CELLS[c]), json_values) for c in VALID_CELLS}
    )
    component = st.dictionaries(
        st.sampled_from(CYCLONEDX_KEYS),
        json_values,
        max_size=6,
    )
    return draw(
        st.one_of(
            st.lists(asset, max_size=4),
            st.fixed_dictionaries({"assets": st.lists(asset, max_size=4)}),
            st.fixed_dictionaries(
                {
                    "bomFormat": st.just("CycloneDX"),
                    "components": st.one_of(st.lists(component, max_size=4), json_values),
                }
            ),
            json_values,
        )
    )


@FAST
@given(data=json_inventories(), nesting=st.sampled_from([0, 0, 0, 70, 2000]))
def test_json_inventories_read_or_fail_with_an_input_error(
    data: Any, nesting: int, tmp_path: Path
) -> None:
    path = tmp_path / "inv.json"
    text = json.dumps(data, allow_nan=True)
    if nesting:  # the same value buried deep
        text = "[" * nesting + text + "]" * nesting
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _assert_valid_or_input_error(
        path, lambda: read_inventory(path, {"country": "GB", "function": "core"}).assets
    )


xlsx_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    cell_text,
)


@settings(FAST, max_examples=20)
@given(inventory=inventories(), extra=st.lists(xlsx_values, max_size=7))
def test_xlsx_inventories_read_or_fail_with_an_input_error(
    inventory: tuple[list[str], list[list[str]]], extra: list[Any], tmp_path: Path
) -> None:
    header, rows = inventory
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    try:
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        sheet.append(extra)
    except IllegalCharacterError:
        assume(False)  # openpyxl cannot write the text: no workbook can hold it
    path = tmp_path / "inv.xlsx"
    try:
        book.save(path)
    except (UnicodeEncodeError, ValueError):
        assume(False)  # a lone surrogate cannot be written to XML
    _assert_valid_or_input_error(path, lambda: read_inventory(path).assets)


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_rulepack(None)


profile_values = st.one_of(
    st.sampled_from(["GB", ["GB"], ["gb.public_telecoms_provider"], ["telecoms"], "X"]),
    json_values,
)


@settings(FAST, max_examples=60)
@given(
    data=st.dictionaries(
        st.one_of(
            st.sampled_from(["name", "jurisdictions", "sectors", "roles", "attributes"]), any_text
        ),
        profile_values,
        max_size=5,
    ),
    attributes=st.dictionaries(
        st.sampled_from(["gb.relevant_turnover_gbp", "unknown.attr"]), json_scalars, max_size=2
    ),
    as_json=st.booleans(),
)
def test_profiles_load_or_fail_with_an_input_error(
    data: dict[str, Any], attributes: dict[str, Any], as_json: bool, pack: RulePack, tmp_path: Path
) -> None:
    data = {"name": "X", "jurisdictions": ["GB"], **data}
    if attributes:
        data["attributes"] = attributes
    path = tmp_path / ("profile.json" if as_json else "profile.yaml")
    if as_json:
        text = json.dumps(data, allow_nan=True)
    else:
        try:
            text = yaml.safe_dump(data, allow_unicode=True)
        except yaml.YAMLError:
            assume(False)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        profile = load_profile(path, pack)
    except InputError as error:
        assert error.file == str(path) and error.message, error
        return
    for value in profile.attributes.values():
        assert not (isinstance(value, float) and not math.isfinite(value))
    assert text_problem(profile.name) is None


@settings(FAST, max_examples=8)
@given(inventory=inventories())
def test_the_cli_exits_0_or_2_and_writes_nothing_on_bad_input(
    inventory: tuple[list[str], list[list[str]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from dutybound.cli import app

    folder = tmp_path_factory.mktemp("cli")
    assets, out, db = folder / "inv.csv", folder / "out.json", folder / "store.db"
    assets.write_bytes(_csv_bytes(*inventory, "utf-8"))
    args = ["evaluate", "--profile", str(UK / "profile.yaml"), "--assets", str(assets)]
    args += ["--as-of", "2026-11-28", "--format", "json", "--out", str(out)]
    args += ["--db", f"sqlite:///{db}"]
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert "error: " in result.output and str(assets) in result.output.replace("\n", "")
        assert not out.exists() and not db.exists(), "nothing may be written on bad input"
    else:
        assert out.exists()
