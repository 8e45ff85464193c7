"""Rule-based stakeholders: accept, state, demand, vote and offer by rule, for all at once.

A stakeholder values a package by its satisfaction ``s = (u - u(d)) / (u* - u(d))``
(``u*`` its ideal under the budget, ``d`` the disagreement point) and its Social
Value Orientation angle ``theta``::

    V = cos(theta) * s + sin(theta) * mean satisfaction the others stated

and accepts when ``V`` reaches its aspiration ``a(t) = phi + (1 - phi)(1 - (t/R)^(1/e))``
and it is at least as well off as under the disagreement point (``acceptance="strict"``:
better off, unless it cannot gain at all). It states its satisfaction truthfully. A
stakeholder that rejects names a demand: the intervention to add (or a one-for-one
swap) with the best gain per unit of cost for itself. A voter of a real election (a
ballot problem with one stakeholder per voter) only asks to add a project: the one on
its ballot with the best utility per unit of cost.

In the single negotiation text, it accepts a mutation it values at least as much,
and a worse one with probability ``exp(-loss / T(t))``, ``T`` falling linearly from
``temperature`` to 0 (Klein et al. 2003). In alternating offers it offers the
package maximizing the smallest satisfaction it estimates for the others (from the
public estimator), among those whose satisfaction for itself reaches its
aspiration. After agreement it accepts a proposed improvement when it is at least as
well off.

Everything is vectorized over the stakeholders; each reads only its own private
arrays and what the others said.

Examples
--------
>>> from plurisim import NegotiationModel, scenarios
>>> model = NegotiationModel(scenarios.load("toy-park"), seed=0)
>>> r = RuleBasedStakeholders().respond(model, model.disagreement.mask)
>>> bool(r.accept.any())  # before round 1 aspirations are 1: nobody accepts it
False
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.messages import Demand, Responses
from plurisim.negotiation.policies import StakeholderPolicy
from plurisim.negotiation.units import FLAT, Units, aspiration
from plurisim.packages import blocked, swap_feasibility
from plurisim.problem import Problem

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["RuleBasedStakeholders", "compute_demands", "demand_options", "values_of"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
BIG = 1e9  # ranks self-funding swaps above any ratio
TOL = 1e-9
GAIN_EPS = 1e-12  # a smaller gain is no gain
Kept = tuple[NDArray[np.intp], NDArray[np.intp]]  # the adds and the swaps worth weighing
CHUNK = 4096  # stakeholders weighed at once (bounds the memory of the score matrices)
PRUNE_ABOVE = 200_000  # stakeholders x swaps beyond which dominated swaps are left out


def values_of(units: Units, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``V = cos(theta) s + sin(theta) others`` and ``others``, the mean of the others' ``s``."""
    n = s.size
    others = (s.sum() - s) / (n - 1) if n > 1 else np.zeros(n)
    return np.cos(units.angle) * s + np.sin(units.angle) * others, others


