"""Evaluating an uploaded inventory for a stored profile, and the evaluations this process
still holds in full.

An upload is read by the engine's inventory reader (``engine.inventory.read_inventory``: CSV,
XLSX, CycloneDX or NetBox, every problem of the file found in one run) from a private temporary
file named like the upload, so the format follows its extension as on the command line. The
stored result is the evaluation JSON; the PDF report and the spreadsheet need the evaluation
itself (assets, vendor matches, the pack), so the last ``HELD`` evaluations are kept in memory
by result id. An older result (or one from before a restart) offers its JSON only, and says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text
from dutybound.engine.notices import evaluator_notice
from dutybound.service import db
from dutybound.service.state import Service

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation

SUFFIXES = (".csv", ".xlsx", ".xlsm", ".json")
HELD = 32  # full evaluations kept for the PDF and XLSX downloads, most recent first


class UploadProblems(Exception):
    """Every problem of an uploaded inventory, named by the upload's file name."""

    def __init__(self, filename: str, problems: list[InputError]) -> None:
        super().__init__(f"{filename}: {len(problems)} problem(s)")
        self.filename = filename
        self.problems = problems


_held: OrderedDict[str, Evaluation] = OrderedDict()
_held_lock = threading.Lock()


def held(result_id: str) -> Evaluation | None:
    """The full evaluation of a stored result, if this process still holds it."""
    with _held_lock:
        found = _held.get(result_id)
        if found is not None:
            _held.move_to_end(result_id)
        return found


def hold(result_id: str, evaluation: Evaluation) -> None:
    with _held_lock:
        _held[result_id] = evaluation
        while len(_held) > HELD:
            _held.popitem(last=False)


def _read(filename: str, body: bytes) -> list[Any]:
    """The assets of an uploaded inventory; ``UploadProblems`` with each problem otherwise."""
    from dutybound.engine.inventory import read_inventory

    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadProblems(
            filename,
            [InputError(filename, "choose a .csv, .xlsx or CycloneDX/NetBox .json inventory")],
        )
    with tempfile.TemporaryDirectory(prefix="dutybound-upload-") as tmp:
        path = Path(tmp) / f"inventory{suffix}"
        path.write_bytes(body)
        try:
            return read_inventory(path).assets
        except InputError as error:
            found = getattr(error, "problems", None) or [error]
            raise UploadProblems(filename, list(found)) from None


def evaluate_upload(
    svc: Service,
    tenant: str,
    profile_data: dict[str, Any],
    filename: str,
    body: bytes,
    as_of: dt.date,
) -> str:
    """Evaluate the upload for the profile on ``as_of``, store the result for ``tenant`` and
    return its id; ``UploadProblems`` for a file with problems (nothing is stored then). The
    tenant's vendor decision register applies, so a name answered in the review queue is not
    asked about again."""
    from dutybound.engine.evaluation import evaluate
    from dutybound.engine.store.vendor_decision_register import stored_vendor_decisions

    assets = _read(filename, body)
    # the tenant's answers from the review queue, as in force on that day (as the CLI's --db)
    decisions = stored_vendor_decisions(
        svc.pack.registry, as_of, svc.settings.database_url, tenant=tenant
    )
    profile = svc.validated_profile(orjson.dumps(profile_data, option=orjson.OPT_SORT_KEYS))
    # the CLI's fingerprint: SHA-256 over each input file's bytes followed by a NUL
    digest = hashlib.sha256()
    for part in (orjson.dumps(profile_data, option=orjson.OPT_SORT_KEYS), body):
        digest.update(part + b"\0")
    with svc.engine_lock:
        result = evaluate(
            svc.pack,
            profile,
            assets,
            as_of,
            evaluator=svc.evaluator,
            inputs_sha256=digest.hexdigest(),
            vendor_decisions=decisions or None,
        )
    if svc.evaluator_notice:
        result.notices.insert(0, evaluator_notice(svc.evaluator_notice))
    pack = svc.pack
    row = db.save_result(
        svc.db, tenant, as_of, pack.version, pack.sha256, json_text(result.to_json())
    )
    hold(row.id, result)
    return row.id
