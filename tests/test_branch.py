"""The branch and bound over packages against brute force and HiGHS's MILP."""

from __future__ import annotations

import numpy as np
import plurisim.mechanisms.lexicographic as lexicographic
import pytest
from helpers import brute_force, random_problem, true_utilities
from hypothesis import given, settings
from hypothesis import strategies as st
from plurisim import compile_scenario
from plurisim.mechanisms import utilitarian
from plurisim.packages import PackageModel, branch_and_bound
from plurisim.problem import BUDGET_RTOL
from plurisim.scenarios import generate


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def generated(seed: int, groups: int = 6, m: int = 60):
    s = generate(
        n_groups=groups,
        n_interventions=m,
        n_criteria=4,
        polarization=0.5,
        budget_share=0.3,
        seed=seed,
    )
    return compile_scenario(s, seed=0)


def test_equals_brute_force_on_small_random_problems():
    """Caps that bind, negative effects, exclusions and requirements: the optimum, proved."""
    answered = 0
    for seed in range(200):
        p = random_problem(seed)
        model = PackageModel(p)
        sol = branch_and_bound(model, model.utility()[0].sum(axis=0))
        if sol is None:
            continue
        answered += 1
        _x, u = brute_force(p)
        assert p.is_feasible(sol.x), seed
        assert close(true_utilities(p, p.package_ids(sol.x)).sum(), u.sum(axis=1).max()), seed
    assert answered >= 190  # it gives up only where the relaxation cannot be used


@pytest.mark.parametrize("seed", range(6))
def test_equals_the_milp_on_generated_problems(seed):
    p = generated(seed)
    model = PackageModel(p)
    objective = model.utility()[0].sum(axis=0)
    sol = branch_and_bound(model, objective)
    assert sol is not None and sol.status == "optimal"
    ref = PackageModel(p).solve(objective)
    assert close(sol.objective, ref.objective)
    assert float(p.costs @ sol.x) <= p.budget * (1 + BUDGET_RTOL)
    assert close(
        float((p.levels(sol.x) * p.weights).sum() - (p.weights * p.baseline).sum()), sol.objective
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6), st.integers(8, 40))
def test_never_over_budget_and_never_worse_than_the_milp(seed, groups, m):
    p = generated(seed, groups, m)
    model = PackageModel(p)
    weights = np.random.default_rng(seed).dirichlet(np.ones(4), groups)
    objective = model.utility(weights)[0].sum(axis=0)
    sol = branch_and_bound(model, objective)
    if sol is None:
        return
    assert p.is_feasible(sol.x)
    ref = PackageModel(p).solve(objective)
    assert sol.objective >= ref.objective - 1e-6 * max(1.0, abs(ref.objective))
    assert sol.objective <= ref.bound + 1e-6 * max(1.0, abs(ref.bound))


def test_gives_up_at_the_node_limit_and_on_levels_pushed_down():
    p = generated(0, 6, 200)
    model = PackageModel(p)
    objective = model.utility()[0].sum(axis=0)
    assert branch_and_bound(model, objective, node_limit=1) is None
    pushed = objective.copy()
    pushed[model.m] = -1.0  # a level the objective wants lower is not set by the package
    assert branch_and_bound(model, pushed) is None


def test_utilitarian_uses_it_and_falls_back_to_highs(monkeypatch):
    p = generated(0, 6, 200)
    fast = utilitarian(p)
    assert fast.details["search"] == "branch-and-bound" and fast.status == "optimal"
    monkeypatch.setattr(lexicographic, "branch_and_bound", lambda *a, **k: None)
    slow = utilitarian(p)
    assert slow.details["search"] == "highs" and slow.status == "optimal"
    assert close(fast.objective, slow.objective)
    assert fast.package == slow.package  # the optimum is unique here


@pytest.mark.parametrize("engine", ["milp", "enumerate"])
def test_a_baseline_above_its_cap_is_modelled(engine):
    """``level = min(cap, b + E x)`` holds with ``b`` above the cap (the MILP was infeasible)."""
    from plurisim.problem import Problem

    p = Problem.from_arrays(
        costs=[2.0, 3.0, 4.0],
        budget=5.0,
        baseline=[[6.0, 1.0], [1.0, 1.0]],
        effects=[[[1.0, 0.5], [0.0, 1.0], [0.0, 2.0]], [[1.0, 0.0], [0.5, 0.5], [2.0, 0.0]]],
        weights=[[0.5, 0.5], [0.5, 0.5]],
        caps=[5.0, 5.0],
    )
    _x, u = brute_force(p)
    got = utilitarian(p, engine=engine)
    assert close(true_utilities(p, got.package).sum(), u.sum(axis=1).max())
