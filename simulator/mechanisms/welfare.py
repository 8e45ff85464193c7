"""Exact welfare rules: utilitarian, maximin, leximin, Nash and Kalai-Smorodinsky.

Each rule maximizes a social welfare function over every package that fits the
budget. Small problems are solved by enumerating the feasible packages; larger ones
by a MILP with SciPy's HiGHS (``engine="auto"`` picks). Both are exact; the MILP
reports its status and optimality gap when ``time_limit`` cuts it short.

Ties between equally good packages: ``tie_break="auto"`` (default) takes the
cheapest when enumerating (then the lowest binary code) and leaves the choice to
HiGHS, which is deterministic for a given model, when solving the MILP; ``"cost"``
asks the MILP for the cheapest optimal package too (an extra, sometimes slow,
solve); ``"solver"`` always takes the engine's choice; ``"refuse"`` raises
:class:`~plurisim.errors.TieError` when another package is equally good.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import maximin, utilitarian
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> utilitarian(p).package
('ramps', 'benches', 'skate_ramp')
>>> maximin(p).package
('benches', 'trees', 'skate_ramp')
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError, SolverError
from plurisim.mechanisms._common import (
    Stage,
    check_common,
    make_outcome,
    resolve_engine,
    select_stages,
    solve_stages,
)
from plurisim.mechanisms._milp import PackageModel
from plurisim.mechanisms.budgeting import greedy_package
from plurisim.outcome import Outcome
from plurisim.package_space import PackageSpace
from plurisim.problem import Problem
from plurisim.validation import check_choice

__all__ = [
    "ideal_utilities",
    "kalai_smorodinsky",
    "leximin",
    "maximin",
    "nash",
    "utilitarian",
]

FloatArray = NDArray[np.float64]
GAIN_EPS = 1e-4  # a gain below this (in utility units) does not count as a gain


def _params(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if k != "rng"}


def _lexicographic(
    problem: Problem,
    name: str,
    *,
    engine: str,
    time_limit: float,
    tie_break: str,
    keys: Callable[[PackageSpace], list[FloatArray]],
    stages: Callable[[PackageModel], list[Stage]],
    rank: Callable[[NDArray[np.bool_]], tuple[float, ...]],
) -> tuple[NDArray[np.bool_], str, float, dict[str, Any]]:
    """Solve a rule given as lexicographic objectives, by enumeration or by MILP.

    ``keys`` gives each objective's value for every enumerated package; ``stages``
    builds the same objectives as MILP stages; ``rank`` scores one package by the
    same objectives, to pick among quick candidates when the MILP finds no package in
    time. Returns the package, status, gap and details.
    """
    space = resolve_engine(problem, engine, name)
    if space is not None:
        mask = space.mask(select_stages(space, keys(space), tie_break))
        return mask, "optimal", 0.0, {"engine": "enumerate", "packages": len(space)}
    model = PackageModel(problem)
    sol, _ = solve_stages(model, stages(model), time_limit=time_limit, tie_break=tie_break)
    details: dict[str, Any] = {"engine": "milp", "seconds": sol.seconds, "bound": sol.bound}
    if not np.isfinite(sol.gap):  # no package found in time
        details["fallback"] = "greedy"
        return best_candidate(problem, rank), sol.status, sol.gap, details
    return sol.x, sol.status, sol.gap, details


def greedy_candidates(problem: Problem) -> list[NDArray[np.bool_]]:
    """Quick feasible packages: empty, the utilitarian greedy and each group's greedy."""
    eye = np.eye(problem.n_groups)
    return [
        np.zeros(problem.n_interventions, dtype=bool),
        greedy_package(problem, problem.weights),
        *(
            greedy_package(problem, eye[g][:, None] * problem.weights)
            for g in range(problem.n_groups)
        ),
    ]


def best_candidate(
    problem: Problem, rank: Callable[[NDArray[np.bool_]], tuple[float, ...]]
) -> NDArray[np.bool_]:
    """The best of :func:`greedy_candidates` by ``rank`` (the first on ties)."""
    candidates = greedy_candidates(problem)
    scores = [rank(c) for c in candidates]
    return candidates[max(range(len(candidates)), key=lambda i: scores[i])]


