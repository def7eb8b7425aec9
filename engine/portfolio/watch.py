"""Alerts for a portfolio (``portfolio watch``): what changed for each operator since its last
stored run, as events a machine can act on.

Each operator is evaluated today (its folder's profile and inventory, on ``--as-of``, under the
law of this run) and compared with the latest evaluation the store holds for the same operator
name (stored by ``portfolio run --db`` or ``evaluate --db``). The comparison is ``engine.diff``
between the stored evaluation, re-run with the law and vendor data it was stored with
(``engine.store.replay``), and today's: so every event carries the cause the differ attributes
(the law, the inventory, the date...), not a guess. Watch stores nothing: the baseline moves
when the portfolio is stored again, so an alert that could not be delivered is raised again by
the next watch rather than lost.

The events, by ``EventKind``:

- ``new_breach``: an obligation whose worst position is now ``breach`` and was not before;
- ``new_overdue``: an obligation overdue now that was not overdue (or not there) before;
- ``new_obligation``: an obligation that reaches the operator now and did not before;
- ``resolved``: an obligation that bound the operator (breach or action required) and no longer
  does (gone, waived, fulfilled, compliant or closed);
- ``deadline_within``: with ``--within-days N``, a binding due date in the next N days that was
  not within N days of the stored run's date.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dutybound.engine.diff import Change, ChangeType
from dutybound.engine.diff.changes import is_new_overdue
from dutybound.engine.errors import InputError
from dutybound.engine.outcomes import Position
from dutybound.engine.portfolio.cluster import (
    Failed,
    LawMismatch,
    PackRef,
    install_pack,
    run_all,
)
from dutybound.engine.portfolio.impact import LawVersion, WorkerPacks
from dutybound.engine.portfolio.operators import Operator
from dutybound.engine.portfolio.run import Refused
from dutybound.engine.positions import position_rank

if TYPE_CHECKING:
    from distributed import Client
    from rich.console import Console

    from dutybound.engine.evaluation import Evaluation


class EventKind(StrEnum):
    """What a watch event says happened to one obligation of one operator (in output order)."""

    new_breach = "new_breach"
    new_overdue = "new_overdue"
    new_obligation = "new_obligation"
    resolved = "resolved"
    deadline_within = "deadline_within"


_KIND_ORDER = {k: n for n, k in enumerate(EventKind)}
# the changes of an obligation whose causes explain each kind of event (a breach can come from
# assets newly reached; a deadline from a due date moved or an obligation come into force)
_RELEVANT: dict[EventKind, frozenset[ChangeType]] = {
    EventKind.new_breach: frozenset({ChangeType.APPEARED, ChangeType.STATUS, ChangeType.ASSETS}),
    EventKind.new_overdue: frozenset({ChangeType.APPEARED, ChangeType.STATUS}),
    EventKind.new_obligation: frozenset({ChangeType.APPEARED}),
    EventKind.resolved: frozenset({ChangeType.DISAPPEARED, ChangeType.STATUS, ChangeType.ASSETS}),
    EventKind.deadline_within: frozenset({ChangeType.APPEARED, ChangeType.STATUS, ChangeType.DUE}),
}
# the positions under which an obligation binds the operator now (PREPARE binds later)
BINDING_NOW: frozenset[Position] = frozenset({Position.BREACH, Position.ACTION_REQUIRED})
# the positions whose due date a deadline alert is about (as the portfolio summary's)
BINDING: frozenset[Position] = frozenset(
    {Position.BREACH, Position.ACTION_REQUIRED, Position.PREPARE}
)


@dataclass(frozen=True)
class Event:
    """One change event: who, which obligation (id, citation, due date), and why."""

    kind: EventKind
    operator: str
    name: str
    obligation_id: str
    jurisdiction: str
    title: str
    citation: str
    due: dt.date | None
    as_of: dt.date
    previous_as_of: dt.date
    previous_evaluation: int
    cause: str
    causes: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "operator": self.operator,
            "name": self.name,
            "obligation_id": self.obligation_id,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "citation": self.citation,
            "due": None if self.due is None else self.due.isoformat(),
            "as_of": self.as_of.isoformat(),
            "previous_as_of": self.previous_as_of.isoformat(),
            "previous_evaluation": self.previous_evaluation,
            "cause": self.cause,
            "causes": list(self.causes),
        }

    def sort_key(self) -> tuple[str, int, str]:
        return (self.operator, _KIND_ORDER[self.kind], self.obligation_id)


@dataclass(frozen=True)
class _Held:
    """An obligation as one evaluation holds it: worst position, earliest binding due date,
    its citation and title."""

    position: Position
    due: dt.date | None
    binding_dues: tuple[dt.date, ...]
    citation: str
    title: str
    jurisdiction: str


def _held(evaluation: Evaluation) -> dict[str, _Held]:
    """{obligation id: how the evaluation holds it}; what-if findings are not law and count not."""
    grouped: dict[str, list[Any]] = {}
    for finding in evaluation.findings:
        if finding.item.hypothetical:
            continue
        grouped.setdefault(finding.item.obligation.id, []).append(finding)
    out = {}
    for ob_id, findings in grouped.items():
        worst = min((f.position for f in findings), key=position_rank)
        dues = sorted({f.due for f in findings if f.due is not None})
        binding = tuple(
            sorted({f.due for f in findings if f.due is not None and f.position in BINDING})
        )
        ob = findings[0].item.obligation
        out[ob_id] = _Held(
            worst,
            dues[0] if dues else None,
            binding,
            ob.citation,
            ob.title,
            findings[0].item.jurisdiction,
        )
    return out


def _within(dues: Sequence[dt.date], day: dt.date, days: int) -> dt.date | None:
    """The first due date in [day, day + days], if any."""
    end = day + dt.timedelta(days=days)
    return next((d for d in dues if day <= d <= end), None)


def events_of(
    operator: str,
    before: Evaluation,
    after: Evaluation,
    changes: Sequence[Change],
    previous_id: int,
    within_days: int | None,
) -> list[Event]:
    """The events between a stored run (``before``) and today's (``after``), with the causes
    the differ gave each obligation's changes."""
    old, new = _held(before), _held(after)
    by_obligation: dict[str, list[Change]] = {}
    for change in changes:
        by_obligation.setdefault(change.obligation_id, []).append(change)

    def event(kind: EventKind, ob_id: str, held: _Held, due: dt.date | None, why: str) -> Event:
        relevant = _RELEVANT[kind]
        causes = [
            c.to_json()
            for ch in by_obligation.get(ob_id, [])
            if ch.change in relevant
            for c in ch.causes
        ]
        unique = tuple({repr(c): c for c in causes}.values())
        text = " ".join(dict.fromkeys(str(c["text"]) for c in unique)) or why
        return Event(
            kind,
            operator,
            after.profile.name,
            ob_id,
            held.jurisdiction,
            held.title,
            held.citation,
            due,
            after.as_of,
            before.as_of,
            previous_id,
            text,
            unique,
        )

    events: list[Event] = []
    for ob_id in sorted(old.keys() | new.keys()):
        was, now = old.get(ob_id), new.get(ob_id)
        mine = by_obligation.get(ob_id, [])
        if now is not None:
            if now.position is Position.BREACH and (
                was is None or was.position is not Position.BREACH
            ):
                events.append(event(EventKind.new_breach, ob_id, now, now.due, "now a breach"))
            if any(is_new_overdue(c) for c in mine):
                events.append(event(EventKind.new_overdue, ob_id, now, now.due, "now overdue"))
            if any(c.change is ChangeType.APPEARED for c in mine):
                events.append(
                    event(EventKind.new_obligation, ob_id, now, now.due, "a new obligation")
                )
        if (
            was is not None
            and was.position in BINDING_NOW
            and (now is None or now.position not in BINDING_NOW | {Position.PREPARE})
        ):
            shown = now or was
            events.append(
                event(
                    EventKind.resolved,
                    ob_id,
                    shown,
                    None if now is None else now.due,
                    "no longer binds" if now is None else f"now {now.position.value}",
                )
            )
        if within_days is not None and now is not None:
            soon = _within(now.binding_dues, after.as_of, within_days)
            earlier = None if was is None else _within(was.binding_dues, before.as_of, within_days)
            if soon is not None and earlier is None:
                events.append(
                    event(
                        EventKind.deadline_within,
                        ob_id,
                        now,
                        soon,
                        f"due {soon.isoformat()}, within {within_days} days of "
                        f"{after.as_of.isoformat()}",
                    )
                )
    return sorted(events, key=Event.sort_key)


