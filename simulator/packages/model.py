"""Mixed-integer models over packages, solved with SciPy's HiGHS.

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
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError, SolverError
from plurisim.problem import BUDGET_RTOL, Problem
from plurisim.validation import check_real
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

__all__ = ["MILPSolution", "PackageModel", "stdout_to_stderr"]

FloatArray = NDArray[np.float64]


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


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send whatever native code writes to file descriptor 1 to standard error instead.

    HiGHS occasionally prints a line of its own even with ``disp=False``; the
    command line's JSON output on standard output must stay clean.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # no real stdout (a notebook, a pipe object)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        os.dup2(sys.stderr.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


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
        # Scaled by the budget: HiGHS's tolerances then act relative to its scale.
        self.add_row(nz, problem.costs[nz] / problem.budget, -np.inf, 1.0)
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

    def set_bounds(self, col: int, lb: float, ub: float) -> None:
        """Change the bounds of a column (``set_bounds(j, 1, 1)`` forces intervention ``j``)."""
        self._lb[col] = lb
        self._ub[col] = ub

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
        for _attempt in range(8):
            remaining = max(time_limit - (time.perf_counter() - started), 1e-3)
            res = self._run(c, budget_hi, remaining, mip_rel_gap, presolve)
            x = res.x[: self.m] > 0.5
            spent = float(costs @ x)
            if spent <= budget * (1 + BUDGET_RTOL):
                break
            # HiGHS accepts tiny constraint violations; never let one exceed the budget.
            budget_hi -= max(spent / budget - 1.0, 1e-9)
        else:  # pragma: no cover - defensive
            raise SolverError(
                "The solver kept returning packages over the budget.", kind="solve_error"
            )
        seconds = time.perf_counter() - started
        objective_value = -float(res.fun)
        bound = getattr(res, "mip_dual_bound", None)
        bound_value = objective_value if bound is None else -float(bound)
        gap = getattr(res, "mip_gap", None)
        return MILPSolution(
            x=x,
            values=np.asarray(res.x, dtype=float),
            status="optimal" if res.status == 0 else "time_limit",
            gap=0.0 if res.status == 0 or gap is None else float(max(gap, 0.0)),
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
        with stdout_to_stderr():
            res = milp(c, options=options, **args)
            if res.status in (2, 4) and presolve:
                # HiGHS's presolve can misjudge a model with near-tight rows as
                # infeasible (2) or fail on it (4); only a solve without presolve settles it.
                res = milp(c, options={**options, "presolve": False}, **args)
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