def utilitarian(
    problem: Problem,
    *,
    rng: Any = None,
    weighting: str = "group",
    engine: str = "auto",
    time_limit: float = 30.0,
    tie_break: str = "auto",
) -> Outcome:
    """Maximize total utility.

    Parameters
    ----------
    problem : Problem
    rng : ignored
        Accepted for the common rule signature; the rule is deterministic.
    weighting : {"group", "population"}
        ``"group"``: every group counts once, ``sum_g u_g``. ``"population"``: every
        individual counts once, ``sum_i u_i`` (groups weighted by size, individuals
        by their own weights).
    engine : {"auto", "enumerate", "milp"}
    time_limit : float
        Seconds the MILP may run; the outcome reports status and gap.
    tie_break : {"auto", "cost", "solver", "refuse"}

    Returns
    -------
    Outcome

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> round(utilitarian(p).objective, 3)
    9.73
    >>> utilitarian(p, weighting="votes")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'weighting' parameter of utilitarian must be one of 'group', 'population'. Got 'votes' instead.
    """
    check_choice(weighting, "weighting", "utilitarian", ("group", "population"))
    check_common("utilitarian", engine, time_limit, tie_break)
    params = _params(weighting=weighting, engine=engine, time_limit=time_limit, tie_break=tie_break)
    w = problem.weights if weighting == "group" else problem.population_weights()
    mask, status, gap, details = _lexicographic(
        problem,
        "utilitarian",
        engine=engine,
        time_limit=time_limit,
        tie_break=tie_break,
        keys=lambda sp: [
            sp.utilities.sum(axis=1) if weighting == "group" else sp.totals(problem, w)
        ],
        stages=lambda model: [Stage(model.utility(w)[0].sum(axis=0))],
        rank=lambda x: (float((problem.levels(x) * w).sum()),),
    )
    if "bound" in details:
        details["bound"] += _const(problem, w)
    objective = float((problem.levels(mask) * w).sum())
    return make_outcome(
        problem,
        "utilitarian",
        mask,
        params=params,
        status=status,
        gap=gap,
        objective=objective,
        details=details,
    )


def _const(problem: Problem, w: FloatArray) -> float:
    return float((w * problem.baseline).sum())


def maximin(
    problem: Problem,
    *,
    rng: Any = None,
    engine: str = "auto",
    time_limit: float = 30.0,
    tie_break: str = "auto",
) -> Outcome:
    """Maximize the worst-off group's utility; ties go to the larger total utility.

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> round(maximin(p).objective, 3)
    2.81
    """
    check_common("maximin", engine, time_limit, tie_break)
    params = _params(engine=engine, time_limit=time_limit, tie_break=tie_break)

    def stages(model: PackageModel) -> list[Stage]:
        t = _add_min_var(model)
        return [Stage(_unit(model, t)), Stage(model.utility()[0].sum(axis=0))]

    mask, status, gap, details = _lexicographic(
        problem,
        "maximin",
        engine=engine,
        time_limit=time_limit,
        tie_break=tie_break,
        keys=lambda sp: [sp.utilities.min(axis=1), sp.utilities.sum(axis=1)],
        stages=stages,
        rank=lambda x: (
            float(problem.group_utilities(x).min()),
            float(problem.group_utilities(x).sum()),
        ),
    )
    return make_outcome(
        problem,
        "maximin",
        mask,
        params=params,
        status=status,
        gap=gap,
        objective=float(problem.group_utilities(mask).min()),
        details=details,
    )


def _unit(model: PackageModel, col: int) -> FloatArray:
    v = np.zeros(model.n_vars)
    v[col] = 1.0
    return v


