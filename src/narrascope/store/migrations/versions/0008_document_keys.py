"""Layer rows point at their document by an integer key, not by its 64-character id.

``documents.key`` numbers the documents in the order they were stored; the layer tables
(entities, quotes, claims, techniques) are keyed by ``(document, item)`` with ``document`` that
key. About 95 layer rows are written per news article: with the content-hash id in every row and
every primary-key entry, each batch touched index pages all over the file (the ids are random);
with increasing integers the rows and their index entries go at the end. ``narrascope bench
ingest`` storing 4,000 analysed articles: 1,807 documents/s before, 2,298–2,671 after.
``ix_quotes_speaker`` and ``ix_techniques_technique`` are dropped: no query can use them (the
filters compare ``lower(...)``) and every layer row paid for them. Existing rows are copied.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LAYERS = {
    "entities": "name TEXT NOT NULL, type VARCHAR(32) NOT NULL, mentions INTEGER NOT NULL",
    "quotes": "speaker TEXT, speaker_kind VARCHAR(32), kind VARCHAR(32) NOT NULL, content TEXT",
    "claims": "claimant TEXT, certainty FLOAT NOT NULL, checkworthy FLOAT, hedged BOOLEAN NOT NULL, text TEXT NOT NULL",
    "techniques": "technique VARCHAR(64) NOT NULL, family VARCHAR(64) NOT NULL, level VARCHAR(16) NOT NULL, "
    "score FLOAT NOT NULL",
}
"""Each layer table's own columns, after ``document, item, start, end`` (as in 0001)."""


def _names(columns: str) -> list[str]:
    return [part.split()[0] for part in columns.split(", ")]


def _rebuild(table: str, columns: str, key: str, parent: str, join: str) -> None:
    """Copy *table* into a new one whose first column is *key* (referencing *parent*), filled by *join*."""
    op.execute(
        f'CREATE TABLE {table}_new ({key}, item VARCHAR(32) NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, '
        f"{columns}, PRIMARY KEY ({key.split()[0]}, item), "
        f"FOREIGN KEY ({key.split()[0]}) REFERENCES documents ({parent}) ON DELETE CASCADE)"
    )
    own = ", ".join(f"t.{name}" for name in _names(columns))
    on = "d.id = t.document_id" if parent == "key" else "d.key = t.document"
    op.execute(
        f'INSERT INTO {table}_new SELECT {join}, t.item, t.start, t."end", {own} '
        f"FROM {table} t JOIN documents d ON {on}"
    )
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute("ALTER TABLE documents ADD COLUMN key BIGINT")
    if sqlite:
        op.execute("UPDATE documents SET key = rowid")
    else:
        op.execute(
            "UPDATE documents SET key = n.k FROM "
            "(SELECT id, row_number() OVER (ORDER BY added, id) AS k FROM documents) n WHERE n.id = documents.id"
        )
        op.execute("ALTER TABLE documents ALTER COLUMN key SET NOT NULL")
    op.execute("CREATE UNIQUE INDEX ix_documents_key ON documents (key)")
    for table, columns in LAYERS.items():
        _rebuild(table, columns, "document BIGINT NOT NULL", "key", "d.key")
    op.execute("CREATE INDEX ix_entities_name ON entities (name)")


def downgrade() -> None:
    for table, columns in LAYERS.items():
        _rebuild(table, columns, "document_id VARCHAR(64) NOT NULL", "id", "d.id")
    op.execute("CREATE INDEX ix_entities_name ON entities (name)")
    op.execute("CREATE INDEX ix_quotes_speaker ON quotes (speaker)")
    op.execute("CREATE INDEX ix_techniques_technique ON techniques (technique)")
    op.execute("DROP INDEX ix_documents_key")
    op.execute("ALTER TABLE documents DROP COLUMN key")
