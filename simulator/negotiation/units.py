"""The stakeholders' private side, as arrays: one row per group or per individual.

What a stakeholder knows about itself (its weights, SVO angle, concession pace,
beliefs about the interventions' effects, its ideal and its utility under the
disagreement point) lives here. The stakeholder policy reads it; the mediator
never does (see :mod:`plurisim.negotiation.view`). On a ballot problem (real voters,
``Problem.ballots``) with one stakeholder per voter, a stakeholder's utility is its
ballot utility, read through :attr:`Units.ballots`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from plurisim.ballots import Ballots
from plurisim.problem import Problem

__all__ = ["FLAT", "Units", "aspiration", "voter_ideals"]

FloatArray = NDArray[np.float64]
FLAT = 1e-9  # a span of ideal over the disagreement point below this: nothing to gain


def aspiration(t: int, rounds: int, exponent: FloatArray, floor: float = 0.0) -> FloatArray:
    """``phi + (1 - phi)(1 - (t / R) ** (1 / e))``: from 1 at the start to ``phi`` in round ``R``.

    Examples
    --------
    >>> import numpy as np
    >>> aspiration(5, 10, np.array([0.5, 1.0, 2.0])).round(3).tolist()
    [0.75, 0.5, 0.293]
    >>> aspiration(10, 10, np.array([1.0]), floor=0.2).tolist()
    [0.2]
    """
    return floor + (1.0 - floor) * (1.0 - (min(t, rounds) / rounds) ** (1.0 / exponent))


@dataclass
class Units:
    """Per-stakeholder arrays (``U`` stakeholders, ``d`` criteria, ``m`` interventions).

    Attributes
    ----------
    weights : (U, d) current criteria weights (they move under deliberation)
    anchor : (U, d) initial weights, the Friedkin-Johnsen anchor
    group : (U,) group index
    size : (U,) how many people each stakeholder stands for
    ideal : (U,) best budget-feasible utility as the stakeholder perceives it (raised
        whenever it sees a better package, so satisfaction never exceeds 1)
    reserve : (U,) its utility under the disagreement point
    angle : (U,) SVO angle in radians
    exponent : (U,) concession exponent
    beliefs : (U, m) or None, believed effectiveness of each intervention (truth: 1)
    ideal_exact : whether the ideals were proved optimal
    ballots : the voters' ballots when each stakeholder is one voter of a ballot problem
        (row ``i`` of the ballots is stakeholder ``i``), else None
    """

    weights: FloatArray
    anchor: FloatArray
    group: NDArray[np.intp]
    size: FloatArray
    ideal: FloatArray
    reserve: FloatArray
    angle: FloatArray
    exponent: FloatArray
    beliefs: FloatArray | None = None
    ideal_exact: bool = True
    ballots: Ballots | None = None

    def __len__(self) -> int:
        return int(self.group.size)

    @property
    def span(self) -> FloatArray:
        """Ideal minus the utility under the disagreement point."""
        return self.ideal - self.reserve

    @property
    def flat(self) -> NDArray[np.bool_]:
        """Stakeholders that no package can make better off than the disagreement point."""
        return self.span <= FLAT

    def members(self, g: int) -> NDArray[np.intp]:
        """Rows belonging to group ``g``."""
        return np.flatnonzero(self.group == g)

    def levels(self, problem: Problem, x: NDArray[np.bool_]) -> FloatArray:
        """Each stakeholder's perceived criterion levels under package ``x``, shape (U, d)."""
        if self.beliefs is None:
            return problem.levels(x)[self.group]
        xf = np.asarray(x, dtype=float)
        out = np.empty((len(self), problem.n_criteria))
        for g in range(problem.n_groups):
            rows = self.members(g)
            if rows.size:
                raw = problem.baseline[g] + (self.beliefs[rows] * xf) @ problem.effects[g]
                out[rows] = np.minimum(raw, problem.caps)
        return out

    def utilities(self, problem: Problem, x: NDArray[np.bool_]) -> FloatArray:
        """Each stakeholder's perceived utility under ``x``."""
        if self.ballots is not None:
            return self.ballots.voter_utilities(x) * self.weights[:, 0]
        return np.einsum("uk,uk->u", self.levels(problem, x), self.weights)

    def satisfaction(self, u: FloatArray) -> FloatArray:
        """``(u - r) / (u* - r)``; where nothing can be gained: 1 if ``u >= r``, else -1."""
        flat = self.flat
        s = (u - self.reserve) / np.where(flat, 1.0, self.span)
        return np.where(flat, np.where(u >= self.reserve - FLAT, 1.0, -1.0), s)

    def observe(self, u: FloatArray) -> None:
        """Raise each ideal to a utility just seen (a feasible package's), if higher."""
        np.maximum(self.ideal, u, out=self.ideal)


def voter_ideals(problem: Problem, ballots: Ballots) -> FloatArray:
    """A budget-feasible lower bound on each voter's best utility (a knapsack each).

    The better of two packages of the voter's own projects: greedy by utility per
    cost (cheaper first among equals), skipping what no longer fits the budget, and
    the single best project that fits. On problems with exclusions or requirements,
    where these may not be feasible, the bound is 0. Units raise it whenever they see
    better.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> from plurisim.ballots import Ballots
    >>> from plurisim.problem import Problem
    >>> p = Problem.from_arrays(costs=[3, 2, 2], budget=4, baseline=[[0]],
    ...                         effects=[[[0], [0], [0]]], weights=[[1]], sizes=[2])
    >>> b = Ballots(sparse.csr_array([[3.0, 2.0, 2.0], [0.0, 0.0, 5.0]]), [0, 0], [1, 1, 2], "x")
    >>> voter_ideals(p, b).tolist()
    [4.0, 5.0]
    """
    n = ballots.n_voters
    if problem.exclusions or problem.requirements or n == 0:
        return np.zeros(n)
    u = ballots.utilities.copy()
    u.data = np.maximum(u.data, 0.0)  # a dislike is never worth funding for oneself
    u.eliminate_zeros()
    lengths = np.diff(u.indptr)
    rows = np.repeat(np.arange(n), lengths)
    cost = problem.costs[u.indices]
    with np.errstate(divide="ignore"):
        ratio = np.where(cost > 0, u.data / np.where(cost > 0, cost, 1.0), np.inf)
    order = np.lexsort((cost, -ratio, rows))
    position = np.arange(u.nnz) - u.indptr[:-1][rows]  # rows are sorted: order keeps them
    cap = problem.budget * (1 + 1e-9)
    spent, total = np.zeros(n), np.zeros(n)
    for k in range(int(lengths.max(initial=0))):
        at = order[position == k]
        who = rows[at]
        take = spent[who] + cost[at] <= cap
        spent[who[take]] += cost[at[take]]
        total[who[take]] += u.data[at[take]]
    single = np.zeros(n)
    ok = cost <= cap
    np.maximum.at(single, rows[ok], u.data[ok])
    return np.maximum(total, single) * ballots.scale
