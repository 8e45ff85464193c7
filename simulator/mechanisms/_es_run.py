"""One run of the Method of Equal Shares at a given per-voter budget.

The run computes in floating point with an error bound on every price factor; a
decision closer than that bound (a tie, or a project its supporters can only just
afford) is settled in exact rational arithmetic by :mod:`._es_exact`. So the
selection is the one exact arithmetic gives, at floating-point speed.

Price factors only grow as budgets shrink, so a factor computed in an earlier round
is a lower bound later: each round evaluates projects in order of their bound and
stops once the bound exceeds the best factor found (as pabutools does). ``hints``
add bounds from a run at a larger budget (see :mod:`._es_skip`), and ``floors``
keeps this run's bounds per round for a run at a smaller one.

With ``horizons`` the run also records what the add1 completion needs to skip
budget steps (see :mod:`._es_skip`): for each evaluation, the lower bound on the
project's price factor and how fast it can fall as every voter's budget grows. It
then also re-evaluates competitors whose last bound is close enough to the winner's
factor to matter within the largest horizon, which keeps the bounds tight.

Examples
--------
>>> import numpy as np
>>> from plurisim.mechanisms._es_run import prepare, run
>>> b = prepare(np.array([2.0, 3.0]), np.array([[1.0, 0.0], [1.0, 1.0]]), np.ones(2), [], [],
...             np.arange(2))
>>> r = run(b, 2.5)
>>> r.selection.tolist(), [(j, rho) for j, rho, _ in r.trace]
([True, False], [(0, 1.0)])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from plurisim.mechanisms._es_exact import exact
from plurisim.mechanisms._es_state import REL, UNSURE, Above, Budgets, Eval

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["Ballots", "Record", "RunResult", "prepare", "run"]

_EAGER = 1  # re-evaluate competitors whose bound could bind within this horizon

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass
class Ballots:
    """The instance in the per-project form every run reads (built once by :func:`prepare`)."""

    costs: FloatArray
    costs_q: list[Fraction]
    mult: FloatArray
    mult_int: IntArray
    supp: list[IntArray]
    util: list[FloatArray]
    wm: list[FloatArray]  # multiplicity of each supporter
    wu: list[FloatArray]  # multiplicity times utility
    total_wu: FloatArray
    level: list[IntArray]  # index of each supporter's utility among the project's levels
    levels_q: list[list[Fraction]]
    supported: BoolArray
    wsum: FloatArray  # voters per project, with multiplicity
    u0: FloatArray  # the project's utility if all its supporters share it, else NaN
    unit: BoolArray  # every supporter row stands for one voter
    excludes: list[list[int]]
    requires: list[list[int]]
    required_by: list[list[int]]
    rank: IntArray
    n_voters: int
    # per-project scalars as Python lists, read once per evaluation
    cost_l: list[float] = field(default_factory=list)
    total_wu_l: list[float] = field(default_factory=list)
    u0_l: list[float] = field(default_factory=list)
    unit_l: list[bool] = field(default_factory=list)
    wsum_l: list[float] = field(default_factory=list)
    free: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # costs nothing
    by_rank: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        self.free = self.supported & (self.costs <= 0)
        self.by_rank = np.argsort(self.rank, kind="stable")
        self.cost_l = self.costs.tolist()
        self.total_wu_l = self.total_wu.tolist()
        self.u0_l = self.u0.tolist()
        self.unit_l = self.unit.tolist()
        self.wsum_l = self.wsum.tolist()

    @property
    def m(self) -> int:
        return int(self.costs.size)


def prepare(
    costs: FloatArray,
    utilities: FloatArray | sp.sparray | sp.spmatrix,
    mult: FloatArray,
    exclusions: list[tuple[int, int]],
    requirements: list[tuple[int, int]],
    rank: IntArray,
) -> Ballots:
    """Split validated arrays into per-project supporter lists."""
    import scipy.sparse as sp  # deferred: SciPy loads only when a rule reads ballots

    csc = sp.csc_array(utilities, dtype=np.float64)
    csc.eliminate_zeros()
    csc.sort_indices()
    m = costs.size
    supp, util, wm, wu, level, levels_q = [], [], [], [], [], []
    for j in range(m):
        lo, hi = csc.indptr[j], csc.indptr[j + 1]
        rows = csc.indices[lo:hi].astype(np.int64)
        u = np.asarray(csc.data[lo:hi], dtype=np.float64)
        lev, idx = np.unique(u, return_inverse=True)
        supp.append(rows)
        util.append(u)
        wm.append(mult[rows])
        wu.append(mult[rows] * u)
        level.append(idx.astype(np.int64))
        levels_q.append([exact(v) for v in lev])
    excludes: list[list[int]] = [[] for _ in range(m)]
    for a, b in exclusions:
        excludes[a].append(b)
        excludes[b].append(a)
    requires: list[list[int]] = [[] for _ in range(m)]
    required_by: list[list[int]] = [[] for _ in range(m)]
    for a, b in requirements:
        requires[a].append(b)
        required_by[b].append(a)
    total_wu = np.array([float(w.sum()) for w in wu])
    u0 = np.array([float(u[0]) if u.size and (u == u[0]).all() else np.nan for u in util])
    return Ballots(
        costs=costs,
        costs_q=[exact(c) for c in costs],
        mult=mult,
        mult_int=mult.round().astype(np.int64),
        supp=supp,
        util=util,
        wm=wm,
        wu=wu,
        total_wu=total_wu,
        level=level,
        levels_q=levels_q,
        supported=total_wu > 0,
        wsum=np.array([float(w.sum()) for w in wm]),
        u0=u0,
        unit=np.array([bool((w == 1).all()) for w in wm]),
        excludes=excludes,
        requires=requires,
        required_by=required_by,
        rank=rank,
        n_voters=int(mult.round().sum()),
    )


@dataclass(frozen=True)
class Record:
    """What one evaluation says about larger budgets (see :mod:`._es_skip`).

    ``kind="rho"``: from round ``start`` on, the project's price factor is at least
    ``value - rate * e`` when every voter's starting budget grows by ``e``.
    ``kind="dead"``: at round ``start`` its supporters could not afford it; ``snap`` holds
    their budgets, upper growth rates, utilities and multiplicities then.
    ``kind="final"``: when the run ended its supporters were ``value`` short of its cost,
    and their money grows at most ``rate * e``.
    """

    project: int
    start: int
    value: float
    rate: FloatArray  # one rate per horizon
    kind: str = "rho"
    exact: bool = False  # value is the exact factor of a round settled in exact arithmetic
    snap: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = None


@dataclass
class RunResult:
    """A run's selection, trace (project, rho, paid) and bound records."""

    selection: BoolArray
    trace: list[tuple[int, float, float]] = field(default_factory=list)
    winners_hi: list[float] = field(default_factory=list)  # per round; -inf for free projects
    # with ``floors=True``: per round, a lower bound on every project's factor after the
    # contest (+inf once it is unaffordable); see :mod:`._es_skip`
    floors: list[FloatArray] = field(default_factory=list)
    winners_fall: list[FloatArray] = field(default_factory=list)  # per round, per horizon
    records: list[Record] = field(default_factory=list)
    ends: dict[int, int] = field(default_factory=dict)  # round a project stopped competing
    opened: dict[int, int] = field(default_factory=dict)  # round its requirements were met
    ties: dict[int, tuple[int, ...]] = field(default_factory=dict)  # round -> exactly tied losers
    exact_calls: int = 0


