"""The Method of Equal Shares and greedy-by-votes over ballot utilities.

Pure functions on arrays, for real participatory-budgeting elections: ``costs[m]``, a
``budget``, and an ``(n, m)`` matrix of non-negative utilities (dense or SciPy
sparse), one row per ballot, with ``multiplicity[i]`` identical voters per row.

:func:`equal_shares` is the Method of Equal Shares with cardinal utilities (Peters and
Skowron): the budget is split equally among voters; each round the project with the
smallest price factor ``rho`` is funded, its supporters each paying
``min(budget_i, rho * u_ij)``; ties go to the lower ``priority`` rank. With
``completion="add1"`` it adds one currency unit to every voter's share at a time and
keeps the last outcome that does not overspend the real budget, stopping once an
outcome is exhaustive (equalshares.net; pabutools' ``voter_budget_increment=1``),
without running the budget steps that provably cannot change the outcome, and running
the others in blocks where each run borrows bounds from the run one step above.

Utilities give pabutools' satisfaction measures: ``u_ij = cost_j`` for approved
projects is ``Cost_Sat``, ``u_ij = 1`` is ``Cardinality_Sat`` (for rankings and
cumulative ballots too: a listed project counts as approved), points are
``Additive_Cardinal_Sat`` (cumulative and scoring ballots), and ``len - position - 1``
on a ranking is ``Additive_Borda_Sat`` (its last choice scores 0). pabutools has no
measure for ranking points such as Kraków's 3-2-1; they are cardinal utilities here.
add1's steps grow with ``budget / (n * increment)``: scale ``increment`` with money.

Decisions are exact: price factors are computed in floating point with an error bound,
and any decision closer than that bound is taken in rational arithmetic, with every
input read at its shortest decimal representation (a cost of ``0.1`` is one tenth, as
in the data file). So the selection is the one exact arithmetic gives.

:func:`greedy_by_votes` is the rule most cities run: projects by decreasing votes,
each funded if it still fits.

Tie-breaking is an explicit ``priority`` array (lower rank wins):
:func:`priority_by_votes` (more votes first, then file order; our default) or
:func:`priority_by_name` (pabutools' default, the project ids in string order).

Examples
--------
>>> import numpy as np
>>> from plurisim.mechanisms.equal_shares import equal_shares, greedy_by_votes
>>> costs = np.array([8.0, 2.0, 9.0])
>>> approvals = np.array([[1, 1, 1], [0, 1, 0], [0, 0, 0], [1, 1, 0]], dtype=float)
>>> res = equal_shares(costs, 13.0, approvals * costs)  # Cost_Sat utilities
>>> res.selected, [(f.project, round(f.rho, 4), f.paid) for f in res.trace]
((1,), [(1, 0.3333, 2.0)])
>>> full = equal_shares(costs, 13.0, approvals * costs, completion="add1")
>>> full.selected, full.budget_per_voter, full.steps_evaluated, full.steps_skipped
((0, 1), 5.25, 2, 1)
>>> selection, _ = greedy_by_votes(costs, 13.0, approvals.sum(axis=0))
>>> np.flatnonzero(selection).tolist()
[0, 1]
>>> equal_shares(costs, -1.0, approvals)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'budget' parameter of equal_shares must be a real number in the range [0, inf). Got -1.0 instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError
from plurisim.mechanisms._es_checks import invalid, pairs, tie_ranks, utilities_matrix, vector
from plurisim.mechanisms._es_exact import exact
from plurisim.mechanisms._es_run import Ballots, RunResult, prepare, run
from plurisim.mechanisms._es_skip import add1
from plurisim.validation import check_choice, check_real

__all__ = [
    "EqualSharesResult",
    "Funding",
    "GreedyStep",
    "equal_shares",
    "greedy_by_votes",
    "priority_by_name",
    "priority_by_votes",
]

COMPLETIONS = (None, "add1")


@dataclass(frozen=True)
class Funding:
    """One funded project: its index, price factor ``rho`` and what its supporters paid.

    ``tied_with`` lists the projects whose price factor was exactly the same, that the
    ``priority`` ranks put after this one (empty when the round had no tie).
    """

    project: int
    rho: float
    paid: float
    tied_with: tuple[int, ...] = ()


@dataclass(frozen=True)
class EqualSharesResult:
    """The outcome of :func:`equal_shares`.

    Attributes
    ----------
    selection : ndarray of bool, shape (m,)
        Which projects are funded.
    trace : tuple of Funding
        The funded projects in the order Equal Shares funded them (free projects have
        ``rho = 0``), at the final per-voter budget.
    budget_per_voter : float
        Each voter's starting share in the final run: ``budget / n`` without completion,
        ``budget / n + increments * increment`` with add1.
    completion : {None, "add1"}
    increments : int
        How many increments add1 added to the equal share (0 without completion).
    steps_evaluated, steps_skipped : int
        add1's budget steps up to the final one that were run, and those proven not to
        change the outcome and never run (1 and 0 without completion). Steps are run in
        blocks of a few, so a few steps past the final one may have been run too.

    Examples
    --------
    >>> res = equal_shares([2.0, 3.0], 4.0, [[1.0, 0.0], [1.0, 1.0]])
    >>> res.selected, res.trace
    ((0,), (Funding(project=0, rho=1.0, paid=2.0, tied_with=()),))
    >>> res.to_dict()["budget_per_voter"]
    2.0
    >>> res.selection[1] = True
    Traceback (most recent call last):
    ...
    ValueError: assignment destination is read-only
    """

    selection: NDArray[np.bool_]
    trace: tuple[Funding, ...]
    budget_per_voter: float
    completion: str | None = None
    increments: int = 0
    steps_evaluated: int = 1
    steps_skipped: int = 0

    @property
    def selected(self) -> tuple[int, ...]:
        """Indices of the funded projects, in increasing order."""
        return tuple(int(j) for j in np.flatnonzero(self.selection))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "selected": list(self.selected),
            "trace": [
                {"project": f.project, "rho": f.rho, "paid": f.paid, "tied_with": list(f.tied_with)}
                for f in self.trace
            ],
            "budget_per_voter": self.budget_per_voter,
            "completion": self.completion,
            "increments": self.increments,
            "steps_evaluated": self.steps_evaluated,
            "steps_skipped": self.steps_skipped,
        }


@dataclass(frozen=True)
class GreedyStep:
    """One decision of :func:`greedy_by_votes`.

    ``reason`` is ``"funded"``, ``"over budget"``, ``"excluded"`` (a funded project
    excludes it) or ``"requirement"`` (a project it requires was not funded).

    Examples
    --------
    >>> _, trace = greedy_by_votes([3.0, 2.0], 4.0, [5, 9])
    >>> [(s.project, s.reason, s.funded) for s in trace]
    [(1, 'funded', True), (0, 'over budget', False)]
    """

    project: int
    votes: float
    cost: float
    reason: str

    @property
    def funded(self) -> bool:
        """Whether this decision funded the project."""
        return self.reason == "funded"


def priority_by_votes(votes: ArrayLike) -> NDArray[np.int64]:
    """Tie-break ranks: more votes first, then file order (our default).

    Examples
    --------
    >>> priority_by_votes([3, 5, 3]).tolist()
    [1, 0, 2]
    >>> priority_by_votes([[1, 2]])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'votes' parameter of priority_by_votes must be a 1-D array of finite non-negative numbers. Got [[1, 2]] instead.
    """
    v = vector(votes, "votes", "priority_by_votes", None)
    ranks = np.empty(v.size, dtype=np.int64)
    ranks[np.lexsort((np.arange(v.size), -v))] = np.arange(v.size)
    return ranks


def priority_by_name(names: Sequence[str]) -> NDArray[np.int64]:
    """Tie-break ranks of pabutools' default: project ids in string order.

    pabutools' ``lexico_tie_breaking`` sorts by ``project.name``, a string, so ``"10"``
    comes before ``"9"``.

    Examples
    --------
    >>> priority_by_name(["9", "10", "100"]).tolist()
    [2, 0, 1]
    >>> priority_by_name(["a", "a"])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'names' parameter of priority_by_name must be distinct strings. Got ['a', 'a'] instead.
    """
    ids = [str(n) for n in names]
    if len(set(ids)) != len(ids):
        raise ParameterError(
            f"The 'names' parameter of priority_by_name must be distinct strings. Got {ids!r} instead."
        )
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    return ranks


def equal_shares(
    costs: ArrayLike,
    budget: float,
    utilities: Any,
    *,
    multiplicity: ArrayLike | None = None,
    exclusions: Iterable[tuple[int, int]] = (),
    requirements: Iterable[tuple[int, int]] = (),
    priority: ArrayLike | None = None,
    completion: str | None = None,
    increment: float = 1.0,
) -> EqualSharesResult:
    """The Method of Equal Shares with cardinal utilities, optionally completed by add1.

    Parameters
    ----------
    costs : array of shape (m,)
        Non-negative project costs. A free project that someone gains from is funded
        unless a funded project excludes it (and once every project it requires is).
    budget : float
        The real budget, split equally among the voters.
    utilities : array or SciPy sparse matrix of shape (n, m)
        ``u_ij >= 0``, voter ``i``'s utility for project ``j``; projects nobody gains
        from are never funded.
    multiplicity : array of shape (n,), optional
        How many identical voters each row stands for (positive integers; 1 each by
        default). The equal share is ``budget / multiplicity.sum()``.
    exclusions : iterable of (a, b)
        Projects ``a`` and ``b`` are never both funded: funding one removes the other.
    requirements : iterable of (a, b)
        ``a`` can only be funded once ``b`` is.
    priority : array of shape (m,), optional
        Tie-break ranks, lower wins (default :func:`priority_by_votes` of the number of
        supporters; :func:`priority_by_name` gives pabutools' order).
    completion : {None, "add1"}
        ``"add1"``: raise every share by ``increment`` at a time, keep the last outcome
        within ``budget``, stop early at an exhaustive one (blocked projects aside).
    increment : float
        add1's step, in currency units per voter (default 1).

    Returns
    -------
    EqualSharesResult

    Raises
    ------
    ParameterError
        If an argument has the wrong shape, a negative or non-finite entry, or an
        unknown option.

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> equal_shares([2.0, 0.0], 3.0, u, exclusions=[(0, 1)]).selected
    (1,)
    >>> equal_shares([2.0, 1.0], 3.0, u, requirements=[(1, 0)]).selected
    (0, 1)
    >>> equal_shares([3.0, 1.0], 3.0, u, requirements=[(1, 0)]).selected
    ()
    >>> equal_shares([2.0, 1.0], 3.0, u, completion="add2")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'completion' parameter of equal_shares must be one of None, 'add1'. Got 'add2' instead.
    """
    import scipy.sparse as sp  # deferred: SciPy loads only when a rule reads ballots

    owner = "equal_shares"
    c = vector(costs, "costs", owner, None)
    m = c.size
    budget_f = check_real(budget, "budget", owner, low=0.0, closed="left")
    util = utilities_matrix(utilities, m)
    n = util.shape[0]
    mult = np.ones(n) if multiplicity is None else vector(multiplicity, "multiplicity", owner, n)
    if multiplicity is not None and ((mult <= 0) | (mult != np.round(mult))).any():
        raise invalid("multiplicity", owner, f"a 1-D array of {n} positive integers", multiplicity)
    excl = pairs(exclusions, "exclusions", owner, m)
    reqs = pairs(requirements, "requirements", owner, m)
    check_choice(completion, "completion", owner, COMPLETIONS)
    step = check_real(increment, "increment", owner, low=0.0, closed="neither")
    supporters = np.asarray(
        (sp.csr_array(util) > 0).T @ mult if sp.issparse(util) else (util > 0).T @ mult
    )
    ranks = tie_ranks(priority, priority_by_votes(supporters), owner)
    bal = prepare(c, util, mult, excl, reqs, ranks)
    budget_q = exact(budget_f)
    if bal.n_voters == 0:
        return EqualSharesResult(np.zeros(m, dtype=bool), (), 0.0, completion)
    if completion is None:
        share = budget_q / bal.n_voters
        out = run(bal, float(share), share)
        return _result(bal, out, budget_q, share, completion, 0, 1, 0)
    done = add1(bal, budget_q, exact(step))
    share = budget_q / bal.n_voters + done.increments * exact(step)
    return _result(
        bal, done.run, budget_q, share, completion, done.increments, done.evaluated, done.skipped
    )


def _result(
    bal: Ballots,
    out: RunResult,
    budget_q: Fraction,
    share: Fraction,
    completion: str | None,
    increments: int,
    evaluated: int,
    skipped: int,
) -> EqualSharesResult:
    selection = out.selection.copy()
    spent = sum((bal.costs_q[j] for j in np.flatnonzero(selection)), Fraction(0))
    if spent > budget_q:  # pragma: no cover - Equal Shares never overspends
        raise AssertionError("Equal Shares selected projects over the budget")
    selection.setflags(write=False)
    trace = tuple(
        Funding(int(j), float(rho), float(paid), out.ties.get(t, ()))
        for t, (j, rho, paid) in enumerate(out.trace)
    )
    return EqualSharesResult(
        selection, trace, float(share), completion, increments, evaluated, skipped
    )


def greedy_by_votes(
    costs: ArrayLike,
    budget: float,
    votes: ArrayLike,
    *,
    exclusions: Iterable[tuple[int, int]] = (),
    requirements: Iterable[tuple[int, int]] = (),
    priority: ArrayLike | None = None,
) -> tuple[NDArray[np.bool_], tuple[GreedyStep, ...]]:
    """Fund projects by decreasing votes, each if it still fits: the rule cities run.

    A project that does not fit is skipped, never ending the pass. Costs are summed
    exactly (as decimals), so a project that fits to the cent is funded.

    Parameters
    ----------
    costs : array of shape (m,)
    budget : float
    votes : array of shape (m,)
        Approval counts or points.
    exclusions, requirements : iterable of (a, b)
        As in :func:`equal_shares`. A project whose requirement is not yet funded waits
        and is decided as soon as it is (or skipped if it never is).
    priority : array of shape (m,), optional
        Ranks among equal votes, lower first (default: file order).

    Returns
    -------
    selection : ndarray of bool, shape (m,)
    trace : tuple of GreedyStep
        Every decision, in the order taken.

    Examples
    --------
    >>> sel, trace = greedy_by_votes([5.0, 4.0, 2.0], 6.0, [10, 8, 3])
    >>> sel.tolist(), [s.reason for s in trace]
    ([True, False, False], ['funded', 'over budget', 'over budget'])
    >>> greedy_by_votes([5.0, 4.0], 6.0, [10])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'votes' parameter of greedy_by_votes must be a 1-D array of finite non-negative numbers of length 2. Got [10] instead.
    """
    owner = "greedy_by_votes"
    c = vector(costs, "costs", owner, None)
    m = c.size
    budget_q = exact(check_real(budget, "budget", owner, low=0.0, closed="left"))
    v = vector(votes, "votes", owner, m)
    excl = pairs(exclusions, "exclusions", owner, m)
    reqs = pairs(requirements, "requirements", owner, m)
    ranks = tie_ranks(priority, np.arange(m, dtype=np.int64), owner)
    excludes: list[set[int]] = [set() for _ in range(m)]
    for a, b in excl:
        excludes[a].add(b)
        excludes[b].add(a)
    requires: list[set[int]] = [set() for _ in range(m)]
    for a, b in reqs:
        requires[a].add(b)
    costs_q = [exact(x) for x in c]
    selection = np.zeros(m, dtype=bool)
    pending = [int(j) for j in np.lexsort((ranks, -v))]
    rejected: set[int] = set()
    trace: list[GreedyStep] = []
    spent = Fraction(0)
    while pending:
        for j in pending:
            if any(selection[k] for k in excludes[j]):
                reason = "excluded"
            elif requires[j] & rejected:
                reason = "requirement"
            elif not all(selection[k] for k in requires[j]):
                continue  # wait for the projects it requires
            elif spent + costs_q[j] > budget_q:
                reason = "over budget"
            else:
                reason = "funded"
                selection[j] = True
                spent += costs_q[j]
            if reason != "funded":
                rejected.add(j)
            trace.append(GreedyStep(j, float(v[j]), float(c[j]), reason))
            pending.remove(j)
            break
        else:  # everything left waits for a project that will never be funded
            for j in pending:
                rejected.add(j)
                trace.append(GreedyStep(j, float(v[j]), float(c[j]), "requirement"))
            pending = []
    return selection, tuple(trace)
