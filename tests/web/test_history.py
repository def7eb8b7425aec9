"""Stored results outlive the process (their inputs are stored with them), facts stated in the
review queue, a profile's history and the diff of two results, and the assets no rule caught
(FastAPI's TestClient; the browser test is test_browser.py)."""

from __future__ import annotations

import io
import json
import zlib

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from dutybound.web.evaluations import forget_all
from tests.web.helpers import EXAMPLE, Site, evaluate, new_profile, signed_in

UK = (EXAMPLE / "assets.csv").read_bytes()


@pytest.fixture(scope="module")
def uk(web: Site) -> dict[str, str]:
    """Tenant A's UK profile evaluated on the UK example as of 28 Nov 2026 and 1 Jan 2028."""
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    out = {"profile": profile}
    for name, day in (("early", "2026-11-28"), ("late", "2028-01-01")):
        response = evaluate(client, token, profile, "assets.csv", UK, day)
        assert response.status_code == 303, response.text
        out[name] = response.headers["location"]
    return out


def _sql(web: Site, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(web.url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_the_inventory_and_profile_are_stored_with_the_result(
    web: Site, uk: dict[str, str]
) -> None:
    result_id = uk["early"].rsplit("/", 1)[1]
    [(filename, packed, profile_id, profile)] = _sql(
        web,
        "SELECT i.filename, i.inventory_zlib, r.profile_id, i.profile FROM service_result_input i"
        " JOIN service_result r ON r.id = i.result_id WHERE i.result_id = :id",
        id=result_id,
    )
    assert filename == "assets.csv"
    assert isinstance(packed, bytes) and zlib.decompress(packed) == UK
    assert len(packed) < len(UK)  # compressed
    assert profile_id == uk["profile"].rsplit("/", 1)[1]
    assert json.loads(str(profile))["name"] == "Albion Mobile & Fibre plc"


def test_after_a_restart_the_pdf_and_xlsx_still_download(web: Site, uk: dict[str, str]) -> None:
    from openpyxl import load_workbook

    forget_all()  # what a restart does to the evaluations held in memory
    client = web.client()  # and a new application on the same database
    signed_in(client, web.keys["A"])
    page = client.get(uk["early"]).text
    assert "report.pdf" in page and "stored without its inventory" not in page
    stored = client.get(f"{uk['early']}/evaluation.json").content
    pdf = client.get(f"{uk['early']}/report.pdf")
    assert pdf.status_code == 200, pdf.text
    attached = PdfReader(io.BytesIO(pdf.content)).attachments["evaluation.json"][0]
    assert attached == stored  # byte for byte
    forget_all()
    xlsx = client.get(f"{uk['early']}/findings.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row > 1


def test_a_result_of_another_rule_pack_is_refused_with_both_versions(web: Site) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    location = evaluate(client, token, profile, "assets.csv", UK, "2026-11-28").headers["location"]
    result_id = location.rsplit("/", 1)[1]
    _sql(
        web,
        "UPDATE service_result SET rulepack_version = '0.9.0', rulepack_sha256 = :sha"
        " WHERE id = :id",
        sha="ab" * 32,
        id=result_id,
    )
    forget_all()
    pdf = client.get(f"{location}/report.pdf")
    assert pdf.status_code == 409
    assert "rule pack 0.9.0 (sha256 abababababab…)" in pdf.text
    assert "not rendered with a different law" in pdf.text
    assert client.get(f"{location}/findings.xlsx").status_code == 409
    assert client.get(f"{location}/evaluation.json").status_code == 200  # the JSON stays


def test_on_both_databases_a_result_outlives_the_process(database_url: str) -> None:
    """On a fresh SQLite and PostgreSQL database each (``database_url``; PostgreSQL skipped
    without DUTYBOUND_TEST_POSTGRES_URL): bytes in and out of the LargeBinary column, the PDF
    after a restart carrying the stored JSON."""
    from dutybound.service.keys import create_key

    web = Site(database_url, {"A": create_key(database_url, "A").secret})
    client = web.client()
    token = signed_in(client, web.keys["A"])
    location = evaluate(client, token, new_profile(client, token), "assets.csv", UK, "2026-11-28")
    result = location.headers["location"]
    forget_all()
    stored = web.client()
    signed_in(stored, web.keys["A"])
    pdf = stored.get(f"{result}/report.pdf")
    assert pdf.status_code == 200, pdf.text
    attached = PdfReader(io.BytesIO(pdf.content)).attachments["evaluation.json"][0]
    assert attached == stored.get(f"{result}/evaluation.json").content


def _finding(data: dict[str, object], obligation: str) -> dict[str, object] | None:
    findings = data["findings"]
    assert isinstance(findings, list)
    return next((f for f in findings if f["obligation_id"] == obligation), None)


def test_stating_a_missing_network_gives_the_finding_it_decides(web: Site) -> None:
    """The UK example's T-001 (a Huawei transmission node) has no network: the 5G removal
    requirement cannot be decided for it. Stating '5g' adds T-001 to gb.dvd-2022.5g-removal,
    due 31 Dec 2027, in a new result recording the fact; the original stays as it was."""
    client = web.client()
    token = signed_in(client, web.keys["A"])
    first = evaluate(client, token, new_profile(client, token), "assets.csv", UK, "2026-12-04")
    result = first.headers["location"]
    before = client.get(f"{result}/evaluation.json").json()
    removal = _finding(before, "gb.dvd-2022.5g-removal")
    assert removal is not None and "T-001" not in removal["assets"]
    forget_all()  # stated after a restart: the re-run starts from the stored inventory
    queue = client.get(f"{result}/review").text
    assert 'name="v.T-001"' in queue and '<option value="5g">' in queue
    response = client.post(
        f"{result}/review/facts", data={"csrf": token, "field": "network", "v.T-001": "5g"}
    )
    assert response.status_code == 303, response.text
    rerun = response.headers["location"]
    assert rerun != result
    after = client.get(f"{rerun}/evaluation.json").json()
    removal = _finding(after, "gb.dvd-2022.5g-removal")
    assert removal is not None
    assert "T-001" in removal["assets"] and removal["due"] == "2027-12-31"
    assert not [
        r for r in after["review"] if r["asset_id"] == "T-001" and r.get("field") == "network"
    ]
    page = client.get(rerun).text
    assert "Facts stated in the review queue" in page
    assert "T-001: <code>network</code> = 5g" in page and "stated by A" in page
    # the original is unchanged, and the new result's PDF reproduces it after a restart
    assert client.get(f"{result}/evaluation.json").json() == before
    forget_all()
    pdf = client.get(f"{rerun}/report.pdf")
    assert pdf.status_code == 200, pdf.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"field": "network", "v.T-001": "6g"}, "asset T-001, network: &#39;6g&#39; is not one of"),
        ({"field": "network", "v.C-002": "5g"}, "asset C-002: this result does not ask for its"),
        ({"field": "network", "v.T-001": ""}, "state network for at least one asset"),
    ],
)
def test_a_wrong_stated_fact_is_refused_by_asset_and_field(
    web: Site, uk: dict[str, str], fields: dict[str, str], message: str
) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    response = client.post(f"{uk['early']}/review/facts", data={"csrf": token, **fields})
    assert response.status_code == 422
    assert message in response.text