class _Run:
    """The mutable state of one run: which projects are funded, dead or blocked."""

    def __init__(self, bal: Ballots, state: Budgets) -> None:
        m = bal.m
        self.bal, self.state = bal, state
        self.bounds = state.n_h > 0
        self.funded = np.zeros(m, dtype=bool)
        self.dead = np.zeros(m, dtype=bool)
        self.excluded = np.zeros(m, dtype=bool)
        self.missing = np.array([len(r) for r in bal.requires], dtype=np.int64)
        # still competing: supported, not funded, dead or excluded, requirements met
        self.active = bal.supported & (self.missing == 0)
        with np.errstate(divide="ignore"):
            first = bal.costs / np.where(bal.supported, bal.total_wu, 1.0)
        self.lower = np.where(bal.supported, first * (1 - REL), np.inf)
        self.last_rate = np.zeros((m, state.n_h))
        self.out = RunResult(selection=self.funded)
        self.out.opened.update((j, 0) for j in np.flatnonzero(self.missing == 0).tolist())
        self.t = 0
        if self.bounds:
            zero = np.zeros(state.n_h)
            for j in np.flatnonzero(bal.supported & (bal.costs > 0)):
                self.out.records.append(Record(int(j), 0, float(self.lower[j]), zero))

    def kill(self, j: int, exactly: bool = False) -> None:
        """``j``'s supporters cannot afford it, now or later."""
        self.dead[j] = True
        self.active[j] = False
        self.out.ends[j] = self.t
        if self.bounds:
            if exactly:
                rec = Record(j, self.t, 0.0, self.state.unknown_rate(), "final")
            else:
                rec = Record(
                    j, self.t, 0.0, self.state.unknown_rate(), "dead", snap=self.state.snapshot(j)
                )
            self.out.records.append(rec)

    def finish(self) -> None:
        """Record how far every project still fundable at the end is from affordable."""
        bal = self.bal
        if not self.bounds:
            return
        open_ = (
            bal.supported & ~self.funded & ~self.excluded & (self.missing == 0) & (bal.costs > 0)
        )
        for j in np.flatnonzero(open_).tolist():
            gap, rate = self.state.dead_gap(j)
            self.out.records.append(Record(j, self.t, gap, rate, "final"))

    def floor(self, hint: FloatArray | None) -> FloatArray:
        """Lower bounds on every factor now: +inf for the dead, else the best bound known."""
        low = self.lower if hint is None else np.maximum(self.lower, hint)
        return np.where(self.dead, np.inf, low)

    def look(
        self,
        j: int,
        evals: dict[int, Eval],
        unsure: list[int],
        cap: float = np.inf,
        below: float = -np.inf,
    ) -> float:
        """Evaluate ``j``, known to be at least ``below``: its upper bound (inf when dead,
        unsure or above ``cap``)."""
        ev = self.state.evaluate(j, max(float(self.lower[j]), below), cap)
        if ev is None:
            self.kill(j)
            return np.inf
        if isinstance(ev, Above):
            self.lower[j] = max(self.lower[j], ev.lo)
            return np.inf
        if ev is UNSURE:
            unsure.append(j)
            return np.inf
        assert isinstance(ev, Eval)
        evals[j] = ev
        self.lower[j] = max(self.lower[j], ev.lo)
        if self.bounds:
            self.last_rate[j] = ev.rate
            self.out.records.append(Record(j, self.t, float(self.lower[j]), ev.rate))
        return ev.hi

    def contest(
        self, cand: NDArray[np.int64], floor: FloatArray | None = None
    ) -> tuple[int, Eval] | None:
        """The round's winner among ``cand`` (lowest factor, ties by rank), or None.

        ``floor``: further lower bounds on this round's factors (from a run at a smaller
        budget, see :func:`._es_skip.add1`); a project whose bound exceeds the best upper
        bound found is not evaluated.
        """
        lower = self.lower
        key = lower[cand] if floor is None else np.maximum(lower[cand], floor[cand])
        order = np.argsort(key, kind="stable")  # ``cand`` comes in rank order
        cand, key = cand[order], key[order]
        best_hi = np.inf
        evals: dict[int, Eval] = {}
        unsure: list[int] = []
        rest = 0
        for rest, (j, low) in enumerate(zip(cand.tolist(), key.tolist(), strict=True), start=1):
            if low > best_hi:
                rest -= 1
                break
            cap = np.inf if self.bounds else best_hi
            best_hi = min(best_hi, self.look(j, evals, unsure, cap, low))
        if self.bounds and self.state.horizons is not None:
            h = min(_EAGER, self.state.n_h - 1)
            reach = self.state.horizons[h]
            for j in cand[rest:].tolist():
                if lower[j] - self.last_rate[j, h] * reach <= best_hi:
                    self.look(j, evals, unsure)
        contenders = [j for j in evals if lower[j] <= best_hi] + unsure
        if not contenders:
            return None
        if len(contenders) == 1 and not unsure:
            return contenders[0], evals[contenders[0]]
        return self.settle(contenders, evals)

    def settle(self, contenders: list[int], evals: dict[int, Eval]) -> tuple[int, Eval] | None:
        """Decide a close round in exact arithmetic."""
        self.out.exact_calls += 1
        live = []
        for j in contenders:
            q = self.state.exact_rho(j)
            if q is None:
                self.kill(j, exactly=True)
                continue
            self.lower[j] = max(self.lower[j], float(q) * (1 - REL))
            live.append((q, int(self.bal.rank[j]), j))
            if self.bounds:
                rate = evals[j].rate if j in evals else self.state.unknown_rate()
                self.out.records.append(Record(j, self.t, float(q), rate, exact=True))
        if not live:
            return None
        q_w, _, w = min(live)
        tied = tuple(sorted(j for q, _, j in live if q == q_w and j != w))
        if tied:
            self.out.ties[self.t] = tied
        rate_w = evals[w].rate if w in evals else self.state.unknown_rate()
        return w, Eval(float(q_w), float(q_w), float(q_w) * (1 + REL), rate_w)

    def fund(self, w: int, rho: float, paid: float, hi: float, fall: FloatArray) -> None:
        bal, out = self.bal, self.out
        self.funded[w] = True
        self.active[w] = False
        out.ends[w] = self.t
        out.trace.append((w, rho, paid))
        out.winners_hi.append(hi)
        out.winners_fall.append(fall)
        for k in bal.excludes[w]:
            if not self.funded[k] and not self.excluded[k]:
                self.excluded[k] = True
                self.active[k] = False
                out.ends.setdefault(k, self.t + 1)
        for k in bal.required_by[w]:
            self.missing[k] -= 1
            if self.missing[k] == 0:
                out.opened[k] = self.t + 1
                self.active[k] = bal.supported[k] and not (
                    self.funded[k] or self.dead[k] or self.excluded[k]
                )
        self.t += 1


