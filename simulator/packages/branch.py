"""A depth-first branch and bound over packages, for models HiGHS is slow to start on.

HiGHS spends most of its time on a small package model before its first node: cut
rounds, sub-MIP heuristics and restarts, about 0.1 s on 6 groups x 200 interventions,
where the linear relaxation is solved in about a millisecond and is nearly tight
(the budget row and a few caps are the only rows that bind). This module searches
the packages directly on that relaxation, with one persistent HiGHS LP:

* every node solves the relaxation under its fixings (dual simplex, warm-started
  from the last node) and is pruned when its bound cannot beat the incumbent by
  more than the relative gap HiGHS's MIP is asked for (``1e-7``);
* at the root, an intervention whose reduced cost alone would cost more than that
  difference is fixed at its value for the whole search (reduced-cost fixing);
* each node rounds its fractional interventions down and, if the package meets
  every row, offers it as an incumbent; a node whose relaxation is integral is one;
* the search branches on the most fractional intervention, the rounded way first.

It answers only when it proves optimality within ``node_limit`` nodes, for models
whose every column beyond the interventions follows from them (the levels above
their caps, as :meth:`PackageModel.start_values` computes); otherwise it returns
``None`` and the caller solves the MILP with HiGHS. So it is exact in the same
sense as the MILP: the optimum within a relative gap of ``1e-7``.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.packages import PackageModel
>>> from plurisim.packages.branch import branch_and_bound
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> model = PackageModel(p)
>>> sol = branch_and_bound(model, model.utility()[0].sum(axis=0))
>>> sol.status, p.package_ids(sol.x)
('optimal', ('ramps', 'benches', 'skate_ramp'))
>>> branch_and_bound(model, model.utility()[0].sum(axis=0), node_limit=0)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'node_limit' parameter of branch_and_bound must be an int in the range [1, inf). Got 0 instead.
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from plurisim.packages.highs import LPFailed, new_solver, status_code, stdout_to_stderr
from plurisim.packages.model import MILPSolution, PackageModel
from plurisim.problem import BUDGET_RTOL
from plurisim.validation import check_int

__all__ = ["NODE_LIMIT", "branch_and_bound"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
_Solved = tuple[float, FloatArray, FloatArray]  # bound, values, reduced costs
NODE_LIMIT = 1000  # 0.1-0.2 s of nodes; beyond them HiGHS's own search is the better bet
GAP = 1e-7  # the relative gap the MILP is solved to (PackageModel.solve's default)
INTEGRAL = 1e-6  # an LP value this close to 0 or 1 counts as integral


def branch_and_bound(
    model: PackageModel,
    objective: FloatArray,
    *,
    start: BoolArray | None = None,
    node_limit: int = NODE_LIMIT,
    time_limit: float = np.inf,
) -> MILPSolution | None:
    """Maximize ``objective @ v`` over the model's packages; ``None`` if not proved in time.

    Parameters
    ----------
    model : PackageModel
        A model with no columns beyond the interventions and the capped levels.
    objective : array
        Coefficients over the model's columns (shorter vectors are padded).
    start : bool array, optional
        A package to start from (used if it meets every row).
    node_limit : int, default NODE_LIMIT
        Give up (return ``None``) after solving this many relaxations.
    time_limit : float, default inf
        Give up after this many seconds.

    Returns
    -------
    MILPSolution or None
        The optimum with status ``"optimal"``, or ``None`` when the model has other
        columns, the relaxation is infeasible or fails, or the limit is reached.
    """
    check_int(node_limit, "node_limit", "branch_and_bound", low=1)
    started = time.perf_counter()
    if model.n_vars != model.m + len(model.pairs):
        return None
    levels = objective[model.m : model.n_vars]
    if np.any(levels < 0):  # a level the objective pushes down does not follow the package
        return None
    search = _Search(model, objective)
    with stdout_to_stderr():
        found = search.run(start, node_limit, started + time_limit)
    if not found or search.best is None:
        return None
    value = float(search.c @ search.best)
    return MILPSolution(
        x=search.best[: model.m] > 0.5,
        values=search.best,
        status="optimal",
        gap=0.0,
        objective=-value,
        bound=-value,
        seconds=time.perf_counter() - started,
    )


class _Search:
    """The state of one search: the LP, the incumbent and the fixings."""

    def __init__(self, model: PackageModel, objective: FloatArray) -> None:
        self.model = model
        self.m = model.m
        n = model.n_vars
        self.c = np.zeros(n)
        self.c[: objective.size] = -objective  # HiGHS minimizes
        self.h = new_solver({"presolve": "off"})
        lp = model.relaxation(self.c)
        self.h.passModel(lp)
        a = lp.a_matrix_
        self.a = (np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_))
        self.row_lo = np.asarray(lp.row_lower_, dtype=float)
        self.row_hi = np.asarray(lp.row_upper_, dtype=float)
        lb, ub = model.column_bounds()
        self.lb, self.ub = lb[: self.m].copy(), ub[: self.m].copy()
        self.keep = np.arange(n)  # the model's columns the LP still holds, in its order
        self.n_kept = self.m  # of which interventions (they come first)
        self.fixed = np.zeros(n)  # the values of the columns taken out
        self.offset = 0.0  # their objective
        self.best: FloatArray | None = None
        self.best_value = np.inf  # minimization sense
        costs, budget = model.problem.costs, model.problem.budget
        self.costs, self.budget = costs, budget
        self.root: tuple[float, FloatArray, FloatArray] | None = None
        self.offered: set[bytes] = set()  # packages already offered: none can be better again

    def offer(self, x: BoolArray) -> None:
        """Take the package ``x`` as the incumbent if it meets every row and is better."""
        key = np.packbits(x).tobytes()
        if key in self.offered:
            return
        self.offered.add(key)
        if float(self.costs @ x) > self.budget * (1 + BUDGET_RTOL):
            return
        v = self.model.start_values(x)
        if v is None:
            return
        value = float(self.c @ v)
        if value < self.best_value:
            self.best, self.best_value = v, value
            self._fix_by_reduced_cost()

    def cutoff(self) -> float:
        """Nodes whose bound is at or above this cannot improve on the incumbent enough."""
        return self.best_value - GAP * max(1.0, abs(self.best_value))

    def solve(self, lb: FloatArray, ub: FloatArray) -> tuple[float, FloatArray, FloatArray] | None:
        """The relaxation under bounds ``lb, ub`` on the interventions (None if infeasible)."""
        h = self.h
        kept = self.keep[: self.n_kept]
        h.changeColsBounds(kept.size, np.arange(kept.size, dtype=np.int32), lb[kept], ub[kept])
        h.run()
        status = status_code(h.getModelStatus())
        if status == 2:
            return None
        if status != 0:
            raise LPFailed(h.modelStatusToString(h.getModelStatus()))
        sol = h.getSolution()
        v = self.fixed.copy()
        v[self.keep] = sol.col_value
        d = np.zeros(v.size)
        d[self.keep] = sol.col_dual
        return float(h.getInfo().objective_function_value) + self.offset, v, d

    def shrink(self) -> None:
        """Take the interventions fixed for the whole search out of the LP.

        Their rows' bounds absorb what they contribute and their objective becomes a
        constant, so every later node solves a smaller LP.
        """
        kept = self.keep[: self.n_kept]
        pos = np.flatnonzero(self.lb[kept] == self.ub[kept])
        if pos.size < max(1, kept.size // 10):
            return
        cols = kept[pos]
        values = self.lb[cols]
        self.fixed[cols] = values
        start, index, value = self.a
        ones = cols[values == 1.0]
        shift = np.zeros(self.row_lo.size)
        for j in ones.tolist():
            shift[index[start[j] : start[j + 1]]] += value[start[j] : start[j + 1]]
        self.offset += float(self.c[ones].sum())
        self.row_lo = self.row_lo - shift
        self.row_hi = self.row_hi - shift
        for r in np.flatnonzero(shift).tolist():
            self.h.changeRowBounds(r, self.row_lo[r], self.row_hi[r])
        self.h.deleteCols(pos.size, pos.astype(np.int32))
        self.keep = np.delete(self.keep, pos)
        self.n_kept -= pos.size

    def run(self, start: BoolArray | None, node_limit: int, deadline: float) -> bool:
        """Search until proved (True) or out of nodes or time (False)."""
        if start is not None:
            self.offer(np.asarray(start, dtype=bool))
        try:
            root = self.solve(self.lb, self.ub)
        except LPFailed:
            return False
        if root is None:
            return False  # no package at all: HiGHS's MILP reports it
        self.root = root
        self.offer(improve(self.model, self.c, root[1][: self.m] > 1.0 - INTEGRAL))
        self._fix_by_reduced_cost()
        self.shrink()
        stack: list[tuple[FloatArray, FloatArray, _Solved | None]] = [
            (self.lb.copy(), self.ub.copy(), root)
        ]
        nodes = 1
        while stack:
            lb, ub, solved = stack.pop()
            np.maximum(lb, self.lb, out=lb)
            np.minimum(ub, self.ub, out=ub)
            if (lb > ub).any():
                continue
            if solved is None:
                if nodes >= node_limit or time.perf_counter() > deadline:
                    return False
                nodes += 1
                try:
                    solved = self.solve(lb, ub)
                except LPFailed:
                    return False
                if solved is None:
                    continue
            bound, v, dual = solved
            room = self.cutoff() - bound
            if room <= 0:
                continue
            x = v[: self.m]
            frac = np.minimum(x, 1.0 - x)
            self.offer(x > 1.0 - INTEGRAL)  # rounded down
            if frac.max() <= INTEGRAL:
                rounded = x > 0.5
                if float(self.costs @ rounded) > self.budget * (1 + BUDGET_RTOL):
                    return False  # the LP's tolerance let a package over budget: let HiGHS judge
                continue
            _fix(x, dual[: self.m], room, lb, ub)
            # the costliest fractional intervention: fewest nodes on the benchmarks
            j = int(np.argmax(np.where(frac > INTEGRAL, self.costs, -1.0)))
            up = x[j] >= 0.5
            for value in (not up, up):  # the rounded way is popped first
                child_lb, child_ub = lb.copy(), ub.copy()
                child_lb[j] = child_ub[j] = float(value)
                stack.append((child_lb, child_ub, None))
        return True

    def _fix_by_reduced_cost(self) -> None:
        """Fix every intervention whose reduced cost alone closes the gap to the incumbent.

        The root's bound plus a nonbasic column's reduced cost bounds every package
        that moves the column off its root value, so the fixing holds for the whole
        search and tightens as the incumbent improves.
        """
        if self.root is None or not np.isfinite(self.best_value):
            return
        bound, v, dual = self.root
        _fix(v[: self.m], dual[: self.m], self.cutoff() - bound, self.lb, self.ub)


def _fix(x: FloatArray, d: FloatArray, room: float, lb: FloatArray, ub: FloatArray) -> None:
    """Fix (in ``lb, ub``) the columns whose reduced cost exceeds ``room``, at their LP value.

    A column nonbasic at 0 with reduced cost ``d > room`` cannot move to 1 in any
    package below this relaxation that beats the cutoff; likewise at 1 with ``-d``.
    """
    free = ub > lb
    ub[free & (x <= INTEGRAL) & (d > room)] = 0.0
    lb[free & (x >= 1.0 - INTEGRAL) & (-d > room)] = 1.0


def improve(model: PackageModel, c: FloatArray, x: BoolArray) -> BoolArray:
    """Local search from ``x``: fill, then best add or swap while one improves ``c``.

    Levels follow the packages (``y = min(cap - b, E x)``). Only on problems without
    exclusions or requirements; otherwise ``x`` filled greedily is returned as it is.
    """
    p = model.problem
    costs, cap = p.costs, p.budget * (1 + BUDGET_RTOL)
    m = model.m
    x = np.asarray(x, dtype=bool).copy()
    if p.exclusions or p.requirements:
        return x
    g, k = model.pairs[:, 0], model.pairs[:, 1]
    e = p.effects[g, :, k].T  # (m, P)
    head = model.column_bounds()[1][model.y_index[g, k]]
    cx, cy = -c[:m], -c[model.y_index[g, k]]  # maximize
    for _ in range(4 * m):
        inc = x.astype(float) @ e
        now = float(cx @ x) + float(cy @ np.minimum(head, inc))
        spent = float(costs @ x)
        held, out = np.flatnonzero(x), np.flatnonzero(~x)
        if out.size == 0:
            break
        # adds, as swaps with a dropped "nothing" (row 0)
        drop_cost = np.concatenate(([0.0], costs[held]))
        drop_e = np.vstack([np.zeros((1, e.shape[1])), e[held]])
        drop_cx = np.concatenate(([0.0], cx[held]))
        lv = inc[None, None, :] - drop_e[:, None, :] + e[out][None, :, :]
        val = cx @ x - drop_cx[:, None] + cx[out][None, :] + np.minimum(head, lv) @ cy
        fits = spent - drop_cost[:, None] + costs[out][None, :] <= cap
        val = np.where(fits, val, -np.inf)
        a, b = np.unravel_index(int(np.argmax(val)), val.shape)
        if not val[a, b] > now + GAP * max(1.0, abs(now)):
            break
        if a > 0:
            x[held[a - 1]] = False
        x[out[b]] = True
    return x