def test_stating_a_fact_needs_the_csrf_token_and_the_tenant(web: Site, uk: dict[str, str]) -> None:
    data = {"field": "network", "v.T-001": "5g"}
    client = web.client()
    signed_in(client, web.keys["A"])
    assert client.post(f"{uk['early']}/review/facts", data=data).status_code == 403
    other = web.client()
    token = signed_in(other, web.keys["B"])
    assert (
        other.post(f"{uk['early']}/review/facts", data={**data, "csrf": token}).status_code == 404
    )


def test_a_profiles_history_lists_its_results_with_counts(web: Site, uk: dict[str, str]) -> None:
    client = web.client()
    signed_in(client, web.keys["A"])
    page = client.get(f"{uk['profile']}/history")
    assert page.status_code == 200
    early, late = (uk[k].rsplit("/", 1)[1] for k in ("early", "late"))
    # newest first: the late result is "after", the early one "before"
    assert page.text.index(f'value="{late}"') < page.text.index(f'value="{early}"')
    assert f'name="a" value="{early}"' in page.text and f'name="b" value="{late}"' in page.text
    assert ">2026-11-28</a>" in page.text and ">2028-01-01</a>" in page.text
    early_overdue = client.get(f"{uk['early']}/evaluation.json").json()["summary"]["by_status"]
    assert f"<td>{early_overdue['overdue']}</td>" in page.text
    # another tenant gets 404 for the profile's history
    other = web.client()
    signed_in(other, web.keys["B"])
    assert other.get(f"{uk['profile']}/history").status_code == 404


def test_the_diff_lists_the_item_that_becomes_overdue_as_changed(
    web: Site, uk: dict[str, str]
) -> None:
    """UK example, 28 Nov 2026 → 1 Jan 2028: the DVD's 5G removal (due 31 Dec 2027) passes its
    deadline: listed as changed, from due to overdue, with time as its cause."""
    client = web.client()
    signed_in(client, web.keys["A"])
    early, late = (uk[k].rsplit("/", 1)[1] for k in ("early", "late"))
    forget_all()  # both sides evaluated again from their stored inputs
    response = client.get(f"/app/diff?a={early}&b={late}")
    assert response.status_code == 200, response.text
    html = response.text
    changed = html[html.index('id="diff-changed"') :]
    row = changed[changed.index('id="change-gb.dvd-2022.5g-removal"') :]
    row = row[: row.index("</tr>")]
    assert "s-due" in row and "s-overdue" in row and "due 2027-12-31" in row
    assert "31 Dec 2027" in row  # the cause names the deadline that passed
    assert "applied different vendor decisions" not in html
    assert (
        'id="diff-removed"' not in html
        or "gb.dvd-2022.5g-removal"
        not in html[html.index('id="diff-removed"') : html.index('id="diff-changed"')]
    )