def _add_min_var(
    model: PackageModel, scale: FloatArray | None = None, shift: FloatArray | None = None
) -> int:
    """Add ``t`` with ``t <= (u_g - shift_g) / scale_g`` for every group with scale > 0."""
    p = model.problem
    g_n = p.n_groups
    scale = np.ones(g_n) if scale is None else scale
    shift = np.zeros(g_n) if shift is None else shift
    a, const = model.utility()
    lo, hi = model.expression_bounds(a, const)
    used = scale > 0
    if used.any():
        t_lo = float(((lo - shift)[used] / scale[used]).min()) - 1.0
        t_hi = float(((hi - shift)[used] / scale[used]).max()) + 1.0
    else:
        t_lo, t_hi = -1.0, 1.0
    # Tight bounds matter: HiGHS misjudges feasibility with bounds like 1e9.
    t = model.add_var(t_lo, t_hi)
    for g in np.flatnonzero(used):
        row = np.zeros(model.n_vars)
        row[: a.shape[1]] = -a[g] / scale[g]
        row[t] = 1.0
        model.add_dense_row(row, -np.inf, (const[g] - shift[g]) / scale[g])
    return t


def leximin(
    problem: Problem,
    *,
    rng: Any = None,
    engine: str = "auto",
    time_limit: float = 60.0,
    tie_break: str = "auto",
) -> Outcome:
    """Leximin: maximize the worst utility, then the second worst, and so on.

    The MILP maximizes, in turn, the sum of the ``k`` smallest utilities for
    ``k = 1..G`` (Ogryczak's formulation), each stage keeping the earlier optima.

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> leximin(p).details["sorted_utilities"][0] == round(maximin(p).objective, 9)
    True
    """
    check_common("leximin", engine, time_limit, tie_break)
    params = _params(engine=engine, time_limit=time_limit, tie_break=tie_break)
    g_n = problem.n_groups

    def stages(model: PackageModel) -> list[Stage]:
        a, const = model.utility()
        lo, hi = model.expression_bounds(a, const)
        spread = float(hi.max() - lo.min()) + 1.0
        out = []
        for k in range(1, g_n + 1):
            r = model.add_var(float(lo.min()) - 1.0, float(hi.max()) + 1.0)
            ds = [model.add_var(0.0, spread) for _ in range(g_n)]
            for g in range(g_n):
                # d_g >= r - u_g  <=>  r - d_g - A_g v <= const_g
                row = np.zeros(model.n_vars)
                row[: a.shape[1]] = -a[g]
                row[r] = 1.0
                row[ds[g]] = -1.0
                model.add_dense_row(row, -np.inf, const[g])
            coefs = np.zeros(model.n_vars)
            coefs[r] = k
            coefs[ds] = -1.0
            out.append(Stage(coefs, name=f"sum of the {k} smallest"))
        # pad earlier stages to the final width
        return [Stage(np.pad(st.coefs, (0, model.n_vars - st.coefs.size)), st.name) for st in out]

    def keys(space: PackageSpace) -> list[FloatArray]:
        srt = np.sort(space.utilities, axis=1)
        return [srt[:, k] for k in range(g_n)]

    mask, status, gap, details = _lexicographic(
        problem,
        "leximin",
        engine=engine,
        time_limit=time_limit,
        tie_break=tie_break,
        keys=keys,
        stages=stages,
        rank=lambda x: tuple(float(v) for v in np.sort(problem.group_utilities(x))),
    )
    details.pop("bound", None)
    u = np.sort(problem.group_utilities(mask))
    details["sorted_utilities"] = [round(float(v), 9) for v in u]
    return make_outcome(
        problem,
        "leximin",
        mask,
        params=params,
        status=status,
        gap=gap,
        objective=float(u[0]),
        details=details,
    )


def _disagreement(problem: Problem, disagreement: ArrayLike | str | None, owner: str) -> FloatArray:
    if disagreement is None or (isinstance(disagreement, str) and disagreement == "status_quo"):
        return problem.group_utilities(np.zeros(problem.n_interventions))
    if isinstance(disagreement, str):
        raise ParameterError(
            f"The 'disagreement' parameter of {owner} must be 'status_quo' or one utility "
            f"per group. Got {disagreement!r} instead."
        )
    d = np.asarray(disagreement, dtype=float)
    if d.shape != (problem.n_groups,) or not np.all(np.isfinite(d)):
        raise ParameterError(
            f"The 'disagreement' parameter of {owner} must hold {problem.n_groups} finite "
            f"utilities, one per group. Got shape {d.shape} instead."
        )
    return d


_IDEALS: weakref.WeakKeyDictionary[Problem, FloatArray] = weakref.WeakKeyDictionary()


