"""Mixed-integer models over packages, solved with HiGHS (through ``highspy``).

Variables are laid out as ``[x | y | extra]``: ``x[j]`` in {0, 1} funds intervention
``j``; ``y[g, k]`` is the increment of group ``g``'s level on criterion ``k`` for the
pairs where the cap can bind (``y <= cap - b`` and ``y <= E x``); rules append their
own columns. Where a cap can never bind, the level is linear in ``x`` and needs no
variable. Because every objective and constraint rewards higher utility, ``y`` sits
at ``min(cap - b, E x)`` at the optimum and the model is exact.

The budget row is scaled by the budget (``sum (c_j / B) x_j <= 1``), so HiGHS's
absolute feasibility tolerance becomes relative to the budget's scale, and every
returned package is checked against the budget again. HiGHS statuses are all
handled: a solve error is retried without presolve before it is reported, and
whatever the solver writes goes to standard error, never to standard output.

A model built with ``persistent=True`` keeps one solver for its whole life: later
solves change the objective, bounds and rows in place (rows added for one question
are taken back with :meth:`PackageModel.truncate_rows`) and may start from a known
package (``start=``). Otherwise every solve passes the model to a fresh solver,
exactly as ``scipy.optimize.milp`` does.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.packages import PackageModel
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> model = PackageModel(p)
>>> a, const = model.utility()
>>> sol = model.solve(a.sum(axis=0))  # the utilitarian package
>>> sol.status, p.package_ids(sol.x)
('optimal', ('ramps', 'benches', 'skate_ramp'))
>>> model.solve(a.sum(axis=0), time_limit=0)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'time_limit' parameter of this rule must be a real number in the range (0, inf). Got 0 instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError, SolverError
from plurisim.packages.highs import (
    build_lp,
    highspy,
    new_solver,
    status_code,
    stdout_to_stderr,
)
from plurisim.problem import BUDGET_RTOL, Problem
from plurisim.validation import check_real

__all__ = ["MILPSolution", "PackageModel", "stdout_to_stderr"]

FloatArray = NDArray[np.float64]
START_TOL = 1e-9  # a starting package must meet every row this closely


@dataclass(frozen=True)
class MILPSolution:
    """A solved model: the package, every variable, and the solver's figures.

    ``status`` is ``"optimal"`` (proved) or ``"time_limit"`` (the best package found
    when time ran out; ``gap`` says how far from proved); ``seconds`` is the time
    actually spent.
    """

    x: NDArray[np.bool_]
    values: FloatArray
    status: str
    gap: float
    objective: float  # in the maximization sense
    bound: float  # best bound, maximization sense
    seconds: float


@dataclass(frozen=True)
class _Run:
    """One solver run, in SciPy's terms."""

    status: int
    x: FloatArray | None
    fun: float
    bound: float | None
    gap: float | None
    message: str


