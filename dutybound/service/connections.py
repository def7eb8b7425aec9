"""What one server process allows a connection: time to send its request, and a place at all.

uvicorn closes a connection that idles between requests (``timeout_keep_alive``), but has no
limit on the time a client takes to *send* a request: a connection that sends its headers a
byte a second is never closed, and every such connection holds a file descriptor. Measured
before this module (issue 19): with a 1,024 open-files limit, 2,200 such connections left the
process unable to accept, and ``/health`` went unanswered. ``limit_concurrency`` does not help:
it answers 503 only once a request's headers are complete, which a slow client never reaches.

``GuardedProtocol`` is uvicorn's httptools protocol with three guards, set by ``Limits``:

- the request head (request line and headers) must be complete within ``header_timeout``
  seconds of the connection opening, or of the previous response: a total, not a per-byte
  timeout, so trickling bytes buys nothing. A client that sent part of a head gets 408; one that
  sent nothing is closed silently, as an idle keep-alive connection is;
- the body must be complete within ``body_timeout`` seconds of the head; a request still
  waiting for its body then gets 408 (the endpoint sees the client as disconnected);
- a head over ``max_header_bytes`` gets 431;
- at most ``max_connections`` connections are open. At the limit a new connection closes the
  one that has waited longest for its next request head (idle, or trickling), since that one
  costs the server a descriptor and gives it nothing; only when every connection is busy with a
  request is the new one refused (503). A flood of slow clients therefore cannot lock out a
  client that sends its request promptly, such as a health check. The limit is also kept below
  the process's open-files limit, so the listening socket never fails to accept.

The timeouts are deadlines on the event loop (one timer per connection), not a task per
connection. The service runs behind a reverse proxy in production (README): these guards are
what holds when it does not, or when the proxy's own limits are looser.
"""

from __future__ import annotations

import asyncio
import functools
import resource
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# descriptors kept free below the open-files limit for the database, log and rule-pack files
RESERVED_DESCRIPTORS = 64


@dataclass(frozen=True)
class Limits:
    """The guards of ``GuardedProtocol`` (from ``settings.Settings``)."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0
    max_header_bytes: int = 64 * 1024
    max_connections: int = 1000

    def effective_max_connections(self) -> int:
        """``max_connections``, lowered to leave ``RESERVED_DESCRIPTORS`` below the process's
        open-files limit: a process out of descriptors cannot accept even the connection that
        would evict an idle one."""
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.max_connections
        return max(1, min(self.max_connections, soft - RESERVED_DESCRIPTORS))


class Wait(StrEnum):
    """What a connection is waiting for, and so which deadline runs."""

    HEAD = "head"  # the next request's line and headers
    BODY = "body"  # the rest of the current request's body
    SERVER = "server"  # nothing: the application is answering


def _response(status: bytes, detail: bytes) -> bytes:
    body = b'{"detail": "' + detail + b'"}'
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
    )


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines for the request head and body, a head size
    limit and a connection limit (module docstring). ``limits`` is set on a subclass
    (``protocol_class``)."""

    limits: ClassVar[Limits] = Limits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_connections = self.limits.effective_max_connections()
        self.waiting = Wait.HEAD
        self.waiting_since = self.loop.time()
        self.head_bytes = 0
        self.deadline: asyncio.TimerHandle | None = None
        self.refused = False  # answered and closing: nothing more is parsed or run

    # -- connection ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.max_connections and not self._evict_one():
            self.refused = True
            transport.write(_response(b"503 Service Unavailable", b"too many connections"))
            transport.close()
            return
        super().connection_made(transport)
        self._wait(Wait.HEAD)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        if self.transport is None:  # refused in connection_made: uvicorn never saw it
            return
        super().connection_lost(exc)

    def _evict_one(self) -> bool:
        """Close the connection that has waited longest for a request head; False when every
        connection is in the middle of a request."""
        idle = [
            c
            for c in self.connections
            if isinstance(c, GuardedProtocol) and c.waiting is Wait.HEAD and not c.refused
        ]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.waiting_since)
        oldest.refused = True
        oldest.transport.close()
        self.connections.discard(oldest)
        return True

    # -- deadlines -------------------------------------------------------------------------

    def _cancel_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _wait(self, what: Wait) -> None:
        self._cancel_deadline()
        self.waiting = what
        self.waiting_since = self.loop.time()
        if what is Wait.HEAD:
            self.head_bytes = 0
            self.deadline = self.loop.call_later(self.limits.header_timeout, self._head_late)
        elif what is Wait.BODY:
            self.deadline = self.loop.call_later(self.limits.body_timeout, self._body_late)

    def _refuse(self, status: bytes, detail: bytes) -> None:
        """Answer ``status`` and close, when no response of the application has started."""
        self._cancel_deadline()
        self.refused = True
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                self.transport.close()
                return
            # the endpoint waiting for the body sees a disconnected client, and its
            # response (if it still sends one) goes nowhere
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.write(_response(status, detail))
        self.transport.close()

    def _head_late(self) -> None:
        self.deadline = None
        if self.transport.is_closing():
            return
        if self.head_bytes == 0 and self.waiting is Wait.HEAD:
            self.refused = True  # nothing sent at all: close like an idle keep-alive connection
            self.transport.close()
            return
        self._refuse(
            b"408 Request Timeout",
            f"request head not received within {self.limits.header_timeout:g} s".encode(),
        )

    def _body_late(self) -> None:
        self.deadline = None
        self._refuse(
            b"408 Request Timeout",
            f"request body not received within {self.limits.body_timeout:g} s".encode(),
        )

    # -- parser callbacks (uvicorn's, with the guards' bookkeeping) ---------------------------

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        super().data_received(data)
        if self.refused and not self.transport.is_closing():
            self._refuse(
                b"431 Request Header Fields Too Large",
                f"request head over {self.limits.max_header_bytes} bytes".encode(),
            )

    def on_message_begin(self) -> None:
        if self.refused:
            return
        super().on_message_begin()
        self.head_bytes = 0

    def _count_head(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > self.limits.max_header_bytes:
            self.refused = True  # data_received answers 431 once the parser returns

    def on_url(self, url: bytes) -> None:
        if self.refused:
            return
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.refused:
            return
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self.refused:
            return
        self._wait(Wait.BODY)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self.refused:
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refused:
            return
        if self.waiting is Wait.BODY:
            self._cancel_deadline()
            self.waiting = Wait.SERVER
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline and not self.refused:
            self._wait(Wait.HEAD)


def protocol_class(limits: Limits) -> type[GuardedProtocol]:
    """``GuardedProtocol`` with these limits, for ``uvicorn.Config(http=...)``."""
    return type("GuardedProtocol", (GuardedProtocol,), {"limits": limits})


def from_environment(**kwargs: Any) -> GuardedProtocol:
    """A ``GuardedProtocol`` with the limits the environment sets: the import string given to
    uvicorn's own worker processes (where ``SO_REUSEPORT`` processes are not available), which
    receive nothing else."""
    return _environment_class()(**kwargs)


@functools.cache
def _environment_class() -> type[GuardedProtocol]:
    from dutybound.service.settings import Settings

    return protocol_class(Settings.from_env().connection_limits())
