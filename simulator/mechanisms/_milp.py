"""Mixed-integer models over packages, solved with SciPy's HiGHS.

Variables are laid out as ``[x | y | extra]``: ``x[j]`` in {0, 1} funds intervention
``j``; ``y[g, k]`` is the increment of group ``g``'s level on criterion ``k`` for the
pairs where the cap can bind (``y <= cap - b`` and ``y <= E x``); rules append their
own columns. Where a cap can never bind, the level is linear in ``x`` and needs no
variable. Because every objective and constraint rewards higher utility, ``y`` sits
at ``min(cap - b, E x)`` at the optimum and the model is exact.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError, SolverError
from plurisim.problem import Problem
from plurisim.validation import check_real
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

__all__ = ["MILPSolution", "PackageModel"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MILPSolution:
    """A solved model: the package, every variable, and the solver's figures."""

    x: NDArray[np.bool_]
    values: FloatArray
    status: str  # "optimal" or "time_limit"
    gap: float
    objective: float  # in the maximization sense
    bound: float  # best bound, maximization sense
    seconds: float


class PackageModel:
    """A MILP over the packages of ``problem`` (budget, exclusions, requirements built in).

    Parameters
    ----------
    problem : Problem
    groups : sequence of int, optional
        Model only these groups' levels (a smaller model, for objectives that involve
        only them); :meth:`utility` then refuses weight on any other group.
    """

    def __init__(self, problem: Problem, groups: Sequence[int] | None = None) -> None:
        self.problem = problem
        g_n, m, d = problem.effects.shape
        head = problem.caps[None, :] - problem.baseline
        pos = np.clip(problem.effects, 0, None).sum(axis=1)
        neg = np.clip(problem.effects, None, 0).sum(axis=1)
        self.modeled = np.zeros(g_n, dtype=bool)
        self.modeled[list(range(g_n)) if groups is None else list(groups)] = True
        self.active = pos > head + 1e-12  # (G, d): can the cap bind?
        pairs = np.argwhere(self.active & self.modeled[:, None])
        self.pairs = pairs
        self.m = m
        self._lb: list[float] = [0.0] * m
        self._ub: list[float] = [1.0] * m
        self._int: list[int] = [1] * m
        self._rows: list[tuple[NDArray[np.intp], FloatArray, float, float]] = []
        self.y_index = np.full((g_n, d), -1, dtype=np.intp)
        for g, k in pairs:
            col = self.add_var(float(neg[g, k]), float(head[g, k]))
            self.y_index[g, k] = col
            e = problem.effects[g, :, k]
            nz = np.flatnonzero(e)
            self.add_row(np.r_[col, nz], np.r_[1.0, -e[nz]], -np.inf, 0.0)  # y - E x <= 0
        nz = np.flatnonzero(problem.costs)
        self.budget_row = len(self._rows)
        self.add_row(nz, problem.costs[nz], -np.inf, problem.budget)
        for a, b in problem.exclusions:
            self.add_row(np.array([a, b]), np.array([1.0, 1.0]), -np.inf, 1.0)
        for a, b in problem.requirements:
            self.add_row(np.array([a, b]), np.array([1.0, -1.0]), -np.inf, 0.0)

    @property
    def n_vars(self) -> int:
        """Number of columns so far."""
        return len(self._lb)

    def add_var(self, lb: float, ub: float, integer: bool = False) -> int:
        """Append a column; return its index."""
        self._lb.append(lb)
        self._ub.append(ub)
        self._int.append(1 if integer else 0)
        return len(self._lb) - 1

    def add_row(self, cols: NDArray[np.intp], vals: FloatArray, lo: float, hi: float) -> int:
        """Append ``lo <= sum vals * v[cols] <= hi``; return the row's index."""
        self._rows.append((np.asarray(cols, dtype=np.intp), np.asarray(vals, float), lo, hi))
        return len(self._rows) - 1

    def add_dense_row(self, coefs: FloatArray, lo: float, hi: float) -> int:
        """Append a row given as a dense coefficient vector (shorter vectors are padded)."""
        nz = np.flatnonzero(coefs)
        return self.add_row(nz, coefs[nz], lo, hi)

    def forbid(self, x: NDArray[np.bool_]) -> None:
        """Add a no-good cut: from now on, any package but ``x``."""
        self.add_row(np.arange(self.m), np.where(x, -1.0, 1.0), 1.0 - float(np.sum(x)), np.inf)

    def utility(self, weights: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
        """Each group's utility as ``const[g] + A[g] @ v`` over the current columns.

        Parameters
        ----------
        weights : array of shape (G, d), optional
            Criteria weights to use instead of the problem's.

        Returns
        -------
        A : ndarray of shape (G, n_vars)
        const : ndarray of shape (G,)
        """
        p = self.problem
        w = p.weights if weights is None else np.asarray(weights, dtype=float)
        if weights is not None and np.any(w[~self.modeled] != 0):
            raise ValueError(
                "this model covers only some groups; weights on the others are not allowed"
            )
        w = np.where(self.modeled[:, None], w, 0.0)
        g_n = p.n_groups
        a = np.zeros((g_n, self.n_vars))
        const = (w * p.baseline).sum(axis=1)
        linear = w * ~self.active  # criteria whose level is linear in x
        a[:, : self.m] = np.einsum("gk,gmk->gm", linear, p.effects)
        for g, k in self.pairs:
            a[g, self.y_index[g, k]] = w[g, k]
        return a, const

    def expression_bounds(self, a: FloatArray, const: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Smallest and largest values of ``const + a @ v`` over the column bounds (per row)."""
        lb = np.asarray(self._lb)[: a.shape[1]]
        ub = np.asarray(self._ub)[: a.shape[1]]
        lo = const + np.minimum(a * lb, a * ub).sum(axis=1)
        hi = const + np.maximum(a * lb, a * ub).sum(axis=1)
        return lo, hi

    def solve(
        self,
        objective: FloatArray,
        *,
        time_limit: float = 30.0,
        mip_rel_gap: float = 1e-7,
        presolve: bool = True,
    ) -> MILPSolution:
        """Maximize ``objective @ v``; the package never exceeds the budget.

        Raises
        ------
        InfeasibleError
            If no package satisfies the constraints.
        SolverError
            If the time limit passes before any package is found, or HiGHS fails.
        """
        check_real(time_limit, "time_limit", "this rule", low=0, closed="right")
        n = self.n_vars
        c = np.zeros(n)
        c[: objective.size] = -objective
        started = time.perf_counter()
        budget_hi = self.problem.budget
        for _attempt in range(4):
            res = self._run(c, budget_hi, time_limit, mip_rel_gap, presolve)
            x = res.x[: self.m] > 0.5
            spent = float(self.problem.costs @ x)
            if spent <= self.problem.budget * (1 + 1e-12):
                break
            # HiGHS accepts tiny constraint violations; never let one exceed the budget.
            budget_hi -= max(spent - self.problem.budget, 1e-9 * max(1.0, budget_hi))
        else:  # pragma: no cover - defensive
            raise SolverError("The solver kept returning packages over the budget.")
        seconds = time.perf_counter() - started
        objective_value = -float(res.fun)
        bound = getattr(res, "mip_dual_bound", None)
        bound_value = objective_value if bound is None else -float(bound)
        gap = getattr(res, "mip_gap", None)
        return MILPSolution(
            x=x,
            values=np.asarray(res.x, dtype=float),
            status="optimal" if res.status == 0 else "time_limit",
            gap=0.0 if gap is None else float(max(gap, 0.0)),
            objective=objective_value,
            bound=max(bound_value, objective_value),
            seconds=seconds,
        )

    def _run(
        self, c: FloatArray, budget_hi: float, time_limit: float, gap: float, presolve: bool = True
    ) -> Any:
        n = self.n_vars
        rows, cols, vals, lo, hi = [], [], [], [], []
        for r, (cc, vv, l_, h_) in enumerate(self._rows):
            rows.append(np.full(cc.size, r))
            cols.append(cc)
            vals.append(vv)
            lo.append(l_)
            hi.append(budget_hi if r == self.budget_row else h_)
        matrix = coo_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(self._rows), n),
        ).tocsr()
        args = {
            "integrality": np.asarray(self._int),
            "bounds": Bounds(np.asarray(self._lb), np.asarray(self._ub)),
            "constraints": LinearConstraint(matrix, np.asarray(lo), np.asarray(hi)),
        }
        options = {
            "time_limit": float(time_limit),
            "mip_rel_gap": gap,
            "disp": False,
            "presolve": presolve,
        }
        res = milp(c, options=options, **args)
        if res.status == 2:
            # HiGHS's presolve can misjudge a model with near-tight rows as infeasible;
            # only a solve without presolve settles it.
            res = milp(c, options={**options, "presolve": False}, **args)
        if res.status == 2:
            raise InfeasibleError("No package satisfies the constraints of this rule.")
        if res.x is None:
            if res.status == 1:
                raise SolverError(
                    f"No feasible package was found within the time limit of "
                    f"{time_limit:g} s; raise time_limit."
                )
            raise SolverError(f"HiGHS failed: {res.message}")
        return res
