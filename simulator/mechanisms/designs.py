"""Reference outcomes: the status quo, the scenario's base designs, and the best of them.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import best_base_design, status_quo
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> status_quo(p).package
()
>>> best_base_design(p).details["design"]
'green'
>>> best_base_design(p, rubric="fairest")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'rubric' parameter of best_base_design must be one of 'total', 'worst'. Got 'fairest' instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from plurisim.errors import ParameterError
from plurisim.mechanisms.registry import rule
from plurisim.outcome import Outcome, package_outcome
from plurisim.params import Param
from plurisim.problem import Problem

__all__ = ["base_design_outcomes", "best_base_design", "status_quo"]

RTOL = 1e-9
RUBRIC = Param(
    "rubric",
    "total",
    "'total': highest total utility, ties by worst group; 'worst': the reverse",
    kind="str",
    choices=("total", "worst"),
)


@rule("status_quo", summary="the empty package")
def status_quo(problem: Problem, *, rng: Any) -> Outcome:
    """Fund nothing: the empty package."""
    empty = np.zeros(problem.n_interventions, dtype=bool)
    return package_outcome(
        problem,
        "status_quo",
        empty,
        status="rule",
        objective=float(problem.group_utilities(empty).sum()),
    )


def base_design_outcomes(problem: Problem) -> list[Outcome]:
    """One outcome per base design of the scenario, in file order."""
    return [
        package_outcome(
            problem,
            f"base:{design}",
            mask,
            status="rule",
            objective=float(problem.group_utilities(mask).sum()),
            kind="base_design",
            label=problem.design_label(design),
            details={"design": design},
        )
        for design, mask in problem.base_designs.items()
    ]


@rule(
    "best_base_design",
    RUBRIC,
    summary="the scenario's base design that scores best on the public rubric",
)
def best_base_design(problem: Problem, *, rng: Any, rubric: str) -> Outcome:
    """The scenario's base design that scores best on the public rubric.

    Parameters
    ----------
    rubric : {"total", "worst"}
        ``"total"`` (default): highest total utility, ties by worst-group utility.
        ``"worst"``: highest worst-group utility, ties by total utility.

    Raises
    ------
    ParameterError
        If the scenario has no base designs.
    """
    if not problem.base_designs:
        raise ParameterError(
            f"The scenario {problem.name!r} has no base designs, so there is no best one."
        )
    best: tuple[float, float] | None = None
    choice = ""
    scores = {}
    for design, mask in problem.base_designs.items():
        u = problem.group_utilities(mask)
        total, worst = float(u.sum()), float(u.min())
        key = (total, worst) if rubric == "total" else (worst, total)
        scores[design] = {"total": total, "worst": worst}
        if best is None or _better(key, best):
            best, choice = key, design
    assert best is not None
    return package_outcome(
        problem,
        "best_base_design",
        problem.base_designs[choice],
        status="rule",
        objective=best[0],
        details={"design": choice, "design_label": problem.design_label(choice), "scores": scores},
    )


def _better(key: tuple[float, float], best: tuple[float, float]) -> bool:
    """Lexicographically larger, with a relative tolerance on each part."""
    if key[0] > best[0] + RTOL * abs(best[0]):
        return True
    same = abs(key[0] - best[0]) <= RTOL * abs(best[0])
    return same and key[1] > best[1] + RTOL * abs(best[1])
