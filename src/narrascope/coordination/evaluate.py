"""Precision and recall of planted pairs on simulated campaigns, beside a naive co-occurrence count."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narrascope.coordination.detect import Settings
from narrascope.coordination.network import build_network
from narrascope.coordination.significance import test_edges
from narrascope.coordination.simulate import SimulationConfig, simulate

__all__ = ["NAIVE_WEIGHT", "SeedScore", "evaluate_simulated", "summarise"]

NAIVE_WEIGHT = 3
"""The naive baseline flags every pair with at least this many co-actions, with no null model."""


@dataclass(frozen=True)
class SeedScore:
    seed: int
    planted: int
    flagged: int
    hits: int
    naive_flagged: int
    naive_hits: int

    @property
    def precision(self) -> float:
        return self.hits / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.planted if self.planted else 1.0


def evaluate_simulated(
    seeds: list[int], settings: Settings | None = None, config: SimulationConfig | None = None
) -> list[SeedScore]:
    """One simulation per seed, scored at ``settings`` (the defaults unless given); no evidence built."""
    s = settings or Settings()
    scores: list[SeedScore] = []
    for seed in seeds:
        sim = simulate(seed, config)
        actions = sim.actions
        network = build_network(actions, s.window, s.min_weight, s.self_loops)
        tests = test_edges(actions, network, s.permutations, seed, s.block, s.fdr, null=s.null)
        names = actions.actor_names
        planted = np.array(
            [tuple(sorted((names[u], names[v]))) in sim.planted for u, v in zip(network.u, network.v, strict=True)],
            dtype=bool,
        )
        flagged = tests.q <= s.fdr
        naive = network.weight >= NAIVE_WEIGHT
        scores.append(
            SeedScore(
                seed,
                len(sim.planted),
                int(flagged.sum()),
                int((flagged & planted).sum()),
                int(naive.sum()),
                int((naive & planted).sum()),
            )
        )
    return scores


def summarise(scores: list[SeedScore], null: str = "moment") -> dict[str, dict[str, float | str]]:
    """Mean over seeds of precision and recall, for the detector and the naive count."""
    n = len(scores)
    detector: dict[str, float | str] = {
        "precision": float(np.mean([s.precision for s in scores])) if n else 0.0,
        "recall": float(np.mean([s.recall for s in scores])) if n else 0.0,
        "n": float(n),
        "planted_pairs": float(sum(s.planted for s in scores)),
        "flagged_pairs": float(sum(s.flagged for s in scores)),
        "model": f"narrascope coordination: co-action network, {null} null, BH at default settings",
    }
    naive_p = [s.naive_hits / s.naive_flagged if s.naive_flagged else 0.0 for s in scores]
    naive: dict[str, float | str] = {
        "precision": float(np.mean(naive_p)) if n else 0.0,
        "recall": float(np.mean([s.naive_hits / s.planted if s.planted else 1.0 for s in scores])) if n else 0.0,
        "n": float(n),
        "planted_pairs": float(sum(s.planted for s in scores)),
        "flagged_pairs": float(sum(s.naive_flagged for s in scores)),
        "model": f"naive: weight ≥ {NAIVE_WEIGHT}, no null model",
    }
    return {"narrascope": detector, f"naive (weight ≥ {NAIVE_WEIGHT})": naive}
