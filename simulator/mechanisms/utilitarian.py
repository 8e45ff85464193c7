"""The utilitarian rule: the package with the largest total utility.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import utilitarian
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> utilitarian(p).package
('ramps', 'benches', 'skate_ramp')
>>> round(utilitarian(p).objective, 3)
9.73
>>> utilitarian(p, weighting="votes")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'weighting' parameter of utilitarian must be one of 'group', 'population'. Got 'votes' instead.
"""

from __future__ import annotations

from typing import Any

from plurisim.mechanisms.lexicographic import lexicographic
from plurisim.mechanisms.registry import ENGINE, TIE_BREAK_EXACT, TIME_LIMIT, WEIGHTING, rule
from plurisim.outcome import Outcome, package_outcome
from plurisim.packages import Stage
from plurisim.problem import Problem

__all__ = ["utilitarian"]


@rule(
    "utilitarian",
    WEIGHTING,
    ENGINE,
    TIME_LIMIT,
    TIE_BREAK_EXACT,
    summary="max total utility (group- or population-weighted)",
)
def utilitarian(
    problem: Problem, *, rng: Any, weighting: str, engine: str, time_limit: float, tie_break: str
) -> Outcome:
    """Maximize total utility: ``sum_g u_g`` (or ``sum_i u_i`` with ``weighting="population"``).

    Parameters
    ----------
    problem : Problem
    rng : ignored
        Accepted for the common rule signature; the rule is deterministic.
    weighting : {"group", "population"}
        ``"group"``: every group counts once. ``"population"``: every individual
        counts once (groups weighted by size, individuals by their own weights).
    engine : {"auto", "enumerate", "milp"}
    time_limit : float
        Seconds the MILP may run; the outcome reports status and gap.
    tie_break : {"auto", "cost", "solver", "refuse"}

    Returns
    -------
    Outcome
    """
    w = problem.weights if weighting == "group" else problem.population_weights()
    mask, status, gap, details = lexicographic(
        problem,
        "utilitarian",
        engine=engine,
        time_limit=time_limit,
        tie_break=tie_break,
        keys=lambda sp: [
            sp.utilities.sum(axis=1) if weighting == "group" else sp.totals(problem, w)
        ],
        stages=lambda model: [Stage(model.utility(w)[0].sum(axis=0))],
        rank=lambda x: (float((problem.levels(x) * w).sum()),),
        branch=True,
    )
    if "bound" in details:
        details["bound"] += float((w * problem.baseline).sum())
    return package_outcome(
        problem,
        "utilitarian",
        mask,
        status=status,
        gap=gap,
        objective=float((problem.levels(mask) * w).sum()),
        details=details,
    )
