"""Bargaining solutions: gains measured from the disagreement point.

Both rules take ``disagreement`` (see :mod:`plurisim.mechanisms.disagreement`,
default ``"best-base-design"``) and report it in ``details["disagreement"]``.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import kalai_smorodinsky, nash
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> nash(p, disagreement="status-quo").package
('ramps', 'benches', 'skate_ramp')
>>> 0 <= kalai_smorodinsky(p).objective <= 1
True
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.mechanisms.disagreement import DISAGREEMENT, disagreement_point
from plurisim.mechanisms.ideals import ideal_utilities, ideals_exact
from plurisim.mechanisms.lexicographic import add_min_var, lexicographic, unit
from plurisim.mechanisms.nash_milp import GAIN_EPS, nash_milp
from plurisim.mechanisms.registry import ENGINE, TIE_BREAK_EXACT, TIME_LIMIT, rule
from plurisim.outcome import Outcome, package_outcome
from plurisim.packages import PackageModel, PackageSpace, Stage, resolve_engine, select_stages
from plurisim.problem import Problem

__all__ = ["kalai_smorodinsky", "nash"]

FloatArray = NDArray[np.float64]
LONG_TIME_LIMIT = dataclasses.replace(TIME_LIMIT, default=60.0)


@rule(
    "nash",
    DISAGREEMENT,
    ENGINE,
    LONG_TIME_LIMIT,
    TIE_BREAK_EXACT,
    summary="max product of the groups' gains over the disagreement point",
    uses_disagreement=True,
)
def nash(
    problem: Problem,
    *,
    rng: Any,
    disagreement: str,
    engine: str,
    time_limit: float,
    tie_break: str,
) -> Outcome:
    """Maximize the Nash product ``prod_g (u_g - d_g)`` over the groups that gain.

    ``d`` is the disagreement point. Groups that no package can make better off are
    left out of the product. When no package makes every other group strictly
    better off, the rule first maximizes how many groups gain, then the product over
    them (the usual convention for Nash welfare with zeros). Small problems are
    enumerated; larger ones solved by outer approximation (:mod:`~plurisim.mechanisms.nash_milp`).
    """
    point = disagreement_point(problem, disagreement)
    d = point.utilities
    space = resolve_engine(problem, engine, "nash")
    if space is not None:
        gain = space.utilities - d
        positive = gain >= GAIN_EPS
        logs = np.where(positive, np.log(np.where(positive, gain, 1.0)), 0.0).sum(axis=1)
        row = select_stages(space, [positive.sum(axis=1).astype(float), logs], tie_break)
        mask = space.mask(row)
        status, gap = "optimal", 0.0
        details: dict[str, Any] = {"engine": "enumerate", "packages": len(space)}
    else:
        mask, status, gap, details = nash_milp(problem, d, time_limit)
    g = problem.group_utilities(mask) - d
    pos = g >= GAIN_EPS
    details["gaining_groups"] = int(pos.sum())
    details["disagreement"] = point.to_dict(problem.groups)
    return package_outcome(
        problem,
        "nash",
        mask,
        status=status,
        gap=gap,
        objective=float(np.exp(np.log(g[pos]).sum())) if pos.any() else 0.0,
        details=details,
    )


@rule(
    "kalai_smorodinsky",
    DISAGREEMENT,
    ENGINE,
    LONG_TIME_LIMIT,
    TIE_BREAK_EXACT,
    summary="max the smallest share of each group's possible gain",
    uses_disagreement=True,
)
def kalai_smorodinsky(
    problem: Problem,
    *,
    rng: Any,
    disagreement: str,
    engine: str,
    time_limit: float,
    tie_break: str,
) -> Outcome:
    """Maximize the smallest share of its possible gain any group receives.

    ``max_x min_g (u_g(x) - d_g) / (ideal_g - d_g)``, where ``ideal_g`` is the
    group's best utility under the budget and ``d`` the disagreement point; groups
    that cannot gain are left out. Ties go to the larger sum of shares. The ideals
    may use half the time limit (``details["ideals_exact"]`` says whether they were
    proved optimal).
    """
    point = disagreement_point(problem, disagreement)
    d = point.utilities
    started = time.perf_counter()
    ideal = ideal_utilities(problem, engine=engine, time_limit=time_limit / 2)
    remaining = max(time_limit - (time.perf_counter() - started), 1e-3)
    span = ideal - d
    scale = np.where(span >= GAIN_EPS, span, 0.0)
    gains = scale > 0

    def shares(u: FloatArray) -> FloatArray:
        return np.asarray((u - d)[..., gains] / scale[gains])

    def keys(space: PackageSpace) -> list[FloatArray]:
        s = shares(space.utilities)
        worst = s.min(axis=1) if s.shape[1] else np.zeros(len(space))
        return [worst, s.sum(axis=1)]

    def stages(model: PackageModel) -> list[Stage]:
        t = add_min_var(model, scale=scale, shift=d)
        a, _ = model.utility()
        share_sum = (a[gains] / scale[gains, None]).sum(axis=0)
        return [Stage(unit(model, t)), Stage(np.pad(share_sum, (0, model.n_vars - share_sum.size)))]

    def rank(x: NDArray[np.bool_]) -> tuple[float, ...]:
        s = shares(problem.group_utilities(x))
        return (float(s.min(initial=np.inf)), float(s.sum()))

    mask, status, gap, details = lexicographic(
        problem,
        "kalai_smorodinsky",
        engine=engine,
        time_limit=remaining,
        tie_break=tie_break,
        keys=keys,
        stages=stages,
        rank=rank,
    )
    details.pop("bound", None)
    details["ideals_exact"] = ideals_exact(problem)
    details["disagreement"] = point.to_dict(problem.groups)
    s_x = shares(problem.group_utilities(mask))
    return package_outcome(
        problem,
        "kalai_smorodinsky",
        mask,
        status=status,
        gap=gap,
        objective=float(s_x.min()) if s_x.size else 0.0,
        details=details,
    )
