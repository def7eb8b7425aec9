"""Running a function over many items on Dask distributed, the portfolio's only parallelism.

By default a ``LocalCluster`` of worker processes (one thread each: an evaluation is pure
Python and holds the GIL) on this machine; with an address, the Dask scheduler of a real
cluster. Each task is submitted with ``retries=2`` and results are taken as they complete
(``as_completed``): a worker lost mid-run costs only the tasks it held, which the scheduler
runs again elsewhere, and the caller stores each result as it arrives instead of holding
them all.

The rule pack is loaded on each worker once: ``PackPlugin`` loads it when the worker starts
(and again on a worker that replaces a lost one), keyed by the pack's sha256, and ``worker_pack``
hands it to every task on that worker. A worker whose law folder holds another version of the
law refuses the run (``LawMismatch``) rather than evaluating under different law.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from dutybound.engine.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from dutybound.engine.loading import RulePack

DEFAULT_WORKERS = 2
# a task that raises is run up to this many more times (one whose worker is lost is run again
# elsewhere by the scheduler itself, up to its distributed.scheduler.allowed-failures)
RETRIES = 2

# the rule packs loaded in this worker process, by sha256 (see PackPlugin), and how many times
# a pack was read from the law folder here (once per pack, unless something is wrong)
_PACKS: dict[str, RulePack] = {}
_LOADS: list[str] = []

T = TypeVar("T")
R = TypeVar("R")


class LawMismatch(RuntimeError):
    """A worker's law folder holds another rule pack than the client's: the run stops, since
    its results would mix two versions of the law."""


@dataclass(frozen=True)
class PackRef:
    """What a task needs to find its rule pack on a worker: the law folder (None: the bundled
    one) and the sha256 the client loaded from it."""

    law_dir: str | None
    sha256: str


def worker_pack(ref: PackRef) -> RulePack:
    """The rule pack ``ref`` names, loaded once per worker process (the plugin normally did it
    when the worker started)."""
    pack = _PACKS.get(ref.sha256)
    if pack is None:
        from dutybound.engine.loading import load_rulepack

        try:
            pack = load_rulepack(None if ref.law_dir is None else Path(ref.law_dir))
        except InputError as error:
            # an InputError does not travel back from a worker (it does not unpickle)
            raise LawMismatch(f"this worker cannot load the law: {error}") from None
        if pack.sha256 != ref.sha256:
            raise LawMismatch(
                f"this worker's law folder ({ref.law_dir or 'bundled'}) holds rule pack "
                f"{pack.version} (sha256 {pack.sha256[:12]}), the client's is "
                f"{ref.sha256[:12]}: install the same law version on every worker"
            )
        _PACKS[ref.sha256] = pack
        _LOADS.append(ref.sha256)
    return pack


def pack_loads() -> list[str]:
    """The sha256 of each rule pack this process read from its law folder, once per read
    (asked of workers by the tests: one entry per worker after a whole portfolio)."""
    return list(_LOADS)


class PackPlugin(WorkerPlugin):
    """A Dask worker plugin: loads the rule pack when a worker starts, so that no task waits
    for it and a pack is read once per worker, not once per operator."""

    def __init__(self, ref: PackRef) -> None:
        self.ref = ref
        # one plugin per pack: a run that compares two versions of the law (``portfolio
        # impact``) has both loaded on every worker, and a long-lived cluster keeps each
        self.name = f"dutybound-rulepack-{ref.sha256[:16]}"

    def setup(self, worker: Any) -> None:
        # a failure is raised again by the tasks, and the run reports it; a plugin error
        # would only be logged on the worker
        with suppress(LawMismatch, InputError):
            worker_pack(self.ref)


@contextmanager
def dask_client(workers: int = DEFAULT_WORKERS, scheduler: str | None = None) -> Iterator[Client]:
    """A Dask client: of the scheduler at ``scheduler`` (``tcp://host:8786``), or of a new
    LocalCluster of ``workers`` processes with one thread each, closed on exit."""
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
        except OSError as error:
            raise InputError("--scheduler", f"cannot reach {scheduler}: {error}") from None
        with client:
            yield client
        return
    if workers < 1:
        raise InputError("--workers", f"at least 1 worker, not {workers}")
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        # the scheduler's HTTP server on a free port, without the dashboard: 8787 may be
        # another cluster's, and a portfolio run is watched through its progress bar
        dashboard_address=":0",
        scheduler_kwargs={"dashboard": False},
        silence_logs=40,  # logging.ERROR: a lost worker is reported by the run, not logged
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def install_pack(client: Client, ref: PackRef) -> None:
    """Load the rule pack on every worker of ``client``'s cluster, now and as workers join."""
    plugin = PackPlugin(ref)
    client.register_plugin(plugin, name=plugin.name)


@dataclass(frozen=True)
class Failed(Generic[T]):
    """An item whose task raised on every try: its error, as text."""

    item: T
    error: str


def run_all(
    client: Client,
    function: Callable[..., R],
    items: Sequence[T],
    arguments: Callable[[T], tuple[Any, ...]],
    key: Callable[[T], str],
    on_result: Callable[[T, R | Failed[T]], None],
    description: str = "evaluating",
    console: Console | None = None,
) -> None:
    """Submit ``function(*arguments(item))`` for every item (``retries=RETRIES``; the task's key
    is ``key(item)`` and a token of this call) and call
    ``on_result`` with each item's result, or its ``Failed``, as tasks complete, with a
    progress bar on ``console`` (default: stderr). A ``LawMismatch`` from any task stops the
    run."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    # the run's own keys: a long-lived scheduler may hold another run's results for the same
    # operator (another date, another law), which a repeated key would be given back
    run = uuid.uuid4().hex[:12]
    by_key = {f"{key(item)}-{run}": item for item in items}
    if len(by_key) != len(items):
        raise ValueError("two items with the same key")
    futures = [
        client.submit(function, *arguments(item), key=k, retries=RETRIES, pure=False)
        for k, item in by_key.items()
    ]
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=False,
    ) as progress:
        bar = progress.add_task(description, total=len(futures))
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            item = by_key[future.key]
            if future.status == "error":
                error = future.exception()
                if isinstance(error, LawMismatch):
                    client.cancel(futures)  # type: ignore[no-untyped-call]
                    raise error
                outcome: R | Failed[T] = Failed(item, f"{type(error).__name__}: {error}")
            else:
                outcome = future.result()
            future.release()
            on_result(item, outcome)
            progress.advance(bar)
