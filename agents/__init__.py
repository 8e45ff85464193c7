"""Agents of plurisim: the stakeholder and mediator policies a negotiation runs on.

The negotiation engine (:mod:`plurisim.negotiation`) owns the protocol; the
behaviour is injected as policies: :class:`RuleBasedStakeholders` and
:class:`RuleBasedMediator` here, the LLM-backed ones in :mod:`plurisim.agents.llm`.
The Mesa agents themselves (thin views onto the model's arrays) are re-exported.
Names load on first use, so importing a submodule (such as the LLM settings the
command line reads) stays light.

Examples
--------
>>> from plurisim.agents import RuleBasedStakeholders
>>> RuleBasedStakeholders.name
'rule-based'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plurisim.agents.mediator import RuleBasedMediator
    from plurisim.agents.stakeholder import RuleBasedStakeholders
    from plurisim.negotiation.parties import MediatorAgent, StakeholderAgent

__all__ = ["MediatorAgent", "RuleBasedMediator", "RuleBasedStakeholders", "StakeholderAgent"]

_WHERE = {
    "RuleBasedMediator": "plurisim.agents.mediator",
    "RuleBasedStakeholders": "plurisim.agents.stakeholder",
    "MediatorAgent": "plurisim.negotiation.parties",
    "StakeholderAgent": "plurisim.negotiation.parties",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
