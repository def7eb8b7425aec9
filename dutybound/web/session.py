"""Who is signed in to the pages, and the CSRF token of their session.

A person signs in with an API key (the one ``dutybound keys create`` prints). The session cookie
is signed by Starlette's ``SessionMiddleware`` (itsdangerous) but not encrypted, so it holds the
key's SHA-256, never the key itself; each request resolves that digest to its caller again, so a
revoked key signs the person out on their next click. The cookie also holds the tenant being
viewed (a consultant key reads several) and a random CSRF token that every form posts back.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from dutybound.service.db import ApiKey
from dutybound.service.keys import Caller, hash_key
from dutybound.service.state import Service
from dutybound.web.errors import PageError

COOKIE = "dutybound_session"
SESSION_SECONDS = 8 * 60 * 60  # a working day; signing in again costs one paste of the key
SECRET_ENV = "DUTYBOUND_SESSION_SECRET"
CSRF_FIELD = "csrf"
LANG_KEY = "lang"  # the interface language chosen in the header (web.language)

log = logging.getLogger("dutybound.web")


def session_secret() -> str:
    """The key that signs session cookies: ``DUTYBOUND_SESSION_SECRET``, else a random one for
    this process (with a warning: sessions then end when the process does, and several worker
    processes would not accept each other's cookies)."""
    configured = os.environ.get(SECRET_ENV, "")
    if configured:
        return configured
    log.warning(
        "%s is not set: session cookies are signed with a key made for this process only",
        SECRET_ENV,
    )
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def check_csrf(request: Request) -> None:
    """403 unless the posted form carries the session's CSRF token: a page of another site can
    make the browser post here with the cookie, but cannot read the token."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    known = request.session.get(CSRF_FIELD)
    if not (
        isinstance(sent, str)
        and isinstance(known, str)
        and known
        and secrets.compare_digest(sent, known)
    ):
        raise PageError(403, "this form is missing its CSRF token or it has expired")


def end_session(request: Request) -> None:
    """Forget who is signed in, their tenant and CSRF token; the interface language they
    chose stays (it says nothing about them, and the sign-in page should keep speaking it)."""
    lang = request.session.get(LANG_KEY)
    request.session.clear()
    if isinstance(lang, str):
        request.session[LANG_KEY] = lang


def caller_by_digest(svc: Service, digest: str) -> Caller | None:
    """The caller of the key with this SHA-256 (what ``keys.lookup_key`` answers for its
    secret); None if there is no such key or it was revoked."""
    import json

    with Session(svc.db) as session:
        row = session.get(ApiKey, digest)
    if row is None or row.revoked_at is not None:
        return None
    others = json.loads(row.consultant_of)
    return Caller(row.tenant, frozenset([row.tenant, *others]), bool(others))


def sign_in(request: Request, svc: Service, secret: str) -> Caller | None:
    """Start a session for the key ``secret``; None (and no session) if the key is unknown or
    revoked. A fresh CSRF token is made, so one from before signing in cannot be replayed."""
    found = svc.caller(secret.strip())
    if found is None:
        return None
    end_session(request)
    request.session["key"] = hash_key(secret.strip())
    request.session["tenant"] = found.tenant
    csrf_token(request)
    return found


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: their key's caller, and the tenant whose pages they are on."""

    caller: Caller
    tenant: str

    @property
    def reader(self) -> Caller:
        """The caller narrowed to the tenant being viewed: what the pages may read, so a
        consultant sees one client at a time and a guessed id of another gets 404."""
        return Caller(self.tenant, frozenset([self.tenant]), False)

    @property
    def writable(self) -> bool:
        """Whether the viewed tenant is the key's own (a consultant reads clients, as the API
        lets it, but stores profiles and results only for itself)."""
        return self.tenant == self.caller.tenant


class SignedOut(Exception):
    """No valid session: the pages answer with the sign-in page."""


async def viewer(request: Request) -> Viewer:
    """The signed-in person; ``SignedOut`` if there is no session or its key was revoked."""
    from starlette.concurrency import run_in_threadpool

    digest = request.session.get("key")
    tenant = request.session.get("tenant")
    if not isinstance(digest, str) or not isinstance(tenant, str):
        raise SignedOut
    svc: Service = request.app.state.service
    found = await run_in_threadpool(caller_by_digest, svc, digest)
    if found is None or tenant not in found.readable:
        end_session(request)
        raise SignedOut
    request.state.tenant = tenant  # for the request's log line
    return Viewer(found, tenant)


ViewerDep = Annotated[Viewer, Depends(viewer)]
CsrfDep = Depends(check_csrf)
