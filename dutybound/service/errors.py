"""The errors the API answers with besides FastAPI's own, and how OpenAPI documents them.

Bad input the engine finds (an unknown role, a country it cannot know) is a 422 shaped exactly
like FastAPI's validation errors, with ``loc`` naming the field, so a client handles one format.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from dutybound.engine.errors import InputError
from dutybound.service.db import Deleted
from dutybound.service.models import ErrorOut

# ``responses=`` of the endpoints that need a key, and of those that look an id up
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not JSON, or Content-Length is invalid."},
    401: {"model": ErrorOut, "description": "Missing, unknown or revoked API key."},
    413: {"model": ErrorOut, "description": "Request body too large."},
    422: {"model": ErrorOut, "description": "Invalid input; `loc` names the field."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such id (or not yours)."}
}


def deleted(outcome: Deleted, what: str) -> None:
    """The HTTP answer to a deletion that did not happen: 404 for an id that does not exist or
    is not readable (ids of other tenants cannot be probed), 403 for a consultant's client's."""
    if outcome is Deleted.NOT_FOUND:
        raise HTTPException(404, f"no {what} with this id")
    if outcome is Deleted.NOT_OWNER:
        raise HTTPException(
            403,
            f"this {what} belongs to another tenant: a consultant key may read it, not delete it",
        )


class FieldError(Exception):
    """Bad input found by the engine: 422, with ``loc`` naming the field like FastAPI does."""

    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def field_loc(field: str, data: Any = None) -> list[str | int]:
    """The engine's dotted ``field`` as a ``loc`` list, read against ``data`` (what the engine
    was given): a mapping key is kept whole even when it holds dots (a profile attribute
    ``"a.b"`` is one part, not two), taking at each level the longest key that the rest of the
    field starts with. Without ``data``, or where the field leaves it, a dot separates parts and
    digits are list positions."""
    parts = [p for p in field.split(".") if p]
    loc: list[str | int] = []
    node = data
    while parts:
        if isinstance(node, dict):
            for n in range(len(parts), 0, -1):
                key = ".".join(parts[:n])
                if key in node:
                    loc.append(key)
                    node, parts = node[key], parts[n:]
                    break
            else:
                node = None
            continue
        part = parts.pop(0)
        if part.isdigit():
            loc.append(int(part))
            node = node[int(part)] if isinstance(node, list) and int(part) < len(node) else None
        else:
            loc.append(part)
            node = None
    return loc


# The engine's messages point a CLI user to a command (quoted, whatever the words around it); an
# API client is pointed to the endpoint that answers the same question.
_CLI_POINTERS = (
    ("'dutybound law roles'", "GET /law/roles"),
    ("'dutybound law list'", "GET /law/obligations"),
    ("'dutybound vendors match'", "POST /vendors/screen"),
)
ROLES_POINTER = "the roles are listed at GET /law/roles"
ROLE_FIELDS = frozenset({"roles", "as_role"})


def for_api(loc: list[str | int], message: str) -> str:
    """The engine's ``message`` for an API client: a pointer to a CLI command becomes the
    endpoint's, and every error about a role field says where the roles are listed."""
    for cli, api in _CLI_POINTERS:
        message = message.replace(cli, api)
    field = next((part for part in reversed(loc) if isinstance(part, str)), None)
    if field in ROLE_FIELDS and "GET /law/roles" not in message:
        message = f"{message}; {ROLES_POINTER}"
    return message


@contextmanager
def engine_input(
    prefix: tuple[str | int, ...], indexed: bool = False, data: Any = None
) -> Iterator[None]:
    """Turn an engine ``InputError`` into a 422 naming ``prefix`` + the error's (line, field);
    with ``indexed``, the error's line is the 1-based position in the list at ``prefix``.
    ``data`` is what the engine was given, to read the field's keys from (``field_loc``)."""
    try:
        yield
    except InputError as error:
        loc: list[str | int] = list(prefix)
        if indexed and error.line is not None:
            loc.append(error.line - 1)
        loc.extend(field_loc(error.field or "", data))
        raise FieldError(loc, for_api(loc, error.message)) from None


def readable(value: Any) -> Any:
    """``value`` with every lone surrogate replaced by U+FFFD and every NaN or infinity by its
    name, so that it can be sent as JSON in UTF-8: a 422 echoes the input it refuses, and that
    input may be text no UTF-8 can carry or a number JSON has not (FastAPI's own handler then
    fails, and the client got a 500 for its bad input)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, dict):
        return {readable(k): readable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [readable(v) for v in value]
    return value


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 for a request its models refuse, exactly as FastAPI shapes it, with the
    echoed input made sendable (``readable``)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=422, content={"detail": readable(jsonable_encoder(exc.errors()))}
    )


def _field_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FieldError)
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": readable(exc.loc), "msg": readable(exc.message), "type": "input_error"}
            ]
        },
    )


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FieldError, _field_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
