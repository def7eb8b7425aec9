"""Delivering watch events to an HTTP webhook, signed so the receiver can trust them.

The body is one JSON object (``{"sent_at": …, "events": [...]}``), POSTed once per watch run.
The receiver checks it with the shared secret: the ``X-Dutybound-Signature`` header is
``sha256=`` and the hex HMAC-SHA256 of ``TIMESTAMP.BODY`` (the ``X-Dutybound-Timestamp`` header,
a dot, the exact body bytes), the scheme Stripe and GitHub receivers already know. The timestamp
is inside the signed content (and the body), so a captured request replayed later carries an old
timestamp the receiver refuses (``verify`` takes a tolerance), and it cannot be changed without
breaking the signature.

Nothing is sent without a secret: an unsigned alert is one anybody could forge, so a missing or
empty secret is an input error before any work. A receiver that refuses (an HTTP error, no
answer within the timeout, no connection) is an input error naming the URL: the events are on
stdout, and since ``watch`` stores nothing, the next run raises them again.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from dutybound.engine.errors import InputError

SIGNATURE_HEADER = "X-Dutybound-Signature"
TIMESTAMP_HEADER = "X-Dutybound-Timestamp"
DEFAULT_TIMEOUT = 10.0
# how old a delivery a receiver accepts by default (``verify``)
DEFAULT_TOLERANCE = 300


@dataclass(frozen=True)
class Webhook:
    """Where events are sent and the secret they are signed with (never printed)."""

    url: str
    secret: bytes
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:  # the secret must not reach a log or a traceback
        return f"Webhook(url={self.url!r})"


def webhook_from_options(url: str | None, secret_env: str | None, timeout: float) -> Webhook | None:
    """The webhook the options configure, checked before any work: an http(s) URL and a
    non-empty secret in the named environment variable. None when ``url`` is not given."""
    if url is None:
        if secret_env is not None:
            raise InputError("--webhook-secret-env", "given without --webhook")
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError("--webhook", f"{url!r}: expected an http:// or https:// URL")
    if secret_env is None:
        raise InputError(
            "--webhook-secret-env",
            "--webhook needs a signing secret: name the environment variable that holds it",
        )
    secret = os.environ.get(secret_env, "")
    if not secret:
        raise InputError(
            "--webhook-secret-env",
            f"environment variable {secret_env} is not set or empty: events are never sent "
            "unsigned",
        )
    if timeout <= 0:
        raise InputError("--webhook-timeout", f"seconds, more than 0, not {timeout}")
    return Webhook(url, secret.encode(), timeout)


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``timestamp.body``."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: bytes,
    headers: dict[str, str],
    body: bytes,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """What a receiver does: the signature matches the exact body and timestamp, and the
    timestamp is no older (or newer) than ``tolerance`` seconds."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(given, signature(secret, timestamp, body))


def delivery(
    events: Sequence[dict[str, Any]], secret: bytes, now: float
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery at time ``now``."""
    timestamp = str(int(now))
    body = orjson.dumps({"sent_at": int(timestamp), "events": list(events)})
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "dutybound-watch",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    return body, headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a refusal: followed, a POST becomes a GET without its body (or goes, signed,
    to a host nobody configured). The receiver's URL is given as it is to be used."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def send(hook: Webhook, events: Sequence[dict[str, Any]]) -> int:
    """POST the events, signed; returns the HTTP status. A refusal is an ``InputError``."""
    body, headers = delivery(events, hook.secret, time.time())
    request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=hook.timeout) as response:
            status: int = response.status
    except urllib.error.HTTPError as error:
        error.close()  # it holds the response (and its socket)
        raise InputError(
            "--webhook", f"{hook.url} refused the events: HTTP {error.code} {error.reason}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputError("--webhook", f"{hook.url} could not be reached: {reason}") from None
    return status
