"""Welfare and inequality measures: Gini, Atkinson, Nash welfare, satisfaction, Pareto.

Pure functions of utility vectors; :mod:`plurisim.evaluation` applies them to the
outcomes of a scenario, side by side.

Examples
--------
>>> from plurisim.metrics import gini, atkinson
>>> gini([1, 1, 1, 1])
0.0
>>> round(gini([0, 0, 0, 1]), 3)
0.75
>>> round(atkinson([1, 4], epsilon=1), 3)
0.2
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.validation import check_int, check_real

__all__ = [
    "HEADLINE",
    "atkinson",
    "gini",
    "nash_welfare",
    "pareto_front",
    "percentile_satisfaction",
    "satisfaction_matrix",
    "satisfaction_note",
]

FloatArray = NDArray[np.float64]
HEADLINE = ("total_utility", "worst_group_utility", "p20_satisfaction", "gini")
TOL = 1e-9


def gini(values: ArrayLike) -> float:
    """Gini coefficient of non-negative values, in [0, 1).

    ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``; 0 when all are equal. It is unchanged
    when every value is scaled by the same positive factor. ``nan`` if any value is
    negative or all are zero.

    Examples
    --------
    >>> round(gini([1, 2, 3]), 4)
    0.2222
    """
    x = np.sort(np.asarray(values, dtype=float).ravel())
    n = x.size
    if n == 0 or np.any(x < 0) or not np.all(np.isfinite(x)):
        return float("nan")
    total = x.sum()
    if total <= 0:
        return float("nan")
    # sum_i sum_j |x_i - x_j| = 2 sum_i (2i - n - 1) x_(i), sorted ascending, i from 1
    ranks = np.arange(1, n + 1)
    return float(max(0.0, ((2 * ranks - n - 1) @ x) / (n * total)))


def atkinson(values: ArrayLike, epsilon: float = 0.5) -> float:
    """Atkinson inequality index with aversion ``epsilon`` (> 0), in [0, 1].

    ``1 - (mean(x^(1-e)))^(1/(1-e)) / mean(x)``, the geometric mean in place of the
    power mean when ``e = 1``. ``nan`` if a value is not positive (or negative for
    ``e < 1``).

    Examples
    --------
    >>> atkinson([2, 2, 2])
    0.0
    """
    e = check_real(epsilon, "epsilon", "atkinson", low=0, closed="neither")
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0 or np.any(x < 0) or (e >= 1 and np.any(x <= 0)):
        return float("nan")
    mean = x.mean()
    if mean <= 0:
        return float("nan")
    if abs(e - 1.0) < 1e-12:
        ede = float(np.exp(np.log(x).mean()))
    else:
        ede = float(np.mean(x ** (1 - e)) ** (1 / (1 - e)))
    return float(min(1.0, max(0.0, 1.0 - ede / mean)))


def nash_welfare(values: ArrayLike) -> float:
    """Nash social welfare as the geometric mean of positive utilities (``nan`` otherwise)."""
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0 or np.any(x <= 0):
        return float("nan")
    return float(np.exp(np.log(x).mean()))


def satisfaction_matrix(utilities: ArrayLike) -> FloatArray:
    """Each group's utility min-max normalized across the candidate outcomes.

    Parameters
    ----------
    utilities : array of shape (n_outcomes, n_groups)

    Returns
    -------
    ndarray of the same shape, in [0, 1]; a group whose utility is the same in every
    outcome is fully satisfied (1) by each.
    """
    u = np.asarray(utilities, dtype=float)
    lo, hi = u.min(axis=0), u.max(axis=0)
    span = hi - lo
    flat = span <= TOL * np.maximum(1.0, np.abs(hi))
    out = np.where(flat, 1.0, (u - lo) / np.where(flat, 1.0, span))
    return np.clip(out, 0.0, 1.0)


def percentile_satisfaction(utilities: ArrayLike, percentile: float = 20.0) -> FloatArray:
    """The p-th percentile (linear interpolation) over groups of min-max satisfaction.

    Examples
    --------
    >>> percentile_satisfaction([[1, 3], [2, 1], [3, 2]], 50).tolist()
    [0.5, 0.25, 0.75]
    """
    p = check_real(percentile, "percentile", "percentile_satisfaction", low=0, high=100)
    s = satisfaction_matrix(utilities)
    return np.percentile(s, p, axis=1, method="linear")


def satisfaction_note(n_outcomes: int, percentile: float = 20.0, which: str = "") -> str:
    """The line every table showing percentile satisfaction carries: what it is normalized over.

    Parameters
    ----------
    n_outcomes : int
        How many outcomes the groups' utilities were scaled across.
    percentile : float
    which : str, optional
        Which outcomes those are, in words (default: "in this table").

    Examples
    --------
    >>> print(satisfaction_note(9))
    p20 satisfaction: each group's utility rescaled from its lowest (0) to its highest (1) over the 9 outcomes in this table, then the 20th percentile over groups.
    >>> print(satisfaction_note(8, 50, "(the 7 base designs and this package)"))
    p50 satisfaction: each group's utility rescaled from its lowest (0) to its highest (1) over the 8 outcomes (the 7 base designs and this package), then the 50th percentile over groups.
    >>> satisfaction_note(0)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'n_outcomes' parameter of satisfaction_note must be an int in the range [1, inf). Got 0 instead.
    """
    n = check_int(n_outcomes, "n_outcomes", "satisfaction_note", low=1)
    p = check_real(percentile, "percentile", "satisfaction_note", low=0, high=100)
    return (
        f"p{p:g} satisfaction: each group's utility rescaled from its lowest (0) to its "
        f"highest (1) over the {n} outcome{'s' if n != 1 else ''} {which or 'in this table'}, "
        f"then the {_ordinal(p)} percentile over groups."
    )


def _ordinal(p: float) -> str:
    text = f"{p:g}"
    if p != int(p) or 10 <= int(p) % 100 <= 20:
        return text + "th"
    return text + {1: "st", 2: "nd", 3: "rd"}.get(int(p) % 10, "th")


def pareto_front(utilities: ArrayLike) -> NDArray[np.intp]:
    """Indices of the Pareto-optimal rows (each kept once; ties keep the first).

    Examples
    --------
    >>> pareto_front([[1, 1], [2, 0], [0, 2], [1, 0.5]]).tolist()
    [0, 1, 2]
    """
    u = np.asarray(utilities, dtype=float)
    order = np.lexsort((np.arange(u.shape[0]), -u.sum(axis=1)))
    kept: list[int] = []
    front = np.empty((0, u.shape[1]))
    for i in order:
        row = u[i]
        if front.shape[0] and np.any(np.all(front >= row - TOL, axis=1)):
            continue
        kept.append(int(i))
        front = np.vstack([front, row])
    return np.sort(np.asarray(kept, dtype=np.intp))
