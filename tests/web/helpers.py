"""What the web tests share: an application on a fresh SQLite file with three keys, and
reading the CSRF token out of a page."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from dutybound.service.app import create_app
from dutybound.service.keys import create_key
from dutybound.service.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "uk-telecoms"
UK_PROFILE = {
    "name": "Albion Mobile & Fibre plc",
    "jurisdictions": ["GB"],
    "sectors": ["telecoms"],
    "roles": ["gb.public_telecoms_provider", "gb.dvd_addressee"],
    "attributes": "gb.relevant_turnover_gbp: 2000000000\n",
}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    url: str
    keys: dict[str, str]

    def client(self) -> TestClient:
        """A browser of its own: its own cookie jar, redirects not followed."""
        return TestClient(create_app(Settings(database_url=self.url)), follow_redirects=False)


def site(tmp: Path) -> Site:
    url = f"sqlite:///{tmp / 'web.db'}"
    keys = {
        "A": create_key(url, "A").secret,
        "B": create_key(url, "B").secret,
        "consultant": create_key(url, "C", ["A"]).secret,
    }
    return Site(url, keys)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def signed_in(client: TestClient, key: str) -> str:
    """Sign ``client`` in with ``key``; the session's CSRF token."""
    token = csrf_of(client.get("/app/signin").text)
    response = client.post("/app/signin", data={"api_key": key, "csrf": token})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/app/home"
    return csrf_of(client.get("/app/home").text)


def new_profile(client: TestClient, token: str, fields: dict[str, object] | None = None) -> str:
    """Create the UK profile through the form; the new profile's page path."""
    response = client.post("/app/profiles", data={**UK_PROFILE, **(fields or {}), "csrf": token})
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


def evaluate(
    client: TestClient,
    token: str,
    profile_path: str,
    name: str,
    body: bytes,
    as_of: str = "2026-12-04",
):
    return client.post(
        f"{profile_path}/evaluate",
        data={"csrf": token, "as_of": as_of},
        files={"inventory": (name, body, "application/octet-stream")},
    )
