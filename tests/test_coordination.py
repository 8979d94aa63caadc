"""Coordination over behaviour tables: network semantics, the null model, exports and the CLI."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from conftest import shared_data
from narrascope.coordination import Settings, benjamini_hochberg, build_network, detect, from_records, read_table
from narrascope.coordination.actions import Actions
from narrascope.coordination.export import render
from narrascope.coordination.redeal import MomentDeal, _draw_distinct
from narrascope.coordination.significance import test_edges as run_tests

CNT = shared_data() / "coordination" / "cnt_fixture"
CNT_INPUT = CNT / "coretweet_test_input.csv"


def _nodes(actions, window: float, min_weight: int, loops: bool) -> set[str]:  # type: ignore[no-untyped-def]
    net = build_network(actions, window, min_weight, loops)
    return {actions.actor_names[int(x)] for x in np.r_[net.u, net.v]}


def _edges(actions, window: float, min_weight: int = 1, loops: bool = False) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    net = build_network(actions, window, min_weight, loops)
    return {
        (actions.actor_names[int(u)], actions.actor_names[int(v)]): int(w)
        for u, v, w in zip(net.u, net.v, net.weight, strict=True)
    }


def test_window_is_inclusive() -> None:
    actions = from_records(["a", "b"], ["o", "o"], [1000, 1060])
    assert _edges(actions, 60) == {("a", "b"): 1}
    assert _edges(actions, 59.999) == {}


def test_other_objects_and_far_times_do_not_link() -> None:
    actions = from_records(["a", "b", "c", "a"], ["o", "p", "o", "o"], [0, 1, 500, 1000])
    assert _edges(actions, 60) == {}


def test_self_loops_count_both_actions_and_min_weight() -> None:
    # a repeats o within 10 s (a loop of weight 2: both actions have another by a); a and b co-act once on p
    actions = from_records(["a", "a", "a", "b"], ["o", "o", "p", "p"], [0, 10, 100, 130])
    assert _edges(actions, 60) == {("a", "b"): 1}
    assert _edges(actions, 60, loops=True) == {("a", "a"): 2, ("a", "b"): 1}
    assert _edges(actions, 60, min_weight=2, loops=True) == {("a", "a"): 2}
    assert _edges(actions, 60, min_weight=2) == {}


def test_weight_is_the_larger_direction_of_distinct_actions() -> None:
    # two actions of a within the window of one action of b: a → b is 2, b → a is 1 (the QUT toolkit's counts)
    actions = from_records(["a", "a", "b"], ["o", "o", "o"], [0, 30, 50])
    net = build_network(actions, 60)
    assert (int(net.weight_uv[0]), int(net.weight_vu[0]), int(net.weight[0]), int(net.pairs[0])) == (2, 1, 2, 2)
    assert int(net.objects[0]) == 1


def _brute(actor: list[int], obj: list[int], time: list[float], window: float) -> dict[tuple[int, int], int]:
    directed: dict[tuple[int, int], set[int]] = {}
    for i, j in itertools.permutations(range(len(actor)), 2):
        if obj[i] == obj[j] and abs(time[i] - time[j]) <= window:
            directed.setdefault((actor[i], actor[j]), set()).add(i)
    out: dict[tuple[int, int], int] = {}
    for (a, b), acts in directed.items():
        key = (min(a, b), max(a, b))
        out[key] = max(out.get(key, 0), len(acts))
    return out


def test_network_matches_brute_force_whatever_the_chunking() -> None:
    rng = np.random.default_rng(3)
    n = 300
    actor, obj = rng.integers(0, 15, n).tolist(), rng.integers(0, 12, n).tolist()
    time = rng.integers(0, 2000, n).astype(float).tolist()
    actions = from_records([f"{a:02d}" for a in actor], [str(o) for o in obj], time)
    expected = _brute(actor, obj, time, 60)
    for budget in (1, 7, 100, 10**6):
        net = build_network(actions, 60, 1, True, budget=budget)
        got = {(int(u), int(v)): int(w) for u, v, w in zip(net.u, net.v, net.weight, strict=True)}
        assert got == expected


@pytest.mark.skipif(not CNT_INPUT.exists(), reason=f"QUT fixture not found at {CNT}")
@pytest.mark.parametrize(
    ("window", "min_weight", "loops", "nodes"),
    [(1, 1, False, 2), (1, 1, True, 3), (1, 2, False, 0), (1, 2, True, 1), (60, 1, False, 6), (60, 1, True, 7)],
)
def test_qut_known_answers(window: int, min_weight: int, loops: bool, nodes: int) -> None:
    actions = read_table(CNT_INPUT, "user_id", "repost_id", "timestamp", "message_id")
    assert len(_nodes(actions, window, min_weight, loops)) == nodes


def test_benjamini_hochberg_known_values() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.20])
    assert np.allclose(benjamini_hochberg(p), [0.04, 0.16 / 3, 0.16 / 3, 0.20])


def _background(rng: np.random.Generator, actors: int, span: float) -> tuple[list[str], list[str], list[float]]:
    """Independent actors, heavy-tailed volumes, on a few very popular objects at times unrelated to each other."""
    who: list[str] = []
    what: list[str] = []
    when: list[float] = []
    for a in range(actors):
        k = int(min(200, 3 + rng.pareto(1.2) * 10))
        who += [f"bg{a}"] * k
        what += [f"pop{x}" for x in rng.zipf(1.6, k) % 40]
        when += rng.uniform(0, span, k).tolist()
    return who, what, when


@pytest.mark.parametrize("null", ["actor", "moment"])
def test_null_flags_a_synchronized_pair_and_not_busy_independents(null: str) -> None:
    rng = np.random.default_rng(7)
    span = 3 * 86400.0
    who, what, when = _background(rng, 80, span)
    for k, moment in enumerate(rng.uniform(0, span, 12).tolist()):  # x and y: 12 objects, seconds apart
        who += ["x", "y", "x", "y"]
        what += [f"camp{k}", f"camp{k}", f"pop{k}", f"pop{k}"]
        when += [moment, moment + rng.uniform(1, 30), moment + 3600, moment + 3600 + rng.uniform(1, 30)]
    actions = from_records(who, what, when)
    net = build_network(actions, 60, 1)
    tests = run_tests(actions, net, permutations=400, seed=1, null=null)
    names = [
        tuple(sorted((actions.actor_names[int(u)], actions.actor_names[int(v)])))
        for u, v in zip(net.u, net.v, strict=True)
    ]
    planted = names.index(("x", "y"))
    assert tests.q[planted] <= 0.05
    others = np.ones(len(net), dtype=bool)
    others[planted] = False
    assert (net.weight[others] >= 2).any()  # a naive count would link busy independent actors ...
    assert not (tests.q[others] <= 0.05).any()  # ... the null model does not


def test_null_model_is_seeded() -> None:
    rng = np.random.default_rng(2)
    who, what, when = _background(rng, 25, 86400.0)
    actions = from_records(who, what, when)
    net = build_network(actions, 600, 1)
    first, second = run_tests(actions, net, 50, seed=4), run_tests(actions, net, 50, seed=4)
    assert np.array_equal(first.p, second.p)
    assert ((first.p > 0) & (first.p <= 1)).all()


def _small_campaign() -> tuple[list[str], list[str], list[float]]:
    rng = np.random.default_rng(11)
    who, what, when = _background(rng, 30, 86400.0)
    for k, moment in enumerate(rng.uniform(0, 86400.0, 8).tolist()):
        who += ["x", "y", "z"]
        what += [f"camp{k}"] * 3
        when += [moment, moment + 5, moment + 12]
    return who, what, when


def test_detect_evidence_lead_lag_communities_and_exports(tmp_path: Path) -> None:
    who, what, when = _small_campaign()
    result = detect(from_records(who, what, when), Settings(permutations=200, seed=3))
    pairs = {(e.u, e.v) for e in result.edges}
    assert {("x", "y"), ("x", "z"), ("y", "z")} <= pairs
    xy = next(e for e in result.edges if (e.u, e.v) == ("x", "y"))
    assert xy.weight == 8 and len(xy.co_actions) == 8 and xy.permutations >= 200
    assert xy.lead_lag is not None and xy.lead_lag.leader == "x" and xy.lead_lag.median_delay == 5
    assert all(c.object.startswith("camp") for c in xy.co_actions)
    assert any({"x", "y", "z"} <= set(c.members) for c in result.communities)
    assert "not intent or authenticity" in result.to_dict()["measured"]
    data = json.loads(render(result, "json"))
    assert data["counts"]["flagged_edges"] == len(result.edges) and data["edges"][0]["co_actions"]
    for fmt, reader in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        path = tmp_path / f"graph.{fmt}"
        path.write_text(render(result, fmt), encoding="utf-8")
        graph = reader(path)
        assert graph.number_of_edges() == len(result.edges)
        assert json.loads(graph.edges["x", "y"]["evidence"])[0]["object"].startswith("camp")


def test_simulator_plants_groups_among_a_hard_background() -> None:
    from narrascope.coordination.simulate import SimulationConfig, simulate

    config = SimulationConfig(days=4, background_actors=400, objects_per_day=120, groups=3)
    first, again = simulate(5, config), simulate(5, config)
    assert np.array_equal(first.actions.time, again.actions.time) and first.planted == again.planted
    assert len(first.planted) == sum(len(g) * (len(g) - 1) // 2 for g in first.groups)
    net = build_network(first.actions, 60, 2)
    names = first.actions.actor_names
    found = {tuple(sorted((names[int(u)], names[int(v)]))) for u, v in zip(net.u, net.v, strict=True)}
    assert len(found - first.planted) > len(first.planted)  # a naive count has more false pairs than true ones


def test_simulated_precision_and_recall_on_two_seeds() -> None:
    """The moment null on a small simulation; the naive count (no null model) does much worse."""
    from narrascope.coordination.evaluate import evaluate_simulated, summarise
    from narrascope.coordination.simulate import SimulationConfig

    config = SimulationConfig(days=3, background_actors=300, objects_per_day=120, groups=3)
    rows = summarise(evaluate_simulated([0, 1], Settings(permutations=200, null="moment"), config))
    detector, naive = rows["narrascope"], rows["naive (weight ≥ 3)"]
    assert float(detector["recall"]) >= 0.85
    assert float(detector["precision"]) >= 0.8
    assert float(naive["precision"]) < float(detector["precision"]) - 0.2


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "narrascope.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("content", "extra", "needle"),
    [
        (None, [], "no such file"),
        (b"actor,object,time\na,o,1\n", ["--time", "when"], "no column 'when'"),
        (b"actor,object,time\na,o,yesterday\n", [], "line 2"),
        (b"", [], "empty file"),
        (b"\x00\x01\x02binary", [], "binary"),
        (b'{"actor": "a", "object": "o", "time": 1}\n{"actor": "b", "obj', [], "line 2: not valid JSON"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path: Path, content: bytes | None, extra: list[str], needle: str) -> None:
    table = tmp_path / ("t.jsonl" if content and content.startswith(b"{") else "t.csv")
    if content is not None:
        table.write_bytes(content)
    args = ["coordination", "--table", str(table), "--actor", "actor", "--object", "object", "--time", "time"]
    done = _cli(*args, *extra)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr and "Traceback" not in done.stderr


def test_cli_text_and_bom_and_iso_times(tmp_path: Path) -> None:
    who, what, when = _small_campaign()
    table = tmp_path / "t.csv"
    lines = ["id,actor,object,time"]
    for k, (a, o, t) in enumerate(zip(who, what, when, strict=True)):
        stamp = datetime.fromtimestamp(t, tz=UTC).isoformat() if k % 2 else f"{t:.3f}"
        lines.append(f"r{k},{a},{o},{stamp}")
    table.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    args = ["--table", str(table), "--actor", "actor", "--object", "object", "--time", "time", "--id", "id"]
    done = _cli("coordination", *args, "--window", "1m", "--permutations", "200")
    assert done.returncode == 0, done.stderr
    assert "more often than" in done.stdout and "flagged edges" in done.stdout
    assert re.search(r"\d+ candidate edges among \d+ actors", done.stdout)
    out = tmp_path / "g.graphml"
    assert (
        _cli("coordination", *args, "--format", "graphml", "--output", str(out), "--permutations", "50").returncode == 0
    )
    assert nx.read_graphml(out).number_of_nodes() >= 3


def test_cli_simulate_writes_a_readable_table_and_planted_pairs(tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    done = _cli("simulate", "--seed", "2", "--output", str(out))
    assert done.returncode == 0, done.stderr
    actions = read_table(out, "actor", "object", "time", "id")
    planted = (tmp_path / "sim.planted.csv").read_text(encoding="utf-8").splitlines()
    assert len(actions) > 10_000 and planted[0] == "actor_1,actor_2,group" and len(planted) > 10
    assert all(name in actions.actor_names for name in planted[1].split(",")[:2])


def test_cli_eval_coordination_needs_simulate() -> None:
    done = _cli("eval", "coordination")
    assert done.returncode != 0 and "--simulate" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def _random_table(seed: int, n: int = 600, actors: int = 12, objects: int = 40) -> Actions:
    rng = np.random.default_rng(seed)
    return from_records(
        [f"a{x}" for x in rng.integers(0, actors, n)],
        [f"o{x}" for x in rng.integers(0, objects, n)],
        np.round(rng.uniform(0, 20_000, n), 1).tolist(),
    )


@pytest.mark.parametrize("loops", [False, True])
def test_redeal_observed_statistic_is_the_networks_distinct_objects(loops: bool) -> None:
    actions = _random_table(3)
    net = build_network(actions, 300.0, 1, loops)
    deal = MomentDeal(actions, 300.0, net.u, net.v, None)
    assert np.array_equal(deal.observed(), net.objects)


def test_draw_distinct_is_a_uniform_injection_in_each_block() -> None:
    """Three slots in a block of four (ordered triples) and two slots filling a block of two."""
    rng = np.random.default_rng(0)
    starts, sizes = np.array([0, 0, 0, 4, 4]), np.array([4, 4, 4, 2, 2])
    counts: dict[tuple[int, ...], int] = {}
    for _ in range(12_000):
        drawn = tuple(_draw_distinct(starts, sizes, rng).tolist())
        assert len(set(drawn)) == 5 and all(0 <= x < 4 for x in drawn[:3]) and set(drawn[3:]) == {4, 5}
        counts[drawn] = counts.get(drawn, 0) + 1
    assert len(counts) == 24 * 2
    expected = 12_000 / 48  # 250; a standard deviation is about 15.5
    assert max(abs(c - expected) for c in counts.values()) < 5 * 15.5


def test_restricted_deal_has_the_full_deals_null() -> None:
    """Dealing only the tested actors' actions is the marginal of dealing all of them."""
    actions = _random_table(5, n=1500, actors=20, objects=60)
    net = build_network(actions, 300.0, 1)
    pick = np.flatnonzero((net.u < 3) & (net.v < 4))
    full = MomentDeal(actions, 300.0, net.u[pick], net.v[pick], None)
    part = MomentDeal(actions, 300.0, net.u[pick], net.v[pick], None)
    assert not part.full
    full.full = True
    a = full.draw(1500, np.random.default_rng(1)).mean(axis=1)
    b = part.draw(1500, np.random.default_rng(2)).mean(axis=1)
    assert a.sum() > 1.0
    assert np.abs(a - b).max() < 0.12 and abs(a.sum() - b.sum()) < 0.05 * a.sum() + 0.2


def test_default_block_stays_finer_than_an_objects_lifetime() -> None:
    """Ten windows, unless objects live shorter: then a quarter of their median lifetime (≥ a window)."""
    from narrascope.coordination.redeal import default_block

    long_lived = from_records(["a", "b", "a", "b"], ["o", "o", "p", "p"], [0.0, 50_000.0, 10.0, 60_000.0])
    assert default_block(long_lived, 60.0) == 600.0
    short_lived = from_records(["a", "b", "a", "b"], ["o", "o", "p", "p"], [0.0, 4000.0, 10.0, 4010.0])
    assert default_block(short_lived, 600.0) == 1000.0
    assert default_block(short_lived, 3600.0) == 3600.0  # never below one window
