"""The add1 completion of Equal Shares, skipping budget steps that cannot matter.

add1 (equalshares.net; pabutools' ``voter_budget_increment``) reruns Equal Shares
with every voter's starting budget raised by one currency unit at a time, and keeps
the last outcome that does not overspend the real budget, stopping early once an
outcome is exhaustive. This module computes, from one run, a budget increase ``e*``
below which the run's funding sequence provably stays the same, and jumps straight
to the first step at or beyond it.

Why the bound holds. Fix the funding sequence and raise every starting budget by
``e >= 0``. Then (by induction over rounds):

* every voter's budget at every round can only grow (a larger budget lowers the
  funded project's price factor, so everyone keeps more), hence every project's
  price factor can only fall: the winner of a round stays at or below its old factor;
* a voter's budget grows by at most ``beta_i * e``, where ``beta_i`` starts at 1 and
  grows by ``u_ij * alpha_j`` whenever the voter pays for ``j``;
* a price factor falls by at most ``e * gamma``, with
  ``gamma = sum_{i poor} m_i beta_i / sum_{i rich} m_i u_ij``: ``f(r) = sum_i m_i
  min(x_i, r u_ij)`` is concave, only voters who cannot pay ``r u_ij`` gain from extra
  money, and the rich supporters set ``f``'s slope just below the old factor
  (``alpha_j`` is the winner's own ``gamma``).

So a project that lost round ``t`` with factor at least ``lo`` keeps losing while
``lo - gamma e`` exceeds the winner's old factor, and a project its supporters could
not afford, ``s`` short, stays unaffordable while their total ``beta`` times ``e`` is
below ``s``. The smallest such ``e`` over every record of a run is ``e*``: below it
nothing in the run can change. Projects that were not re-evaluated in a round keep
the bound from their last evaluation, which stays valid since factors only grow
from round to round.

Runs in blocks. Where the funding order changes every step or two (large elections
with cost utilities), no bound can certify a jump, and every step must be run. Those
steps are run in blocks, from the largest budget down: by the same monotonicity, a
project's factor at a round is at least its factor with more money, so the lower
bounds the run one step above kept per round (``floors``, +inf for a project its
supporters could no longer afford) are lower bounds here too, as long as both runs
funded the same projects in the same order so far. A project whose bound is above the
round's best is then not evaluated at all; the run's outcome is the one without them.

Examples
--------
>>> import numpy as np
>>> from fractions import Fraction
>>> from plurisim.mechanisms._es_run import prepare
>>> from plurisim.mechanisms._es_skip import add1
>>> costs = np.array([8.0, 2.0, 9.0])
>>> approvals = np.array([[1, 1, 1], [0, 1, 0], [0, 0, 0], [1, 1, 0]])
>>> bal = prepare(costs, approvals * costs, np.ones(4), [], [], np.arange(3))
>>> done = add1(bal, Fraction(13), Fraction(1))
>>> done.run.selection.tolist(), done.increments, done.evaluated, done.skipped
([True, True, False], 2, 2, 1)
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from plurisim.mechanisms._es_run import Ballots, Record, RunResult, run

__all__ = ["Completion", "add1", "exhaustive", "feasible", "safe_increase"]

_SAFETY = 1e-6  # relative margin taken off every float bound
_HORIZONS = np.array([1.0, 2.0, 4.0])  # times the last jump (at least 2 steps)
_PAYS_OFF = 12  # a bounded run costs about as much as this many plain steps
_MAX_COOL = 32  # blocks
_BLOCK = 12  # steps run together, from the largest budget down


def safe_increase(res: RunResult, bal: Ballots, horizons: np.ndarray) -> float:
    """``e*``: raising every starting budget by less than this changes nothing in ``res``.

    ``res`` must come from ``run(..., horizons=horizons)``; its bounds for horizon ``E``
    hold for increases up to ``E``, so each horizon certifies ``min(E, e*(E))``.
    """
    wins = np.array(res.winners_hi, dtype=float)
    n_rounds, n_h = wins.size, horizons.size
    falls = np.array(res.winners_fall, dtype=float).reshape(n_rounds, n_h)
    rhos = np.array([rho for _, rho, _ in res.trace], dtype=float)
    later = np.maximum.accumulate(np.append(wins, -np.inf)[::-1])[::-1]  # max over rounds >= t
    best = np.full(n_h, np.inf)
    gaps: list[np.ndarray] = []
    rates: list[np.ndarray] = []
    by_project: defaultdict[int, list[Record]] = defaultdict(list)
    for rec in res.records:
        by_project[rec.project].append(rec)
    for j, recs in by_project.items():
        end = res.ends.get(j, n_rounds)
        opened = res.opened.get(j, n_rounds)  # a project competes once its requirements are met
        for idx, rec in enumerate(recs):
            if rec.kind == "final":
                gaps.append(np.array([rec.value]))
                rates.append(rec.rate[None, :])
            elif rec.kind == "dead":
                np.minimum(
                    best, _revival(rec, float(bal.costs[j]), later[rec.start], horizons), out=best
                )
            else:
                stop = min(recs[idx + 1].start if idx + 1 < len(recs) else end, end)
                first = max(rec.start, opened)
                if rec.exact and first < stop:
                    # Settled exactly at its own round: the winner's factor was at most this
                    # one's (ties went to the winner), and a factor that cannot fall keeps it so.
                    gap = rec.value - rhos[first] - 1e-12 * abs(rhos[first])
                    gaps.append(np.array([max(gap, 0.0)]))
                    rates.append((rec.rate - falls[first])[None, :])
                    first += 1
                costly = np.flatnonzero(np.isfinite(wins[first:stop])) + first
                if costly.size:
                    gap = rec.value - wins[costly]
                    if (gap <= 0).any():  # at or below a winner's factor: anything may change
                        return 0.0
                    gaps.append(gap)
                    rates.append(rec.rate[None, :] - falls[costly])
    if gaps:
        gap = np.concatenate(gaps)[:, None]
        rate = np.vstack(rates)
        # Only an exactly settled tie (gap 0, the winner ahead on rank) or a final shortfall
        # of 0 reach here with gap <= 0: harmless unless the gap can close.
        if ((gap <= 0) & ((rate > 0) | (gap < 0))).any():
            return 0.0
        closing = rate > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(closing, gap / np.where(closing, rate, 1.0), np.inf)
        np.minimum(best, e.min(axis=0), out=best)
    return float(np.max(np.minimum(best * (1 - _SAFETY), horizons)))


def _revival(rec: Record, cost: float, top: float, horizons: np.ndarray) -> np.ndarray:
    """Per horizon, the increase below which a dead project cannot beat any later winner.

    To win a later round it must become affordable at a factor at most ``top`` (the
    largest later winning factor): ``sum_i m_i min(x_i + beta_i e, top u_i) >= cost``,
    with its supporters' budgets at the round it died (they only shrink later).
    """
    if not np.isfinite(top):
        return np.full(horizons.size, np.inf)
    assert rec.snap is not None
    xs, beta, u, wm = rec.snap
    cap = top * u * (1 + 1e-9)
    now = float(wm @ np.minimum(xs, cap))
    slope = beta @ (wm * (xs < cap))
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(slope > 0, (cost - now) / np.where(slope > 0, slope, 1.0), np.inf)
    reach = np.minimum(xs[None, :] + beta * horizons[:, None], cap[None, :]) @ wm
    return np.where(reach < cost * (1 - 1e-9), np.inf, np.maximum(e, 0.0))


def feasible(selection: np.ndarray, bal: Ballots, budget_q: Fraction) -> bool:
    """Whether the selection's exact cost is within the budget."""
    return sum((bal.costs_q[j] for j in np.flatnonzero(selection)), Fraction(0)) <= budget_q


