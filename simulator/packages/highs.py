"""HiGHS through ``highspy``: models passed in place, solved, re-solved after changes.

SciPy ships the same solver (``scipy.optimize.milp`` and ``linprog`` wrap HiGHS
1.12), but a SciPy call builds a new solver for every solve and importing
``scipy.optimize`` takes about half a second. ``highspy`` (pinned to the HiGHS
release SciPy bundles, so the same model gives the same answer) keeps one solver
object per model: the objective, bounds and rows change in place and a known
package is handed over as a starting solution. It is imported on first use.

Statuses are reported in SciPy's numbering (0 optimal, 1 time or iteration limit,
2 infeasible, 3 unbounded, 4 anything else), which the callers already handle.

Examples
--------
>>> import numpy as np
>>> res = solve_lp(np.array([-1.0, -1.0]), np.array([[1.0, 2.0]]), np.array([-np.inf]),
...                np.array([4.0]), np.zeros(2), np.array([2.0, np.inf]))
>>> res.status, res.x.tolist()
(0, [2.0, 1.0])
>>> solve_lp(np.ones(1), np.ones((1, 1)), np.array([2.0]), np.array([1.0]),
...          np.zeros(1), np.ones(1)).status  # 2 <= x <= 1: infeasible
2
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "LPFailed",
    "LPResult",
    "Triplets",
    "build_lp",
    "csc_of_dense",
    "csc_of_triplets",
    "highspy",
    "new_solver",
    "solve_lp",
    "status_code",
    "stdout_to_stderr",
]

FloatArray = NDArray[np.float64]
_MODULE: Any = None


class LPFailed(Exception):
    """HiGHS did not solve a relaxation (time, iterations or a numerical failure).

    Raised by the searches over packages; each then leaves the question to the MILP.
    """


def highspy() -> Any:
    """The ``highspy`` module, imported on first use."""
    global _MODULE
    if _MODULE is None:
        import highspy as module

        _MODULE = module
    return _MODULE


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send whatever native code writes to file descriptor 1 to standard error instead.

    HiGHS occasionally prints a line of its own even when told to be silent; the
    command line's JSON output on standard output must stay clean. Native code writes
    to the descriptors themselves, whatever ``sys.stdout`` is, so those are redirected.
    """
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 at all: nothing native code could write to
        yield
        return
    try:
        os.dup2(2, 1)
    except OSError:
        os.close(saved)
        yield
        return
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def status_code(model_status: Any) -> int:
    """SciPy's status number for a HiGHS model status."""
    s = highspy().HighsModelStatus
    if model_status == s.kOptimal:
        return 0
    if model_status in (s.kTimeLimit, s.kIterationLimit):
        return 1
    if model_status in (s.kInfeasible, s.kModelError):
        return 2
    if model_status == s.kUnbounded:
        return 3
    return 4


def new_solver(options: dict[str, Any]) -> Any:
    """A silent HiGHS object with ``options`` set."""
    h = highspy().Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    return h


Triplets = tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, tuple[int, int]]
"""A sparse matrix as (rows, columns, values, shape), each position at most once."""


def csc_of_dense(a: FloatArray) -> tuple[NDArray[np.int32], NDArray[np.int32], FloatArray]:
    """Column-wise sparse form (start, index, value) of a dense matrix, zeros left out."""
    cols, rows = np.nonzero(a.T)
    start = np.zeros(a.shape[1] + 1, dtype=np.int32)
    np.cumsum(np.bincount(cols, minlength=a.shape[1]), out=start[1:])
    return start, rows.astype(np.int32), np.ascontiguousarray(a[rows, cols], dtype=float)


def csc_of_triplets(a: Triplets) -> tuple[NDArray[np.int32], NDArray[np.int32], FloatArray]:
    """Column-wise sparse form of a matrix given as triplets (the same as of its dense form)."""
    rows, cols, vals, (_, n_cols) = a
    keep = vals != 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    order = np.lexsort((rows, cols))
    start = np.zeros(n_cols + 1, dtype=np.int32)
    np.cumsum(np.bincount(cols, minlength=n_cols), out=start[1:])
    return start, rows[order].astype(np.int32), np.ascontiguousarray(vals[order], dtype=float)


def _finite(v: FloatArray) -> FloatArray:
    inf = highspy().kHighsInf
    out = np.array(v, dtype=float)
    out[np.isposinf(out)] = inf
    out[np.isneginf(out)] = -inf
    return out


def build_lp(
    cost: FloatArray,
    csc: tuple[NDArray[np.int32], NDArray[np.int32], FloatArray],
    row_lo: FloatArray,
    row_hi: FloatArray,
    col_lo: FloatArray,
    col_hi: FloatArray,
    integer: NDArray[np.bool_] | None = None,
) -> Any:
    """A ``HighsLp`` (minimization) from arrays; ``integer`` marks integer columns."""
    hp = highspy()
    lp = hp.HighsLp()
    n, m = cost.size, row_lo.size
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = _finite(col_lo)
    lp.col_upper_ = _finite(col_hi)
    lp.row_lower_ = _finite(row_lo)
    lp.row_upper_ = _finite(row_hi)
    lp.a_matrix_.format_ = hp.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.a_matrix_.start_ = csc[0]
    lp.a_matrix_.index_ = csc[1]
    lp.a_matrix_.value_ = csc[2]
    if integer is not None and integer.any():
        lp.integrality_ = [
            hp.HighsVarType.kInteger if i else hp.HighsVarType.kContinuous for i in integer
        ]
    return lp


@dataclass(frozen=True)
class LPResult:
    """A solved linear program: SciPy's status number, the point and its value."""

    status: int
    x: FloatArray | None
    fun: float | None


def solve_lp(
    cost: FloatArray,
    a: FloatArray | Triplets,
    row_lo: FloatArray,
    row_hi: FloatArray,
    col_lo: FloatArray,
    col_hi: FloatArray,
) -> LPResult:
    """Minimize ``cost @ x`` subject to ``row_lo <= a @ x <= row_hi`` and column bounds.

    ``a`` is a dense matrix or :data:`Triplets`.
    Solved as ``scipy.optimize.linprog(method="highs")`` solves it (dual simplex,
    presolve on), so the two agree where the optimum is not unique.
    """
    h = new_solver(
        {"presolve": "on", "simplex_strategy": 1, "highs_debug_level": 0}  # 1: dual simplex
    )
    csc = csc_of_triplets(a) if isinstance(a, tuple) else csc_of_dense(a)
    h.passModel(build_lp(cost, csc, row_lo, row_hi, col_lo, col_hi))
    with stdout_to_stderr():
        h.run()
    status = status_code(h.getModelStatus())
    if status != 0:
        return LPResult(status, None, None)
    info = h.getInfo()
    x = np.array(h.getSolution().col_value, dtype=float)
    return LPResult(status, x, float(info.objective_function_value))
