"""The evaluator: inequality measures, percentile satisfaction, Pareto checks, deltas."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import brute_force, random_problem
from hypothesis import given
from hypothesis import strategies as st
from plurisim import compile_scenario, mechanisms
from plurisim.comparison import Comparison, compare
from plurisim.errors import ParameterError
from plurisim.evaluation import evaluate
from plurisim.metrics import (
    atkinson,
    gini,
    pareto_front,
    percentile_satisfaction,
    satisfaction_matrix,
)

positive = st.lists(st.floats(0.01, 100, allow_nan=False), min_size=1, max_size=30)


def gini_by_definition(x):
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


@given(positive)
def test_gini_in_unit_interval_and_matches_definition(x):
    g = gini(x)
    assert 0.0 <= g < 1.0
    assert g == pytest.approx(gini_by_definition(x), abs=1e-9)


@given(positive, st.floats(0.01, 1000))
def test_gini_scale_invariant(x, factor):
    assert gini(np.asarray(x) * factor) == pytest.approx(gini(x), abs=1e-9)


@given(st.floats(0.01, 100), st.integers(1, 20))
def test_gini_zero_for_equal_values(v, n):
    assert gini([v] * n) == pytest.approx(0.0, abs=1e-12)


def test_gini_and_atkinson_edge_cases():
    assert np.isnan(gini([-1, 2]))
    assert np.isnan(gini([0, 0]))
    assert gini([0, 1]) == pytest.approx(0.5)
    assert atkinson([1, 1]) == pytest.approx(0.0)
    assert 0 < atkinson([1, 9], epsilon=2) < 1
    assert atkinson([1, 9], epsilon=2) > atkinson([1, 9], epsilon=0.5)  # more aversion
    with pytest.raises(ParameterError, match="'epsilon' parameter of atkinson"):
        atkinson([1, 2], epsilon=0)


@given(
    st.lists(st.lists(st.floats(0, 10), min_size=3, max_size=3), min_size=1, max_size=8),
    st.floats(0, 100),
)
def test_percentile_satisfaction_in_unit_interval(rows, p):
    s = percentile_satisfaction(np.array(rows), p)
    assert np.all((s >= 0) & (s <= 1))


def test_satisfaction_is_min_max_per_group():
    u = np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]])
    s = satisfaction_matrix(u)
    assert s[:, 0].tolist() == [0.0, 1.0, 0.5]
    assert s[:, 1].tolist() == [1.0, 1.0, 1.0]  # a group indifferent between outcomes
    # 20th percentile over groups, linear interpolation: between the two groups' values
    assert percentile_satisfaction(u, 20).tolist() == pytest.approx([0.2, 1.0, 0.6])


def test_pareto_front_matches_brute_force():
    rng = np.random.default_rng(0)
    u = rng.integers(0, 5, (200, 3)).astype(float)
    front = set(pareto_front(u).tolist())
    for i in range(len(u)):
        dominated = np.any(np.all(u >= u[i], axis=1) & np.any(u > u[i], axis=1))
        duplicate_earlier = np.any(np.all(u[:i] == u[i], axis=1))
        assert (i in front) == (not dominated and not duplicate_earlier)


@given(st.integers(0, 500))
def test_evaluate_invariants(seed):
    p = random_problem(seed, max_m=10)
    outs = [mechanisms.run(p, r) for r in ("status_quo", "utilitarian", "maximin", "greedy", "mes")]
    f = evaluate(p, outs)
    assert (f["worst_group_utility"] <= f["mean_utility"] + 1e-12).all()
    assert (f["mean_utility"] <= f["best_group_utility"] + 1e-12).all()
    assert f["p20_satisfaction"].between(0, 1).all()
    assert f["budget_used"].between(0, 1 + 1e-9).all()
    # the exact optimum of each objective is never Pareto-dominated
    assert not f.loc["utilitarian", "pareto_dominated"]
    assert f.loc["utilitarian", "dist_pareto"] == 0.0


def test_pareto_flag_agrees_between_enumeration_and_milp():
    p = random_problem(11, max_m=9)
    outs = [mechanisms.run(p, r) for r in ("status_quo", "greedy", "maximin")]
    with_space = evaluate(p, outs)["pareto_dominated"]
    from plurisim.evaluation import is_dominated

    _x, u = brute_force(p)
    for o, flag in zip(outs, with_space, strict=True):
        v = p.group_utilities(o.mask(p))
        truth = np.any(np.all(u >= v - 1e-9, axis=1) & np.any(u > v + 1e-7, axis=1))
        assert flag == truth
        assert is_dominated(p, v) == truth  # the MILP check


def test_evaluate_toy_reference_and_deltas(toy_problem):
    outs = [*mechanisms.base_design_outcomes(toy_problem), mechanisms.maximin(toy_problem)]
    f = evaluate(toy_problem, outs)
    assert f.attrs["reference"] == "Green retreat"
    assert f.loc["Green retreat", "delta_total_utility"] == 0
    row = f.loc["maximin"]
    assert row["delta_worst_group_utility"] == pytest.approx(
        row["worst_group_utility"] - f.loc["Green retreat", "worst_group_utility"]
    )
    assert {"u:seniors", "u:families", "u:youth", "dist_nash", "dist_kalai"} <= set(f.columns)
    assert evaluate(toy_problem, outs, reference=None).filter(like="delta_").empty
    with pytest.raises(ParameterError, match="must name an outcome"):
        evaluate(toy_problem, outs, reference="nope")
    with pytest.raises(ParameterError, match="'percentile' parameter of evaluate"):
        evaluate(toy_problem, outs, percentile=-1)


def test_evaluate_accepts_plain_packages(toy_problem):
    f = evaluate(toy_problem, {"a": ["ramps"], "b": ["trees", "benches"]}, reference="a")
    assert f.loc["b", "cost"] == 150
    assert f.loc["a", "delta_gini"] == 0


def test_individual_gini_when_individuals_exist(toy):
    data = toy.to_dict()
    for g in data["groups"]:
        g["dispersion"] = 10
    p = compile_scenario(type(toy).from_dict(data), seed=0)
    f = evaluate(p, [mechanisms.utilitarian(p)])
    assert 0 <= f.loc["utilitarian", "gini_individuals"] < 1


def test_comparison_round_trips_and_prints(toy):
    c = compare(toy, mechanisms=["utilitarian", "maximin", "mes"])
    again = Comparison.from_json(c.to_json())
    pd.testing.assert_frame_equal(c.frame, again.frame, check_dtype=False)
    assert again.outcomes == c.outcomes
    records = json.loads(c.to_json())["outcomes"]
    first = records[0]
    for key in (
        "outcome",
        "kind",
        "package",
        "cost",
        "total_utility",
        "worst_group_utility",
        "p20_satisfaction",
        "gini",
        "group_utilities",
    ):
        assert key in first
    assert first["kind"] == "base_design"
    assert set(first["group_utilities"]) == {"seniors", "families", "youth"}
    text = str(c)
    assert "Reference (best base design): Green retreat" in text
    assert "maximin" in text and "Δworst" in text
    assert c.to_csv().splitlines()[0].startswith("outcome,kind,mechanism,package")


def test_compare_is_deterministic(toy):
    a = compare(toy, mechanisms=["utilitarian", "nash", "greedy"], seed=3).to_json()
    b = compare(toy, mechanisms=["utilitarian", "nash", "greedy"], seed=3).to_json()
    assert a == b


def test_compare_unknown_mechanism(toy):
    with pytest.raises(ParameterError, match="Unknown mechanism 'dictator'"):
        compare(toy, mechanisms=["dictator"])
