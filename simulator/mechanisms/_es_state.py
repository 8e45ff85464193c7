"""Voters' budgets during one Equal Shares run: price factors, payments, skip bounds.

Price factors are computed in floating point with an error bound; a caller that
finds two of them within each other's error asks :meth:`Budgets.exact_rho`, which
recomputes in exact rational arithmetic (:mod:`._es_exact`).

With ``horizons`` the state also keeps, per horizon ``E`` and per voter, an upper
rate ``beta`` and a lower rate ``ell`` for how fast the voter's budget at this round
grows when every starting budget grows by ``e <= E`` (see :mod:`._es_skip`).

Examples
--------
>>> import numpy as np
>>> from fractions import Fraction
>>> from plurisim.mechanisms._es_run import prepare
>>> from plurisim.mechanisms._es_state import Budgets
>>> bal = prepare(np.array([3.0]), np.ones((2, 1)), np.ones(2), [], [], np.arange(1))
>>> state = Budgets(bal, 2.0, Fraction(2), None)
>>> ev = state.evaluate(0)
>>> ev.rho, state.exact_rho(0)
(1.5, Fraction(3, 2))
>>> state.pay(0, ev)[0], state.x.tolist()
(3.0, [0.5, 0.5])
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from plurisim.mechanisms._es_exact import ClassBook

if TYPE_CHECKING:
    from plurisim.mechanisms._es_run import Ballots

__all__ = ["REL", "UNSURE", "Above", "Budgets", "Eval"]

REL = 1e-9  # relative width of the window in which float decisions are re-checked exactly
_GROW = 1 + 1e-6  # margin on every rate

FloatArray = NDArray[np.float64]


@dataclass
class Eval:
    """A price factor ``rho`` in ``[lo, hi]``, and per horizon how fast it can fall."""

    rho: float
    lo: float
    hi: float
    rate: FloatArray


UNSURE = object()  # the supporters hold, within rounding error, exactly the cost
_NO_RATE = np.zeros(0)


@dataclass
class Above:
    """The factor is at least ``lo``, already above the round's best: no contender."""

    lo: float


