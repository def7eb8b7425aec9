"""The web pages over HTTP: sign-in, CSRF, tenant isolation, profile validation, upload
problems, results and downloads (FastAPI's TestClient; the browser test is test_browser.py)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from dutybound.web import STATIC
from tests.web.helpers import (
    EXAMPLE,
    Site,
    TestClient,
    csrf_of,
    evaluate,
    new_profile,
    signed_in,
)


@pytest.fixture(scope="module")
def evaluated(web: Site) -> dict[str, str]:
    """Tenant A's UK profile and its evaluation of the UK example inventory on 4 Dec 2026."""
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    response = evaluate(client, token, profile, "assets.csv", (EXAMPLE / "assets.csv").read_bytes())
    assert response.status_code == 303, response.text
    return {"profile": profile, "result": response.headers["location"]}


def test_pages_need_a_session(web: Site) -> None:
    response = web.client().get("/app/home")
    assert response.status_code == 303
    assert response.headers["location"] == "/app/signin"


def test_sign_in_sets_a_signed_httponly_lax_cookie(web: Site) -> None:
    client = web.client()
    token = csrf_of(client.get("/app/signin").text)
    response = client.post("/app/signin", data={"api_key": web.keys["A"], "csrf": token})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/app" in cookie
    assert web.keys["A"] not in response.headers["set-cookie"]  # only the key's digest
    assert "Tenant: <strong>A</strong>" in client.get("/app/home").text


def test_a_wrong_key_is_refused(web: Site) -> None:
    client = web.client()
    token = csrf_of(client.get("/app/signin").text)
    response = client.post("/app/signin", data={"api_key": "dbk_nope", "csrf": token})
    assert response.status_code == 401
    assert "unknown or revoked" in response.text
    assert client.get("/app/home").status_code == 303


@pytest.mark.parametrize("token", [None, "forged"])
def test_posts_without_the_csrf_token_are_refused(web: Site, token: str | None) -> None:
    client = web.client()
    real = signed_in(client, web.keys["A"])
    extra = {} if token is None else {"csrf": token}
    for path, data in [
        ("/app/profiles", {"name": "X", "jurisdictions": "GB"}),
        ("/app/signout", {}),
        ("/app/signin", {"api_key": web.keys["A"]}),
    ]:
        assert client.post(path, data={**data, **extra}).status_code == 403, path
    # refused, not signed out: the session still works with the real token
    assert client.get("/app/home").status_code == 200
    assert client.post("/app/signout", data={"csrf": real}).status_code == 303
    assert client.get("/app/home").status_code == 303


def test_profile_problems_are_shown_next_to_their_field(web: Site) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    response = client.post(
        "/app/profiles",
        data={"name": "Albion", "jurisdictions": "GB", "roles": "gb.no_such_role", "csrf": token},
    )
    assert response.status_code == 422
    assert 'id="roles-error"' in response.text
    assert "gb.no_such_role" in response.text
    bad_attributes = client.post(
        "/app/profiles",
        data={"name": "Albion", "jurisdictions": "GB", "attributes": "- a list", "csrf": token},
    )
    assert bad_attributes.status_code == 422
    assert 'id="attributes-error"' in bad_attributes.text


def test_profile_form_lists_roles_with_titles_and_citations(web: Site) -> None:
    client = web.client()
    signed_in(client, web.keys["A"])
    html = client.get("/app/profiles/new").text
    assert 'value="gb.dvd_addressee"' in html
    assert "Communications Act 2003" in html


def test_an_upload_with_problems_shows_every_one(web: Site, evaluated: dict[str, str]) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    lines = (EXAMPLE / "assets.csv").read_text(encoding="utf-8").splitlines()
    # row 2: an unknown category; row 4: an unknown status
    rows = [lines[0], lines[1].replace("telecom_equipment", "toaster", 1), lines[2], lines[3]]
    rows[3] = rows[3].replace(",installed,", ",melted,", 1)
    response = evaluate(client, token, evaluated["profile"], "broken.csv", "\n".join(rows).encode())
    assert response.status_code == 422
    assert "broken.csv: 2 problems" in response.text
    assert "<td>2</td><td>category</td>" in response.text
    assert "<td>4</td><td>status</td>" in response.text


