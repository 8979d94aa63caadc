"""The coordination network of the store's clusters for the web (``/api/coordination`` and the
``/coordination`` page): the detector run over outlets publishing in the same claims (or
stories, or narratives), cached per store state, level and settings, since a corpus does not
change between two clicks."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from narrascope.coordination.detect import CoordinationResult, Settings
from narrascope.stories.hierarchy import stored_state
from narrascope.stories.outlets import story_coordination
from narrascope.web.services import Services

__all__ = ["Network", "network"]

CACHED = 8


@dataclass(frozen=True)
class Network:
    result: CoordinationResult | None
    """None when no member of the level's clusters has an outlet and a publication time."""
    left_out: dict[str, int]


def network(services: Services, settings: Settings, level: str = "claim") -> Network:
    """The flagged outlet pairs and communities over the clusters of *level* under *settings*
    (cached per store state)."""
    cache: OrderedDict[tuple[object, ...], Network] = services.cache.setdefault("coordination", OrderedDict())
    lock: threading.Lock = services.cache.setdefault("coordination-lock", threading.Lock())
    counts, merged = stored_state(services.store)
    key = (tuple(counts.items()), tuple(merged.items()), level, settings)
    with lock:
        if (found := cache.get(key)) is not None:
            cache.move_to_end(key)
            return found
    found = Network(*story_coordination(services.store, settings, level))
    with lock:
        cache[key] = found
        while len(cache) > CACHED:
            cache.popitem(last=False)
    return found
