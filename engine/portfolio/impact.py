"""Which operators of a portfolio a change of law touches, and how (``portfolio impact``).

The question a consultant or a regulator asks when the law moves (a new Covered List entry, a
vendor group added to a designation, a deadline moved) is "which of my operators does this touch,
and how?". Each operator is answered with ``engine.diff``, the same counterfactual differ as
``dutybound diff --before-law-dir``: both sides share the operator's profile, inventory and date,
so every change it finds is the law's, each with its cause (the obligation, instrument or
designation added or amended, with its citation). There is no second differ here.

An operator is one task on the portfolio's Dask cluster (``cluster.run_all``). Both versions of
the law are loaded once per worker (``cluster.worker_pack``, one plugin per pack) and handed to
the differ through ``WorkerPacks``, a ``PackCache`` that answers from them instead of reading the
law folder again for every operator. A what-if decision (``--assume-designation``) is the after
side's law with the decision's duties added (``engine.powers.assume``), under a law folder name
of its own so that the differ sees the law step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dutybound.engine.diff import Change, PackCache
from dutybound.engine.errors import InputError
from dutybound.engine.loading import default_law_dir, default_registry_path
from dutybound.engine.portfolio.cluster import (
    Failed,
    LawMismatch,
    PackRef,
    install_pack,
    run_all,
    worker_pack,
)
from dutybound.engine.portfolio.operators import Operator
from dutybound.engine.portfolio.run import Refused

if TYPE_CHECKING:
    from distributed import Client
    from rich.console import Console

    from dutybound.engine.loading import RulePack

# the law folder name under which a what-if decision's law is known to the differ: it is the
# after side's folder with the decision's duties added, never read from disk
ASSUMED_SUFFIX = "#assumed"


class ImpactStatus(StrEnum):
    """What the law change did to one operator."""

    touched = "touched"
    not_touched = "not_touched"
    # its profile or inventory is bad input, or its profile does not hold under the old law
    refused = "refused"
    # its task failed on every try for a reason not in its input
    failed = "failed"


@dataclass(frozen=True)
class LawVersion:
    """One side of the law change as a worker finds it: the pack (``ref``: its folder and
    sha256), the what-if decisions added to it, and the folder name the differ knows it by."""

    ref: PackRef
    assume: tuple[str, ...] = ()

    @property
    def key(self) -> Path:
        """The law folder of this side for ``engine.diff`` (distinct for an assumed law)."""
        folder = Path(self.ref.law_dir) if self.ref.law_dir else default_law_dir()
        return folder / ASSUMED_SUFFIX if self.assume else folder


# the what-if packs made on this worker process, by (pack sha256, decisions)
_ASSUMED: dict[tuple[str, tuple[str, ...]], RulePack] = {}


def version_pack(version: LawVersion) -> RulePack:
    """The pack of one side on this process: the worker's loaded pack, with the what-if
    decisions added (made once per process)."""
    pack = worker_pack(version.ref)
    if not version.assume:
        return pack
    key = (version.ref.sha256, version.assume)
    assumed = _ASSUMED.get(key)
    if assumed is None:
        from dutybound.engine.powers import assume, parse_assumption

        assumed = assume(pack, [parse_assumption(t, pack) for t in version.assume])
        _ASSUMED[key] = assumed
    return assumed


class WorkerPacks(PackCache):
    """The differ's pack cache on a worker: the two sides' packs come from the worker's loaded
    packs (read once per worker, not once per operator); any other folder is loaded as usual."""

    def __init__(self, versions: Sequence[LawVersion]) -> None:
        super().__init__()
        self._versions = {v.key.resolve(): v for v in versions}
        self._registry = default_registry_path().resolve()

    def get(self, law_dir: Path, registry_path: Path) -> RulePack:
        version = self._versions.get(law_dir.resolve())
        if version is None or registry_path.resolve() != self._registry:
            return super().get(law_dir, registry_path)
        return version_pack(version)


@dataclass(frozen=True)
class ImpactChange:
    """One obligation a law change adds, removes or changes for an operator, with its causes.
    Compact: the statuses and due dates either side and how many assets moved, not the asset
    lists (a large inventory would send megabytes back per operator)."""

    obligation_id: str
    jurisdiction: str
    title: str
    change: str
    before_status: str | None
    after_status: str | None
    before_due: str | None
    after_due: str | None
    assets_added: int
    assets_removed: int
    causes: tuple[dict[str, Any], ...]

    @classmethod
    def of(cls, change: Change) -> ImpactChange:
        before, after = change.before, change.after
        return cls(
            change.obligation_id,
            change.jurisdiction,
            change.title,
            change.change.value,
            None if before is None else before.status.value,
            None if after is None else after.status.value,
            None if before is None or before.due is None else before.due.isoformat(),
            None if after is None or after.due is None else after.due.isoformat(),
            len(change.assets_added),
            len(change.assets_removed),
            tuple(c.to_json() for c in change.causes),
        )

    @property
    def cause_text(self) -> str:
        """The causes as one line for a table cell."""
        return " ".join(str(c["text"]) for c in self.causes)

    def to_json(self) -> dict[str, Any]:
        return {
            "obligation_id": self.obligation_id,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "change": self.change,
            "before": {"status": self.before_status, "due": self.before_due},
            "after": {"status": self.after_status, "due": self.after_due},
            "assets_added": self.assets_added,
            "assets_removed": self.assets_removed,
            "causes": list(self.causes),
        }


@dataclass(frozen=True)
class OperatorImpact:
    """One operator's answer: touched (with its changes), not touched, or refused/failed."""

    operator: str
    status: ImpactStatus
    name: str | None = None
    changes: tuple[ImpactChange, ...] = ()
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "status": self.status.value,
            "name": self.name,
            "changes": [c.to_json() for c in self.changes],
            "error": self.error,
        }


