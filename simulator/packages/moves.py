"""Local moves between packages: add, drop or swap one intervention within the budget.

Greedy rules, the fallback candidates of the exact rules, the stakeholders' demands
and the single-negotiation-text protocol all move between packages one
intervention at a time. These are the shared pieces: what can still be added
(:func:`blocked`), which swaps stay feasible (:func:`swap_feasibility`), every
neighbour of a package (:func:`neighbours`), and the utility-per-cost greedy fill
(:func:`greedy_fill`).

Examples
--------
>>> import numpy as np
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.packages import greedy_package, neighbours
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> p.package_ids(greedy_package(p, p.weights))
('benches', 'trees', 'skate_ramp')
>>> moves = neighbours(p, p.mask(["ramps"]))
>>> bool(all(p.is_feasible(y) for y in moves)), len(moves) > 0
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.problem import BUDGET_RTOL, Problem
from plurisim.tiebreaking import TieBreaking

__all__ = [
    "blocked",
    "greedy_candidates",
    "greedy_fill",
    "greedy_package",
    "neighbours",
    "random_neighbour",
    "swap_feasibility",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
RTOL = 1e-9


def blocked(problem: Problem, chosen: BoolArray) -> BoolArray:
    """Interventions that cannot join ``chosen``: excluded by it, or missing a requirement."""
    m = problem.n_interventions
    out = np.zeros(m, dtype=bool)
    for a, b in problem.exclusions:
        if chosen[a]:
            out[b] = True
        if chosen[b]:
            out[a] = True
    for a, b in problem.requirements:
        if not chosen[b]:
            out[a] = True
    return out


def swap_feasibility(
    problem: Problem, x: BoolArray, held: NDArray[np.intp], addable: NDArray[np.intp]
) -> BoolArray:
    """Which (drop ``held[a]``, add ``addable[b]``) pairs leave a feasible package.

    Returns a boolean matrix of shape ``(len(held), len(addable))``.
    """
    spent = float(problem.costs @ x)
    ok = spent - problem.costs[held][:, None] + problem.costs[addable][None, :] <= (
        problem.budget * (1 + BUDGET_RTOL)
    )
    if problem.exclusions or problem.requirements:
        for a_i, i_ in enumerate(held):
            for b_j, j_ in enumerate(addable):
                if ok[a_i, b_j]:
                    y = x.copy()
                    y[i_] = False
                    y[j_] = True
                    ok[a_i, b_j] = bool(problem.is_feasible(y))
    return ok


def neighbours(problem: Problem, x: BoolArray) -> list[BoolArray]:
    """Every feasible package one add, drop or swap away from ``x`` (adds, drops, swaps)."""
    x = np.asarray(x, dtype=bool)
    out: list[BoolArray] = []
    for j in np.flatnonzero(~x & ~blocked(problem, x)):
        y = x.copy()
        y[j] = True
        if problem.is_feasible(y):
            out.append(y)
    for i in np.flatnonzero(x):
        y = x.copy()
        y[i] = False
        if problem.is_feasible(y):
            out.append(y)
    held = np.flatnonzero(x)
    addable = np.flatnonzero(~x)
    if held.size and addable.size:
        ok = swap_feasibility(problem, x, held, addable)
        for a_i, b_j in zip(*np.nonzero(ok), strict=True):
            y = x.copy()
            y[held[a_i]] = False
            y[addable[b_j]] = True
            out.append(y)
    return out


def random_neighbour(problem: Problem, x: BoolArray, rng: np.random.Generator) -> BoolArray | None:
    """One feasible neighbour of ``x`` (add, drop or swap), uniformly among all; ``None`` if none.

    Examples
    --------
    >>> import numpy as np
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> y = random_neighbour(p, p.mask(["ramps"]), np.random.default_rng(0))
    >>> bool(p.is_feasible(y)) and int((y != p.mask(["ramps"])).sum()) in (1, 2)
    True
    """
    x = np.asarray(x, dtype=bool)
    cap = problem.budget * (1 + BUDGET_RTOL)
    spent = float(problem.costs @ x)
    held = np.flatnonzero(x)
    free = np.flatnonzero(~x & ~blocked(problem, x))
    adds = free[spent + problem.costs[free] <= cap]
    drops = np.array(
        [i for i in held if problem.is_feasible(np.where(np.arange(x.size) == i, False, x))],
        dtype=np.intp,
    )
    addable = np.flatnonzero(~x)
    swaps = (
        np.argwhere(swap_feasibility(problem, x, held, addable))
        if held.size and addable.size
        else np.zeros((0, 2), dtype=np.intp)
    )
    total = adds.size + drops.size + swaps.shape[0]
    if total == 0:
        return None
    k = int(rng.integers(total))
    y = x.copy()
    if k < adds.size:
        y[adds[k]] = True
    elif k < adds.size + drops.size:
        y[drops[k - adds.size]] = False
    else:
        a_i, b_j = swaps[k - adds.size - drops.size]
        y[held[a_i]] = False
        y[addable[b_j]] = True
    return y


def greedy_fill(
    problem: Problem,
    chosen: BoolArray,
    weights: FloatArray,
    ties: TieBreaking,
    trace: list[dict[str, Any]] | None = None,
) -> BoolArray:
    """Add interventions by marginal gain per cost while they fit the budget.

    The gain is in ``sum_g sum_k weights[g, k] * level[g, k]`` (caps respected,
    recomputed after each choice); free interventions that help come first.
    """
    chosen = chosen.copy()
    ids = problem.interventions
    costs = problem.costs
    effects = problem.effects.transpose(1, 0, 2)  # (m, G, d)
    raw = problem.baseline + np.einsum("m,mgk->gk", chosen.astype(float), effects)
    cap = problem.budget * (1 + BUDGET_RTOL)
    while True:
        spent = float(costs @ chosen)
        fits = spent + costs <= cap
        cand = np.flatnonzero(~chosen & ~blocked(problem, chosen) & fits)
        if cand.size == 0:
            return chosen
        now = np.minimum(raw, problem.caps)
        after = np.minimum(raw[None] + effects[cand], problem.caps)
        gains = np.einsum("cgk,gk->c", after - now[None], weights)
        useful = gains > 1e-12
        if not useful.any():
            return chosen
        cand, gains = cand[useful], gains[useful]
        with np.errstate(divide="ignore"):
            ratio = np.where(
                costs[cand] > 0, gains / np.where(costs[cand] > 0, costs[cand], 1.0), np.inf
            )
        top = ratio.max()
        tied = cand[ratio >= top - RTOL * abs(top)] if np.isfinite(top) else cand[np.isinf(ratio)]
        j = ties.pick(list(tied), costs=list(costs), ids=list(ids))
        chosen[j] = True
        raw = raw + effects[j]
        if trace is not None:
            trace.append(
                {"add": ids[j], "gain": float(gains[cand == j][0]), "cost": float(costs[j])}
            )


def greedy_package(problem: Problem, weights: FloatArray) -> BoolArray:
    """The greedy package for ``sum_g sum_k weights[g, k] level[g, k]`` (ties: scenario order)."""
    empty = np.zeros(problem.n_interventions, dtype=bool)
    return greedy_fill(problem, empty, weights, TieBreaking("index"))


def greedy_candidates(problem: Problem) -> list[BoolArray]:
    """Quick feasible packages: empty, the utilitarian greedy and each group's greedy."""
    eye = np.eye(problem.n_groups)
    return [
        np.zeros(problem.n_interventions, dtype=bool),
        greedy_package(problem, problem.weights),
        *(
            greedy_package(problem, eye[g][:, None] * problem.weights)
            for g in range(problem.n_groups)
        ),
    ]