def ideal_utilities(
    problem: Problem, *, engine: str = "auto", time_limit: float = 30.0
) -> FloatArray:
    """Each group's best utility over all packages that fit the budget.

    With the MILP, ``time_limit`` is shared by all groups; a group whose solve runs
    out of time keeps the best utility found (a lower bound on its ideal). Exact
    results are cached per problem; lower bounds are not.

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> ideal_utilities(p).round(3).tolist()
    [3.87, 3.44, 3.82]
    """
    check_common("ideal_utilities", engine, time_limit, "solver")
    if problem in _IDEALS:
        return _IDEALS[problem]
    space = resolve_engine(problem, engine, "ideal_utilities")
    exact = True
    if space is not None:
        out = space.utilities.max(axis=0)
    else:
        # One small model per group (only its own levels), sharing the time limit;
        # a group whose solve is cut short keeps its best package found so far,
        # starting from the greedy candidates: good lower bounds, found at once.
        deadline = time.perf_counter() + time_limit
        out = problem.group_utilities(np.array(greedy_candidates(problem))).max(axis=0)
        for g in range(problem.n_groups):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                exact = False
                break
            model = PackageModel(problem, groups=[g])
            a, _ = model.utility()
            try:
                sol = model.solve(a[g], time_limit=remaining)
            except SolverError:
                exact = False
                continue
            exact = exact and sol.status == "optimal"
            out[g] = max(out[g], problem.group_utilities(sol.x)[g])
    out.setflags(write=False)
    if exact:  # lower bounds are not cached: a longer time limit may do better
        _IDEALS[problem] = out
    return out


def _bargaining(
    name: str,
    problem: Problem,
    disagreement: ArrayLike | str | None,
    engine: str,
    time_limit: float,
    tie_break: str,
) -> tuple[dict[str, Any], FloatArray]:
    """Check a bargaining rule's parameters; return them and the disagreement point."""
    check_common(name, engine, time_limit, tie_break)
    params = _params(
        engine=engine,
        time_limit=time_limit,
        tie_break=tie_break,
        disagreement=None
        if disagreement is None or isinstance(disagreement, str)
        else np.asarray(disagreement).tolist(),
    )
    return params, _disagreement(problem, disagreement, name)


def nash(
    problem: Problem,
    *,
    rng: Any = None,
    disagreement: ArrayLike | str | None = None,
    engine: str = "auto",
    time_limit: float = 60.0,
    tie_break: str = "auto",
) -> Outcome:
    """Maximize the Nash product ``prod_g (u_g - d_g)`` over the groups that gain.

    ``d`` is the disagreement point (the status quo unless given). Groups that no
    package can make better off are left out of the product. When no package makes
    every other group strictly better off, the rule first maximizes how many groups
    gain, then the product over them (the usual convention for Nash welfare with
    zeros). The MILP maximizes ``sum_g log(u_g - d_g)`` by outer approximation:
    tangent cuts are added at each incumbent until the bound meets the incumbent,
    which is exact because there are finitely many packages.

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> nash(p).package
    ('ramps', 'benches', 'skate_ramp')
    """
    params, d = _bargaining("nash", problem, disagreement, engine, time_limit, tie_break)
    space = resolve_engine(problem, engine, "nash")
    if space is not None:
        gain = space.utilities - d
        positive = gain >= GAIN_EPS
        logs = np.where(positive, np.log(np.where(positive, gain, 1.0)), 0.0).sum(axis=1)
        row = select_stages(space, [positive.sum(axis=1).astype(float), logs], tie_break)
        mask = space.mask(row)
        status, gap, details = "optimal", 0.0, {"engine": "enumerate", "packages": len(space)}
    else:
        mask, status, gap, details = _nash_milp(problem, d, time_limit)
    g = problem.group_utilities(mask) - d
    pos = g >= GAIN_EPS
    details["gaining_groups"] = int(pos.sum())
    objective = float(np.exp(np.log(g[pos]).sum())) if pos.any() else 0.0
    return make_outcome(
        problem,
        "nash",
        mask,
        params=params,
        status=status,
        gap=gap,
        objective=objective,
        details=details,
    )


