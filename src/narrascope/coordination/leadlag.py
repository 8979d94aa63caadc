"""Lead–lag per edge: who acted first in the pair's co-actions, and how long the other took."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narrascope.coordination.actions import FloatArray

__all__ = ["LeadLag", "lead_lag"]


@dataclass(frozen=True)
class LeadLag:
    u_first: int
    v_first: int
    simultaneous: int
    leader: str | None
    """The actor first more often; None when neither is (a tie says nothing about order)."""
    median_delay: float
    """Median |Δt| in seconds over the co-actions: how closely the follower tracked the leader."""


def lead_lag(u: str, v: str, time_u: FloatArray, time_v: FloatArray) -> LeadLag:
    """From the co-action pairs of one edge (u's and v's action times, pair by pair)."""
    delay = time_v - time_u
    u_first, v_first = int((delay > 0).sum()), int((delay < 0).sum())
    leader = u if u_first > v_first else v if v_first > u_first else None
    median = float(np.median(np.abs(delay))) if len(delay) else 0.0
    return LeadLag(u_first, v_first, int((delay == 0).sum()), leader, median)
