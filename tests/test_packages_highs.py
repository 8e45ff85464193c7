"""The MILP layer on highspy: persistent solvers, starts and rows taken back, against
brute force over every package; the LP helper against SciPy's linprog."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from plurisim import compile_scenario, scenarios
from plurisim.errors import InfeasibleError
from plurisim.packages import PackageModel
from plurisim.packages.highs import solve_lp
from plurisim.problem import Problem


def small_problem(seed: int, m: int = 9) -> Problem:
    return compile_scenario(scenarios.generate(3, m, 3, 0.6, 0.4, seed=seed), seed=0)


def brute_force(problem: Problem, score, keep=lambda x: True) -> float:
    """Best ``score(x)`` over every feasible package that ``keep`` accepts."""
    best = -np.inf
    for bits in itertools.product([False, True], repeat=problem.n_interventions):
        x = np.array(bits)
        if problem.is_feasible(x) and keep(x):
            best = max(best, score(x))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_a_persistent_model_answers_a_sequence_of_questions_as_brute_force_does(seed):
    p = small_problem(seed)
    rng = np.random.default_rng(seed)
    model = PackageModel(p, persistent=True)
    base = model.n_rows
    for _ in range(4):
        w = rng.dirichlet(np.ones(p.n_criteria), size=p.n_groups)
        forced = rng.random(p.n_interventions) < 0.15
        allowed = rng.random(p.n_interventions) < 0.85
        allowed |= forced
        for j in range(p.n_interventions):
            model.set_bounds(j, float(forced[j]), float(allowed[j]))
        a, const = model.utility(w)
        floor = float(const[0]) + 0.05
        model.add_dense_row(a[0], floor - const[0], np.inf)  # group 0 gains at least 0.05
        gone = np.zeros(p.n_interventions, dtype=bool)
        gone[: p.n_interventions // 2] = True
        model.forbid(gone)

        def keep(x, forced=forced, allowed=allowed, w=w, floor=floor, gone=gone):
            u0 = float((p.levels(x)[0] * w[0]).sum())
            return (
                bool(np.all(x[forced]))
                and not np.any(x[~allowed])
                and u0 >= floor - 1e-9
                and not np.array_equal(x, gone)
            )

        def total(x, w=w):
            return float((p.levels(x) * w).sum())

        best = brute_force(p, total, keep)
        try:
            sol = model.solve(a.sum(axis=0))
        except InfeasibleError:
            assert best == -np.inf
        else:
            assert keep(sol.x) and p.is_feasible(sol.x)
            assert total(sol.x) == pytest.approx(best, abs=1e-6)
        model.truncate_rows(base)
        assert model.n_rows == base


def test_a_start_is_used_only_when_it_meets_every_row():
    p = small_problem(0)
    model = PackageModel(p, persistent=True)
    a, _ = model.utility()
    everything = np.ones(p.n_interventions, dtype=bool)  # over the budget
    assert model.start_values(everything) is None
    empty = np.zeros(p.n_interventions, dtype=bool)
    values = model.start_values(empty)
    assert values is not None and np.all(values[: p.n_interventions] == 0)
    best = model.solve(a.sum(axis=0)).objective
    assert model.solve(a.sum(axis=0), start=everything).objective == pytest.approx(best)
    assert model.solve(a.sum(axis=0), start=empty).objective == pytest.approx(best)


def test_a_fresh_and_a_persistent_model_agree():
    p = compile_scenario(scenarios.generate(4, 30, 4, 0.7, 0.3, seed=3), seed=0)
    fresh, kept = PackageModel(p), PackageModel(p, persistent=True)
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = rng.dirichlet(np.ones(p.n_criteria), size=p.n_groups)
        a, _ = fresh.utility(w)
        assert kept.solve(a.sum(axis=0)).objective == pytest.approx(
            fresh.solve(a.sum(axis=0)).objective, abs=1e-6
        )


def test_the_model_s_own_rows_cannot_be_taken_back():
    model = PackageModel(small_problem(1))
    with pytest.raises(ValueError, match="budget"):
        model.truncate_rows(0)


@pytest.mark.parametrize("seed", range(5))
def test_solve_lp_agrees_with_scipy_linprog(seed):
    from scipy.optimize import linprog

    rng = np.random.default_rng(seed)
    n, k = 6, 4
    a = rng.normal(size=(k, n)) * (rng.random((k, n)) < 0.7)
    b = np.abs(rng.normal(size=k)) + 1.0
    c = rng.normal(size=n)
    ours = solve_lp(c, a, np.full(k, -np.inf), b, np.zeros(n), np.full(n, 3.0))
    theirs = linprog(c, A_ub=a, b_ub=b, bounds=[(0, 3)] * n, method="highs")
    assert ours.status == theirs.status == 0
    assert ours.fun == pytest.approx(theirs.fun, abs=1e-9)
    np.testing.assert_allclose(ours.x, theirs.x, atol=1e-9)
    rows = (np.nonzero(a)[0], np.nonzero(a)[1], a[np.nonzero(a)], a.shape)
    sparse = solve_lp(c, rows, np.full(k, -np.inf), b, np.zeros(n), np.full(n, 3.0))
    np.testing.assert_array_equal(sparse.x, ours.x)
