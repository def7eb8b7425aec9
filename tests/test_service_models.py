"""The typed response models (service.responses) against the answers the service really gives:
every key of the engine's JSON is declared (the models forbid others), the OpenAPI document gives
clients real types, and the bodies stay the CLI's JSON byte for byte (same keys, same order)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from pydantic import ValidationError

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from dutybound.service.app import create_app
from dutybound.service.keys import create_key
from dutybound.service.responses import CheckResponse, EvaluationOut, FindingOut
from dutybound.service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
US_CONTRACTOR = {
    "name": "Potomac Systems Integration LLC",
    "jurisdictions": ["US"],
    "roles": ["us.federal_contractor"],
}
US_AGENCY = {
    "name": "Federal Building Office",
    "jurisdictions": ["US"],
    "roles": ["us.federal_agency"],
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
        "asset_id": "rt-1",
        "vendor": "Huawai Tech",
        "category": "router",
        "function": "office_it",
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
DNI_WAIVER = {
    "id": "W-1",
    "operator": US_CONTRACTOR["name"],
    "obligation": "us.ndaa889.a1b-use",
    "basis": "us.ndaa889.d2-dni",
    "reference": "ODNI-889-2025-001",
    "approver": "Director of National Intelligence",
    "granted_on": "2025-01-01",
    "expires_on": "2027-01-01",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> tuple[TestClient, dict[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'service.db'}"
    app = create_app(Settings(database_url=url))
    return TestClient(app), {"X-API-Key": create_key(url, "A").secret}


HUAWEI_ROUTER = {
    "asset_id": "rt-2",
    "vendor": "Huawei",
    "category": "router",
    "function": "office_it",
    "country": "US",
    "status": "installed",
    "flags_false": ["federal_contract_delivery"],
}
PL_KEY_ENTITY = {"name": "Polska Energia S.A.", "jurisdictions": ["PL"], "roles": ["pl.key_entity"]}
PL_ROUTER = {**HUAWEI_ROUTER, "country": "PL", "status": "planned", "flags_false": []}
EVALUATIONS = {
    "plain": {"profile": US_CONTRACTOR, "as_of": AS_OF, "assets": ASSETS},
    "waived": {
        "profile": US_CONTRACTOR,
        "as_of": "2025-06-01",
        "assets": [*ASSETS, HUAWEI_ROUTER],
        "waivers": [DNI_WAIVER],
    },
    "what-if": {
        "profile": PL_KEY_ENTITY,
        "as_of": "2027-06-01",
        "assets": [*ASSETS, PL_ROUTER],
        "assume_designation": ["PL:huawei:2027-01-01"],
    },
    "no roles": {"profile": {**US_CONTRACTOR, "roles": []}, "as_of": AS_OF, "assets": ASSETS},
    "ended": {"profile": US_CONTRACTOR, "as_of": AS_OF, "assets": ASSETS, "include_ended": True},
}


@pytest.mark.parametrize("case", sorted(EVALUATIONS))
def test_evaluations_fit_the_closed_models(api, case) -> None:
    client, headers = api
    response = client.post("/evaluate", json=EVALUATIONS[case], headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    parsed = EvaluationOut.model_validate(body)  # raises on any undeclared key of a record
    evaluation = parsed.evaluation
    # no roles: no finding, and the covered vendors' assets are listed as unaffected, with why
    assert bool(evaluation.findings) == (case != "no roles")
    if case == "no roles":
        assert {u.reason for u in evaluation.unaffected} == {"role_not_held"}
    assert {f.obligation_id for f in evaluation.findings} == {
        f["obligation_id"] for f in body["evaluation"]["findings"]
    }
    assert {"Hikvision", "Huawai Tech"} <= {v.input for v in evaluation.vendors}
    stored = client.get(f"/results/{body['result_id']}", headers=headers)
    assert stored.json() == body
    EvaluationOut.model_validate(stored.json())
    if case == "waived":
        assert any(f.waivers and f.status_without_waivers for f in evaluation.findings)
    if case == "what-if":
        assert any(f.hypothetical for f in evaluation.findings)
    if case == "no roles":
        assert any(n.code == "no_roles" for n in evaluation.notices)


@pytest.mark.parametrize(
    "body",
    [
        {"profile": US_AGENCY, "as_of": AS_OF, "item": ASSETS[0]},
        {"profile": US_AGENCY, "as_of": AS_OF, "items": [{**a, "asset_id": None} for a in ASSETS]},
        {
            "profile": US_CONTRACTOR,
            "as_of": "2025-06-01",
            "item": {**HUAWEI_ROUTER, "status": "in_procurement"},
            "waivers": [DNI_WAIVER],
        },
    ],
)
def test_check_answers_fit_the_closed_models(api, body) -> None:
    client, headers = api
    response = client.post("/check", json=body, headers=headers)
    assert response.status_code == 200, response.text
    parsed = CheckResponse.model_validate(response.json())
    assert parsed.verdict in {item.verdict for item in parsed.items}
    assert all(item.vendor_match is not None for item in parsed.items)


def test_a_key_the_models_do_not_declare_is_refused() -> None:
    """The closed models are what makes the tests above able to fail."""
    finding = {
        "id": "x",
        "jurisdiction": "US",
        "obligation_id": "x",
        "kind": "prohibition",
        "title": "t",
        "instrument": {
            "id": "i",
            "title": "t",
            "title_original": None,
            "citation": "c",
            "url": None,
            "binding": "law",
            "verified": True,
        },
        "citation": "c",
        "url": None,
        "verified": True,
        "status": "in_force",
        "position": "breach",
        "due": None,
        "effective": {"from": "2020-01-01", "ended": None},
        "assets": ["a"],
        "explanation": "e",
        "conditions": [],
        "vendor_link": [],
        "note": None,
        "trace": {},
    }
    assert FindingOut.model_validate(finding).status == "in_force"
    with pytest.raises(ValidationError, match="extra"):
        FindingOut.model_validate({**finding, "severity": "high"})
    with pytest.raises(ValidationError, match="status"):
        FindingOut.model_validate({**finding, "status": "pending"})


def test_the_openapi_document_types_the_answers(api) -> None:
    client, _ = api
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def ref(path: str, method: str, status: str) -> str:
        content = spec["paths"][path][method]["responses"][status]["content"]
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert ref("/check", "post", "200") == "CheckResponse"
    assert ref("/evaluate", "post", "201") == "EvaluationOut"
    assert ref("/results/{result_id}", "get", "200") == "EvaluationOut"
    assert ref("/vendors/screen", "post", "200") == "ScreeningOut"
    assert ref("/results", "get", "200") == "ResultPage"
    assert ref("/profiles", "get", "200") == "ProfilePage"
    items = schemas["ItemVerdictOut"]["properties"]
    assert items["findings"]["items"]["$ref"].endswith("/FindingOut")
    assert set(schemas["Verdict"]["enum"]) == {"prohibited", "review", "conditional", "allowed"}
    finding = schemas["FindingOut"]
    assert finding["additionalProperties"] is False
    assert {"status", "position", "due", "assets", "instrument"} <= set(finding["required"])
    assert "overdue" in schemas["FindingStatus"]["enum"]
    evaluation = schemas["EvaluationJson"]["properties"]
    for key, model in [
        ("findings", "FindingOut"),
        ("review", "ReviewOut"),
        ("unaffected", "UnaffectedOut"),
        ("vendors", "EvaluationVendorOut"),
        ("notices", "NoticeOut"),
    ]:
        assert evaluation[key]["items"]["$ref"].endswith("/" + model), key
    assert "no_match" in schemas["MatchMethod"]["enum"]


def test_the_evaluation_is_the_cli_json_byte_for_byte(api, tmp_path: Path) -> None:
    """Models describe the answer, they do not re-serialise it: after the inputs fingerprint
    (which differs in how the profile reaches the engine) the CLI's JSON and the API's have the
    same keys in the same order with the same values."""
    client, headers = api
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(US_CONTRACTOR), encoding="utf-8")
    inventory = tmp_path / "assets.json"
    inventory.write_text(json.dumps(ASSETS), encoding="utf-8")
    cli = subprocess.run(
        [
            *(sys.executable, "-m", "dutybound", "evaluate", "--profile", str(profile)),
            *("--assets", str(inventory), "--as-of", AS_OF, "--format", "json", "--no-store"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert cli.returncode in (0, 1), cli.stderr
    expected = json.loads(cli.stdout)
    got = client.post("/evaluate", json=EVALUATIONS["plain"], headers=headers).json()["evaluation"]
    for data in (expected, got):
        data["inputs"].pop("sha256")
    assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
