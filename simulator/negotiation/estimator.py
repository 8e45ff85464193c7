"""The mediator's estimate of each group's weights, learned from what stakeholders say.

Every answer reveals linear inequalities on the answering group's weights ``w``
(on the simplex), over the public criterion levels ``L_g(x)`` of the packages
involved: accepting ``x`` reveals ``w . (L_g(x) - L_g(d)) >= 0`` (an acceptance
requires being at least as well off as under the disagreement point ``d``);
demanding a move from ``x`` to ``x'`` reveals ``w . (L_g(x') - L_g(x)) >= 0``, and
that the demanded addition gains at least as much per unit of cost as every other
addition it could have asked for; turning down a Pareto improvement ``y`` of an
agreement ``x`` reveals ``w . (L_g(x) - L_g(y)) >= 0``.

The estimate is the max-margin point of the simplex: one small LP per group (HiGHS)
finding the point ``w`` farthest from every revealed inequality's boundary and from
every face of the simplex (the Chebyshev centre of the region the answers leave
open, distances measured within the simplex), with a soft margin (slack, penalized
by :data:`SLACK_COST`) for answers that contradict each other. With no answer yet
the estimate is the simplex's centre, equal weights: under private information the
first proposal cannot depend on private weights. Being a centre rather than a
corner, the estimate moves gradually as answers accumulate.

Examples
--------
>>> import numpy as np
>>> est = Estimator(n_groups=1, n_criteria=3)
>>> est.estimate()[0].round(3).tolist()
[0.333, 0.333, 0.333]
>>> est.add(0, np.array([1.0, -1.0, 0.0]))  # prefers more of criterion 0 to criterion 1
>>> w = est.estimate()[0]
>>> bool(w[0] > w[1])
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from plurisim.packages.highs import solve_lp

__all__ = ["SLACK_COST", "Estimator", "estimation_error"]

FloatArray = NDArray[np.float64]
SLACK_COST = 4.0  # cost of violating a revealed inequality, per unit of margin
CENTRE = 0.01  # weight of the distance to the simplex's faces alone (a tie-break)
MIN_NORM = 1e-9


class Estimator:
    """Revealed preferences per group and the max-margin weights they imply.

    Parameters
    ----------
    n_groups, n_criteria : int
    """

    def __init__(self, n_groups: int, n_criteria: int) -> None:
        self.n_groups = n_groups
        self.d = n_criteria
        self._rows: list[dict[bytes, list[object]]] = [{} for _ in range(n_groups)]
        self._dirty = np.ones(n_groups, dtype=bool)
        self._estimate = np.full((n_groups, n_criteria), 1.0 / n_criteria)

    def n_constraints(self, g: int) -> int:
        """Distinct inequalities revealed so far by group ``g``."""
        return len(self._rows[g])

    def add(self, g: int, delta: FloatArray, count: float = 1.0) -> None:
        """Record ``w_g . delta >= 0``, revealed ``count`` times (by that many stakeholders)."""
        delta = np.asarray(delta, dtype=float)
        # On the simplex, only the part of delta across the plane sum(w) = 1 matters:
        # w . delta / |delta - mean(delta)| is the distance to the boundary.
        norm = float(np.linalg.norm(delta - delta.mean()))
        if not np.isfinite(norm) or norm < MIN_NORM:
            return
        unit = np.round(delta / norm, 9)
        key = unit.tobytes()
        row = self._rows[g].get(key)
        if row is None:
            self._rows[g][key] = [unit, float(count)]
        else:
            row[1] = float(row[1]) + float(count)  # type: ignore[arg-type]
        self._dirty[g] = True

    def add_many(self, g: int, deltas: FloatArray, count: float = 1.0) -> None:
        """Record several inequalities for group ``g`` (one per row of ``deltas``)."""
        for delta in np.atleast_2d(deltas):
            self.add(g, delta, count)

    def estimate(self) -> FloatArray:
        """The current estimate, shape (G, d); rows on the simplex.

        Groups whose answers changed are re-solved together, in one LP (their blocks
        are independent, so each gets its own max-margin point).
        """
        dirty = [int(g) for g in np.flatnonzero(self._dirty)]
        solvable = [g for g in dirty if self.d > 1 and self._rows[g]]
        for g in dirty:
            if g not in solvable:
                self._estimate[g] = 1.0 / self.d
        if solvable:
            self._estimate[solvable] = self._solve(solvable)
        self._dirty[:] = False
        return self._estimate.copy()

    def _solve(self, groups: list[int]) -> FloatArray:
        """The max-margin points of several groups, by one block-diagonal LP."""
        d = self.d
        face = np.sqrt(1.0 - 1.0 / d)  # distance of w from face k is w_k / face
        blocks = []
        for g in groups:
            rows = list(self._rows[g].values())
            deltas = np.array([r[0] for r in rows], dtype=float)
            counts = np.array([r[1] for r in rows], dtype=float)
            blocks.append((deltas, counts))
        # Per group, variables w (d), r, q, xi (n_g); maximize
        # r + CENTRE * q - cost * sum(count * xi): r is the margin to every boundary, q
        # to the faces alone (it picks the most central point when answers conflict).
        offsets, nv = [], 0
        for deltas, _ in blocks:
            offsets.append(nv)
            nv += d + 2 + deltas.shape[0]
        n_ub = sum(deltas.shape[0] + 2 * d for deltas, _ in blocks)
        n_eq = len(groups)
        c = np.zeros(nv)
        col_lo, col_hi = np.zeros(nv), np.zeros(nv)
        rr: list[NDArray[np.intp]] = []
        cc: list[NDArray[np.intp]] = []
        vv: list[FloatArray] = []

        def put(rows: NDArray[np.intp], cols: NDArray[np.intp], vals: FloatArray | float) -> None:
            rows, cols = np.broadcast_arrays(rows, cols)
            rr.append(rows.ravel())
            cc.append(cols.ravel())
            vv.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape).ravel())

        row = 0
        ar_d = np.arange(d)
        for k, ((deltas, counts), o) in enumerate(zip(blocks, offsets, strict=True)):
            n = deltas.shape[0]
            ar_n = np.arange(n)
            c[o + d] = -1.0
            c[o + d + 1] = -CENTRE
            c[o + d + 2 : o + d + 2 + n] = SLACK_COST * counts / counts.max()
            put((row + ar_n)[:, None], (o + ar_d)[None, :], -deltas)  # r - delta.w - xi <= 0
            put(row + ar_n, np.full(n, o + d), 1.0)
            put(row + ar_n, o + d + 2 + ar_n, -1.0)
            row += n
            put(row + ar_d, o + ar_d, -1.0)  # r * face - w_k <= 0
            put(row + ar_d, np.full(d, o + d), face)
            row += d
            put(row + ar_d, o + ar_d, -1.0)  # q * face - w_k <= 0
            put(row + ar_d, np.full(d, o + d + 1), face)
            row += d
            put(np.full(d, n_ub + k), o + ar_d, 1.0)  # sum w = 1
            col_lo[o : o + d + 2 + n] = np.r_[np.zeros(d), -1.0, 0.0, np.zeros(n)]
            col_hi[o : o + d + 2 + n] = np.r_[np.ones(d), 1.0, 1.0, np.full(n, np.inf)]
        res = solve_lp(
            c,
            (np.concatenate(rr), np.concatenate(cc), np.concatenate(vv), (n_ub + n_eq, nv)),
            np.r_[np.full(n_ub, -np.inf), np.ones(n_eq)],
            np.r_[np.zeros(n_ub), np.ones(n_eq)],
            col_lo,
            col_hi,
        )
        if res.status != 0 or res.x is None:  # pragma: no cover - the LP is always feasible
            return self._estimate[groups]
        w = np.clip(np.array([res.x[o : o + d] for o in offsets]), 0.0, None)
        return w / w.sum(axis=1, keepdims=True)


def estimation_error(estimate: FloatArray, truth: FloatArray) -> float:
    """Mean over groups of half the L1 distance between estimated and true weights.

    0 is a perfect estimate, 1 the worst possible.

    Examples
    --------
    >>> import numpy as np
    >>> estimation_error(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    0.5
    """
    return float(0.5 * np.abs(np.asarray(estimate) - np.asarray(truth)).sum(axis=1).mean())