class RuleBasedStakeholders(StakeholderPolicy):
    """The rule-based policy of every stakeholder (see the module docstring)."""

    name = "rule-based"

    def satisfaction(self, model: Negotiation, x: BoolArray) -> tuple[FloatArray, FloatArray]:
        """Each stakeholder's perceived utility and stated satisfaction under ``x``."""
        units = model.units
        u = units.utilities(model.problem, x)
        units.observe(u)
        return u, units.satisfaction(u)

    def rational(self, model: Negotiation, u: FloatArray) -> BoolArray:
        """Whether each stakeholder is (weakly or strictly) better off than without agreement."""
        units = model.units
        tol = TOL * np.maximum(1.0, np.abs(units.reserve))
        if model.params.acceptance == "strict":
            return (u > units.reserve + tol) | (units.flat & (u >= units.reserve - tol))
        return u >= units.reserve - tol

    def respond(
        self, model: Negotiation, proposal: BoolArray, *, demands: bool = True
    ) -> Responses:
        units, prm = model.units, model.params
        u, s = self.satisfaction(model, proposal)
        value, others = values_of(units, s)
        a = aspiration(model.round, prm.rounds, units.exponent, prm.aspiration_floor)
        accept = (value >= a - 1e-12) & self.rational(model, u)
        n = s.size
        add = np.full(n, -1, dtype=np.intp)
        drop = np.full(n, -1, dtype=np.intp)
        gain = np.zeros(n)
        net = np.zeros(n)
        who = np.flatnonzero(~accept)
        if demands and who.size:
            add[who], drop[who], gain[who], net[who] = compute_demands(
                model.problem, units, proposal, who
            )
        return Responses(
            stated=s,
            others=others,
            value=value,
            aspiration=a,
            accept=accept,
            demand_add=add,
            demand_drop=drop,
            demand_gain=gain,
            demand_net=net,
        )

    def vote(self, model: Negotiation, current: BoolArray, candidate: BoolArray) -> BoolArray:
        units, prm = model.units, model.params
        _, s_now = self.satisfaction(model, current)
        _, s_new = self.satisfaction(model, candidate)
        v_now, _ = values_of(units, s_now)
        v_new, _ = values_of(units, s_new)
        loss = v_now - v_new
        temperature = prm.temperature * max(0.0, 1.0 - model.round / prm.rounds)
        draw = model.rng.random(loss.size)
        if temperature <= 0:
            return loss <= 1e-12
        return (loss <= 1e-12) | (draw < np.exp(-np.maximum(loss, 0.0) / temperature))

    def offer(self, model: Negotiation, group: int) -> BoolArray:
        prm, view = model.params, model.view
        weights = view.group_weights().copy()
        reserve = view.reserve(weights).copy()
        span = view.ideals(weights) - reserve
        # its own side it knows; the others' it only estimates
        weights[group] = model.problem.weights[group]
        reserve[group] = model.group_reserve[group]
        span[group] = model.group_ideal[group] - model.group_reserve[group]
        span = np.where(span > FLAT, span, 0.0)
        floor = aspiration(
            model.round, prm.rounds, np.array([prm.concession[group]]), prm.aspiration_floor
        )[0]
        return model.search.maximin_others(weights, reserve, span, group, float(floor))

    def judge(self, model: Negotiation, current: BoolArray, candidate: BoolArray) -> BoolArray:
        units = model.units
        now = units.utilities(model.problem, current)
        new = units.utilities(model.problem, candidate)
        return new >= now - TOL * np.maximum(1.0, np.abs(now))


def _score(gain: FloatArray, net: FloatArray) -> FloatArray:
    """Gain per unit of net cost; self-funding options (net <= 0) rank above all; no gain: -inf."""
    pos = net > 0
    if pos.all():
        score = np.asarray(gain / net, dtype=float)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.asarray(gain / np.where(pos, net, 1.0), dtype=float)
        np.copyto(score, BIG + gain, where=np.broadcast_to(~pos, score.shape))
    np.copyto(score, -np.inf, where=~(gain > GAIN_EPS))
    return score


def compute_demands(
    problem: Problem, units: Units, x: NDArray[np.bool_], who: NDArray[np.intp], k: int = 3
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray]:
    """Each stakeholder in ``who``: the add or one-for-one swap with the best gain per cost.

    Returns arrays over ``who``: the intervention to add (-1: no demand), the one to
    drop (-1: none), the stakeholder's gain, and the net cost. Adds need not fit the
    remaining budget (the mediator looks for funding); swaps must fit. When everyone
    in a group sees the same effects, every feasible swap is weighed (one matrix
    product per group); when beliefs differ by person, swaps are tried between each
    stakeholder's ``k`` best additions and ``k`` least costly removals.
    """
    p = problem
    if units.ballots is not None:
        return _ballot_demands(p, units, x, who)
    r_n = who.size
    pick_add = np.full(r_n, -1, dtype=np.intp)
    pick_drop = np.full(r_n, -1, dtype=np.intp)
    pick_gain = np.zeros(r_n)
    pick_net = np.zeros(r_n)
    addable = np.flatnonzero(~x & ~blocked(p, x))
    if addable.size == 0:
        return pick_add, pick_drop, pick_gain, pick_net
    held = np.flatnonzero(x)
    feasible = (
        swap_feasibility(p, x, held, addable) if held.size else np.zeros((0, addable.size), bool)
    )
    if units.beliefs is not None:
        return _demands_with_beliefs(p, units, x, who, k, addable, held, feasible)
    pair_drop, pair_add = np.nonzero(feasible)  # indices into held, addable
    add_net = p.costs[addable]
    swap_net = p.costs[addable[pair_add]] - p.costs[held[pair_drop]]
    xf = x.astype(float)
    for g in np.unique(units.group[who]):
        rows = np.flatnonzero(units.group[who] == g)
        e = p.effects[g]
        raw = p.baseline[g] + xf @ e
        now = np.minimum(raw, p.caps)
        add_delta = np.minimum(raw + e[addable], p.caps) - now  # (J, d)
        swap_delta = np.minimum(raw - e[held[pair_drop]] + e[addable[pair_add]], p.caps) - now
        w_all = units.weights[who[rows]]
        # With many stakeholders, weigh only the options no other option beats for every
        # weighting with the same zero weights (the others cannot be anyone's best);
        # rows the shortcut cannot settle are weighed against every option.
        prune = rows.size * (addable.size + pair_add.size) > PRUNE_ABOVE
        # Zero-weight patterns as bit codes: rows alike in which criteria they ignore.
        codes = (w_all > 0) @ (1 << np.arange(w_all.shape[1]))
        for code in np.unique(codes) if prune else [None]:
            rows_k = np.flatnonzero(codes == code) if prune else np.arange(rows.size)
            keep = None
            if code is not None:
                on = (int(code) >> np.arange(w_all.shape[1])) & 1 == 1
                keep = (
                    _undominated(add_delta[:, on], add_net),
                    _undominated(swap_delta[:, on], swap_net),
                )
            for lo in range(0, rows_k.size, CHUNK):
                part = rows_k[lo : lo + CHUNK]
                _pick(
                    (pick_add, pick_drop, pick_gain, pick_net),
                    rows[part],
                    w_all[part],
                    (add_delta, add_net, swap_delta, swap_net, keep),
                    (addable, held, pair_add, pair_drop),
                )
    return pick_add, pick_drop, pick_gain, pick_net


