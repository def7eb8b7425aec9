"""The store: evaluations kept with their inputs, law and an audit chain (SQLite or PostgreSQL).

See ``models`` for the tables, ``connection`` for choosing and migrating the database,
``records`` for reading and writing, ``audit`` for the hash chain, ``snapshots`` for the law
archives, and ``waiver_register``, ``attestation_register`` and ``vendor_decision_register``
(sharing ``register``) for the operator's own records.

The names below are loaded on first use (PEP 562), not when the package is imported: importing
SQLAlchemy, SQLModel and Alembic is a noticeable share of a CLI run, and ``dutybound evaluate``
asks only whether a database is configured (``ENV_URL``) before deciding it needs none.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

ENV_URL = "DUTYBOUND_DATABASE_URL"

_LAZY = {
    "database": "dutybound.engine.store.connection",
    "resolve_url": "dutybound.engine.store.connection",
    "StoredEvaluation": "dutybound.engine.store.records",
    "count_rows": "dutybound.engine.store.records",
    "list_evaluations": "dutybound.engine.store.records",
    "load_evaluation": "dutybound.engine.store.records",
    "save_evaluation": "dutybound.engine.store.records",
    "verify_audit": "dutybound.engine.store.records",
    "list_attestations": "dutybound.engine.store.attestation_register",
    "record_attestations": "dutybound.engine.store.attestation_register",
    "stored_attestations": "dutybound.engine.store.attestation_register",
}

if TYPE_CHECKING:
    from dutybound.engine.store.attestation_register import (
        list_attestations,
        record_attestations,
        stored_attestations,
    )
    from dutybound.engine.store.connection import database, resolve_url
    from dutybound.engine.store.records import (
        StoredEvaluation,
        count_rows,
        list_evaluations,
        load_evaluation,
        save_evaluation,
        verify_audit,
    )

__all__ = [
    "ENV_URL",
    "StoredEvaluation",
    "count_rows",
    "database",
    "list_attestations",
    "list_evaluations",
    "load_evaluation",
    "record_attestations",
    "resolve_url",
    "save_evaluation",
    "stored_attestations",
    "verify_audit",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dutybound.engine.store' has no attribute {name!r}")
