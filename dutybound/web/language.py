"""The pages' interface language: Czech or English, per request.

A person's choice (the switch in the page header, a CSRF-protected POST) is kept in the session
and outlives signing in and out; before they choose, the browser's ``Accept-Language`` decides
(Czech when it prefers Czech to English, English otherwise), so a Czech officer's first page
is already Czech. The words come from the reports' catalogue (``templates/i18n``), so a phrase
reads the same on a page and in the PDF.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from dutybound.web.session import LANG_KEY, CsrfDep


class Language(StrEnum):
    """The interface languages of the pages (each has a complete catalogue: tests/test_i18n)."""

    EN = "en"
    CS = "cs"


DEFAULT = Language.EN
CODES = frozenset(lang.value for lang in Language)
NAMES = {Language.EN: "English", Language.CS: "Čeština"}  # each in its own language


def _quality(part: str) -> float:
    """The ``q`` weight of one Accept-Language entry (1 when absent, 0 when unreadable)."""
    for param in part.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def from_accept_language(header: str) -> Language:
    """The shipped language the browser prefers most (``cs-CZ,cs;q=0.9,en;q=0.8`` is Czech,
    ``de,en;q=0.5`` English); English when it names none of them."""
    ranked: list[tuple[float, int, Language]] = []
    for index, part in enumerate(header.split(",")):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        quality = _quality(part)
        if quality > 0 and primary in CODES:
            ranked.append((-quality, index, Language(primary)))
    return min(ranked)[2] if ranked else DEFAULT


def language(request: Request) -> Language:
    """This request's language: the session's choice, else the browser's preference."""
    chosen = request.session.get(LANG_KEY) if "session" in request.scope else None
    if isinstance(chosen, str) and chosen in CODES:
        return Language(chosen)
    return from_accept_language(request.headers.get("accept-language", ""))


def back_to(target: str) -> str:
    """Where the switch returns: the page it was on, if that is one of the pages (a path under
    /app, never another site: ``//evil.example`` and ``/app/../x`` go home)."""
    if target.startswith("/app/") and not target.startswith("//") and ".." not in target:
        return target
    return "/app/home"


router = APIRouter(prefix="/app", include_in_schema=False)


@router.post("/language", dependencies=[CsrfDep])
def choose_language(
    request: Request,
    lang: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Remember the chosen language in the session and show the same page again in it; an
    unknown language is ignored (the page comes back as it was)."""
    if lang in CODES:
        request.session[LANG_KEY] = lang
    return RedirectResponse(back_to(back), status_code=303)
