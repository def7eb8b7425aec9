"""The store: evaluations kept with their inputs, law and an audit chain (SQLite or PostgreSQL).

See ``models`` for the tables, ``database`` for choosing and migrating the database,
``records`` for reading and writing, ``audit`` for the hash chain and ``snapshots`` for the law
archives.
"""

from engine.store.database import ENV_URL, database, resolve_url
from engine.store.records import (
    StoredEvaluation,
    count_rows,
    list_evaluations,
    load_evaluation,
    save_evaluation,
    verify_audit,
)

__all__ = ["ENV_URL", "StoredEvaluation", "count_rows", "database", "list_evaluations",
           "load_evaluation", "resolve_url", "save_evaluation", "verify_audit"]
