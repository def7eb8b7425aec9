"""Alembic environment: migrations run on the connection ``engine.store.connection.migrate``
passes in (there is no alembic.ini; the URL is dutybound's own setting)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
