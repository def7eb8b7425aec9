"""The main flow in a real headless Chromium (Debian's, driven by Playwright; no browser is
downloaded) against a real uvicorn server: sign in, create the UK profile, upload the UK example
inventory, see its overdue items, open a finding and the review queue, download the PDF, sign
out. Each page is screenshotted into the test's tmp dir (``screens/``) for a person to look at,
and checked with axe-core (injected from the ``axe-playwright-python`` wheel's copy, offline):
no serious or critical violation on any of them."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dutybound.service.app import create_app
from dutybound.service.keys import create_key
from dutybound.service.settings import Settings
from tests.web.helpers import EXAMPLE

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
SEVERE = ("serious", "critical")  # the axe impacts the bar refuses


def axe_script() -> Path:
    """axe-core as shipped inside the ``axe-playwright-python`` wheel: injected from the local
    file, so the check works offline (the test skips without the package)."""
    module = pytest.importorskip("axe_playwright_python")
    return Path(str(module.__file__)).parent / "axe.min.js"


def severe_violations(page: Page, script: Path) -> list[str]:
    """axe-core's serious and critical violations on the page now shown, one line each (rule,
    impact, the first offending element)."""
    page.add_script_tag(path=str(script))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in SEVERE
    ]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real server on a free loopback port; (its URL, tenant A's key)."""
    import uvicorn

    url = f"sqlite:///{tmp_path / 'web.db'}"
    key = create_key(url, "A").secret
    app = create_app(Settings(database_url=url))
    # port 0: the kernel picks a free port when the server binds, so no other process (another
    # pytest-xdist worker) can take it between a probe and the bind
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", key
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium on this machine")
def test_the_main_flow_in_a_browser(server: tuple[str, str], tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from pypdf import PdfReader

    base, key = server
    axe = axe_script()
    severe: dict[str, list[str]] = {}
    screens = tmp_path / "screens"
    screens.mkdir()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        try:

            def shot(name: str) -> None:
                page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
                severe[name] = severe_violations(page, axe)

            page.goto(f"{base}/app/home")
            assert page.url.endswith("/app/signin")
            shot("1-signin")
            page.get_by_label("API key").fill(key)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/app/home")
            shot("2-home")

            page.get_by_role("link", name="New profile").click()
            page.get_by_label("Operator name").fill("Albion Mobile & Fibre plc")
            page.get_by_label("United Kingdom (GB)").check()
            page.locator("input[name=sectors][value=telecoms]").check()
            page.locator("input[name=roles][value='gb.public_telecoms_provider']").check()
            page.locator("input[name=roles][value='gb.dvd_addressee']").check()
            page.get_by_label("Attributes").fill("gb.relevant_turnover_gbp: 2000000000")
            # the script shows only the roles of the chosen jurisdiction
            assert page.locator("[data-roles-of=US]").is_hidden()
            shot("3-profile-form")
            page.get_by_role("button", name="Save profile").click()
            page.wait_for_url("**/app/profiles/*")
            assert page.get_by_role("heading", name="Albion Mobile & Fibre plc").is_visible()
            profile_url = page.url

            inventory = page.get_by_label(
                "Inventory (CSV, XLSX, CycloneDX or NetBox JSON)", exact=True
            )
            # a file with two bad rows first: both are listed, with row and column
            lines = (EXAMPLE / "assets.csv").read_text(encoding="utf-8").splitlines()
            broken = tmp_path / "broken.csv"
            broken.write_text(
                "\n".join(
                    [
                        lines[0],
                        lines[1].replace("telecom_equipment", "toaster", 1),
                        lines[2],
                        lines[3].replace(",installed,", ",melted,", 1),
                    ]
                ),
                encoding="utf-8",
            )
            inventory.set_input_files(str(broken))
            page.get_by_role("button", name="Evaluate").click()
            problems = page.locator(".problems")
            assert "broken.csv: 2 problems" in problems.inner_text()
            assert problems.locator("tbody tr").count() == 2
            shot("4-upload-problems")
            inventory.set_input_files(str(EXAMPLE / "assets.csv"))
            page.get_by_label("As of").fill("2026-12-04")
            shot("5-profile")
            page.get_by_role("button", name="Evaluate").click()
            page.wait_for_url("**/app/results/*")
            result_url = page.url
            summary = page.get_by_label("Summary")
            assert "4 overdue" in " ".join(summary.inner_text().split())
            page.get_by_label("Status").select_option("overdue")
            page.get_by_role("button", name="Filter").click()
            page.wait_for_url("**status=overdue**")
            assert "4 of 18 findings" in page.locator("caption").inner_text()
            shot("6-results")

            page.locator("table.findings a").first.click()
            page.wait_for_url("**/findings/**")
            assert page.get_by_role("heading", name="Explanation").is_visible()
            shot("7-finding")
            page.go_back()
            page.get_by_role("link", name="Review queue").click()
            page.wait_for_url("**/review")
            shot("8-review")
            page.go_back()

            with page.expect_download() as download:
                page.get_by_role("link", name="PDF report").click()
            pdf = Path(download.value.path())
            reader = PdfReader(io.BytesIO(pdf.read_bytes()))
            assert "evaluation.json" in reader.attachments
            # PDF/A-3b, as the CLI's report (tests/test_report.py)
            assert reader.xmp_metadata is not None
            xmp = reader.xmp_metadata.stream.get_data().decode()
            assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp

            # the assets no rule caught; a missing fact stated; the history and the diff
            page.get_by_role("link", name="Designated vendors' assets with no finding").click()
            page.wait_for_url("**/unaffected")
            assert "R-003" in page.locator("table.findings").inner_text()
            shot("8b-unaffected")
            page.go_back()
            page.get_by_role("link", name="Review queue").click()
            page.wait_for_url("**/review")
            network = page.locator("form.state:has(input[name=field][value=network])")
            network.locator("select[name='v.T-001']").select_option("5g")
            shot("8c-review-state")
            network.get_by_role("button", name="State and evaluate again").click()
            page.wait_for_url("**/app/results/*")
            assert "T-001: network = 5g" in page.locator("section.stated").inner_text()
            shot("8d-stated-result")
            page.goto(profile_url)
            page.get_by_role("link", name="History and changes").click()
            page.wait_for_url("**/history")
            assert page.locator("table.findings tbody tr").count() == 2
            shot("8e-history")
            page.get_by_role("button", name="Compare").click()
            page.wait_for_url("**/app/diff?**")
            changed = page.locator("#change-gb\\.dvd-2022\\.5g-removal").inner_text()
            assert "T-001" in changed
            shot("8f-diff")

            # a form posted without its CSRF token (as another site's page would) is refused
            status = page.evaluate(
                """async () => (await fetch('/app/profiles', {method: 'POST',
                     body: new URLSearchParams({name: 'Forged'})})).status"""
            )
            assert status == 403

            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url("**/app/signin")
            shot("9-signed-out")
            page.goto(f"{base}/app/home")
            assert page.url.endswith("/app/signin")

            # tenant B, signed in in a browser of its own, guesses A's addresses: not found
            other_key = create_key(f"sqlite:///{tmp_path / 'web.db'}", "B").secret
            other = browser.new_page()
            other.goto(f"{base}/app/signin")
            other.get_by_label("API key").fill(other_key)
            other.get_by_role("button", name="Sign in").click()
            other.wait_for_url("**/app/home")
            assert "Albion" not in other.content()
            for guessed in (profile_url, result_url, f"{result_url}/report.pdf"):
                response = other.goto(guessed)
                assert response is not None and response.status == 404, guessed
                assert "Albion" not in other.content()
        finally:
            browser.close()
    assert len(list(screens.glob("*.png"))) == 14
    assert {name: found for name, found in severe.items() if found} == {}


# Every page a person opens, as (name, path); {profile}, {result} and {finding} are filled in
# from the bundled examples loaded with one click (the UK operator's). Add a page here.
PAGES = [
    ("signin", "/app/signin"),
    ("home", "/app/home"),
    ("profile-form", "/app/profiles/new"),
    ("upload", "{profile}"),
    ("results", "{result}"),
    ("results-filtered", "{result}?status=overdue"),
    ("finding", "{finding}"),
    ("review", "{result}/review"),
    ("unaffected", "{result}/unaffected"),
    ("history", "{profile}/history"),
    ("compare", "/app/compare"),
    (
        "compare-matrix",
        "/app/compare?jurisdictions=GB&jurisdictions=CZ&vendors=Huawei&sector=telecoms",
    ),
]
VIEWPORTS = {"desktop": (1280, 800), "tablet": (768, 1024)}
SCREENSHOTS_ENV = "DUTYBOUND_SCREENSHOTS"


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scroll bar)."""
    width: int = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    return width


def with_the_examples(page: Page, base: str, key: str) -> dict[str, str]:
    """Sign in, load the bundled examples with the home page's button and find the UK
    operator's profile, its result and the result's first overdue finding (their paths)."""
    page.goto(f"{base}/app/signin")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/app/home")
    page.get_by_role("button", name="Load the examples").click()
    page.wait_for_url("**/app/home")
    page.get_by_role("link", name="Albion Mobile & Fibre plc").click()
    page.wait_for_url("**/app/profiles/*")
    profile = page.url.removeprefix(base)
    page.goto(f"{base}{profile}/history")
    page.locator("table.findings a").first.click()
    page.wait_for_url("**/app/results/*")
    result = page.url.removeprefix(base)
    page.goto(f"{base}{result}?status=overdue")
    page.locator("table.findings a").first.click()
    page.wait_for_url("**/findings/*")
    return {"profile": profile, "result": result, "finding": page.url.removeprefix(base)}


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium on this machine")
def test_every_page_at_desktop_and_tablet_width_in_both_languages(
    server: tuple[str, str], tmp_path: Path
) -> None:
    """Each page in English and in Czech (switched by the header's button) at 1280×800 and at
    tablet 768×1024: screenshotted (copied to $DUTYBOUND_SCREENSHOTS when set, for a person to
    look at), never wider than the window, in the language chosen, and with no serious or
    critical axe-core violation (checked once per page and language)."""
    import os
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    base, key = server
    screens = tmp_path / "screens"
    screens.mkdir()
    overflow: dict[str, int] = {}
    severe: dict[str, list[str]] = {}
    axe = axe_script()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            ids = with_the_examples(page, base, key)

            for lang, switch in (("en", None), ("cs", "Čeština")):
                if switch:
                    page.goto(f"{base}/app/home")
                    page.get_by_role("button", name=switch).click()
                    page.wait_for_url("**/app/home")
                for name, path in PAGES:
                    for size, (width, height) in VIEWPORTS.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.goto(base + path.format(**ids))
                        assert page.locator("html").get_attribute("lang") == lang, name
                        shot = f"{lang}-{size}-{name}"
                        page.screenshot(path=str(screens / f"{shot}.png"), full_page=True)
                        overflow[shot] = horizontal_overflow(page)
                        if size == "desktop":  # axe, once per page and language
                            severe[shot] = severe_violations(page, axe)
        finally:
            browser.close()
    target = os.environ.get(SCREENSHOTS_ENV)
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for png in screens.glob("*.png"):
            shutil.copy2(png, Path(target) / png.name)
    assert len(list(screens.glob("*.png"))) == len(PAGES) * len(VIEWPORTS) * 2
    assert {shot: px for shot, px in overflow.items() if px > 0} == {}
    assert {shot: found for shot, found in severe.items() if found} == {}


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium on this machine")
def test_examples_compare_search_and_upload_progress_in_a_browser(
    server: tuple[str, str], tmp_path: Path
) -> None:
    """Load the examples with one click; compare Huawei in GB and US for the UK operator through
    the form; search its result for HiSilicon; upload the UK inventory through the script, whose
    <progress> reaches its max before the result page opens (with the columns read). Each page
    screenshotted and checked with axe-core."""
    sync_api = pytest.importorskip("playwright.sync_api")
    base, key = server
    axe = axe_script()
    severe: dict[str, list[str]] = {}
    screens = tmp_path / "screens"
    screens.mkdir()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:

            def shot(name: str) -> None:
                page.screenshot(path=str(screens / f"{name}.png"), full_page=True)
                severe[name] = severe_violations(page, axe)

            page.goto(f"{base}/app/signin")
            page.get_by_label("API key").fill(key)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/app/home")
            page.get_by_role("button", name="Load the examples").click()
            page.wait_for_url("**/app/home")
            for name in ("Moravská distribuční", "Potomac Systems", "Albion Mobile"):
                assert page.get_by_role("link", name=name).count() == 1
            shot("1-examples-loaded")

            page.get_by_role("link", name="Compare jurisdictions").click()
            page.wait_for_url("**/app/compare")
            page.locator("input[name=jurisdictions][value=GB]").check()
            page.locator("input[name=jurisdictions][value=US]").check()
            albion = page.locator("#c-profile option", has_text="Albion").get_attribute("value")
            assert albion
            page.get_by_label("Operator profile").select_option(albion)
            page.locator("input[name=vendors][value=Huawei]").check()
            page.get_by_label("As of").fill("2026-12-03")
            page.get_by_role("button", name="Compare").click()
            page.wait_for_url("**/app/compare?**")
            cell = page.locator("table.matrix tbody tr").first.locator("td").first
            assert cell.inner_text().startswith("no new 5G kit")
            assert cell.locator("a").first.get_attribute("href", timeout=1000)
            shot("2-compare")

            page.goto(f"{base}/app/home")
            page.get_by_role("link", name="2026-11-28").click()
            page.wait_for_url("**/app/results/*")
            page.get_by_label("Search").fill("HiSilicon")
            page.get_by_role("button", name="Filter").click()
            page.wait_for_url("**q=HiSilicon**")
            listed = page.locator("table.findings tbody tr")
            assert listed.count() >= 1
            assert "national security" in page.locator("table.findings").inner_text()
            shot("3-search")

            page.goto(f"{base}/app/profiles/{albion}")
            page.get_by_label("Inventory (CSV, XLSX, CycloneDX or NetBox JSON)", exact=True)\
                .set_input_files(str(EXAMPLE / "assets.csv"))  # fmt: skip
            page.get_by_label("As of").fill("2026-11-28")
            # the bar's last state, kept across the navigation to the result page
            page.evaluate(
                """() => { const bar = document.getElementById('upload-progress');
                new MutationObserver(() => sessionStorage.setItem('bar',
                    bar.value + '/' + bar.max)).observe(bar, {attributes: true}); }"""
            )
            page.get_by_role("button", name="Evaluate").click()
            page.wait_for_url("**/app/results/*")
            value, most = page.evaluate("() => sessionStorage.getItem('bar')").split("/")
            assert float(value) == float(most) > 0
            page.locator("details.columns summary").click()
            assert page.get_by_role("table", name="Columns read from the uploaded inventory")
            shot("4-uploaded-by-script")
        finally:
            browser.close()
    assert len(list(screens.glob("*.png"))) == 4
    assert {name: found for name, found in severe.items() if found} == {}


FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {where: e.closest("form.filters") ? "filters"
                 : e.closest("table.findings") ? "findings" : e.className,
          name: e.getAttribute("name") || "", href: e.getAttribute("href") || "",
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
}"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium on this machine")
def test_the_results_page_by_keyboard(server: tuple[str, str]) -> None:
    """Tab from the top of the results page: the skip link first, then the search and every
    filter, then the first finding's link; each with a visible focus outline."""
    sync_api = pytest.importorskip("playwright.sync_api")
    base, key = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            result = with_the_examples(page, base, key)["result"]
            page.goto(base + result)
            first_finding = page.locator("table.findings a").first.get_attribute("href")
            stops = []
            for _ in range(60):
                page.keyboard.press("Tab")
                stops.append(page.evaluate(FOCUSED))
                if stops[-1]["href"] == first_finding:
                    break
        finally:
            browser.close()
    assert stops[0]["where"] == "skip"
    filters = [s["name"] for s in stops if s["where"] == "filters"]
    assert filters[:6] == ["q", "jurisdiction", "status", "position", "binding", "vendor"]
    assert stops[-1]["where"] == "findings" and stops[-1]["href"] == first_finding
    invisible = [s for s in stops if s["outline"] == "none" or s["width"] < 2]
    assert invisible == []