def impact_operator(
    before: LawVersion,
    after: LawVersion,
    operator: Operator,
    day: dt.date,
    source_url: str | None = None,
) -> OperatorImpact | Refused:
    """Diff one operator under the two laws on ``day`` (a worker's task). Bad input is an
    answer (``Refused``), not an exception: it would be retried, and is as bad the third time."""
    from dutybound.engine.diff import Side, diff
    from dutybound.engine.inputs import check_profile
    from dutybound.engine.portfolio.run import operator_inputs

    packs = WorkerPacks((before, after))
    try:
        profile, assets, _notices, _fingerprint = operator_inputs(
            version_pack(after), operator, source_url
        )
        where = str(operator.profile or f"operator {operator.name}")
        try:
            old_profile = check_profile(profile.model_dump(), version_pack(before), where)
        except InputError as error:
            raise InputError(where, f"under the before law: {error}") from None
        result = diff(
            Side(old_profile, assets, day, before.key),
            Side(profile, assets, day, after.key),
            packs=packs,
        )
    except InputError as error:
        return Refused(str(error))
    changes = tuple(ImpactChange.of(c) for c in result.changes)
    return OperatorImpact(
        operator.name,
        ImpactStatus.touched if changes else ImpactStatus.not_touched,
        profile.name,
        changes,
    )


