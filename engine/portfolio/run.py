"""A portfolio run: every operator evaluated as ``dutybound evaluate`` evaluates one, on a Dask
cluster, each result stored and written as it arrives, then the summary.

``evaluate_operator`` is the task a worker runs: the same steps and the same engine calls as
``dutybound evaluate --format json`` (the tests hold the bytes equal), with the rule pack the
worker loaded once (``cluster.worker_pack``). Bad input is an answer, not an exception
(``Refused``): an exception would be retried, and a bad inventory is as bad the third time.

``run_portfolio`` runs on the client. Storing happens there, one transaction per operator as
``evaluate --db`` does it (``engine.store.save_evaluation``), with the operator's JSON file put in
place inside that transaction (``engine.atomic``): a run killed at any moment leaves every
stored evaluation with its file and no file half-written. The summary's four files are staged
together and put in place at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from dutybound.engine.atomic import StagedFile, UnwritableOutput, stage
from dutybound.engine.errors import InputError
from dutybound.engine.portfolio.cluster import (
    Failed,
    LawMismatch,
    PackRef,
    install_pack,
    run_all,
    worker_pack,
)
from dutybound.engine.portfolio.operators import Operator, Source
from dutybound.engine.portfolio.summary import (
    OperatorRow,
    RowStatus,
    Summary,
    operator_row,
    summary_files,
)

if TYPE_CHECKING:
    from distributed import Client
    from rich.console import Console

    from dutybound.engine.evaluation import Evaluation
    from dutybound.engine.inputs import Asset, Profile
    from dutybound.engine.loading import RulePack
    from dutybound.engine.notices import Notice
    from dutybound.engine.vendors import VendorMatch


@dataclass(frozen=True)
class PackStamp:
    """The two facts about the rule pack that storing an evaluation records."""

    version: str
    sha256: str


@dataclass(frozen=True)
class StorableFinding:
    """A finding as the store reads it: its id, due date, assets and JSON."""

    id: str
    due: dt.date | None
    assets: Sequence[str]
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.data


@dataclass(frozen=True)
class Storable:
    """What ``engine.store.save_evaluation`` reads of an ``Evaluation``, in a form that travels
    from a worker to the client. An ``Evaluation`` itself does not: it holds the whole rule pack
    (sent to each worker once, not back with every result) and closures that do not pickle."""

    as_of: dt.date
    profile: Profile
    pack: PackStamp
    findings: list[StorableFinding]
    vendor_matches: dict[str, VendorMatch]
    assets: Sequence[Asset]
    evaluator: str
    inputs_sha256: str

    @classmethod
    def of(cls, result: Evaluation, data: dict[str, Any]) -> Storable:
        return cls(
            result.as_of,
            result.profile,
            PackStamp(result.pack.version, result.pack.sha256),
            [
                StorableFinding(f.id, f.due, f.assets, d)
                for f, d in zip(result.findings, data["findings"], strict=True)
            ],
            result.vendor_matches,
            result.assets,
            result.evaluator,
            result.inputs_sha256,
        )


@dataclass(frozen=True)
class Evaluated:
    """An operator evaluated: its JSON (byte for byte what ``evaluate --format json`` prints),
    its summary row, and, when the run stores, what to store."""

    body: bytes
    row: OperatorRow
    storable: Storable | None


@dataclass(frozen=True)
class Refused:
    """An operator whose input is bad: the one-line message naming file, line and field."""

    error: str


@dataclass(frozen=True)
class Registers:
    """Where the operator's waiver, attestation and vendor-decision registers are read: the
    store, when the run uses one (as ``evaluate --db`` reads them); None when it does not."""

    url: str | None


def operator_inputs(
    pack: RulePack, operator: Operator, source_url: str | None
) -> tuple[Profile, Sequence[Asset], list[Notice], str]:
    """The profile, assets, inventory notices and inputs fingerprint of one operator: read the
    same way by a run, an impact and a watch, so that their evaluations compare."""
    from dutybound.engine.evaluation import inputs_fingerprint
    from dutybound.engine.inputs import check_profile, load_profile
    from dutybound.engine.inventory import read_inventory
    from dutybound.engine.mapping import load_mapping

    if operator.source is Source.folder:
        assert operator.profile is not None and operator.inventory is not None
        profile = load_profile(operator.profile, pack)
        read = read_inventory(operator.inventory, {}, None, load_mapping(None))
        fingerprint = inputs_fingerprint(operator.profile, operator.inventory)
        return profile, read.assets, list(read.notices), fingerprint
    from dutybound.engine.store import load_evaluation

    assert operator.stored_evaluation is not None
    stored = load_evaluation(operator.stored_evaluation, source_url)
    where = f"stored evaluation {operator.stored_evaluation}"
    if stored is None:
        raise InputError(where, "no longer in the store")
    profile = check_profile(stored.profile, pack, where)
    return profile, stored.assets, [], stored.record.inputs_sha256


def evaluate_operator(
    ref: PackRef,
    operator: Operator,
    day: dt.date,
    registers: Registers,
    keep: bool,
    source_url: str | None = None,
) -> Evaluated | Refused:
    """Evaluate one operator on a worker, as ``dutybound evaluate`` does (``keep``: also return
    what to store)."""
    from dutybound.engine.evaluation import evaluate
    from dutybound.engine.evaluators import get_evaluator
    from dutybound.engine.jsontext import json_bytes
    from dutybound.engine.notices import evaluator_notice

    pack = worker_pack(ref)
    try:
        profile, assets, inventory_notices, fingerprint = operator_inputs(
            pack, operator, source_url
        )
        waivers, attestations, decisions = _registers(pack, profile, day, registers)
    except InputError as error:
        return Refused(str(error))
    chosen, notice = get_evaluator("auto")
    result = evaluate(
        pack,
        profile,
        assets,
        day,
        evaluator=chosen,
        waivers=waivers,
        attestations=attestations,
        vendor_decisions=decisions,
        inputs_sha256=fingerprint,
    )
    if notice:
        result.notices.insert(0, evaluator_notice(notice))
    result.notices.extend(inventory_notices)
    data = result.to_json()
    return Evaluated(
        json_bytes(data),
        operator_row(operator.name, data),
        Storable.of(result, data) if keep else None,
    )


def _registers(
    pack: RulePack, profile: Profile, day: dt.date, registers: Registers
) -> tuple[Any, Any, Any]:
    """The waivers, attestations and vendor decisions ``evaluate --db`` would apply: those the
    store records for this operator (None each when there are none or no store)."""
    if registers.url is None:
        return None, None, None
    from dutybound.engine.store.attestation_register import stored_attestations
    from dutybound.engine.store.vendor_decision_register import stored_vendor_decisions
    from dutybound.engine.store.waiver_register import stored_waivers
    from dutybound.engine.vendor_decisions import with_register

    waivers = stored_waivers(profile.name, pack, registers.url) or None
    attestations = stored_attestations(profile.name, pack, registers.url) or None
    decided = stored_vendor_decisions(pack.registry, day, registers.url)
    return waivers, attestations, with_register([], decided) if decided else None


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_name(operator: str) -> str:
    """The operator's output file under ``--out`` (a name from the store may hold any text)."""
    return _UNSAFE.sub("_", operator).lstrip(".") + ".json"


