"""The evaluator: fairness and welfare measures for a set of outcomes, side by side.

For a set of outcomes on one scenario (base designs, mechanisms, negotiated
packages), :func:`evaluate` reports one row per outcome: total, mean, worst- and
best-group utility, the p-th percentile satisfaction (each group's utility min-max
normalized across the candidate outcomes, then the percentile over groups with
linear interpolation), Gini over groups (and over individuals when the scenario has
them), Atkinson, Nash social welfare, the utility gap, budget used, whether another
feasible package Pareto-dominates it, the distances to the Pareto frontier, the Nash
point and the Kalai point (when the packages can be enumerated), each group's
utility, and the change against a reference (the best base design by default).

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

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError
from plurisim.outcome import Outcome
from plurisim.package_space import PackageSpace, space_of
from plurisim.problem import Problem
from plurisim.validation import check_real

__all__ = [
    "HEADLINE",
    "atkinson",
    "evaluate",
    "gini",
    "nash_welfare",
    "pareto_front",
    "percentile_satisfaction",
    "satisfaction_matrix",
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


_FRONTS: weakref.WeakKeyDictionary[Problem, FloatArray] = weakref.WeakKeyDictionary()


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


def _front_points(problem: Problem, space: PackageSpace) -> FloatArray:
    if problem not in _FRONTS:
        _FRONTS[problem] = space.utilities[pareto_front(space.utilities)]
    return _FRONTS[problem]


def _dominated(problem: Problem, space: PackageSpace | None, u: FloatArray) -> bool:
    tol = TOL * np.maximum(1.0, np.abs(u))
    if space is not None:
        pts = space.utilities
        return bool(np.any(np.all(pts >= u - tol, axis=1) & np.any(pts > u + 1e-7, axis=1)))
    from plurisim.mechanisms._milp import PackageModel

    model = PackageModel(problem)
    a, const = model.utility()
    for g in range(problem.n_groups):
        model.add_dense_row(a[g], u[g] - const[g] - tol[g] - 1e-7, np.inf)
    sol = model.solve(a.sum(axis=0), time_limit=10.0)
    best = float(problem.group_utilities(sol.x).sum())
    return best > float(u.sum()) + 1e-6


def evaluate(
    problem: Problem,
    outcomes: Sequence[Outcome] | Mapping[str, ArrayLike],
    *,
    percentile: float = 20.0,
    epsilon: float = 0.5,
    reference: str | None = "auto",
    distances: bool = True,
) -> pd.DataFrame:
    """Score a set of outcomes on one problem; one row per outcome.

    Parameters
    ----------
    problem : Problem
    outcomes : sequence of Outcome, or mapping of name to package
        Packages may be given as masks, id lists or index lists.
    percentile : float in [0, 100]
        Which percentile of satisfaction to report (default 20).
    epsilon : float > 0
        Inequality aversion of the Atkinson index.
    reference : str, "auto" or None
        The row deltas are taken against: a row name, ``"auto"`` (the best base
        design among the outcomes) or ``None`` (no deltas).
    distances : bool
        Compute the Pareto check and distances (can be skipped for speed).

    Returns
    -------
    pandas.DataFrame
        Indexed by outcome name. Columns include ``total_utility``,
        ``worst_group_utility``, ``p20_satisfaction`` (named after ``percentile``),
        ``gini`` and one ``u:<group>`` column per group.

    Examples
    --------
    >>> from plurisim import compile_scenario, mechanisms, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> rows = mechanisms.base_design_outcomes(p) + [mechanisms.maximin(p)]
    >>> frame = evaluate(p, rows)
    >>> bool(frame.loc["maximin", "worst_group_utility"] > frame.loc["Green retreat", "worst_group_utility"])
    True
    >>> evaluate(p, rows, percentile=120)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'percentile' parameter of evaluate must be a real number in the range [0, 100]. Got 120 instead.
    """
    p_val = check_real(percentile, "percentile", "evaluate", low=0, high=100)
    check_real(epsilon, "epsilon", "evaluate", low=0, closed="neither")
    items = _as_outcomes(problem, outcomes)
    if not items:
        raise ParameterError("evaluate needs at least one outcome.")
    names = _unique_names([o.name for o in items])
    masks = np.vstack([o.mask(problem) for o in items]).astype(float)
    utilities = problem.group_utilities(masks)  # (O, G)
    sat = satisfaction_matrix(utilities)
    pcol = f"p{p_val:g}_satisfaction"
    space = space_of(problem) if distances and problem.n_interventions <= 22 else None
    nash_pt = kalai_pt = front = None
    if space is not None:
        from plurisim.mechanisms import kalai_smorodinsky, nash

        front = _front_points(problem, space)
        nash_pt = problem.group_utilities(nash(problem, engine="enumerate").mask(problem))
        kalai_pt = problem.group_utilities(
            kalai_smorodinsky(problem, engine="enumerate").mask(problem)
        )
    rows = []
    for o, name, u, s, x in zip(items, names, utilities, sat, masks, strict=True):
        row: dict[str, Any] = {
            "outcome": name,
            "kind": o.kind,
            "mechanism": o.mechanism,
            "package": "; ".join(o.package),
            "n_interventions": len(o.package),
            "cost": float(problem.costs @ x),
            "budget_used": float(problem.costs @ x) / problem.budget,
            "status": o.status,
            "gap": np.nan if o.gap is None else float(o.gap),
            "total_utility": float(u.sum()),
            "mean_utility": float(u.mean()),
            "worst_group_utility": float(u.min()),
            "best_group_utility": float(u.max()),
            "utility_gap": float(u.max() - u.min()),
            pcol: float(np.percentile(s, p_val, method="linear")),
            "gini": gini(u),
        }
        if problem.has_individuals:
            row["gini_individuals"] = gini(problem.individual_utilities(x))
        row["atkinson"] = atkinson(u, epsilon)
        row["nash_welfare"] = nash_welfare(u)
        if distances:
            row["pareto_dominated"] = _dominated(problem, space, u)
            row["dist_pareto"] = _distance(u, front)
            row["dist_nash"] = _distance(u, None if nash_pt is None else nash_pt[None, :])
            row["dist_kalai"] = _distance(u, None if kalai_pt is None else kalai_pt[None, :])
        for g, gid in enumerate(problem.groups):
            row[f"u:{gid}"] = float(u[g])
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("outcome")
    ref = _reference_row(problem, frame, items, names, reference)
    if ref is not None:
        base = rows[names.index(ref)]
        for col in ("total_utility", "worst_group_utility", pcol, "gini"):
            frame[f"delta_{col}"] = frame[col] - float(base[col])
    frame.attrs.update({"scenario": problem.name, "percentile": p_val, "reference": ref})
    return frame


def _distance(u: FloatArray, points: FloatArray | None) -> float:
    if points is None:
        return float("nan")
    d = float(np.sqrt(((points - u) ** 2).sum(axis=1)).min())
    return 0.0 if d < 1e-9 else d


def _as_outcomes(
    problem: Problem, outcomes: Sequence[Outcome] | Mapping[str, ArrayLike]
) -> list[Outcome]:
    if isinstance(outcomes, Mapping):
        out = []
        for name, pkg in outcomes.items():
            mask = problem.mask(pkg)
            out.append(
                Outcome(
                    mechanism=str(name),
                    package=problem.package_ids(mask),
                    cost=float(problem.costs @ mask),
                    budget=problem.budget,
                    status="rule",
                    gap=None,
                    scenario=problem.name,
                )
            )
        return out
    return list(outcomes)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _reference_row(
    problem: Problem,
    frame: pd.DataFrame,
    items: list[Outcome],
    names: list[str],
    reference: str | None,
) -> str | None:
    if reference is None:
        return None
    if reference != "auto":
        if reference not in frame.index:
            raise ParameterError(
                f"The 'reference' parameter of evaluate must name an outcome "
                f"({', '.join(frame.index)}), 'auto' or None. Got {reference!r} instead."
            )
        return reference
    for o, n in zip(items, names, strict=True):
        if o.mechanism == "best_base_design":
            return n
    if not problem.base_designs:
        return None
    from plurisim.mechanisms import best_base_design

    best = f"base:{best_base_design(problem).details['design']}"
    for o, n in zip(items, names, strict=True):
        if o.mechanism == best:
            return n
    return None
