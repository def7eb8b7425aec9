"""Law and vendor data as stored: deterministic tar.gz archives of the rule-pack files.

An evaluation stored today must be explainable after the bundled law has moved on, and ``diff``
must be able to re-run it against the law it was run with. So each distinct set of law files
(and each distinct vendor registry) is archived once, keyed by the archive's SHA-256; the archive
is byte-identical for identical files (sorted names, zero times and owners), so the key is a
fingerprint of the content.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

REGISTRY_NAME = "vendors.yaml"


def _archive(files: list[tuple[str, bytes]]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def law_archive(law_dir: Path) -> bytes:
    """Every YAML file of a jurisdictions folder (what ``load_rulepack`` can read)."""
    return _archive(
        [
            (p.relative_to(law_dir).as_posix(), p.read_bytes())
            for p in law_dir.rglob("*.yaml")
            if p.is_file()
        ]
    )


def registry_archive(registry_path: Path) -> bytes:
    return _archive([(REGISTRY_NAME, registry_path.read_bytes())])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unpack(archive: bytes, into: Path) -> Path:
    """Extract an archive made here into ``into`` (which must be empty or absent)."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(into, filter="data")  # the data filter refuses links and escapes
    return into
