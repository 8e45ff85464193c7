"""What the mediator knows: public data, what stakeholders said, and its estimates.

Under private information (the default) the mediator sees the scenario's public
side (criteria, interventions, costs, effects, baselines, caps, budget, groups and
their sizes, base designs), the disagreement point's package (announced at round
0; its utilities stay private) and every message; it estimates each group's weights
from the messages (:mod:`plurisim.negotiation.estimator`). Under public information
(the full-information benchmark) it knows every stakeholder's weights.

Everything the mediator computes about utilities goes through this view: believed
utilities ``L_g(x) . w_hat_g``, the believed utility of the disagreement point,
believed ideals, believed satisfaction. Its own state lives here too: its weight on
each stakeholder (``lambda``, moved by stated shortfalls) and the committed demands.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.estimator import Estimator
from plurisim.negotiation.search import PackageSearch
from plurisim.negotiation.units import FLAT, Units
from plurisim.problem import Problem

__all__ = ["MediatorView"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class MediatorView:
    """The mediator's knowledge and state for one negotiation.

    Parameters
    ----------
    problem : Problem
        Only its public side is read (levels through ``search``, costs, groups).
    search : PackageSearch
    unit_group, unit_size : ndarray
        Which group each stakeholder belongs to and how many people it stands for
        (public).
    disagreement : ndarray of bool
        The disagreement point's package (public).
    units : Units, optional
        The stakeholders' private arrays: given only under public information.
    """

    def __init__(
        self,
        problem: Problem,
        search: PackageSearch,
        unit_group: NDArray[np.intp],
        unit_size: FloatArray,
        disagreement: BoolArray,
        units: Units | None = None,
    ) -> None:
        self.problem = problem
        self.search = search
        self.unit_group = unit_group
        self.unit_size = unit_size
        self.d_mask = disagreement
        self.private = units is None
        self._units = units
        g_n, d = problem.n_groups, problem.n_criteria
        self.estimator = Estimator(g_n, d)
        self.log_lam = np.zeros(unit_group.size)
        self.commitments: dict[int, set[int]] = {}
        self.statements: dict[int, dict[bytes, tuple[FloatArray, float]]] = {}
        self._ideals: dict[bytes, FloatArray] = {}
        self._d_levels = problem.levels(disagreement)  # (G, d), public
        self._true = problem.weights if units is not None else None

    # -- what it believes ---------------------------------------------------------------

    def group_weights(self) -> FloatArray:
        """Believed weights of each group, shape (G, d)."""
        if self._true is not None:
            return np.asarray(self._true)
        return self.estimator.estimate()

    def unit_weights(self) -> FloatArray:
        """Believed weights of each stakeholder, shape (U, d)."""
        if self._units is not None:
            return self._units.weights
        return self.group_weights()[self.unit_group]

    def utilities(self, x: BoolArray, weights: FloatArray | None = None) -> FloatArray:
        """Believed utility of each group under ``x``."""
        w = self.group_weights() if weights is None else weights
        return np.einsum("gk,gk->g", self.problem.levels(x), w)

    def reserve(self, weights: FloatArray | None = None) -> FloatArray:
        """Believed utility of each group under the disagreement point."""
        w = self.group_weights() if weights is None else weights
        return np.einsum("gk,gk->g", self._d_levels, w)

    def ideals(self, weights: FloatArray | None = None) -> FloatArray:
        """Believed best budget-feasible utility of each group (cached per estimate)."""
        w = self.group_weights() if weights is None else weights
        key = np.round(w, 12).tobytes()
        if key not in self._ideals:
            found, _ = self.search.ideal_for(w, np.arange(self.problem.n_groups))
            self._ideals[key] = np.maximum(found, self.reserve(w))
        return self._ideals[key]

    def satisfaction(self, u: FloatArray, weights: FloatArray | None = None) -> FloatArray:
        """Believed satisfaction of each group at believed utilities ``u``."""
        r, span = self.reserve(weights), self.ideals(weights) - self.reserve(weights)
        flat = span <= FLAT
        return np.where(flat, np.where(u >= r - FLAT, 1.0, -1.0), (u - r) / np.where(flat, 1, span))

    def unit_spans(self) -> tuple[FloatArray, FloatArray]:
        """Believed utility under the disagreement point and span of each stakeholder."""
        if self._units is not None:
            return self._units.reserve, self._units.span
        r, ideal = self.reserve(), self.ideals()
        return r[self.unit_group], (ideal - r)[self.unit_group]

    # -- its own state --------------------------------------------------------------------

    @property
    def lam(self) -> FloatArray:
        """The mediator's weight on each stakeholder, summing to 1."""
        w = np.exp(self.log_lam - self.log_lam.max())
        return w / w.sum()

    def group_lambda(self) -> FloatArray:
        """The mediator's weight on each group (summed over its members)."""
        out = np.zeros(self.problem.n_groups)
        np.add.at(out, self.unit_group, self.lam)
        return out

    def objective(self) -> FloatArray:
        """Coefficients on every group's levels of ``sum_u lambda_u s_hat_u(x)``, shape (G, d).

        A stakeholder believed to have nothing to gain adds nothing (its satisfaction
        is constant).
        """
        _, span = self.unit_spans()
        flat = span <= FLAT
        scale = np.where(flat, 0.0, self.lam / np.where(flat, 1.0, span))
        out = np.zeros((self.problem.n_groups, self.problem.n_criteria))
        np.add.at(out, self.unit_group, scale[:, None] * self.unit_weights())
        return out

    def committed(self) -> BoolArray:
        """The committed interventions as a mask."""
        mask = np.zeros(self.problem.n_interventions, dtype=bool)
        mask[list(self.commitments)] = True
        return mask
