"""Turning a model spec into a LangChain chat model."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from plurisim.agents.llm.chat import FaultyChatModel, ScriptedChatModel
from plurisim.errors import LLMUnavailableError, ParameterError

__all__ = ["describe_model", "resolve_model"]

_SCRIPTED_OPTIONS = {
    "faults": "fault_rate",
    "latency": "latency",
    "seed": "seed",
    "pull": "neutral_pull",
    "hang": "hang",
}


def resolve_model(spec: Any) -> BaseChatModel:
    """A chat model from an instance, ``"scripted[:options]"`` or a LangChain model id.

    ``"scripted"`` is the offline rule-following model; options go after a colon,
    comma-separated: ``faults`` (a rate, which selects the fault-injecting model),
    ``latency`` (seconds per call), ``seed``, ``pull`` (SVO neutral pull), ``hang``.
    Anything else goes to ``langchain.chat_models.init_chat_model``, for instance
    ``"openai:gpt-4o-mini"`` or ``"ollama:llama3"``; the provider's package and key
    are the user's to install and set.

    Examples
    --------
    >>> type(resolve_model("scripted")).__name__
    'ScriptedChatModel'
    >>> resolve_model("scripted:faults=0.3,seed=2").fault_rate
    0.3
    >>> resolve_model("scripted:speed=3")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Unknown option 'speed' for the scripted model; allowed: faults, latency, seed, pull, hang.
    """
    if isinstance(spec, BaseChatModel):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError(
            "The 'llm' parameter must be a LangChain chat model, 'scripted' or a model id such as "
            f"'openai:gpt-4o-mini'. Got {spec!r} instead."
        )
    name, _, options = spec.strip().partition(":")
    if name == "scripted":
        kwargs: dict[str, Any] = {}
        for part in filter(None, (o.strip() for o in options.split(","))):
            key, _, value = part.partition("=")
            if key not in _SCRIPTED_OPTIONS:
                raise ParameterError(
                    f"Unknown option {key!r} for the scripted model; allowed: {', '.join(_SCRIPTED_OPTIONS)}."
                )
            try:
                kwargs[_SCRIPTED_OPTIONS[key]] = int(value) if key == "seed" else float(value)
            except ValueError:
                raise ParameterError(
                    f"The scripted model's option {key!r} needs a number; got {value!r}."
                ) from None
        if "fault_rate" in kwargs or "seed" in kwargs or "hang" in kwargs:
            return FaultyChatModel(**kwargs)
        return ScriptedChatModel(**kwargs)
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:  # pragma: no cover - the llm extra installs it
        raise LLMUnavailableError(
            f"Model ids need the langchain package: pip install 'plurisim[llm]' ({exc})."
        ) from None
    try:
        return init_chat_model(spec)
    except ImportError as exc:
        raise LLMUnavailableError(f"Could not create the chat model {spec!r}: {exc}") from None
    except Exception as exc:
        raise LLMUnavailableError(
            f"Could not create the chat model {spec!r}: {exc}. Check the model id "
            "('provider:model') and the provider's API key in the environment."
        ) from None


def describe_model(model: BaseChatModel) -> str:
    """A short description of a chat model for results and transcripts."""
    name = getattr(model, "model_name", None) or getattr(model, "model", None)
    kind = getattr(model, "_llm_type", type(model).__name__)
    return f"{kind}:{name}" if name else str(kind)
