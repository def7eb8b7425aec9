"""The check cache: finished POST /check response bodies, kept by the inputs that decided them.

Why it is sound. A check's response is a pure function of its inputs: the rule pack (fixed for
the life of the process; its sha256 is in the key all the same), the engine version and evaluator,
the profile's content (inline, or read from the database for ``profile_id``), and the rest of the
validated request: every field of every item (asset id, quantity, model, ...), the what-if roles
and the ``as_of`` date. Validation, the engine and the serialisation read no clock, no database
and no randomness (the law is applied as of ``as_of``), so the same inputs give byte-for-byte the
same body, and a stored body can be sent again; two checks share an entry only if they ask
exactly the same question. Only successful (200) bodies are stored, so a hit also stands for the
validation those inputs passed. The key is the SHA-256 of the inputs as canonical JSON (sorted
keys).

Why the tenant is in the key. Different tenants asking the same question would get the same answer,
but a shared entry would let one tenant learn, from the response time or the ``X-Dutybound-Cache``
header, that another tenant had just asked it.

Bounds. The cache holds at most ``max_bytes`` of bodies (least recently used entries go first) and
never a body over ``max_bytes // 16``, so a large bid cannot flush everything else. It lives in one
process: with several uvicorn workers each has its own.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import orjson

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


def canonical_sha256(*parts: Any) -> bytes:
    """SHA-256 of the canonical JSON of ``parts`` (dict keys sorted; dates as ISO strings)."""
    canonical = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).digest()


class ResponseCache:
    """A byte-bounded LRU of response bodies; safe to use from the event loop and from threads."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes) -> bytes | None:
        """The stored body, now the most recently used, or None."""
        with self._lock:
            body = self._entries.get(key)
            if body is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: bytes, body: bytes) -> None:
        """Store ``body`` unless it is too large, evicting the least recently used entries."""
        if len(body) > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self._entries[key] = body
            self.size += len(body)
            while self.size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.size -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0
