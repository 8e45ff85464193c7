"""Multilateral stacked alternating offers (Aydogan, Festen, Hindriks and Jonker 2017).

In turn, one group offers a package: the one maximizing the smallest estimated
satisfaction of the others, among the packages whose satisfaction for itself
reaches its current aspiration. It knows its own weights; it estimates the others'
from their past offers and answers with the same public estimator as the mediator
(:mod:`plurisim.negotiation.estimator`). The others accept or reject; the proposer
counts as accepting its own offer; agreement when all accept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.messages import Responses, RoundRecord
from plurisim.negotiation.protocols.base import Protocol

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["AlternatingOffers"]

BoolArray = NDArray[np.bool_]


class AlternatingOffers(Protocol):
    """Groups take turns offering; the others answer."""

    name = "alternating-offers"

    def proposer(self, model: Negotiation) -> int:
        """The group whose turn it is (groups with stakeholders, in scenario order)."""
        present = np.unique(model.view.unit_group)
        return int(present[(model.round - 1) % present.size])

    def propose(self, model: Negotiation) -> tuple[BoolArray, str, dict[str, Any]]:
        g = self.proposer(model)
        offer = model.stakeholder_policy.offer(model, g)
        return offer, model.problem.groups[g], {}

    def adjust(self, model: Negotiation, proposer: str, responses: Responses) -> None:
        if model.params.stakeholders == "groups":
            g = model.problem.groups.index(proposer)
            responses.accept[model.view.unit_group == g] = True

    def learn(self, model: Negotiation, record: RoundRecord) -> None:
        super().learn(model, record)
        # the offer reveals that the proposer is at least as well off as without agreement
        g = model.problem.groups.index(record.proposer)
        p = model.problem
        delta = p.levels(record.proposal)[g] - p.levels(model.view.d_mask)[g]
        model.view.estimator.add(g, delta)
