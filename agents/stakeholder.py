"""Stakeholder agents: a group, or one individual, responding to the mediator's proposals.

A stakeholder values a proposal by its satisfaction ``s = (u - r) / (u* - r)`` (``u*``
its ideal utility under the budget, ``r`` its utility under the reference design)
and its Social Value Orientation angle ``theta``::

    V = cos(theta) * s + sin(theta) * mean satisfaction of the others

and accepts when ``V`` reaches its aspiration ``a(t) = 1 - (t / R) ** (1 / e)``,
which falls from 1 to 0 over the ``R`` rounds (``e < 1`` Boulware, ``e = 1``
linear, ``e > 1`` conceder). A stakeholder that rejects names a demand: the
intervention to add (or a one-for-one swap) with the best gain per unit of cost
for itself, and its shortfall ``a - V``.

The arithmetic is vectorized over all stakeholders (:func:`respond_all`); an agent
object is a thin view onto the model's arrays, so thousands of individuals stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray
from plurisim.packages import blocked, swap_feasibility

if TYPE_CHECKING:
    from plurisim.negotiation.model import NegotiationModel

__all__ = ["Demand", "Response", "Responses", "StakeholderAgent", "respond_all"]

FloatArray = NDArray[np.float64]
BIG = 1e9  # ranks self-funding swaps above any ratio


@dataclass(frozen=True)
class Demand:
    """What a rejecting stakeholder asks for: add one intervention, possibly dropping one."""

    add: int
    drop: int | None
    gain: float
    net_cost: float

    @property
    def key(self) -> tuple[int, int]:
        """Identifies the demand (the same demand from two stakeholders is one)."""
        return (self.add, -1 if self.drop is None else self.drop)

    def describe(self, labels: tuple[str, ...]) -> str:
        """The demand in words."""
        if self.drop is None:
            return f"add {labels[self.add]}"
        return f"swap {labels[self.drop]} for {labels[self.add]}"


@dataclass
class Response:
    """One stakeholder's answer to a proposal."""

    accept: bool
    value: float
    aspiration: float
    satisfaction: float
    shortfall: float
    demand: Demand | None = None
    argument: str = ""
    source: str = "rule"


@dataclass
class Responses:
    """All stakeholders' answers to one proposal, as arrays.

    Demands are arrays too: ``demand_add[i]`` is the intervention stakeholder ``i``
    asks to add (-1 for none) and ``demand_drop[i]`` the one it offers to drop in a
    swap (-1 for none).
    """

    satisfaction: FloatArray
    others: FloatArray
    value: FloatArray
    aspiration: FloatArray
    accept: NDArray[np.bool_]
    demand_add: NDArray[np.intp]
    demand_drop: NDArray[np.intp]
    demand_gain: FloatArray
    demand_net: FloatArray
    arguments: dict[int, str] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)

    @property
    def shortfall(self) -> FloatArray:
        """``max(0, aspiration - value)`` for every stakeholder."""
        return np.maximum(self.aspiration - self.value, 0.0)

    def demand(self, i: int) -> Demand | None:
        """Stakeholder ``i``'s demand, if it made one."""
        if self.demand_add[i] < 0:
            return None
        drop = int(self.demand_drop[i])
        return Demand(
            add=int(self.demand_add[i]),
            drop=None if drop < 0 else drop,
            gain=float(self.demand_gain[i]),
            net_cost=float(self.demand_net[i]),
        )

    def set_demand(self, i: int, demand: Demand | None) -> None:
        """Replace stakeholder ``i``'s demand (LLM agents state their own)."""
        if demand is None:
            self.demand_add[i] = -1
            self.demand_drop[i] = -1
            return
        self.demand_add[i] = demand.add
        self.demand_drop[i] = -1 if demand.drop is None else demand.drop
        self.demand_gain[i] = demand.gain
        self.demand_net[i] = demand.net_cost

    def response(self, i: int) -> Response:
        """Stakeholder ``i``'s answer as an object."""
        return Response(
            accept=bool(self.accept[i]),
            value=float(self.value[i]),
            aspiration=float(self.aspiration[i]),
            satisfaction=float(self.satisfaction[i]),
            shortfall=float(self.shortfall[i]),
            demand=self.demand(i),
            argument=self.arguments.get(i, ""),
            source=self.sources.get(i, "rule"),
        )


