"""The web application: server-rendered pages for the compliance officer and the consultant.

Everything here runs on the service's own state (tenants, keys, stored profiles and results) and
the engine's own checks; nothing is computed differently from the CLI or the HTTP API. No build
step and no CDN: the templates are in ``templates/web`` and the few static files are served from
``dutybound/web/static``, so the pages work on an air-gapped network. ``mount`` adds the pages
to an application (``service.app.create_app`` calls it).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from dutybound.web.compare import router as compare_router
from dutybound.web.errors import PageError
from dutybound.web.examples import router as examples_router
from dutybound.web.facts import router as facts_router
from dutybound.web.history import router as history_router
from dutybound.web.language import router as language_router
from dutybound.web.pages import router
from dutybound.web.session import COOKIE, SESSION_SECONDS, SignedOut, session_secret, viewer

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    """Add the pages under /app, their static files under /app/static and the signed session
    cookie (HttpOnly, SameSite=Lax) they sign in with."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(),
        session_cookie=COOKIE,
        max_age=SESSION_SECONDS,
        same_site="lax",
        path="/app",
    )
    app.mount("/app/static", StaticFiles(directory=STATIC), name="web-static")
    app.include_router(router)
    app.include_router(facts_router)
    app.include_router(compare_router)
    app.include_router(examples_router)
    app.include_router(history_router)
    app.include_router(language_router)
    app.add_exception_handler(SignedOut, _to_signin)
    app.add_exception_handler(PageError, _refused)


async def _to_signin(request: Request, exc: Exception) -> RedirectResponse:
    """A page asked for without a valid session: to the sign-in page (303)."""
    return RedirectResponse("/app/signin", status_code=303)


TITLES = {403: "Not allowed", 404: "Not found"}


async def _refused(request: Request, exc: Exception) -> Response:
    """A refused page as a page with its status; the session (if any) stays as it was."""
    from dutybound.web.rendering import page

    if not isinstance(exc, PageError):  # registered for PageError only
        raise exc
    who = None
    with contextlib.suppress(SignedOut):  # a refusal before sign-in shows no account bar
        who = await viewer(request)
    title = TITLES.get(exc.status, "Refused")
    return page(request, "error.html.j2", exc.status, who=who, title=title, message=exc.message)