class PackageModel:
    """A MILP over the packages of ``problem`` (budget, exclusions, requirements built in).

    Parameters
    ----------
    problem : Problem
    groups : sequence of int, optional
        Model only these groups' levels (a smaller model, for objectives that involve
        only them); :meth:`utility` then refuses weight on any other group.
    persistent : bool, default False
        Keep one solver across solves (see the module docstring).
    options : dict, optional
        HiGHS options for every solve, beyond the time limit, gap and presolve.
    """

    def __init__(
        self,
        problem: Problem,
        groups: Sequence[int] | None = None,
        persistent: bool = False,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.problem = problem
        self.persistent = persistent
        self.options = dict(options or {})
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
        self._solver: Any = None
        self._synced = (0, 0)  # columns and rows the solver holds
        self._dirty: set[int] = set()  # columns whose bounds changed since
        self._head = head
        self.y_index = np.full((g_n, d), -1, dtype=np.intp)
        for g, k in pairs:
            # a baseline above its cap makes head negative: the level can still only fall
            col = self.add_var(min(float(neg[g, k]), float(head[g, k])), float(head[g, k]))
            self.y_index[g, k] = col
            e = problem.effects[g, :, k]
            nz = np.flatnonzero(e)
            self.add_row(np.r_[col, nz], np.r_[1.0, -e[nz]], -np.inf, 0.0)  # y - E x <= 0
        nz = np.flatnonzero(problem.costs)
        self.budget_row = len(self._rows)
        # Scaled by the budget: HiGHS's tolerances then act relative to its scale.
        self.add_row(nz, problem.costs[nz] / problem.budget, -np.inf, 1.0)
        for a, b in problem.exclusions:
            self.add_row(np.array([a, b]), np.array([1.0, 1.0]), -np.inf, 1.0)
        for a, b in problem.requirements:
            self.add_row(np.array([a, b]), np.array([1.0, -1.0]), -np.inf, 0.0)
        self._base_rows = len(self._rows)

    @property
    def n_vars(self) -> int:
        """Number of columns so far."""
        return len(self._lb)

    @property
    def n_rows(self) -> int:
        """Number of rows so far."""
        return len(self._rows)

    def add_var(self, lb: float, ub: float, integer: bool = False) -> int:
        """Append a column; return its index."""
        self._lb.append(lb)
        self._ub.append(ub)
        self._int.append(1 if integer else 0)
        return len(self._lb) - 1

    def set_bounds(self, col: int, lb: float, ub: float) -> None:
        """Change the bounds of a column (``set_bounds(j, 1, 1)`` forces intervention ``j``)."""
        if self._lb[col] != lb or self._ub[col] != ub:
            self._lb[col] = lb
            self._ub[col] = ub
            self._dirty.add(col)

    def add_row(self, cols: NDArray[np.intp], vals: FloatArray, lo: float, hi: float) -> int:
        """Append ``lo <= sum vals * v[cols] <= hi``; return the row's index."""
        self._rows.append((np.asarray(cols, dtype=np.intp), np.asarray(vals, float), lo, hi))
        return len(self._rows) - 1

    def add_dense_row(self, coefs: FloatArray, lo: float, hi: float) -> int:
        """Append a row given as a dense coefficient vector (shorter vectors are padded)."""
        nz = np.flatnonzero(coefs)
        return self.add_row(nz, coefs[nz], lo, hi)

    def truncate_rows(self, n_rows: int) -> None:
        """Take back every row from index ``n_rows`` on (rows added for one question)."""
        if n_rows < self._base_rows:
            raise ValueError("the rows of the budget, exclusions and requirements stay")
        del self._rows[n_rows:]
        cols, synced = self._synced
        if self._solver is not None and synced > n_rows:
            gone = np.arange(n_rows, synced, dtype=np.int32)
            self._solver.deleteRows(gone.size, gone)
            self._synced = (cols, n_rows)

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
        if self.pairs.size:
            a[self.pairs[:, 0], self.y_index[self.pairs[:, 0], self.pairs[:, 1]]] = w[
                self.pairs[:, 0], self.pairs[:, 1]
            ]
        return a, const

    def expression_bounds(self, a: FloatArray, const: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Smallest and largest values of ``const + a @ v`` over the column bounds (per row)."""
        lb = np.asarray(self._lb)[: a.shape[1]]
        ub = np.asarray(self._ub)[: a.shape[1]]
        lo = const + np.minimum(a * lb, a * ub).sum(axis=1)
        hi = const + np.maximum(a * lb, a * ub).sum(axis=1)
        return lo, hi

    def start_values(self, x: NDArray[np.bool_]) -> FloatArray | None:
        """Every column's value for package ``x``, if it meets every row and bound.

        Only for models without columns of their own beyond ``x`` and ``y`` (the
        value of a rule's extra columns is the rule's to know); ``None`` otherwise.
        """
        if self.n_vars != self.m + len(self.pairs):
            return None
        xf = np.asarray(x, dtype=float)
        v = np.empty(self.n_vars)
        v[: self.m] = xf
        if self.pairs.size:
            g, k = self.pairs[:, 0], self.pairs[:, 1]
            inc = np.einsum("m,pm->p", xf, self.problem.effects[g, :, k])
            v[self.y_index[g, k]] = np.minimum(self._head[g, k], inc)
        lb, ub = np.asarray(self._lb), np.asarray(self._ub)
        if np.any(v < lb - START_TOL) or np.any(v > ub + START_TOL):
            return None
        for cols, vals, lo, hi in self._rows:
            act = float(vals @ v[cols])
            if act < lo - START_TOL or act > hi + START_TOL:
                return None
        return v

    def solve(
        self,
        objective: FloatArray,
        *,
        time_limit: float = 30.0,
        mip_rel_gap: float = 1e-7,
        presolve: bool = True,
        start: NDArray[np.bool_] | None = None,
    ) -> MILPSolution:
        """Maximize ``objective @ v``; the package never exceeds the budget.

        ``start`` is a package to begin from; it is used only if it meets every
        constraint (see :meth:`start_values`).

        Raises
        ------
        InfeasibleError
            If no package satisfies the constraints.
        SolverError
            If the time limit passes before any package is found (``kind`` is
            ``"time_limit"``), or HiGHS fails even without presolve (``"solve_error"``).
        """
        check_real(time_limit, "time_limit", "this rule", low=0, closed="right")
        n = self.n_vars
        c = np.zeros(n)
        c[: objective.size] = -objective
        started = time.perf_counter()
        budget_hi = 1.0
        costs, budget = self.problem.costs, self.problem.budget
        values = None if start is None else self.start_values(start)
        try:
            for _attempt in range(8):
                remaining = max(time_limit - (time.perf_counter() - started), 1e-3)
                res = self._run(c, budget_hi, remaining, mip_rel_gap, presolve, values)
                assert res.x is not None
                x = res.x[: self.m] > 0.5
                spent = float(costs @ x)
                if spent <= budget * (1 + BUDGET_RTOL):
                    break
                # HiGHS accepts tiny constraint violations; never let one exceed the budget.
                budget_hi -= max(spent / budget - 1.0, 1e-9)
                values = None
            else:  # pragma: no cover - defensive
                raise SolverError(
                    "The solver kept returning packages over the budget.", kind="solve_error"
                )
        finally:
            if budget_hi != 1.0 and self._solver is not None:
                self._solver.changeRowBounds(self.budget_row, -np.inf, 1.0)
        seconds = time.perf_counter() - started
        objective_value = -float(res.fun)
        bound_value = objective_value if res.bound is None else -float(res.bound)
        return MILPSolution(
            x=x,
            values=np.asarray(res.x, dtype=float),
            status="optimal" if res.status == 0 else "time_limit",
            gap=0.0 if res.status == 0 or res.gap is None else float(max(res.gap, 0.0)),
            objective=objective_value,
            bound=max(bound_value, objective_value),
            seconds=seconds,
        )

    # -- the solver ------------------------------------------------------------------------

    def _csc(self, first_row: int) -> tuple[Any, Any, Any]:
        """Rows from ``first_row`` on as triplets (row from ``first_row``, column, value)."""
        rows = self._rows[first_row:]
        if not rows:
            return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
        r = np.concatenate([np.full(cc.size, i) for i, (cc, _, _, _) in enumerate(rows)])
        c = np.concatenate([cc for cc, _, _, _ in rows])
        v = np.concatenate([vv for _, vv, _, _ in rows])
        return r, c, v

    def column_bounds(self) -> tuple[FloatArray, FloatArray]:
        """Every column's lower and upper bound (copies)."""
        return np.asarray(self._lb, dtype=float), np.asarray(self._ub, dtype=float)

    def relaxation(self, c: FloatArray) -> Any:
        """The model as a ``HighsLp`` minimizing ``c @ v``, every column continuous."""
        return self._full_lp(c, 1.0, relaxed=True)

    def _full_lp(self, c: FloatArray, budget_hi: float, relaxed: bool = False) -> Any:
        n = self.n_vars
        r, cols, v = self._csc(0)
        order = np.lexsort((r, cols))  # column-wise, rows ascending: SciPy's CSC
        start = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(cols, minlength=n), out=start[1:])
        lo = np.array([row[2] for row in self._rows], dtype=float)
        hi = np.array([row[3] for row in self._rows], dtype=float)
        hi[self.budget_row] = budget_hi
        return build_lp(
            c,
            (start, r[order].astype(np.int32), v[order]),
            lo,
            hi,
            np.asarray(self._lb, dtype=float),
            np.asarray(self._ub, dtype=float),
            None if relaxed else np.asarray(self._int, dtype=bool),
        )

    def _sync(self, c: FloatArray, budget_hi: float, options: dict[str, Any]) -> Any:
        """The solver, holding the model as it is now and objective ``c``."""
        h = self._solver
        if h is None or not self.persistent:
            h = new_solver(options)
            h.passModel(self._full_lp(c, budget_hi))
            if self.persistent:
                self._solver = h
                self._synced = (self.n_vars, len(self._rows))
                self._dirty.clear()
            return h
        for key, value in options.items():
            h.setOptionValue(key, value)
        n_cols, n_rows = self._synced
        n = self.n_vars
        if n > n_cols:
            new = np.arange(n_cols, n)
            h.addCols(
                new.size,
                np.zeros(new.size),
                np.asarray(self._lb[n_cols:], dtype=float),
                np.asarray(self._ub[n_cols:], dtype=float),
                0,
                np.zeros(new.size, dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0),
            )
            ints = new[np.asarray(self._int[n_cols:], dtype=bool)].astype(np.int32)
            if ints.size:
                h.changeColsIntegrality(ints.size, ints, np.ones(ints.size, dtype=np.uint8))
        if len(self._rows) > n_rows:
            r, cols, v = self._csc(n_rows)
            k = len(self._rows) - n_rows
            start = np.zeros(k, dtype=np.int32)
            start[1:] = np.cumsum(np.bincount(r, minlength=k))[:-1]
            lo = np.array([row[2] for row in self._rows[n_rows:]], dtype=float)
            hi = np.array([row[3] for row in self._rows[n_rows:]], dtype=float)
            h.addRows(
                k,
                lo,
                hi,
                v.size,
                start,
                cols.astype(np.int32),
                v,
            )
        dirty = np.array(sorted(c_ for c_ in self._dirty if c_ < n_cols), dtype=np.int32)
        if dirty.size:
            h.changeColsBounds(
                dirty.size,
                dirty,
                np.asarray(self._lb, dtype=float)[dirty],
                np.asarray(self._ub, dtype=float)[dirty],
            )
        self._dirty.clear()
        self._synced = (n, len(self._rows))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), c)
        if budget_hi != 1.0:
            h.changeRowBounds(self.budget_row, -np.inf, budget_hi)
        return h

    def _run(
        self,
        c: FloatArray,
        budget_hi: float,
        time_limit: float,
        gap: float,
        presolve: bool = True,
        start: FloatArray | None = None,
    ) -> _Run:
        options = {
            **self.options,
            "time_limit": float(time_limit),
            "mip_rel_gap": float(gap),
            "presolve": "on" if presolve else "off",
        }
        with stdout_to_stderr():
            res = self._once(self._sync(c, budget_hi, options), start)
            if res.status in (2, 4) and presolve:
                # HiGHS's presolve can misjudge a model with near-tight rows as
                # infeasible (2) or fail on it (4); only a solve without presolve settles it.
                options["presolve"] = "off"
                res = self._once(self._sync(c, budget_hi, options), start)
        if res.status == 2:
            raise InfeasibleError("No package satisfies the constraints of this rule.")
        if res.x is None:
            if res.status == 1:
                raise SolverError(
                    f"No feasible package was found within the time limit of "
                    f"{time_limit:g} s; raise time_limit.",
                    kind="time_limit",
                )
            raise SolverError(f"HiGHS failed: {res.message}", kind="solve_error")
        return res

    def _once(self, h: Any, start: FloatArray | None) -> _Run:
        if start is not None:
            sol = highspy().HighsSolution()
            sol.col_value = list(start)
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
        model_status = h.getModelStatus()
        status = status_code(model_status)
        info = h.getInfo()
        fun = float(info.objective_function_value)
        # A limit reached with no package found leaves the objective at infinity.
        found = status == 0 or (status == 1 and abs(fun) < 1e30)
        if not found:
            return _Run(status, None, fun, None, None, h.modelStatusToString(model_status))
        return _Run(
            status,
            np.array(h.getSolution().col_value, dtype=float),
            fun,
            float(info.mip_dual_bound),
            float(info.mip_gap),
            h.modelStatusToString(model_status),
        )
