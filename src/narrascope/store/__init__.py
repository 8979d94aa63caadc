"""The corpus store: analysed documents in SQLite (the embedded default) or PostgreSQL.

>>> from narrascope.store import Store
>>> store = Store.open("corpus.db")            # or "postgresql://user@host/db"
>>> store.add(analyses)                        # one transaction; documents already there are skipped
>>> store.get(document_id)

One schema (``narrascope.store.schema``) for both back ends, created and upgraded by Alembic
migrations shipped in the package (``narrascope.store.migrations``).
"""

from narrascope.store.store import Filters, Store, StoreError

__all__ = ["Filters", "Store", "StoreError"]
