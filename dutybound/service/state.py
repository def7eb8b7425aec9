"""``Service``: what every request of one application shares, made once when the app is built.

The rule pack, the evaluator, the database and the caches live here, not in module globals, so
that one process can hold several applications (the tests build one per database) without them
sharing a cache or a key.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import TYPE_CHECKING, Any, Final

import orjson
from sqlalchemy import Engine

from dutybound.service import db, keys
from dutybound.service.cache import ResponseCache
from dutybound.service.settings import Settings

if TYPE_CHECKING:
    from dutybound.engine.inputs import Profile

PROFILE_CACHE_SIZE = 1024  # validated profiles kept per application (see validated_profile)
KEY_CACHE_ENTRIES = 10_000  # keys remembered per application before the memory starts afresh


class Miss:
    """``Service.cached_caller``'s answer when the key must be read from the database."""


MISS: Final = Miss()


class Service:
    """The rule pack (loaded once), the evaluator, the database, and the per-process caches."""

    def __init__(self, settings: Settings) -> None:
        from dutybound.engine.evaluation import engine_version
        from dutybound.engine.evaluators import get_evaluator
        from dutybound.engine.loading import load_rulepack

        self.settings = settings
        self.pack = load_rulepack(settings.law_dir)
        self.evaluator, self.evaluator_notice = get_evaluator("auto")
        self.engine_version = engine_version()
        self.db: Engine = db.make_engine(settings.database_url)
        self.checks = ResponseCache(settings.check_cache_bytes)
        # Held by every engine call of the service. The event loop only ever try-acquires it, so
        # it never waits behind an evaluation running in the threadpool (durable-rules
        # serialises evaluations with its own lock, which is only taken inside this one).
        self.engine_lock = threading.Lock()
        self._keys: dict[str, tuple[float, keys.Caller | None]] = {}
        self._keys_lock = threading.Lock()
        # A procurement system sends the same profile with every check, and validation is pure
        # (a failure raises and is not kept): the validated profile is kept by its content.
        self.validated_profile = functools.lru_cache(maxsize=PROFILE_CACHE_SIZE)(
            self._validate_profile
        )

    def rulepack_info(self) -> dict[str, Any]:
        return {
            "version": self.pack.version,
            "sha256": self.pack.sha256,
            "law_as_of": self.pack.law_as_of.isoformat(),
        }

    def _validate_profile(self, canonical: bytes) -> Profile:
        """A profile, given as canonical JSON, validated against the rule pack."""
        from dutybound.engine.inputs import check_profile

        return check_profile(orjson.loads(canonical), self.pack, "profile")

    def cached_caller(self, secret: str) -> keys.Caller | Miss | None:
        """The caller (None: refused) if the key was looked up within the key cache's time,
        else ``MISS``; never reads the database, so the event loop may call it."""
        hit = self._keys.get(keys.hash_key(secret))
        if hit is not None and time.monotonic() - hit[0] < self.settings.key_cache_seconds:
            return hit[1]
        return MISS

    def caller(self, secret: str) -> keys.Caller | None:
        """The caller a key stands for (None: unknown or revoked), read from the database
        unless looked up within ``key_cache_seconds``: the longest a revoked key still works."""
        cached = self.cached_caller(secret)
        if not isinstance(cached, Miss):
            return cached
        found = keys.lookup_key(self.db, secret)
        if self.settings.key_cache_seconds > 0:
            with self._keys_lock:
                if len(self._keys) >= KEY_CACHE_ENTRIES:
                    self._keys.clear()
                self._keys[keys.hash_key(secret)] = (time.monotonic(), found)
        return found
