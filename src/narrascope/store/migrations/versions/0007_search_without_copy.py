"""SQLite full-text search reads the documents table instead of keeping its own copy of the text.

The FTS5 table ``documents_fts`` kept every title and text a second time; as an external-content
table (``content='documents'``, keyed by the documents' rowid) it keeps only its index, and a
stored document is written once. Existing stores are re-indexed from their documents.
PostgreSQL's search column is untouched.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE documents_fts")
    op.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', content_rowid='rowid', "
        "tokenize='unicode61')"
    )
    op.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE documents_fts")
    op.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(id UNINDEXED, title, text, tokenize='unicode61')")
    op.execute("INSERT INTO documents_fts (id, title, text) SELECT id, coalesce(title, ''), text FROM documents")
