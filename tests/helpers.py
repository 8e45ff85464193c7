"""Random instances and an independent brute-force solver for the oracle tests."""

from __future__ import annotations

import itertools

import numpy as np
from plurisim.problem import Problem


def random_problem(
    seed: int, *, max_m: int = 14, negative: bool = True, constraints: bool = True
) -> Problem:
    """A small random problem: 2-5 groups, 1-4 criteria, up to ``max_m`` interventions."""
    rng = np.random.default_rng(seed)
    g = int(rng.integers(2, 6))
    d = int(rng.integers(1, 5))
    m = int(rng.integers(2, max_m + 1))
    costs = rng.uniform(1, 10, m).round(2)
    budget = float(costs.sum() * rng.uniform(0.2, 0.7))
    baseline = rng.uniform(1, 3, (g, d)).round(2)
    effects = rng.uniform(0, 1.5, (g, m, d)) * (rng.random((g, m, d)) < 0.5)
    if negative:
        effects -= rng.uniform(0, 0.5, (g, m, d)) * (rng.random((g, m, d)) < 0.1)
    caps = np.where(rng.random(d) < 0.8, 5.0, np.inf)
    weights = rng.dirichlet(np.ones(d), g)
    exclusions, requirements = [], []
    if constraints and m >= 4 and rng.random() < 0.3:
        a, b = rng.choice(m, 2, replace=False)
        exclusions.append((int(a), int(b)))
    if constraints and m >= 4 and rng.random() < 0.2:
        a, b = rng.choice(m, 2, replace=False)
        if (int(a), int(b)) not in exclusions and (int(b), int(a)) not in exclusions:
            requirements.append((int(a), int(b)))
    return Problem.from_arrays(
        costs=costs,
        budget=budget,
        baseline=baseline,
        effects=effects.round(3),
        weights=weights,
        caps=caps,
        sizes=rng.integers(1, 6, g),
        exclusions=exclusions,
        requirements=requirements,
        name=f"random-{seed}",
        interventions=[f"p{j:02d}" for j in range(m)],
    )


def brute_force(problem: Problem):
    """Every feasible package and each group's utility, by plain enumeration.

    Written independently of plurisim's own code: all 2^m subsets, filtered by the
    budget and constraints, with the capped additive model applied directly.
    """
    m = problem.n_interventions
    x = np.array(list(itertools.product((0, 1), repeat=m)), dtype=bool)
    keep = x.astype(float) @ problem.costs <= problem.budget + 1e-9
    for a, b in problem.exclusions:
        keep &= ~(x[:, a] & x[:, b])
    for a, b in problem.requirements:
        keep &= ~x[:, a] | x[:, b]
    x = x[keep]
    utils = np.zeros((x.shape[0], problem.n_groups))
    for g in range(problem.n_groups):
        for k in range(problem.n_criteria):
            raw = problem.baseline[g, k] + x.astype(float) @ problem.effects[g, :, k]
            utils[:, g] += problem.weights[g, k] * np.minimum(problem.caps[k], raw)
    return x, utils


def true_utilities(problem: Problem, package) -> np.ndarray:
    """Group utilities of a package computed the independent way."""
    x = problem.mask(list(package))
    out = []
    for g in range(problem.n_groups):
        raw = problem.baseline[g] + problem.effects[g][x].sum(axis=0)
        out.append(float(problem.weights[g] @ np.minimum(problem.caps, raw)))
    return np.array(out)
