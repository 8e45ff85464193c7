"""LLM-backed stakeholders, mediator and SVO respondents, through any LangChain chat model.

Needs the ``llm`` extra (``pip install 'plurisim[llm]'``). Nothing here reaches the
network unless the model given does: :class:`ScriptedChatModel` answers offline by
rule and is what the tests, demos and ``--llm scripted`` use.

Examples
--------
>>> from plurisim import negotiate, scenarios
>>> from plurisim.agents.llm import llm_policies
>>> stakeholders, mediator = llm_policies("scripted")
>>> result = negotiate(scenarios.load("montreal-streets"), seed=0,
...                    stakeholder_policy=stakeholders, mediator_policy=mediator)
>>> result.details["llm"]["calls"] > 0, result.agreement
(True, True)
"""

from __future__ import annotations

try:
    import langchain_core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    from plurisim.errors import LLMUnavailableError

    raise LLMUnavailableError(
        "LLM-backed agents need the optional LangChain dependencies: pip install 'plurisim[llm]'"
    ) from exc

from plurisim.agents.llm.chat import FAULT_KINDS, FaultyChatModel, ScriptedChatModel
from plurisim.agents.llm.models import describe_model, resolve_model
from plurisim.agents.llm.negotiation import LLMMediator, LLMStakeholders, llm_policies
from plurisim.agents.llm.prompts import PROMPT_VERSION
from plurisim.agents.llm.runtime import LLMRuntime, LLMStats, run_sync
from plurisim.agents.llm.schemas import MediatorReply, ReplyError, StakeholderReply, parse_reply
from plurisim.agents.llm.svo import LLMRespondent

__all__ = [
    "FAULT_KINDS",
    "PROMPT_VERSION",
    "FaultyChatModel",
    "LLMMediator",
    "LLMRespondent",
    "LLMRuntime",
    "LLMStakeholders",
    "LLMStats",
    "MediatorReply",
    "ReplyError",
    "ScriptedChatModel",
    "StakeholderReply",
    "describe_model",
    "llm_policies",
    "parse_reply",
    "resolve_model",
    "run_sync",
]
