"""Agents of plurisim: the stakeholder and mediator policies a negotiation runs on.

The negotiation model (:mod:`plurisim.negotiation`) owns the protocol; the
behaviour is injected as policies: :class:`RuleBasedStakeholders` and
:class:`RuleBasedMediator` here, the LLM-backed ones in :mod:`plurisim.agents.llm`.
The Mesa agents themselves (thin views onto the model's arrays) are re-exported.
"""

from __future__ import annotations

from plurisim.agents.mediator import RuleBasedMediator
from plurisim.agents.stakeholder import RuleBasedStakeholders
from plurisim.negotiation.parties import MediatorAgent, StakeholderAgent

__all__ = ["MediatorAgent", "RuleBasedMediator", "RuleBasedStakeholders", "StakeholderAgent"]
