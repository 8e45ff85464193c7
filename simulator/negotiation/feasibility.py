"""The constraints of one bounded search, checked on many packages at once.

A package meets them strictly as the problem and the question state them (the
budget with :data:`~plurisim.problem.BUDGET_RTOL`, floors less ``1e-9``), or
loosely, within :data:`FEAS_TOL`: the packages a MILP solver working within its
tolerances might still take for feasible.

Examples
--------
>>> import numpy as np
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.negotiation.bounded import BoundedSearch
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> search = BoundedSearch(p, range(p.n_groups))
>>> none, every = np.zeros(p.n_interventions), np.ones(p.n_interventions)
>>> c = Constraints(search, None, None, none, every, [])
>>> strict, loose, _ = c.masks(np.array([none, every], dtype=bool))
>>> strict.tolist()  # no package fits; all of them together cost more than the budget
[True, False]
>>> Constraints(BoundedSearch(p, [0]), np.zeros(p.n_groups), p.weights, none, every, [])
Traceback (most recent call last):
...
ValueError: floors need every group modeled
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from plurisim.negotiation.bounded import BoundedSearch

__all__ = ["FEAS_TOL", "Constraints"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
# A package the MILP might still take for feasible (within HiGHS's tolerances).
FEAS_TOL = 1e-5


class Constraints:
    """Which packages meet one search's constraints: strictly, or within FEAS_TOL.

    Parameters
    ----------
    search : BoundedSearch
        The search whose modeled groups' levels are checked.
    floors, floor_weights : ndarray, optional
        Floors on every group's utility under these weights.
    lo, hi : ndarray
        Bounds on the interventions (1 in ``lo``: forced; 0 in ``hi``: not allowed).
    exclude : list of ndarray
        Packages not allowed.

    Raises
    ------
    ValueError
        If floors are given but not every group is modeled.
    """

    def __init__(
        self,
        search: BoundedSearch,
        floors: FloatArray | None,
        floor_weights: FloatArray | None,
        lo: FloatArray,
        hi: FloatArray,
        exclude: list[BoolArray],
    ) -> None:
        self.search = search
        self.floors = None if floors is None else np.asarray(floors, dtype=float)
        self.weights = None if floor_weights is None else np.asarray(floor_weights, dtype=float)
        if self.floors is not None and search.groups.size != search.problem.n_groups:
            raise ValueError("floors need every group modeled")
        self.forced, self.allowed = lo > 0.5, hi > 0.5
        self.exclude = [np.asarray(x, dtype=bool) for x in exclude]

    def rows(self) -> FloatArray:
        """The floors as "<=" rows over the columns, with their bounds (loosened)."""
        s = self.search
        m, n = s.problem.n_interventions, s.a.shape[1]
        if self.floors is None or self.weights is None:
            return np.zeros((0, n + 1))
        q, d = s.groups.size, s.problem.n_criteria
        out = np.zeros((q, n + 1))
        b = s.baseline.reshape(q, d)
        for g in range(q):
            out[g, m + g * d : m + (g + 1) * d] = -self.weights[g]
            floor = self.floors[g] - 1e-9 - FEAS_TOL * max(1.0, abs(self.floors[g]))
            out[g, -1] = -(floor - self.weights[g] @ b[g])
        return out

    def masks(
        self, x: BoolArray, levels: FloatArray | None = None, spent: FloatArray | None = None
    ) -> tuple[BoolArray, BoolArray, FloatArray]:
        """Which packages meet every constraint strictly, which within FEAS_TOL, and
        the modeled groups' levels of each (shape (N, q d); given, or computed)."""
        s = self.search
        p = s.problem
        x = np.atleast_2d(x)
        if spent is None:
            spent = x.astype(float) @ p.costs
        strict = spent <= p.budget * (1 + 1e-9)
        loose = spent <= p.budget * (1 + FEAS_TOL)
        other = np.all(x[:, self.forced], axis=1) & ~np.any(x[:, ~self.allowed], axis=1)
        for a, b in p.exclusions:
            other &= ~(x[:, a] & x[:, b])
        for a, b in p.requirements:
            other &= ~x[:, a] | x[:, b]
        for e in self.exclude:
            other &= np.any(x != e, axis=1)
        if levels is None:
            levels = s.levels(x)
        if self.floors is not None and self.weights is not None:
            q, d = s.groups.size, p.n_criteria
            u = np.einsum("ngk,gk->ng", levels.reshape(-1, q, d), self.weights)
            floor = self.floors - 1e-9
            strict &= np.all(u >= floor, axis=1)
            loose &= np.all(u >= floor - FEAS_TOL * np.maximum(1.0, np.abs(self.floors)), axis=1)
        return strict & other, loose & other, levels

    def strict(self, x: BoolArray) -> BoolArray:
        """Packages meeting every constraint as the problem states it."""
        return self.masks(x)[0]
