"""Best packages proved by LP bounds and enumeration: a group's ideal, or a proposal.

Group ``g``'s best budget-feasible utility under weights ``w >= 0`` is
``max_x w . min(cap, b_g + E_g x)``. Its linear relaxation (``0 <= x <= 1``, one
variable ``y_k <= min(cap_k - b_k, E_g[:, k] . x)`` per criterion) is a small LP. Any
row prices ``pi >= 0`` of that LP, not only optimal ones, give by weak duality an
upper bound on the value of every package ``x`` within the columns' bounds, in exact
arithmetic whatever the LP solver's tolerances::

    value(x) <= z(pi) - sum_j pen_j(x_j)      pen_j(t) = max(0, d_j) - d_j t >= 0

with ``d = c - A' pi`` the reduced costs. A package better than a known one (value
``z_inc``) must keep ``sum_j pen_j(x_j) <= z(pi) - z_inc``. With the LP's optimal
prices few packages pass that test: they are enumerated (vectorized; a set of flips
that no later removal can bring back under the budget is not extended) and the best
of them, or the known one, is optimal. When too many pass, the LP is branched on a
fractional intervention (depth first, a few dozen nodes at most) and each branch is
bounded and enumerated the same way. The known package comes from the caller
(earlier optima), improved by single additions, removals and swaps.

The answer is exact up to :data:`BOUND_RTOL` (floating-point rounding of the bound),
tighter than the MILP's optimality gap. :class:`BoundedSearch` asks the same of any
groups' levels with floors on utilities, forced, allowed and excluded packages. With
``margin`` it gives a package only when every other package, counting those within
:data:`~plurisim.negotiation.feasibility.FEAS_TOL` of the constraints, is worse by
more than :data:`MARGIN_RTOL` (ten times HiGHS's gap and feasibility tolerances):
then it is the package the MILP returns, ties and near-ties being left to the MILP. When the branching does not settle the
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
>>> found = ideal.ideal(w, [np.zeros(p.n_interventions, dtype=bool)])
>>> every = np.array(list(itertools.product([False, True], repeat=p.n_interventions)))
>>> brute = (p.levels(every[p.is_feasible(every)])[:, 0] @ w).max()
>>> bool(p.is_feasible(found.package)), bool(np.isclose(p.levels(found.package)[0] @ w, brute))
(True, True)
>>> ideal.ideal(-w, [])  # only nonnegative weights
Traceback (most recent call last):
...
ValueError: coefficients must be finite, nonnegative and on the modeled groups only
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.feasibility import FEAS_TOL, Constraints
from plurisim.packages.highs import (
    LPFailed,
    build_lp,
    csc_of_dense,
    highspy,
    new_solver,
    stdout_to_stderr,
)
from plurisim.problem import Problem

__all__ = ["MAX_ENUMERATED", "MAX_NODES", "BoundedIdeal", "BoundedSearch", "Narrowed"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
MAX_ENUMERATED = 4_096  # packages the bound may leave open before the MILP takes over
MAX_NODES = 64  # LP branchings tried before the MILP takes over
CLIMB_STEPS = 20  # improving moves tried before the bound is taken
BOUND_RTOL = 1e-9  # slack on the bound for floating-point rounding (relative)
# How close in value a rival must come before only the MILP can say which it returns.
MARGIN_RTOL = 1e-5
_Node = tuple[float, FloatArray, FloatArray]  # bound, reduced costs, LP point


@dataclass
class Narrowed:
    """What the bound leaves of the search: every package better than ``incumbent``
    funds all of ``forced`` and nothing outside ``allowed``; ``package`` is a proved
    best one when the packages left were few enough to enumerate (and, with a
    margin, when no other package comes within it)."""

    incumbent: BoolArray
    forced: BoolArray
    allowed: BoolArray
    package: BoolArray | None


class BoundedSearch:
    """Exact best packages for nonnegative coefficients on some groups' levels.

    Maximizes ``sum_g coefs[g] . levels_g(x)`` over the groups given, under the
    budget, exclusions and requirements, and optionally floors on every group's
    utility, forced and allowed interventions and excluded packages (as
    :meth:`~plurisim.negotiation.search.PackageSearch.best` states them).

    Parameters
    ----------
    problem : Problem
    groups : sequence of int
        The groups whose levels are modeled (all of them for floors).
    limit : int, default MAX_ENUMERATED
        Packages a node may leave open before it is branched instead of enumerated.
    """

    def __init__(
        self, problem: Problem, groups: Sequence[int], limit: int = MAX_ENUMERATED
    ) -> None:
        p = problem
        self.problem = p
        self.groups = np.asarray(list(groups), dtype=np.intp)
        self.limit = limit
        m, d, q = p.n_interventions, p.n_criteria, self.groups.size
        effects = np.asarray(p.effects, dtype=float)[self.groups]  # (q, m, d)
        self.effects = effects.transpose(1, 0, 2).reshape(m, q * d)
        self.baseline = np.asarray(p.baseline, dtype=float)[self.groups].ravel()
        self.caps = np.tile(np.asarray(p.caps, dtype=float), q)
        head = self.caps - self.baseline
        neg = np.clip(self.effects, None, 0).sum(axis=0)
        # Columns [x (m) | y (q d)]; rows: y - E' x <= 0, the budget (scaled, with
        # FEAS_TOL), exclusions x_a + x_b <= 1, requirements x_a - x_b <= 0: all "<=".
        n = m + q * d
        rows = [np.c_[-self.effects.T, np.eye(q * d)]]
        hi = [np.zeros(q * d)]
        budget = np.zeros((1, n))
        budget[0, :m] = p.costs / p.budget
        rows.append(budget)
        hi.append(np.ones(1) + FEAS_TOL)
        for a, b in p.exclusions:
            r = np.zeros((1, n))
            r[0, [a, b]] = 1.0
            rows.append(r)
            hi.append(np.ones(1))
        for a, b in p.requirements:
            r = np.zeros((1, n))
            r[0, a], r[0, b] = 1.0, -1.0
            rows.append(r)
            hi.append(np.zeros(1))
        self.a = np.vstack(rows)
        self.h = np.concatenate(hi)
        self.col_lo = np.r_[np.zeros(m), np.minimum(neg, head)]
        self.col_hi = np.r_[np.ones(m), head]
        self._solver: Any = None

    def levels(self, x: BoolArray) -> FloatArray:
        """Levels of the modeled groups for packages ``x`` (rows), shape (N, q d)."""
        raw = np.atleast_2d(x).astype(float) @ self.effects + self.baseline
        return np.minimum(raw, self.caps)

    def values(self, x: BoolArray, coefs: FloatArray) -> FloatArray:
        """``sum_g coefs[g] . (levels_g - baseline_g)`` for packages ``x`` (rows)."""
        c = np.asarray(coefs, dtype=float)[self.groups].ravel()
        return (self.levels(x) - self.baseline) @ c

    def search(
        self,
        coefs: FloatArray,
        known: list[BoolArray],
        *,
        floors: FloatArray | None = None,
        floor_weights: FloatArray | None = None,
        forced: BoolArray | None = None,
        allowed: BoolArray | None = None,
        exclude: list[BoolArray] | None = None,
        margin: bool = False,
    ) -> Narrowed | None:
        """Narrow the search for the best package.

        ``known`` are packages to start from (the best feasible one, or the LP's
        rounded-down point if better, improved by single moves, bounds the search).
        Returns ``None`` if no feasible package is known; otherwise the
        interventions every better package keeps as in the root bound's choice
        (``forced``, ``allowed``) and, when the packages left were few enough to
        enumerate (at the root or below a few LP branchings), a proved best one.
        With ``margin``, a package is given only if it beats every other package by
        :data:`MARGIN_RTOL` (relative), counting packages within :data:`FEAS_TOL`
        of the constraints: then it is the package any solver within those
        tolerances returns. Without, among equally good packages the first found.

        Raises
        ------
        ValueError
            If a coefficient or floor weight is negative or not finite.
        """
        p = self.problem
        m = p.n_interventions
        coefs = np.asarray(coefs, dtype=float)
        full = np.zeros_like(coefs)
        full[self.groups] = coefs[self.groups]
        bad = [coefs] if floor_weights is None else [coefs, np.asarray(floor_weights)]
        if any(not np.all(np.isfinite(v)) or np.any(v < 0) for v in bad) or np.any(coefs != full):
            raise ValueError(
                "coefficients must be finite, nonnegative and on the modeled groups only"
            )
        c = np.concatenate([np.zeros(m), coefs[self.groups].ravel()])
        lo = np.zeros(m) if forced is None else np.asarray(forced, dtype=float)
        hi = np.ones(m) if allowed is None else np.asarray(allowed, dtype=float)
        lo = np.minimum(lo, hi)
        check = Constraints(self, floors, floor_weights, lo, hi, exclude or [])
        extra = check.rows()
        with stdout_to_stderr():
            try:
                root = self._node(c, lo, hi, extra)
                if root is None:
                    return None
                z, red, lp_x = root
                cands = np.array([*known, lp_x >= 1 - 1e-9], dtype=bool).reshape(-1, m)
                cands = cands[check.strict(cands)]
                if cands.shape[0] == 0:
                    return None
                vals = self.values(cands, coefs)
                i = int(np.argmax(vals))
                best, z_best, near = self._climb(cands[i], float(vals[i]), coefs, check)
                tol = MARGIN_RTOL * max(float(np.abs(coefs).max()), abs(z_best)) if margin else 0.0
                slack = z - (z_best - tol) + BOUND_RTOL * max(1.0, abs(z), abs(z_best))
                fixed = np.abs(red[:m]) > slack
                out = Narrowed(best.copy(), fixed & (red[:m] > 0), ~(fixed & (red[:m] <= 0)), None)
                if margin and near >= z_best - tol:
                    return out  # a single move away ties: the MILP decides
                rivals: list[tuple[float, BoolArray]] = []
                stack: list[tuple[FloatArray, FloatArray, _Node | None]] = [(lo, hi, root)]
                nodes = 0
                while stack:
                    lo, hi, solved = stack.pop()
                    nodes += 1
                    if nodes > MAX_NODES:
                        return out
                    solved = solved if solved is not None else self._node(c, lo, hi, extra)
                    if solved is None:
                        continue  # infeasible branch
                    z, red, lp_x = solved
                    if margin:
                        tol = MARGIN_RTOL * max(float(np.abs(coefs).max()), abs(z_best))
                    slack = z - (z_best - tol) + BOUND_RTOL * max(1.0, abs(z), abs(z_best))
                    if slack < 0:
                        continue
                    found = self._enumerate(red[:m], lo, hi, slack, coefs, check, margin)
                    if found is not None:
                        x, v, strict = found
                        best_v = np.where(strict, v, -np.inf)
                        if best_v.size and best_v.max() > z_best:
                            i = int(np.argmax(best_v))
                            best, z_best = x[i].copy(), float(best_v[i])
                        if margin:
                            # Another package within the margin of the best so far: only
                            # the MILP can say which it returns (giving up early is safe).
                            tol = MARGIN_RTOL * max(float(np.abs(coefs).max()), abs(z_best))
                            close = x[v >= z_best - tol]
                            if np.any(np.any(close != best, axis=1)) or any(
                                not np.array_equal(r, best) and val >= z_best - tol
                                for val, r in rivals
                            ):
                                return out
                            rivals.extend(
                                (float(val), r)
                                for val, r in zip(v[v >= z_best - tol], close, strict=True)
                            )
                        continue
                    frac = np.abs(lp_x - np.round(lp_x))
                    j = int(np.argmax(frac))
                    if frac[j] <= 1e-9:  # an integral LP point left too many to enumerate
                        return out
                    down_hi, up_lo = hi.copy(), lo.copy()
                    down_hi[j], up_lo[j] = 0.0, 1.0
                    stack.append((lo, down_hi, None))
                    stack.append((up_lo, hi, None))
            except LPFailed:  # pragma: no cover - HiGHS solves these small LPs
                return None
            finally:
                self._restore(extra.shape[0])
        if margin:
            tol = MARGIN_RTOL * max(float(np.abs(coefs).max()), abs(z_best))
            if any(not np.array_equal(r, best) and val >= z_best - tol for val, r in rivals):
                return out
        out.package = best.copy()
        return out

    def _node(
        self, c: FloatArray, lo: FloatArray, hi: FloatArray, extra: FloatArray
    ) -> _Node | None:
        """Bound ``z(pi)``, reduced costs and LP point of the relaxation within ``lo, hi``.

        ``extra`` rows (``[coefficients | bound]``, "<=") join the base rows.
        ``None`` if the relaxation is infeasible there. Any prices give a valid bound,
        so the LP's tolerances cannot make it wrong; a failed LP raises.
        """
        m = lo.size
        hp = highspy()
        h = self._solver
        if extra.shape[0]:
            a = np.vstack([self.a, extra[:, :-1]])
            bound = np.concatenate([self.h, extra[:, -1]])
        else:  # no floors: the base rows alone, not copied at every node
            a, bound = self.a, self.h
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
        if h.getNumRow() < bound.size:
            for row, rhs in zip(extra[:, :-1], extra[:, -1], strict=True):
                nz = np.flatnonzero(row).astype(np.int32)
                h.addRow(-np.inf, float(rhs), nz.size, nz, row[nz])
        h.changeColsBounds(m, np.arange(m, dtype=np.int32), lo, hi)
        h.run()  # inside search(), which sends HiGHS's stray output to standard error
        status = h.getModelStatus()
        if status == hp.HighsModelStatus.kInfeasible:
            return None
        sol = h.getSolution()
        if status != hp.HighsModelStatus.kOptimal or not sol.dual_valid:
            raise LPFailed
        # HiGHS minimizes -c: its row duals are <= 0 on "<=" rows; ours are >= 0.
        pi = np.clip(-np.asarray(sol.row_dual, dtype=float), 0.0, None)
        red = c - a.T @ pi
        col_lo = np.concatenate([lo, self.col_lo[m:]])
        col_hi = np.concatenate([hi, self.col_hi[m:]])
        # Each column's best contribution at its bounds: 0 when its reduced cost is 0
        # (even for an infinite bound); an infinite bound with a nonzero one proves nothing.
        with np.errstate(invalid="ignore"):
            term = np.where(red > 0, red * col_hi, np.where(red < 0, red * col_lo, 0.0))
        z = float(pi @ bound + term.sum())
        if not np.isfinite(z):
            raise LPFailed
        return z, red, np.asarray(sol.col_value, dtype=float)[:m]

    def _restore(self, n_extra: int) -> None:
        """Take back the rows added for one search."""
        h = self._solver
        if h is not None and n_extra:
            gone = np.arange(self.h.size, self.h.size + n_extra, dtype=np.int32)
            h.deleteRows(gone.size, gone)

    def _enumerate(
        self,
        red: FloatArray,
        lo: FloatArray,
        hi: FloatArray,
        slack: float,
        coefs: FloatArray,
        check: Constraints,
        margin: bool,
    ) -> tuple[BoolArray, FloatArray, BoolArray] | None:
        """Packages within bounds whose penalty fits ``slack`` (``None``: too many).

        Returns them (feasible ones: within the tolerances with ``margin``), their
        values and which are strictly feasible.
        """
        m = lo.size
        movable = lo < hi
        base = np.where(movable, red > 0, lo > 0.5)  # no penalty, or the fixed value
        cost = np.abs(red)
        free = np.flatnonzero(movable & (cost <= slack))
        # First the penalties and spending, each new flip set pointing to the one it
        # extends (giving up early costs little). A set that spends more than the
        # budget allows even after every later removal is not extended: no package
        # from it fits. Then its raw levels, flip by flip.
        size = self.limit + 1
        order = free[np.argsort(cost[free], kind="stable")]
        if _at_least(cost[order], slack) > size:
            return None
        costs = self.problem.costs
        step = np.where(base, -1.0, 1.0)
        removable = np.where(base[order], costs[order], 0.0)
        later = np.concatenate([np.cumsum(removable[::-1])[::-1][1:], [0.0]])
        budget = self.problem.budget
        cap = budget * (1 + FEAS_TOL) + 1e-9 * budget  # a package within it may count
        pens = np.zeros(size)
        spent = np.empty(size)
        spent[0] = float(base @ costs)
        steps: list[tuple[int, NDArray[np.intp]]] = []
        n = 1
        for i, j in enumerate(order.tolist()):
            child = pens[:n] + cost[j]
            paid = spent[:n] + step[j] * costs[j]
            ok = np.nonzero((child <= slack) & (paid <= cap + later[i]))[0]  # row 0 fits
            k = ok.size
            if n + k > size:
                return None
            pens[n : n + k] = child[ok]
            spent[n : n + k] = paid[ok]
            steps.append((j, ok))
            n += k
        spent = spent[:n]
        flips = np.zeros((n, m), dtype=bool)
        raws = np.empty((n, self.effects.shape[1]))
        raws[0] = base.astype(float) @ self.effects + self.baseline
        n = 1
        for j, ok in steps:
            k = ok.size
            flips[n : n + k] = flips[ok]
            flips[n : n + k, j] = True
            raws[n : n + k] = raws[ok] + step[j] * self.effects[j]
            n += k
        x = flips ^ base
        strict, loose, levels = check.masks(x, np.minimum(raws, self.caps), spent)
        keep = loose if margin else strict
        c = np.asarray(coefs, dtype=float)[self.groups].ravel()
        values = (levels[keep] - self.baseline) @ c
        return x[keep], values, strict[keep]

    def _climb(
        self, x: BoolArray, value: float, coefs: FloatArray, check: Constraints
    ) -> tuple[BoolArray, float, float]:
        """Improve a feasible package by the best single addition, removal or swap.

        Returns the package, its value and the best value of a move from it (packages
        within FEAS_TOL of the constraints count): a tie there is a rival."""
        m = self.problem.n_interventions
        eye = np.eye(m, dtype=bool)
        c = np.asarray(coefs, dtype=float)[self.groups].ravel()
        e, costs = self.effects, self.problem.costs
        for _ in range(CLIMB_STEPS):
            ins, outs = np.flatnonzero(~x), np.flatnonzero(x)
            swaps = np.repeat(x[None, :], ins.size * outs.size, axis=0)
            rows = np.arange(swaps.shape[0])
            swaps[rows, np.repeat(ins, outs.size)] = True
            swaps[rows, np.tile(outs, ins.size)] = False
            cand = np.vstack([x[None, :] ^ eye, swaps])
            # Raw levels and spending of each move from those of x (no matrix product).
            raw = x.astype(float) @ e + self.baseline
            step = np.where(x, -1.0, 1.0)
            raws = np.vstack(
                [
                    raw + step[:, None] * e,
                    (raw + e[ins][:, None, :] - e[outs][None, :, :]).reshape(-1, e.shape[1]),
                ]
            )
            spent = float(x @ costs)
            spents = np.r_[
                spent + step * costs, (spent + costs[ins][:, None] - costs[outs][None, :]).ravel()
            ]
            ok, loose, levels = check.masks(cand, np.minimum(raws, self.caps), spents)
            vals = (levels - self.baseline) @ c
            near = float(vals[loose].max()) if loose.any() else -np.inf
            if not ok.any():
                return x, value, near
            i = int(np.argmax(np.where(ok, vals, -np.inf)))
            if vals[i] <= value:
                return x, value, near
            x, value = cand[i], float(vals[i])
        return x, value, -np.inf  # still climbing: its moves are not known


def _at_least(c: FloatArray, slack: float) -> float:
    """A lower bound on how many flip sets of costs ``c`` (ascending) fit ``slack``.

    For each item, the sets made of it and any of the cheaper items whose whole prefix
    fits beside it; the empty set. The sums are the enumeration's own, in its order
    (a prefix's running sum bounds each of its subsets', floats adding monotonically),
    so at least this many sets fit by their penalties. The enumeration gives up when
    that is over its limit, before the budget would have set some of them aside.
    """
    if c.size == 0:
        return 1.0
    prefix = np.concatenate([[0.0], np.cumsum(c)[:-1]])  # the sum of the items before each
    ar = np.arange(c.size)
    fits = (prefix[None, :] + c[:, None] <= slack) & (ar[None, :] <= ar[:, None])
    k = fits.sum(axis=1)  # 0 for an item that does not fit alone
    return float(1.0 + np.where(k > 0, np.exp2(k - 1), 0.0).sum())


class BoundedIdeal(BoundedSearch):
    """:class:`BoundedSearch` for one group's levels under weights ``w``.

    Parameters
    ----------
    problem : Problem
    g : int
    limit : int, default MAX_ENUMERATED
    """

    def __init__(self, problem: Problem, g: int, limit: int = MAX_ENUMERATED) -> None:
        super().__init__(problem, [g], limit)
        self.g = g

    def ideal(self, w: FloatArray, known: list[BoolArray]) -> Narrowed | None:
        """:meth:`BoundedSearch.search` for weights ``w`` on group ``g``'s levels."""
        coefs = np.zeros((self.problem.n_groups, self.problem.n_criteria))
        coefs[self.g] = w
        return self.search(coefs, known)
