"""Evaluating an uploaded inventory for a stored profile, storing the result with the inputs it
was evaluated from, and getting the full evaluation of a stored result back.

An upload is read by the engine's inventory reader (``engine.inventory.read_inventory``: CSV,
XLSX, CycloneDX or NetBox, every problem of the file found in one run) from a private temporary
file named like the upload, so the format follows its extension as on the command line. The
stored result is the evaluation JSON, and with it (``db.StoredResultInput``) the inventory as
uploaded (zlib-compressed), the profile JSON, the vendor decisions applied (``Register``) and the
facts a person stated in the review queue. The PDF report, the spreadsheet and the review's
re-run need the evaluation itself (assets, vendor matches, the pack): the last ``HELD`` are
kept in memory by result id, and any other (after a restart, say) is evaluated again from its
stored inputs on the same day (``full_evaluation``). That is refused, with the reason, when the
loaded rule pack is not the one the result was evaluated with, or when the evaluation again does
not give the stored JSON byte for byte: a report never renders a different law than its JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from dutybound.engine.errors import InputError
from dutybound.engine.jsontext import json_text
from dutybound.engine.notices import evaluator_notice
from dutybound.service import db
from dutybound.service.state import Service
from dutybound.web.errors import PageError

if TYPE_CHECKING:
    from dutybound.engine.evaluation import Evaluation
    from dutybound.engine.inputs import Asset, Profile
    from dutybound.engine.vendor_decisions import Decision

SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet", ".json")
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


def forget_all() -> None:
    """Drop every held evaluation: what a restart does (the tests simulate one with it)."""
    with _held_lock:
        _held.clear()


def read_assets(filename: str, body: bytes) -> Sequence[Asset]:
    """The assets of an uploaded inventory (a table of columns for a large one,
    ``engine.asset_table``); ``UploadProblems`` with each problem otherwise."""
    from dutybound.engine.inventory import read_inventory

    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadProblems(
            filename,
            [
                InputError(
                    filename, "choose a .csv, .xlsx, .parquet or CycloneDX/NetBox .json inventory"
                )
            ],
        )
    with tempfile.TemporaryDirectory(prefix="dutybound-upload-") as tmp:
        path = Path(tmp) / f"inventory{suffix}"
        path.write_bytes(body)
        try:
            return read_inventory(path).assets
        except InputError as error:
            found = getattr(error, "problems", None) or [error]
            raise UploadProblems(filename, list(found)) from None


def profile_text(profile_data: dict[str, Any]) -> bytes:
    """The profile as it is fingerprinted and stored: JSON with sorted keys."""
    return orjson.dumps(profile_data, option=orjson.OPT_SORT_KEYS)


def fingerprint(profile_data: dict[str, Any], body: bytes) -> str:
    """The CLI's fingerprint: SHA-256 over each input file's bytes followed by a NUL."""
    digest = hashlib.sha256()
    for part in (profile_text(profile_data), body):
        digest.update(part + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Register:
    """The tenant's vendor decisions an evaluation applied, as read on ``day``: stored with the
    result, so evaluating it again applies exactly these, whatever was decided since."""

    day: dt.date
    decisions: tuple[Decision, ...]

    def to_text(self) -> str:
        return orjson.dumps([asdict(d) for d in self.decisions]).decode()


def register(svc: Service, tenant: str, day: dt.date) -> Register:
    """The tenant's vendor decision register as in force on ``day`` (as the CLI's --db)."""
    from dutybound.engine.store.vendor_decision_register import stored_vendor_decisions

    found = stored_vendor_decisions(
        svc.pack.registry, day, svc.settings.database_url, tenant=tenant
    )
    return Register(day, tuple(found))


def stored_register(inputs: db.StoredResultInput) -> Register:
    """The decisions a stored result applied."""
    from dutybound.engine.vendor_decisions import Decision

    rows: list[dict[str, Any]] = orjson.loads(inputs.decisions)
    return Register(
        inputs.decisions_on,
        tuple(
            Decision(**{**r, "decided_on": dt.date.fromisoformat(r["decided_on"])}) for r in rows
        ),
    )


def run(
    svc: Service,
    profile: Profile,
    assets: Sequence[Asset],
    as_of: dt.date,
    applied: Register,
    inputs_sha256: str,
) -> Evaluation:
    """Evaluate with the vendor decisions ``applied``, under the service's engine lock; the
    evaluator's fallback notice first."""
    from dutybound.engine.evaluation import evaluate

    decisions = list(applied.decisions)
    with svc.engine_lock:
        result = evaluate(
            svc.pack,
            profile,
            assets,
            as_of,
            evaluator=svc.evaluator,
            inputs_sha256=inputs_sha256,
            vendor_decisions=decisions or None,
        )
    if svc.evaluator_notice:
        result.notices.insert(0, evaluator_notice(svc.evaluator_notice))
    return result


