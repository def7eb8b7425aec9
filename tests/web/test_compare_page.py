"""The comparison page (/app/compare): the same matrix as ``dutybound compare``, as an HTML table
whose cells link to their citations, and the same CSV/XLSX/Markdown downloads."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.test_cli import run, write
from tests.web.helpers import (
    EXAMPLE,
    Site,
    TestClient,
    csrf_of,
    evaluate,
    new_profile,
    signed_in,
)

DAY = "2026-12-03"


@pytest.fixture(scope="module")
def client(web: Site) -> tuple[TestClient, str]:
    """Tenant A signed in, with the UK telecoms profile stored; (client, profile id)."""
    c = web.client()
    token = signed_in(c, web.keys["A"])
    profile = new_profile(c, token)
    return c, profile.rsplit("/", 1)[1]


class Cells(HTMLParser):
    """The matrix table read as the browser sees it: header cells, and each body cell's text
    and the links in it."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[tuple[str, list[str]]]] = []
        self._in: str | None = None
        self._text: list[str] = []
        self._links: list[str] = []
        self._table = False
        self._part = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("class") == "matrix":
            self._table = True
        if not self._table:
            return
        if tag in ("thead", "tbody"):
            self._part = tag
        if tag == "tr" and self._part == "tbody":
            self.rows.append([])
        if tag in ("th", "td"):
            self._in, self._text, self._links = tag, [], []
        if tag == "a" and self._in:
            self._links.append(found.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = False
        if self._table and tag in ("th", "td") and self._in:
            text = " ".join("".join(self._text).split())
            if self._part == "thead":
                self.header.append(text)
            else:
                self.rows[-1].append((text, self._links))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)


def _matrix(html: str) -> Cells:
    parser = Cells()
    parser.feed(html)
    return parser


def test_huawei_in_the_uk_for_a_telecoms_provider_links_the_tsa_duty(
    client: tuple[TestClient, str],
) -> None:
    """The stored UK telecoms profile, Huawei × GB and US: the cell leads with 'no new 5G kit'
    then the national-security sites removal (as the CLI's matrix, test_compare_matrix), each
    phrase linked to the designated vendor direction's source; the column headers are scoped."""
    c, profile = client
    response = c.get(
        "/app/compare",
        params={
            "profile": profile,
            "jurisdictions": ["GB", "US"],
            "vendors": "Huawei",
            "as_of": DAY,
        },
    )
    assert response.status_code == 200, response.text
    assert '<th scope="col">GB' in response.text and '<th scope="row">Huawei</th>' in response.text
    table = _matrix(response.text)
    assert table.header[0] == "Vendor" and table.header[1].startswith("GB")
    (row,) = table.rows
    assert row[0][0] == "Huawei"
    gb_text, gb_links = row[1]
    assert gb_text.startswith("no new 5G kit")
    assert "kit at national-security sites out by 28 Jan 2023" in gb_text
    # every phrase links to a law's page and to its footnote, and the footnote names the
    # Telecommunications (Security) Act's direction the phrase was made from
    assert any(link.startswith("https://") for link in gb_links)
    notes = dict(re.findall(r'<li id="fn-(\d+)"[^>]*><code>([^<]+)</code>', response.text))
    cited = [notes[n] for n in re.findall(r"#fn-(\d+)", " ".join(gb_links))]
    assert cited[:2] == ["gb.dvd-2022.5g-no-new-install", "gb.dvd-2022.national-security-sites"]


