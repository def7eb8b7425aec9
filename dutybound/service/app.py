"""The HTTP service: FastAPI over the engine. No law is computed here.

Run it with ``run(host, port, db_url)`` (what ``python -m service serve`` and ``dutybound serve``
call). Within one process durable-rules is not thread-safe and the engine serialises evaluations
with a lock, so most endpoints are plain ``def`` and their blocking work runs in a small
threadpool; ``workers`` > 1 starts that many processes (each with its own rule pack and caches).
POST /check is ``async``: it answers repeated questions from the check cache (``service.cache``)
on the event loop, evaluates a single new item there too when the engine is free, and sends bids,
evaluations that would wait for the engine, and database reads to the threadpool.
"""

import datetime as dt
import functools
import gc
import json
import logging
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text
from dutybound.service import db
from dutybound.service.cache import DEFAULT_MAX_BYTES, ResponseCache, canonical_sha256
from dutybound.service.models import (
    CheckRequest,
    CheckResponse,
    CompareRequest,
    ErrorOut,
    EvaluateRequest,
    EvaluationOut,
    Health,
    ProfileIn,
    ProfileOut,
    ReportRequest,
    _WithProfile,
)

MAX_BODY_BYTES = 5 * 1024 * 1024
# Threads for the plain-``def`` endpoints. Evaluations are serialised by the engine's lock, so
# more threads add only GIL contention (measured: 40 threads at 50 clients lose a third of the
# throughput and multiply p99); a few keep the database and JSON work overlapping.
WORKER_THREADS = 4
KEY_CACHE_SECONDS = 30.0
# A check of up to this many items is evaluated on the event loop (a few ms of CPU) when the
# engine is idle: with the GIL a threadpool hop only adds thread switches (measured: cold single
# checks ~20% more per second inline). Bids go to the threadpool, so one cannot stall the loop.
INLINE_CHECK_ITEMS = 1
PROFILE_CACHE_SIZE = 1024  # validated profiles kept per process (see validated_profile)
log = logging.getLogger("dutybound.service")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(data, default=str).decode()


def _configure_logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _json_error(status: int, detail: Any) -> bytes:
    return json.dumps({"detail": detail}).encode()


class ServiceMiddleware:
    """Pure ASGI: rule-pack headers on every response, the body size limit (413), one JSON log
    line per request, and a generic 500 that never shows a stack trace to the client."""

    def __init__(self, app: Any, headers: list[tuple[bytes, bytes]], max_body: int) -> None:
        self.app = app
        self.headers = headers
        self.max_body = max_body

    async def _reply(self, send: Any, status: int, detail: str) -> None:
        body = _json_error(status, detail)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        state = scope.setdefault("state", {})
        status = [0]
        try:
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None:
                try:
                    too_big = int(length) > self.max_body
                except ValueError:
                    status[0] = 400
                    await self._reply(send, 400, "invalid Content-Length")
                    return
                if too_big:
                    status[0] = 413
                    await self._reply(send, 413, f"request body over {self.max_body} bytes")
                    return
            received = 0

            async def limited_receive() -> dict:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body:
                        raise HTTPException(413, f"request body over {self.max_body} bytes")
                return message

            async def send_with_headers(message: dict) -> None:
                if message["type"] == "http.response.start":
                    status[0] = message["status"]
                    message["headers"] = [*message.get("headers", []), *self.headers]
                await send(message)

            try:
                await self.app(scope, limited_receive, send_with_headers)
            except Exception:
                log.exception(
                    "unhandled error",
                    extra={"fields": {"method": scope["method"], "path": scope["path"]}},
                )
                if status[0]:
                    raise  # the response had started: nothing sensible can be sent now
                status[0] = 500
                await self._reply(send, 500, "internal error")
        finally:
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status[0] or 500,
                        "ms": round((time.perf_counter() - start) * 1000, 2),
                        "tenant": state.get("tenant"),
                    }
                },
            )


_MISS = object()


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


