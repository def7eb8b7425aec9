"""Which database, and getting it to the current schema.

The URL comes from ``--db``, else ``DUTYBOUND_DATABASE_URL``, else an SQLite file in the user's
data directory (``platformdirs``). ``postgresql://`` URLs are given the psycopg 3 driver. The
schema is brought to the newest Alembic revision on first use in a process.

SQLite gets WAL (readers do not block the writer), a 60 s busy timeout, foreign keys, and
``BEGIN IMMEDIATE`` for every transaction: the audit chain needs each writer to see the newest
chain head before it appends, so writers must queue at the start of the transaction rather
than fail at commit.

A database that cannot be used (a corrupt or read-only file, a file that is no database, a
directory, a server that does not answer) is the user's to fix, not a crash: every engine turns
such a driver error into ``UnusableDatabase``, an input error naming the URL with its password
hidden (one line, exit 2 at the CLI's boundary).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.pool import StaticPool

from dutybound.engine.bundled import migrations_dir
from dutybound.engine.errors import InputError
from dutybound.engine.store import ENV_URL

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def default_url() -> str:
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("dutybound", appauthor=False))
    return f"sqlite:///{folder / 'dutybound.db'}"


def resolve_url(url: str | None = None) -> str:
    """The database to use: the argument, the environment, or the per-user default."""
    chosen = url or os.environ.get(ENV_URL) or default_url()
    try:
        parsed = make_url(chosen)
    except Exception:  # SQLAlchemy raises ArgumentError; say it in the user's terms
        raise InputError(
            "--db",
            f"not a database URL: {chosen!r} (e.g. sqlite:///audit.db or "
            "postgresql://user@host/dbname)",
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "postgresql+psycopg"):
        raise InputError(
            "--db", f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://"
        )
    return parsed.render_as_string(hide_password=False)


class UnusableDatabase(InputError):
    """The database cannot be opened, read or written; ``file`` is its URL, password hidden."""


def shown_url(url: str) -> str:
    """``url`` as it may be printed: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _unusable(url: str, error: BaseException) -> UnusableDatabase:
    """The one-line error for an unusable database: the URL and what the driver said."""
    password = make_url(url).password
    said = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    if password:  # a driver may quote its connection string back
        said = said.replace(str(password), "***")
    return UnusableDatabase(shown_url(url), f"cannot use this database: {said or type(error)}")


def _is_unusable(context: ExceptionContext) -> bool:
    """A driver error that says the database itself cannot be used (it cannot be reached,
    opened, read or written), as opposed to a statement the program got wrong."""
    dbapi = context.dialect.loaded_dbapi
    error = context.original_exception
    return isinstance(error, dbapi.OperationalError) or type(error) is dbapi.DatabaseError


def _report_unusable(engine: Engine, url: str) -> None:
    @event.listens_for(engine, "handle_error")
    def _handle_error(context: ExceptionContext) -> None:
        if _is_unusable(context):
            raise _unusable(url, context.original_exception) from context.original_exception


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, explicitly
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def database(url: str | None = None) -> Engine:
    """The engine for ``url`` (see ``resolve_url``), migrated to the newest schema; one per URL
    per process."""
    resolved = resolve_url(url)
    with _LOCK:
        engine = _ENGINES.get(resolved)
        if engine is None:
            if resolved.startswith("sqlite"):
                database_path = make_url(resolved).database
                if database_path and database_path != ":memory:":
                    try:
                        Path(database_path).parent.mkdir(parents=True, exist_ok=True)
                    except OSError as error:  # a file where its folder should be, say
                        raise UnusableDatabase(
                            shown_url(resolved),
                            f"cannot use this database: cannot create its folder "
                            f"{Path(database_path).parent}: {error.strerror}",
                        ) from error
                    engine = create_engine(resolved)
                else:  # in memory: one connection, or every connection is a new empty database
                    engine = create_engine(
                        resolved, poolclass=StaticPool, connect_args={"check_same_thread": False}
                    )
                _sqlite_setup(engine)
            else:
                engine = create_engine(resolved, pool_pre_ping=True)
            _report_unusable(engine, resolved)
            migrate(engine)
            _ENGINES[resolved] = engine
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (a no-op when it is there already)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        if current is None and "evaluation" in inspect(connection).get_table_names():
            raise InputError(
                str(engine.url),
                "this database was created by an early dutybound "
                "without migrations; move it aside and start a new one",
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def dispose_all() -> None:
    """Close every pooled connection (tests, and processes that fork)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
