"""Bounded searches kept for one negotiation: the questions the mediator asks of them.

:class:`Prover` holds one :class:`~plurisim.negotiation.bounded.BoundedSearch` per set
of modeled groups (its LP solver is kept warm across questions) and answers the two
kinds of question :class:`~plurisim.negotiation.search.PackageSearch` asks before a
MILP: an ideal (whose value alone counts) and a package that must be the very one
the MILP would return (proved by a margin).

Examples
--------
>>> import numpy as np
>>> from plurisim import compile_scenario, scenarios
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> prover = Prover(p)
>>> found = prover.ideal(0, p.weights[0], [np.zeros(p.n_interventions, dtype=bool)])
>>> bool(p.is_feasible(found.package))
True
>>> prover.ideal(0, -p.weights[0], []) is None  # negative weights: left to the MILP
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.bounded import BoundedIdeal, BoundedSearch, Narrowed
from plurisim.problem import Problem

__all__ = ["Prover"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Prover:
    """Bounded searches for one problem, kept across a negotiation's questions.

    Parameters
    ----------
    problem : Problem
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._ideals: dict[int, BoundedIdeal] = {}
        self._searches: dict[tuple[int, ...] | None, BoundedSearch] = {}

    def _ideal(self, g: int) -> BoundedIdeal:
        if g not in self._ideals:
            self._ideals[g] = BoundedIdeal(self.problem, g)
        return self._ideals[g]

    def ideal(self, g: int, w: FloatArray, known: list[BoolArray]) -> Narrowed | None:
        """:meth:`BoundedIdeal.ideal` for group ``g`` (``None`` for negative weights)."""
        if np.any(np.asarray(w) < 0):
            return None
        return self._ideal(g).ideal(w, known)

    def proposal(
        self,
        coefs: FloatArray,
        last: BoolArray | None,
        groups: tuple[int, ...] | None,
        floors: FloatArray | None,
        floor_weights: FloatArray | None,
        forced: BoolArray | None,
        allowed: BoolArray | None,
        exclude: list[BoolArray] | None,
    ) -> BoolArray | None:
        """The best package, when proved by a margin (see :meth:`BoundedSearch.search`).

        ``groups`` are the groups modeled (``None``: all, as floors need). ``None``
        unless no other package comes within the margin (counting packages within
        the solver's tolerances of the constraints): then a MILP solved within those
        tolerances returns this very package.
        """
        weights = np.zeros(1) if floor_weights is None else np.asarray(floor_weights)
        if np.any(coefs < 0) or np.any(weights < 0) or (floors is None) != (floor_weights is None):
            return None
        if floors is not None and not np.all(np.isfinite(floors)):
            return None
        if groups is not None and len(groups) == 1:
            search: BoundedSearch = self._ideal(groups[0])
        else:
            key = groups
            if key not in self._searches:
                modeled = range(self.problem.n_groups) if key is None else key
                self._searches[key] = BoundedSearch(self.problem, modeled)
            search = self._searches[key]
        found = search.search(
            coefs,
            [] if last is None else [last],
            floors=floors,
            floor_weights=floor_weights,
            forced=forced,
            allowed=allowed,
            exclude=exclude,
            margin=True,
        )
        return None if found is None else found.package
