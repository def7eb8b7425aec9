"""The errors the API answers with besides FastAPI's own, and how OpenAPI documents them.

Bad input the engine finds (an unknown role, a country it cannot know) is a 422 shaped exactly
like FastAPI's validation errors, with ``loc`` naming the field, so a client handles one format.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from dutybound.engine.errors import InputError
from dutybound.service.models import ErrorOut

# ``responses=`` of the endpoints that need a key, and of those that look an id up
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing, unknown or revoked API key."},
    413: {"model": ErrorOut, "description": "Request body too large."},
    422: {"model": ErrorOut, "description": "Invalid input; `loc` names the field."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such id (or not yours)."}
}


class FieldError(Exception):
    """Bad input found by the engine: 422, with ``loc`` naming the field like FastAPI does."""

    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


@contextmanager
def engine_input(prefix: tuple[str | int, ...], indexed: bool = False) -> Iterator[None]:
    """Turn an engine ``InputError`` into a 422 naming ``prefix`` + the error's (line, field);
    with ``indexed``, the error's line is the 1-based position in the list at ``prefix``."""
    try:
        yield
    except InputError as error:
        loc: list[str | int] = list(prefix)
        if indexed and error.line is not None:
            loc.append(error.line - 1)
        for part in (error.field or "").split("."):
            if part:
                loc.append(int(part) if part.isdigit() else part)
        raise FieldError(loc, error.message) from None


def _field_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FieldError)
    return JSONResponse(
        status_code=422,
        content={"detail": [{"loc": exc.loc, "msg": exc.message, "type": "input_error"}]},
    )


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FieldError, _field_error)