def test_the_diff_of_another_tenants_result_is_a_404(web: Site, uk: dict[str, str]) -> None:
    other = web.client()
    token = signed_in(other, web.keys["B"])
    own = evaluate(other, token, new_profile(other, token), "assets.csv", UK, "2026-11-28")
    mine = own.headers["location"].rsplit("/", 1)[1]
    theirs = uk["early"].rsplit("/", 1)[1]
    assert other.get(f"/app/diff?a={mine}&b={theirs}").status_code == 404
    assert other.get(f"/app/diff?a={theirs}&b={mine}").status_code == 404
    assert other.get(f"/app/diff?a={mine}&b={mine}").status_code == 200


def test_the_unaffected_assets_say_why_no_rule_caught_them(web: Site, uk: dict[str, str]) -> None:
    """R-003, a Huawei 4G radio, is outside the 5G rules and the 2020 Huawei decisions ceased
    to apply on 13 Oct 2022: listed with those reasons."""
    client = web.client()
    signed_in(client, web.keys["A"])
    assert f'href="{uk["early"]}/unaffected"' in client.get(uk["early"]).text
    page = client.get(f"{uk['early']}/unaffected")
    assert page.status_code == 200
    html = page.text
    window = html[html.index("Outside the law&#39;s window") :]
    window = window[: window.index("</tr>")]
    assert "ceased to apply on 13 Oct 2022" in window and "R-003" in window
    assert "gb.huawei-5g-decision-2020.5g-removal" in window
    other = web.client()
    signed_in(other, web.keys["B"])
    assert other.get(f"{uk['early']}/unaffected").status_code == 404


def test_a_result_keeps_the_vendor_decisions_it_applied(web: Site) -> None:
    """Answering the review queue records a decision dated today; the result it answered was
    evaluated without it, and after a restart its PDF still carries that result, byte for
    byte, and the review's re-run (from the stored inputs) applies the answer."""
    import datetime as dt

    today = dt.date.today().isoformat()
    extra = (
        "R-900,Huawai Technologies,5G radio,telecom_equipment,ran,5g,GB,,installed,4,"
        "North region,,2019-06-01,\n"
    )
    body = UK + (b"" if UK.endswith(b"\n") else b"\n") + extra.encode()
    client = web.client()
    token = signed_in(client, web.keys["A"])
    first = evaluate(client, token, new_profile(client, token), "assets.csv", body, today)
    result = first.headers["location"]
    before = client.get(f"{result}/evaluation.json").content
    assert b'"Huawai Technologies"' in before
    forget_all()  # the answer's re-run starts from the stored inputs
    answer = client.post(
        f"{result}/review/vendor",
        data={"csrf": token, "vendor": "Huawai Technologies", "group": "huawei", "answer": "is"},
    )
    assert answer.status_code == 303, answer.text
    rerun = client.get(f"{answer.headers['location']}/evaluation.json").json()
    removal = _finding(rerun, "gb.dvd-2022.5g-removal")
    assert removal is not None and "R-900" in removal["assets"]
    forget_all()
    pdf = client.get(f"{result}/report.pdf")
    assert pdf.status_code == 200, pdf.text
    assert PdfReader(io.BytesIO(pdf.content)).attachments["evaluation.json"][0] == before
    # the diff of the two says that the answer is not part of its walk
    pair = f"a={result.rsplit('/', 1)[1]}&b={answer.headers['location'].rsplit('/', 1)[1]}"
    compared = client.get(f"/app/diff?{pair}")
    assert compared.status_code == 200
    assert "applied different vendor decisions" in compared.text


def test_deleting_a_result_through_the_api_deletes_its_stored_inputs(web: Site) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    location = evaluate(client, token, new_profile(client, token), "assets.csv", UK, "2026-11-28")
    result_id = location.headers["location"].rsplit("/", 1)[1]
    count = "SELECT COUNT(*) FROM service_result_input WHERE result_id = :id"
    assert _sql(web, count, id=result_id) == [(1,)]
    response = client.delete(f"/results/{result_id}", headers={"X-API-Key": web.keys["A"]})
    assert response.status_code == 204, response.text
    assert _sql(web, count, id=result_id) == [(0,)]
