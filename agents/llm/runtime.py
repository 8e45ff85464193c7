"""Calling chat models reliably: concurrency limit, timeout, retries, fallback, counting.

Every agent call goes through :class:`LLMRuntime`. Calls of one round run
concurrently (at most ``concurrency`` at a time); each has a timeout; a failure
(timeout, error, refusal, unparseable or invalid reply) is retried with exponential
backoff; after the last attempt the caller falls back to the rule-based policy.
Tokens, calls, retries, faults and fallbacks are counted for the result.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from plurisim.agents.llm.models import describe_model
from plurisim.agents.llm.prompts import PROMPT_VERSION, load
from plurisim.agents.llm.schemas import ReplyError, parse_reply
from plurisim.validation import check_int, check_real
from pydantic import BaseModel

__all__ = ["Answer", "LLMRuntime", "LLMStats", "run_sync"]

T = TypeVar("T", bound=BaseModel)


def run_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion from synchronous code, also inside Jupyter.

    Where an event loop is already running (a notebook), the coroutine runs on a
    fresh loop in a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass
class LLMStats:
    """What the LLM calls of a run cost and how they went."""

    calls: int = 0
    retries: int = 0
    fallbacks: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    faults: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the result."""
        return {
            "calls": self.calls,
            "retries": self.retries,
            "fallbacks": self.fallbacks,
            "cache_hits": self.cache_hits,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "faults": dict(sorted(self.faults.items())),
        }


@dataclass
class Answer:
    """The outcome of one logical call: the parsed reply, or ``None`` and why."""

    reply: Any
    attempts: int
    errors: list[str]

    @property
    def ok(self) -> bool:
        """Whether a valid reply came back."""
        return self.reply is not None


class LLMRuntime:
    """Runs the calls of LLM-backed agents against one chat model.

    Parameters
    ----------
    model : BaseChatModel
    concurrency : int
        Calls in flight at once.
    timeout : float
        Seconds per call before it counts as a timeout.
    retries : int
        Further attempts after a failure.
    backoff : float
        Seconds before the first retry; doubled after each.
    cache : bool
        Reuse the reply to an identical conversation instead of calling again.
    """

    def __init__(
        self,
        model: BaseChatModel,
        *,
        concurrency: int = 8,
        timeout: float = 60.0,
        retries: int = 2,
        backoff: float = 0.5,
        cache: bool = False,
    ) -> None:
        owner = "LLMRuntime"
        self.model = model
        self.concurrency = check_int(concurrency, "concurrency", owner, low=1, high=1000)
        self.timeout = check_real(timeout, "timeout", owner, low=0, closed="right")
        self.retries = check_int(retries, "retries", owner, low=0, high=20)
        self.backoff = check_real(backoff, "backoff", owner, low=0, high=600)
        self.cache: dict[str, str] | None = {} if cache else None
        self.stats = LLMStats()
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: Any = None

    def messages(self, prompt: str, history: Sequence[BaseMessage] = ()) -> list[BaseMessage]:
        """The system prompt, any earlier turns, then ``prompt``."""
        if history:
            return [*history, HumanMessage(prompt)]
        return [SystemMessage(load("system")), HumanMessage(prompt)]

    def _limit(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore = asyncio.Semaphore(self.concurrency)
            self._loop = loop
        return self._semaphore

    async def ask(
        self,
        messages: list[BaseMessage],
        schema: type[T],
        validate: Callable[[T], None] | None = None,
    ) -> Answer:
        """Call the model until a valid ``schema`` reply comes back or attempts run out.

        ``validate`` may raise :class:`~plurisim.agents.llm.schemas.ReplyError` for a
        well-formed reply that names something that does not exist.
        """
        errors: list[str] = []
        key = hashlib.sha256(
            "\x00".join(f"{m.type}:{m.content}" for m in messages).encode()
        ).hexdigest()
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats.retries += 1
                if self.backoff:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            text = self.cache.get(key) if self.cache is not None and attempt == 0 else None
            if text is not None:
                self.stats.cache_hits += 1
            else:
                try:
                    text = await self._call(messages)
                except TimeoutError:
                    self.stats.faults["timeout"] += 1
                    errors.append("timeout")
                    continue
                except Exception as exc:
                    self.stats.faults["error"] += 1
                    errors.append(f"error: {type(exc).__name__}: {exc}"[:200])
                    continue
            try:
                reply = parse_reply(text, schema)
                if validate is not None:
                    validate(reply)
            except ReplyError as exc:
                self.stats.faults[exc.kind] += 1
                errors.append(str(exc)[:200])
                continue
            if self.cache is not None:
                self.cache[key] = text
            return Answer(reply=reply, attempts=attempt + 1, errors=errors)
        self.stats.fallbacks += 1
        return Answer(reply=None, attempts=self.retries + 1, errors=errors)

    async def _call(self, messages: list[BaseMessage]) -> str:
        async with self._limit():
            start = time.perf_counter()
            self.stats.calls += 1
            try:
                msg = await asyncio.wait_for(self.model.ainvoke(messages), timeout=self.timeout)
            finally:
                self.stats.seconds += time.perf_counter() - start
        usage = getattr(msg, "usage_metadata", None) or {}
        self.stats.input_tokens += int(usage.get("input_tokens", 0) or 0)
        self.stats.output_tokens += int(usage.get("output_tokens", 0) or 0)
        content = msg.content
        if isinstance(content, list):  # some providers return content blocks
            content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
        return str(content)

    def report(self) -> dict[str, Any]:
        """The model, the prompt version and what the calls cost, for a result."""
        return {
            "model": describe_model(self.model),
            "prompt_version": PROMPT_VERSION,
            **self.stats.to_dict(),
        }

    def gather(self, calls: Sequence[Awaitable[Any]]) -> list[Any]:
        """Run awaitables concurrently (within the limit) and return their results in order."""

        async def _all() -> list[Any]:
            return list(await asyncio.gather(*calls))

        return list(run_sync(_all()))