class Budgets:
    """Budgets of every voter during one run, starting at ``per_voter`` each."""

    def __init__(
        self, bal: Ballots, per_voter: float, per_voter_q: Fraction, horizons: FloatArray | None
    ) -> None:
        self.bal = bal
        n = bal.mult.size
        self.x = np.full(n, float(per_voter))
        self.scale = abs(float(per_voter))
        self.horizons = horizons
        self.n_h = 0 if horizons is None else horizons.size
        # horizon-major: row h holds every voter's rate for horizon h
        self.beta = np.ones((self.n_h, n))
        self.ell = np.ones((self.n_h, n))
        self.per_voter_q = per_voter_q
        self.book: ClassBook | None = None
        self.booked = 0
        self.paid_for: list[int] = []  # funded costly projects, in order

    def unknown_rate(self) -> FloatArray:
        return np.full(self.n_h, np.inf)

    def evaluate(
        self, j: int, below: float = 0.0, cap: float = np.inf
    ) -> Eval | Above | object | None:
        """Price factor of ``j``; None if unaffordable, :data:`UNSURE` if too close to call.

        ``below`` is a known lower bound on the factor. From any ``r`` at or below the
        factor, ``(c - money of those who cannot pay r u) / (utility of the others)`` is
        again at or below it and at least ``r``; repeating until nobody new falls short
        ends exactly at the factor, with no sorting. Once that lower bound passes
        ``cap`` the project cannot win the round: the result is :class:`Above`.
        """
        bal = self.bal
        s = bal.supp[j]
        xs = self.x[s]
        c = bal.cost_l[j]
        unit = bal.unit_l[j]
        wx = xs if unit else bal.wm[j] * xs
        avail = float(wx.sum())
        tol = REL * (c + avail + self.scale * bal.wsum_l[j])
        if avail < c - tol:
            return None
        if avail <= c + tol:
            return UNSURE
        total_w = bal.total_wu_l[j]
        u0 = bal.u0_l[j]
        uniform = u0 == u0  # every supporter has the same utility (u0 is not NaN)
        u = bal.util[j]
        count_nonzero = np.count_nonzero
        rho = max(below, c / total_w)
        poor = xs < rho * u0 if uniform else xs < rho * u
        count = count_nonzero(poor)
        paid, rich_w = 0.0, total_w
        for _ in range(64):
            if count:
                paid = float(wx.dot(poor))
                if uniform:
                    rich_w = total_w - u0 * (count if unit else float(bal.wm[j].dot(poor)))
                else:
                    rich_w = total_w - float(bal.wu[j].dot(poor))
                if rich_w <= 0:  # pragma: no cover - only from a start above the factor
                    return self._sorted(j)
            rho = max(rho, (c - paid) / rich_w)
            if rho * (1 - REL) > cap:
                return Above(rho * (1 - REL))
            poor = xs < rho * u0 if uniform else xs < rho * u
            now = count_nonzero(poor)
            if now == count:  # the set only grows, so equal counts mean equal sets
                break
            count = now
        else:  # pragma: no cover - a long cascade: fall back to the sorted scan
            return self._sorted(j)
        poor_w = float(count) if unit else float(bal.wm[j].dot(poor))
        err = REL * (c + paid + self.scale * poor_w) / rich_w
        rate = _NO_RATE
        if self.n_h:
            # Voters who cannot pay (about) rho * u gain from extra money; the rich set
            # the slope just below rho.
            edge = xs < (rho * (1 + REL) + err) * u
            rest = total_w - float(bal.wu[j] @ edge)
            if rest <= 0:
                rate = self.unknown_rate()
            else:
                rows = np.take(self.beta, s[edge], axis=1)
                paying = rows.sum(axis=1) if unit else rows @ bal.wm[j][edge]
                rate = paying / rest * _GROW
        return Eval(rho, rho - err, rho + err, rate)

    def _sorted(self, j: int) -> Eval:
        bal = self.bal
        s, wm = bal.supp[j], bal.wm[j]
        xs = self.x[s]
        c = float(bal.costs[j])
        ratio = xs / bal.util[j]
        order = np.argsort(ratio, kind="stable")
        wmo = wm[order]
        paid = np.concatenate(([0.0], np.cumsum(wmo * xs[order])[:-1]))
        remw = np.cumsum(bal.wu[j][order][::-1])[::-1]
        rho_k = (c - paid) / remw
        k = int(np.argmax(rho_k <= ratio[order]))
        rho = float(rho_k[k])
        err = REL * (c + paid[k] + self.scale * float(wmo[:k].sum())) / remw[k]
        return Eval(rho, rho - err, rho + err, self.unknown_rate())

    def dead_gap(self, j: int) -> tuple[float, FloatArray]:
        """How far ``j``'s supporters are short of its cost, and how fast their money grows."""
        bal = self.bal
        s = bal.supp[j]
        c = float(bal.costs[j])
        avail = float(bal.wm[j] @ self.x[s])
        tol = REL * (c + avail + self.scale * float(bal.wm[j].sum()))
        return c - avail - tol, (np.take(self.beta, s, axis=1) @ bal.wm[j]) * _GROW

    def snapshot(self, j: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """``j``'s supporters now: budgets, upper growth rates, utilities, multiplicities."""
        s = self.bal.supp[j]
        return self.x[s], np.take(self.beta, s, axis=1) * _GROW, self.bal.util[j], self.bal.wm[j]

    def pay(self, w: int, ev: Eval) -> tuple[float, FloatArray]:
        """Supporters of ``w`` pay ``min(budget, rho * u)``: (total paid, winner's fall rates).

        A supporter's upper rate becomes ``beta + u * rate`` less what it was short of its
        share, spread over the horizon (a voter who could not pay gains nothing until the
        extra money covers the shortfall); its lower rate gains ``u * fall`` if it paid in
        full, else drops to 0.
        """
        bal = self.bal
        s, u = bal.supp[w], bal.util[w]
        xs = self.x[s]
        u0 = bal.u0_l[w]
        share = ev.rho * (u0 if u0 == u0 else u)  # a number when every utility is u0
        pay = np.minimum(xs, share)
        fall = np.zeros(self.n_h)
        if self.n_h and self.horizons is not None:
            fall = self.falls(w, ev)
            short = np.maximum(share - xs - REL * (share + xs), 0.0)
            grown = np.take(self.beta, s, axis=1) + ev.rate[:, None] * u[None, :]
            self.beta[:, s] = np.maximum(grown - short[None, :] / self.horizons[:, None], 0.0)
            full = share < xs * (1 - REL)
            ell = np.take(self.ell, s, axis=1) + fall[:, None] * u[None, :]
            self.ell[:, s] = np.where(full[None, :], ell, 0.0)
        self.x[s] = xs - pay
        self.paid_for.append(w)
        return float(pay.sum() if bal.unit_l[w] else bal.wm[w] @ pay), fall

    def falls(self, w: int, ev: Eval) -> FloatArray:
        """Per horizon ``E``: a rate ``lam`` with ``rho(e) <= hi - lam * e`` on ``[0, E]``.

        Budgets grow by at least ``ell * e``; the winner's factor computed with only that
        extra is convex in ``e`` (the lower edge of a convex set) and bounds the true one
        from above, so it lies below its chord on ``[0, E]``. Any ``r`` the supporters can
        afford with budgets ``x + ell * E`` bounds the chord's end: try fractions of the
        first-order fall.
        """
        assert self.horizons is not None
        bal = self.bal
        s, u, wm = bal.supp[w], bal.util[w], bal.wm[w]
        c = float(bal.costs[w])
        xs = self.x[s]
        poor = xs < ev.rho * u
        rich_w = float(bal.wu[w][~poor].sum())
        if rich_w <= 0 or not poor.any():
            return np.zeros(self.n_h)
        ell = np.take(self.ell, s, axis=1)  # (H, S)
        first = (ell[:, poor] @ wm[poor]) / rich_w  # first-order fall, per horizon
        theta = np.array([1.0, 0.8, 0.6, 0.4, 0.2])
        lam = first[:, None] * theta[None, :]  # (H, T)
        r = ev.hi - lam * self.horizons[:, None]
        grown = xs[None, :] + ell * self.horizons[:, None]  # (H, S)
        have = np.minimum(grown[:, None, :], r[:, :, None] * u[None, None, :]) @ wm
        ok = (have >= c * (1 + REL) + REL * self.scale * float(wm.sum())) & (r > 0)
        return np.where(ok, lam, 0.0).max(axis=1) / _GROW

    def exact_rho(self, j: int) -> Fraction | None:
        """Exact price factor of ``j`` now (None if its supporters cannot afford it)."""
        bal = self.bal
        if self.book is None:
            self.book = ClassBook(bal.mult.size, self.per_voter_q)
        for k in self.paid_for[self.booked :]:
            self.book.fund(bal.costs_q[k], bal.supp[k], bal.level[k], bal.levels_q[k], bal.mult_int)
        self.booked = len(self.paid_for)
        return self.book.rho(
            bal.costs_q[j], bal.supp[j], bal.level[j], bal.levels_q[j], bal.mult_int
        )
