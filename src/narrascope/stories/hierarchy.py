"""The whole hierarchy as one batch hook: story → claim → narrative, assigned in each batch's
transaction (``Store.add(..., also=Hierarchy.load(store))``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from narrascope.encoder import ENCODER_ID
from narrascope.matching.clusters import Clusters
from narrascope.model import Analysis
from narrascope.store.lock import write_lock
from narrascope.store.store import Store, StoreError
from narrascope.stories.claims import CLAIM, NARRATIVE, ClaimIndex
from narrascope.stories.index import LEVEL, StoryIndex, members, merges, stored_encoder
from narrascope.stories.levels import MERGED

__all__ = ["Hierarchy", "stored_counts", "stored_state"]


def stored_counts(store: Store) -> dict[str, int]:
    """How many assignments the store holds per level (story, claim, narrative): one past the
    last position (positions run from 0 without gaps), read from the position index instead of
    counting every row."""
    m = members.c
    with store.engine.connect() as connection:
        last = {
            level: connection.scalar(select(func.max(m.position)).where(m.level == level))
            for level in (LEVEL, CLAIM, NARRATIVE)
        }
    return {level: 0 if at is None else int(at) + 1 for level, at in last.items()}


def stored_state(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    """What a hierarchy in memory must agree with to be in step with *store*: the assignments
    per level and the merges re-clustering made per level (cheap enough to ask per request)."""
    g = merges.c
    with store.engine.connect() as connection:
        merged = dict.fromkeys(MERGED, 0) | {
            str(row.level): int(row.n)
            for row in connection.execute(select(g.level, func.count().label("n")).group_by(g.level))
        }
    return stored_counts(store), merged


class Hierarchy:
    """Stories, claims and narratives of one store, kept in step with it batch by batch."""

    def __init__(self, stories: StoryIndex, claims: ClaimIndex) -> None:
        self.stories = stories
        self.claims = claims

    @classmethod
    def load(cls, store: Store, encoder_id: str | None = None, snapshot: bool = True) -> Hierarchy:
        """The store's clusters at every level as they were stored: from the store's snapshot when
        it is current (:mod:`.snapshot`), else replayed from the store. New documents are placed
        with the encoder the store's clusters were made with; *encoder_id* chooses it for a store
        that has none yet (all-MiniLM by default) and must agree with it otherwise."""
        stored = stored_encoder(store)
        if stored is not None and encoder_id is not None and stored != encoder_id:
            raise StoreError(
                f"this store's clusters were made with the encoder {stored}, not {encoder_id}: "
                "ingest into it without --encoder, or start a new store"
            )
        chosen = stored or encoder_id or ENCODER_ID
        with write_lock(store):  # read as one state: no other process adds between the levels' reads
            if snapshot:
                from narrascope.stories.snapshot import load_snapshot

                found = load_snapshot(store, chosen)
                if found is not None:
                    return found
            return cls(StoryIndex.load(store, chosen), ClaimIndex.load(store, chosen))

    def catch_up(self, store: Store) -> None:
        """Bring the clusters in memory up to what *store* holds now, when another process (a
        second server worker, a running ingest) stored more since: only what was added is
        replayed. A hierarchy a failed batch left out of step is loaded again whole. Call it
        holding the store's writer lock (``Store.add`` does), so nothing is added meanwhile."""
        if not self.broken and self.state() == stored_state(store):
            return
        if not self.broken:
            self.stories.catch_up(store)
            self.claims.catch_up(store)
            if self.state() == stored_state(store):
                return
        fresh = Hierarchy.load(store, self.stories.encoder_id)
        self.stories, self.claims = fresh.stories, fresh.claims

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

    def mergeable(self) -> dict[str, Clusters]:
        """The clusters of each level re-clustering merges (:data:`~.levels.MERGED`)."""
        return {LEVEL: self.stories.clusters, CLAIM: self.claims.claims}

    def state(self) -> tuple[dict[str, int], dict[str, int]]:
        """The assignments and merges per level made or read so far (``stored_state`` when in step)."""
        return self.counts(), {level: len(found.merged) for level, found in self.mergeable().items()}
