"""Alembic environment: migrate the connection ``Store`` hands over (never a URL from a file)."""

from __future__ import annotations

from alembic import context

from narrascope.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
