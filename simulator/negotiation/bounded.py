"""One group's best package under a weight vector, proved by LP bounds and enumeration.

Group ``g``'s best budget-feasible utility under weights ``w >= 0`` is
``max_x w . min(cap, b_g + E_g x)``. Its linear relaxation (``0 <= x <= 1``, one
variable ``y_k <= min(cap_k - b_k, E_g[:, k] . x)`` per criterion) is a small LP. Any
row prices ``pi >= 0`` of that LP, not only optimal ones, give by weak duality an
upper bound on the value of every package ``x`` within the columns' bounds, in exact
arithmetic whatever the LP solver's tolerances::

    value(x) <= z(pi) - sum_j pen_j(x_j)      pen_j(t) = max(0, d_j) - d_j t >= 0

with ``d = c - A' pi`` the reduced costs. A package better than a known one (value
``z_inc``) must keep ``sum_j pen_j(x_j) <= z(pi) - z_inc``. With the LP's optimal
prices few packages pass that test: they are enumerated (vectorized) and the best
of them, or the known one, is optimal. When too many pass, the LP is branched on a
fractional intervention (depth first, a few dozen nodes at most) and each branch is
bounded and enumerated the same way. The known package comes from the caller
(earlier optima), improved by single additions, removals and swaps.

The answer is exact up to :data:`BOUND_RTOL` (floating-point rounding of the bound),
tighter than the MILP's optimality gap. When the branching does not settle the
question the caller falls back to the MILP, narrowed to the interventions the root
bound leaves open (every package better than the known one funds ``forced`` and
nothing outside ``allowed``).

Examples
--------
>>> import itertools
>>> import numpy as np
>>> from plurisim import compile_scenario, scenarios
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> ideal = BoundedIdeal(p, 0)
>>> w = p.weights[0]
>>> found = ideal.search(w, [np.zeros(p.n_interventions, dtype=bool)])
>>> every = np.array(list(itertools.product([False, True], repeat=p.n_interventions)))
>>> brute = ideal.values(every[p.is_feasible(every)], w).max()
>>> bool(p.is_feasible(found.package)), bool(np.isclose(ideal.values(found.package, w)[0], brute))
(True, True)
>>> ideal.search(-p.weights[0], [])  # only nonnegative weights
Traceback (most recent call last):
...
ValueError: weights must be finite and nonnegative; got a negative or non-finite one
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.packages.highs import (
    build_lp,
    csc_of_dense,
    highspy,
    new_solver,
    stdout_to_stderr,
)
from plurisim.problem import Problem

__all__ = ["MAX_ENUMERATED", "MAX_NODES", "BoundedIdeal", "Narrowed"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
MAX_ENUMERATED = 4_096  # packages the bound may leave open before the MILP takes over
MAX_NODES = 64  # LP branchings tried before the MILP takes over
CLIMB_STEPS = 20  # improving moves tried before the bound is taken
BOUND_RTOL = 1e-9  # slack on the bound for floating-point rounding (relative)
_Node = tuple[float, FloatArray, FloatArray]  # bound, reduced costs, LP point


class _LPFailed(Exception):
    """HiGHS did not solve a relaxation (the caller falls back to the MILP)."""


@dataclass
class Narrowed:
    """What the bound leaves of the search: every package better than ``incumbent``
    funds all of ``forced`` and nothing outside ``allowed``; ``package`` is a proved
    best one when the packages left were few enough to enumerate."""

    incumbent: BoolArray
    forced: BoolArray
    allowed: BoolArray
    package: BoolArray | None


class BoundedIdeal:
    """Exact best packages of group ``g`` under nonnegative weights (or ``None``).

    Parameters
    ----------
    problem : Problem
    g : int
        The group whose levels are weighed.
    limit : int, default MAX_ENUMERATED
        Give up (``best`` returns ``None``) when more packages than this remain.
    """

    def __init__(self, problem: Problem, g: int, limit: int = MAX_ENUMERATED) -> None:
        p = problem
        self.problem = p
        self.g = g
        self.limit = limit
        m, d = p.n_interventions, p.n_criteria
        self.effects = np.asarray(p.effects[g], dtype=float)  # (m, d)
        self.baseline = np.asarray(p.baseline[g], dtype=float)
        head = np.asarray(p.caps, dtype=float) - self.baseline
        neg = np.clip(self.effects, None, 0).sum(axis=0)
        # Columns [x (m) | y (d)]; rows: y_k - E[:, k] . x <= 0, the budget (scaled),
        # exclusions x_a + x_b <= 1, requirements x_a - x_b <= 0. Every row is "<=".
        rows = [np.c_[-self.effects.T, np.eye(d)]]
        hi = [np.zeros(d)]
        budget = np.zeros((1, m + d))
        budget[0, :m] = p.costs / p.budget
        rows.append(budget)
        hi.append(np.ones(1))
        for a, b in p.exclusions:
            r = np.zeros((1, m + d))
            r[0, [a, b]] = 1.0
            rows.append(r)
            hi.append(np.ones(1))
        for a, b in p.requirements:
            r = np.zeros((1, m + d))
            r[0, a], r[0, b] = 1.0, -1.0
            rows.append(r)
            hi.append(np.zeros(1))
        self.a = np.vstack(rows)
        self.h = np.concatenate(hi)
        self.col_lo = np.r_[np.zeros(m), np.minimum(neg, head)]
        self.col_hi = np.r_[np.ones(m), head]
        self._solver: Any = None

    def values(self, x: BoolArray, w: FloatArray) -> FloatArray:
        """``w . (levels - baseline)`` of group ``g`` for packages ``x`` (rows)."""
        raw = np.atleast_2d(x).astype(float) @ self.effects + self.baseline
        return np.minimum(raw, self.problem.caps) @ w - self.baseline @ w

    def search(self, w: FloatArray, known: list[BoolArray]) -> Narrowed | None:
        """Narrow the search for a package maximizing ``w . levels_g``.

        ``known`` are packages to start from (the feasible best of them, or the LP's
        rounded-down point if better, improved by single moves, bounds the search).
        Returns ``None`` if no feasible package is known; otherwise the interventions
        every better package keeps as in the root bound's choice (``forced``,
        ``allowed``) and, when the packages left were few enough to enumerate (at
        the root or below a few LP branchings), a proved best one. Among equally
        good packages the first found is kept.

        Raises
        ------
        ValueError
            If a weight is negative or not finite.
        """
        w = np.asarray(w, dtype=float)
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(
                "weights must be finite and nonnegative; got a negative or non-finite one"
            )
        p = self.problem
        m = p.n_interventions
        c = np.r_[np.zeros(m), w]
        lo, hi = np.zeros(m), np.ones(m)
        try:
            root = self._node(c, lo, hi)
        except _LPFailed:  # pragma: no cover - HiGHS solves these small LPs
            return None
        if root is None:
            return None
        z, red, lp_x = root
        cands = [np.asarray(k, dtype=bool) for k in [*known, lp_x >= 1 - 1e-9]]
        cands = [k for k in cands if p.is_feasible(k)]
        if not cands:
            return None
        vals = self.values(np.array(cands), w)
        i = int(np.argmax(vals))
        best, z_inc = self._climb(cands[i], float(vals[i]), w)
        out = Narrowed(best.copy(), np.zeros(m, dtype=bool), np.ones(m, dtype=bool), None)
        slack = z - z_inc + BOUND_RTOL * max(1.0, abs(z), abs(z_inc))
        fixed = np.abs(red[:m]) > slack
        out.forced = fixed & (red[:m] > 0)
        out.allowed = ~(fixed & (red[:m] <= 0))
        # Depth first over LP branchings; each node's packages are enumerated when few.
        stack: list[tuple[FloatArray, FloatArray, _Node | None]] = [(lo, hi, root)]
        nodes = 0
        try:
            while stack:
                lo, hi, solved = stack.pop()
                nodes += 1
                if nodes > MAX_NODES:
                    return out
                solved = solved if solved is not None else self._node(c, lo, hi)
                if solved is None:
                    continue  # infeasible branch
                z, red, lp_x = solved
                slack = z - z_inc + BOUND_RTOL * max(1.0, abs(z), abs(z_inc))
                if slack < 0:
                    continue
                found = self._enumerate(red[:m], lo, hi, slack, w)
                if found is not None:
                    if found[1] > z_inc:
                        best, z_inc = found
                    continue
                frac = np.abs(lp_x - np.round(lp_x))
                j = int(np.argmax(frac))
                if frac[j] <= 1e-9:  # an integral LP point left too many to enumerate
                    return out
                down_hi, up_lo = hi.copy(), lo.copy()
                down_hi[j], up_lo[j] = 0.0, 1.0
                stack.append((lo, down_hi, None))
                stack.append((up_lo, hi, None))
        except _LPFailed:  # pragma: no cover - HiGHS solves these small LPs
            return out
        out.package = best.copy()
        return out

    def _node(self, c: FloatArray, lo: FloatArray, hi: FloatArray) -> _Node | None:
        """Bound ``z(pi)``, reduced costs and LP point of the relaxation within ``lo, hi``.

        ``None`` if the relaxation is infeasible there. Any prices give a valid bound,
        so the LP's tolerances cannot make it wrong; a failed LP raises.
        """
        m = lo.size
        hp = highspy()
        h = self._solver
        if h is None:
            h = self._solver = new_solver({"presolve": "off"})
            h.passModel(
                build_lp(
                    -c,
                    csc_of_dense(self.a),
                    np.full(self.h.size, -np.inf),
                    self.h,
                    self.col_lo,
                    self.col_hi,
                )
            )
        else:
            h.changeColsCost(c.size, np.arange(c.size, dtype=np.int32), -c)
        h.changeColsBounds(m, np.arange(m, dtype=np.int32), lo, hi)
        with stdout_to_stderr():
            h.run()
        status = h.getModelStatus()
        if status == hp.HighsModelStatus.kInfeasible:
            return None
        sol = h.getSolution()
        if status != hp.HighsModelStatus.kOptimal or not sol.dual_valid:
            raise _LPFailed
        # HiGHS minimizes -c: its row duals are <= 0 on "<=" rows; ours are >= 0.
        pi = np.clip(-np.asarray(sol.row_dual, dtype=float), 0.0, None)
        red = c - self.a.T @ pi
        col_lo, col_hi = np.r_[lo, self.col_lo[m:]], np.r_[hi, self.col_hi[m:]]
        z = float(pi @ self.h + np.maximum(red * col_lo, red * col_hi).sum())
        return z, red, np.asarray(sol.col_value, dtype=float)[:m]

    def _enumerate(
        self, red: FloatArray, lo: FloatArray, hi: FloatArray, slack: float, w: FloatArray
    ) -> tuple[BoolArray, float] | None:
        """The best package within bounds whose penalty fits ``slack`` (``None``: too many).

        Returns ``(package, value)`` with value ``-inf`` when none is feasible.
        """
        p = self.problem
        m = lo.size
        free = np.flatnonzero(lo < hi)
        base = np.where(lo < hi, red > 0, lo > 0.5)  # no penalty, or the fixed value
        cost = np.abs(red)
        free = free[cost[free] <= slack]
        flips = np.zeros((1, m), dtype=bool)
        pens = np.zeros(1)
        for j in free[np.argsort(cost[free], kind="stable")]:
            ok = pens + cost[j] <= slack
            more = flips[ok]
            more[:, j] = True
            flips = np.vstack([flips, more])
            pens = np.r_[pens, pens[ok] + cost[j]]
            if flips.shape[0] > self.limit:
                return None
        x = flips ^ base
        x = x[p.is_feasible(x)]
        if x.shape[0] == 0:
            return np.zeros(m, dtype=bool), -np.inf
        vals = self.values(x, w)
        i = int(np.argmax(vals))
        return x[i].copy(), float(vals[i])

    def _climb(self, x: BoolArray, value: float, w: FloatArray) -> tuple[BoolArray, float]:
        """Improve a feasible package by the best single addition, removal or swap."""
        p = self.problem
        m = p.n_interventions
        eye = np.eye(m, dtype=bool)
        for _ in range(CLIMB_STEPS):
            ins, outs = np.flatnonzero(~x), np.flatnonzero(x)
            swaps = np.repeat(x[None, :], ins.size * outs.size, axis=0)
            rows = np.arange(swaps.shape[0])
            swaps[rows, np.repeat(ins, outs.size)] = True
            swaps[rows, np.tile(outs, ins.size)] = False
            cand = np.vstack([x[None, :] ^ eye, swaps])
            cand = cand[p.is_feasible(cand)]
            if cand.shape[0] == 0:
                break
            vals = self.values(cand, w)
            i = int(np.argmax(vals))
            if vals[i] <= value:
                break
            x, value = cand[i], float(vals[i])
        return x, value
