"""API tokens: bearer secrets for writes, kept in the store as SHA-256 hashes only.

A token is shown once, when it is created; the store keeps its hash, a short id to list and
revoke it by, and a name saying whom it was given to. A leaked database therefore leaks no
usable token, and revoking takes effect on the next request (nothing is cached).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, insert, select, update

from narrascope.errors import InputError
from narrascope.store import Store

PREFIX = "nsc_"
"""Marks narrascope tokens, so secret scanners and people can recognise a leaked one."""

metadata = MetaData()
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("revoked", DateTime(timezone=True)),
)
"""The table migration 0003 creates (kept beside its only user rather than in the corpus schema)."""


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    created: dt.datetime
    revoked: dt.datetime | None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str) -> tuple[str, str]:
    """A new token for *name*: ``(id, secret)``; only the secret's hash is stored."""
    if not name.strip():
        raise InputError("a token needs a name (whom or what it is for)")
    secret = PREFIX + secrets.token_urlsafe(32)
    token_id = secrets.token_hex(4)
    with store.engine.begin() as connection:
        connection.execute(
            insert(api_tokens).values(
                id=token_id, name=name.strip(), hash=digest(secret), created=dt.datetime.now(dt.UTC)
            )
        )
    return token_id, secret


def list_tokens(store: Store) -> list[TokenInfo]:
    """Every token ever made, oldest first (revoked ones too, with when)."""
    t = api_tokens.c
    with store.engine.connect() as connection:
        rows = connection.execute(select(t.id, t.name, t.created, t.revoked).order_by(t.created, t.id))
        return [TokenInfo(row.id, row.name, row.created, row.revoked) for row in rows]


def revoke_token(store: Store, token_id: str) -> None:
    """Revoke the token *token_id*; an InputError when there is no such live token."""
    t = api_tokens.c
    with store.engine.begin() as connection:
        done = connection.execute(
            update(api_tokens).where(t.id == token_id, t.revoked.is_(None)).values(revoked=dt.datetime.now(dt.UTC))
        )
    if not done.rowcount:
        raise InputError(f"no live token {token_id!r} (see `narrascope token list`)")


def verify_token(store: Store, secret: str) -> str | None:
    """The id of the live token whose secret this is, else None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    t = api_tokens.c
    with store.engine.connect() as connection:
        found = connection.scalar(select(t.id).where(t.hash == digest(secret), t.revoked.is_(None)))
    return str(found) if found is not None else None
