"""The evaluator: every measure for a set of outcomes on one scenario, side by side.

For a set of outcomes on one scenario (base designs, mechanisms, negotiated
packages), :func:`evaluate` reports one row per outcome: total, mean, worst- and
best-group utility, the p-th percentile satisfaction (each group's utility min-max
normalized across the compared outcomes, then the percentile over groups with
linear interpolation: it depends on which outcomes are compared), Gini over groups
(and over individuals when the scenario has them), Atkinson, Nash social welfare,
the utility gap, budget used, whether another feasible package Pareto-dominates it,
the distances to the Pareto frontier, the Nash point and the Kalai point (when the
packages can be enumerated), each group's utility, and the change against a
reference (the best base design by default). On a problem compiled from ballots (a
Pabulib election) it adds the voter-level measures of :mod:`plurisim.ballot_metrics`:
the share of voters with at least one funded project they approved, the Gini over
voters and each group's share of the spending its members approved (the worst
group's mean voter utility is ``worst_group_utility``). :func:`score` is the one
entry point that scores outcomes beside the scenario's base designs.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.ballot_metrics import BALLOT_METRIC_KEYS, ballot_metrics
from plurisim.errors import ParameterError
from plurisim.mechanisms import (
    base_design_outcomes,
    best_base_design,
    kalai_smorodinsky,
    nash,
    status_quo,
)
from plurisim.metrics import (
    TOL,
    atkinson,
    gini,
    nash_welfare,
    pareto_front,
    satisfaction_matrix,
)
from plurisim.outcome import Outcome, to_jsonable
from plurisim.packages import PackageModel, PackageSpace, space_of
from plurisim.problem import Problem
from plurisim.validation import check_real

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["METRIC_KEYS", "Scores", "evaluate", "is_dominated", "score"]

FloatArray = NDArray[np.float64]
METRIC_KEYS = (
    "total_utility",
    "worst_group_utility",
    "p20_satisfaction",
    "gini",
    "mean_utility",
    "best_group_utility",
    "utility_gap",
    "atkinson",
    "nash_welfare",
    "budget_used",
    "pareto_dominated",
    "gini_individuals",
    *BALLOT_METRIC_KEYS,
)
"""The metrics a run reports for its outcome and its reference."""

_FRONTS: weakref.WeakKeyDictionary[Problem, FloatArray] = weakref.WeakKeyDictionary()


def _front_points(problem: Problem, space: PackageSpace) -> FloatArray:
    if problem not in _FRONTS:
        _FRONTS[problem] = space.utilities[pareto_front(space.utilities)]
    return _FRONTS[problem]


def is_dominated(problem: Problem, utilities: ArrayLike, space: PackageSpace | None = None) -> bool:
    """Whether a feasible package gives every group at least ``utilities`` and one more.

    Checked over the enumerated packages when ``space`` is given, else by a MILP
    (maximize the total among packages at least as good for every group).

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> is_dominated(p, p.group_utilities(p.mask([])))
    True
    """
    u = np.asarray(utilities, dtype=float)
    tol = TOL * np.maximum(1.0, np.abs(u))
    if space is not None:
        pts = space.utilities
        return bool(np.any(np.all(pts >= u - tol, axis=1) & np.any(pts > u + 1e-7, axis=1)))

    model = PackageModel(problem)
    a, const = model.utility()
    for g in range(problem.n_groups):
        model.add_dense_row(a[g], u[g] - const[g] - tol[g] - 1e-7, np.inf)
    sol = model.solve(a.sum(axis=0), time_limit=10.0)  # not dominated if it finds none
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
    disagreement: str = "best-base-design",
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
    disagreement : str
        The disagreement point of the Nash and Kalai points the distances are taken
        to (see :mod:`plurisim.mechanisms.disagreement`).

    Returns
    -------
    pandas.DataFrame
        Indexed by outcome name. Columns include ``total_utility``,
        ``worst_group_utility``, ``p20_satisfaction`` (named after ``percentile``),
        ``gini`` and one ``u:<group>`` column per group; on ballot problems also
        ``voters_with_funded_approval``, ``gini_voters`` and one
        ``spend_share:<group>`` column per group.

    Examples
    --------
    >>> from plurisim import compile_scenario, mechanisms, scenarios
    >>> from plurisim.evaluation import evaluate
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
    table = _Table.of(problem, outcomes, percentile, epsilon, reference, distances, disagreement)
    return table.frame()


class _Table:
    """:func:`evaluate`'s rows as plain dicts; the DataFrame (and pandas) only when asked for."""

    def __init__(
        self, rows: list[dict[str, Any]], scenario: str, percentile: float, reference: str | None
    ) -> None:
        self.rows = rows
        self.scenario = scenario
        self.percentile = percentile
        self.reference = reference

    @classmethod
    def of(
        cls,
        problem: Problem,
        outcomes: Sequence[Outcome] | Mapping[str, ArrayLike],
        percentile: float,
        epsilon: float,
        reference: str | None,
        distances: bool,
        disagreement: str,
    ) -> _Table:
        rows, ref, p_val = _rows(
            problem, outcomes, percentile, epsilon, reference, distances, disagreement
        )
        return cls(rows, problem.name, p_val, ref)

    def row(self, name: str) -> dict[str, Any]:
        """The row of outcome ``name``, without its delta columns."""
        for row in self.rows:
            if row["outcome"] == name:
                return row
        raise KeyError(name)

    def with_deltas(self, name: str) -> dict[str, Any]:
        """The row of outcome ``name`` with the delta columns :meth:`frame` adds."""
        row = dict(self.row(name))
        for col, base in self._bases().items():
            row[f"delta_{col}"] = row[col] - base
        return row

    def _bases(self) -> dict[str, float]:
        """The reference row's value of each delta column (none without a reference)."""
        if self.reference is None:
            return {}
        base = self.row(self.reference)
        return {col: float(base[col]) for col in self.delta_columns()}

    def delta_columns(self) -> tuple[str, ...]:
        """The columns that get a ``delta_`` column against the reference."""
        pcol = f"p{self.percentile:g}_satisfaction"
        return ("total_utility", "worst_group_utility", pcol, "gini")

    def frame(self) -> pd.DataFrame:
        """The table as evaluate returns it: indexed by outcome, deltas to the reference."""
        import pandas as pd  # deferred: scoring one outcome does not need pandas

        frame = pd.DataFrame(self.rows).set_index("outcome")
        for col, base in self._bases().items():
            frame[f"delta_{col}"] = frame[col] - base
        attrs = {"scenario": self.scenario, "percentile": self.percentile}
        frame.attrs.update({**attrs, "reference": self.reference})
        return frame


