"""Two processes placing documents in one store (two server workers, a server and an ingest):
each catches up with what the other stored before it writes, under the store's writer lock, so
the clusters come out as one writer would have made them, merges included."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from corpus_helpers import claim_articles
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.store.lock import write_lock
from narrascope.stories.hierarchy import Hierarchy, stored_state
from narrascope.stories.recluster import recluster_store
from test_snapshot import add, same_clusters, table


def same(a: Hierarchy, b: Hierarchy) -> None:
    assert a.state() == b.state()
    same_clusters(a.stories.clusters, b.stories.clusters)
    same_clusters(a.claims.claims, b.claims.claims)
    same_clusters(a.claims.narratives, b.claims.narratives)
    assert a.claims.narrative_of == b.claims.narrative_of and a.claims.joined == b.claims.joined


def test_two_writers_take_turns_and_the_store_is_as_one_writer_made_it(
    tmp_path: Path, nlp: Pipeline, store: Store
) -> None:
    first, second = Hierarchy.load(store), Hierarchy.load(store)  # two processes, opened together
    add(store, nlp, claim_articles(0, 6), first)
    add(store, nlp, claim_articles(6, 6), second)  # knows nothing of the first's six until it catches up
    recluster_store(store, first, threshold=0.3)  # the first catches up with the second, then merges
    add(store, nlp, claim_articles(12, 5), second)  # replays the merges at the point they were made
    assert second.state() == stored_state(store) and first.state() != stored_state(store)
    first.catch_up(store)
    same(first, second)
    same(second, Hierarchy.load(store, snapshot=False))
    with Store.open(tmp_path / "alone.db") as alone:  # one writer, the same batches and merges
        one = Hierarchy.load(alone)
        add(alone, nlp, claim_articles(0, 12), one)
        recluster_store(alone, one, threshold=0.3)
        add(alone, nlp, claim_articles(12, 5), one)
        same(one, second)
        assert [row[:-3] for row in table(alone)] == [row[:-3] for row in table(store)]  # not times, vectors


def test_the_writer_lock_excludes_a_second_holder_until_the_first_lets_go(tmp_path: Path) -> None:
    with Store.open(tmp_path / "l.db") as store:
        holding = threading.Event()
        events: list[str] = []

        def first() -> None:
            with write_lock(store):
                events.append("first in")
                holding.set()
                time.sleep(0.3)
                events.append("first out")

        thread = threading.Thread(target=first)
        thread.start()
        holding.wait(5)
        with write_lock(store):
            events.append("second in")
        thread.join()
        assert events == ["first in", "first out", "second in"]


def test_a_thread_holding_the_lock_takes_it_again_without_waiting_for_itself(store: Store) -> None:
    done = threading.Event()

    def nested() -> None:
        with write_lock(store), write_lock(store):  # a load inside a write, as re-clustering does
            done.set()

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    thread.join(10)
    assert done.is_set()
