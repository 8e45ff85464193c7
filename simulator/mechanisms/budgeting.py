"""Procedural rules: the status quo, the best base design, greedy, and Equal Shares.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import best_base_design, greedy, mes, status_quo
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> status_quo(p).package
()
>>> best_base_design(p).details["design"]
'green'
>>> greedy(p).package
('benches', 'trees', 'skate_ramp')
>>> mes(p).package
('benches', 'trees', 'lighting')
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError
from plurisim.mechanisms._common import make_outcome
from plurisim.outcome import Outcome
from plurisim.problem import Problem
from plurisim.tiebreaking import TieBreaking, as_tie_breaking
from plurisim.validation import check_choice

__all__ = [
    "base_design_outcomes",
    "best_base_design",
    "greedy",
    "greedy_package",
    "mes",
    "standalone_gains",
    "status_quo",
]

FloatArray = NDArray[np.float64]
RTOL = 1e-9
_BATCH = 8  # price factors recomputed together in Equal Shares


def status_quo(problem: Problem, *, rng: Any = None) -> Outcome:
    """Fund nothing: the empty package."""
    return make_outcome(
        problem,
        "status_quo",
        np.zeros(problem.n_interventions, dtype=bool),
        params={},
        status="rule",
        gap=None,
        objective=float(problem.group_utilities(np.zeros(problem.n_interventions)).sum()),
    )


def base_design_outcomes(problem: Problem) -> list[Outcome]:
    """One outcome per base design of the scenario, in file order."""
    out = []
    for design, mask in problem.base_designs.items():
        out.append(
            make_outcome(
                problem,
                f"base:{design}",
                mask,
                params={},
                status="rule",
                gap=None,
                objective=float(problem.group_utilities(mask).sum()),
                kind="base_design",
                label=problem.design_label(design),
                details={"design": design},
            )
        )
    return out


def best_base_design(problem: Problem, *, rng: Any = None, rubric: str = "total") -> Outcome:
    """The scenario's base design that scores best on the public rubric.

    Parameters
    ----------
    rubric : {"total", "worst"}
        ``"total"`` (default): highest total utility, ties by worst-group utility.
        ``"worst"``: highest worst-group utility, ties by total utility.

    Raises
    ------
    ParameterError
        If the scenario has no base designs.
    """
    check_choice(rubric, "rubric", "best_base_design", ("total", "worst"))
    if not problem.base_designs:
        raise ParameterError(
            f"The scenario {problem.name!r} has no base designs, so there is no best one."
        )
    best: tuple[float, float] | None = None
    choice = ""
    scores = {}
    for design, mask in problem.base_designs.items():
        u = problem.group_utilities(mask)
        key = (
            (float(u.sum()), float(u.min()))
            if rubric == "total"
            else (float(u.min()), float(u.sum()))
        )
        scores[design] = {
            "total": key[0] if rubric == "total" else key[1],
            "worst": key[1] if rubric == "total" else key[0],
        }
        if (
            best is None
            or key[0] > best[0] + RTOL * abs(best[0])
            or (
                abs(key[0] - best[0]) <= RTOL * abs(best[0])
                and key[1] > best[1] + RTOL * abs(best[1])
            )
        ):
            best, choice = key, design
    mask = problem.base_designs[choice]
    label = problem.design_label(choice)
    return make_outcome(
        problem,
        "best_base_design",
        mask,
        params={"rubric": rubric},
        status="rule",
        gap=None,
        objective=best[0] if best else None,
        details={"design": choice, "design_label": label, "scores": scores},
    )


def standalone_gains(
    problem: Problem, weights: FloatArray | None = None, owner: NDArray[np.int64] | None = None
) -> FloatArray:
    """Utility each voter gets from each intervention funded alone.

    ``gain[i, j] = sum_k w[i, k] * (min(cap_k, b[g_i, k] + E[g_i, j, k]) - min(cap_k, b[g_i, k]))``

    Parameters
    ----------
    weights : array of shape (n, d), optional
        Voters' weights; the groups' by default.
    owner : array of shape (n,), optional
        Each voter's group; ``arange(G)`` by default.

    Returns
    -------
    ndarray of shape (n, m)
    """
    w = problem.weights if weights is None else weights
    own = np.arange(problem.n_groups) if owner is None else owner
    base = np.minimum(problem.baseline, problem.caps)  # (G, d)
    after = np.minimum(problem.baseline[:, None, :] + problem.effects, problem.caps)  # (G, m, d)
    delta = after - base[:, None, :]
    return np.einsum("nmk,nk->nm", delta[own], w)


def _blocked(problem: Problem, chosen: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Interventions that can no longer be added: excluded by, or missing a requirement in, ``chosen``."""
    m = problem.n_interventions
    blocked = np.zeros(m, dtype=bool)
    for a, b in problem.exclusions:
        if chosen[a]:
            blocked[b] = True
        if chosen[b]:
            blocked[a] = True
    for a, b in problem.requirements:
        if not chosen[b]:
            blocked[a] = True
    return blocked