def _nash_milp(
    problem: Problem, d: FloatArray, time_limit: float
) -> tuple[NDArray[np.bool_], str, float, dict[str, Any]]:

    deadline = time.perf_counter() + time_limit
    model = PackageModel(problem)
    a, const = model.utility()
    low_u, high_u = model.expression_bounds(a, const)
    # Upper bounds on each group's utility suffice here (for the variables' bounds); a
    # group whose bound shows it cannot gain is left out of the product.
    can_gain = high_u - d >= GAIN_EPS
    gmax = np.maximum(high_u - d, GAIN_EPS)
    gmin = np.minimum(low_u - d, 0.0)
    p_col: dict[int, int] = {}
    v_col: dict[int, int] = {}
    z_col: dict[int, int] = {}
    for g in (int(i) for i in np.flatnonzero(can_gain)):
        p_col[g] = model.add_var(0.0, 1.0, integer=True)
        v_col[g] = model.add_var(0.0, float(gmax[g]))
        z_col[g] = model.add_var(min(0.0, math.log(GAIN_EPS)) - 1.0, max(0.0, math.log(gmax[g])))

    def row_with(entries: dict[int, float], g: int | None = None, sign: float = 1.0) -> FloatArray:
        row = np.zeros(model.n_vars)
        if g is not None:
            row[: a.shape[1]] = sign * a[g]
        for col, val in entries.items():
            row[col] += val
        return row

    for g in p_col:
        p, v, z = p_col[g], v_col[g], z_col[g]
        # p = 1 requires a real gain: u_g - d_g >= eps * p + gmin * (1 - p)
        model.add_dense_row(
            row_with({p: -(GAIN_EPS - gmin[g])}, g), gmin[g] - const[g] + d[g], np.inf
        )
        # v <= gain + M (1 - p)
        m1 = gmax[g] - gmin[g]
        model.add_dense_row(row_with({v: 1.0, p: m1}, g, -1.0), -np.inf, const[g] - d[g] + m1)
        # v <= gmax * p ; z <= zmax * p
        model.add_dense_row(row_with({v: 1.0, p: -gmax[g]}), -np.inf, 0.0)
        model.add_dense_row(row_with({z: 1.0, p: -max(0.0, math.log(gmax[g]))}), -np.inf, 0.0)

    def add_tangent(g: int, at: float) -> None:
        big = max(0.0, 1.0 - math.log(at))
        row = row_with({z_col[g]: 1.0, v_col[g]: -1.0 / at, p_col[g]: big})
        model.add_dense_row(row, -np.inf, math.log(at) - 1.0 + big)

    tangents: dict[int, list[float]] = {}
    for g in p_col:
        lo = max(GAIN_EPS, gmax[g] * 1e-3)
        tangents[g] = list(np.geomspace(lo, gmax[g], 6)) if gmax[g] > lo else [gmax[g]]
        for at in tangents[g]:
            add_tangent(g, at)

    details: dict[str, Any] = {"engine": "milp", "iterations": 0}
    if not p_col:
        return np.zeros(problem.n_interventions, dtype=bool), "optimal", 0.0, details
    # Stage 1: as many gaining groups as possible.
    count = np.zeros(model.n_vars)
    count[list(p_col.values())] = 1.0
    try:
        first = model.solve(count, time_limit=max(deadline - time.perf_counter(), 1e-3))
    except SolverError:  # nothing found in time: the best quick candidate
        details["gaining_groups_target"] = None
        details["fallback"] = "greedy"

        def rank(x: NDArray[np.bool_]) -> tuple[float, float]:
            gains = problem.group_utilities(x) - d
            pos = gains >= GAIN_EPS
            return float(pos.sum()), float(np.log(gains[pos]).sum())

        return best_candidate(problem, rank), "time_limit", float("inf"), details
    k_best = round(first.objective)
    model.add_dense_row(count, k_best - 0.5, np.inf)
    # Stage 2: outer approximation of sum log gains.
    objective = np.zeros(model.n_vars)
    objective[list(z_col.values())] = 1.0
    best_mask, best_value, bound, status = first.x, -np.inf, np.inf, "optimal"
    for it in range(200):
        details["iterations"] = it + 1
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            status = "time_limit"
            break
        try:
            sol = model.solve(
                np.pad(objective, (0, model.n_vars - objective.size)), time_limit=remaining
            )
        except SolverError:
            status = "time_limit"
            break
        gains = problem.group_utilities(sol.x) - d
        pos = gains >= GAIN_EPS
        value = float(np.log(gains[pos]).sum()) if int(pos.sum()) >= k_best else -np.inf
        if value > best_value:
            best_mask, best_value = sol.x, value
        bound = min(bound, sol.bound)
        if sol.status != "optimal":
            status = "time_limit"
            break
        if bound - best_value <= 1e-9 + 1e-9 * abs(best_value):
            break
        added = False
        for g in p_col:
            at = float(gains[g])
            if at >= GAIN_EPS and all(abs(at - t) > 1e-12 + 1e-9 * t for t in tangents[g]):
                tangents[g].append(at)
                add_tangent(g, at)
                added = True
        if not added:
            break
    gap = float(np.expm1(max(bound - best_value, 0.0))) if np.isfinite(best_value) else float("inf")
    if status == "optimal" and gap > 1e-6:
        status = "time_limit"
    details["gaining_groups_target"] = int(k_best)
    return best_mask, status, (0.0 if status == "optimal" else gap), details


