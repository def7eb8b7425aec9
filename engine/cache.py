"""The user's cache directory: derived data that is slow to compute and cheap to recompute.

Everything here is an optimisation. Each entry is keyed by a hash of everything it was computed
from (file contents, package versions, the code that reads them), written whole or not at all,
and ignored when unreadable; with ``DUTYBOUND_CACHE_DIR=""`` nothing is cached.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from dutybound.engine.atomic import write_atomically


def cache_dir() -> Path | None:
    """``DUTYBOUND_CACHE_DIR``, else the platform's user cache directory; None when off."""
    folder = os.environ.get("DUTYBOUND_CACHE_DIR")
    if folder == "":
        return None
    if folder is None:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("dutybound", appauthor=False)
    return Path(folder)


def read_entry(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write_entry(name: str, data: bytes) -> None:
    """Write whole or not at all (another process may be reading); never fails the caller."""
    folder = cache_dir()
    if folder is None:
        return
    with contextlib.suppress(OSError):  # a read-only home: no cache, same results
        write_atomically(folder / name, data)


def prune(subfolder: str, keep: int) -> None:
    """Keep only the ``keep`` most recently written entries of a subfolder (rule packs from
    many law folders, e.g. a consultant's drafts, would otherwise pile up)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        entries = sorted(
            (folder / subfolder).iterdir(), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