def test_results_show_the_summary_and_filter_findings(web: Site, evaluated: dict[str, str]) -> None:
    client = web.client()
    signed_in(client, web.keys["A"])
    page = client.get(evaluated["result"]).text
    assert '<span class="n">4</span> overdue' in page  # the UK example on 4 Dec 2026
    assert "18 of 18 findings" in page
    overdue = client.get(evaluated["result"], params={"status": "overdue"}).text
    assert "4 of 18 findings" in overdue
    none = client.get(evaluated["result"], params={"status": "overdue", "binding": "guidance"})
    assert "0 of 18 findings" in none.text


def test_a_finding_page_has_its_explanation_conditions_and_trace(
    web: Site, evaluated: dict[str, str]
) -> None:
    client = web.client()
    signed_in(client, web.keys["A"])
    path = f"{evaluated['result']}/findings/gb.dvd-2022.national-security-sites"
    page = client.get(path).text
    assert "Remove Huawei equipment from sites significant to national security" in page
    assert "<h2>Conditions</h2>" in page and "<h2>Trace</h2>" in page
    assert 'href="https://www.gov.uk/' in page
    assert client.get(f"{evaluated['result']}/findings/nope").status_code == 404


def test_the_pdf_download_is_a_pdf_with_the_evaluation_attached(
    web: Site, evaluated: dict[str, str]
) -> None:
    client = web.client()
    signed_in(client, web.keys["A"])
    response = client.get(f"{evaluated['result']}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    attached = reader.attachments
    assert "evaluation.json" in attached
    data = json.loads(attached["evaluation.json"][0])
    assert data["summary"]["by_status"]["overdue"] == 4
    xmp = reader.xmp_metadata
    assert xmp is not None and "pdfaid:part" in xmp.rdf_root.toxml()  # PDF/A


def test_json_and_xlsx_downloads(web: Site, evaluated: dict[str, str]) -> None:
    from openpyxl import load_workbook

    client = web.client()
    signed_in(client, web.keys["A"])
    data = client.get(f"{evaluated['result']}/evaluation.json").json()
    assert data["operator"]["name"] == "Albion Mobile & Fibre plc"
    xlsx = client.get(f"{evaluated['result']}/findings.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row > 18  # a row per finding and asset, and a header


def test_another_tenant_cannot_see_the_profile_or_result(
    web: Site, evaluated: dict[str, str]
) -> None:
    client = web.client()
    signed_in(client, web.keys["B"])
    home = client.get("/app/home").text
    assert "Albion" not in home
    for path in [
        evaluated["profile"],
        f"{evaluated['profile']}/edit",
        evaluated["result"],
        f"{evaluated['result']}/evaluation.json",
        f"{evaluated['result']}/report.pdf",
        f"{evaluated['result']}/findings/gb.dvd-2022.national-security-sites",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "Not found" in response.text and "Albion" not in response.text, path


def test_a_consultant_switches_to_a_client_and_reads_only(
    web: Site, evaluated: dict[str, str]
) -> None:
    client = web.client()
    token = signed_in(client, web.keys["consultant"])
    assert client.get(evaluated["profile"]).status_code == 404  # on its own tenant, C
    assert client.post("/app/tenant", data={"tenant": "B", "csrf": token}).status_code == 404
    assert client.post("/app/tenant", data={"tenant": "A", "csrf": token}).status_code == 303
    assert "Albion" in client.get("/app/home").text
    assert client.get(evaluated["result"]).status_code == 200
    refused = client.post("/app/profiles", data={"name": "X", "jurisdictions": "GB", "csrf": token})
    assert refused.status_code == 403


def test_static_files_are_served(web: Site) -> None:
    client = web.client()
    for name in ("web.css", "profile.js"):
        response = client.get(f"/app/static/{name}")
        assert response.status_code == 200 and response.content == (STATIC / name).read_bytes()


def test_a_revoked_key_ends_its_session(web: Site) -> None:
    from dutybound.service.keys import create_key, revoke_key

    issued = create_key(web.url, "A")
    client = web.client()
    signed_in(client, issued.secret)
    assert client.get("/app/home").status_code == 200
    revoke_key(web.url, issued.id)
    response = client.get("/app/home")
    assert response.status_code == 303 and response.headers["location"] == "/app/signin"


def test_an_xlsx_inventory_is_evaluated_too(web: Site, evaluated: dict[str, str]) -> None:
    import csv

    from openpyxl import Workbook

    client = web.client()
    token = signed_in(client, web.keys["A"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with (EXAMPLE / "assets.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    body = io.BytesIO()
    book.save(body)
    response = evaluate(client, token, evaluated["profile"], "assets.xlsx", body.getvalue())
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert '<span class="n">4</span> overdue' in page  # the same answer as from the CSV


def test_an_upload_of_another_kind_of_file_is_refused_by_name(
    web: Site, evaluated: dict[str, str]
) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    response = evaluate(client, token, evaluated["profile"], "notes.txt", b"hello")
    assert response.status_code == 422
    assert "notes.txt: 1 problem," in response.text
    assert "choose a .csv, .xlsx, .parquet or CycloneDX/NetBox .json inventory" in response.text


def test_the_configured_session_secret_lets_two_processes_share_sessions(
    web: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUTYBOUND_SESSION_SECRET", "a secret of this deployment")
    first, second = web.client(), web.client()
    signed_in(first, web.keys["A"])
    second.cookies.update(first.cookies)
    assert second.get("/app/home").status_code == 200
    monkeypatch.setenv("DUTYBOUND_SESSION_SECRET", "another deployment")
    third = web.client()
    third.cookies.update(first.cookies)
    assert third.get("/app/home").status_code == 303  # its signature is not this one's


# the review queue's answers are decided today, so evaluations that should see them are of today
TODAY = dt.date.today().isoformat()


def _huawai_inventory() -> bytes:
    """The UK example with one more radio whose vendor is misspelt by a letter."""
    body = (EXAMPLE / "assets.csv").read_bytes().decode()
    extra = (
        "R-900,Huawai Technologies,5G radio,telecom_equipment,ran,5g,GB,,installed,4,"
        "North region,,2019-06-01,\n"
    )
    return (body if body.endswith("\n") else body + "\n").encode() + extra.encode()


@pytest.fixture(scope="module")
def huawai(web: Site) -> dict[str, str]:
    """Tenant A's evaluation of an inventory with 'Huawai Technologies' in it."""
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    response = evaluate(client, token, profile, "assets.csv", _huawai_inventory(), TODAY)
    assert response.status_code == 303, response.text
    return {"profile": profile, "result": response.headers["location"]}


def _findings_of(client: TestClient, result: str, asset: str) -> set[str]:
    data = client.get(f"{result}/evaluation.json").json()
    return {f["id"] for f in data["findings"] if asset in f["assets"]}


def test_confirming_a_vendor_in_the_review_queue_turns_it_into_findings(
    web: Site, huawai: dict[str, str]
) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    queue = client.get(f"{huawai['result']}/review")
    assert queue.status_code == 200
    assert "Huawai Technologies" in queue.text and "is Huawei" in queue.text
    removal = "gb.dvd-2022.5g-removal"
    assert removal not in _findings_of(client, huawai["result"], "R-900")
    response = client.post(
        f"{huawai['result']}/review/vendor",
        data={"csrf": token, "vendor": "Huawai Technologies", "group": "huawei", "answer": "is"},
    )
    assert response.status_code == 303, response.text
    rerun = response.headers["location"]
    assert rerun != huawai["result"]
    reached = _findings_of(client, rerun, "R-900")
    assert removal in reached
    review = client.get(f"{rerun}/evaluation.json").json()["review"]
    assert not [r for r in review if r["asset_id"] == "R-900" and r["reason"] == "vendor_match"]
    asked = 'name="vendor" value="Huawai Technologies"'
    assert asked in queue.text
    assert asked not in client.get(f"{rerun}/review").text
    # the answer stays in the tenant's register: the inventory uploaded again is not asked about
    again = evaluate(client, token, huawai["profile"], "assets.csv", _huawai_inventory(), TODAY)
    assert removal in _findings_of(client, again.headers["location"], "R-900")


def test_a_review_answer_without_csrf_is_refused(web: Site, huawai: dict[str, str]) -> None:
    client = web.client()
    signed_in(client, web.keys["A"])
    response = client.post(
        f"{huawai['result']}/review/vendor",
        data={"vendor": "Huawai Technologies", "group": "huawei", "answer": "is_not"},
    )
    assert response.status_code == 403


def test_another_tenant_cannot_see_or_answer_the_review_queue(
    web: Site, huawai: dict[str, str]
) -> None:
    client = web.client()
    token = signed_in(client, web.keys["B"])
    assert client.get(f"{huawai['result']}/review").status_code == 404
    response = client.post(
        f"{huawai['result']}/review/vendor",
        data={"csrf": token, "vendor": "Huawai Technologies", "group": "huawei", "answer": "is"},
    )
    assert response.status_code == 404


def test_rejecting_a_vendor_match_records_it_and_the_question_is_not_asked_again(web: Site) -> None:
    from dutybound.engine.store.vendor_decision_register import list_vendor_decisions

    client = web.client()
    token = signed_in(client, web.keys["B"])
    profile = new_profile(client, token)
    result = evaluate(client, token, profile, "assets.csv", _huawai_inventory())
    first = result.headers["location"]
    response = client.post(
        f"{first}/review/vendor",
        data={
            "csrf": token,
            "vendor": "Huawai Technologies",
            "group": "huawei",
            "answer": "is_not",
        },
    )
    assert response.status_code == 303, response.text
    stored = [
        (r.name, r.confirms_group, r.rejects_group) for r, _ in list_vendor_decisions(web.url, "B")
    ]
    assert stored == [("Huawai Technologies", None, "huawei")]
    rerun = response.headers["location"]
    assert "gb.dvd-2022.5g-removal" not in _findings_of(client, rerun, "R-900")
    assert 'name="vendor" value="Huawai Technologies"' not in client.get(f"{rerun}/review").text


def test_a_review_answer_about_a_vendor_the_result_did_not_ask_about_is_refused(
    web: Site, huawai: dict[str, str]
) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    response = client.post(
        f"{huawai['result']}/review/vendor",
        data={"csrf": token, "vendor": "Ericsson AB", "group": "huawei", "answer": "is"},
    )
    assert response.status_code == 422
    assert "does not ask about that vendor" in response.text


def test_a_consultant_reads_a_clients_review_queue_but_cannot_answer_it(
    web: Site, huawai: dict[str, str]
) -> None:
    client = web.client()
    token = signed_in(client, web.keys["consultant"])
    assert client.post("/app/tenant", data={"tenant": "A", "csrf": token}).status_code == 303
    queue = client.get(f"{huawai['result']}/review")
    assert queue.status_code == 200
    assert "Huawai Technologies" in queue.text and "is Huawei" not in queue.text  # no buttons
    response = client.post(
        f"{huawai['result']}/review/vendor",
        data={"csrf": token, "vendor": "Huawai Technologies", "group": "huawei", "answer": "is"},
    )
    assert response.status_code == 403
