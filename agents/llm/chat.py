"""Deterministic chat models for tests, demos and teaching: no provider, no network.

:class:`ScriptedChatModel` is a real LangChain ``BaseChatModel`` that reads the
prompt and answers by rule: a stakeholder accepts when the value the prompt states
reaches its aspiration and otherwise asks for the first option offered; the mediator
picks the candidate with the highest smallest satisfaction; an SVO respondent picks
the option its stated angle prefers (or, with ``svo_position``, always the same
displayed letter, as position-biased small models do). ``latency`` adds a fixed
delay per call (for concurrency benchmarks). It supports structured output like a
provider does (``with_structured_output`` with ``method="json_schema"`` or
``"function_calling"``, and ``bind_tools``), and counts which way it was asked in
:attr:`~ScriptedChatModel.modes`; :class:`TextOnlyChatModel` does not, to exercise
the free-text parser. :class:`FaultyChatModel` injects faults at a set rate (see
:data:`FAULT_KINDS`), decided by a hash of the prompt and the attempt, so the same
run fails the same way.

Examples
--------
>>> from plurisim.agents.llm import ScriptedChatModel
>>> reply = ScriptedChatModel().invoke("TASK: svo_goal")
>>> reply.content
'{"goal": "Divide the coins the way my values ask."}'
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import PydanticOutputParser, PydanticToolsParser
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from plurisim.svo import NEUTRAL_ANGLE, utility_angle
from pydantic import PrivateAttr

__all__ = ["FAULT_KINDS", "FaultyChatModel", "ScriptedChatModel", "TextOnlyChatModel"]

FAULT_KINDS: dict[str, str] = {
    "timeout": "the call hangs for `hang` seconds (counted as timeout)",
    "garbage": "text that is not JSON (parse)",
    "refusal": "an apology instead of an answer (refusal)",
    "wrong_id": "valid JSON naming what does not exist (wrong_id; out_of_range for an SVO letter)",
    "placeholder": "the format hint's placeholders instead of answers (placeholder)",
    "nested": "a field holding deeply nested junk (schema)",
    "huge_number": "a field holding a 5,000-digit integer (number)",
    "too_long": "every text field 9,000 characters long (too_long)",
    "truncated": "the reply cut off at the token limit (truncated)",
    "connection": "the server cannot be reached (connection)",
}
"""Faults :class:`FaultyChatModel` injects, with the failure kind each one should cause."""
_NUMBER = r"(-?\d+(?:\.\d+)?)"


def _text(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages)


def _last(messages: list[BaseMessage]) -> str:
    return str(messages[-1].content) if messages else ""


def _find(pattern: str, text: str, default: float = math.nan) -> float:
    m = re.search(pattern, text)
    return float(m.group(1)) if m else default


class ScriptedChatModel(BaseChatModel):
    """A rule-following chat model (see the module docstring).

    Parameters
    ----------
    latency : float
        Seconds each call takes.
    neutral_pull : float in [0, 1]
        For SVO items: how far the respondent drifts toward neutral values, the
        drift HVAE observed in LLMs.
    gullible : bool
        Obey ``<<say: ...>>`` planted in the prompt by replying with its text
        verbatim: a stand-in for a model that follows injected instructions, to test
        that such replies cannot change a result's structure.
    svo_position : str, optional
        Answer every SVO item with this displayed letter, whatever the options.
    """

    latency: float = 0.0
    neutral_pull: float = 0.0
    gullible: bool = False
    svo_position: str | None = None
    _modes: Counter[str] = PrivateAttr(default_factory=Counter)

    @property
    def modes(self) -> dict[str, int]:
        """Calls so far by how the reply was constrained: json_schema, function_calling, text."""
        return dict(self._modes)

    @property
    def _llm_type(self) -> str:
        return "plurisim-scripted"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "latency": self.latency,
            "neutral_pull": self.neutral_pull,
            "gullible": self.gullible,
            "svo_position": self.svo_position,
        }

    # -- the rules ----------------------------------------------------------------------

    def reply(self, messages: list[BaseMessage]) -> str:
        """The rule-based answer to a conversation."""
        text = _text(messages)
        last = _last(messages)
        if self.gullible and "<<say:" in text:
            return text.split("<<say:", 1)[1].split(">>", 1)[0].strip()
        if "TASK: stakeholder_response" in last:
            return self._stakeholder(last)
        if "TASK: mediator_choice" in last:
            return self._mediator(last)
        if "TASK: svo_traits" in last:
            return json.dumps({"traits": _traits(_find(r"SVO angle of " + _NUMBER, text, 0.0))})
        if "TASK: svo_goal" in last:
            return json.dumps({"goal": "Divide the coins the way my values ask."})
        if "TASK: svo_item" in last:
            return self._svo_item(text, last)
        return json.dumps({"error": "unknown task"})

    @staticmethod
    def _stakeholder(prompt: str) -> str:
        value = _find(r"given your orientation: " + _NUMBER, prompt)
        aspiration = _find(r"still hold out for this round: " + _NUMBER, prompt)
        group = re.search(r"^group: ([^:\n]+)", prompt, re.MULTILINE)
        name = group.group(1).strip() if group else "our group"
        cares = re.search(r"^values: ([^\n]+)", prompt, re.MULTILINE)
        values = cares.group(1).strip() if cares else "what matters to us"
        if value >= aspiration - 1e-9:
            return json.dumps(
                {
                    "accept": True,
                    "add": None,
                    "drop": None,
                    "argument": f"{name} can live with this: it serves {values} well enough.",
                }
            )
        option = re.search(r"^- (add|swap) (\S+)(?: for (\S+))?", prompt, re.MULTILINE)
        add = drop = None
        if option:
            if option.group(1) == "add":
                add = option.group(2)
            else:
                drop, add = option.group(2), option.group(3)
        return json.dumps(
            {
                "accept": False,
                "add": add,
                "drop": drop,
                "argument": f"{name} needs more for {values} before we can agree.",
            }
        )

    @staticmethod
    def _mediator(prompt: str) -> str:
        best, best_min = 1, -math.inf
        candidate = r"^\s*(?:- )?(\d+)\. .*smallest satisfaction " + _NUMBER
        for m in re.finditer(candidate, prompt, re.MULTILINE):
            k, low = int(m.group(1)), float(m.group(2))
            if low > best_min + 1e-12:
                best, best_min = k, low
        return json.dumps(
            {
                "choice": best,
                "rationale": (
                    f"Candidate {best} leaves the least satisfied group best off among the packages "
                    "that fit the budget and leave every group at least as well off as without agreement."
                ),
            }
        )

    def _svo_item(self, text: str, prompt: str) -> str:
        if self.svo_position is not None:
            return json.dumps({"choice": self.svo_position})
        target = _find(r"SVO angle of " + _NUMBER, text, 0.0)
        phi = math.radians(utility_angle(target + self.neutral_pull * (NEUTRAL_ANGLE - target)))
        best, best_value = "A", -math.inf
        for m in re.finditer(r"^([A-I]): \((\d+), (\d+)\)", prompt, re.MULTILINE):
            value = math.cos(phi) * float(m.group(2)) + math.sin(phi) * float(m.group(3))
            if value > best_value + 1e-9:
                best, best_value = m.group(1), value
        return json.dumps({"choice": best})

    # -- LangChain ------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[Any, Any]:
        """Bind tools as a provider does: the reply becomes a call of the first tool."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def with_structured_output(
        self,
        schema: Any,
        *,
        include_raw: bool = False,
        method: str = "function_calling",
        **kwargs: Any,
    ) -> Runnable[Any, Any]:
        """Structured output by JSON schema (``response_format``) or function calling.

        Shaped like the providers' implementations: with ``include_raw`` the result
        is ``{"raw": AIMessage, "parsed": schema or None, "parsing_error": ...}``.
        """
        if kwargs:
            raise ValueError(f"Received unsupported arguments {kwargs}")
        parser: Runnable[Any, Any]
        llm: Runnable[Any, Any]
        if method == "json_schema":
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()},
            }
            llm = self.bind(response_format=response_format)
            parser = PydanticOutputParser(pydantic_object=schema)
        elif method == "function_calling":
            llm = self.bind_tools([schema], tool_choice="any")
            parser = PydanticToolsParser(tools=[schema], first_tool_only=True)
        else:
            raise ValueError(f"Unsupported method {method!r}: json_schema or function_calling.")
        if not include_raw:
            return llm | parser
        parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        unparsed = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parsed.with_fallbacks(
            [unparsed], exception_key="parsing_error"
        )

    def _result(
        self,
        content: str,
        messages: list[BaseMessage],
        kwargs: dict[str, Any],
        finish_reason: str = "stop",
    ) -> ChatResult:
        tools = kwargs.get("tools") or []
        self._modes[
            "function_calling"
            if tools
            else "json_schema"
            if kwargs.get("response_format")
            else "text"
        ] += 1
        tokens_in = sum(len(str(m.content).split()) for m in messages)
        tokens_out = len(content.split())
        usage = {
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        }
        meta = {"finish_reason": finish_reason}
        args = _json_object(content) if tools else None
        if args is not None:
            call = {"name": tools[0]["function"]["name"], "args": args, "id": "call_0"}
            message = AIMessage(
                content="", tool_calls=[call], usage_metadata=usage, response_metadata=meta
            )
        else:
            message = AIMessage(content=content, usage_metadata=usage, response_metadata=meta)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _plan(self, messages: list[BaseMessage]) -> tuple[float, str, str]:
        """How long the call takes, what it answers and why it stopped."""
        return self.latency, self.reply(messages), "stop"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        delay, content, finish = self._plan(messages)
        if delay:
            time.sleep(delay)
        return self._result(content, messages, kwargs, finish)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        delay, content, finish = self._plan(messages)
        if delay:
            await asyncio.sleep(delay)
        return self._result(content, messages, kwargs, finish)


