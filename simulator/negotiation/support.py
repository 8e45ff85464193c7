"""A group's best utility under many weight vectors, proved without a MILP where possible.

Group ``g``'s best budget-feasible utility under weights ``w`` is the support
function ``h(w) = max_x w . L_g(x)`` of the level vectors its packages reach. Every
solved weight vector ``w_i`` (optimal package ``x_i``) gives the inequality
``w_i . z <= w_i . L_g(x_i)`` that every reachable level vector ``z`` satisfies. For
a new ``w`` the known packages give a lower bound, ``max_i w . L_g(x_i)``, and those
inequalities with the box of reachable levels an upper bound (a linear program in
``d`` variables). When the two agree (within :data:`CERTIFY_RTOL`) the best known
package is optimal for ``w`` and no MILP is needed: this happens whenever ``w`` lies
in the convex hull of solved weight vectors that share an optimal package, as the
mediator's estimates do once they settle. The certificate is as exact as the MILPs
it rests on (each optimal within the solver's gap).

Examples
--------
>>> import numpy as np
>>> s = GroupSupport(np.zeros(2), np.ones(2))
>>> s.add(np.array([1.0, 0.0]), np.array([True]), np.array([1.0, 0.0]))
0
>>> s.add(np.array([0.0, 1.0]), np.array([False]), np.array([0.0, 1.0]))
1
>>> s.known(np.array([0.6, 0.4]))  # could be (1, 1), for all these two cuts say
>>> s.add(np.array([0.5, 0.5]), np.array([True]), np.array([1.0, 0.0]))
0
>>> int(s.known(np.array([0.6, 0.4])))  # now proved: package 0 is best
0
>>> s.known(np.array([0.6]))
Traceback (most recent call last):
...
ValueError: weights of length 1 for a support over 2 criteria
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from plurisim.packages.highs import solve_lp

__all__ = ["CERTIFY_RTOL", "GroupSupport"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
CERTIFY_RTOL = 1e-9


class GroupSupport:
    """Known optimal packages of one group and the certificates they allow.

    Parameters
    ----------
    lo, hi : ndarray of shape (d,)
        Bounds on the group's reachable criterion levels.
    """

    def __init__(self, lo: FloatArray, hi: FloatArray) -> None:
        self.lo = np.asarray(lo, dtype=float)
        self.hi = np.asarray(hi, dtype=float)
        self.masks: list[BoolArray] = []
        self._levels: list[FloatArray] = []
        self._cut_w: list[FloatArray] = []
        self._cut_v: list[float] = []
        self._cache: dict[bytes, int] = {}
        self.certified = 0  # answers proved without a MILP

    @property
    def levels(self) -> FloatArray:
        """Levels of every known package, shape (K, d)."""
        return np.array(self._levels).reshape(-1, self.lo.size)

    def best_known(self, w: FloatArray) -> int | None:
        """Index of the known package best for ``w`` (the first among equals), if any."""
        if not self._levels:
            return None
        return int(np.argmax(self.levels @ w))

    def known(self, w: FloatArray) -> int | None:
        """Index of a known package proved optimal for ``w``, or ``None``."""
        w = np.asarray(w, dtype=float)
        if w.shape != self.lo.shape:
            raise ValueError(
                f"weights of length {w.size} for a support over {self.lo.size} criteria"
            )
        key = np.round(w, 12).tobytes()
        if key in self._cache:
            return self._cache[key]
        best = self.best_known(w)
        if best is None or not self._cut_w:
            return None
        lower = float(self._levels[best] @ w)
        res = solve_lp(
            -w,
            np.array(self._cut_w),
            np.full(len(self._cut_w), -np.inf),
            np.array(self._cut_v),
            self.lo,
            self.hi,
        )
        if res.fun is None:  # pragma: no cover - the box keeps the program bounded and feasible
            return None
        upper = -res.fun
        if upper - lower > CERTIFY_RTOL * max(1.0, abs(upper)):
            return None
        self._cache[key] = best
        self.certified += 1
        return best

    def add(self, w: FloatArray, mask: BoolArray, levels: FloatArray) -> int:
        """Record that ``mask`` (with ``levels``) is optimal for ``w``; return its index."""
        w = np.asarray(w, dtype=float)
        levels = np.asarray(levels, dtype=float)
        index = next(
            (i for i, m in enumerate(self.masks) if np.array_equal(m, mask)), len(self.masks)
        )
        if index == len(self.masks):
            self.masks.append(np.asarray(mask, dtype=bool).copy())
            self._levels.append(levels.copy())
        self._cut_w.append(w.copy())
        self._cut_v.append(float(levels @ w))
        self._cache[np.round(w, 12).tobytes()] = index
        return index
