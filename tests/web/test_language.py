"""The pages' language: English or Czech from the browser's Accept-Language until a person
chooses in the header (a CSRF-protected POST), then their choice, kept across signing out and
in; ``<html lang>`` follows."""

from __future__ import annotations

import io
import re

import pytest
import yaml

from dutybound.reports.paths import TEMPLATES
from dutybound.web.language import Language, back_to, from_accept_language
from tests.web.helpers import EXAMPLE, Site, csrf_of, evaluate, new_profile, signed_in

HTML_LANG = re.compile(r'<html lang="([a-z]+)">')


def html_lang(html: str) -> str:
    found = HTML_LANG.search(html)
    assert found is not None, "no <html lang>"
    return found.group(1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", Language.EN),
        ("cs", Language.CS),
        ("cs-CZ,cs;q=0.9,en;q=0.8", Language.CS),
        ("en-GB,en;q=0.9,cs;q=0.8", Language.EN),
        ("de-DE,de;q=0.9,cs;q=0.7,en;q=0.5", Language.CS),  # the first shipped one it prefers
        ("en;q=0.4, cs;q=0.6", Language.CS),  # the weights decide, not the order
        ("de, fr;q=0.8", Language.EN),  # none shipped: English
        ("cs;q=0", Language.EN),  # q=0 means "not this one"
        ("cs;q=abc", Language.EN),  # an unreadable weight counts as refused
        ("sk", Language.EN),
    ],
)
def test_the_browser_preference(header: str, expected: Language) -> None:
    assert from_accept_language(header) is expected


def test_english_without_a_preference_and_czech_when_the_browser_asks(web: Site) -> None:
    client = web.client()
    english = client.get("/app/signin").text
    assert html_lang(english) == "en"
    assert "<h1>Sign in</h1>" in english and "Not legal advice." in english
    czech = client.get("/app/signin", headers={"Accept-Language": "cs-CZ,cs;q=0.9"}).text
    assert html_lang(czech) == "cs"
    assert "<h1>Přihlášení</h1>" in czech and "Nejedná se o právní poradenství." in czech
    assert "Not legal advice." not in czech
    # the switch offers the other language, named in that language
    assert 'value="cs" lang="cs">Čeština</button>' in english
    assert 'value="en" lang="en">English</button>' in czech


def test_the_choice_is_kept_in_the_session_over_the_browser_preference(web: Site) -> None:
    client = web.client()
    token = signed_in(client, web.keys["A"])
    response = client.post(
        "/app/language", data={"csrf": token, "lang": "cs", "back": "/app/profiles/new"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/app/profiles/new"
    page = client.get("/app/profiles/new", headers={"Accept-Language": "en"}).text
    assert html_lang(page) == "cs"
    assert "Odhlásit se" in page and "Sign out" not in page
    # signing out and in again keeps it: the language says nothing about who was signed in
    client.post("/app/signout", data={"csrf": csrf_of(page)})
    assert html_lang(client.get("/app/signin").text) == "cs"
    signed_in(client, web.keys["A"])
    assert html_lang(client.get("/app/home").text) == "cs"
    # and back to English
    token = csrf_of(client.get("/app/home").text)
    client.post("/app/language", data={"csrf": token, "lang": "en", "back": "/app/home"})
    assert html_lang(client.get("/app/home", headers={"Accept-Language": "cs"}).text) == "en"


def test_the_switch_needs_the_csrf_token_and_a_known_language(web: Site) -> None:
    client = web.client()
    token = csrf_of(client.get("/app/signin").text)
    refused = client.post("/app/language", data={"lang": "cs", "back": "/app/signin"})
    assert refused.status_code == 403
    assert html_lang(client.get("/app/signin").text) == "en"
    ignored = client.post(
        "/app/language", data={"csrf": token, "lang": "de", "back": "/app/signin"}
    )
    assert ignored.status_code == 303
    assert html_lang(client.get("/app/signin").text) == "en"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/app/results/abc?status=overdue", "/app/results/abc?status=overdue"),
        ("https://evil.example/app/", "/app/home"),
        ("//evil.example/app/home", "/app/home"),
        ("/app/../admin", "/app/home"),
        ("/docs", "/app/home"),
        ("", "/app/home"),
    ],
)
def test_the_switch_only_returns_to_a_page(target: str, expected: str) -> None:
    assert back_to(target) == expected


