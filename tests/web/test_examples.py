"""One click on the home page stores the bundled examples and evaluates each on its example
date (the Makefile's demo dates): the results say what ``dutybound evaluate`` says."""

from __future__ import annotations

import json
import re

from dutybound.engine.bundled import bundled
from dutybound.web.examples import EXAMPLES
from tests.test_cli import ROOT, run
from tests.web.helpers import Site, csrf_of, signed_in


def _cli_summary(name: str, as_of: str) -> dict[str, object]:
    folder = ROOT / "examples" / name
    done = run(
        "evaluate", "--profile", folder / "profile.yaml", "--assets", folder / "assets.csv",
        "--as-of", as_of, "--format", "json",
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    summary: dict[str, object] = json.loads(done.stdout)["summary"]
    return summary


def test_the_dates_are_the_makefiles_demo_dates() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    found = dict(re.findall(r"examples/([a-z-]+)/assets\.csv --as-of (\d{4}-\d\d-\d\d)", demo))
    assert {e.name: e.as_of.isoformat() for e in EXAMPLES} == found


def test_one_click_stores_three_results_that_equal_the_clis(web: Site) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    home = client.get("/app/home").text
    assert "Load the examples" in home
    response = client.post("/app/examples", data={"csrf": token})
    assert response.status_code == 303 and response.headers["location"] == "/app/home"
    home = client.get("/app/home").text
    for name in ("Moravská distribuční energetika a.s.", "Potomac Systems Integration LLC",
                 "Albion Mobile &amp; Fibre plc"):  # fmt: skip
        assert name in home
    result_paths = re.findall(r'href="(/app/results/[0-9a-f-]+)"', home)
    assert len(result_paths) == 3
    # each evaluation is listed with its operator's name
    listed = re.findall(r'<a href="/app/results/[^"]+">([^<]+)</a></td><td>([^<]+)</td>', home)
    assert sorted(listed) == [
        ("2019-02-01", "Moravská distribuční energetika a.s."),
        ("2021-03-01", "Potomac Systems Integration LLC"),
        ("2026-11-28", "Albion Mobile &amp; Fibre plc"),
    ]
    stored = {}
    for path in result_paths:
        data = client.get(f"{path}/evaluation.json").json()
        stored[data["operator"]["name"]] = (data["as_of"], data["summary"])
    by_name = {
        "Moravská distribuční energetika a.s.": "cz-energy",
        "Potomac Systems Integration LLC": "us-federal-contractor",
        "Albion Mobile & Fibre plc": "uk-telecoms",
    }
    dates = {e.name: e.as_of.isoformat() for e in EXAMPLES}
    for operator, (as_of, summary) in stored.items():
        example = by_name[operator]
        assert as_of == dates[example]
        assert summary == _cli_summary(example, as_of), example
    # the UK example on 28 Nov 2026 has overdue items: the comparison above is not of zeros
    uk = stored["Albion Mobile & Fibre plc"][1]
    assert uk["by_status"].get("overdue", 0) > 0  # type: ignore[attr-defined]


def test_the_button_needs_csrf_and_a_writable_tenant(web: Site) -> None:
    client = web.client()
    signed_in(client, web.keys["B"])
    assert client.post("/app/examples", data={}).status_code == 403
    assert "No profile yet." in client.get("/app/home").text  # nothing stored
    consultant = web.client()
    token = signed_in(consultant, web.keys["consultant"])
    switched = consultant.post("/app/tenant", data={"csrf": token, "tenant": "A"})
    assert switched.status_code == 303
    home = consultant.get("/app/home").text
    assert "Load the examples" not in home
    refused = consultant.post("/app/examples", data={"csrf": csrf_of(home)})
    assert refused.status_code == 403


def test_the_examples_are_package_data() -> None:
    """``dutybound serve`` from a wheel finds them through the import system, as the law."""
    for example in EXAMPLES:
        folder = bundled("dutybound.examples", example.name)
        assert example.folder == folder
        assert (folder / "profile.yaml").is_file() and (folder / "assets.csv").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"dutybound.examples" = ' in pyproject
