"""The pages' Jinja2 environment: ``templates/web``, autoescaped and strict like the reports',
with the reports' translation functions so a phrase the report catalogue has reads the same."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dutybound.engine.vocabulary import label
from dutybound.reports.paths import TEMPLATES
from dutybound.reports.render import translator
from dutybound.web.session import CSRF_FIELD, csrf_token

LANG = "en"  # the pages are English for now; the catalogue supplies words it already has


@cache
def environment() -> Environment:
    """Built once per process: the templates are files shipped with the project."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "web"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
    )
    t, tn = translator(LANG)
    env.globals.update(t=t, tn=tn, lang=LANG, csrf_field=CSRF_FIELD)
    env.filters["words"] = lambda word: t(label(str(word))) if word else ""
    return env


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template rendered for this request, with the session's CSRF token at hand."""
    html = (
        environment()
        .get_template(template)
        .render(request=request, csrf=csrf_token(request), **context)
    )
    return HTMLResponse(html, status_code=status)