def _rows(
    problem: Problem,
    outcomes: Sequence[Outcome] | Mapping[str, ArrayLike],
    percentile: float,
    epsilon: float,
    reference: str | None,
    distances: bool,
    disagreement: str,
) -> tuple[list[dict[str, Any]], str | None, float]:
    """Evaluate's rows (no delta columns), the reference row's name and the percentile."""
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
        front = _front_points(problem, space)
        at = {"engine": "enumerate", "disagreement": disagreement}
        nash_pt = problem.group_utilities(nash(problem, **at).mask(problem))
        kalai_pt = problem.group_utilities(kalai_smorodinsky(problem, **at).mask(problem))
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
        if problem.ballots is not None:
            row.update(ballot_metrics(problem.ballots, problem.costs, problem.groups, x))
        row["atkinson"] = atkinson(u, epsilon)
        row["nash_welfare"] = nash_welfare(u)
        if distances:
            row["pareto_dominated"] = is_dominated(problem, u, space)
            row["dist_pareto"] = _distance(u, front)
            row["dist_nash"] = _distance(u, None if nash_pt is None else nash_pt[None, :])
            row["dist_kalai"] = _distance(u, None if kalai_pt is None else kalai_pt[None, :])
        for g, gid in enumerate(problem.groups):
            row[f"u:{gid}"] = float(u[g])
        rows.append(row)
    return rows, _reference_row(problem, items, names, reference), p_val


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
    items: list[Outcome],
    names: list[str],
    reference: str | None,
) -> str | None:
    if reference is None:
        return None
    if reference != "auto":
        if reference not in names:
            raise ParameterError(
                f"The 'reference' parameter of evaluate must name an outcome "
                f"({', '.join(names)}), 'auto' or None. Got {reference!r} instead."
            )
        return reference
    for o, n in zip(items, names, strict=True):
        if o.mechanism == "best_base_design":
            return n
    if not problem.base_designs:
        return None
    best = f"base:{best_base_design(problem).details['design']}"
    for o, n in zip(items, names, strict=True):
        if o.mechanism == best:
            return n
    return None


class Scores:
    """Outcomes scored beside the scenario's base designs (what :func:`score` returns).

    The rows are kept as plain data; the table is built (and pandas imported) when
    :attr:`frame` is first read, so that :meth:`metrics` stays light.

    Attributes
    ----------
    frame : pandas.DataFrame
        :func:`evaluate`'s table: the base designs (or the status quo when the
        scenario has none) first, then the scored outcomes.
    reference : str
        The row deltas are taken against: the best base design, else the status quo.
    """

    def __init__(self, table: _Table, reference: str) -> None:
        self._table = table
        self.reference = reference

    @cached_property
    def frame(self) -> pd.DataFrame:
        """:func:`evaluate`'s table (built when first read)."""
        return self._table.frame()

    def metrics(self, name: str, keys: Sequence[str] = METRIC_KEYS) -> dict[str, Any]:
        """One row's metrics as plain data (only the keys present)."""
        row = self._table.with_deltas(name)
        return {k: to_jsonable(row[k]) for k in keys if k in row}

    def reference_metrics(self, keys: Sequence[str] = METRIC_KEYS) -> dict[str, Any]:
        """The reference row's metrics."""
        return self.metrics(self.reference, keys)


def score(
    problem: Problem,
    outcomes: Sequence[Outcome],
    *,
    percentile: float = 20.0,
    distances: bool = False,
    disagreement: str = "best-base-design",
    with_designs: bool = True,
) -> Scores:
    """Score outcomes beside the scenario's base designs: the one scoring entry point.

    The base designs (or, without any, the status quo) are evaluated together with
    ``outcomes``, so that percentile satisfaction is normalized within the scenario
    the same way wherever an outcome is scored (a comparison, a negotiation, a
    sweep's run). ``with_designs=False`` scores the outcomes alone.

    Examples
    --------
    >>> from plurisim import compile_scenario, mechanisms, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> s = score(p, [mechanisms.maximin(p)])
    >>> s.reference, list(s.frame.index)
    ('Green retreat', ['Green retreat', 'Active park', 'maximin'])
    >>> s.metrics("maximin")["worst_group_utility"] > s.reference_metrics()["worst_group_utility"]
    True
    """
    candidates = (base_design_outcomes(problem) or [status_quo(problem)]) if with_designs else []
    names = {o.mechanism for o in candidates}
    extra = [o for o in outcomes if o.mechanism not in names]
    reference = "auto" if problem.base_designs or not with_designs else "status_quo"
    table = _Table.of(  # epsilon 0.5: evaluate's default
        problem, [*candidates, *extra], percentile, 0.5, reference, distances, disagreement
    )
    return Scores(table, table.reference or str(table.rows[0]["outcome"]))