def _greedy_fill(
    problem: Problem,
    chosen: NDArray[np.bool_],
    weights: FloatArray,
    ties: TieBreaking,
    trace: list[dict[str, Any]],
) -> NDArray[np.bool_]:
    """Add interventions by marginal utility per cost while they fit the budget."""
    chosen = chosen.copy()
    ids = problem.interventions
    costs = problem.costs
    effects = problem.effects.transpose(1, 0, 2)  # (m, G, d)
    raw = problem.baseline + np.einsum("m,mgk->gk", chosen.astype(float), effects)
    while True:
        spent = float(costs @ chosen)
        fits = spent + costs <= problem.budget * (1 + 1e-12)
        cand = np.flatnonzero(~chosen & ~_blocked(problem, chosen) & fits)
        if cand.size == 0:
            return chosen
        now = np.minimum(raw, problem.caps)
        after = np.minimum(raw[None] + effects[cand], problem.caps)
        gains = np.einsum("cgk,gk->c", after - now[None], weights)
        useful = gains > 1e-12
        if not useful.any():
            return chosen
        cand, gains = cand[useful], gains[useful]
        with np.errstate(divide="ignore"):
            ratio = np.where(
                costs[cand] > 0, gains / np.where(costs[cand] > 0, costs[cand], 1.0), np.inf
            )
        top = ratio.max()
        tied = cand[ratio >= top - RTOL * abs(top)] if np.isfinite(top) else cand[np.isinf(ratio)]
        j = ties.pick(list(tied), costs=list(costs), ids=list(ids))
        chosen[j] = True
        raw = raw + effects[j]
        trace.append({"add": ids[j], "gain": float(gains[cand == j][0]), "cost": float(costs[j])})


def greedy_package(problem: Problem, weights: FloatArray) -> NDArray[np.bool_]:
    """The greedy package for ``sum_g sum_k weights[g, k] level[g, k]`` (ties: scenario order)."""
    return _greedy_fill(
        problem, np.zeros(problem.n_interventions, dtype=bool), weights, TieBreaking("index"), []
    )


def greedy(
    problem: Problem,
    *,
    rng: Any = None,
    weighting: str = "group",
    tie_break: TieBreaking | str = "index",
) -> Outcome:
    """Utility-per-cost greedy, the common participatory-budgeting rule.

    Repeatedly funds the intervention with the largest marginal gain in total utility
    per unit of cost (recomputed after each choice, so caps are respected), skipping
    those that no longer fit, until nothing more fits or helps.

    Parameters
    ----------
    weighting : {"group", "population"}
        As in :func:`~plurisim.mechanisms.utilitarian`.
    tie_break : TieBreaking or {"index", "name", "cost", "refuse"}
    """
    check_choice(weighting, "weighting", "greedy", ("group", "population"))
    ties = as_tie_breaking(tie_break)
    w = problem.weights if weighting == "group" else problem.population_weights()
    trace: list[dict[str, Any]] = []
    mask = _greedy_fill(problem, np.zeros(problem.n_interventions, dtype=bool), w, ties, trace)
    return make_outcome(
        problem,
        "greedy",
        mask,
        params={"weighting": weighting, "tie_break": ties.kind},
        status="rule",
        gap=None,
        objective=float((problem.levels(mask) * w).sum()),
        details={"steps": trace},
    )


def mes(
    problem: Problem,
    *,
    rng: Any = None,
    voters: str = "groups",
    completion: str | None = None,
    tie_break: TieBreaking | str = "index",
) -> Outcome:
    """The Method of Equal Shares (Peters and Skowron) with cardinal utilities.

    The budget is split equally among voters. Each round, every remaining
    intervention has a price factor ``rho``: the smallest value such that its
    supporters, each paying ``min(budget_i, rho * u_ij)``, cover its cost. The
    intervention with the smallest ``rho`` is funded and its supporters pay; those
    their remaining budgets cannot cover drop out. Utilities are additive:
    ``u_ij`` is what intervention ``j`` alone gives voter ``i`` (see
    :func:`standalone_gains`).

    Parameters
    ----------
    voters : {"groups", "individuals"}
        ``"groups"``: one voter per individual, holding the group's weights (a group
        of size 10 is 10 identical voters). ``"individuals"``: each individual with
        its own weights.
    completion : {None, "utilitarian"}
        ``"utilitarian"`` spends what Equal Shares leaves unspent with the greedy
        rule on total utility.
    tie_break : TieBreaking or {"index", "name", "cost", "refuse"}
    """
    check_choice(voters, "voters", "mes", ("groups", "individuals"))
    check_choice(completion, "completion", "mes", (None, "utilitarian"))
    ties = as_tie_breaking(tie_break)
    if voters == "groups":
        util = standalone_gains(problem)
        mult = problem.sizes.astype(float)
    else:
        util = standalone_gains(problem, problem.individual_weights, problem.individual_group)
        mult = np.ones(util.shape[0])
    mask, trace = equal_shares(problem, util, mult, ties)
    params: dict[str, Any] = {"voters": voters, "completion": completion, "tie_break": ties.kind}
    details: dict[str, Any] = {"rounds": trace}
    if completion == "utilitarian":
        extra: list[dict[str, Any]] = []
        w = (
            problem.weights * problem.sizes[:, None]
            if voters == "groups"
            else problem.population_weights()
        )
        mask = _greedy_fill(problem, mask, w, ties, extra)
        details["completion"] = extra
    return make_outcome(
        problem,
        "mes",
        mask,
        params=params,
        status="rule",
        gap=None,
        objective=float(problem.group_utilities(mask).sum()),
        details=details,
    )


