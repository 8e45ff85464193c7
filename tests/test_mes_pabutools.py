"""``mes`` selects exactly what pabutools' Method of Equal Shares selects.

pabutools (GPL) is a test-only oracle: the same instance, additive cardinal
satisfaction, lexicographic tie-breaking by project name.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import random_problem

pabutools = pytest.importorskip("pabutools")
from gmpy2 import mpq  # noqa: E402
from pabutools.election import (  # noqa: E402
    Additive_Cardinal_Sat,
    CardinalBallot,
    CardinalProfile,
    Instance,
    Project,
)
from pabutools.rules import method_of_equal_shares  # noqa: E402
from plurisim.mechanisms import mes, standalone_gains  # noqa: E402
from plurisim.problem import Problem  # noqa: E402


def pabutools_mes(problem: Problem, util: np.ndarray, mult: np.ndarray) -> list[str]:
    projects = [
        Project(pid, mpq(float(c)))
        for pid, c in zip(problem.interventions, problem.costs, strict=True)
    ]
    instance = Instance(projects, budget_limit=mpq(float(problem.budget)))
    ballots = []
    for row, times in zip(util, mult, strict=True):
        ballot = CardinalBallot(
            {p: mpq(float(v)) for p, v in zip(projects, row, strict=True) if v > 0}
        )
        ballots.extend([ballot] * int(times))
    profile = CardinalProfile(ballots, instance=instance)
    chosen = method_of_equal_shares(instance, profile, sat_class=Additive_Cardinal_Sat)
    return sorted(p.name for p in chosen)


@pytest.mark.parametrize("chunk", range(10))
def test_mes_matches_pabutools_on_random_instances(chunk):
    for seed in range(chunk, 200, 10):
        p = random_problem(1000 + seed, max_m=12, constraints=False)
        ours = list(mes(p).package)
        theirs = pabutools_mes(p, standalone_gains(p), p.sizes)
        assert ours == theirs, seed


@pytest.mark.parametrize("seed", range(40))
def test_mes_matches_pabutools_with_integer_utilities_and_ties(seed):
    """Integer costs and utilities make exact ties common; both break them by name."""
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(3, 10)), int(rng.integers(2, 12))
    costs = rng.integers(1, 6, m).astype(float)
    util = rng.integers(0, 4, (n, m)).astype(float)
    problem = Problem.from_arrays(
        costs=costs,
        budget=float(rng.integers(3, 15)),
        baseline=np.zeros((n, 1)),
        effects=np.zeros((n, m, 1)),
        weights=np.ones((n, 1)),
        interventions=[f"p{j}" for j in range(m)],
    )
    from plurisim.mechanisms.equal_shares import equal_shares, priority_by_name

    res = equal_shares(
        costs, problem.budget, util, priority=priority_by_name(problem.interventions)
    )
    assert list(problem.package_ids(res.selection)) == pabutools_mes(problem, util, np.ones(n))


def test_mes_with_individuals_matches_pabutools():
    from plurisim import compile_scenario, scenarios

    scenario = scenarios.load("toy-park")
    data = scenario.to_dict()
    for g in data["groups"]:
        g["dispersion"] = 20.0
    problem = compile_scenario(type(scenario).from_dict(data), seed=3)
    util = standalone_gains(problem, problem.individual_weights, problem.individual_group)
    ours = sorted(mes(problem, voters="individuals", tie_break="name").package)
    assert ours == pabutools_mes(problem, util, np.ones(util.shape[0]))