@dataclass(frozen=True)
class Plan:
    """What a portfolio run does: whom, on which date, under which law, written where and
    stored where (``store_url`` None: not stored)."""

    operators: list[Operator]
    day: dt.date
    pack: RulePack
    law_dir: Path | None
    out: Path
    store_url: str | None
    source_url: str | None = None


def prepare_out(plan: Plan) -> None:
    """Make ``--out`` and refuse it now, before any work, when it cannot be written; and refuse
    two operators that would write the same file."""
    names: dict[str, str] = {}
    for operator in plan.operators:
        other = names.setdefault(file_name(operator.name), operator.name)
        if other != operator.name:
            raise InputError(
                plan.out / file_name(operator.name),
                f"operators {other!r} and {operator.name!r} would write the same file",
            )
    try:
        plan.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UnwritableOutput(plan.out, f"cannot make the folder: {error.strerror}") from None
    with stage(plan.out / "summary.json", b""):
        pass  # a probe: an unwritable folder fails here (engine.atomic), nothing is left


def run_portfolio(
    plan: Plan,
    client: Client,
    console: Console | None = None,
    after_each: Callable[[Operator], None] | None = None,
) -> Summary:
    """Evaluate every operator of ``plan`` on ``client``'s cluster, store and write each result
    as it arrives, and write the summary; returns it (its ``refused`` rows decide the exit)."""
    prepare_out(plan)
    if plan.store_url is not None:
        from dutybound.engine.store import database

        database(plan.store_url)  # migrated once, here, before any worker reads it
    ref = PackRef(None if plan.law_dir is None else str(plan.law_dir.absolute()), plan.pack.sha256)
    install_pack(client, ref)
    registers = Registers(plan.store_url)
    rows: dict[str, OperatorRow] = {}

    def arrived(operator: Operator, outcome: Evaluated | Refused | Failed[Operator]) -> None:
        if isinstance(outcome, Evaluated):
            _keep(plan, operator, outcome)
            rows[operator.name] = outcome.row
        elif isinstance(outcome, Refused):
            rows[operator.name] = OperatorRow(operator.name, RowStatus.refused, error=outcome.error)
        else:
            rows[operator.name] = OperatorRow(operator.name, RowStatus.failed, error=outcome.error)
        if after_each is not None:
            after_each(operator)

    try:
        run_all(
            client,
            evaluate_operator,
            plan.operators,
            lambda o: (ref, o, plan.day, registers, plan.store_url is not None, plan.source_url),
            lambda o: f"dutybound-operator-{o.name}",
            arrived,
            console=console,
        )
    except LawMismatch as error:
        raise InputError(plan.law_dir or "rule pack", str(error)) from None
    summary = Summary(
        plan.day,
        {
            "version": plan.pack.version,
            "sha256": plan.pack.sha256,
            "law_as_of": plan.pack.law_as_of.isoformat(),
        },
        [rows[o.name] for o in plan.operators],
    )
    _write_all(plan.out, summary_files(summary))
    return summary


def _keep(plan: Plan, operator: Operator, outcome: Evaluated) -> None:
    """Write the operator's JSON and store its evaluation, the file put in place inside the
    store's transaction (as ``evaluate --db --out`` does)."""
    with stage(plan.out / file_name(operator.name), outcome.body) as staged:
        if plan.store_url is None or outcome.storable is None:
            staged.publish()
            return
        from dutybound.engine.store import save_evaluation

        save_evaluation(
            # duck-typed: the fields save_evaluation reads (see Storable)
            cast("Evaluation", outcome.storable),
            outcome.body.decode(),
            plan.store_url,
            law_dir=plan.law_dir,
            before_commit=lambda _id, _head: staged.publish(),
        )


def _write_all(out: Path, files: dict[str, bytes]) -> None:
    """Stage every file, then put them all in place: a failure while writing leaves none."""
    staged: list[StagedFile] = []
    try:
        for name, body in files.items():
            staged.append(stage(out / name, body))
        for file in staged:
            file.publish()
    finally:
        for file in staged:
            if not file.published:
                file.discard()