def _pick(
    picks: tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray],
    at: NDArray[np.intp],
    w: FloatArray,
    options: tuple[FloatArray, FloatArray, FloatArray, FloatArray, Kept | None],
    index: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]],
) -> None:
    """Write the best demand of the stakeholders at ``at`` (weights ``w``) into ``picks``."""
    add_delta, add_net, swap_delta, swap_net, keep = options
    addable, held, pair_add, pair_drop = index
    out: list[Any] = list(_best_demands(w, add_delta, add_net, swap_delta, swap_net, keep))
    if keep is not None and not out[4].all():  # out[4]: settled
        redo = ~out[4]
        full = _best_demands(w[redo], add_delta, add_net, swap_delta, swap_net, None)
        for arr, val in zip(out, full, strict=True):
            arr[redo] = val
    best_add, best_pair, best_gain, best_net, _, ok = out
    add_, drop_ = addable[best_add], np.full(best_add.size, -1, dtype=np.intp)
    if pair_add.size:
        pair = np.maximum(best_pair, 0)
        add_ = np.where(best_pair >= 0, addable[pair_add[pair]], add_)
        drop_ = np.where(best_pair >= 0, held[pair_drop[pair]], drop_)
    pick_add, pick_drop, pick_gain, pick_net = picks
    pick_add[at] = np.where(ok, add_, -1)
    pick_drop[at] = np.where(ok, drop_, -1)
    pick_gain[at] = best_gain
    pick_net[at] = best_net


def _settled(top: FloatArray, nets: FloatArray) -> NDArray[np.bool_]:
    """Rows whose best kept option is surely their best of all.

    An option left out is beaten, for every weighting, by a kept one; it can rank above
    the kept ones only if that kept option gained (almost) nothing: then the row
    weighs every option.
    """
    priced = nets > 0
    floor = GAIN_EPS / nets[priced].min() if priced.any() else -np.inf
    return np.isfinite(top) & ((top >= BIG) | (top > floor))


def _undominated(delta: FloatArray, net: FloatArray) -> NDArray[np.intp]:
    """Options (adds or swaps) that no other option of the same kind beats for every weighting.

    Self-funding options (net cost <= 0) rank by gain, ``w . delta``; the others by
    gain per cost, ``w . delta / net``. ``delta`` holds only the criteria of positive
    weight: an option whose vector another one's is at least as large as on all of
    them, and larger on one, never ranks first; equal vectors are all kept (the first
    wins ties).
    """
    out = []
    for part in (np.flatnonzero(net <= 0), np.flatnonzero(net > 0)):
        if part.size == 0:
            continue
        v = delta[part] if net[part[0]] <= 0 else delta[part] / net[part][:, None]
        geq = np.ones((part.size, part.size), dtype=bool)
        gt = np.zeros((part.size, part.size), dtype=bool)
        for k in range(v.shape[1]):
            col = v[:, k]
            geq &= col[:, None] >= col[None, :]
            gt |= col[:, None] > col[None, :]
        out.append(part[~np.any(geq & gt, axis=0)])
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=np.intp)