@dataclass(frozen=True)
class Watched:
    """One operator compared with its last stored run: its events."""

    operator: str
    name: str
    previous_evaluation: int
    events: tuple[Event, ...]


@dataclass(frozen=True)
class NoBaseline:
    """An operator the store holds no run of (by its profile's name): nothing to compare."""

    operator: str
    name: str


# per worker process: the folder stored laws are unpacked into, and the pack caches (by the
# run's pack): a stored law is read once per process however many operators were stored with it
_FOLDER: list[Path] = []
_CACHES: dict[str, WorkerPacks] = {}


def _unpack_folder() -> Path:
    """This process's folder for unpacked stored laws, removed when the process exits."""
    if not _FOLDER:
        import atexit
        import shutil

        folder = Path(tempfile.mkdtemp(prefix="dutybound-watch-"))
        atexit.register(shutil.rmtree, folder, True)
        _FOLDER.append(folder)
    return _FOLDER[0]


def watch_operator(
    ref: PackRef,
    operator: Operator,
    day: dt.date,
    url: str,
    previous: dict[str, int],
    within_days: int | None,
    source_url: str | None = None,
) -> Watched | NoBaseline | Refused:
    """Compare one operator's run on ``day`` with its latest stored run (a worker's task).
    ``previous`` maps operator names to their latest stored evaluation id; ``source_url`` is
    the store the operator's inputs come from (``--operators DB-URL``)."""
    from dutybound.engine.diff import Side, diff
    from dutybound.engine.portfolio.impact import version_pack
    from dutybound.engine.portfolio.run import operator_inputs
    from dutybound.engine.store.replay import stored_side
    from dutybound.engine.store.waiver_register import stored_waivers

    version = LawVersion(ref)
    packs = _CACHES.get(ref.sha256)
    if packs is None:
        packs = _CACHES[ref.sha256] = WorkerPacks((version,))
    try:
        pack = version_pack(version)
        profile, assets, _notices, _fingerprint = operator_inputs(pack, operator, source_url)
        previous_id = previous.get(profile.name)
        if previous_id is None:
            return NoBaseline(operator.name, profile.name)
        before = stored_side(previous_id, url, _unpack_folder(), packs)
        waivers = tuple(stored_waivers(profile.name, pack, url))
        after = Side(profile, assets, day, version.key, waivers=waivers)
        result = diff(before, after, packs=packs)
    except InputError as error:
        return Refused(str(error))
    events = events_of(
        operator.name, result.before, result.after, result.changes, previous_id, within_days
    )
    return Watched(operator.name, profile.name, previous_id, tuple(events))