def kalai_smorodinsky(
    problem: Problem,
    *,
    rng: Any = None,
    disagreement: ArrayLike | str | None = None,
    engine: str = "auto",
    time_limit: float = 60.0,
    tie_break: str = "auto",
) -> Outcome:
    """Maximize the smallest share of its possible gain any group receives.

    ``max_x min_g (u_g(x) - d_g) / (ideal_g - d_g)``, where ``ideal_g`` is the
    group's best utility under the budget and ``d`` the disagreement point (status
    quo unless given); groups that cannot gain are left out. Ties go to the larger
    sum of shares.

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> 0 <= kalai_smorodinsky(p).objective <= 1
    True
    """
    params, d = _bargaining(
        "kalai_smorodinsky", problem, disagreement, engine, time_limit, tie_break
    )
    started = time.perf_counter()
    # One time budget for both: the ideals may use half, the rule itself the rest.
    ideal = ideal_utilities(problem, engine=engine, time_limit=time_limit / 2)
    remaining = max(time_limit - (time.perf_counter() - started), 1e-3)
    span = ideal - d
    scale = np.where(span >= GAIN_EPS, span, 0.0)

    def keys(space: PackageSpace) -> list[FloatArray]:
        shares = np.where(
            scale > 0, (space.utilities - d) / np.where(scale > 0, scale, 1.0), np.inf
        )
        worst = shares.min(axis=1)
        if not np.isfinite(worst).any():
            worst = np.zeros(len(space))
        return [worst, np.where(np.isfinite(shares), shares, 0.0).sum(axis=1)]

    def share_of(x: NDArray[np.bool_]) -> FloatArray:
        return np.asarray((problem.group_utilities(x) - d)[scale > 0] / scale[scale > 0])

    def stages(model: PackageModel) -> list[Stage]:
        t = _add_min_var(model, scale=scale, shift=d)
        a, _ = model.utility()
        share_sum = (a[scale > 0] / scale[scale > 0, None]).sum(axis=0)
        return [
            Stage(_unit(model, t)),
            Stage(np.pad(share_sum, (0, model.n_vars - share_sum.size))),
        ]

    mask, status, gap, details = _lexicographic(
        problem,
        "kalai_smorodinsky",
        engine=engine,
        time_limit=remaining,
        tie_break=tie_break,
        keys=keys,
        stages=stages,
        rank=lambda x: (float(share_of(x).min(initial=np.inf)), float(share_of(x).sum())),
    )
    details.pop("bound", None)
    details["ideals_exact"] = problem in _IDEALS
    u = problem.group_utilities(mask)
    shares_x = (u - d)[scale > 0] / scale[scale > 0]
    return make_outcome(
        problem,
        "kalai_smorodinsky",
        mask,
        params=params,
        status=status,
        gap=gap,
        objective=float(shares_x.min()) if shares_x.size else 0.0,
        details=details,
    )