def _best_demands(
    w: FloatArray,
    add_delta: FloatArray,
    add_net: FloatArray,
    swap_delta: FloatArray,
    swap_net: FloatArray,
    keep: Kept | None,
) -> tuple[
    NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray, NDArray[np.bool_], NDArray[np.bool_]
]:
    """Each row's best add (index into the adds) and best swap (index into the pairs, or -1
    when the add is better), the gain and net cost of the better one, whether the row is
    settled when only the ``keep`` options were weighed, and whether it has a demand at all.
    """
    r = np.arange(w.shape[0])
    cols = np.arange(add_net.size) if keep is None else keep[0]
    add_gain = w @ np.ascontiguousarray(add_delta[cols].T)  # (R, J)
    score = _score(add_gain, add_net[cols][None, :])
    at = score.argmax(axis=1)
    best, best_score = cols[at], score[r, at]
    best_gain, best_net = add_gain[r, at], add_net[best]
    settled = _settled(best_score, add_net[cols]) if keep is not None else np.ones(r.size, bool)
    best_pair = np.full(r.size, -1, dtype=np.intp)
    if swap_net.size:
        cols = np.arange(swap_net.size) if keep is None else keep[1]
        swap_gain = w @ np.ascontiguousarray(swap_delta[cols].T)  # (R, P)
        s_score = _score(swap_gain, swap_net[cols][None, :])
        s_best = s_score.argmax(axis=1)
        s_top = s_score[r, s_best]
        if keep is not None:
            settled &= _settled(s_top, swap_net[cols])
        better = s_top > best_score
        best_pair = np.where(better, cols[s_best], -1)
        best_gain = np.where(better, swap_gain[r, s_best], best_gain)
        best_net = np.where(better, swap_net[cols][s_best], best_net)
        best_score = np.maximum(best_score, s_top)
    return best, best_pair, best_gain, best_net, settled, np.isfinite(best_score)


def _ballot_demands(
    p: Problem, units: Units, x: NDArray[np.bool_], who: NDArray[np.intp]
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray]:
    """Voters' demands: the addable project on each ballot with the best utility per cost."""
    assert units.ballots is not None
    b = units.ballots
    r_n = who.size
    pick_add = np.full(r_n, -1, dtype=np.intp)
    pick_gain = np.zeros(r_n)
    pick_net = np.zeros(r_n)
    sub = b.utilities[who]
    lengths = np.diff(sub.indptr)
    if sub.nnz == 0:
        return pick_add, np.full(r_n, -1, dtype=np.intp), pick_gain, pick_net
    cols = sub.indices
    rows = np.repeat(np.arange(r_n), lengths)
    addable = ~x & ~blocked(p, x)
    gain = sub.data * b.scale * units.weights[who, 0][rows]
    cost = p.costs[cols]
    score = np.where(addable[cols], _score(gain, cost), -np.inf)
    order = np.lexsort((cols, -score, rows))  # best first within each voter's row
    has = lengths > 0
    best = order[sub.indptr[:-1][has]]
    good = np.isfinite(score[best])
    at, best = np.flatnonzero(has)[good], best[good]
    pick_add[at] = cols[best]
    pick_gain[at] = gain[best]
    pick_net[at] = cost[best]
    return pick_add, np.full(r_n, -1, dtype=np.intp), pick_gain, pick_net