class Service:
    """What the endpoints share: the rule pack (loaded once), the evaluator and the database."""

    def __init__(
        self,
        db_url: str | None,
        law_dir: Path | None,
        check_cache_bytes: int,
    ) -> None:
        from dutybound.engine.evaluation import engine_version
        from dutybound.engine.evaluators import get_evaluator
        from dutybound.engine.loading import load_rulepack

        self.pack = load_rulepack(law_dir)
        self.evaluator, self.evaluator_notice = get_evaluator("auto")
        self.engine_version = engine_version()
        self.db: Engine = db.make_engine(db_url)
        self.checks = ResponseCache(check_cache_bytes)
        # Held by every engine call of the service. The event loop only ever try-acquires it, so
        # it never waits behind an evaluation running in the threadpool (durable-rules
        # serialises evaluations with its own lock, which is only taken inside this one).
        self.engine_lock = threading.Lock()
        self._keys: dict[str, tuple[float, db.Caller | None]] = {}
        self._keys_lock = threading.Lock()

    def cached_caller(self, key: str) -> Any:
        """The caller if the key was looked up recently, else ``_MISS``."""
        hit = self._keys.get(db.hash_key(key))
        if hit is not None and time.monotonic() - hit[0] < KEY_CACHE_SECONDS:
            return hit[1]
        return _MISS

    def caller(self, key: str) -> db.Caller | None:
        digest = db.hash_key(key)
        hit = self._keys.get(digest)
        if hit is not None and time.monotonic() - hit[0] < KEY_CACHE_SECONDS:
            return hit[1]
        found = db.lookup_key(self.db, key)
        with self._keys_lock:
            if len(self._keys) > 10000:
                self._keys.clear()
            self._keys[digest] = (time.monotonic(), found)
        return found


