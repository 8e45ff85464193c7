"""What every protocol shares: a round is an offer and everyone's answer to it.

A protocol decides where each round's offer comes from (:meth:`Protocol.propose`)
and what happens between rounds (:meth:`Protocol.update`); the model skeleton asks
the stakeholders, counts acceptances, stops and records. Every protocol learns the
same way from the answers: each acceptance and each demand reveals an inequality on
the answering group's weights (:meth:`Protocol.learn`, see
:mod:`plurisim.negotiation.estimator`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.messages import Responses, RoundRecord
from plurisim.packages import blocked

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["Protocol", "learn_from_responses"]

BoolArray = NDArray[np.bool_]
STATED_TOL = 1e-6  # stated satisfactions closer than this are taken as equal


class Protocol(ABC):
    """One way of making offers, on the shared model skeleton."""

    name = "protocol"
    wants_demands = False
    """Whether rejecting stakeholders name demands (they cost time with thousands)."""

    def start(self, model: Negotiation) -> None:  # noqa: B027 - optional hook
        """Round 0: anything the protocol sets up once."""

    @abstractmethod
    def propose(self, model: Negotiation) -> tuple[BoolArray, str, dict[str, Any]]:
        """This round's offer, who made it (``"mediator"``, ``"text"`` or a group id), details."""

    def adjust(self, model: Negotiation, proposer: str, responses: Responses) -> None:  # noqa: B027
        """Change answers the protocol fixes (a proposer accepts its own offer)."""

    def update(self, model: Negotiation, record: RoundRecord) -> None:  # noqa: B027
        """Between rounds, when the negotiation goes on."""

    def learn(self, model: Negotiation, record: RoundRecord) -> None:
        """Update the public estimates from this round's answers."""
        learn_from_responses(model, record.proposal, record.responses)


def learn_from_responses(model: Negotiation, x: BoolArray, responses: Responses) -> None:
    """Feed every acceptance, statement and demand of a round to the estimator.

    Stated satisfaction is used ordinally: its sign says whether the group is better
    or worse off than under the disagreement point, and its order against the
    group's earlier statements orders the packages it has rated.
    """
    view = model.view
    p = model.problem
    est = view.estimator
    group = view.unit_group
    lv_x = p.levels(x)
    lv_d = p.levels(view.d_mask)
    accepted = np.bincount(group[responses.accept], minlength=p.n_groups)
    for a in np.flatnonzero(accepted):
        est.add(int(a), lv_x[a] - lv_d[a], float(accepted[a]))
    size = view.unit_size
    totals = np.bincount(group, weights=size, minlength=p.n_groups)
    stated = np.bincount(group, weights=size * responses.stated, minlength=p.n_groups)
    for h in (int(v) for v in np.flatnonzero(totals)):
        s_h = float(stated[h] / totals[h])
        log = view.statements.setdefault(h, {})
        for key, (lv_y, s_y) in log.items():
            if key == x.tobytes() or abs(s_h - s_y) <= STATED_TOL:
                continue
            sign = 1.0 if s_h > s_y else -1.0
            est.add(h, sign * (lv_x[h] - lv_y))
        if abs(s_h) > STATED_TOL:
            est.add(h, (1.0 if s_h > 0 else -1.0) * (lv_x[h] - lv_d[h]))
        log[x.tobytes()] = (lv_x[h].copy(), s_h)
    asking = np.flatnonzero(~responses.accept & (responses.demand_add >= 0))
    if asking.size == 0:
        return
    codes = (group[asking] * (p.n_interventions + 1) + responses.demand_add[asking]) * (
        p.n_interventions + 1
    ) + (responses.demand_drop[asking] + 1)
    _, first, counts = np.unique(codes, return_index=True, return_counts=True)
    addable = np.flatnonzero(~x & ~blocked(p, x) & (p.costs > 0))
    for k, i in enumerate(asking[first]):
        g, add, drop = int(group[i]), int(responses.demand_add[i]), int(responses.demand_drop[i])
        y = x.copy()
        y[add] = True
        if drop >= 0:
            y[drop] = False
        est.add(g, p.levels(y)[g] - lv_x[g], float(counts[k]))
        if drop < 0 and p.costs[add] > 0 and addable.size > 1 and np.any(addable == add):
            # the demanded addition gains at least as much per unit of cost as any other
            ratio = _addition_gains(p, x, lv_x, g, addable) / p.costs[addable][:, None]
            est.add_many(g, ratio[addable == add][0] - ratio[addable != add], float(counts[k]))


def _addition_gains(
    p: Any, x: BoolArray, lv_x: NDArray[np.float64], g: int, addable: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Level changes of group ``g`` from adding each of ``addable`` to ``x``, shape (J, d)."""
    raw = p.baseline[g] + x.astype(float) @ p.effects[g]
    return np.minimum(raw + p.effects[g][addable], p.caps) - lv_x[g]
