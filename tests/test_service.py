"""The HTTP service: verdicts over HTTP, tenants and keys, limits, errors, and one real socket."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # starlette's TestClient warns when it falls back to httpx (httpx2 is preferred)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from dutybound.service.app import create_app, server_config
from dutybound.service.keys import create_key
from dutybound.service.models import MAX_SCREEN_NAMES
from dutybound.service.settings import Settings

AS_OF = "2026-11-28"
US_AGENCY = {
    "name": "Federal Building Office",
    "jurisdictions": ["US"],
    "roles": ["us.federal_agency"],
}
UK_DVD = {
    "name": "UK Mobile",
    "jurisdictions": ["GB"],
    "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
}
US_CONTRACTOR = {
    "name": "Potomac Systems Integration LLC",
    "jurisdictions": ["US"],
    "roles": ["us.federal_contractor"],
}
CZ_CII = {"name": "Czech Grid", "jurisdictions": ["CZ"], "roles": ["cz.cii_administrator"]}
DAHUA = {
    "vendor": "Dahua Technology",
    "category": "video_surveillance",
    "function": "physical_security",
    "use": "government_facility_security",
    "country": "US",
}
ASSETS = [
    {
        "asset_id": "cam-1",
        "vendor": "Hikvision",
        "category": "video_surveillance",
        "function": "physical_security",
        "use": "government_facility_security",
        "country": "US",
        "status": "installed",
    },
    {
        "asset_id": "sw-1",
        "vendor": "Cisco",
        "category": "router",
        "function": "core",
        "country": "US",
        "status": "installed",
    },
]


@pytest.fixture(scope="module")
def setup(module_database_url: str) -> dict:
    """One service per database kind: every test of this module runs on SQLite and on
    PostgreSQL."""
    url = module_database_url
    app = create_app(Settings(database_url=url))
    keys = {
        "A": create_key(url, "A").secret,
        "B": create_key(url, "B").secret,
        "consultant": create_key(url, "C", ["A", "B"]).secret,
    }
    return {"app": app, "client": TestClient(app), "keys": keys, "url": url}


def call(setup: dict, method: str, path: str, who: str | None = "A", **kwargs):
    headers = kwargs.pop("headers", {})
    if who is not None:
        headers["X-API-Key"] = setup["keys"][who]
    response = setup["client"].request(method, path, headers=headers, **kwargs)
    # every response names the rule pack
    assert response.headers["X-Dutybound-Rulepack"]
    assert len(response.headers["X-Dutybound-Rulepack-Sha256"]) == 64
    return response


@pytest.mark.parametrize(
    ("profile", "item", "as_of", "verdict"),
    [
        (US_AGENCY, DAHUA, AS_OF, "prohibited"),
        (
            UK_DVD,
            {
                "vendor": "Nokia Solutions and Networks",
                "category": "telecom_equipment",
                "function": "ran",
                "network": "5g",
            },
            AS_OF,
            "allowed",
        ),
        (
            UK_DVD,
            {
                "vendor": "HUAWEI TECHNOLOGIES CO.,LTD",
                "category": "telecom_equipment",
                "function": "ran",
                "network": "5g",
            },
            "2022-10-13",
            "prohibited",
        ),
        (
            CZ_CII,
            {"vendor": "Huawei", "category": "router", "function": "core"},
            "2024-06-01",
            "conditional",
        ),
        (
            US_AGENCY,
            {"vendor": "Shenzhen Xyz Tech", "category": "router", "function": "office_it"},
            AS_OF,
            "review",
        ),
    ],
    ids=["dahua-us-agency", "nokia-uk", "huawei-5g-uk-2022", "huawei-router-cz", "unknown-prc"],
)
def test_check_verdicts(setup, profile, item, as_of, verdict) -> None:
    response = call(
        setup, "POST", "/check", json={"profile": profile, "as_of": as_of, "item": item}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["verdict"] == verdict, data["items"][0]["reasons"]
    assert data["as_of"] == as_of and data["rulepack"]["sha256"]
    assert data["items"][0]["item"]["status"] == "in_procurement"
    assert set(data) >= {"verdict", "items", "rulepack", "as_of"}


def test_check_matches_the_cli_json(setup, tmp_path: Path) -> None:
    import subprocess
    import sys

    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(US_AGENCY), encoding="utf-8")
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "dutybound",
            "check",
            "--profile",
            str(profile),
            "--vendor",
            DAHUA["vendor"],
            "--category",
            DAHUA["category"],
            "--function",
            DAHUA["function"],
            "--use",
            DAHUA["use"],
            "--country",
            "US",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert cli.returncode == 1, cli.stderr
    expected = json.loads(cli.stdout)
    got = call(
        setup, "POST", "/check", json={"profile": US_AGENCY, "as_of": AS_OF, "item": DAHUA}
    ).json()
    expected["inputs"].pop("sha256")
    got["inputs"].pop("sha256")
    assert got == expected


def test_a_bid_takes_its_worst_item(setup) -> None:
    axis = {**DAHUA, "vendor": "Axis Communications"}
    data = call(
        setup, "POST", "/check", json={"profile": US_AGENCY, "as_of": AS_OF, "items": [axis, DAHUA]}
    ).json()
    assert data["verdict"] == "prohibited"
    assert [i["verdict"] for i in data["items"]] == ["allowed", "prohibited"]
    assert [i["item"]["asset_id"] for i in data["items"]] == ["item-1", "item-2"]


HUAWEI_5G = {
    "vendor": "HUAWEI TECHNOLOGIES CO.,LTD",
    "category": "telecom_equipment",
    "function": "ran",
    "network": "5g",
}


def test_check_cache_repeats_answers_exactly_and_keeps_dates_and_tenants_apart(setup) -> None:
    item = {**HUAWEI_5G, "asset_id": "cache-ran-1"}  # asked by no other test

    def check(as_of: str, who: str = "A"):
        response = call(
            setup, "POST", "/check", who=who, json={"profile": UK_DVD, "as_of": as_of, "item": item}
        )
        assert response.status_code == 200, response.text
        return response

    first = check("2022-10-13")
    assert first.headers["X-Dutybound-Cache"] == "miss"
    assert first.json()["verdict"] == "prohibited"
    # the day before the direction's ban on new 5G installations: a different question
    before = check("2022-10-12")
    assert before.headers["X-Dutybound-Cache"] == "miss"
    assert before.json()["verdict"] == "allowed"
    again = check("2022-10-13")
    assert again.headers["X-Dutybound-Cache"] == "hit"
    assert again.content == first.content
    # another tenant asking the same question is not told that A asked it
    other = check("2022-10-13", who="B")
    assert other.headers["X-Dutybound-Cache"] == "miss"
    assert other.content == first.content
    # any change to the item is a new question
    more = call(
        setup,
        "POST",
        "/check",
        json={"profile": UK_DVD, "as_of": "2022-10-13", "item": {**item, "quantity": 2}},
    )
    assert more.headers["X-Dutybound-Cache"] == "miss"


def test_check_cache_off_and_busy_engine(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'service.db'}"
    app = create_app(Settings(database_url=url, check_cache_bytes=0))
    client = TestClient(app)
    headers = {"X-API-Key": create_key(url, "A").secret}
    body = {"profile": US_AGENCY, "as_of": AS_OF, "item": DAHUA}
    for _ in range(2):
        response = client.post("/check", json=body, headers=headers)
        assert response.json()["verdict"] == "prohibited"
        assert response.headers["X-Dutybound-Cache"] == "miss"
    # while another evaluation holds the engine, a check waits in the threadpool, not on the
    # event loop, and is answered once the engine is free
    lock = app.state.service.engine_lock
    lock.acquire()
    release = threading.Timer(0.3, lock.release)
    release.start()
    try:
        response = client.post("/check", json=body, headers=headers)
    finally:
        release.join()
    assert response.status_code == 200 and response.json()["verdict"] == "prohibited"


def test_response_cache_bounds() -> None:
    from dutybound.service.cache import ResponseCache, canonical_sha256

    assert canonical_sha256({"b": 1, "a": [2]}, "x") == canonical_sha256({"a": [2], "b": 1}, "x")
    assert canonical_sha256({"a": 1}) != canonical_sha256({"a": 1.5})
    cache = ResponseCache(max_bytes=160)  # entries up to 10 bytes
    for n in range(20):
        cache.put(bytes([n]), b"%010d" % n)
    assert cache.size <= 160 and len(cache) == 16
    assert cache.get(bytes([0])) is None and cache.get(bytes([19])) == b"%010d" % 19
    cache.put(b"big", b"x" * 11)
    assert cache.get(b"big") is None
    cache.get(bytes([4]))  # now the most recently used
    cache.put(b"new", b"y" * 10)
    assert cache.get(bytes([4])) is not None and cache.get(bytes([5])) is None


def test_too_many_items_is_422(setup) -> None:
    response = call(
        setup,
        "POST",
        "/check",
        json={"profile": US_AGENCY, "as_of": AS_OF, "items": [DAHUA] * 1001},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items"]


def test_keys(setup) -> None:
    body = {"profile": US_AGENCY, "as_of": AS_OF, "item": DAHUA}
    assert call(setup, "POST", "/check", who=None, json=body).status_code == 401
    response = call(
        setup, "POST", "/check", who=None, json=body, headers={"X-API-Key": "dbk_not-a-key"}
    )
    assert response.status_code == 401 and "trace" not in response.text.lower()
    assert call(setup, "GET", "/law/obligations", who=None).status_code == 401
    health = call(setup, "GET", "/health", who=None)
    assert health.status_code == 200 and health.json()["rulepack"]["sha256"]


def test_tenants_see_only_their_own_profiles_and_results(setup) -> None:
    created = call(setup, "POST", "/profiles", json=US_AGENCY)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert len(pid) == 36 and created.json()["tenant"] == "A"
    assert call(setup, "GET", f"/profiles/{pid}").json()["profile"]["name"] == US_AGENCY["name"]
    assert call(setup, "GET", f"/profiles/{pid}", who="B").status_code == 404
    assert call(setup, "GET", f"/profiles/{pid}", who="consultant").status_code == 200
    # B cannot use A's profile by id either
    body = {"profile_id": pid, "as_of": AS_OF, "item": DAHUA}
    assert call(setup, "POST", "/check", who="B", json=body).status_code == 404
    assert call(setup, "POST", "/check", json=body).json()["verdict"] == "prohibited"
    assert call(setup, "POST", "/check", json=body).headers["X-Dutybound-Cache"] == "hit"
    # A's cached answer does not open A's profile to B
    assert call(setup, "POST", "/check", who="B", json=body).status_code == 404

    evaluated = call(
        setup,
        "POST",
        "/evaluate",
        who="B",
        json={"profile": US_CONTRACTOR, "as_of": AS_OF, "assets": ASSETS},
    )
    assert evaluated.status_code == 201, evaluated.text
    rid = evaluated.json()["result_id"]
    evaluation = evaluated.json()["evaluation"]
    assert evaluation["summary"]["findings"] >= 1 and evaluation["inputs"]["assets"] == 2
    assert call(setup, "GET", f"/results/{rid}", who="A").status_code == 404
    assert call(setup, "GET", f"/results/{rid}", who="B").json()["evaluation"] == evaluation
    assert call(setup, "GET", f"/results/{rid}", who="consultant").status_code == 200
    assert call(setup, "GET", "/results/00000000-0000-4000-8000-000000000000").status_code == 404


def test_profiles_and_results_are_listed_in_pages_and_deleted_by_their_tenant(setup) -> None:
    """Listings show what the key may read, newest first, in pages that neither overlap nor
    skip; a tenant deletes its own rows (then 404 everywhere), never another's, and a consultant
    who reads a client's rows may not delete them."""
    url = setup["url"]
    keys = {
        "owner": create_key(url, "lister").secret,
        "other": create_key(url, "stranger").secret,
        "consultant": create_key(url, "advisor", ["lister"]).secret,
    }

    def as_(who: str, method: str, path: str, **kwargs):
        return setup["client"].request(method, path, headers={"X-API-Key": keys[who]}, **kwargs)

    profiles = [
        as_("owner", "POST", "/profiles", json={**US_AGENCY, "name": f"Office {n}"}).json()["id"]
        for n in range(5)
    ]
    results = [
        as_(
            "owner",
            "POST",
            "/evaluate",
            json={"profile_id": profiles[0], "as_of": f"2026-0{n + 1}-01", "assets": ASSETS},
        ).json()["result_id"]
        for n in range(3)
    ]
    first = as_("owner", "GET", "/profiles", params={"limit": 2}).json()
    assert (first["total"], first["offset"], first["limit"]) == (5, 0, 2)
    pages = [
        as_("owner", "GET", "/profiles", params={"limit": 2, "offset": o}).json()["items"]
        for o in (0, 2, 4)
    ]
    listed = [p["id"] for page in pages for p in page]
    assert listed == profiles[::-1]  # newest first, each once
    assert {p["name"] for p in pages[2]} == {"Office 0"} and pages[2][0]["tenant"] == "lister"
    page = as_("owner", "GET", "/results").json()
    assert page["total"] == 3 and [r["result_id"] for r in page["items"]] == results[::-1]
    assert [r["as_of"] for r in page["items"]] == ["2026-03-01", "2026-02-01", "2026-01-01"]
    assert "evaluation" not in page["items"][0]  # bodies only by id
    # another tenant sees none of it; the consultant sees its client's
    assert as_("other", "GET", "/profiles").json() == {
        "total": 0,
        "offset": 0,
        "limit": 50,
        "items": [],
    }
    assert as_("consultant", "GET", "/results").json()["total"] == 3
    assert as_("owner", "GET", "/results", params={"limit": 0}).status_code == 422
    assert as_("owner", "GET", "/results", params={"limit": 501}).status_code == 422
    assert as_("owner", "GET", "/profiles", params={"offset": -1}).status_code == 422

    # deletion: only by the owning tenant
    assert as_("other", "DELETE", f"/results/{results[0]}").status_code == 404
    refused = as_("consultant", "DELETE", f"/results/{results[0]}")
    assert refused.status_code == 403 and "consultant" in refused.json()["detail"]
    assert as_("consultant", "DELETE", f"/profiles/{profiles[1]}").status_code == 403
    deleted = as_("owner", "DELETE", f"/results/{results[0]}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert as_("owner", "GET", f"/results/{results[0]}").status_code == 404
    assert as_("owner", "DELETE", f"/results/{results[0]}").status_code == 404
    assert as_("owner", "GET", "/results").json()["total"] == 2
    assert as_("owner", "DELETE", f"/profiles/{profiles[0]}").status_code == 204
    gone = {"profile_id": profiles[0], "as_of": AS_OF, "item": DAHUA}
    assert as_("owner", "POST", "/check", json=gone).status_code == 404
    # a result evaluated with the deleted profile keeps the profile it was evaluated with
    kept = as_("owner", "GET", f"/results/{results[1]}").json()["evaluation"]["operator"]
    assert kept["name"] == "Office 0"
    assert [p["id"] for p in as_("owner", "GET", "/profiles").json()["items"]] == profiles[:0:-1]


def test_deleting_a_stored_result_leaves_the_audit_chain_verifying(setup, tmp_path) -> None:
    """The service's stored results are not entries of the audit chain: with an evaluation
    stored by the CLI (an audit entry) in the same database, deleting API results changes
    nothing `audit verify` sees."""
    import subprocess
    import sys

    from dutybound.engine.store import verify_audit

    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(US_CONTRACTOR), encoding="utf-8")
    inventory = tmp_path / "a.json"
    inventory.write_text(json.dumps(ASSETS), encoding="utf-8")
    cli = subprocess.run(
        [
            *(sys.executable, "-m", "dutybound", "evaluate", "--profile", str(profile)),
            *("--assets", str(inventory), "--as-of", AS_OF, "--format", "json"),
            *("--db", setup["url"]),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert cli.returncode in (0, 1), cli.stderr
    count, head, problems = verify_audit(setup["url"])
    assert count >= 1 and problems == []
    rid = call(
        setup,
        "POST",
        "/evaluate",
        json={"profile": US_CONTRACTOR, "as_of": AS_OF, "assets": ASSETS},
    ).json()["result_id"]
    assert call(setup, "DELETE", f"/results/{rid}").status_code == 204
    assert verify_audit(setup["url"]) == (count, head, [])


def test_vendor_screening(setup) -> None:
    """Each distinct name once, in the order first given, with its count, group, entity,
    relationship, method, review flag, reason and registry source; a bad item is a 422 naming
    it; the list has a size limit."""
    names = ["HUAWEI TECHNOLOGIES CO.,LTD", "Nokia", "Huawai Tech", "Nokia", "EZVIZ", "Nokia"]
    response = call(setup, "POST", "/vendors/screen", json={"names": names, "as_of": AS_OF})
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["as_of"], data["names"], data["distinct"]) == (AS_OF, 6, 4)
    assert (data["matched"], data["needs_review"]) == (2, 1)
    by_name = {r["input"]: r for r in data["results"]}
    assert list(by_name) == ["HUAWEI TECHNOLOGIES CO.,LTD", "Nokia", "Huawai Tech", "EZVIZ"]
    huawei = by_name["HUAWEI TECHNOLOGIES CO.,LTD"]
    assert (huawei["group"], huawei["group_name"], huawei["count"]) == ("huawei", "Huawei", 1)
    assert huawei["source"].startswith("https://") and huawei["needs_review"] is False
    assert by_name["Nokia"]["count"] == 3 and by_name["Nokia"]["group"] is None
    assert by_name["Nokia"]["method"] == "no_match" and by_name["Nokia"]["source"] is None
    typo = by_name["Huawai Tech"]
    assert (typo["method"], typo["needs_review"]) == ("fuzzy_token", True)
    assert "typo" in typo["reason"]
    ezviz = by_name["EZVIZ"]
    assert (ezviz["group"], ezviz["relationship"]) == ("hikvision", "brand")
    # the same as `dutybound vendors match` gives for each name
    from dutybound.engine.loading import load_rulepack

    registry = load_rulepack().registry
    for name, row in by_name.items():
        expected = registry.match(name, dt.date.fromisoformat(AS_OF)).to_json()
        assert {k: row[k] for k in expected} == expected
    # bad items, each named
    for bad, at in [
        (["Huawei", "   "], 1),
        (["Huawei", "Nokia", "x" * 501], 2),
        (["Hua\x00wei"], 0),
        (["Huawei", 7], 1),
    ]:
        refused = call(setup, "POST", "/vendors/screen", json={"names": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["detail"][0]["loc"] == ["body", "names", at], refused.text
    assert call(setup, "POST", "/vendors/screen", json={"names": []}).status_code == 422
    too_many = {"names": ["Huawei"] * (MAX_SCREEN_NAMES + 1)}
    refused = call(setup, "POST", "/vendors/screen", json=too_many)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "names"]
    # without a date: today
    today = call(setup, "POST", "/vendors/screen", json={"names": ["Huawei"]}).json()
    assert today["as_of"] == dt.date.today().isoformat()


def test_role_errors_point_to_the_roles_endpoint(setup) -> None:
    """An unknown or misplaced role says where the roles are listed: GET /law/roles (not the
    CLI's command)."""
    cases = [
        ("/check", {"profile": {**US_AGENCY, "roles": ["us.federal_agncy"]}, "item": DAHUA}),
        ("/check", {"profile": US_AGENCY, "item": DAHUA, "as_role": ["us.nope"]}),
        ("/check", {"profile": {**US_AGENCY, "roles": ["gb.dvd_addressee"]}, "item": DAHUA}),
        ("/evaluate", {"profile": {**US_AGENCY, "roles": ["xx"]}, "assets": ASSETS}),
    ]
    for path, body in cases:
        response = call(setup, "POST", path, json={**body, "as_of": AS_OF})
        assert response.status_code == 422, response.text
        (error,) = response.json()["detail"]
        assert error["loc"][-1] in (0, "as_role"), error
        assert "GET /law/roles" in error["msg"] and "dutybound law" not in error["msg"], error
    response = call(setup, "POST", "/profiles", json={**US_AGENCY, "roles": ["us.federal_agncy"]})
    assert response.status_code == 422
    assert "did you mean 'us.federal_agency'" in response.text and "GET /law/roles" in response.text


# not delivered under a federal contract: stated, so that FAR 52.204-25(b)(1) asks nothing
HUAWEI_ROUTER = {
    "vendor": "Huawei",
    "category": "router",
    "function": "office_it",
    "country": "US",
    "flags_false": ["federal_contract_delivery"],
}
DNI_WAIVER = {
    "id": "W-1",
    "operator": US_CONTRACTOR["name"],
    "obligation": "us.ndaa889.a1b-use",
    "basis": "us.ndaa889.d2-dni",
    "reference": "ODNI-889-2025-001",
    "approver": "Director of National Intelligence",
    "granted_on": "2025-01-01",
    "expires_on": "2026-01-01",
}


def test_a_waiver_in_the_request_turns_a_prohibition_into_a_condition(setup) -> None:
    """NDAA FY2019 s.889(a)(1)(B) forbids a federal contractor to use Huawei equipment; a DNI
    waiver under s.889(d)(2) in effect on the date excuses it: conditional, naming the waiver.
    On a date after it expired the prohibition is back."""
    body = {"profile": US_CONTRACTOR, "as_of": "2025-06-01", "item": HUAWEI_ROUTER}
    plain = call(setup, "POST", "/check", json=body).json()
    assert plain["verdict"] == "prohibited"
    waived = call(setup, "POST", "/check", json={**body, "waivers": [DNI_WAIVER]})
    assert waived.status_code == 200, waived.text
    assert waived.headers["X-Dutybound-Cache"] == "miss"  # not the answer without the waiver
    data = waived.json()
    assert data["verdict"] == "conditional"
    (reason,) = [r for r in data["items"][0]["reasons"] if r.startswith("waived:")]
    assert "waiver W-1 (ref. ODNI-889-2025-001" in reason and "until 2026-01-01" in reason
    assert data["inputs"]["sha256"] != plain["inputs"]["sha256"]
    later = call(
        setup, "POST", "/check", json={**body, "as_of": "2026-02-01", "waivers": [DNI_WAIVER]}
    ).json()
    assert later["verdict"] == "prohibited"


def test_a_waiver_the_law_did_not_allow_waives_nothing(setup) -> None:
    """An agency-head waiver of the use prohibition could not run past 13 Aug 2022
    (s.889(d)(1)); one drafted to run to the end of 2022 is refused and the finding stays."""
    refused = {
        **DNI_WAIVER,
        "id": "W-2",
        "basis": "us.ndaa889.d1-agency-head-use",
        "approver": "Secretary of Homeland Security",
        "granted_on": "2021-02-15",
        "expires_on": "2022-12-31",
    }
    data = call(
        setup,
        "POST",
        "/evaluate",
        json={
            "profile": US_CONTRACTOR,
            "as_of": "2022-06-01",
            "assets": [{**HUAWEI_ROUTER, "asset_id": "U-9", "status": "installed"}],
            "waivers": [refused],
        },
    ).json()["evaluation"]
    (standing,) = data["waivers"]
    assert standing["id"] == "W-2" and standing["standing"] == "refused"
    assert "us.ndaa889.a1b-use" in {
        f["obligation_id"] for f in data["findings"] if f["status"] != "waived"
    }
    assert any("W-2" in notice["message"] for notice in data["notices"])


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"basis": "us.no-such-basis"}, "basis", "unknown waiver basis"),
        ({"operator": "Someone Else LLC"}, "operator", "but the profile is"),
        ({"basis": "us.ndaa889.d1-agency-head-use", "expires_on": None}, "expires_on", "required"),
    ],
)
def test_waiver_errors_name_the_record_and_field(setup, change, field, words) -> None:
    record = {k: v for k, v in {**DNI_WAIVER, **change}.items() if v is not None}
    response = call(
        setup,
        "POST",
        "/check",
        json={
            "profile": US_CONTRACTOR,
            "as_of": "2025-06-01",
            "item": HUAWEI_ROUTER,
            "waivers": [DNI_WAIVER | {"id": "W-0"}, record],
        },
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "waivers", 1, field]
    assert words in error["msg"]


