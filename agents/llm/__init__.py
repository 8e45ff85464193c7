"""LLM-backed stakeholders, mediator and SVO respondents, through any LangChain chat model.

Needs the ``llm`` extra (``pip install 'plurisim[llm]'``), which brings LangChain
and its OpenAI client, so ``openai:MODEL`` with a base URL reaches any
OpenAI-compatible server (llama.cpp, Ollama, vLLM). Nothing here reaches the
network unless the model given does: :class:`ScriptedChatModel` answers offline by
rule and is what the tests, demos and ``--llm scripted`` use.

The settings (:class:`LLMSettings`) and the prompt boundary (:func:`data_block`)
need no LangChain and load at once; every other name loads LangChain on first
use, and raises :class:`~plurisim.errors.LLMUnavailableError` without the extra.

Examples
--------
>>> from plurisim.agents.llm import LLMRuntime, LLMSettings
>>> with LLMRuntime(LLMSettings("scripted")) as runtime:
...     from plurisim.agents.llm import GoalReply
...     answer = runtime.run(runtime.ask(runtime.messages("TASK: svo_goal"), GoalReply))
>>> answer.ok, runtime.stats.to_dict()["calls"]
(True, 1)
>>> from plurisim import negotiate, scenarios
>>> from plurisim.agents.llm import llm_policies
>>> stakeholders, mediator = llm_policies("scripted")
>>> result = negotiate(scenarios.load("montreal-streets"), seed=0,
...                    stakeholder_policy=stakeholders, mediator_policy=mediator)
>>> result.details["llm"]["calls"] > 0, result.agreement
(True, True)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from plurisim.agents.llm.boundary import data_block, neutralise
from plurisim.agents.llm.settings import LLM_SETTINGS, STRUCTURED_METHODS, LLMSettings, SettingSpec
from plurisim.errors import LLMUnavailableError

if TYPE_CHECKING:
    from plurisim.agents.llm.chat import (
        FAULT_KINDS,
        FaultyChatModel,
        ScriptedChatModel,
        TextOnlyChatModel,
    )
    from plurisim.agents.llm.models import describe_model, resolve_model
    from plurisim.agents.llm.negotiation import LLMMediator, LLMStakeholders, llm_policies
    from plurisim.agents.llm.prompts import PROMPT_VERSION
    from plurisim.agents.llm.runtime import LLMRuntime
    from plurisim.agents.llm.schemas import (
        FAILURE_KINDS,
        GoalReply,
        ItemReply,
        MediatorReply,
        ReplyError,
        StakeholderReply,
        TraitsReply,
        format_hint,
        parse_reply,
    )
    from plurisim.agents.llm.stats import Answer, LLMStats
    from plurisim.agents.llm.svo import LLMPanel, LLMRespondent

_WHERE = {
    "FAULT_KINDS": "chat",
    "FaultyChatModel": "chat",
    "ScriptedChatModel": "chat",
    "TextOnlyChatModel": "chat",
    "describe_model": "models",
    "resolve_model": "models",
    "LLMMediator": "negotiation",
    "LLMStakeholders": "negotiation",
    "llm_policies": "negotiation",
    "PROMPT_VERSION": "prompts",
    "Answer": "stats",
    "LLMRuntime": "runtime",
    "LLMStats": "stats",
    "FAILURE_KINDS": "schemas",
    "GoalReply": "schemas",
    "ItemReply": "schemas",
    "MediatorReply": "schemas",
    "ReplyError": "schemas",
    "StakeholderReply": "schemas",
    "TraitsReply": "schemas",
    "format_hint": "schemas",
    "parse_reply": "schemas",
    "LLMPanel": "svo",
    "LLMRespondent": "svo",
}

__all__ = [
    "FAILURE_KINDS",
    "FAULT_KINDS",
    "LLM_SETTINGS",
    "PROMPT_VERSION",
    "STRUCTURED_METHODS",
    "Answer",
    "FaultyChatModel",
    "GoalReply",
    "ItemReply",
    "LLMMediator",
    "LLMPanel",
    "LLMRespondent",
    "LLMRuntime",
    "LLMSettings",
    "LLMStakeholders",
    "LLMStats",
    "MediatorReply",
    "ReplyError",
    "ScriptedChatModel",
    "SettingSpec",
    "StakeholderReply",
    "TextOnlyChatModel",
    "TraitsReply",
    "data_block",
    "describe_model",
    "format_hint",
    "llm_policies",
    "neutralise",
    "parse_reply",
    "resolve_model",
]


def __getattr__(name: str) -> Any:
    """Load the LangChain-backed names on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        importlib.import_module("langchain_core")
    except ImportError as exc:
        raise LLMUnavailableError(
            "LLM-backed agents need the optional LangChain dependencies: pip install 'plurisim[llm]'"
        ) from exc
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