def store(
    svc: Service,
    tenant: str,
    result: Evaluation,
    *,
    profile_id: str | None,
    profile_data: dict[str, Any],
    filename: str,
    body: bytes,
    applied: Register,
    stated: Sequence[dict[str, Any]] = (),
) -> str:
    """Store ``result`` with its inputs, hold it, and return the new result's id."""
    pack = svc.pack
    inputs = db.StoredResultInput(
        result_id="",
        filename=filename,
        inventory_zlib=zlib.compress(body, 6),
        inventory_sha256=hashlib.sha256(body).hexdigest(),
        profile=profile_text(profile_data).decode(),
        decisions_on=applied.day,
        decisions=applied.to_text(),
        stated=orjson.dumps(list(stated)).decode(),
    )
    row = db.save_result(
        svc.db,
        tenant,
        result.as_of,
        pack.version,
        pack.sha256,
        json_text(result.to_json()),
        profile_id=profile_id,
        inputs=inputs,
    )
    hold(row.id, result)
    return row.id


def evaluate_upload(
    svc: Service,
    tenant: str,
    profile_id: str | None,
    profile_data: dict[str, Any],
    filename: str,
    body: bytes,
    as_of: dt.date,
) -> str:
    """Evaluate the upload for the profile on ``as_of``, store the result (with the upload and
    the profile) for ``tenant`` and return its id; ``UploadProblems`` for a file with problems
    (nothing is stored then). The tenant's vendor decision register applies as on ``as_of``,
    so a name answered in the review queue is not asked about again."""
    assets = read_assets(filename, body)
    profile = svc.validated_profile(profile_text(profile_data))
    applied = register(svc, tenant, as_of)
    result = run(svc, profile, assets, as_of, applied, fingerprint(profile_data, body))
    return store(
        svc,
        tenant,
        result,
        profile_id=profile_id,
        profile_data=profile_data,
        filename=filename,
        body=body,
        applied=applied,
    )


def store_again(
    svc: Service,
    row: db.StoredResult,
    result: Evaluation,
    applied: Register,
    stated: Sequence[dict[str, Any]] = (),
) -> str:
    """Store the re-run of ``row`` (the review queue's) as a new result of the same profile,
    with the same inventory and profile and ``stated`` added to the facts stated before; the
    original result stays as it was. A result stored without its inputs gives one without."""
    inputs = db.result_input(svc.db, row.id)
    if inputs is None:
        pack = svc.pack
        new = db.save_result(
            svc.db,
            row.tenant,
            result.as_of,
            pack.version,
            pack.sha256,
            json_text(result.to_json()),
            profile_id=row.profile_id,
        )
        hold(new.id, result)
        return new.id
    before: list[dict[str, Any]] = orjson.loads(inputs.stated)
    return store(
        svc,
        row.tenant,
        result,
        profile_id=row.profile_id,
        profile_data=orjson.loads(inputs.profile),
        filename=inputs.filename,
        body=zlib.decompress(inputs.inventory_zlib),
        applied=applied,
        stated=[*before, *stated],
    )


