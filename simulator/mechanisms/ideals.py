"""Each group's ideal: its best utility over every package that fits the budget.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import ideal_utilities
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> ideal_utilities(p).round(3).tolist()
[3.87, 3.44, 3.82]
>>> ideal_utilities(p, engine="guess")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'engine' parameter of ideal_utilities must be one of 'auto', 'enumerate', 'milp'. Got 'guess' instead.
"""

from __future__ import annotations

import time
import weakref

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import SolverError
from plurisim.packages import PackageModel, greedy_candidates, resolve_engine
from plurisim.problem import Problem
from plurisim.validation import check_real

__all__ = ["ideal_utilities", "ideals_exact"]

FloatArray = NDArray[np.float64]
_IDEALS: weakref.WeakKeyDictionary[Problem, FloatArray] = weakref.WeakKeyDictionary()


def ideal_utilities(
    problem: Problem, *, engine: str = "auto", time_limit: float = 30.0
) -> FloatArray:
    """Each group's best utility over all packages that fit the budget.

    With the MILP, ``time_limit`` is shared by all groups; a group whose solve runs
    out of time keeps the best utility found (a lower bound on its ideal). Exact
    results are cached per problem; lower bounds are not.
    """
    check_real(time_limit, "time_limit", "ideal_utilities", low=0, closed="right")
    space = resolve_engine(problem, engine, "ideal_utilities")
    if problem in _IDEALS:
        return _IDEALS[problem]
    exact = True
    if space is not None:
        out = space.utilities.max(axis=0)
    else:
        # One small model per group (only its own levels), sharing the time limit;
        # a group whose solve is cut short keeps its best package found so far,
        # starting from the greedy candidates: good lower bounds, found at once.
        deadline = time.perf_counter() + time_limit
        out = problem.group_utilities(np.array(greedy_candidates(problem))).max(axis=0)
        for g in range(problem.n_groups):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                exact = False
                break
            model = PackageModel(problem, groups=[g])
            a, _ = model.utility()
            try:
                sol = model.solve(a[g], time_limit=remaining)
            except SolverError:
                exact = False
                continue
            exact = exact and sol.status == "optimal"
            out[g] = max(out[g], problem.group_utilities(sol.x)[g])
    out.setflags(write=False)
    if exact:  # lower bounds are not cached: a longer time limit may do better
        _IDEALS[problem] = out
    return out


def ideals_exact(problem: Problem) -> bool:
    """Whether this problem's ideals were proved optimal (and are cached)."""
    return problem in _IDEALS