def latest_stored(url: str) -> dict[str, int]:
    """{operator name: id of its latest stored evaluation} in the store's default tenant (the
    tenant ``portfolio run --db`` stores in)."""
    from dutybound.engine.store import list_evaluations
    from dutybound.engine.store.records import DEFAULT_TENANT

    latest: dict[str, int] = {}
    for record, _tenant, name in list_evaluations(url, tenant=DEFAULT_TENANT):
        assert record.id is not None
        latest[name] = record.id  # oldest first: the last one wins
    return latest


def _one_folder_per_name(outcomes: dict[str, Any]) -> None:
    """Refuse two operators whose profiles have the same name (see ``run_watch``)."""
    folders: dict[str, list[str]] = {}
    for operator, outcome in sorted(outcomes.items()):
        if isinstance(outcome, Watched | NoBaseline):
            folders.setdefault(outcome.name, []).append(operator)
    shared = {name: ops for name, ops in folders.items() if len(ops) > 1}
    if shared:
        raise InputError(
            "--operators",
            "; ".join(
                f"operators {', '.join(ops)} have the same profile name {name!r}"
                for name, ops in sorted(shared.items())
            )
            + ": watch finds an operator's stored run by that name, give each its own",
        )


@dataclass
class WatchResult:
    """Every operator's outcome, in the order of the operators."""

    events: list[Event] = field(default_factory=list)
    no_baseline: list[NoBaseline] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def run_watch(
    client: Client,
    operators: Sequence[Operator],
    day: dt.date,
    law: tuple[Path | None, str],
    url: str,
    within_days: int | None = None,
    console: Console | None = None,
    after_each: Callable[[Operator], None] | None = None,
    source_url: str | None = None,
) -> WatchResult:
    """Compare every operator with its last stored run on ``client``'s cluster. ``law`` is the
    law folder of today's run (None: bundled) and its pack's sha256. Two operators whose
    profiles share a name are an input error: the store knows an operator by that name, so
    both would be compared with the same stored run."""
    if within_days is not None and within_days < 0:
        raise InputError("--within-days", f"a number of days, 0 or more, not {within_days}")
    from dutybound.engine.store import database

    database(url)  # migrated once, here, before any worker reads it
    previous = latest_stored(url)
    law_dir, sha256 = law
    ref = PackRef(None if law_dir is None else str(law_dir.absolute()), sha256)
    install_pack(client, ref)
    outcomes: dict[str, Watched | NoBaseline | Refused | Failed[Operator]] = {}

    def arrived(
        operator: Operator, outcome: Watched | NoBaseline | Refused | Failed[Operator]
    ) -> None:
        outcomes[operator.name] = outcome
        if after_each is not None:
            after_each(operator)

    try:
        run_all(
            client,
            watch_operator,
            operators,
            lambda o: (ref, o, day, url, previous, within_days, source_url),
            lambda o: f"dutybound-watch-{o.name}",
            arrived,
            description="comparing",
            console=console,
        )
    except LawMismatch as error:
        raise InputError(law_dir or "rule pack", str(error)) from None
    _one_folder_per_name(outcomes)
    result = WatchResult()
    for operator in operators:
        outcome = outcomes[operator.name]
        if isinstance(outcome, Watched):
            result.events.extend(outcome.events)
        elif isinstance(outcome, NoBaseline):
            result.no_baseline.append(outcome)
        elif isinstance(outcome, Refused):
            result.refused.append((operator.name, outcome.error))
        else:
            result.failed.append((operator.name, outcome.error))
    result.events.sort(key=Event.sort_key)
    return result
