"""Interface languages: every string the report and procurement templates print has a
translation in every shipped language, and a Czech report reads Czech."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from dutybound.engine.outcomes import FindingStatus, Position, ReviewReason, RoleSource, Verdict
from dutybound.engine.vocabulary import (
    INSTRUMENT_TYPES,
    LABELS,
    RELATIONSHIPS,
    Binding,
    ObligationKind,
    label,
)
from dutybound.reports.context import KIND_NOUNS
from dutybound.reports.paths import TEMPLATES
from dutybound.reports.render import LANGUAGES, translator

ROOT = Path(__file__).resolve().parent.parent
PRINTED = ("report.html.j2", "procurement.html.j2", "conditions.html.j2", "compare.html.j2")
SHIPPED = [lang for lang in LANGUAGES if lang != "en"]


def _unescape(literal: str) -> str:
    """A Jinja string literal's value (the templates escape only double quotes)."""
    return literal.replace('\\"', '"')


def web_templates() -> list[Path]:
    """The pages' templates (templates/web): every one a person can open in Czech."""
    return sorted((TEMPLATES / "web").glob("*.html.j2"))


def template_strings(paths: list[Path] | None = None) -> set[str]:
    """Every key the templates look up: t("..."), tn(n, "one", "many") as "one|many", and the
    values of the label tables they pass to t()."""
    keys: set[str] = set()
    for path in paths if paths is not None else [TEMPLATES / name for name in PRINTED]:
        text = path.read_text(encoding="utf-8")
        keys |= {_unescape(k) for k in re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"\s*\)', text)}
        keys |= {
            f"{one}|{many}"
            for one, many in re.findall(r'\btn\([^"]*?,\s*"([^"]+)",\s*"([^"]+)"\)', text)
        }
        for table in re.findall(r"set \w+_labels = (\{[^}]*\})", text):
            keys |= set(re.findall(r':\s*"([^"]+)"', table))
        for table in re.findall(r"t\((\{[^}]*\})\[", text):  # t({...}[key])
            keys |= set(re.findall(r':\s*"([^"]+)"', table))
    return keys


def vocabulary_words() -> set[str]:
    """The words the templates print for vocabulary values (the ``words`` filter and t() of
    enum values): labels, kinds, instrument types, bindings, statuses, sources, verdicts."""
    words = set(LABELS.values())
    words |= {label(v) for v in (*ObligationKind, *INSTRUMENT_TYPES, *RELATIONSHIPS)}
    words |= {label(v) for v in (*Binding, *FindingStatus, *Position, *RoleSource, *Verdict)}
    words |= {label(v) for v in ReviewReason}  # the review queue's "Why" column
    words |= {f"{one}|{many}" for one, many in KIND_NOUNS.values()}
    return words


def test_the_extraction_finds_the_strings_it_must() -> None:
    keys = template_strings()
    # one of each kind: t() literal, escaped quote, tn() pair, label table, inline table
    for expected in (
        "Executive summary",
        "grouped by what must be checked; every item is listed in the attached "
        'evaluation.json (key "review").',
        "asset|assets",
        "Vendor not reached",
        "Due within %d days",
        "Condition in the law",
        "Bid summary",
    ):
        assert expected in keys, expected
    assert len(keys) > 200


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_printed_string_has_a_translation(lang: str) -> None:
    catalogue = yaml.safe_load((TEMPLATES / "i18n" / f"{lang}.yaml").read_text("utf-8"))
    missing = sorted((template_strings() | vocabulary_words()) - set(catalogue))
    assert not missing, f"{lang}.yaml lacks {len(missing)}: {missing[:20]}"


@pytest.mark.parametrize("lang", SHIPPED)
def test_counted_nouns_give_every_plural_form(lang: str) -> None:
    catalogue = yaml.safe_load((TEMPLATES / "i18n" / f"{lang}.yaml").read_text("utf-8"))
    for key, value in catalogue.items():
        if "|" in key:
            assert isinstance(value, list) and len(value) == 3 and all(value), key
        else:
            assert isinstance(value, str) and value.strip(), key


def test_plural_forms() -> None:
    _, tn = translator("en")
    assert [tn(n, "finding", "findings") for n in (0, 1, 2)] == [
        "0 findings",
        "1 finding",
        "2 findings",
    ]
    _, tn = translator("cs")
    assert [tn(n, "asset", "assets") for n in (0, 1, 2, 4, 5, 21)] == [
        "0 aktiv",
        "1 aktivum",
        "2 aktiva",
        "4 aktiva",
        "5 aktiv",
        "21 aktiv",
    ]


def test_a_czech_report_has_no_english_heading(tmp_path: Path) -> None:
    out = tmp_path / "cz.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dutybound",
            "report",
            "--profile",
            ROOT / "examples" / "cz-energy" / "profile.yaml",
            "--assets",
            ROOT / "examples" / "cz-energy" / "assets.csv",
            "--as-of",
            "2019-02-01",
            "--lang",
            "cs",
            "--out",
            out,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(out).pages)
    t, _ = translator("cs")
    headings = set()
    for name in PRINTED:
        source = (TEMPLATES / name).read_text(encoding="utf-8")
        headings |= set(re.findall(r'<h[1-3][^>]*>\{\{ t\("([^"]+)"\)', source))
    assert {"Executive summary", "Obligations", "Instruments cited"} <= headings
    for heading in headings:
        assert t(heading) != heading, heading
        assert heading not in text, heading
    for heading in ("Shrnutí", "Povinnosti", "Citované předpisy", "Metodika a omezení"):
        assert heading in text, heading
    # the running footer too
    assert "Strana 1 z" in text and "Page 1 of" not in text