def run(
    bal: Ballots,
    per_voter: float,
    per_voter_q: Fraction | None = None,
    *,
    horizons: FloatArray | None = None,
    hints: Sequence[FloatArray] = (),
    expect: Sequence[int] = (),
    floors: bool = False,
) -> RunResult:
    """Equal Shares with every voter starting at ``per_voter`` (exactly ``per_voter_q``).

    ``horizons``: budget increases for which to record skip bounds (none by default).
    ``hints[t]``: lower bounds on every project's factor at round ``t``, valid as long as
    the run funds ``expect[:t]`` first (the ``floors`` of a run at a larger budget, see
    :mod:`._es_skip`); from the first round that funds anything else on they are
    dropped. They only spare evaluations: the outcome is the one without them.
    ``floors``: keep, per round, lower bounds on every project's factor in ``floors``.
    """
    start = exact(per_voter) if per_voter_q is None else per_voter_q
    state = Budgets(bal, per_voter, start, horizons)
    r = _Run(bal, state)
    no_fall = np.zeros(state.n_h)
    follow = min(len(hints), len(expect))  # rounds the hints still cover
    any_free = bool(bal.free.any())
    by_rank = bal.by_rank
    while True:
        hint = hints[r.t] if r.t < follow else None
        free = np.flatnonzero(r.active & bal.free) if any_free else ()
        if len(free):  # free projects cost nothing and go first, in rank order
            w = int(free[np.argmin(bal.rank[free])])
            if floors:
                r.out.floors.append(r.floor(hint))
            if r.t < follow and w != expect[r.t]:  # pragma: no cover - same state, same choice
                follow = 0
            r.fund(w, 0.0, 0.0, -np.inf, no_fall)
            continue
        cand = by_rank[r.active[by_rank]]
        if cand.size == 0:
            break
        won = r.contest(cand, hint)
        if won is None:
            if not r.active.any():
                break
            continue
        w, ev = won
        if floors:
            r.out.floors.append(r.floor(hint))
        if r.t < follow and w != expect[r.t]:
            follow = 0
        paid, fall = state.pay(w, ev)
        r.fund(w, ev.rho, paid, ev.hi, fall)
    r.finish()
    return r.out