def exhaustive(selection: np.ndarray, bal: Ballots, budget_q: Fraction) -> bool:
    """Whether no further fundable project fits (pabutools' test, blocked projects aside).

    Fundable: positive cost, someone gains from it, not excluded by a selected project,
    and every project it requires selected.
    """
    spent = sum((bal.costs_q[j] for j in np.flatnonzero(selection)), Fraction(0))
    for j in range(bal.m):
        if selection[j] or not bal.supported[j] or bal.costs[j] <= 0:
            continue
        if any(selection[k] for k in bal.excludes[j]):
            continue
        if not all(selection[k] for k in bal.requires[j]):
            continue
        if spent + bal.costs_q[j] <= budget_q:
            return False
    return True


@dataclass(frozen=True)
class Completion:
    """The outcome of the add1 completion."""

    run: RunResult  # the run at the final per-voter budget
    increments: int  # how many increments were added to the equal share
    evaluated: int  # budget steps that were run
    skipped: int  # budget steps proven not to change the outcome, never run


def add1(bal: Ballots, budget_q: Fraction, increment_q: Fraction) -> Completion:
    """The add1 completion of Equal Shares (pabutools' ``voter_budget_increment``).

    Steps ``k = 0, 1, 2, ...`` run Equal Shares with every voter starting at
    ``budget / n + k * increment``; the first step whose outcome overspends returns the
    previous step's outcome, and a step whose outcome is exhaustive returns its own.

    A run with skip bounds costs several plain runs. While they certify long jumps, every
    run has them; after one that certified little, steps are run in blocks without them
    (see :func:`_block`), and bounds are tried again once a few blocks have passed and
    the last one funded the same projects in the same order at every step (while the
    order keeps changing, no bound can certify a long jump). A block may run up to
    ``_BLOCK - 1`` steps past the one add1 stops at; they are not counted as evaluated.
    """
    start = budget_q / bal.n_voters
    delta = float(increment_q)
    reach = 2  # steps of the last jump; horizons are kept around it
    cool, wait = 0, 1  # blocks left before bounds are tried again; next cooling length
    steady = True  # the last block funded the same sequence at every step
    k, evaluated, skipped = 0, 0, 0
    prev: RunResult | None = None  # the outcome of step prev_k (run, or proven the same)
    prev_k = 0
    verdicts: dict[bytes, tuple[bool, bool]] = {}

    def settle(res: RunResult, step: int) -> Completion | None:
        """The completion if step ``step``, whose outcome is ``res``, ends add1; else None."""
        key = res.selection.tobytes()
        if key not in verdicts:
            ok = feasible(res.selection, bal, budget_q)
            verdicts[key] = (ok, ok and exhaustive(res.selection, bal, budget_q))
        ok, done = verdicts[key]
        if done:
            return Completion(res, step, evaluated, skipped)
        if ok:
            return None
        # Step ``step`` overspends: the outcome is the previous step's.
        assert prev is not None  # the first step never overspends
        if step - 1 == prev_k:
            return Completion(prev, prev_k, evaluated, skipped)
        last = start + (step - 1) * increment_q
        final = run(bal, float(last), last)
        if not np.array_equal(final.selection, prev.selection):  # pragma: no cover
            raise AssertionError("a skipped add1 step changed the outcome")
        return Completion(final, step - 1, evaluated + 1, skipped - 1)

    while True:
        if cool <= 0 and steady:
            per_voter = start + k * increment_q
            horizons = delta * reach * _HORIZONS
            res = run(bal, float(per_voter), per_voter, horizons=horizons)
            evaluated += 1
            if (end := settle(res, k)) is not None:
                return end
            e = safe_increase(res, bal, horizons)
            steps = math.floor(e / delta) + 1 if math.isfinite(e) else 1
            reach = max(2, steps)
            if steps >= _PAYS_OFF:
                wait = 1
            else:
                cool, wait = wait, min(2 * wait, _MAX_COOL)
            skipped += steps - 1
            prev, prev_k = res, k
            k += steps
            continue
        runs = _block(bal, start, increment_q, k, _BLOCK)
        steady = all(_order(res) == _order(runs[0]) for res in runs)
        for step, res in enumerate(runs, start=k):
            evaluated += 1
            if (end := settle(res, step)) is not None:
                return end
            prev, prev_k = res, step
        k += _BLOCK
        cool -= 1


def _order(res: RunResult) -> list[int]:
    return [j for j, _, _ in res.trace]


def _block(
    bal: Ballots, start: Fraction, increment_q: Fraction, k: int, size: int
) -> list[RunResult]:
    """Runs of steps ``k .. k + size - 1``, computed from the largest budget down.

    With the same funding order so far, more money leaves every voter at least as much at
    every round, so every price factor is at most what it is with less money (see the
    module docstring). So the factors' lower bounds a run keeps per round (``floors``) are
    lower bounds for the run one step below, for as long as that run funds the same
    projects: it need not evaluate a project whose bound is above the round's best.
    """
    out: list[RunResult] = []
    above: RunResult | None = None
    for step in range(k + size - 1, k - 1, -1):
        per_voter = start + step * increment_q
        hints, expect = ((), []) if above is None else (above.floors, _order(above))
        res = run(bal, float(per_voter), per_voter, hints=hints, expect=expect, floors=True)
        out.append(res)
        above = res
    return out[::-1]
