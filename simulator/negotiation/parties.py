"""The Mesa agents of a negotiation: thin views onto the model's arrays.

A :class:`StakeholderAgent` is one group or one individual; its numbers live in the
engine's private arrays (``model.negotiation.units``) at ``index`` and its behaviour
in the stakeholder policy. The :class:`MediatorAgent` holds what the mediator said last.
Both exist so that Mesa's agent tools (``model.agents``, ``AgentSet.select``,
``agg``) work on a negotiation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from plurisim.negotiation.mesa_import import mesa
from plurisim.negotiation.messages import Response

if TYPE_CHECKING:
    from plurisim.negotiation.model import NegotiationModel

__all__ = ["MediatorAgent", "StakeholderAgent"]


class StakeholderAgent(mesa.Agent):
    """A stakeholder of a negotiation: one group, or one individual of a group.

    Parameters
    ----------
    model : NegotiationModel
    index : int
        Position in the model's stakeholder arrays.
    """

    model: NegotiationModel

    def __init__(self, model: NegotiationModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def group(self) -> int:
        """Index of the stakeholder's group."""
        return int(self.model.negotiation.units.group[self.index])

    @property
    def label(self) -> str:
        """Readable name: the group's, with the member number for individuals."""
        return self.model.negotiation.stakeholder_label(self.index)

    @property
    def svo_angle(self) -> float:
        """Social Value Orientation angle, in degrees."""
        return float(np.degrees(self.model.negotiation.units.angle[self.index]))

    @property
    def concession(self) -> float:
        """Concession exponent ``e`` (after jitter)."""
        return float(self.model.negotiation.units.exponent[self.index])

    @property
    def ideal(self) -> float:
        """Best utility it knows of under the budget."""
        return float(self.model.negotiation.units.ideal[self.index])

    @property
    def reservation(self) -> float:
        """Its utility under the disagreement point."""
        return float(self.model.negotiation.units.reserve[self.index])

    @property
    def last_response(self) -> Response | None:
        """Its answer in the latest round."""
        history = self.model.negotiation.history
        return history[-1].responses.response(self.index) if history else None


class MediatorAgent(mesa.Agent):
    """The neutral mediator: what it proposed and said last."""

    model: NegotiationModel

    def __init__(self, model: NegotiationModel) -> None:
        super().__init__(model)
        self.rationale = ""
        self.source = "rule"