@dataclass
class Impact:
    """The portfolio's answer: a row per operator, in the order of the operators."""

    as_of: dt.date
    before: dict[str, Any]
    after: dict[str, Any]
    rows: list[OperatorImpact] = field(default_factory=list)

    def of(self, status: ImpactStatus) -> list[OperatorImpact]:
        return [r for r in self.rows if r.status is status]

    @property
    def touched(self) -> list[OperatorImpact]:
        return self.of(ImpactStatus.touched)

    @property
    def not_answered(self) -> list[OperatorImpact]:
        return self.of(ImpactStatus.refused) + self.of(ImpactStatus.failed)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "law_before": self.before,
            "law_after": self.after,
            "operators": len(self.rows),
            "counts": {s.value: len(self.of(s)) for s in ImpactStatus},
            # touched first, then the rest, each group in operator order
            "rows": [r.to_json() for r in self.ordered()],
        }

    def ordered(self) -> list[OperatorImpact]:
        """Touched operators first, then refused and failed, then those not touched."""
        order = (
            ImpactStatus.touched,
            ImpactStatus.refused,
            ImpactStatus.failed,
            ImpactStatus.not_touched,
        )
        return [r for s in order for r in self.of(s)]


CSV_HEADER: tuple[str, ...] = (
    "operator",
    "name",
    "status",
    "jurisdiction",
    "obligation",
    "change",
    "before status",
    "after status",
    "before due",
    "after due",
    "assets added",
    "assets removed",
    "cause steps",
    "cause kinds",
    "cause",
    "error",
)


def csv_rows(impact: Impact) -> list[list[object]]:
    """A row per change of a touched operator, one per refused or failed operator (its error)
    and one per operator not touched: no operator is left out of the file."""
    out: list[list[object]] = []
    for row in impact.ordered():
        if not row.changes:
            blank: list[object] = [None] * 12
            out.append([row.operator, row.name, row.status.value, *blank, row.error])
            continue
        for c in row.changes:
            out.append(
                [
                    row.operator,
                    row.name,
                    row.status.value,
                    c.jurisdiction,
                    c.obligation_id,
                    c.change,
                    c.before_status,
                    c.after_status,
                    c.before_due,
                    c.after_due,
                    c.assets_added,
                    c.assets_removed,
                    ";".join(sorted({str(k["step"]) for k in c.causes})),
                    ";".join(str(k["kind"]) for k in c.causes),
                    c.cause_text,
                    None,
                ]
            )
    return out


def pack_json(pack: RulePack, assume: Sequence[str] = ()) -> dict[str, Any]:
    """One side's law as the output names it."""
    return {
        "version": pack.version,
        "sha256": pack.sha256,
        "assumed": list(assume),
    }


def run_impact(
    client: Client,
    operators: Sequence[Operator],
    day: dt.date,
    sides: tuple[tuple[LawVersion, RulePack], tuple[LawVersion, RulePack]],
    source_url: str | None = None,
    console: Console | None = None,
    after_each: Callable[[Operator], None] | None = None,
) -> Impact:
    """Diff every operator under the two laws on ``client``'s cluster. ``sides`` are the before
    and after law, each with the pack the client loaded (to name it in the output). A worker
    whose law folder holds another pack stops the run (``InputError``)."""
    (before, before_pack), (after, after_pack) = sides
    for version in (before, after):
        install_pack(client, version.ref)
    impact = Impact(day, pack_json(before_pack, before.assume), pack_json(after_pack, after.assume))
    rows: dict[str, OperatorImpact] = {}

    def arrived(operator: Operator, outcome: OperatorImpact | Refused | Failed[Operator]) -> None:
        if isinstance(outcome, OperatorImpact):
            rows[operator.name] = outcome
        elif isinstance(outcome, Refused):
            rows[operator.name] = OperatorImpact(
                operator.name, ImpactStatus.refused, error=outcome.error
            )
        else:
            rows[operator.name] = OperatorImpact(
                operator.name, ImpactStatus.failed, error=outcome.error
            )
        if after_each is not None:
            after_each(operator)

    try:
        run_all(
            client,
            impact_operator,
            operators,
            lambda o: (before, after, o, day, source_url),
            lambda o: f"dutybound-impact-{o.name}",
            arrived,
            description="diffing",
            console=console,
        )
    except LawMismatch as error:
        raise InputError(after.ref.law_dir or "rule pack", str(error)) from None
    impact.rows = [rows[o.name] for o in operators]
    return impact
