"""Stored evaluations as inputs again: the law, vendor data, profile and inventory they were run
with, for ``dutybound diff --stored A --stored B``.

The archived law is unpacked into a folder and loaded like any rule pack, so a diff between an
evaluation stored last year and one stored today attributes each change to the law text that
actually changed, not to today's bundled law.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dutybound.engine.diff import PackCache, Side
from dutybound.engine.errors import InputError
from dutybound.engine.inputs import check_profile
from dutybound.engine.store.records import load_evaluation
from dutybound.engine.store.snapshots import REGISTRY_NAME, unpack
from dutybound.engine.waivers import check_waivers


def stored_side(evaluation_id: int, url: str | None, folder: Path, packs: PackCache) -> Side:
    """The inputs of stored evaluation ``evaluation_id``; its law is unpacked under ``folder``
    (one subfolder per archive, shared by evaluations that used the same law)."""
    stored = load_evaluation(evaluation_id, url)
    if stored is None:
        raise InputError(
            "--stored", f"no stored evaluation {evaluation_id} (see 'dutybound history')"
        )
    record = stored.record
    law_dir = folder / f"law-{record.law_sha256[:16]}"
    registry_dir = folder / f"registry-{record.registry_sha256[:16]}"
    if not law_dir.exists():
        unpack(stored.law_archive, law_dir)
    if not registry_dir.exists():
        unpack(stored.registry_archive, registry_dir)
    registry = registry_dir / REGISTRY_NAME
    pack = packs.get(law_dir, registry)
    source = f"stored evaluation {evaluation_id}"
    profile = check_profile(stored.profile, pack, source)
    return Side(
        profile,
        stored.assets,
        record.as_of,
        law_dir,
        registry,
        waivers=tuple(check_waivers(_waiver_records(stored.result), pack, source)),
    )


def _waiver_records(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The waiver records an evaluation was run with, from its JSON (which adds each one's
    standing and basis details to the record's own fields)."""
    fields = (
        "id",
        "operator",
        "obligation",
        "assets",
        "basis",
        "reference",
        "approver",
        "granted_on",
        "expires_on",
        "note",
    )
    return [{k: w[k] for k in fields if w.get(k) is not None} for w in result.get("waivers") or []]
