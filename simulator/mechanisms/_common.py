"""Shared machinery of the exact rules: engines, lexicographic stages, outcomes."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError, ParameterError, SolverError, TieError
from plurisim.mechanisms._milp import MILPSolution, PackageModel
from plurisim.outcome import Outcome
from plurisim.package_space import MAX_PACKAGES, PackageSpace, space_of
from plurisim.problem import Problem
from plurisim.validation import check_choice, check_real

__all__ = [
    "ENGINES",
    "EXACT_TIE_BREAKS",
    "Stage",
    "make_outcome",
    "resolve_engine",
    "select_stages",
    "solve_stages",
]

ENGINES = ("auto", "enumerate", "milp")
EXACT_TIE_BREAKS = ("auto", "cost", "solver", "refuse")
ENUMERATE_UP_TO = 22  # interventions; above this "auto" goes straight to the MILP
FloatArray = NDArray[np.float64]


def tolerance(value: float) -> float:
    """How far below an optimum a value still counts as optimal.

    Looser than HiGHS's feasibility tolerance (1e-6), so that holding an earlier
    stage at its optimum never makes a later stage infeasible.
    """
    return 1e-7 + 1e-6 * abs(value)


def check_common(owner: str, engine: str, time_limit: float, tie_break: str) -> None:
    """Validate the parameters every exact rule shares."""
    check_choice(engine, "engine", owner, ENGINES)
    check_real(time_limit, "time_limit", owner, low=0, closed="right")
    check_choice(tie_break, "tie_break", owner, EXACT_TIE_BREAKS)


def resolve_engine(problem: Problem, engine: str, owner: str) -> PackageSpace | None:
    """The package space to enumerate, or ``None`` to use the MILP."""
    if engine == "milp":
        return None
    if engine == "auto" and problem.n_interventions > ENUMERATE_UP_TO:
        return None
    space = space_of(problem)
    if space is None and engine == "enumerate":
        raise ParameterError(
            f"The problem has more than {MAX_PACKAGES} feasible packages, too many to "
            f"enumerate in {owner}; use engine='milp' or engine='auto'."
        )
    return space


def select_stages(space: PackageSpace, keys: Sequence[FloatArray], tie_break: str) -> int:
    """Lexicographic maximum over the space: filter by each key in turn (with tolerance)."""
    rows = np.arange(len(space))
    for key in keys:
        values = key[rows]
        top = float(values.max())
        rows = rows[values >= top - tolerance(top)]
    if tie_break == "refuse" and rows.size > 1:
        raise TieError(
            f"{rows.size} packages are equally good, and tie_break='refuse' forbids choosing."
        )
    return int(rows[0])  # package order puts the cheapest first


@dataclass
class Stage:
    """One objective of a lexicographic MILP: maximize ``coefs @ v``."""

    coefs: FloatArray
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def solve_stages(
    model: PackageModel,
    stages: Sequence[Stage],
    *,
    time_limit: float,
    tie_break: str,
) -> tuple[MILPSolution, list[float]]:
    """Maximize the stages lexicographically, then break ties as asked.

    Each stage is solved with the earlier objectives held at their optima (within
    tolerance), sharing one time budget. The result is ``"optimal"`` only if every
    stage was proved optimal; otherwise it carries the status and gap of the stage
    the time limit cut short (the package still holds every earlier optimum).
    Returns the final solution and each finished stage's optimal value.
    """
    deadline = time.perf_counter() + time_limit
    optima: list[float] = []
    sol: MILPSolution | None = None
    cut: MILPSolution | None = None
    for stage in stages:
        remaining = max(deadline - time.perf_counter(), 1e-3)
        try:
            found = model.solve(stage.coefs, time_limit=remaining)
        except SolverError:
            if sol is None:  # nothing found in time: the empty package, which always fits
                empty = np.zeros(model.m, dtype=bool)
                return MILPSolution(
                    x=empty,
                    values=np.zeros(model.n_vars),
                    status="time_limit",
                    gap=float("inf"),
                    objective=float("nan"),
                    bound=float("inf"),
                    seconds=time_limit,
                ), optima
            cut = sol  # the last stage found no package in time; keep the earlier optimum
            break
        sol = found
        if sol.status != "optimal":
            cut = sol
            break
        optima.append(sol.objective)
        model.add_dense_row(stage.coefs, sol.objective - tolerance(sol.objective), np.inf)
    assert sol is not None
    if cut is None and tie_break in ("cost", "refuse"):
        remaining = max(deadline - time.perf_counter(), 1e-3)
        if tie_break == "cost":
            cost = np.zeros(model.n_vars)
            cost[: model.m] = -model.problem.costs
            cheaper = model.solve(cost, time_limit=remaining)
            if cheaper.status == "optimal":
                sol = cheaper
            else:
                cut = cheaper
        else:  # refuse: is there another package as good?
            model.forbid(sol.x)
            try:
                model.solve(np.zeros(model.n_vars), time_limit=remaining)
            except InfeasibleError:  # no other package is as good: the optimum is unique
                pass
            else:
                raise TieError(
                    "Another package is equally good, and tie_break='refuse' forbids choosing."
                )
    final = MILPSolution(
        x=sol.x,
        values=sol.values,
        status="optimal" if cut is None else "time_limit",
        gap=0.0 if cut is None else cut.gap,
        objective=optima[0] if optima else sol.objective,
        bound=sol.bound,
        seconds=time_limit - max(deadline - time.perf_counter(), 0.0),
    )
    return final, optima


def make_outcome(
    problem: Problem,
    mechanism: str,
    mask: NDArray[np.bool_],
    *,
    params: Mapping[str, Any],
    status: str,
    gap: float | None,
    objective: float | None,
    details: Mapping[str, Any] | None = None,
    kind: str = "mechanism",
    label: str | None = None,
) -> Outcome:
    """Wrap a package into an :class:`Outcome`, checking it is feasible."""
    mask = np.asarray(mask, dtype=bool)
    if not problem.is_feasible(mask):  # pragma: no cover - a bug guard, never expected
        raise AssertionError(f"{mechanism} produced an infeasible package")
    return Outcome(
        mechanism=mechanism,
        package=problem.package_ids(mask),
        cost=float(problem.costs @ mask),
        budget=problem.budget,
        kind=kind,  # type: ignore[arg-type]
        label=label,
        params=dict(params),
        status=status,
        gap=gap,
        objective=objective,
        details=dict(details or {}),
        scenario=problem.name,
    )


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call ``fn`` and return its result with the seconds it took."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start
