"""Re-clustering a store: stories and claims that turned out to be one are merged, ids kept.

The merges themselves are :func:`narrascope.matching.reclustering.recluster`'s (candidates from
the paraphrase index, the later cluster folded into the earlier one). Here they are written in
one transaction: the merged cluster's members point at the cluster they went into (each keeps,
in ``assigned``, where it was first placed, so the store replays exactly as it grew), the merged
id resolves to the one it went into (``merged_into``), and ``cluster_merges`` keeps each merge
with its evidence and the point in the assignments where it was made. Narratives are left as
they are: they group claim clusters loosely already, and a claim's narrative never changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import SQLAlchemyError

from narrascope.matching.reclustering import Merge, recluster
from narrascope.store.lock import write_lock
from narrascope.store.store import Store, StoreError, _reason
from narrascope.stories.hierarchy import Hierarchy
from narrascope.stories.index import clusters, members, merges
from narrascope.stories.levels import MERGED

__all__ = ["recluster_store"]


def recluster_store(
    store: Store,
    hierarchy: Hierarchy,
    levels: Sequence[str] = MERGED,
    threshold: float | None = None,
    dry_run: bool = False,
) -> dict[str, list[Merge]]:
    """Merge *hierarchy*'s clusters at *levels* (in memory and in *store*, one transaction) and
    return the merges per level; *threshold* is the mean cosine between their members two
    clusters must reach (each level's paraphrase bar by default). When the transaction fails,
    the hierarchy is out of step: open it again."""
    if hierarchy.broken:
        raise StoreError("the clusters in memory are out of step with the store; open them again")
    unknown = sorted(set(levels) - set(MERGED))
    if unknown:
        raise StoreError(f"only {' and '.join(MERGED)} clusters are re-clustered, not {', '.join(unknown)}")
    with write_lock(store):  # no other process places documents or merges meanwhile
        hierarchy.catch_up(store)
        return _recluster(store, hierarchy, levels, threshold, dry_run)


def _recluster(
    store: Store, hierarchy: Hierarchy, levels: Sequence[str], threshold: float | None, dry_run: bool
) -> dict[str, list[Merge]]:
    found, positions = hierarchy.mergeable(), hierarchy.counts()
    made: dict[str, list[Merge]] = {}
    if dry_run:  # the merges as they would be; the clusters in memory now differ from the store's
        made = {level: recluster(found[level], threshold) for level in levels}
        hierarchy.mark_failed()
        return made
    now = dt.datetime.now(dt.UTC)
    try:
        with store.engine.begin() as connection:
            for level in levels:
                made[level] = recluster(found[level], threshold)
                for merge in made[level]:
                    _write(connection, level, positions[level], merge, now)
    except SQLAlchemyError as error:
        hierarchy.mark_failed()
        raise StoreError(f"cannot store the merges: {_reason(error)}") from error
    except BaseException:
        hierarchy.mark_failed()
        raise
    return made


def _write(connection: object, level: str, position: int, merge: Merge, now: dt.datetime) -> None:
    m, c = members.c, clusters.c
    run = connection.execute  # type: ignore[attr-defined]
    moved = (m.level == level) & (m.cluster == merge.absorbed)
    run(update(members).where(moved & m.assigned.is_(None)).values(assigned=m.cluster))
    run(update(members).where(moved).values(cluster=merge.into))
    aliases = or_(c.id == merge.absorbed, c.merged_into == merge.absorbed)  # earlier merges follow along
    run(update(clusters).where(aliases).values(merged_into=merge.into))
    run(
        insert(merges).values(
            level=level,
            absorbed=merge.absorbed,
            kept=merge.into,
            position=position,
            linkage=merge.linkage,
            cosine=merge.cosine,
            member=merge.member,
            matched=merge.matched,
            similarity=merge.similarity,
            merged=now,
        )
    )
