"""Alembic migrations of the store (run by ``Store.open``; ``env.py`` takes the open connection)."""
