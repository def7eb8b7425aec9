"""The text search of the results page: over title, obligation id, citation, vendor and asset
ids, any case, every word required, combined with the filters, in the URL (a GET form)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dutybound.web.results import filtered
from tests.web.helpers import EXAMPLE, Site, TestClient, evaluate, new_profile, signed_in, site


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, str, dict[str, Any]]:
    """Tenant A's UK example result on 4 Dec 2026: (client, result path, its JSON)."""
    web: Site = site(tmp_path_factory.mktemp("search"))
    client = web.client()
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    response = evaluate(client, token, profile, "assets.csv", (EXAMPLE / "assets.csv").read_bytes())
    assert response.status_code == 303, response.text
    path = response.headers["location"]
    return client, path, client.get(f"{path}/evaluation.json").json()


def _listed(html: str) -> tuple[str, list[str]]:
    """The table's caption and the finding ids its rows link to."""
    caption = re.search(r"<caption>([^<]+)</caption>", html)
    assert caption is not None
    return caption.group(1), re.findall(r'/findings/([^"]+)"', html)


def test_an_asset_id_finds_the_findings_that_reach_it(result: Any) -> None:
    client, path, data = result
    reaching = [f["id"] for f in data["findings"] if "S-001" in f["assets"]]
    assert reaching and len(reaching) < len(data["findings"])
    response = client.get(path, params={"q": "s-001"})
    assert response.status_code == 200
    caption, ids = _listed(response.text)
    assert ids == reaching
    assert caption == f"{len(reaching)} of {len(data['findings'])} findings"
    assert 'name="q" value="s-001"' in response.text  # the search stays in the form


def test_a_vendor_as_the_inventory_spelt_it_and_a_citation(result: Any) -> None:
    """HiSilicon is in the UK inventory as a Huawei subsidiary: the findings that link it,
    and among them the national-security sites removal; 's.105Z1' finds the Communications
    Act's directions."""
    client, path, data = result
    linked = [
        f["id"]
        for f in data["findings"]
        if any(link["vendor"] == "HiSilicon" for link in f.get("vendor_link") or [])
    ]
    _, ids = _listed(client.get(path, params={"q": "HISILICON"}).text)
    assert ids == linked and "gb.dvd-2022.national-security-sites" in ids
    _, cited = _listed(client.get(path, params={"q": "s.105Z1"}).text)
    by_id = {f["id"]: f for f in data["findings"]}
    assert cited == [
        f["id"]
        for f in data["findings"]
        if "s.105z1" in (f["citation"] + f["instrument"]["citation"]).casefold()
    ]
    assert all("105Z1" in by_id[i]["citation"] + by_id[i]["instrument"]["citation"] for i in cited)
    assert "gb.dvd-2022.national-security-sites" in cited


def test_search_and_filters_together_and_every_word_counts(result: Any) -> None:
    client, path, data = result
    overdue_huawei = [
        f["id"]
        for f in data["findings"]
        if f["status"] == "overdue"
        and any(link["group_name"] == "Huawei" for link in f.get("vendor_link") or [])
    ]
    assert overdue_huawei
    _, ids = _listed(client.get(path, params={"q": "huawei", "status": "overdue"}).text)
    assert ids == overdue_huawei
    caption, none = _listed(client.get(path, params={"q": "huawei no-such-word"}).text)
    assert none == [] and caption.startswith("0 of ")


def test_an_empty_search_keeps_every_finding(result: Any) -> None:
    _, _, data = result
    assert len(filtered(data, {"q": "  "}).findings) == len(data["findings"])
