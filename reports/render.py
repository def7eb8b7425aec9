"""Rendering documents: Jinja2 → HTML, WeasyPrint → PDF/A-3b with the evaluation attached.

Jinja2 runs with autoescape and StrictUndefined, so inventory text can never become markup and a
template typo fails loudly. WeasyPrint gets the project's own fetcher on ``HTML(...)``, which is
the only place it is honoured.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dutybound.engine.vocabulary import label
from dutybound.reports.paths import TEMPLATES

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.reports.context import Provenance
    from dutybound.reports.fetcher import BundledFetcher

LANGUAGES = sorted(p.stem for p in (TEMPLATES / "i18n").glob("*.yaml"))


# A catalogue maps English text to its translation; a counted noun ("asset|assets", used by
# ``tn``) maps to the language's plural forms, in the order ``PLURAL_RULES`` numbers them.
Catalogue = dict[str, str | list[str]]


def _czech_form(n: int) -> int:
    """Czech: 1 aktivum, 2-4 aktiva, 0 and 5+ aktiv."""
    return 0 if n == 1 else 1 if 2 <= n <= 4 else 2


PLURAL_RULES: dict[str, Callable[[int], int]] = {"cs": _czech_form}


def _english_form(n: int) -> int:
    return 0 if n == 1 else 1


def _catalogue(lang: str) -> Catalogue:
    path = TEMPLATES / "i18n" / f"{lang}.yaml"
    if not path.is_file():
        raise ValueError(f"no interface language {lang!r}; available: {LANGUAGES}")
    catalogue: Catalogue = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return catalogue


def translator(lang: str) -> tuple[Callable[[str], str], Callable[[int, str, str], str]]:
    """``t(text)`` and ``tn(n, one, many)`` ("1 asset", "3 assets"; "2 aktiva", "5 aktiv") of
    one language; untranslated text falls back to English, which the i18n test forbids for the
    languages shipped."""
    catalogue = _catalogue(lang)
    form = PLURAL_RULES.get(lang, _english_form)

    def t(text: str) -> str:
        found = catalogue.get(text, text)
        return found if isinstance(found, str) else text

    def tn(n: int, one: str, many: str) -> str:
        forms = catalogue.get(f"{one}|{many}")
        if isinstance(forms, list) and forms:
            return f"{n} {forms[min(form(n), len(forms) - 1)]}"
        return f"{n} {one if n == 1 else many}"

    return t, tn


@cache
def environment(lang: str = "en") -> Environment:
    """The Jinja2 environment of one interface language, built once per process.

    Cached because compiling report.html.j2 is a noticeable cost, which a long-lived service
    would otherwise pay on every report; the templates and catalogues are files shipped with the
    project and do not change while it runs. Keyed by language, so one process can serve all.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "htm", "xml", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=False,
    )
    t, tn = translator(lang)
    env.globals["t"] = t
    env.globals["tn"] = tn
    env.globals["lang"] = lang
    # vocabulary values in words a reader knows ("access_other" -> "access network"), from the
    # one label table (engine.vocabulary.LABELS), then translated
    env.filters["words"] = lambda word: t(label(str(word))) if word else ""
    return env


def render_html(template: str, context: dict[str, Any], lang: str = "en") -> str:
    return environment(lang).get_template(template).render(**context)


def render_pdf(
    html: str, attachments: dict[str, str], fetcher: BundledFetcher | None = None
) -> bytes:
    """A PDF/A-3b document; ``attachments`` maps file names to their text (kept as /Data).

    PDF/A-3b is the variant that keeps attachments (1b drops them, 2b breaks them; ADR 0006).
    """
    from weasyprint import HTML, Attachment

    from dutybound.reports.fetcher import (
        BundledFetcher,  # imports WeasyPrint: only when making a PDF
    )

    fetcher = fetcher or BundledFetcher()
    document = HTML(string=html, url_fetcher=fetcher, base_url="asset:/")
    files = [
        Attachment(
            string=text, name=name, relationship="Data", url_fetcher=fetcher, base_url="asset:/"
        )
        for name, text in sorted(attachments.items())
    ]
    pdf: bytes = document.write_pdf(pdf_variant="pdf/a-3b", attachments=files)
    return pdf


def obligation_report_pdf(
    evaluation: Evaluation,
    lang: str = "en",
    data: dict[str, Any] | None = None,
    provenance: Provenance | None = None,
) -> bytes:
    """Evaluation result to PDF bytes: the obligation report with evaluation.json and
    affected-assets.csv attached. The CSV is opened in spreadsheet programs: its cells are
    written through ``engine.cells``, so inventory text never arrives as a live formula.

    The one path used by ``dutybound report``, ``POST /report`` and bench/bench_report.py
    (context, Jinja2, attachments, WeasyPrint), so the bench times exactly what users run.
    ``data`` is ``evaluation.to_json()`` when the caller already has it; ``provenance`` fills the
    sign-off block and the facts-relied-on box.
    """
    from dutybound.reports.context import assets_csv, evaluation_json, obligation_report

    data = evaluation.to_json() if data is None else data
    html = render_html("report.html.j2", obligation_report(evaluation, data, provenance), lang)
    return render_pdf(
        html,
        {"evaluation.json": evaluation_json(data), "affected-assets.csv": assets_csv(evaluation)},
    )
