"""Greedy: fund what gives the most utility per unit of cost, until nothing more fits.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import greedy
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> greedy(p).package
('benches', 'trees', 'skate_ramp')
"""

from __future__ import annotations

from typing import Any

import numpy as np
from plurisim.mechanisms.registry import TIE_BREAK_ITEMS, WEIGHTING, rule
from plurisim.outcome import Outcome, package_outcome
from plurisim.packages import greedy_fill
from plurisim.problem import Problem
from plurisim.tiebreaking import TieBreaking

__all__ = ["greedy"]


@rule(
    "greedy",
    WEIGHTING,
    TIE_BREAK_ITEMS,
    summary="utility-per-cost greedy, the common participatory-budgeting rule",
)
def greedy(problem: Problem, *, rng: Any, weighting: str, tie_break: str) -> Outcome:
    """Utility-per-cost greedy, the common participatory-budgeting rule.

    Repeatedly funds the intervention with the largest marginal gain in total utility
    per unit of cost (recomputed after each choice, so caps are respected), skipping
    those that no longer fit, until nothing more fits or helps.

    Parameters
    ----------
    weighting : {"group", "population"}
        As in :func:`~plurisim.mechanisms.utilitarian`.
    tie_break : {"index", "name", "cost", "refuse"}
    """
    w = problem.weights if weighting == "group" else problem.population_weights()
    trace: list[dict[str, Any]] = []
    empty = np.zeros(problem.n_interventions, dtype=bool)
    mask = greedy_fill(problem, empty, w, TieBreaking(tie_break), trace)  # type: ignore[arg-type]
    return package_outcome(
        problem,
        "greedy",
        mask,
        status="rule",
        objective=float((problem.levels(mask) * w).sum()),
        details={"steps": trace},
    )
