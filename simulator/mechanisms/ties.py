"""Which intervention wins a tie, as the item-by-item rules (greedy, Equal Shares) read it.

``tie_break="auto"`` is "more votes first, then file order" on a ballot problem (how
cities break ties) and scenario order otherwise; ``"index"`` is scenario order,
``"name"`` the intervention ids in string order (pabutools' default; on a ballot
problem the data file's project ids, even where the scenario rewrote them), ``"cost"`` the
cheapest first, ``"refuse"`` raises :class:`~plurisim.errors.TieError` when a tie
decides the outcome (the order it ranks by otherwise is ``"auto"``'s).

Examples
--------
>>> from plurisim.problem import Problem
>>> from plurisim.mechanisms.ties import priority_of
>>> p = Problem.from_arrays(costs=[2, 1], budget=2, baseline=[[0]],
...                         effects=[[[1], [1]]], weights=[[1]], interventions=["b", "a"])
>>> priority_of(p, "auto").tolist(), priority_of(p, "name").tolist()
([0, 1], [1, 0])
>>> priority_of(p, "cost").tolist()
[1, 0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from plurisim.mechanisms.equal_shares import priority_by_name, priority_by_votes
from plurisim.problem import Problem
from plurisim.tiebreaking import TieBreaking

__all__ = ["priority_of", "tie_breaking_of"]


def priority_of(problem: Problem, tie_break: str) -> NDArray[np.int64]:
    """Each intervention's rank for breaking ties (lower wins) under ``tie_break``."""
    m = problem.n_interventions
    if tie_break == "name":
        names = problem.ballots.names if problem.ballots is not None else ()
        return priority_by_name(names or problem.interventions)
    if tie_break == "cost":
        ranks = np.empty(m, dtype=np.int64)
        ranks[np.lexsort((np.arange(m), problem.costs))] = np.arange(m)
        return ranks
    if tie_break in ("auto", "refuse") and problem.ballots is not None:
        return priority_by_votes(problem.ballots.votes)
    return np.arange(m, dtype=np.int64)


def tie_breaking_of(problem: Problem, tie_break: str) -> TieBreaking:
    """The :class:`~plurisim.tiebreaking.TieBreaking` strategy ``tie_break`` stands for."""
    if tie_break in ("auto", "name") and problem.ballots is not None:
        ranks = tuple(int(r) for r in priority_of(problem, tie_break))
        return TieBreaking("priority", ranks=ranks)
    if tie_break == "auto":
        return TieBreaking("index")
    return TieBreaking(tie_break)  # type: ignore[arg-type]