def stated_assets(assets: Sequence[Asset], stated: Sequence[dict[str, Any]]) -> list[Asset]:
    """The assets with the facts a person stated applied (``review.stated_facts`` checked them):
    a column's value fills the empty cell, a flag joins the asset's flags as ``name`` (yes) or
    ``name=no``, a date is read as a date."""
    from dutybound.engine.inputs import parse_flags
    from dutybound.engine.vocabulary import FLAGS

    by_asset: dict[str, list[dict[str, Any]]] = {}
    for fact in stated:
        by_asset.setdefault(str(fact["asset_id"]), []).append(fact)
    out = []
    for asset in assets:
        for fact in by_asset.get(asset.asset_id, ()):
            field, value = str(fact["field"]), str(fact["value"])
            if field in FLAGS:
                asset = asset._replace(
                    flags=parse_flags(";".join([*asset.flags, f"{field}={value}"]))
                )
                continue
            values: dict[str, Any] = {
                field: dt.date.fromisoformat(value) if field.endswith("_on") else value
            }
            asset = asset._replace(**values)
        out.append(asset)
    return out


def stored_inputs(
    svc: Service, row: db.StoredResult
) -> tuple[db.StoredResultInput, dict[str, Any], bytes, list[dict[str, Any]]]:
    """A result's stored inputs: the row, the profile, the inventory bytes and the stated facts;
    404 for a result stored without them (before migration 0009, or through the API)."""
    inputs = db.result_input(svc.db, row.id)
    if inputs is None:
        raise PageError(
            404,
            "this result was stored without its inputs; upload the inventory again for the PDF "
            "and XLSX (the JSON is kept)",
        )
    body = zlib.decompress(inputs.inventory_zlib)
    stated: list[dict[str, Any]] = orjson.loads(inputs.stated)
    return inputs, orjson.loads(inputs.profile), body, stated


def stated_of(svc: Service, result_id: str) -> list[dict[str, Any]]:
    """The facts a person stated in the review queue to get this result (none for an upload)."""
    inputs = db.result_input(svc.db, result_id)
    if inputs is None:
        return []
    stated: list[dict[str, Any]] = orjson.loads(inputs.stated)
    return stated


def full_evaluation(svc: Service, row: db.StoredResult) -> Evaluation:
    """The full evaluation of a stored result: held in memory, else evaluated again from its
    stored inputs on the same day. Refused (409, saying which versions differ) when the loaded
    rule pack is not the result's, and when the evaluation again does not reproduce the stored
    JSON (the vendor decision register changed for that day, say)."""
    found = held(row.id)
    if found is not None:
        return found
    pack = svc.pack
    if pack.sha256 != row.rulepack_sha256:
        raise PageError(
            409,
            f"this result was evaluated with rule pack {row.rulepack_version} "
            f"(sha256 {row.rulepack_sha256[:12]}…); this server has loaded rule pack "
            f"{pack.version} (sha256 {pack.sha256[:12]}…). The PDF and XLSX are not rendered "
            "with a different law; the JSON is kept and can be downloaded",
        )
    inputs, profile_data, body, stated = stored_inputs(svc, row)
    try:
        assets = stated_assets(read_assets(inputs.filename, body), stated)
    except UploadProblems as error:  # a reader changed since: say what it says now
        raise PageError(409, f"{inputs.filename}: {error.problems[0]}") from None
    result = run(
        svc,
        svc.validated_profile(profile_text(profile_data)),
        assets,
        row.as_of,
        stored_register(inputs),
        fingerprint(profile_data, body),
    )
    if json_text(result.to_json()) != row.body:
        raise PageError(
            409,
            "evaluating this result's stored inputs again no longer gives the stored result "
            "(the engine's evaluator or the inventory reader changed since); the JSON is kept "
            "and can be downloaded, and uploading the inventory again gives a new result",
        )
    hold(row.id, result)
    return result