# Words a page prints as they are in every language: the product's name and file formats.
UNTRANSLATED = frozenset({"dutybound", "CSV", "XLSX", "JSON", "PDF", "Markdown", "NetBox"})
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
SPOKEN_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')


def bare_phrases(text: str) -> set[str]:
    """English a template prints without t(): text between tags and the attributes a screen
    reader speaks, once the Jinja expressions, <code>, <script> and <style> are taken out."""
    found: set[str] = set()
    for value in SPOKEN_ATTRIBUTES.findall(text):
        found |= set(re.findall(r"[A-Za-z][A-Za-z' ]+[A-Za-z]", JINJA.sub(" ", value)))
    text = re.sub(r"<(code|script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = JINJA.sub(" ", text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r'[\w-]+="[^"]*"', " ", text)  # an attribute a macro adds to a tag
    for run in re.findall(r"[A-Za-z][A-Za-z'’ ,.:;()-]*[A-Za-z]", text):
        words = re.findall(r"[A-Za-z]{2,}", run)
        if any(word not in UNTRANSLATED for word in words):
            found.add(" ".join(run.split()))
    return found


def test_the_bare_phrase_check_finds_text_outside_t() -> None:
    sample = (
        '<h1>{{ t("Sign in") }}</h1><p>Download: <a href="x">CSV</a></p>'
        '<nav aria-label="Account"></nav><p>{{ x }} <code>dutybound keys create</code></p>'
        '<option>{{ t("all") }}</option>{% if a %}—{% endif %}'
    )
    assert bare_phrases(sample) == {"Download: CSV", "Account"}


@pytest.mark.parametrize("path", web_templates(), ids=lambda p: p.name)
def test_a_page_prints_no_english_outside_t(path: Path) -> None:
    """A phrase typed into a page template without t() would stay English on a Czech page."""
    bare = sorted(bare_phrases(path.read_text(encoding="utf-8")))
    assert not bare, f"{path.name} prints without t(): {bare}"


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_phrase_of_the_pages_has_a_translation(lang: str) -> None:
    catalogue = yaml.safe_load((TEMPLATES / "i18n" / f"{lang}.yaml").read_text("utf-8"))
    keys = template_strings(web_templates()) | page_messages()
    assert "Skip to content" in keys and "This key is unknown or revoked." in keys
    missing = sorted(keys - set(catalogue))
    assert not missing, f"{lang}.yaml lacks {len(missing)} of the pages': {missing[:30]}"


def page_messages() -> set[str]:
    """The fixed messages the page code hands to a template that shows them through t(): a
    refused page's reason (``PageError(status, "...")``), the sign-in page's ``problem`` and
    a form's problems (``form.errors[field] = "..."``).
    (A message made with an f-string names a file or a version and stays as it is.)"""
    import ast

    found: set[str] = set()
    for path in sorted((ROOT / "dutybound" / "web").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (  # a form's problem: form.errors["field"] = "..."
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.targets[0].value, ast.Attribute)
                and node.targets[0].value.attr == "errors"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
            if not isinstance(node, ast.Call):
                continue
            texts = [k.value for k in node.keywords if k.arg == "problem"]
            if isinstance(node.func, ast.Name) and node.func.id == "PageError":
                texts += node.args[1:2]
            found |= {
                t.value
                for t in texts
                if isinstance(t, ast.Constant) and isinstance(t.value, str) and t.value
            }
    return found