class StakeholderAgent(mesa.Agent):
    """A stakeholder of a negotiation: one group, or one individual of a group.

    Its numbers (weights, ideal and reservation utility, SVO angle, concession
    exponent, the mediator's weight on it) live in the model's arrays at ``index``.

    Parameters
    ----------
    model : NegotiationModel
    index : int
        Position in the model's stakeholder arrays.
    """

    def __init__(self, model: NegotiationModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def group(self) -> int:
        """Index of the stakeholder's group."""
        return int(self.model.units.group[self.index])

    @property
    def label(self) -> str:
        """Readable name: the group's, with the member number for individuals."""
        name = self.model.problem.group_labels[self.group]
        if self.model.params.stakeholders == "individuals":
            return f"{name} #{self.index}"
        return name

    @property
    def weights(self) -> FloatArray:
        """Current criteria weights."""
        return self.model.units.weights[self.index]

    @property
    def svo_angle(self) -> float:
        """Social Value Orientation angle, in degrees."""
        return float(np.degrees(self.model.units.angle[self.index]))

    @property
    def concession(self) -> float:
        """Concession exponent ``e`` (after jitter)."""
        return float(self.model.units.exponent[self.index])

    @property
    def ideal(self) -> float:
        """Best utility it could get under the budget."""
        return float(self.model.units.ideal[self.index])

    @property
    def reservation(self) -> float:
        """Its utility under the reference design."""
        return float(self.model.units.reserve[self.index])

    @property
    def last_response(self) -> Response | None:
        """Its answer in the latest round."""
        if self.model.responses is None:
            return None
        return self.model.responses.response(self.index)

    def respond(self) -> Response:
        """Answer the current proposal by the rule-based policy."""
        assert self.model.proposal is not None
        batch = respond_all(self.model, self.model.proposal, demands_for=np.array([self.index]))
        return batch.response(self.index)


def aspiration(t: int, rounds: int, exponent: FloatArray) -> FloatArray:
    """``1 - (t / R) ** (1 / e)``, falling from 1 at the start to 0 in round ``R``.

    Examples
    --------
    >>> import numpy as np
    >>> aspiration(5, 10, np.array([0.5, 1.0, 2.0])).round(3).tolist()
    [0.75, 0.5, 0.293]
    """
    return 1.0 - (min(t, rounds) / rounds) ** (1.0 / exponent)


def respond_all(
    model: NegotiationModel, x: NDArray[np.bool_], demands_for: NDArray[np.intp] | None = None
) -> Responses:
    """Every stakeholder's value, aspiration and decision; demands for the rejecting.

    ``demands_for`` limits demand computation to these stakeholders (default: all
    that reject).
    """
    units = model.units
    u = units.utilities(model.problem, x)
    s = units.satisfaction(u)
    n = s.size
    others = (s.sum() - s) / (n - 1) if n > 1 else np.zeros(n)
    value = np.cos(units.angle) * s + np.sin(units.angle) * others
    a = aspiration(model.round, model.params.rounds, units.exponent)
    accept = value >= a - 1e-12
    add = np.full(n, -1, dtype=np.intp)
    drop = np.full(n, -1, dtype=np.intp)
    gain = np.zeros(n)
    net = np.zeros(n)
    who = np.flatnonzero(~accept) if demands_for is None else demands_for[~accept[demands_for]]
    if who.size:
        k = 3
        add[who], drop[who], gain[who], net[who] = compute_demands(model, x, who, k)
    return Responses(
        satisfaction=s,
        others=others,
        value=value,
        aspiration=a,
        accept=accept,
        demand_add=add,
        demand_drop=drop,
        demand_gain=gain,
        demand_net=net,
    )


def _score(gain: FloatArray, net: FloatArray) -> FloatArray:
    """Gain per unit of net cost; self-funding options (net <= 0) rank above all; no gain: -inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(net > 0, gain / np.where(net > 0, net, 1.0), BIG + gain)
    return np.where(gain > 1e-12, score, -np.inf)


def compute_demands(
    model: NegotiationModel, x: NDArray[np.bool_], who: NDArray[np.intp], k: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray]:
    """Each stakeholder in ``who``: the add or one-for-one swap with the best gain per cost.

    Returns arrays over ``who``: the intervention to add (-1: no demand), the one to
    drop (-1: none), the stakeholder's gain, and the net cost. Adds need not fit the
    remaining budget (the mediator looks for funding); swaps must fit. When everyone
    in a group sees the same effects, every feasible swap is weighed (one matrix
    product per group); when beliefs differ by person, swaps are tried between each
    stakeholder's ``k`` best additions and ``k`` least costly removals.
    """
    p = model.problem
    units = model.units
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
        return _demands_with_beliefs(model, x, who, k, addable, held, feasible)
    pair_drop, pair_add = np.nonzero(feasible)  # indices into held, addable
    add_net = p.costs[addable]
    swap_net = p.costs[addable[pair_add]] - p.costs[held[pair_drop]]
    xf = x.astype(float)
    for g in np.unique(units.group[who]):
        rows = np.flatnonzero(units.group[who] == g)
        e = p.effects[g]
        raw = p.baseline[g] + xf @ e
        now = np.minimum(raw, p.caps)
        w = units.weights[who[rows]]
        add_gain = w @ (np.minimum(raw + e[addable], p.caps) - now).T  # (R_g, J)
        score = _score(add_gain, add_net[None, :])
        best = score.argmax(axis=1)
        best_score = score[np.arange(rows.size), best]
        add_, drop_ = addable[best], np.full(rows.size, -1)
        gain_, net_ = add_gain[np.arange(rows.size), best], add_net[best]
        if pair_add.size:
            delta = np.minimum(raw - e[held[pair_drop]] + e[addable[pair_add]], p.caps) - now
            swap_gain = w @ delta.T  # (R_g, P)
            s_score = _score(swap_gain, swap_net[None, :])
            s_best = s_score.argmax(axis=1)
            s_top = s_score[np.arange(rows.size), s_best]
            better = s_top > best_score
            add_ = np.where(better, addable[pair_add[s_best]], add_)
            drop_ = np.where(better, held[pair_drop[s_best]], drop_)
            gain_ = np.where(better, swap_gain[np.arange(rows.size), s_best], gain_)
            net_ = np.where(better, swap_net[s_best], net_)
            best_score = np.maximum(best_score, s_top)
        ok = np.isfinite(best_score)
        pick_add[rows] = np.where(ok, add_, -1)
        pick_drop[rows] = np.where(ok, drop_, -1)
        pick_gain[rows] = gain_
        pick_net[rows] = net_
    return pick_add, pick_drop, pick_gain, pick_net


def _demands_with_beliefs(
    model: NegotiationModel,
    x: NDArray[np.bool_],
    who: NDArray[np.intp],
    k: int,
    addable: NDArray[np.intp],
    held: NDArray[np.intp],
    feasible: NDArray[np.bool_],
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray]:
    """Demands when each person believes effects of their own (top-k swaps per person)."""
    p = model.problem
    units = model.units
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