def _demands_with_beliefs(
    p: Problem,
    units: Units,
    x: NDArray[np.bool_],
    who: NDArray[np.intp],
    k: int,
    addable: NDArray[np.intp],
    held: NDArray[np.intp],
    feasible: NDArray[np.bool_],
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray]:
    """Demands when each person believes effects of their own (top-k swaps per person)."""
    assert units.beliefs is not None
    r_idx = np.arange(who.size)
    w = units.weights[who]
    eff = p.effects[units.group[who]] * units.beliefs[who][:, :, None]  # (R, m, d)
    raw = p.baseline[units.group[who]] + np.einsum("m,rmk->rk", x.astype(float), eff)
    caps = p.caps
    now = np.einsum("rk,rk->r", np.minimum(raw, caps), w)
    add_gain = (
        np.einsum("rjk,rk->rj", np.minimum(raw[:, None, :] + eff[:, addable, :], caps), w)
        - now[:, None]
    )
    add_cost = p.costs[addable]
    add_score = _score(add_gain, add_cost[None, :])
    best_at = add_score.argmax(axis=1)
    best_score = add_score[r_idx, best_at]
    pick_add = addable[best_at]
    pick_drop = np.full(who.size, -1)
    pick_gain = add_gain[r_idx, best_at]
    pick_net = add_cost[best_at]
    if held.size:
        keep_gain = now[:, None] - np.einsum(
            "rik,rk->ri", np.minimum(raw[:, None, :] - eff[:, held, :], caps), w
        )
        ka, kd = min(k, addable.size), min(k, held.size)
        top_add = np.argsort(-add_gain, axis=1, kind="stable")[:, :ka]
        top_drop = np.argsort(keep_gain, axis=1, kind="stable")[:, :kd]
        ok = feasible[top_drop[:, None, :], top_add[:, :, None]]  # (R, ka, kd)
        j_, i_ = addable[top_add], held[top_drop]
        eff_j = eff[r_idx[:, None], j_]
        eff_i = eff[r_idx[:, None], i_]
        lv = np.minimum(raw[:, None, None, :] - eff_i[:, None, :, :] + eff_j[:, :, None, :], caps)
        gain = np.einsum("rabk,rk->rab", lv, w) - now[:, None, None]
        net = p.costs[j_][:, :, None] - p.costs[i_][:, None, :]
        score = np.where(ok, _score(gain, net), -np.inf).reshape(who.size, -1)
        s_best = score.argmax(axis=1)
        s_top = score[r_idx, s_best]
        a_, b_ = np.unravel_index(s_best, (ka, kd))
        better = s_top > best_score
        pick_add = np.where(better, j_[r_idx, a_], pick_add)
        pick_drop = np.where(better, i_[r_idx, b_], pick_drop)
        pick_gain = np.where(better, gain[r_idx, a_, b_], pick_gain)
        pick_net = np.where(better, net[r_idx, a_, b_], pick_net)
        best_score = np.maximum(best_score, s_top)
    none = ~np.isfinite(best_score)
    return (
        np.where(none, -1, pick_add).astype(np.intp),
        np.where(none, -1, pick_drop).astype(np.intp),
        pick_gain,
        pick_net,
    )


def demand_options(
    problem: Problem, units: Units, x: NDArray[np.bool_], i: int, k: int = 3
) -> list[Demand]:
    """Stakeholder ``i``'s ``k`` best demands on ``x`` (adds and feasible swaps), best first.

    Ranked as :func:`compute_demands` ranks them (gain per unit of net cost, swaps
    that pay for themselves first); LLM stakeholders choose among these.
    """
    if units.ballots is not None:
        b = units.ballots
        lo, hi = b.utilities.indptr[i], b.utilities.indptr[i + 1]
        cols, gains = b.utilities.indices[lo:hi], b.utilities.data[lo:hi] * b.scale
        free = ~x & ~blocked(problem, x)
        ranked = [
            (float(sc), Demand(int(j), None, float(gn), float(problem.costs[j])))
            for j, gn, sc in zip(cols, gains, _score(gains, problem.costs[cols]), strict=True)
            if free[j] and np.isfinite(sc)
        ]
        ranked.sort(key=lambda t: (-t[0], t[1].key))
        return [d for _, d in ranked[:k]]
    g = int(units.group[i])
    eff = (
        problem.effects[g]
        if units.beliefs is None
        else problem.effects[g] * units.beliefs[i][:, None]
    )
    w = units.weights[i]
    raw = problem.baseline[g] + x.astype(float) @ eff
    now = float(np.minimum(raw, problem.caps) @ w)
    addable = np.flatnonzero(~x & ~blocked(problem, x))
    held = np.flatnonzero(x)
    options: list[tuple[float, Demand]] = []
    if addable.size:
        gains = np.minimum(raw + eff[addable], problem.caps) @ w - now
        nets = problem.costs[addable]
        for j, gain, score in zip(addable, gains, _score(gains, nets), strict=True):
            if np.isfinite(score):
                options.append(
                    (float(score), Demand(int(j), None, float(gain), float(problem.costs[j])))
                )
    if held.size and addable.size:
        ok = swap_feasibility(problem, x, held, addable)
        for a, b in zip(*np.nonzero(ok), strict=True):
            drop, add = int(held[a]), int(addable[b])
            gain = float(np.minimum(raw - eff[drop] + eff[add], problem.caps) @ w - now)
            net = float(problem.costs[add] - problem.costs[drop])
            score = float(_score(np.array([gain]), np.array([net]))[0])
            if np.isfinite(score):
                options.append((score, Demand(add, drop, gain, net)))
    options.sort(key=lambda t: (-t[0], t[1].key))
    return [d for _, d in options[:k]]
