"""A snapshot of a store's clusters on disk, so that opening a big store does not replay every
assignment.

Replaying re-hashes every text for the copy rungs and re-inserts every vector into the HNSW
graphs: about a millisecond per document and per clustered claim, minutes for a store of
100,000 articles, paid by every ``narrascope ingest`` and every server start. A snapshot keeps
the indexes as they are in memory (numpy arrays, the HNSW files, JSON; no pickle) in a folder
beside a SQLite store (``corpus.db.clusters``) or in the user's cache folder for a PostgreSQL
one, stamped with what the store held when it was written: the assignments per level, the last
one of each, the merges re-clustering made, and the encoder. It is used only when the store
still holds exactly that; otherwise the store is replayed. The store is the truth: a snapshot
is a cache and may be deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from narrascope.encoder import cache_dir
from narrascope.matching.clusters import Clusters
from narrascope.store.lock import write_lock
from narrascope.store.store import Store, StoreError
from narrascope.stories.claims import CLAIM, NARRATIVE, ClaimIndex
from narrascope.stories.hierarchy import Hierarchy, stored_state
from narrascope.stories.index import LEVEL, StoryIndex, members, stored_encoder

__all__ = ["folder_of", "load_snapshot", "save_snapshot", "snapshot_current", "stamp"]

FORMAT = 3
"""3: copies are kept out of the paraphrase graphs (a snapshot of format 2 holds them; replayed instead)."""


def folder_of(store: Store) -> Path:
    """Where *store*'s snapshot lives."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        db = Path(url.database)
        return db.with_name(db.name + ".clusters")
    where = url.render_as_string(hide_password=True)
    return cache_dir().parent / "clusters" / hashlib.sha256(where.encode()).hexdigest()[:24]


def stamp(store: Store) -> dict[str, Any]:
    """What the store holds now, as far as a snapshot must agree with it."""
    m = members.c
    last: dict[str, str | None] = {}
    with store.engine.connect() as connection:
        for level in (LEVEL, CLAIM, NARRATIVE):
            top = select(func.max(m.position)).where(m.level == level).scalar_subquery()
            last[level] = connection.scalar(select(m.item).where(m.level == level, m.position == top))
    (counts, merged), encoder = stored_state(store), stored_encoder(store)
    return {"format": FORMAT, "counts": counts, "last": last, "merges": merged, "encoder": encoder}


def save_snapshot(hierarchy: Hierarchy, store: Store) -> Path:
    """Write *hierarchy* (in step with *store*) as the store's snapshot, replacing any older one
    whole: a crash while writing leaves the old snapshot or none, never half of one. Holds the
    store's writer lock, so two processes never write it at once."""
    with write_lock(store):
        return _save(hierarchy, store)


def _save(hierarchy: Hierarchy, store: Store) -> Path:
    if hierarchy.broken or hierarchy.state() != stored_state(store):
        raise StoreError("the clusters in memory are not in step with the store; open them again")
    target = folder_of(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".clusters-", dir=target.parent))
    try:
        encoder = hierarchy.stories.encoder_id
        hierarchy.stories.clusters.save(work, "stories", encoder)
        hierarchy.claims.claims.save(work, "claims", encoder)
        hierarchy.claims.narratives.save(work, "narratives", encoder)
        state = {
            "stamp": stamp(store),
            "story_position": hierarchy.stories.position,
            "claim_positions": hierarchy.claims.positions,
            "narrative_of": hierarchy.claims.narrative_of,
            "joined": hierarchy.claims.joined,
        }
        (work / "snapshot.json").write_text(json.dumps(state), encoding="utf-8")
        old = target.with_name(target.name + ".old")
        if target.exists():
            os.replace(target, old)
        os.replace(work, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def snapshot_current(store: Store) -> bool:
    """Whether the store's snapshot was written with the store as it is now."""
    try:
        state = json.loads((folder_of(store) / "snapshot.json").read_text(encoding="utf-8"))
        return bool(state["stamp"] == stamp(store))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def load_snapshot(store: Store, encoder_id: str) -> Hierarchy | None:
    """The store's clusters from its snapshot, or None when there is none, it is damaged, or the
    store has changed since it was written (then the caller replays the store)."""
    folder = folder_of(store)
    try:
        state = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
        if state["stamp"] != stamp(store) or state["stamp"]["encoder"] not in (None, encoder_id):
            return None
        stories = StoryIndex(Clusters.load(folder, "stories", encoder_id), int(state["story_position"]), encoder_id)
        claims = ClaimIndex(encoder_id)
        claims.claims = Clusters.load(folder, "claims", encoder_id)
        claims.narratives = Clusters.load(folder, "narratives", encoder_id)
        claims.narrative_of = dict(state["narrative_of"])
        claims.joined = {k: (v[0], v[1]) for k, v in state["joined"].items()}
        positions = state["claim_positions"]
        claims.positions = {CLAIM: int(positions[CLAIM]), NARRATIVE: int(positions[NARRATIVE])}
    except (OSError, ValueError, KeyError, TypeError, StoreError):
        return None
    return Hierarchy(stories, claims)
