"""Greedy: fund what gives the most utility per unit of cost, or what has the most votes.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import greedy
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> greedy(p).package
('benches', 'trees', 'skate_ramp')
>>> greedy(p, score="votes")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'score' parameter of greedy is 'votes', which needs a scenario built from ballots (a Pabulib .pb file); toy-park has none. Use 'utility' or 'auto'.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from plurisim.errors import ParameterError, TieError
from plurisim.mechanisms.equal_shares import GreedyStep, greedy_by_votes
from plurisim.mechanisms.registry import TIE_BREAK_ITEMS, WEIGHTING, rule
from plurisim.mechanisms.ties import priority_of, tie_breaking_of
from plurisim.outcome import Outcome, package_outcome
from plurisim.packages import greedy_fill
from plurisim.params import Param
from plurisim.problem import Problem

__all__ = ["greedy"]

SCORE = Param(
    "score",
    "auto",
    "what greedy ranks by: 'utility' (marginal utility per unit of cost), 'votes' "
    "(approvals or points, skipping what no longer fits: the rule cities run) or 'auto' "
    "(votes on ballot scenarios, else utility)",
    kind="str",
    choices=("auto", "utility", "votes"),
)


@rule(
    "greedy",
    WEIGHTING,
    SCORE,
    TIE_BREAK_ITEMS,
    summary="utility-per-cost greedy, or greedy by votes as cities run it",
)
def greedy(problem: Problem, *, rng: Any, weighting: str, score: str, tie_break: str) -> Outcome:
    """Utility-per-cost greedy, or greedy by votes: the common participatory-budgeting rules.

    With ``score="utility"`` it repeatedly funds the intervention with the largest
    marginal gain in total utility per unit of cost (recomputed after each choice, so
    caps are respected), skipping those that no longer fit, until nothing more fits
    or helps. With ``score="votes"`` (ballot scenarios) it takes projects by
    decreasing votes (approvals, or the sum of points) and funds each that still
    fits, as most cities do: it reproduces a city's ``selected`` column where the
    city used this rule.

    Parameters
    ----------
    weighting : {"group", "population"}
        As in :func:`~plurisim.mechanisms.utilitarian` (``score="utility"`` only).
    score : {"auto", "utility", "votes"}
        ``"auto"``: votes on a ballot scenario, utility otherwise.
    tie_break : {"auto", "index", "name", "cost", "refuse"}
        ``"auto"``: more votes first, then file order, on ballot scenarios; scenario
        order otherwise. ``"refuse"`` raises :class:`~plurisim.errors.TieError` when
        projects with equal scores got different decisions.
    """
    by_votes = score == "votes" or (score == "auto" and problem.ballots is not None)
    if by_votes:
        return _by_votes(problem, tie_break)
    w = problem.weights if weighting == "group" else problem.population_weights()
    trace: list[dict[str, Any]] = []
    empty = np.zeros(problem.n_interventions, dtype=bool)
    mask = greedy_fill(problem, empty, w, tie_breaking_of(problem, tie_break), trace)
    return package_outcome(
        problem,
        "greedy",
        mask,
        status="rule",
        objective=float((problem.levels(mask) * w).sum()),
        details={"steps": trace, "score": "utility"},
    )


def _by_votes(problem: Problem, tie_break: str) -> Outcome:
    if problem.ballots is None:
        raise ParameterError(
            "The 'score' parameter of greedy is 'votes', which needs a scenario built from "
            f"ballots (a Pabulib .pb file); {problem.name} has none. Use 'utility' or 'auto'."
        )
    votes = problem.ballots.votes
    ranks = np.arange(problem.n_interventions) if tie_break == "auto" else None
    mask, steps = greedy_by_votes(
        problem.costs,
        problem.budget,
        votes,
        exclusions=problem.exclusions,
        requirements=problem.requirements,
        priority=priority_of(problem, tie_break) if ranks is None else ranks,
    )
    ids = problem.interventions
    if tie_break == "refuse":
        decided: dict[float, GreedyStep] = {}
        for s in steps:
            other = decided.setdefault(s.votes, s)
            if other.funded != s.funded:
                raise TieError(
                    f"Interventions {ids[other.project]!r} and {ids[s.project]!r} are tied, "
                    "and tie_break='refuse' forbids choosing."
                )
    return package_outcome(
        problem,
        "greedy",
        np.asarray(mask, dtype=bool),
        status="rule",
        objective=float(problem.group_utilities(mask).sum()),
        details={
            "score": "votes",
            "steps": [
                {"project": ids[s.project], "votes": s.votes, "cost": s.cost, "decision": s.reason}
                for s in steps
            ],
        },
    )
