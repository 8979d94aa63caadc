"""Clusters for the web: the API's ``/api/stories|claims|narratives`` bodies and what their pages
show."""

from __future__ import annotations

from dataclasses import asdict

from narrascope.store import Store
from narrascope.stories.chart import svg
from narrascope.stories.index import LEVEL
from narrascope.stories.listing import (
    StorySummary,
    cluster_level,
    list_stories,
    merged_into_it,
    resolve,
    story_members,
    summarise,
)
from narrascope.stories.timeline import Burst, Timeline, timeline_of
from narrascope.web.schemas import Story, StoryDetail, StoryMember, StoryOutlet, StoryTimeline

__all__ = ["chart", "detail", "stories"]


def _story(summary: StorySummary) -> Story:
    fields = asdict(summary)
    fields["outlets"] = [StoryOutlet(name=name, documents=n) for name, n in summary.outlets]
    return Story(**fields)


def stories(store: Store, limit: int, min_size: int, level: str = LEVEL) -> list[Story]:
    return [_story(s) for s in list_stories(store, limit, min_size, level)]


def detail(store: Store, cluster_id: str, level: str = LEVEL) -> StoryDetail | None:
    """One cluster of *level* with its members and timeline; None when there is none."""
    if cluster_level(store, cluster_id) != level:
        return None
    cluster_id = resolve(store, cluster_id)  # a merged cluster shows the one it went into
    found, vectors = story_members(store, cluster_id)
    if not found:
        return None
    drawn = timeline_of(store, cluster_id, found)
    members = [
        StoryMember(**{k: v for k, v in asdict(m).items() if k != "lead"}, text=None if level == LEVEL else m.lead)
        for m in found
    ]
    return StoryDetail(
        story=_story(summarise(cluster_id, found, vectors, level, merged_into_it(store, cluster_id))),
        members=members,
        timeline=StoryTimeline(**{k: v for k, v in asdict(drawn).items() if k != "cluster"}),
    )


def chart(found: StoryDetail) -> str:
    """The story's timeline as inline SVG (text escaped, no scripts)."""
    t = found.timeline
    bursts = [Burst(b.start, b.end, b.documents, b.weight) for b in t.bursts]
    return svg(Timeline(found.story.id, t.days, t.counts, t.totals, bursts, t.undated))