def equal_shares(
    problem: Problem,
    util: FloatArray,
    mult: FloatArray,
    ties: TieBreaking,
) -> tuple[NDArray[np.bool_], list[dict[str, Any]]]:
    """The Equal Shares loop over a voters-by-interventions utility matrix.

    ``util[i, j] >= 0`` is voter ``i``'s utility for intervention ``j`` and
    ``mult[i]`` how many identical voters row ``i`` stands for.
    """
    m = problem.n_interventions
    costs = problem.costs
    ids = list(problem.interventions)
    u = np.clip(util, 0.0, None)
    budget = np.full(u.shape[0], problem.budget / float(mult.sum()))
    chosen = np.zeros(m, dtype=bool)
    trace: list[dict[str, Any]] = []
    # Interventions nobody gains from are never funded; free ones that someone gains from are.
    alive = (u * mult[:, None]).sum(axis=0) > 0
    for j in np.flatnonzero(alive & (costs <= 0)):
        chosen[j] = True
        trace.append({"fund": ids[j], "rho": 0.0})
    alive &= costs > 0
    # Price factors only grow as budgets shrink, so a factor computed in an earlier
    # round is a lower bound now: each round recomputes candidates in order of their
    # bound and stops once the bound exceeds the best exact factor (as pabutools does).
    lower = np.zeros(m)
    while True:
        alive &= ~chosen & ~_blocked(problem, chosen)
        cand = np.flatnonzero(alive)
        if cand.size == 0:
            break
        cand = cand[np.argsort(lower[cand], kind="stable")]
        best = np.inf
        for start in range(0, cand.size, _BATCH):
            batch = cand[start : start + _BATCH]
            if lower[batch[0]] > best * (1 + RTOL):
                break
            rho = _price_factors(u[:, batch], mult, budget, costs[batch])
            lower[batch] = rho
            alive[batch[~np.isfinite(rho)]] = False  # supporters can no longer afford it
            if np.isfinite(rho).any():
                best = min(best, float(rho[np.isfinite(rho)].min()))
        if not np.isfinite(best):
            break
        tied = np.flatnonzero(alive & (lower <= best * (1 + RTOL)))
        pick = ties.pick(list(tied), costs=list(costs), ids=ids)
        pay = np.minimum(budget, best * u[:, pick])
        budget = budget - pay
        chosen[pick] = True
        trace.append({"fund": ids[pick], "rho": float(best), "paid": float((pay * mult).sum())})
    return chosen, trace


def _price_factors(
    u: FloatArray, mult: FloatArray, budget: FloatArray, costs: FloatArray
) -> FloatArray:
    """For each column, the smallest rho with ``sum_i mult_i min(b_i, rho u_ij) >= c_j`` (inf if none)."""
    _n, k = u.shape
    support = u > 0
    total = ((budget * mult)[:, None] * support).sum(axis=0)
    out = np.full(k, np.inf)
    feasible = total >= costs * (1 - RTOL)
    if not feasible.any():
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(support, budget[:, None] / np.where(support, u, 1.0), np.inf)
    order = np.argsort(ratio, axis=0, kind="stable")
    r = np.take_along_axis(ratio, order, axis=0)
    wu = np.take_along_axis(u * mult[:, None], order, axis=0)
    wb = np.take_along_axis(np.where(support, (budget * mult)[:, None], 0.0), order, axis=0)
    paid_before = np.vstack([np.zeros(k), np.cumsum(wb, axis=0)[:-1]])
    remaining_u = wu[::-1].cumsum(axis=0)[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (costs[None, :] - paid_before) / remaining_u
    fits = (rho <= r * (1 + RTOL)) & (remaining_u > 0)
    first = np.argmax(fits, axis=0)
    has = fits[first, np.arange(k)] & feasible
    out[has] = rho[first[has], np.arange(k)[has]]
    return out
