"""Egalitarian rules: maximin (the worst-off group first) and leximin.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import leximin, maximin
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> maximin(p).package
('benches', 'trees', 'skate_ramp')
>>> leximin(p).details["sorted_utilities"][0] == round(maximin(p).objective, 9)
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.mechanisms.lexicographic import add_min_var, lexicographic, unit
from plurisim.mechanisms.registry import ENGINE, TIE_BREAK_EXACT, TIME_LIMIT, rule
from plurisim.outcome import Outcome, package_outcome
from plurisim.packages import PackageModel, PackageSpace, Stage
from plurisim.problem import Problem

__all__ = ["leximin", "maximin"]

FloatArray = NDArray[np.float64]


@rule(
    "maximin",
    ENGINE,
    TIME_LIMIT,
    TIE_BREAK_EXACT,
    summary="max worst-group utility (ties: larger total)",
)
def maximin(
    problem: Problem, *, rng: Any, engine: str, time_limit: float, tie_break: str
) -> Outcome:
    """Maximize the worst-off group's utility; ties go to the larger total utility.

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> round(maximin(p).objective, 3)
    2.81
    >>> maximin(p, time_limit=0)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'time_limit' parameter of maximin must be a real number in the range (0, inf). Got 0 instead.
    """

    def stages(model: PackageModel) -> list[Stage]:
        t = add_min_var(model)
        return [Stage(unit(model, t)), Stage(model.utility()[0].sum(axis=0))]

    def rank(x: NDArray[np.bool_]) -> tuple[float, ...]:
        u = problem.group_utilities(x)
        return (float(u.min()), float(u.sum()))

    mask, status, gap, details = lexicographic(
        problem,
        "maximin",
        engine=engine,
        time_limit=time_limit,
        tie_break=tie_break,
        keys=lambda sp: [sp.utilities.min(axis=1), sp.utilities.sum(axis=1)],
        stages=stages,
        rank=rank,
    )
    return package_outcome(
        problem,
        "maximin",
        mask,
        status=status,
        gap=gap,
        objective=float(problem.group_utilities(mask).min()),
        details=details,
    )


@rule(
    "leximin",
    ENGINE,
    dataclasses.replace(TIME_LIMIT, default=60.0),
    TIE_BREAK_EXACT,
    summary="max worst-group utility, then the second worst, ...",
)
def leximin(
    problem: Problem, *, rng: Any, engine: str, time_limit: float, tie_break: str
) -> Outcome:
    """Leximin: maximize the worst utility, then the second worst, and so on.

    The MILP maximizes, in turn, the sum of the ``k`` smallest utilities for
    ``k = 1..G`` (Ogryczak's formulation), each stage keeping the earlier optima.
    """
    g_n = problem.n_groups

    def stages(model: PackageModel) -> list[Stage]:
        a, const = model.utility()
        lo, hi = model.expression_bounds(a, const)
        spread = float(hi.max() - lo.min()) + 1.0
        out = []
        for k in range(1, g_n + 1):
            r = model.add_var(float(lo.min()) - 1.0, float(hi.max()) + 1.0)
            ds = [model.add_var(0.0, spread) for _ in range(g_n)]
            for g in range(g_n):
                # d_g >= r - u_g  <=>  r - d_g - A_g v <= const_g
                row = np.zeros(model.n_vars)
                row[: a.shape[1]] = -a[g]
                row[r] = 1.0
                row[ds[g]] = -1.0
                model.add_dense_row(row, -np.inf, const[g])
            coefs = np.zeros(model.n_vars)
            coefs[r] = k
            coefs[ds] = -1.0
            out.append(Stage(coefs, name=f"sum of the {k} smallest"))
        # pad earlier stages to the final width
        return [Stage(np.pad(st.coefs, (0, model.n_vars - st.coefs.size)), st.name) for st in out]

    def keys(space: PackageSpace) -> list[FloatArray]:
        srt = np.sort(space.utilities, axis=1)
        return [srt[:, k] for k in range(g_n)]

    mask, status, gap, details = lexicographic(
        problem,
        "leximin",
        engine=engine,
        time_limit=time_limit,
        tie_break=tie_break,
        keys=keys,
        stages=stages,
        rank=lambda x: tuple(float(v) for v in np.sort(problem.group_utilities(x))),
    )
    details.pop("bound", None)
    u = np.sort(problem.group_utilities(mask))
    details["sorted_utilities"] = [round(float(v), 9) for v in u]
    return package_outcome(
        problem, "leximin", mask, status=status, gap=gap, objective=float(u[0]), details=details
    )
