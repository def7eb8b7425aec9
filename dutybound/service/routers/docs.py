"""GET /docs (Swagger UI) and GET /redoc (ReDoc), served wholly by the service.

FastAPI's own pages load their scripts and styles from a CDN, so on an operator network without
internet access they stay blank. Here the pages reference only this service's URLs: the assets
come from the ``fastapi-offline`` package (a maintained copy of the Swagger UI and ReDoc builds,
installed from PyPI with the service), served from ``/docs/assets/``. Swagger UI's validator
badge, which would call an outside validator, is turned off, and ReDoc does not load web fonts.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

ASSETS = "/docs/assets"


class Asset(StrEnum):
    """The files the two pages load, and only those: nothing else of the package is served."""

    SWAGGER_JS = "swagger-ui-bundle.js"
    SWAGGER_CSS = "swagger-ui.css"
    REDOC_JS = "redoc.standalone.js"
    FAVICON = "favicon.png"


MEDIA_TYPES = {
    Asset.SWAGGER_JS: "text/javascript; charset=utf-8",
    Asset.SWAGGER_CSS: "text/css; charset=utf-8",
    Asset.REDOC_JS: "text/javascript; charset=utf-8",
    Asset.FAVICON: "image/png",
}

router = APIRouter(include_in_schema=False)


def _openapi_url(request: Request) -> str:
    """The OpenAPI document's path under the prefix a reverse proxy serves the service at."""
    return str(request.scope.get("root_path", "")) + str(request.app.openapi_url)


def _asset_url(request: Request, asset: Asset) -> str:
    return f"{request.scope.get('root_path', '')}{ASSETS}/{asset.value}"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API reference (Swagger UI), with every asset served from here."""
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - API reference",
        swagger_js_url=_asset_url(request, Asset.SWAGGER_JS),
        swagger_css_url=_asset_url(request, Asset.SWAGGER_CSS),
        swagger_favicon_url=_asset_url(request, Asset.FAVICON),
        # the default validator badge asks validator.swagger.io about the document
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """The API reference as one readable page (ReDoc), with every asset served from here."""
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - API reference",
        redoc_js_url=_asset_url(request, Asset.REDOC_JS),
        redoc_favicon_url=_asset_url(request, Asset.FAVICON),
        with_google_fonts=False,
    )


@cache
def _read(asset: Asset) -> bytes:
    return files("fastapi_offline").joinpath("static", asset.value).read_bytes()


@router.get(ASSETS + "/{asset}")
def asset(asset: Annotated[Asset, PathParam()]) -> Response:
    """One of the pages' assets; they change only with the installed package, so clients may
    keep them for a day."""
    return Response(
        _read(asset),
        media_type=MEDIA_TYPES[asset],
        headers={"Cache-Control": "public, max-age=86400"},
    )
