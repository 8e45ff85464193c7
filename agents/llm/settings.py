"""Settings of LLM-backed agents, declared once as data.

:data:`LLM_SETTINGS` lists every setting with its type, default, allowed values,
command-line flag and a one-line help; :class:`LLMSettings` validates against it,
the command line builds its ``--llm-*`` options from it, and a registry of
parameters can read it. This module needs no LangChain, so the command line can
describe the options without importing the ``llm`` extra.

Examples
--------
>>> from plurisim.agents.llm.settings import LLMSettings
>>> s = LLMSettings("openai:smollm2", base_url="http://127.0.0.1:8080/v1", temperature=0.0)
>>> s.describe()
'openai:smollm2 at http://127.0.0.1:8080/v1'
>>> s.replace(concurrency=2).concurrency
2
>>> LLMSettings("scripted", timeout=0)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'timeout' parameter of LLMSettings must be a real number in the range (0, 3600]. Got 0 instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from plurisim.errors import ParameterError
from plurisim.validation import check_choice, check_int, check_real

__all__ = ["LLM_SETTINGS", "STRUCTURED_METHODS", "LLMSettings", "SettingSpec"]

STRUCTURED_METHODS = ("auto", "json_schema", "function_calling", "text")


@dataclass(frozen=True)
class SettingSpec:
    """One setting: name, kind, default, allowed values, command-line flag, help.

    ``kind`` is ``"model"``, ``"url"``, ``"real"``, ``"int"``, ``"choice"`` or
    ``"bool"``. ``low``/``high``/``closed`` bound numbers (as in
    :func:`plurisim.validation.check_real`); ``choices`` lists a choice's values;
    ``optional`` allows ``None`` (the provider's own default). ``flag`` is the
    command-line option, or ``None`` where the setting has none.
    """

    name: str
    kind: str
    default: Any
    help: str
    flag: str | None = None
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    choices: tuple[str, ...] = ()
    optional: bool = False
    metavar: str | None = None

    def check(self, value: Any, owner: str = "LLMSettings", name: str | None = None) -> Any:
        """Validate ``value`` for this setting; return it in its canonical type."""
        label = name or self.name
        if value is None and self.optional:
            return None
        if self.kind == "int":
            return check_int(
                value,
                label,
                owner,
                low=None if self.low is None else int(self.low),
                high=None if self.high is None else int(self.high),
            )
        if self.kind == "real":
            return check_real(value, label, owner, low=self.low, high=self.high, closed=self.closed)
        if self.kind == "choice":
            return check_choice(value, label, owner, self.choices)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ParameterError(
                f"The {label!r} parameter of {owner} must be a bool. Got {value!r} instead."
            )
        if self.kind == "url":
            if isinstance(value, str) and re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
                return value
            raise ParameterError(
                f"The {label!r} parameter of {owner} must be an http(s) URL such as "
                f"'http://127.0.0.1:8080/v1'. Got {value!r} instead."
            )
        return _check_model(value, label, owner)


def _check_model(value: Any, label: str, owner: str) -> Any:
    if isinstance(value, str):
        name, colon, rest = value.strip().partition(":")
        if name == "scripted" or (
            colon and re.fullmatch(r"[A-Za-z][\w.-]*", name) and rest.strip()
        ):
            return value.strip()
    elif value is not None and callable(getattr(value, "ainvoke", None)):
        return value  # a chat model object
    raise ParameterError(
        f"The {label!r} parameter of {owner} must be 'PROVIDER:MODEL' (a LangChain model id "
        "such as 'openai:gpt-4o-mini'), 'scripted[:options]' or a LangChain chat model. "
        f"Got {value!r} instead."
    )


LLM_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "model",
        "model",
        "scripted",
        "PROVIDER:MODEL (a LangChain model id), or 'scripted' for the offline rule-following model",
        flag="--llm",
        metavar="PROVIDER:MODEL",
    ),
    SettingSpec(
        "base_url",
        "url",
        None,
        "base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1",
        flag="--llm-base-url",
        optional=True,
        metavar="URL",
    ),
    SettingSpec(
        "temperature",
        "real",
        None,
        "sampling temperature, 0..2 (the provider's default)",
        flag="--llm-temperature",
        low=0.0,
        high=2.0,
        optional=True,
        metavar="T",
    ),
    SettingSpec(
        "max_tokens",
        "int",
        512,
        "most tokens one reply may use (512)",
        flag="--llm-max-tokens",
        low=1,
        high=100_000,
        metavar="N",
    ),
    SettingSpec(
        "concurrency",
        "int",
        4,
        "calls in flight at once (4)",
        flag="--llm-concurrency",
        low=1,
        high=1000,
        metavar="N",
    ),
    SettingSpec(
        "retries",
        "int",
        2,
        "further attempts after a failed call, each counted (2)",
        flag="--llm-retries",
        low=0,
        high=20,
        metavar="N",
    ),
    SettingSpec(
        "timeout",
        "real",
        60.0,
        "seconds per call before it counts as a timeout (60)",
        flag="--llm-timeout",
        low=0.0,
        high=3600.0,
        closed="right",
        metavar="SECONDS",
    ),
    SettingSpec(
        "max_failure_share",
        "real",
        0.5,
        "share of failed calls above which the command exits with status 1 (0.5)",
        flag="--llm-max-failure-share",
        low=0.0,
        high=1.0,
        metavar="SHARE",
    ),
    SettingSpec(
        "structured",
        "choice",
        "auto",
        "how replies are constrained: the provider's JSON schema or function calling, "
        "or free text parsed strictly; auto tries them in that order (auto)",
        flag="--llm-structured",
        choices=STRUCTURED_METHODS,
    ),
    SettingSpec(
        "backoff",
        "real",
        0.5,
        "seconds before the first retry, doubled after each (0.5)",
        low=0.0,
        high=600.0,
    ),
    SettingSpec(
        "cache",
        "bool",
        False,
        "reuse the reply to an identical question instead of asking again (off)",
    ),
)
"""Every setting of :class:`LLMSettings`, in order."""

_SPECS = {spec.name: spec for spec in LLM_SETTINGS}


@dataclass(frozen=True)
class LLMSettings:
    """How LLM-backed agents reach and use a chat model (see :data:`LLM_SETTINGS`).

    Parameters
    ----------
    model : str or chat model
        ``"PROVIDER:MODEL"`` for ``langchain.chat_models.init_chat_model`` (such as
        ``"openai:gpt-4o-mini"`` or ``"ollama:llama3"``), ``"scripted[:options]"``
        for the offline model, or a LangChain chat model object.
    base_url : str, optional
        An OpenAI-compatible (or the provider's own) server, such as a local
        llama.cpp or Ollama server. With ``openai:`` and no ``OPENAI_API_KEY``, a
        placeholder key is sent (local servers ignore it).
    temperature : float in [0, 2], optional
    max_tokens : int >= 1
    concurrency : int >= 1
        Calls in flight at once, on the runtime's one event loop.
    retries : int >= 0
        Further attempts after a failure; every one is counted. The OpenAI and
        Anthropic clients' own retries are switched off so that none is hidden.
    timeout : float > 0
        Seconds per call.
    max_failure_share : float in [0, 1]
        Above this share of failed logical calls,
        :meth:`~plurisim.agents.llm.LLMRuntime.check` raises
        :class:`~plurisim.errors.LLMFailureError`.
    structured : {"auto", "json_schema", "function_calling", "text"}
    backoff : float >= 0
        Seconds before the first retry, doubled after each.
    cache : bool
        Reuse the reply to an identical question.
    """

    model: Any = "scripted"
    base_url: str | None = None
    temperature: float | None = None
    max_tokens: int = 512
    concurrency: int = 4
    retries: int = 2
    timeout: float = 60.0
    max_failure_share: float = 0.5
    structured: str = "auto"
    backoff: float = 0.5
    cache: bool = False

    def __post_init__(self) -> None:
        for spec in LLM_SETTINGS:
            object.__setattr__(self, spec.name, spec.check(getattr(self, spec.name)))

    def replace(self, **changes: Any) -> LLMSettings:
        """A copy with some settings changed (validated again).

        Examples
        --------
        >>> LLMSettings().replace(retries=-1)
        Traceback (most recent call last):
        ...
        plurisim.errors.ParameterError: The 'retries' parameter of LLMSettings must be an int in the range [0, 20]. Got -1 instead.
        """
        unknown = sorted(set(changes) - set(_SPECS))
        if unknown:
            raise ParameterError(
                f"LLMSettings has no setting {unknown[0]!r}; the settings are {', '.join(_SPECS)}."
            )
        return dataclasses.replace(self, **changes)

    def describe(self) -> str:
        """The model and where it is served, for messages and results."""
        if isinstance(self.model, str):
            name = self.model
        else:
            kind = getattr(self.model, "_llm_type", type(self.model).__name__)
            ident = getattr(self.model, "model_name", None) or getattr(self.model, "model", None)
            name = f"{kind}:{ident}" if isinstance(ident, str) else str(kind)
        return f"{name} at {self.base_url}" if self.base_url else name

    def to_dict(self) -> dict[str, Any]:
        """Plain data for results (a model object is described, not serialized)."""
        out = {spec.name: getattr(self, spec.name) for spec in LLM_SETTINGS}
        if not isinstance(self.model, str):
            out["model"] = self.describe()
        return out

    @classmethod
    def from_namespace(cls, args: argparse.Namespace) -> LLMSettings | None:
        """Settings from the ``--llm*`` options of the command line; ``None`` without ``--llm``.

        Each option is checked under its flag's name. A ``--llm-*`` option given
        without ``--llm`` is an error, not ignored.

        Examples
        --------
        >>> import argparse
        >>> ns = argparse.Namespace(llm="scripted", llm_timeout=5.0, llm_retries=None)
        >>> LLMSettings.from_namespace(ns).timeout
        5.0
        >>> LLMSettings.from_namespace(argparse.Namespace(llm=None, llm_timeout=5.0))
        Traceback (most recent call last):
        ...
        plurisim.errors.ParameterError: --llm-timeout needs --llm PROVIDER:MODEL (or --llm scripted).
        >>> LLMSettings.from_namespace(argparse.Namespace(llm="scripted", llm_concurrency=0))
        Traceback (most recent call last):
        ...
        plurisim.errors.ParameterError: The '--llm-concurrency' parameter of plurisim must be an int in the range [1, 1000]. Got 0 instead.
        """
        given: dict[str, Any] = {}
        for spec in LLM_SETTINGS:
            if spec.flag is None:
                continue
            value = getattr(args, spec.flag.lstrip("-").replace("-", "_"), None)
            if value is not None:
                given[spec.name] = spec.check(value, "plurisim", spec.flag)
        if "model" not in given:
            if given:
                flag = _SPECS[next(iter(given))].flag
                raise ParameterError(f"{flag} needs --llm PROVIDER:MODEL (or --llm scripted).")
            return None
        return cls(**given)
