"""What every request goes through before FastAPI sees it: one pure ASGI layer.

Pure ASGI, wrapping only ``receive`` and ``send``: Starlette's ``BaseHTTPMiddleware`` would run
the endpoint in another task and pass the response through a stream, on every request. One layer
does all four jobs (headers, body limit, log line, generic 500) so a request pays for one.
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import HTTPException

from dutybound.service.logs import log


def _json_error(detail: str) -> bytes:
    return json.dumps({"detail": detail}).encode()


class ServiceMiddleware:
    """Rule-pack headers on every response, the body size limit (413), one JSON log line per
    request, and a generic 500 that never shows a stack trace to the client."""

    def __init__(self, app: Any, headers: list[tuple[bytes, bytes]], max_body: int) -> None:
        self.app = app
        self.headers = headers
        self.max_body = max_body

    async def _reply(self, send: Any, status: int, detail: str) -> None:
        body = _json_error(detail)
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

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
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

            async def limited_receive() -> dict[str, Any]:
                nonlocal received
                message: dict[str, Any] = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body:
                        raise HTTPException(413, f"request body over {self.max_body} bytes")
                return message

            async def send_with_headers(message: dict[str, Any]) -> None:
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
