"""Turning a model spec and its settings into a LangChain chat model."""

from __future__ import annotations

import os
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from plurisim.agents.llm.chat import FaultyChatModel, ScriptedChatModel, TextOnlyChatModel
from plurisim.agents.llm.settings import LLMSettings
from plurisim.errors import LLMUnavailableError, ParameterError

__all__ = ["LOCAL_API_KEY", "NO_CLIENT_RETRIES", "describe_model", "resolve_model"]

_SCRIPTED_OPTIONS = {
    "faults": "fault_rate",
    "latency": "latency",
    "seed": "seed",
    "pull": "neutral_pull",
    "hang": "hang",
    "position": "svo_position",
    "text": "text_only",
}

NO_CLIENT_RETRIES = frozenset({"openai", "azure_openai", "anthropic"})
"""Providers whose client retries on its own unless told not to: told ``max_retries=0``,
so that every retry is the runtime's, and counted."""

LOCAL_API_KEY = "local-server-needs-no-key"
"""The key sent to a base URL when ``OPENAI_API_KEY`` is unset (local servers ignore it)."""


def _scripted(options: str) -> BaseChatModel:
    kwargs: dict[str, Any] = {}
    for part in filter(None, (o.strip() for o in options.split(","))):
        key, _, value = part.partition("=")
        if key not in _SCRIPTED_OPTIONS:
            raise ParameterError(
                f"Unknown option {key!r} for the scripted model; allowed: {', '.join(_SCRIPTED_OPTIONS)}."
            )
        if key == "position":
            if value not in tuple("ABCDEFGHI"):
                raise ParameterError(
                    f"The scripted model's option 'position' needs a letter A..I; got {value!r}."
                )
            kwargs["svo_position"] = value
            continue
        if key == "text":
            kwargs["text_only"] = True
            continue
        try:
            kwargs[_SCRIPTED_OPTIONS[key]] = int(value) if key == "seed" else float(value)
        except ValueError:
            raise ParameterError(
                f"The scripted model's option {key!r} needs a number; got {value!r}."
            ) from None
    if kwargs.pop("text_only", False):
        return TextOnlyChatModel(**kwargs)
    if "fault_rate" in kwargs or "seed" in kwargs or "hang" in kwargs:
        return FaultyChatModel(**kwargs)
    return ScriptedChatModel(**kwargs)


def resolve_model(spec: Any, settings: LLMSettings | None = None) -> BaseChatModel:
    """A chat model from an instance, ``"scripted[:options]"`` or ``"PROVIDER:MODEL"``.

    ``"scripted"`` is the offline rule-following model; options go after a colon,
    comma-separated: ``faults`` (a rate, which selects the fault-injecting model),
    ``latency`` (seconds per call), ``seed``, ``pull`` (SVO neutral pull), ``hang``,
    ``position`` (answer every SVO item with this letter) and ``text`` (no
    structured output). Anything else goes to
    ``langchain.chat_models.init_chat_model`` with the settings' base URL,
    temperature, token limit and timeout, for instance ``"openai:gpt-4o-mini"`` or
    ``"ollama:llama3"``; the provider's package and key are the user's to install
    and set. With ``openai:`` and a base URL but no ``OPENAI_API_KEY``, the key
    :data:`LOCAL_API_KEY` is sent. The clients of :data:`NO_CLIENT_RETRIES` are
    told not to retry on their own.

    Examples
    --------
    >>> type(resolve_model("scripted")).__name__
    'ScriptedChatModel'
    >>> resolve_model("scripted:faults=0.3,seed=2").fault_rate
    0.3
    >>> resolve_model("scripted:speed=3")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Unknown option 'speed' for the scripted model; allowed: faults, latency, seed, pull, hang, position, text.
    """
    if isinstance(spec, BaseChatModel):
        return spec
    if isinstance(spec, LLMSettings):
        return resolve_model(spec.model, spec)
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError(
            "The 'llm' parameter must be a LangChain chat model, 'scripted' or a model id such as "
            f"'openai:gpt-4o-mini'. Got {spec!r} instead."
        )
    name, _, options = spec.strip().partition(":")
    if name == "scripted":
        return _scripted(options)
    s = settings if settings is not None else LLMSettings(spec)
    kwargs: dict[str, Any] = {"max_tokens": s.max_tokens, "timeout": s.timeout}
    if s.temperature is not None:
        kwargs["temperature"] = s.temperature
    if s.base_url is not None:
        kwargs["base_url"] = s.base_url
        if name == "openai" and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = LOCAL_API_KEY
    if name in NO_CLIENT_RETRIES:
        kwargs["max_retries"] = 0
    if name in ("openai", "azure_openai"):
        # A client of its own: langchain-openai otherwise shares one cached async
        # client between models, bound to the event loop that first used it.
        import httpx

        kwargs["http_async_client"] = httpx.AsyncClient(timeout=s.timeout)
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:  # pragma: no cover - the llm extra installs it
        raise LLMUnavailableError(
            f"Model ids need the langchain package: pip install 'plurisim[llm]' ({exc})."
        ) from None
    try:
        return init_chat_model(spec, **kwargs)
    except ImportError as exc:
        raise LLMUnavailableError(f"Could not create the chat model {spec!r}: {exc}") from None
    except Exception as exc:
        raise LLMUnavailableError(
            f"Could not create the chat model {spec!r}: {exc}. Check the model id "
            "('provider:model') and the provider's API key in the environment."
        ) from None


def describe_model(model: BaseChatModel) -> str:
    """A short description of a chat model for results and transcripts.

    Examples
    --------
    >>> describe_model(resolve_model("scripted"))
    'plurisim-scripted'
    """
    name = getattr(model, "model_name", None) or getattr(model, "model", None)
    kind = getattr(model, "_llm_type", type(model).__name__)
    return f"{kind}:{name}" if isinstance(name, str) and name else str(kind)
