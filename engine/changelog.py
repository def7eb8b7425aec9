"""The law changelog's guard: every change to the law data bumps the rule-pack version and says,
in ``jurisdictions/CHANGELOG.md``, what changed in legal terms.

Each version's heading carries the digest of the law data it describes::

    ## 2026.12.2 — law digest 3f5a0c9e41b2

The digest covers every YAML file of the rule pack except ``rulepack.yaml`` (which holds the
version itself) and the vendor registry, byte for byte. A test compares it with the data on disk:
an edit to any law file without a new version and changelog entry fails, and so does a heading
whose digest is not the data's. ``dutybound law digest`` prints the value to put in the heading.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

HEADING = re.compile(r"^## (?P<version>\S+)(?: .*?law digest (?P<digest>[0-9a-f]{12}))?\s*$")


def law_digest(law_dir: Path, registry_path: Path) -> str:
    """The first 12 hex digits of the SHA-256 of the law data (paths and bytes, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in law_dir.rglob("*.yaml") if p.name != "rulepack.yaml")
    for path in files:
        rel = path.relative_to(law_dir).as_posix()
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(b"registry\0" + registry_path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Entry:
    version: str
    digest: str | None
    line: int


def entries(changelog: Path) -> list[Entry]:
    """The changelog's version headings, newest first as written."""
    out = []
    for n, text in enumerate(changelog.read_text(encoding="utf-8").splitlines(), start=1):
        match = HEADING.match(text)
        if match:
            out.append(Entry(match["version"], match["digest"], n))
    return out