def _json_object(text: str) -> dict[str, Any] | None:
    """``text`` as a JSON object, or ``None`` (a provider then returns plain content)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


class TextOnlyChatModel(ScriptedChatModel):
    """A :class:`ScriptedChatModel` without structured output, like many small providers."""

    @property
    def _llm_type(self) -> str:
        return "plurisim-text-only"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, Any]:
        """Not supported: raises ``NotImplementedError``."""
        raise NotImplementedError("This model has no tool calling.")

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        """Not supported: raises ``NotImplementedError``."""
        raise NotImplementedError("This model has no structured output.")


class FaultyChatModel(ScriptedChatModel):
    """A :class:`ScriptedChatModel` that fails a share of its calls on purpose.

    Parameters
    ----------
    fault_rate : float in [0, 1]
        Probability that a call fails.
    seed : int
        Faults are drawn from a NumPy generator seeded by this, the prompt and how
        many times the same prompt was asked before: reproducible under concurrency.
    kinds : tuple of str
        Which faults to inject, among :data:`FAULT_KINDS`.
    hang : float
        How long a ``timeout`` fault sleeps.
    """

    fault_rate: float = 0.3
    seed: int = 0
    kinds: tuple[str, ...] = tuple(FAULT_KINDS)
    hang: float = 3600.0
    _asked: dict[int, int] = PrivateAttr(default_factory=dict)
    _injected: list[str] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "plurisim-faulty"

    @property
    def injected(self) -> list[str]:
        """Every fault injected so far, in order."""
        return list(self._injected)

    def _fault(self, messages: list[BaseMessage]) -> str | None:
        key = zlib.crc32(_text(messages).encode("utf-8"))
        attempt = self._asked.get(key, 0)
        self._asked[key] = attempt + 1
        rng = np.random.default_rng([self.seed, key, attempt])
        if rng.random() >= self.fault_rate:
            return None
        kind = self.kinds[int(rng.integers(len(self.kinds)))]
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {kind!r}; choose among {', '.join(FAULT_KINDS)}.")
        self._injected.append(kind)
        return kind

    def _faulty_reply(self, kind: str, messages: list[BaseMessage]) -> str:
        if kind == "garbage":
            return "}}{{ lorem ipsum dolor"
        if kind == "refusal":
            return "I'm sorry, but I can't help with that request."
        text = self.reply(messages)
        if kind == "truncated":
            return text[: max(1, len(text) // 2)]
        good = json.loads(text)
        first = next(iter(good), "answer")
        if kind == "nested":
            junk: Any = "deep"
            for _ in range(12):
                junk = {"x": [junk]}
            return json.dumps({**good, first: junk})
        if kind == "huge_number":
            return json.dumps({**good, first: 0}).replace(": 0", ": " + "9" * 5000, 1)
        if kind in ("placeholder", "too_long"):
            fill: Callable[[str], str] = (
                (lambda key: f"<{key}>") if kind == "placeholder" else (lambda key: "x" * 9000)
            )
            return json.dumps({k: _fill(v, k, fill) for k, v in good.items()})
        if "accept" in good:
            good.update({"accept": False, "add": "no_such_intervention", "drop": None})
        elif "choice" in good and isinstance(good["choice"], int):
            good["choice"] = 99
        elif "choice" in good:
            good["choice"] = "Z"
        else:
            good["id"] = "no_such_id"
        return json.dumps(good)

    def _plan(self, messages: list[BaseMessage]) -> tuple[float, str, str]:
        """The rule's reply or the injected fault's; a timeout delays a good reply."""
        kind = self._fault(messages)
        if kind == "connection":
            raise ConnectionError("Connection refused (injected)")
        delay = self.latency + (self.hang if kind == "timeout" else 0.0)
        if kind in (None, "timeout"):
            return delay, self.reply(messages), "stop"
        finish = "length" if kind == "truncated" else "stop"
        return delay, self._faulty_reply(kind, messages), finish


def _fill(value: Any, key: str, fill: Callable[[str], str]) -> Any:
    """Replace the texts in a reply field (lists item by item), keep other values."""
    if isinstance(value, str):
        return fill(key)
    if isinstance(value, list):
        return [_fill(v, key, fill) for v in value]
    if value is None:
        return fill(key)
    return value


def _traits(angle: float) -> list[str]:
    if angle > 57.15:
        return ["selfless", "generous", "caring", "self-sacrificing", "devoted to others"]
    if angle > 22.45:
        return ["cooperative", "fair", "considerate", "trusting", "helpful"]
    if angle > -12.04:
        return ["self-reliant", "pragmatic", "independent", "goal-driven", "rational"]
    return ["competitive", "ambitious", "rivalrous", "status-seeking", "driven to win"]