def test_a_page_shown_after_a_post_switches_back_to_home(web: Site) -> None:
    """The page a form post answered (a refused sign-in) cannot be fetched again with GET."""
    client = web.client()
    token = csrf_of(client.get("/app/signin").text)
    refused = client.post("/app/signin", data={"api_key": "wrong", "csrf": token})
    assert refused.status_code == 401
    assert 'name="back" value="/app/home"' in refused.text


def english_left(html: str) -> list[str]:
    """The text nodes of a page that are still an English catalogue phrase whose Czech differs
    (a phrase printed without t(), or through a template the Czech environment did not use)."""
    catalogue = yaml.safe_load((TEMPLATES / "i18n" / "cs.yaml").read_text("utf-8"))
    english = {k for k, v in catalogue.items() if isinstance(v, str) and v != k}
    texts = {" ".join(m.split()) for m in re.findall(r">([^<>]+)<", html)}
    return sorted(texts & english)


def test_every_page_reads_czech(web: Site) -> None:
    """The whole flow in Czech: each page answers 200 in Czech with no English phrase left."""
    client = web.client()
    client.headers["Accept-Language"] = "cs"
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    body = (EXAMPLE / "assets.csv").read_bytes()
    result = evaluate(client, token, profile, "assets.csv", body).headers["location"]
    finding = re.findall(rf'href="({re.escape(result)}/findings/[^"]+)"', client.get(result).text)
    assert finding, "the results page links no finding"
    pages = {
        "/app/home": "Profily provozovatelů",
        "/app/profiles/new": "Role, které provozovateli dává právo",
        profile: "Vyhodnotit evidenci aktiv",
        f"{profile}/history": "uložená vyhodnocení",
        result: "Fronta k ověření",
        f"{result}?status=overdue": "Filtrovat",
        finding[0]: "Vysvětlení",
        f"{result}/review": "co musí ověřit člověk",
        f"{result}/unaffected": "aktiva určených dodavatelů bez zjištění",
        "/app/compare": "Porovnat jurisdikce",
        "/app/results/no-such-id": "výsledek s tímto id neexistuje",
    }
    for path, czech in pages.items():
        response = client.get(path)
        assert response.status_code == (404 if "no-such" in path else 200), path
        assert html_lang(response.text) == "cs", path
        assert czech in response.text, path
        assert english_left(response.text) == [], path
    problems = evaluate(client, token, profile, "bad.csv", b"id,vendor\n1,x\n")
    assert problems.status_code == 422
    assert "nic nebylo vyhodnoceno" in problems.text
    assert english_left(problems.text) == []


def test_a_czech_law_reads_by_its_czech_title_on_a_czech_page(web: Site) -> None:
    """The Czech example's finding under NÚKIB's warning: its Czech title (the law data's
    title_original) leads on a Czech page, the English one leads on an English page."""
    client = web.client()
    token = signed_in(client, web.keys["B"])
    assert client.post("/app/examples", data={"csrf": token}).status_code == 303
    home = client.get("/app/home").text
    result = re.findall(r'href="(/app/results/[^"]+)">2019-02-01<', home)[0]
    path = f"{result}/findings/cz.nukib-2018.risk-management"
    czech_title = "Varování Národního úřadu pro kybernetickou a informační bezpečnost"
    english_title = "NÚKIB warning on the cyber-security threat"
    english = client.get(path).text
    assert english.index(english_title) < english.index(czech_title)
    assert f'<span class="meta" lang="cs">{czech_title}' in english
    czech = client.get(path, headers={"Accept-Language": "cs"}).text
    assert f'<dd><span lang="cs">{czech_title}' in czech
    assert czech.index(czech_title) < czech.index(english_title)


def test_the_pdf_from_a_czech_page_is_the_czech_report(web: Site) -> None:
    from pypdf import PdfReader

    client = web.client()
    client.headers["Accept-Language"] = "cs"
    token = signed_in(client, web.keys["A"])
    profile = new_profile(client, token)
    body = (EXAMPLE / "assets.csv").read_bytes()
    result = evaluate(client, token, profile, "assets.csv", body).headers["location"]
    pdf = client.get(f"{result}/report.pdf")
    assert pdf.status_code == 200
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Shrnutí" in text and "Executive summary" not in text