def create_app(
    db_url: str | None = None,
    law_dir: Path | None = None,
    max_body: int = MAX_BODY_BYTES,
    check_cache_bytes: int = DEFAULT_MAX_BYTES,
) -> FastAPI:
    """The application; ``db_url`` defaults to $DUTYBOUND_DATABASE_URL, else the per-user SQLite
    file (engine.store.connection);
    ``check_cache_bytes`` bounds the check cache (0 turns it off)."""
    from dutybound.engine.catalogue import (
        instrument_detail,
        list_obligations,
        obligation_json,
        role_json,
    )

    _configure_logging()
    svc = Service(db_url, law_dir, check_cache_bytes)
    pack = svc.pack
    rulepack_info = {
        "version": pack.version,
        "sha256": pack.sha256,
        "law_as_of": pack.law_as_of.isoformat(),
    }

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        # The rule pack and registry live as long as the process: moved out of the collector's
        # reach, a full collection takes ~5 ms instead of ~100 ms (measured), which otherwise
        # lands on some unlucky request's latency.
        gc.collect()
        gc.freeze()
        yield
        svc.db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        # no OpenTelemetry here (requests are logged by ServiceMiddleware); FastAPI's per-request
        # telemetry hooks cost ~120 us of a ~560 us cached check (measured in-process)
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="dutybound",
        version=svc.engine_version,
        summary="High-risk-vendor obligations and procurement verdicts, as of a date.",
        description="Every response carries the rule pack in the headers "
        "`X-Dutybound-Rulepack` and `X-Dutybound-Rulepack-Sha256`. Authenticate with an API "
        "key in `X-API-Key` (`python -m service keys create --tenant T`). Not legal advice.",
    )
    app.state.service = svc
    app.add_middleware(
        ServiceMiddleware,
        max_body=max_body,
        headers=[
            (b"x-dutybound-rulepack", pack.version.encode()),
            (b"x-dutybound-rulepack-sha256", pack.sha256.encode()),
        ],
    )

    @app.exception_handler(FieldError)
    def _field_error(request: Request, exc: FieldError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={"detail": [{"loc": exc.loc, "msg": exc.message, "type": "input_error"}]},
        )

    class TenantKey(APIKeyHeader):
        """The X-API-Key header resolved to its caller (401 if missing or unknown), in one
        dependency: FastAPI's bookkeeping costs tens of microseconds per dependency level."""

        async def __call__(self, request: Request) -> db.Caller:  # type: ignore[override]
            # async, so a request makes at most one threadpool hop; only a key cache miss reads
            # the database (in the threadpool)
            key = request.headers.get("x-api-key")
            found = None
            if key:
                found = svc.cached_caller(key)
                if found is _MISS:
                    found = await run_in_threadpool(svc.caller, key)
            if found is None:
                raise HTTPException(
                    401,
                    "missing or unknown API key (header X-API-Key)",
                    headers={"WWW-Authenticate": "APIKey"},
                )
            request.state.tenant = found.tenant
            return found

    caller = TenantKey(
        name="X-API-Key",
        auto_error=False,
        scheme_name="APIKeyHeader",
        description="API key of a tenant (or a consultant of several).",
    )

    Caller = Annotated[db.Caller, Depends(caller)]
    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorOut, "description": "Missing or unknown API key."},
        413: {"model": ErrorOut, "description": "Request body too large."},
        422: {"model": ErrorOut, "description": "Invalid input; `loc` names the field."},
    }
    not_found: dict[int | str, dict[str, Any]] = {
        404: {"model": ErrorOut, "description": "No such id (or not yours)."}
    }

    def stored_profile(profile_id: str, who: db.Caller) -> db.StoredProfile:
        row = db.get_readable(svc.db, db.StoredProfile, profile_id, who)
        if row is None:
            raise HTTPException(404, "no profile with this id")
        assert isinstance(row, db.StoredProfile)
        return row

    def profile_data(req: _WithProfile, who: db.Caller) -> tuple[dict, tuple[str, ...]]:
        """The profile as data, and where it came from (for error locations); a stored one is
        read from the database (404 unless the caller may read it)."""
        if req.profile is not None:
            return req.profile.model_dump(), ("body", "profile")
        return json.loads(stored_profile(str(req.profile_id), who).body), ("body", "profile_id")

    @functools.lru_cache(maxsize=PROFILE_CACHE_SIZE)
    def validated_profile(canonical: bytes) -> Any:
        """A profile (as canonical JSON) validated against the rule pack. Kept: a procurement
        system sends the same profile with every check, and validation is pure (a failure raises
        and is not kept)."""
        from dutybound.engine.inputs import check_profile

        return check_profile(orjson.loads(canonical), pack, "profile")

    def checked_profile(
        req: _WithProfile,
        data: dict,
        where: tuple[str, ...],
    ) -> tuple[Any, frozenset[str]]:
        """The profile validated against the rule pack, with the what-if roles assumed."""
        from dutybound.engine.roles import assume_roles

        with engine_input(where):
            profile = validated_profile(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
        hypothetical = frozenset(req.as_role) - set(profile.roles)
        if req.as_role:
            with engine_input(("body", "as_role")):
                profile = assume_roles(pack, profile, req.as_role, source="as_role")
        return profile, hypothetical

    def resolve_profile(req: _WithProfile, who: db.Caller) -> tuple[Any, frozenset[str], dict]:
        data, where = profile_data(req, who)
        return (*checked_profile(req, data, where), data)

    def checked_waivers(
        req: CheckRequest | EvaluateRequest | ReportRequest,
        profile: Any,
    ) -> tuple[list[Any] | None, list[dict[str, Any]]]:
        """The request's waiver records validated against the rule pack and the profile (422
        naming the record and field), and their data for the inputs fingerprint."""
        from dutybound.engine.waivers import check_waivers

        if req.waivers is None:
            return None, []
        data = [w.model_dump(mode="json", exclude_none=True) for w in req.waivers]
        with engine_input(("body", "waivers")):
            return check_waivers(data, pack, "waivers", operator=profile.name), data

    def read_assets(where: str, rows: list[dict[str, str]], indexed: bool = True) -> list[Any]:
        from dutybound.engine.inputs import assets_from_rows, rows_from_mappings

        with engine_input(("body", where), indexed=indexed):
            return assets_from_rows(where, rows_from_mappings(rows))

    def fingerprint(*parts: Any) -> str:
        """The ``inputs.sha256`` of a result: SHA-256 of the inputs as canonical JSON."""
        return canonical_sha256(*parts).hex()

    def run_evaluation(
        req: EvaluateRequest | ReportRequest, who: db.Caller, include_ended: bool = False
    ) -> Any:
        from dutybound.engine.evaluation import evaluate

        profile, hypothetical, data = resolve_profile(req, who)
        rows = [a.row(a.asset_id, a.country, str(a.status)) for a in req.assets]
        assets = read_assets("assets", rows)
        waivers, waiver_data = checked_waivers(req, profile)
        with svc.engine_lock:
            result = evaluate(
                pack,
                profile,
                assets,
                req.as_of,
                evaluator=svc.evaluator,
                include_ended=include_ended,
                hypothetical=hypothetical,
                waivers=waivers,
                inputs_sha256=fingerprint(
                    data, rows, req.as_role, *([waiver_data] if waivers is not None else [])
                ),
            )
        if svc.evaluator_notice:
            result.notices.insert(0, svc.evaluator_notice)
        return result

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> dict[str, Any]:
        """Liveness, and the rule pack this server evaluates with (no key needed)."""
        return {
            "status": "ok",
            "rulepack": rulepack_info,
            "engine": {"version": svc.engine_version, "evaluator": svc.evaluator.name},
        }

    @app.get("/law/obligations", tags=["law"], responses=errors)
    def law_obligations(
        who: Caller,
        jurisdiction: Annotated[
            str | None, Query(max_length=8, description="ISO code, e.g. CZ.")
        ] = None,
        kind: Annotated[str | None, Query(max_length=64, description="Kind, e.g. removal.")] = None,
    ) -> list[dict[str, Any]]:
        """Every obligation of the rule pack, with citation, dates, deadline and scope."""
        return list_obligations(pack, jurisdiction.upper() if jurisdiction else None, kind)

    @app.get("/law/obligations/{obligation_id}", tags=["law"], responses={**errors, **not_found})
    def law_obligation(
        who: Caller,
        obligation_id: Annotated[str, PathParam(max_length=200)],
    ) -> dict[str, Any]:
        """One obligation in full."""
        for item in pack.obligations:
            if item.obligation.id == obligation_id:
                return obligation_json(item)
        raise HTTPException(404, "no obligation with this id")

    @app.get("/law/instruments/{instrument_id}", tags=["law"], responses={**errors, **not_found})
    def law_instrument(
        who: Caller,
        instrument_id: Annotated[str, PathParam(max_length=200)],
    ) -> dict[str, Any]:
        """An instrument (act, decree, direction, guidance) with its obligations."""
        inst = pack.instruments.get(instrument_id)
        if inst is None:
            raise HTTPException(404, "no instrument with this id")
        obligations = [
            obligation_json(i) for i in pack.obligations if i.instrument.id == instrument_id
        ]
        return {
            "instrument": instrument_detail(inst),
            "obligations": sorted(obligations, key=lambda o: o["obligation_id"]),
        }

    @app.get("/law/roles", tags=["law"], responses=errors)
    def law_roles(who: Caller) -> list[dict[str, Any]]:
        """The legal roles a profile can declare (and those derived from attributes)."""
        return [role_json(r) for _, r in sorted(pack.roles.items())]

    def check_rows(req: CheckRequest, profile: Any) -> tuple[str, list[dict[str, str]]]:
        """The inventory rows of the checked items (the country defaults to the profile's only
        jurisdiction); 422 naming the item when the country cannot be known."""
        items = req.items if req.items is not None else [req.item]
        where = "items" if req.items is not None else "item"
        default_country = profile.jurisdictions[0] if len(profile.jurisdictions) == 1 else None
        rows = []
        for n, item in enumerate(items, start=1):
            assert item is not None
            country = item.country or default_country
            if country is None:
                loc: list[str | int] = (
                    ["body", where, n - 1, "country"]
                    if where == "items"
                    else ["body", where, "country"]
                )
                raise FieldError(
                    loc, "the profile lists several jurisdictions; say where the item will be used"
                )
            rows.append(item.row(item.asset_id or f"item-{n}", country, str(item.status)))
        return where, rows

    def run_check(
        profile: Any,
        assets: list[Any],
        as_of: dt.date,
        hypothetical: frozenset[str],
        inputs_sha256: str,
        waivers: list[Any] | None,
    ) -> bytes:
        """The engine's verdicts as the JSON body (the slow part: about a millisecond per
        single check); the caller holds ``svc.engine_lock``."""
        from dutybound.engine.verdict import check_items

        result = check_items(pack, profile, assets, as_of, hypothetical, inputs_sha256, waivers)
        return orjson.dumps(result.to_json())

    def run_check_locked(*args: Any) -> bytes:
        with svc.engine_lock:
            return run_check(*args)

    async def compute_check(req: CheckRequest, data: dict, where: tuple[str, ...]) -> bytes:
        """Validate against the rule pack and evaluate. A single check runs right here on the
        event loop if the engine is free; otherwise, and for bids, in the threadpool, where
        waiting for the engine blocks nobody else."""
        profile, hypothetical = checked_profile(req, data, where)
        items_at, rows = check_rows(req, profile)
        assets = read_assets(items_at, rows, indexed=items_at == "items")
        waivers, waiver_data = checked_waivers(req, profile)
        inputs = fingerprint(
            data, rows, req.as_role, *([waiver_data] if waivers is not None else [])
        )
        args = (profile, assets, req.as_of, hypothetical, inputs, waivers)
        if len(rows) <= INLINE_CHECK_ITEMS and svc.engine_lock.acquire(blocking=False):
            try:
                return run_check(*args)
            finally:
                svc.engine_lock.release()
        return await run_in_threadpool(run_check_locked, *args)

    @app.post(
        "/check",
        tags=["procurement"],
        response_model=None,
        responses={
            200: {
                "model": CheckResponse,
                "description": "The verdicts (same JSON as `dutybound check --format json`).",
                "headers": {
                    "X-Dutybound-Cache": {
                        "description": "hit: the body was computed earlier for "
                        "exactly these inputs (see service.cache); miss: computed "
                        "now.",
                        "schema": {"type": "string"},
                    }
                },
            },
            **errors,
            **not_found,
        },
    )
    async def check(req: CheckRequest, who: Caller) -> Response:
        """Procurement gate: prohibited, review, conditional or allowed, per item and overall
        (the worst item decides), with reasons and citations."""
        # async: a cache hit takes microseconds, so it is answered on the event loop without a
        # threadpool hop. A hit skips the rule-pack validation too: an entry exists only because
        # exactly these inputs passed it, against this same pack, when the entry was made.
        if req.profile is not None:
            data, where = profile_data(req, who)
        else:
            data, where = await run_in_threadpool(profile_data, req, who)
        key = canonical_sha256(
            who.tenant,
            pack.sha256,
            svc.engine_version,
            svc.evaluator.name,
            data,
            req.model_dump_json(exclude={"profile", "profile_id"}),
        )
        body = svc.checks.get(key)
        hit = body is not None
        if body is None:
            body = await compute_check(req, data, where)
            svc.checks.put(key, body)
        return Response(
            body,
            media_type="application/json",
            headers={"X-Dutybound-Cache": "hit" if hit else "miss"},
        )

    @app.post(
        "/evaluate",
        tags=["evaluation"],
        status_code=201,
        response_model=EvaluationOut,
        responses={**errors, **not_found},
    )
    def evaluate_inventory(req: EvaluateRequest, who: Caller) -> dict[str, Any]:
        """Every obligation that applies on the date, with citation, due date, assets and
        explanation; the result is stored for GET /results/{id} (your tenant)."""
        result = run_evaluation(req, who, req.include_ended)
        data = result.to_json()
        row = db.save_result(
            svc.db, who.tenant, req.as_of, pack.version, pack.sha256, json_text(data)
        )
        return {"result_id": row.id, "created_at": row.created_at, "evaluation": data}

    @app.get(
        "/results/{result_id}",
        tags=["evaluation"],
        response_model=EvaluationOut,
        responses={**errors, **not_found},
    )
    def get_result(
        who: Caller,
        result_id: Annotated[str, PathParam(max_length=64)],
    ) -> dict[str, Any]:
        """A stored evaluation (of your tenant, or of one you may read)."""
        row = db.get_readable(svc.db, db.StoredResult, result_id, who)
        if row is None:
            raise HTTPException(404, "no result with this id")
        return {
            "result_id": row.id,
            "created_at": row.created_at,
            "evaluation": json.loads(row.body),
        }

    @app.post("/compare", tags=["evaluation"], responses={**errors, **not_found})
    def compare(req: CompareRequest, who: Caller) -> dict[str, Any]:
        """Strongest measure, earliest deadline and citation per jurisdiction; with vendors,
        the vendor-by-jurisdiction matrix (same JSON as `dutybound compare --format json`)."""
        from dutybound.engine.compare import run_comparison

        profile, hypothetical, _ = resolve_profile(req, who)
        rows = [a.row(a.asset_id, a.country, str(a.status)) for a in req.assets or []]
        assets = read_assets("assets", rows)
        codes = (
            [c.strip().upper() for c in req.jurisdictions]
            if req.jurisdictions
            else sorted(profile.jurisdictions)
        )
        try:
            with svc.engine_lock:
                return run_comparison(
                    pack, profile, assets, req.as_of, codes, req.vendors, hypothetical
                ).data
        except InputError as error:
            field = error.file.lstrip("-")
            raise FieldError(
                ["body", "vendors" if field == "vendor" else "jurisdictions"], error.message
            ) from None

    @app.post(
        "/report",
        tags=["evaluation"],
        response_class=Response,
        responses={
            200: {
                "content": {"application/pdf": {}},
                "description": "The obligation report, PDF/A-3b.",
            },
            **errors,
            **not_found,
        },
    )
    def report(req: ReportRequest, who: Caller) -> Response:
        """The obligation report as a PDF/A-3b download, with the evaluation JSON and the
        affected-asset CSV attached."""
        from dutybound.reports.render import LANGUAGES, obligation_report_pdf

        if req.lang not in LANGUAGES:
            raise FieldError(
                ["body", "lang"],
                f"no interface language {req.lang!r}; available: {', '.join(LANGUAGES)}",
            )
        result = run_evaluation(req, who)
        body = obligation_report_pdf(result, req.lang)
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="dutybound-{req.as_of}.pdf"'},
        )

    @app.post(
        "/profiles", tags=["profiles"], status_code=201, response_model=ProfileOut, responses=errors
    )
    def create_profile(profile: ProfileIn, who: Caller) -> dict[str, Any]:
        """Store a profile for your tenant; use its id as profile_id in other requests."""
        from dutybound.engine.inputs import check_profile

        data = profile.model_dump()
        with engine_input(("body",)):
            check_profile(data, pack, "profile")
        row = db.save_profile(svc.db, who.tenant, profile.name, json.dumps(data))
        return {"id": row.id, "tenant": row.tenant, "created_at": row.created_at, "profile": data}

    @app.get(
        "/profiles/{profile_id}",
        tags=["profiles"],
        response_model=ProfileOut,
        responses={**errors, **not_found},
    )
    def get_profile(
        who: Caller,
        profile_id: Annotated[str, PathParam(max_length=64)],
    ) -> dict[str, Any]:
        """A stored profile (of your tenant, or of one you may read)."""
        row = stored_profile(profile_id, who)
        return {
            "id": row.id,
            "tenant": row.tenant,
            "created_at": row.created_at,
            "profile": json.loads(row.body),
        }

    return app


