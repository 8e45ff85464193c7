"""The Method of Equal Shares (Peters and Skowron) with cardinal utilities.

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import mes
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> mes(p).package
('benches', 'trees', 'lighting')
>>> mes(p, completion="add1").package
('benches', 'trees', 'lighting')
>>> mes(p, completion="add2")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'completion' parameter of mes must be one of 'add1', 'utilitarian' or None. Got 'add2' instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import TieError
from plurisim.mechanisms.equal_shares import equal_shares
from plurisim.mechanisms.registry import TIE_BREAK_ITEMS, rule
from plurisim.mechanisms.ties import priority_of, tie_breaking_of
from plurisim.outcome import Outcome, package_outcome
from plurisim.packages import greedy_fill
from plurisim.params import Param
from plurisim.problem import Problem

__all__ = ["mes", "standalone_gains"]

FloatArray = NDArray[np.float64]

VOTERS = Param(
    "voters",
    "auto",
    "'groups': every individual holds its group's weights; 'individuals': its own (on "
    "ballot scenarios, each voter's ballot); 'auto': individuals on ballot scenarios, "
    "else groups",
    kind="str",
    choices=("auto", "groups", "individuals"),
)
COMPLETION = Param(
    "completion",
    None,
    "'add1' raises every voter's share one currency unit at a time while the outcome "
    "fits (equalshares.net); 'utilitarian' spends what is left with the greedy rule on "
    "total utility",
    kind="str",
    choices=("add1", "utilitarian"),
    nullable=True,
)
INCREMENT = Param(
    "increment",
    1.0,
    "add1: currency units added to every voter's share per step",
    low=0,
    closed="neither",
)


@rule(
    "mes",
    VOTERS,
    COMPLETION,
    INCREMENT,
    TIE_BREAK_ITEMS,
    summary="Method of Equal Shares with cardinal utilities",
)
def mes(
    problem: Problem,
    *,
    rng: Any,
    voters: str,
    completion: str | None,
    increment: float,
    tie_break: str,
) -> Outcome:
    """The Method of Equal Shares (Peters and Skowron) with cardinal utilities.

    The budget is split equally among voters. Each round, every remaining
    intervention has a price factor ``rho``: the smallest value such that its
    supporters, each paying ``min(budget_i, rho * u_ij)``, cover its cost. The
    intervention with the smallest ``rho`` is funded and its supporters pay. Utilities
    are additive: ``u_ij`` is what intervention ``j`` alone gives voter ``i`` (see
    :func:`standalone_gains`). Exclusions and requirements are respected, free
    interventions funded first. The engine is :mod:`plurisim.mechanisms.equal_shares`
    (exact arithmetic where a decision is close; equal to pabutools' selections).

    On a ballot scenario (a Pabulib file) the voters are the ballots: ``u_ij`` is voter
    ``i``'s ballot utility for project ``j`` (the cost of an approved project or 1, as
    chosen when loading; points for ordinal and cumulative ballots), which gives
    pabutools' ``Cost_Sat``, ``Cardinality_Sat`` and additive cardinal satisfaction;
    identical ballots are counted once with their multiplicity where that halves the
    rows at least (the same outcome, faster); a negative score counts as 0 (nobody pays for a project they dislike).

    Parameters
    ----------
    voters : {"auto", "groups", "individuals"}
        ``"groups"``: one voter per individual, holding the group's weights (a group
        of size 10 is 10 identical voters). ``"individuals"``: each individual with
        its own weights (on a ballot scenario, its ballot). ``"auto"``: individuals on
        a ballot scenario, groups otherwise.
    completion : {None, "add1", "utilitarian"}
        ``"add1"``: raise every voter's share by ``increment`` at a time and keep the
        last outcome that fits the budget (as on equalshares.net). ``"utilitarian"``:
        spend what is left with the greedy rule on total utility (population-weighted:
        every voter counts once).
    increment : float
    tie_break : {"auto", "index", "name", "cost", "refuse"}
        Between equally good interventions: ``"auto"`` (more votes first, then file
        order, on ballot scenarios; scenario order otherwise), scenario order, id
        (pabutools' order), cost, or refuse (:class:`~plurisim.errors.TieError` when
        a tie decided the outcome).
    """
    import scipy.sparse as sp  # deferred: SciPy loads only when a rule reads ballots

    if voters == "auto":
        voters = "individuals" if problem.ballots is not None else "groups"
    if voters == "groups":
        util = standalone_gains(problem)
        mult = problem.sizes.astype(np.int64)
    elif problem.ballots is not None:
        util, mult = problem.ballots.unique
        if 2 * util.shape[0] > problem.ballots.n_voters:
            # Few repeated ballots: one row per voter runs the engine's faster path for
            # voters of multiplicity one (the same outcome either way).
            util = problem.ballots.utilities
            mult = np.ones(util.shape[0], dtype=np.int64)
        if (util.data < 0).any():  # scores below zero: nobody pays for what they dislike
            util = util.copy()
            util.data = np.maximum(util.data, 0.0)
    else:
        util = standalone_gains(problem, problem.individual_weights, problem.individual_group)
        mult = np.ones(util.shape[0], dtype=np.int64)
    result = equal_shares(
        problem.costs,
        problem.budget,
        util if sp.issparse(util) else np.clip(util, 0.0, None),
        multiplicity=mult,
        exclusions=problem.exclusions,
        requirements=problem.requirements,
        priority=priority_of(problem, tie_break),
        completion="add1" if completion == "add1" else None,
        increment=increment,
    )
    tied = [f for f in result.trace if f.tied_with]
    if tie_break == "refuse" and tied:
        ids = problem.interventions
        names = sorted([ids[tied[0].project], *(ids[j] for j in tied[0].tied_with)])
        listed = ", ".join(repr(n) for n in names[:-1]) + f" and {names[-1]!r}"
        raise TieError(f"Interventions {listed} are tied, and tie_break='refuse' forbids choosing.")
    mask = np.array(result.selection, dtype=bool)
    ids = problem.interventions
    details: dict[str, Any] = {
        "rounds": [{"fund": ids[f.project], "rho": f.rho, "paid": f.paid} for f in result.trace]
    }
    if completion == "add1":
        details.update(
            budget_per_voter=result.budget_per_voter,
            steps_evaluated=result.steps_evaluated,
            steps_skipped=result.steps_skipped,
        )
    if completion == "utilitarian":
        extra: list[dict[str, Any]] = []
        w = (
            problem.weights * problem.sizes[:, None]
            if voters == "groups"
            else problem.population_weights()
        )
        mask = greedy_fill(problem, mask, w, tie_breaking_of(problem, tie_break), extra)
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
