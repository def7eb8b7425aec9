"""Shared fixtures: one rule pack and one durable-rules host per test session.

durable-rules cannot unregister rulesets, so building them once per session (the evaluator caches
them per rule list) keeps memory flat however many tests run.
"""

from __future__ import annotations

import pytest

from dutybound.engine.evaluators import get_evaluator
from dutybound.engine.evaluators.reference import ReferenceEvaluator
from dutybound.engine.loading import RulePack, load_rulepack


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_rulepack()


@pytest.fixture(scope="session")
def evaluators() -> dict:
    """The production evaluator (durable-rules where importable) and the reference."""
    production, _notice = get_evaluator("auto")
    return {"production": production, "reference": ReferenceEvaluator()}


# --- databases --------------------------------------------------------------------------------
# Store tests run on SQLite and on a real PostgreSQL server. CI starts one with
# scripts/test-postgres.sh and sets DUTYBOUND_TEST_POSTGRES_URL; without it the PostgreSQL cases
# are skipped locally, but fail under CI=true so that a broken server cannot pass silently.

POSTGRES_ENV = "DUTYBOUND_TEST_POSTGRES_URL"


def _postgres_database(base_url: str, name: str) -> str:
    """Create an empty database ``name`` on the test server; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _new_database(kind: str, folder) -> str:
    """A fresh, empty database of ``kind`` (SQLite in ``folder``, or one on the test server)."""
    import os
    import uuid

    if kind == "sqlite":
        return f"sqlite:///{folder / 'dutybound.db'}"
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must test on PostgreSQL")
        pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} not set)")
    return _postgres_database(base, f"dutybound_test_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each kind for one test."""
    from dutybound.engine.store.connection import dispose_all

    yield _new_database(request.param, tmp_path)
    dispose_all()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(request, tmp_path_factory) -> str:
    """The same, shared by the tests of one module (the service's)."""
    from dutybound.engine.store.connection import dispose_all

    yield _new_database(request.param, tmp_path_factory.mktemp("db"))
    dispose_all()


@pytest.fixture(autouse=True, scope="session")
def _own_cache_dir(tmp_path_factory) -> None:
    """Tests load dozens of modified rule packs; keep their cache entries out of the user's
    cache directory (subprocesses inherit the variable)."""
    import os

    os.environ["DUTYBOUND_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def _no_user_database(monkeypatch) -> None:
    """Tests never write to the database of the person running them."""
    monkeypatch.delenv("DUTYBOUND_DATABASE_URL", raising=False)


# --- Dask ------------------------------------------------------------------------------------


def local_cluster(workers: int):  # type: ignore[no-untyped-def]
    """A LocalCluster of ``workers`` single-threaded worker processes, quiet, on free ports (no
    dashboard): what the portfolio's tests run on, as CI's machine can."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        scheduler_kwargs={"dashboard": False},
        silence_logs=40,
    )


@pytest.fixture(scope="module")
def scheduler() -> str:
    """The address of a two-worker LocalCluster shared by the tests of one module."""
    with local_cluster(2) as local:
        yield local.scheduler_address