ENV_LAW_DIR = "DUTYBOUND_LAW_DIR"
ENV_CHECK_CACHE = "DUTYBOUND_CHECK_CACHE_BYTES"


def app_from_env() -> FastAPI:
    """The application configured by environment variables: the factory each worker process
    calls when ``run`` starts several (uvicorn can pass them only an import string)."""
    law_dir = os.environ.get(ENV_LAW_DIR)
    return create_app(
        os.environ.get("DUTYBOUND_DATABASE_URL"),
        Path(law_dir) if law_dir else None,
        check_cache_bytes=int(os.environ.get(ENV_CHECK_CACHE, DEFAULT_MAX_BYTES)),
    )


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    db_url: str | None = None,
    law_dir: Path | None = None,
    log_level: str = "warning",
    workers: int = 1,
    check_cache_bytes: int = DEFAULT_MAX_BYTES,
) -> int:
    """Serve with uvicorn (uvloop and httptools when installed, no access log: the middleware
    logs each request). ``workers`` > 1 runs that many processes on one port, each with its own
    socket where the kernel can balance connections over them (``service.workers``). Returns
    the exit status."""
    import uvicorn

    from dutybound.service import workers as worker_processes

    options: dict[str, Any] = {"access_log": False, "log_level": log_level, "server_header": False}
    if workers <= 1:
        uvicorn.run(
            create_app(db_url, law_dir, check_cache_bytes=check_cache_bytes),
            host=host,
            port=port,
            **options,
        )
        return 0
    from dutybound.engine.store.connection import resolve_url

    url = resolve_url(db_url)
    db.make_engine(url).dispose()  # migrate once, not racing in every worker
    os.environ["DUTYBOUND_DATABASE_URL"] = url
    os.environ[ENV_CHECK_CACHE] = str(check_cache_bytes)
    if law_dir is not None:
        os.environ[ENV_LAW_DIR] = str(law_dir)
    if worker_processes.supported():
        return worker_processes.serve(host, port, workers, options)
    uvicorn.run(
        "dutybound.service.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        **options,
    )
    return 0
