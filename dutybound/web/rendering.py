"""The pages' Jinja2 environments: ``templates/web``, autoescaped and strict like the reports',
one per interface language with the reports' translation functions, so a phrase the report
catalogue has reads the same on a page and in the Czech or English PDF."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dutybound.engine.vocabulary import label
from dutybound.reports.paths import TEMPLATES
from dutybound.reports.render import translator
from dutybound.web.language import NAMES, Language, language
from dutybound.web.session import CSRF_FIELD, csrf_token


@cache
def environment(lang: Language = Language.EN) -> Environment:
    """Built once per process and language: the templates and catalogues are files shipped
    with the project and do not change while it runs."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "web"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
    )
    t, tn = translator(lang.value)
    env.globals.update(t=t, tn=tn, lang=lang.value, languages=NAMES, csrf_field=CSRF_FIELD)
    env.filters["words"] = lambda word: t(label(str(word))) if word else ""
    return env


def law_language(request: Request) -> Callable[[str], str | None]:
    """The language an instrument of the loaded rule pack was made in (``cs`` for a Czech
    act), by its id; None when unknown. A Czech page shows a Czech law by its own Czech title
    (``title_original``), as a Czech lawyer cites it; other pages show it beside the English."""

    def language_of(instrument_id: str) -> str | None:
        service = getattr(request.app.state, "service", None)
        found = service.pack.instruments.get(instrument_id) if service is not None else None
        return found.language if found is not None else None

    return language_of


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template rendered in this request's language, with the session's CSRF token and
    the path the language switch comes back to at hand."""
    here = request.url.path if request.method == "GET" else "/app/home"
    if request.method == "GET" and request.url.query:
        here = f"{here}?{request.url.query}"
    html = (
        environment(language(request))
        .get_template(template)
        .render(
            request=request,
            csrf=csrf_token(request),
            here=here,
            law_language=law_language(request),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)
