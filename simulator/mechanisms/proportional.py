"""The Method of Equal Shares (Peters and Skowron) with cardinal utilities.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import mes
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> mes(p).package
('benches', 'trees', 'lighting')
>>> mes(p, completion="add2")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'completion' parameter of mes must be one of 'utilitarian' or None. Got 'add2' instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.mechanisms.registry import TIE_BREAK_ITEMS, rule
from plurisim.outcome import Outcome, package_outcome
from plurisim.packages import blocked, greedy_fill
from plurisim.params import Param
from plurisim.problem import Problem
from plurisim.tiebreaking import TieBreaking

__all__ = ["equal_shares", "mes", "standalone_gains"]

FloatArray = NDArray[np.float64]
RTOL = 1e-9
_BATCH = 8  # price factors recomputed together in Equal Shares

VOTERS = Param(
    "voters",
    "groups",
    "'groups': every individual holds its group's weights; 'individuals': its own",
    kind="str",
    choices=("groups", "individuals"),
)
COMPLETION = Param(
    "completion",
    None,
    "'utilitarian' spends what Equal Shares leaves with the greedy rule on total utility",
    kind="str",
    choices=("utilitarian",),
    nullable=True,
)


@rule(
    "mes",
    VOTERS,
    COMPLETION,
    TIE_BREAK_ITEMS,
    summary="Method of Equal Shares with cardinal utilities",
)
def mes(
    problem: Problem, *, rng: Any, voters: str, completion: str | None, tie_break: str
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
    tie_break : {"index", "name", "cost", "refuse"}
    """
    ties = TieBreaking(tie_break)  # type: ignore[arg-type]
    if voters == "groups":
        util = standalone_gains(problem)
        mult = problem.sizes.astype(float)
    else:
        util = standalone_gains(problem, problem.individual_weights, problem.individual_group)
        mult = np.ones(util.shape[0])
    mask, trace = equal_shares(problem, util, mult, ties)
    details: dict[str, Any] = {"rounds": trace}
    if completion == "utilitarian":
        extra: list[dict[str, Any]] = []
        w = (
            problem.weights * problem.sizes[:, None]
            if voters == "groups"
            else problem.population_weights()
        )
        mask = greedy_fill(problem, mask, w, ties, extra)
        details["completion"] = extra
    return package_outcome(
        problem,
        "mes",
        mask,
        status="rule",
        objective=float(problem.group_utilities(mask).sum()),
        details=details,
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
        alive &= ~chosen & ~blocked(problem, chosen)
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