def test_the_page_and_its_csv_say_what_the_cli_says(
    client: tuple[TestClient, str], tmp_path: Path
) -> None:
    """The CSV download is byte for byte the CLI's ``compare --format csv`` for the same
    profile, jurisdictions, vendors, sector and date; the Markdown and XLSX hold its rows."""
    c, profile = client
    params = {
        "profile": profile,
        "jurisdictions": ["CZ", "DE", "GB", "US"],
        "vendors": ["Huawei", "ZTE"],
        "sector": "telecoms",
        "as_of": DAY,
    }
    csv_body = c.get("/app/compare/matrix.csv", params=params)
    assert csv_body.status_code == 200, csv_body.text
    assert csv_body.headers["content-disposition"].endswith('.csv"')
    profile_file = write(tmp_path / "p.yaml", (EXAMPLE / "profile.yaml").read_text())
    cli = run(
        "compare", "--profile", profile_file, "--as-of", DAY, "-j", "CZ,DE,GB,US",
        "--vendor", "Huawei", "--vendor", "ZTE", "--as-sector", "telecoms", "--format", "csv",
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert csv_body.text == cli.stdout
    rows = list(csv.reader(io.StringIO(csv_body.text)))
    assert rows[0] == ["Vendor", "CZ", "DE", "GB", "US"]
    book = load_workbook(io.BytesIO(c.get("/app/compare/matrix.xlsx", params=params).content))
    sheet = list(book["Matrix"].iter_rows(values_only=True))
    assert [list(r) for r in sheet] == [[str(v) for v in r] for r in rows[:3]]
    markdown = c.get("/app/compare/matrix.md", params=params).text
    assert "| Vendor | CZ | DE | GB | US |" in markdown and "Footnotes:" in markdown
    page = c.get("/app/compare", params=params).text
    assert "Roles assumed for sector telecoms (hypothetical, not declared)" in page


def test_a_sector_alone_compares_a_hypothetical_operator(client: tuple[TestClient, str]) -> None:
    """A telecoms operator of no profile: the sector's roles are assumed, never the designated
    vendor direction's (it binds named addressees only), so the GB cell is the guidance on the
    5G core, not the direction's "no new 5G kit" the Albion profile gets."""
    c, _ = client
    response = c.get(
        "/app/compare",
        params={
            "sector": "telecoms",
            "jurisdictions": ["GB", "SE"],
            "vendors": "Huawei",
            "as_of": DAY,
        },
    )
    assert response.status_code == 200, response.text
    table = _matrix(response.text)
    (row,) = table.rows
    assert row[1][0].startswith("no 5G/full-fibre core guidance")
    assert "no new 5G kit" not in row[1][0]
    assert "gb.dvd_addressee" in response.text  # listed as not assumed
    assert row[2][0] == "no role"  # Sweden gives telecoms no role in this pack
    assert "A telecoms operator (hypothetical)" in response.text


def test_the_operator_view_reads_a_stored_evaluations_inventory(
    client: tuple[TestClient, str],
) -> None:
    """Without a vendor, the operator × jurisdiction view of the UK example inventory: one row,
    the operator's, whose GB cell names assets of the inventory."""
    c, profile = client
    result = evaluate(
        c, csrf_of(c.get("/app/home").text), f"/app/profiles/{profile}", "assets.csv",
        (EXAMPLE / "assets.csv").read_bytes(), "2026-11-28",
    )  # fmt: skip
    assert result.status_code == 303, result.text
    result_id = result.headers["location"].rsplit("/", 1)[1]
    response = c.get(
        "/app/compare",
        params={"profile": profile, "result": result_id, "as_of": "2026-11-28"},
    )
    assert response.status_code == 200, response.text
    table = _matrix(response.text)
    assert table.header[0] == "Operator"
    (row,) = table.rows
    assert row[0][0] == "Albion Mobile & Fibre plc"
    assert row[1][0] and row[1][0] != "no role"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"as_of": DAY, "vendors": "Huawei"}, "profile", "choose a stored profile"),
        ({"sector": "telecoms", "as_of": DAY, "vendors": "Huawei"}, "jurisdictions", "at least"),
        ({"sector": "telecoms", "jurisdictions": "GB", "as_of": DAY}, "vendors", "choose a vendor"),
        ({"sector": "telecoms", "jurisdictions": "GB", "vendors": "Nokia", "as_of": DAY},
         "vendors", "not a vendor group"),
        ({"sector": "telecoms", "jurisdictions": "GB", "vendors": "Huawei", "as_of": "3.12."},
         "as_of", "YYYY-MM-DD"),
        ({"profile": "nope", "jurisdictions": "GB", "vendors": "Huawei"}, "profile", "no stored"),
        ({"sector": "telecom", "jurisdictions": "GB", "vendors": "Huawei", "as_of": DAY},
         "sector", "telecoms"),
    ],
)  # fmt: skip
def test_a_wrong_choice_is_named_by_its_field(
    client: tuple[TestClient, str], params: dict[str, str], field: str, words: str
) -> None:
    c, _ = client
    response = c.get("/app/compare", params=params)
    assert response.status_code == 422
    found = re.search(rf'<p class="error" id="e-{field}">([^<]+)</p>', response.text)
    assert found is not None and words in found.group(1), response.text[-3000:]
    assert c.get("/app/compare/matrix.csv", params=params).status_code == 422


def test_another_tenants_profile_is_not_found(web: Site, client: tuple[TestClient, str]) -> None:
    _, profile = client
    other = web.client()
    signed_in(other, web.keys["B"])
    response = other.get(
        "/app/compare", params={"profile": profile, "vendors": "Huawei", "as_of": DAY}
    )
    assert response.status_code == 422 and "no stored profile" in response.text
    assert "Albion" not in response.text


def test_the_page_needs_a_session(web: Site) -> None:
    assert web.client().get("/app/compare").status_code == 303
