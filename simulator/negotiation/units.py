"""The stakeholders of a negotiation as arrays: one row per group or per individual."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from plurisim.problem import Problem

__all__ = ["Units"]

FloatArray = NDArray[np.float64]
FLAT = 1e-9  # a span of ideal over reservation below this means "nothing to gain"


@dataclass
class Units:
    """Per-stakeholder arrays (``U`` stakeholders, ``d`` criteria, ``m`` interventions).

    Attributes
    ----------
    weights : (U, d) current criteria weights (they move under deliberation)
    anchor : (U, d) initial weights, the Friedkin-Johnsen anchor
    group : (U,) group index
    size : (U,) how many people each stakeholder stands for
    ideal, reserve, span : (U,) ideal and reservation utility, and ideal - reservation
    angle : (U,) SVO angle in radians
    exponent : (U,) concession exponent
    log_lam : (U,) log of the mediator's weight on each stakeholder
    beliefs : (U, m) or None, believed effectiveness of each intervention (truth: 1)
    """

    weights: FloatArray
    anchor: FloatArray
    group: NDArray[np.intp]
    size: FloatArray
    ideal: FloatArray
    reserve: FloatArray
    span: FloatArray
    angle: FloatArray
    exponent: FloatArray
    log_lam: FloatArray
    beliefs: FloatArray | None = None
    ideal_exact: bool = True

    def __len__(self) -> int:
        return int(self.group.size)

    @property
    def lam(self) -> FloatArray:
        """The mediator's weights, summing to 1."""
        w = np.exp(self.log_lam - self.log_lam.max())
        return w / w.sum()

    @property
    def flat(self) -> NDArray[np.bool_]:
        """Stakeholders whose reference design is already their ideal."""
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
        return np.einsum("uk,uk->u", self.levels(problem, x), self.weights)

    def satisfaction(self, u: FloatArray) -> FloatArray:
        """``(u - r) / (u* - r)``; where ``u* = r``: 1 if ``u >= r``, else -1."""
        flat = self.flat
        s = (u - self.reserve) / np.where(flat, 1.0, self.span)
        return np.where(flat, np.where(u >= self.reserve - FLAT, 1.0, -1.0), s)
