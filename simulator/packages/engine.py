"""Choosing how to search the packages: enumerate them all, or solve a MILP.

Exact rules are lexicographic maximizations (first objective, then the next among
the packages that reach the first's optimum, ...). :func:`select_stages` does that
over an enumerated :class:`~plurisim.packages.PackageSpace`; :func:`solve_stages`
over a :class:`~plurisim.packages.PackageModel`, sharing one time budget and
reporting exactly what happened (optimal, out of time with a gap, or no package
from the solver at all, and why).

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.packages import resolve_engine, select_stages
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> space = resolve_engine(p, "auto", "example")
>>> row = select_stages(space, [space.utilities.min(axis=1)], "auto")
>>> p.package_ids(space.mask(row))
('benches', 'trees', 'skate_ramp')
>>> resolve_engine(p, "quantum", "example")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'engine' parameter of example must be one of 'auto', 'enumerate', 'milp'. Got 'quantum' instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError, ParameterError, SolverError, TieError
from plurisim.packages.model import MILPSolution, PackageModel
from plurisim.packages.space import MAX_PACKAGES, PackageSpace, space_of
from plurisim.problem import Problem
from plurisim.validation import check_choice

__all__ = [
    "ENGINES",
    "ENUMERATE_UP_TO",
    "EXACT_TIE_BREAKS",
    "Stage",
    "StageResult",
    "resolve_engine",
    "select_stages",
    "solve_stages",
    "tolerance",
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


def resolve_engine(problem: Problem, engine: str, owner: str) -> PackageSpace | None:
    """The package space to enumerate, or ``None`` to use the MILP."""
    check_choice(engine, "engine", owner, ENGINES)
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


@dataclass(frozen=True)
class StageResult:
    """What a lexicographic solve produced.

    Attributes
    ----------
    solution : MILPSolution or None
        ``None`` when the solver returned no package at all.
    status : str
        ``"optimal"``, ``"time_limit"`` (a package, not proved optimal in time),
        ``"fallback"`` (no package found in time) or ``"solve_error"`` (HiGHS
        failed, even without presolve).
    gap : float
        The optimality gap of the stage time cut short (``inf`` without a package).
    optima : list of float
        Each finished stage's optimal value.
    seconds : float
        Time actually spent.
    """

    solution: MILPSolution | None
    status: str
    gap: float
    optima: list[float]
    seconds: float


def solve_stages(
    model: PackageModel,
    stages: Sequence[Stage],
    *,
    time_limit: float,
    tie_break: str,
    start: NDArray[np.bool_] | None = None,
) -> StageResult:
    """Maximize the stages lexicographically, then break ties as asked.

    Each stage is solved with the earlier objectives held at their optima (within
    tolerance), sharing one time budget; ``start`` is a package the first stage may
    begin from (a good one spares the solver most of its search). The result is ``"optimal"`` only if every
    stage was proved optimal; otherwise it carries the status and gap of the stage
    the time limit cut short (the package still holds every earlier optimum).
    """
    started = time.perf_counter()
    deadline = started + time_limit
    optima: list[float] = []
    sol: MILPSolution | None = None
    cut: MILPSolution | None = None
    for stage in stages:
        remaining = max(deadline - time.perf_counter(), 1e-3)
        try:
            found = model.solve(stage.coefs, time_limit=remaining, start=start)
        except SolverError as exc:
            if sol is None:
                status = "fallback" if exc.kind == "time_limit" else "solve_error"
                return StageResult(None, status, float("inf"), optima, _since(started))
            cut = sol  # this stage found no package in time; keep the earlier optimum
            break
        sol, start = found, None
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
            cost[: model.m] = -model.problem.costs / model.problem.budget
            try:
                cheaper = model.solve(cost, time_limit=remaining)
            except SolverError:
                cheaper = None
            if cheaper is not None and cheaper.status == "optimal":
                sol = cheaper
            elif cheaper is not None:
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
        seconds=_since(started),
    )
    return StageResult(final, final.status, final.gap, optima, final.seconds)


def _since(start: float) -> float:
    return time.perf_counter() - start
