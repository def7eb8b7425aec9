"""Properties of the HTTP API under arbitrary input (issue 19): whatever JSON a client sends,
the answer is a success or a 422 whose ``loc`` names a place in the request, never a 500, and
a refused request stores nothing.

Two generators: hypothesis mutating valid requests of /check, /evaluate and /report (any value
at any place, with the values JSON allows but no store can hold: lone surrogates, NUL, integers
of any size, NaN and infinities), and schemathesis over every operation of the OpenAPI document
with hostile strings (``service.fuzz``), which also checks each response against the document.
Both run on SQLite and PostgreSQL with a budget that keeps this file well under a minute per
database; ``python -m dutybound.service.fuzz --examples N`` runs a bigger one.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from dutybound.service.app import create_app
from dutybound.service.keys import create_key
from dutybound.service.settings import Settings

AS_OF = "2026-11-28"
PROFILE = {
    "name": "Federal Building Office",
    "jurisdictions": ["US"],
    "roles": ["us.federal_agency"],
    "attributes": {},
}
ITEM = {
    "vendor": "Dahua Technology",
    "category": "video_surveillance",
    "function": "physical_security",
    "use": "government_facility_security",
    "country": "US",
    "quantity": 2,
}
ASSET = {**ITEM, "asset_id": "cam-1", "status": "installed"}
VALID: dict[str, dict[str, Any]] = {
    "/check": {"profile": PROFILE, "as_of": AS_OF, "item": ITEM},
    "/evaluate": {"profile": PROFILE, "as_of": AS_OF, "assets": [ASSET]},
    "/report": {"profile": PROFILE, "as_of": AS_OF, "assets": [ASSET]},
}
SUCCESS = {"/check": 200, "/evaluate": 201, "/report": 200}

# text from every code point, lone surrogates and NUL included
_CHARACTERS = st.one_of(
    st.characters(),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.sampled_from(["\x00", "\x1b", "\u202e", "\ufeff", "."]),
)
_TEXT = st.text(_CHARACTERS, max_size=12)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
    st.sampled_from(["2026-02-30", "US", "us.federal_agency", "installed", "9" * 400]),
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)),
    max_leaves=8,
)


def _places(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path inside a JSON value (the root included)."""
    out = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _places(inner, (*path, key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            out += _places(inner, (*path, n))
    return out


def _replaced(body: Any, path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(body))
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copy


# places that hold free text: any valid text there is a request the API must answer
FREE_TEXT = {
    ("profile", "name"),
    ("item", "vendor"),
    ("assets", 0, "vendor"),
    ("assets", 0, "asset_id"),
    ("item", "product"),
    ("assets", 0, "site"),
}


@st.composite
def mutated_requests(draw: st.DrawFn) -> tuple[str, Any]:
    """A valid request with one place (or a new key of a mapping) set to an arbitrary value,
    or, half the time, a free-text place set to arbitrary text (not for /report, whose every
    success renders a PDF for seconds: the budget goes to the refusals there)."""
    endpoint = draw(st.sampled_from(sorted(VALID)))
    body = VALID[endpoint]
    if endpoint != "/report" and draw(st.booleans()):
        places = sorted((p for p in FREE_TEXT if p[0] in body), key=str)
        path = draw(st.sampled_from(places))
        return endpoint, _replaced(body, path, draw(_TEXT))
    path = draw(st.sampled_from(_places(body)))
    if draw(st.booleans()) and path:
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            path = (*path[:-1], draw(_TEXT))
    return endpoint, _replaced(body, path, draw(JSON_VALUES))


def _named(body: Any, loc: list[Any]) -> bool:
    """Whether a 422's loc names a place in the request: its path exists in the body, or its
    parent does (a required field that is missing, or a key that may not be there)."""
    if not loc or loc[0] != "body":
        return False
    node = body
    for n, part in enumerate(loc[1:]):
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            # the last part is absent from a container that is there (a missing or unknown
            # key), or the rest after a scalar is pydantic's name of the type it tried
            return n == len(loc) - 2 or not isinstance(node, dict | list)
        node = node[part]
    return True


@pytest.fixture(scope="module")
def api(module_database_url: str) -> dict[str, Any]:
    url = module_database_url
    app = create_app(Settings(database_url=url))
    return {
        "app": app,
        "client": TestClient(app, raise_server_exceptions=False),
        "key": create_key(url, "A").secret,
    }


def _stored_results(api: dict[str, Any]) -> int:
    from sqlalchemy import func, select

    from dutybound.service import db

    with api["app"].state.service.db.connect() as connection:
        count: int = connection.execute(select(func.count()).select_from(db.StoredResult)).scalar()
        return count


def test_arbitrary_json_is_answered_or_refused_naming_a_field_and_never_stored(api) -> None:
    seen: dict[int, int] = {}

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=mutated_requests())
    def run(request: tuple[str, Any]) -> None:
        endpoint, body = request
        before = _stored_results(api)
        # json.dumps writes what JSON readers accept from a client: \\ud800 escapes, NaN
        response = api["client"].post(
            endpoint,
            content=json.dumps(body).encode(),
            headers={"X-API-Key": api["key"], "Content-Type": "application/json"},
        )
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code in (SUCCESS[endpoint], 422), (
            endpoint,
            response.status_code,
            response.text[:500],
        )
        if response.status_code == 422:
            errors = response.json()["detail"]
            assert errors and all(_named(body, e["loc"]) for e in errors), errors
            assert _stored_results(api) == before
        elif endpoint != "/evaluate":
            assert _stored_results(api) == before

    run()
    # the mutations reach both outcomes: the property is not vacuous
    assert seen.get(422, 0) >= 20 and sum(v for k, v in seen.items() if k != 422) >= 5, seen


def test_schemathesis_finds_no_server_error_and_nothing_undocumented(api) -> None:
    """Every operation of the OpenAPI document, positive and negative cases, hostile strings:
    no 5xx, and every status, content type and body as the document says."""
    pytest.importorskip("schemathesis")
    from dutybound.service.fuzz import fuzz

    result = fuzz(api["app"], api["key"], max_examples=20)
    assert result.cases > 150
    assert not result.server_errors, result.server_errors[:5]
    assert not result.nonconforming, result.nonconforming[:3]
