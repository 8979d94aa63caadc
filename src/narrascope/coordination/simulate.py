"""A campaign simulator: coordinated groups planted among many independent background actors.

The background is built to fool a naive co-occurrence count: activity is heavy-tailed (a few
hyperactive accounts), comes in sessions and follows a daily rhythm, and objects have heavy-tailed
popularity and a short attention span, so popular objects draw crowds of independent actors within
minutes of each other. Planted groups add repeated, near-simultaneous actions on the same objects
(their own new objects or popular ones they amplify) on top of ordinary background activity of their
own. Actor names are shuffled so nothing in a name reveals a group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from narrascope.coordination.actions import Actions, FloatArray, IntArray, from_records

__all__ = ["Simulation", "SimulationConfig", "simulate"]

DAY = 86400.0
T0 = 1_700_006_400.0  # 2023-11-15 00:00 UTC: any origin will do; a fixed one keeps outputs comparable


@dataclass(frozen=True)
class SimulationConfig:
    """Defaults aim at a two-week slice of a mid-sized platform sample, not at the detector."""

    days: float = 14.0
    background_actors: int = 1500
    median_actions: float = 12.0
    activity_sigma: float = 1.3
    """Lognormal spread of actions per actor: the top 1 % act ~20× the median."""
    objects_per_day: float = 250.0
    popularity_alpha: float = 1.2
    """Pareto tail of object popularity: a few objects draw most actions."""
    median_lifetime_hours: float = 3.0
    session_size: float = 3.0
    session_gap_seconds: float = 120.0
    groups: int = 6
    group_size: tuple[int, int] = (3, 8)
    events: tuple[int, int] = (15, 40)
    """Campaign events per group in the period: a campaign is a repeated pattern, not a one-off."""
    participation: tuple[float, float] = (0.6, 0.95)
    follow_delay_seconds: float = 20.0
    own_object_share: float = 0.5
    """Share of campaign events on a new object of the group's own (else an existing popular one)."""


@dataclass(frozen=True)
class Simulation:
    actions: Actions
    planted: frozenset[tuple[str, str]]
    """Pairs (sorted names) of actors in the same planted group."""
    groups: tuple[tuple[str, ...], ...] = field(default=())


class _World:
    def __init__(self, config: SimulationConfig, rng: np.random.Generator) -> None:
        self.c, self.rng = config, rng
        span = config.days * DAY
        n = int(config.objects_per_day * (config.days + 1))
        self.created = _rhythm_times(rng, n, -DAY, span + DAY, 15.0, 4.0)
        self.popularity = 1.0 + rng.pareto(config.popularity_alpha, n)
        self.lifetime = 3600.0 * config.median_lifetime_hours * rng.lognormal(0.0, 0.7, n)

    def add_object(self, at: float) -> int:
        """A new object of low popularity (a campaign's own post), created at ``at``."""
        self.created = np.append(self.created, at)
        self.popularity = np.append(self.popularity, 1.0)
        self.lifetime = np.append(self.lifetime, 3600.0 * self.c.median_lifetime_hours)
        return len(self.created) - 1

    def choose(self, times: FloatArray) -> IntArray:
        """For each time, an object already created, by popularity × exp(−age / lifetime)."""
        out = np.empty(len(times), dtype=np.int64)
        order = np.argsort(times)
        bins = np.floor(times[order] / 600.0)
        for start, stop in _runs(bins):
            at = float(times[order[start]])
            age = at - self.created
            alive = np.flatnonzero((age >= 0) & (age < 6 * self.lifetime))
            weight = self.popularity[alive] * np.exp(-age[alive] / self.lifetime[alive])
            out[order[start:stop]] = self.rng.choice(alive, size=stop - start, p=weight / weight.sum())
        return out


def _runs(bins: FloatArray) -> list[tuple[int, int]]:
    starts = np.flatnonzero(np.r_[True, bins[1:] != bins[:-1]])
    return list(zip(starts.tolist(), np.r_[starts[1:], len(bins)].tolist(), strict=True))


def _rhythm_times(rng: np.random.Generator, n: int, lo: float, hi: float, peak: float, spread: float) -> FloatArray:
    """Times in [lo, hi) on days chosen uniformly, at hours around ``peak`` (a wrapped normal)."""
    day = np.floor(rng.uniform(lo / DAY, hi / DAY, n))
    hour = np.mod(rng.normal(peak, spread, n), 24.0)
    return np.clip(day * DAY + hour * 3600.0, lo, hi - 1.0)