def test_request_limits_and_errors(setup) -> None:
    big = b'{"profile": {"name": "' + b"x" * (6 * 1024 * 1024) + b'"}}'
    response = call(
        setup, "POST", "/check", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    response = call(
        setup,
        "POST",
        "/check",
        content=b'{"profile": {',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    bad_role = {**US_AGENCY, "roles": ["us.federal_agency", "us.federal_spaceport"]}
    response = call(
        setup, "POST", "/check", json={"profile": bad_role, "as_of": AS_OF, "item": DAHUA}
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "profile", "roles", 1]
    assert "us.federal_spaceport" in error["msg"]
    response = call(
        setup,
        "POST",
        "/check",
        json={"profile": US_AGENCY, "as_of": AS_OF, "item": {**DAHUA, "category": "toaster"}},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "item", "category"]
    response = call(
        setup,
        "POST",
        "/evaluate",
        json={"profile": US_AGENCY, "as_of": AS_OF, "assets": [ASSETS[0], ASSETS[0]]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "assets", 1, "asset_id"]


def test_law_and_compare(setup) -> None:
    obligations = call(setup, "GET", "/law/obligations", params={"jurisdiction": "gb"}).json()
    assert obligations and {o["jurisdiction"] for o in obligations} == {"GB"}
    one = call(setup, "GET", "/law/obligations/gb.dvd-2022.5g-no-new-install").json()
    assert one["obligation_id"] == "gb.dvd-2022.5g-no-new-install"
    instrument = call(setup, "GET", f"/law/instruments/{one['instrument']['id']}").json()
    assert any(o["obligation_id"] == one["obligation_id"] for o in instrument["obligations"])
    assert call(setup, "GET", "/law/instruments/nope").status_code == 404
    matrix = call(
        setup,
        "POST",
        "/compare",
        json={"profile": UK_DVD, "as_of": AS_OF, "vendors": ["Huawei"], "jurisdictions": ["GB"]},
    ).json()
    assert matrix["vendors"][0]["cells"][0]["jurisdiction"] == "GB"
    response = call(
        setup,
        "POST",
        "/compare",
        json={"profile": UK_DVD, "as_of": AS_OF, "vendors": ["Huawei"], "jurisdictions": ["XX"]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "jurisdictions"]
    # a consultant's what-if: the roles the law gives the sector, marked as assumed
    body = {"profile": UK_DVD, "as_of": AS_OF, "vendors": ["Huawei"], "jurisdictions": ["GB"]}
    assumed = call(setup, "POST", "/compare", json={**body, "as_sector": "telecoms"}).json()
    assert assumed["assumed_sector"]["sector"] == "telecoms"
    unknown = call(setup, "POST", "/compare", json={**body, "as_sector": "telecom"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "as_sector"]


def test_report_pdf(setup) -> None:
    response = call(
        setup, "POST", "/report", json={"profile": US_CONTRACTOR, "as_of": AS_OF, "assets": ASSETS}
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_report_pdf_lists_the_waivers_sent(setup) -> None:
    import io

    from pypdf import PdfReader

    response = call(
        setup,
        "POST",
        "/report",
        json={
            "profile": US_CONTRACTOR,
            "as_of": "2025-06-01",
            "waivers": [DNI_WAIVER],
            "assets": [{**HUAWEI_ROUTER, "asset_id": "U-1", "status": "installed"}],
        },
    )
    assert response.status_code == 200, response.text[:500]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Waivers and exceptions" in text and "ODNI-889-2025-001" in text


def _keys_cli(*args: str):
    """``dutybound keys ...`` (the typer group, with the CLI's error boundary)."""
    from typer.testing import CliRunner

    from dutybound.cli.keys import keys_app

    return CliRunner().invoke(keys_app, list(args))


def test_keys_create_prints_the_key_once(setup) -> None:
    created = _keys_cli("create", "--tenant", "D", "--consultant-of", "A, B,", "--db", setup["url"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("dbk_") and "\n" not in key  # stdout carries the key alone
    assert "shown only now" in created.stderr and "dutybound keys revoke" in created.stderr
    assert call(setup, "GET", "/law/roles", who=None, headers={"X-API-Key": key}).status_code == 200
    bad = _keys_cli("create", "--tenant", "bad tenant!", "--db", setup["url"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: --tenant: tenant names are") and bad.stdout == ""
    bad = _keys_cli("create", "--tenant", "E", "--consultant-of", "ok,n o", "--db", setup["url"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --consultant-of:")


def test_python_m_service_only_serves() -> None:
    from dutybound.service.__main__ import main

    assert main(["keys", "create", "--tenant", "D"]) == 2


def test_keys_list_shows_every_key_but_never_a_secret(tmp_path: Path) -> None:
    from dutybound.service.keys import hash_key

    url = f"sqlite:///{tmp_path / 'keys.db'}"
    first = create_key(url, "A")
    second = create_key(url, "C", ["B", "A", "C"])
    listed = _keys_cli("list", "--db", url, "--format", "json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["tenant"], r["consultant_of"], r["revoked_at"]) for r in rows] == [
        (first.id, "A", [], None),
        (second.id, "C", ["A", "B"], None),
    ]
    assert all(r["created_at"].endswith("+00:00") for r in rows)
    assert set(rows[0]) == {"id", "tenant", "consultant_of", "created_at", "revoked_at"}
    assert len(first.id) == 12 and first.id != second.id
    table = _keys_cli("list", "--db", url)
    assert table.exit_code == 0 and first.id in table.stdout and second.id in table.stdout
    for output in (listed.stdout, table.stdout):
        for key in (first, second):
            assert key.secret not in output and key.secret[4:12] not in output
            assert hash_key(key.secret) not in output and hash_key(key.secret)[:12] not in output


def test_revoking_an_unknown_key_fails_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    key = create_key(url, "A")
    result = _keys_cli("revoke", "0123456789ab", "--db", url)
    assert result.exit_code == 2
    assert (
        result.stderr == "error: 0123456789ab: no API key has this id (see 'dutybound keys list')\n"
    )
    # not even a key's secret or hash stands in for its id
    from dutybound.service.keys import hash_key, list_keys, revoke_key

    for wrong in (key.secret, hash_key(key.secret)):
        assert _keys_cli("revoke", wrong, "--db", url).exit_code == 2
    assert [k.revoked_at for k in list_keys(url)] == [None]
    once = revoke_key(url, key.id)
    again = _keys_cli("revoke", key.id, "--db", url)
    assert again.exit_code == 0 and "revoked" in again.stderr
    assert list_keys(url)[0].revoked_at == once.revoked_at  # the first date stays


def _serving(app):
    """A context manager: ``app`` on a real socket in a thread; yields an httpx client."""
    import contextlib

    import httpx
    import uvicorn

    @contextlib.contextmanager
    def run():
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 20
            while not server.started:
                assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
                time.sleep(0.02)
            port = _bound_port(server)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                yield client
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    return run()


def _every_keyed_request(profile_id: str, result_id: str) -> list[tuple[str, str, dict]]:
    """One request to each endpoint that needs a key, each valid for tenant A."""
    evaluate = {"profile": US_CONTRACTOR, "as_of": AS_OF, "assets": ASSETS}
    return [
        ("GET", "/law/obligations", {}),
        ("GET", "/law/obligations/gb.dvd-2022.5g-no-new-install", {}),
        ("GET", "/law/instruments/gb.dvd-2022", {}),
        ("GET", "/law/roles", {}),
        ("POST", "/check", {"json": {"profile": US_AGENCY, "as_of": AS_OF, "item": DAHUA}}),
        ("POST", "/evaluate", {"json": evaluate}),
        ("GET", f"/results/{result_id}", {}),
        ("POST", "/compare", {"json": {"profile": UK_DVD, "as_of": AS_OF, "vendors": ["Huawei"]}}),
        ("POST", "/report", {"json": evaluate}),
        ("POST", "/profiles", {"json": US_AGENCY}),
        ("GET", f"/profiles/{profile_id}", {}),
        ("GET", "/profiles", {}),
        ("GET", "/results", {}),
        ("POST", "/vendors/screen", {"json": {"names": ["Huawei"], "as_of": AS_OF}}),
        # last: the requests above read what these delete
        ("DELETE", f"/results/{result_id}", {}),
        ("DELETE", f"/profiles/{profile_id}", {}),
    ]


def test_a_revoked_key_gets_401_on_every_endpoint(tmp_path: Path) -> None:
    """Over HTTP: a key works on every endpoint until it is revoked, then none answers it (the
    server reads keys afresh here: key_cache_seconds=0); the tenant's other key still works."""
    from dutybound.service.keys import revoke_key

    url = f"sqlite:///{tmp_path / 'service.db'}"
    app = create_app(Settings(database_url=url, key_cache_seconds=0))
    doomed, other = create_key(url, "A"), create_key(url, "A")
    with _serving(app) as client:
        doomed_headers = {"X-API-Key": doomed.secret}
        profile_id = client.post("/profiles", json=US_AGENCY, headers=doomed_headers).json()["id"]
        result_id = client.post(
            "/evaluate",
            json={"profile": US_CONTRACTOR, "as_of": AS_OF, "assets": ASSETS},
            headers=doomed_headers,
        ).json()["result_id"]
        requests = _every_keyed_request(profile_id, result_id)
        assert {path.split("/")[1] for _, path, _ in requests} == {
            p.split("/")[1] for p in app.openapi()["paths"] if p != "/health"
        }
        for method, path, kwargs in requests:
            response = client.request(method, path, headers=doomed_headers, **kwargs)
            assert response.status_code < 300, (path, response.text[:300])
        revoke_key(url, doomed.id)
        for method, path, kwargs in requests:
            response = client.request(method, path, headers=doomed_headers, **kwargs)
            assert response.status_code == 401, (path, response.text[:300])
            assert response.json() == {
                "detail": "missing, unknown or revoked API key (header X-API-Key)"
            }
        assert client.get("/law/roles", headers={"X-API-Key": other.secret}).status_code == 200
        assert client.get("/health").status_code == 200


def test_a_revoked_key_stops_working_within_the_key_cache_time(tmp_path: Path) -> None:
    """A server that remembers keys refuses a revoked one at the latest key_cache_seconds after
    the revocation, though it answered it from memory a moment before."""
    from dutybound.service.keys import revoke_key

    url = f"sqlite:///{tmp_path / 'service.db'}"
    app = create_app(Settings(database_url=url, key_cache_seconds=1.0))
    key = create_key(url, "A")
    with _serving(app) as client:
        headers = {"X-API-Key": key.secret}
        assert client.get("/law/roles", headers=headers).status_code == 200
        revoke_key(url, key.id)
        revoked = time.monotonic()
        while client.get("/law/roles", headers=headers).status_code == 200:
            assert time.monotonic() - revoked < 1.0 + 0.5, "the revoked key kept working"
            time.sleep(0.05)
        assert client.get("/law/roles", headers=headers).status_code == 401


def test_keys_made_before_ids_existed_get_one(database_url: str) -> None:
    """Migration 0004 gives keys created under 0003 a public id, so they can be revoked."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from dutybound.engine.bundled import migrations_dir
    from dutybound.engine.store.connection import database
    from dutybound.service.keys import hash_key, list_keys, lookup_key, revoke_key

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    old = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        for tenant in ("A", "B"):
            connection.execute(
                text(
                    "INSERT INTO service_api_key (key_sha256, tenant, consultant_of, created_at) "
                    "VALUES (:digest, :tenant, '[]', :created)"
                ),
                {
                    "digest": hash_key(f"dbk_{tenant}"),
                    "tenant": tenant,
                    "created": "2026-01-01 00:00:00",
                },
            )
    old.dispose()
    engine = database(database_url)
    ids = [k.id for k in list_keys(engine)]
    assert len(set(ids)) == 2 and all(len(i) == 12 for i in ids)
    assert lookup_key(engine, "dbk_A") is not None
    revoke_key(engine, next(k.id for k in list_keys(engine) if k.tenant == "A"))
    assert lookup_key(engine, "dbk_A") is None and lookup_key(engine, "dbk_B") is not None


def test_settings_are_read_from_the_environment_in_one_place(monkeypatch) -> None:
    """Every variable the service reads is a field of Settings, read by Settings.from_env and
    nowhere else in the service; a value it cannot read names the variable."""
    import ast

    from dutybound.engine.errors import InputError
    from dutybound.service import settings as settings_module

    environ = {
        "DUTYBOUND_DATABASE_URL": "sqlite:///x.db",
        "DUTYBOUND_LAW_DIR": "/srv/law",
        "DUTYBOUND_CHECK_CACHE_BYTES": "0",
        "DUTYBOUND_KEY_CACHE_SECONDS": "0.5",
        "DUTYBOUND_MAX_BODY_BYTES": "1000",
        "DUTYBOUND_HEADER_TIMEOUT_SECONDS": "2.5",
        "DUTYBOUND_BODY_TIMEOUT_SECONDS": "30",
        "DUTYBOUND_MAX_HEADER_BYTES": "8192",
        "DUTYBOUND_MAX_CONNECTIONS": "300",
        "DUTYBOUND_UNRELATED": "x",
    }
    got = Settings.from_env(environ)
    assert got == Settings(
        database_url="sqlite:///x.db",
        law_dir=Path("/srv/law"),
        check_cache_bytes=0,
        key_cache_seconds=0.5,
        max_body_bytes=1000,
        header_timeout_seconds=2.5,
        body_timeout_seconds=30.0,
        max_header_bytes=8192,
        max_connections=300,
    )
    assert Settings.from_env(got.to_env()) == got
    assert Settings.from_env({"DUTYBOUND_LAW_DIR": ""}) == Settings() == Settings.from_env({})
    for name, value in [
        ("DUTYBOUND_CHECK_CACHE_BYTES", "64MB"),
        ("DUTYBOUND_CHECK_CACHE_BYTES", "-1"),
        ("DUTYBOUND_KEY_CACHE_SECONDS", "nan"),
        ("DUTYBOUND_MAX_BODY_BYTES", "0"),
        ("DUTYBOUND_HEADER_TIMEOUT_SECONDS", "0"),
        ("DUTYBOUND_BODY_TIMEOUT_SECONDS", "inf"),
        ("DUTYBOUND_MAX_CONNECTIONS", "0"),
        ("DUTYBOUND_MAX_CONNECTIONS", "1.5"),
    ]:
        with pytest.raises(InputError, match=f"^{name}: "):
            Settings.from_env({name: value})
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == got
    exported: dict[str, str] = {"DUTYBOUND_LAW_DIR": "/elsewhere"}
    Settings(database_url="sqlite:///y.db").export(exported)
    assert Settings.from_env(exported) == Settings(database_url="sqlite:///y.db")

    service_dir = Path(settings_module.__file__).parent
    readers = set()
    for path in service_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.add(path.name)
    assert readers == {"settings.py"}


def test_openapi_documents_fields(setup) -> None:
    spec = call(setup, "GET", "/openapi.json", who=None).json()
    item = spec["components"]["schemas"]["ItemIn"]["properties"]
    assert item["vendor"]["description"]
    assert "X-API-Key" in json.dumps(spec["components"]["securitySchemes"])


def _bound_port(server) -> int:
    """The port a server started on port 0 is listening on. Port 0 lets the kernel choose at the
    bind itself: a free port probed and closed beforehand could be taken in between by another
    process (another pytest-xdist worker)."""
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return port


def test_real_socket(setup) -> None:
    import httpx
    import uvicorn

    app = setup["app"]
    server = uvicorn.Server(
        server_config(  # the service's own: every connection held to its limits
            app,
            app.state.service.settings,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.02)
        port = _bound_port(server)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            assert client.get("/health").status_code == 200
            response = client.post(
                "/check",
                headers={"X-API-Key": setup["keys"]["A"]},
                json={"profile": US_AGENCY, "as_of": AS_OF, "item": DAHUA},
            )
            assert response.status_code == 200
            assert response.json()["verdict"] == "prohibited"
            assert (
                response.headers["x-dutybound-rulepack-sha256"]
                == response.json()["rulepack"]["sha256"]
            )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_internal_errors_are_generic_and_requests_are_logged(setup, monkeypatch) -> None:
    import logging

    from dutybound.engine import verdict
    from dutybound.service.logs import JsonFormatter

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logging.getLogger("dutybound.service").addHandler(handler)
    monkeypatch.setattr(verdict, "check_items", boom)
    try:
        # an item asked nowhere else, so the check cache cannot answer for the engine
        response = call(
            setup,
            "POST",
            "/check",
            json={"profile": US_AGENCY, "as_of": AS_OF, "item": {**DAHUA, "asset_id": "boom"}},
        )
    finally:
        logging.getLogger("dutybound.service").removeHandler(handler)
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "secret" not in response.text and "Traceback" not in response.text
    line = json.loads(JsonFormatter().format(records[-1]))
    assert {k: line[k] for k in ("method", "path", "status", "tenant")} == {
        "method": "POST",
        "path": "/check",
        "status": 500,
        "tenant": "A",
    }
    assert isinstance(line["ms"], float)


def test_a_what_if_decision_under_an_unused_power(setup) -> None:
    """POST /check with assume_designation: as if the Polish minister had declared Huawei a
    high-risk supplier on 1 Jan 2027, a planned Huawei router of a key entity is caught by the
    ban on introduction, marked [what-if]; without it nothing binds, and a bad assumption is a
    422 naming the field."""
    body = {
        "profile": {
            "name": "Polska Energia S.A.",
            "jurisdictions": ["PL"],
            "roles": ["pl.key_entity"],
        },
        "as_of": "2027-06-01",
        "item": {
            "vendor": "Huawei",
            "category": "router",
            "function": "office_it",
            "country": "PL",
        },
    }
    plain = call(setup, "POST", "/check", json=body).json()
    assert plain["verdict"] == "allowed"
    assumed = call(
        setup, "POST", "/check", json={**body, "assume_designation": ["PL:huawei:2027-01-01"]}
    )
    assert assumed.status_code == 200, assumed.text
    data = assumed.json()
    assert data["verdict"] == "prohibited"
    assert any(r.startswith("[what-if]") for r in data["items"][0]["reasons"])
    assert "hypothetical_designation" in {n["code"] for n in data["notices"]}
    bad = call(setup, "POST", "/check", json={**body, "assume_designation": ["PL:nobody:2027"]})
    assert bad.status_code == 422 and "assume_designation" in bad.text


def test_vendor_decisions_in_a_check_request(setup) -> None:
    """A misspelt 'Huawai Technologies' is a review question until the request carries the
    buyer's recorded decision that it is Huawei; then the UK direction's rules reach it as
    Huawei's, and the item says which decision it rests on. A bad decision is a 422."""
    body = {
        "profile": {
            "name": "Albion",
            "jurisdictions": ["GB"],
            "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
        },
        "as_of": "2024-01-15",
        "item": {
            "vendor": "Huawai Technologies",
            "category": "telecom_equipment",
            "function": "core",
            "country": "GB",
        },
    }
    plain = call(setup, "POST", "/check", json=body).json()
    assert plain["items"][0]["vendor_match"]["needs_review"] is True
    decision = {
        "id": "D-1",
        "name": "Huawai Technologies",
        "group": "huawei",
        "by": "J. Novak",
        "decided_on": "2026-11-30",
    }
    decided = call(setup, "POST", "/check", json={**body, "vendor_decisions": [decision]})
    assert decided.status_code == 200, decided.text
    match = decided.json()["items"][0]["vendor_match"]
    assert (match["group"], match["method"], match["needs_review"]) == ("huawei", "decision", False)
    assert "decision D-1" in match["reason"]
    bad = call(
        setup, "POST", "/check", json={**body, "vendor_decisions": [{**decision, "group": "x"}]}
    )
    assert bad.status_code == 422 and "vendor_decisions" in bad.text
