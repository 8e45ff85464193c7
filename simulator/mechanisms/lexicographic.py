"""Solving a rule given as lexicographic objectives, by enumeration or by MILP.

The exact rules (utilitarian, maximin, leximin, Kalai-Smorodinsky) differ only in
their objectives; this module runs them. When the solver returns no package (time
ran out first, or HiGHS failed even without presolve) the rule falls back to the
best of a few quick greedy packages by its own objectives, and says so: status
``"fallback"`` or ``"solve_error"``, an infinite gap, ``details["fallback"]``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.packages import (
    PackageModel,
    PackageSpace,
    Stage,
    branch_and_bound,
    greedy_candidates,
    greedy_package,
    resolve_engine,
    select_stages,
    solve_stages,
)
from plurisim.problem import Problem

__all__ = ["Solved", "add_min_var", "best_candidate", "lexicographic", "unit"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Solved = tuple[BoolArray, str, float, dict[str, Any]]
"""A package, its status, its gap and the details of how it was found."""
# Started from the utilitarian greedy package, HiGHS proves these models faster
# without its sub-MIP heuristics (RINS, RENS). Its feasibility jump heuristic stays
# on although it costs about 5 ms a solve: HiGHS 1.12 without it has been seen to
# report a wrong optimum (tests/test_mechanisms_exact.py, maximin, seed 6).
MILP_OPTIONS = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}


def lexicographic(
    problem: Problem,
    name: str,
    *,
    engine: str,
    time_limit: float,
    tie_break: str,
    keys: Callable[[PackageSpace], list[FloatArray]],
    stages: Callable[[PackageModel], list[Stage]],
    rank: Callable[[BoolArray], tuple[float, ...]],
    branch: bool = False,
) -> Solved:
    """Maximize objectives lexicographically over the feasible packages.

    ``keys`` gives each objective's value for every enumerated package; ``stages``
    builds the same objectives as MILP stages; ``rank`` scores one package by the
    same objectives, to pick among the quick candidates when the MILP returns none.
    ``branch``: a single objective whose ties the solver may break is first tried
    with :func:`~plurisim.packages.branch_and_bound` (far faster than HiGHS's MILP on
    budget-bound models; the MILP takes over if it does not prove the optimum soon).
    """
    space = resolve_engine(problem, engine, name)
    if space is not None:
        mask = space.mask(select_stages(space, keys(space), tie_break))
        return mask, "optimal", 0.0, {"engine": "enumerate", "packages": len(space)}
    model = PackageModel(problem, options=MILP_OPTIONS)
    goals = stages(model)
    started = time.perf_counter()
    if branch and len(goals) == 1 and tie_break in ("auto", "solver"):
        found = branch_and_bound(model, goals[0].coefs, time_limit=time_limit / 2)
        if found is not None:
            how = {"engine": "milp", "search": "branch-and-bound", "seconds": found.seconds}
            return found.x, "optimal", 0.0, {**how, "bound": found.bound}
    time_limit = max(time_limit - (time.perf_counter() - started), 1e-3)
    result = solve_stages(
        model,
        goals,
        time_limit=time_limit,
        tie_break=tie_break,
        start=greedy_package(problem, problem.weights),
    )
    details: dict[str, Any] = {"engine": "milp", "search": "highs", "seconds": result.seconds}
    if result.solution is None:
        details["fallback"] = "greedy"
        return best_candidate(problem, rank), result.status, result.gap, details
    details["bound"] = result.solution.bound
    return result.solution.x, result.status, result.gap, details


def best_candidate(problem: Problem, rank: Callable[[BoolArray], tuple[float, ...]]) -> BoolArray:
    """The best of the quick greedy candidates by ``rank`` (the first on ties)."""
    candidates = greedy_candidates(problem)
    scores = [rank(c) for c in candidates]
    return candidates[max(range(len(candidates)), key=lambda i: scores[i])]


def unit(model: PackageModel, col: int) -> FloatArray:
    """An objective that maximizes one column."""
    v = np.zeros(model.n_vars)
    v[col] = 1.0
    return v


def add_min_var(
    model: PackageModel, scale: FloatArray | None = None, shift: FloatArray | None = None
) -> int:
    """Add ``t`` with ``t <= (u_g - shift_g) / scale_g`` for every group with scale > 0."""
    p = model.problem
    g_n = p.n_groups
    scale = np.ones(g_n) if scale is None else scale
    shift = np.zeros(g_n) if shift is None else shift
    a, const = model.utility()
    lo, hi = model.expression_bounds(a, const)
    used = scale > 0
    if used.any():
        t_lo = float(((lo - shift)[used] / scale[used]).min()) - 1.0
        t_hi = float(((hi - shift)[used] / scale[used]).max()) + 1.0
    else:
        t_lo, t_hi = -1.0, 1.0
    # Tight bounds matter: HiGHS misjudges feasibility with bounds like 1e9.
    t = model.add_var(t_lo, t_hi)
    for g in np.flatnonzero(used):
        row = np.zeros(model.n_vars)
        row[: a.shape[1]] = -a[g] / scale[g]
        row[t] = 1.0
        model.add_dense_row(row, -np.inf, (const[g] - shift[g]) / scale[g])
    return t
