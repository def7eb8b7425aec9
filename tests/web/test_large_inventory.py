"""The web app with the inventories large operators send: Parquet uploads, and the compact JSON
of an inventory above ``engine.evaluation.COMPACT_ABOVE_ASSETS`` (each finding lists its first
ids and states ``assets_count``), whose counts the pages must take from ``assets_count``, not
from the shortened list."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from dutybound.engine import evaluation
from tests.web.helpers import EXAMPLE, Site, evaluate, new_profile, signed_in


def _result_json(client, location: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(f"{location}/evaluation.json")
    assert response.status_code == 200
    data: dict = json.loads(response.text)  # type: ignore[type-arg]
    return data


def _parquet(csv_path: Path) -> bytes:
    table = pacsv.read_csv(
        csv_path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False)
    )
    table = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_a_parquet_upload_gives_the_findings_of_the_same_csv(web: Site) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    csv_body = (EXAMPLE / "assets.csv").read_bytes()
    from_csv = evaluate(client, token, profile, "assets.csv", csv_body)
    from_parquet = evaluate(
        client, token, profile, "assets.parquet", _parquet(EXAMPLE / "assets.csv")
    )
    assert from_csv.status_code == from_parquet.status_code == 303, from_parquet.text
    a = _result_json(client, from_csv.headers["location"])
    b = _result_json(client, from_parquet.headers["location"])
    assert [(f["id"], f["status"], f["due"], f["assets"]) for f in b["findings"]] == [
        (f["id"], f["status"], f["due"], f["assets"]) for f in a["findings"]
    ]
    # the UK example's 5G removal: due 2027-12-31 (Designated Vendor Direction, 2022)
    assert ("gb.dvd-2022.5g-removal", "2027-12-31") in {(f["id"], f["due"]) for f in b["findings"]}


def test_the_results_page_counts_a_compact_findings_assets_in_full(
    web: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the UK example's 11 assets made "large", every id list shortened to nothing: a count
    # taken from the list would read 0 for every finding
    monkeypatch.setattr(evaluation, "COMPACT_ABOVE_ASSETS", 5)
    monkeypatch.setattr(evaluation, "COMPACT_SHOWN_IDS", 0)
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    response = evaluate(client, token, profile, "assets.csv", (EXAMPLE / "assets.csv").read_bytes())
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    data = _result_json(client, location)
    assert data["inputs"]["shown_ids"] == 0 and data["findings"]
    page = client.get(location).text
    # findings about assets (an operator-wide duty lists none)
    caught = [f for f in data["findings"] if f["assets_count"]]
    assert len(caught) >= 6
    for finding in caught:
        assert finding["assets"] == []
        row = re.search(
            rf'findings/{re.escape(finding["id"])}">[^<]*</a></td>\s*<td>(\d+)</td>', page
        )
        assert row is not None, finding["id"]
        assert int(row.group(1)) == finding["assets_count"]


def test_an_upload_held_as_a_table_gives_the_pages_and_files_of_a_list(
    web: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UK example read into a table of columns (as an inventory of more than 100,000 rows
    is, engine.asset_table): the same evaluation JSON byte for byte as the same upload read
    into a list, and every page and download of the result works, also after a restart (the
    re-run from the stored inventory is a table again and gives the stored JSON)."""
    from pypdf import PdfReader

    from dutybound.engine import asset_table
    from dutybound.engine.inventory import read_inventory
    from dutybound.web import evaluations as web_evaluations
    from dutybound.web.evaluations import forget_all

    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    body = (EXAMPLE / "assets.csv").read_bytes()
    listed = evaluate(client, token, profile, "assets.csv", body, "2026-11-28")
    monkeypatch.setattr(asset_table, "TABLE_ABOVE_ASSETS", 5)
    read = web_evaluations.read_assets("assets.csv", body)
    listed_assets = read_inventory(EXAMPLE / "assets.csv", table_above=10**9).assets
    assert isinstance(read, asset_table.AssetTable) and isinstance(listed_assets, list)
    assert read == listed_assets
    tabled = evaluate(client, token, profile, "assets.csv", body, "2026-11-28")
    assert listed.status_code == tabled.status_code == 303, tabled.text
    result = tabled.headers["location"]
    stored = client.get(f"{result}/evaluation.json").content
    assert stored == client.get(f"{listed.headers['location']}/evaluation.json").content
    for page in ("", "/review", "/unaffected"):
        assert client.get(f"{result}{page}").status_code == 200, page
    assert client.get(f"{result}/findings.xlsx").status_code == 200
    forget_all()
    again = web.client()
    signed_in(again, web.keys["A"])
    pdf = again.get(f"{result}/report.pdf")
    assert pdf.status_code == 200, pdf.text
    assert PdfReader(io.BytesIO(pdf.content)).attachments["evaluation.json"][0] == stored