def _activity(rng: np.random.Generator, c: SimulationConfig, n_actions: int) -> FloatArray:
    """One actor's action times: sessions at its preferred hours, quick actions inside each session."""
    peak, spread = rng.normal(14.0, 3.0), rng.uniform(2.0, 5.0)
    sessions = max(1, int(np.ceil(n_actions / c.session_size)))
    starts = _rhythm_times(rng, sessions, 0.0, c.days * DAY, peak, spread)
    which = rng.integers(0, sessions, n_actions)
    offsets = rng.exponential(c.session_gap_seconds, n_actions)
    order = np.argsort(which, kind="stable")
    gaps = offsets[order]
    cum = np.cumsum(gaps)
    first = np.flatnonzero(np.r_[True, which[order][1:] != which[order][:-1]])
    cum -= np.repeat(cum[first] - gaps[first], np.diff(np.r_[first, n_actions]))
    times = np.empty(n_actions)
    times[order] = starts[which[order]] + cum
    return np.minimum(times, c.days * DAY - 1.0)


def simulate(seed: int = 0, config: SimulationConfig | None = None) -> Simulation:
    """A behaviour table (actor, object, time, id) and the planted coordinated pairs."""
    c = config or SimulationConfig()
    rng = np.random.default_rng(seed)
    world = _World(c, rng)
    sizes = rng.integers(c.group_size[0], c.group_size[1] + 1, c.groups)
    n_actors = c.background_actors + int(sizes.sum())
    volumes = np.maximum(1, np.round(c.median_actions * rng.lognormal(0.0, c.activity_sigma, n_actors))).astype(int)
    actor_rows: list[IntArray] = []
    time_rows: list[FloatArray] = []
    for actor in range(n_actors):
        actor_rows.append(np.full(volumes[actor], actor, dtype=np.int64))
        time_rows.append(_activity(rng, c, int(volumes[actor])))
    camp_actor, camp_obj, camp_time = _campaigns(rng, c, world, sizes, c.background_actors)
    actors = np.concatenate([*actor_rows, camp_actor])
    times = np.concatenate(time_rows)
    objects = np.concatenate([world.choose(times), camp_obj])
    times = np.concatenate([times, camp_time])
    names = np.array([f"acct{i:05d}" for i in rng.permutation(n_actors)])
    members, start = [], c.background_actors
    for size in sizes.tolist():
        members.append(tuple(sorted(names[start : start + size].tolist())))
        start += size
    planted = frozenset((a, b) for group in members for i, a in enumerate(group) for b in group[i + 1 :])
    order = np.argsort(times, kind="stable")
    table = from_records(
        names[actors[order]].tolist(),
        [f"obj{o:06d}" for o in objects[order].tolist()],
        (T0 + np.round(times[order], 3)).tolist(),
        ids=[f"act{i:07d}" for i in range(len(order))],
        source=f"simulation seed {seed}",
    )
    return Simulation(table, planted, tuple(members))


def _campaigns(
    rng: np.random.Generator, c: SimulationConfig, world: _World, sizes: IntArray, first_actor: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Each group: events at its own hours; members join with their own propensity, seconds apart."""
    actors: list[int] = []
    objects: list[int] = []
    times: list[float] = []
    start = first_actor
    for size in sizes.tolist():
        group = np.arange(start, start + size)
        start += size
        propensity = rng.uniform(*c.participation, size)
        n_events = int(rng.integers(c.events[0], c.events[1] + 1))
        moments = _rhythm_times(rng, n_events, 0.0, c.days * DAY - 600.0, rng.normal(14.0, 3.0), 4.0)
        for moment in moments.tolist():
            joined = group[rng.random(size) < propensity]
            if len(joined) < 2:
                continue
            if rng.random() < c.own_object_share:
                target = world.add_object(moment - rng.uniform(0.0, 300.0))
            else:
                target = int(world.choose(np.array([moment]))[0])
            delays = rng.exponential(c.follow_delay_seconds, len(joined))
            actors.extend(joined.tolist())
            objects.extend([target] * len(joined))
            times.extend((moment + delays - delays.min()).tolist())
    return np.array(actors, dtype=np.int64), np.array(objects, dtype=np.int64), np.array(times, dtype=np.float64)
