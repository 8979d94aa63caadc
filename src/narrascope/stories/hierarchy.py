"""The whole hierarchy as one batch hook: story → claim → narrative, assigned in each batch's
transaction (``Store.add(..., also=Hierarchy.load(store))``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from narrascope.model import Analysis
from narrascope.store.store import Store
from narrascope.stories.claims import CLAIM, NARRATIVE, ClaimIndex
from narrascope.stories.index import LEVEL, StoryIndex, members

if TYPE_CHECKING:
    from narrascope.encoder import Encoder

__all__ = ["Hierarchy", "stored_counts"]


def stored_counts(store: Store) -> dict[str, int]:
    """How many assignments the store holds per level (story, claim, narrative)."""
    m = members.c
    query = select(m.level, func.count().label("n")).group_by(m.level)
    with store.engine.connect() as connection:
        counts = {row.level: int(row.n) for row in connection.execute(query)}
    return {level: counts.get(level, 0) for level in (LEVEL, CLAIM, NARRATIVE)}


class Hierarchy:
    """Stories, claims and narratives of one store, kept in step with it batch by batch."""

    def __init__(self, stories: StoryIndex, claims: ClaimIndex) -> None:
        self.stories = stories
        self.claims = claims

    @classmethod
    def load(cls, store: Store, encoder: Encoder | None = None) -> Hierarchy:
        """The store's clusters at every level as they were stored."""
        return cls(StoryIndex.load(store, encoder), ClaimIndex.load(store, encoder))

    def assign(self, connection: Any, new: Sequence[Analysis], added: dt.datetime) -> None:
        self.stories.assign(connection, new, added)
        self.claims.assign(connection, new, added)

    def mark_failed(self) -> None:
        self.stories.mark_failed()
        self.claims.mark_failed()

    @property
    def broken(self) -> bool:
        """A batch failed after documents were placed: open the hierarchy again."""
        return self.stories.broken or self.claims.broken

    def counts(self) -> dict[str, int]:
        """How many assignments this index has made per level (``stored_counts`` when in step)."""
        return {LEVEL: self.stories.position, **self.claims.positions}
