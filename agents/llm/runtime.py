"""Calling chat models reliably: one event loop, concurrency limit, retries, counting.

Every agent call goes through :class:`LLMRuntime`. The runtime owns one event loop,
running in a daemon thread for its whole life, and every batch of calls runs on
it: async HTTP clients (httpx, as ChatOpenAI uses) stay bound to the loop they
first ran on, so a fresh loop per batch would break them. Synchronous code (and
Jupyter, whose own loop is already running) submits work with :meth:`LLMRuntime.run`
and :meth:`LLMRuntime.gather`; at most ``concurrency`` calls are in flight, under
one semaphore on that loop.

Replies are constrained by the provider's structured output where it has one
(``with_structured_output``: JSON schema or function calling), else asked as text;
either way the reply is checked by the same strict parser
(:func:`~plurisim.agents.llm.schemas.parse_reply`) and the caller's validator. A
failed attempt (timeout, connection, error, truncated, refusal, parse, too_long,
number, schema, placeholder, out_of_range, wrong_id) is counted by kind and retried
with exponential backoff; after the last attempt the caller falls back to its
rule-based policy. Clients are told not to retry on their own where they would, so
every retry is counted here.

After :data:`GIVE_UP_AFTER` logical calls have failed to reach a working endpoint
(connection errors, timeouts, provider errors) and none has succeeded, the runtime
stops sending: the remaining calls fail at once as ``skipped`` (a dead endpoint
fails in seconds, not minutes). Replies that do not fit are never a reason to stop:
they are what is being measured. :meth:`LLMRuntime.check` raises
:class:`~plurisim.errors.LLMFailureError` when the share of failed logical calls is
above ``max_failure_share``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from plurisim.agents.llm.models import resolve_model
from plurisim.agents.llm.prompts import load
from plurisim.agents.llm.schemas import ReplyError, parse_reply
from plurisim.agents.llm.settings import LLMSettings
from plurisim.agents.llm.stats import Answer, LLMStats
from plurisim.errors import LLMFailureError, LLMUnavailableError
from pydantic import BaseModel

__all__ = ["GIVE_UP_AFTER", "Answer", "LLMRuntime", "LLMStats"]

T = TypeVar("T", bound=BaseModel)

GIVE_UP_AFTER = 8
"""Logical calls that found no working endpoint (every attempt a connection error, a
timeout or a provider error), with no success at all, after which the runtime stops
sending."""

_METHODS = ("json_schema", "function_calling", "text")
# Failures that say the endpoint does not work, as opposed to replies that do not fit.
_UNREACHABLE = frozenset({"connection", "timeout", "error", "skipped"})


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    loop.run_forever()


def _shutdown(
    loop: asyncio.AbstractEventLoop,
    thread: threading.Thread,
    closers: list[Callable[[], Awaitable[Any]]],
) -> None:
    """Close owned clients on the loop, finish its tasks there, stop it, close it.

    Everything that runs the loop runs in the loop's own thread, so closing works
    from a thread that has an event loop of its own running (a notebook).
    """
    if loop.is_closed():
        return
    if thread.is_alive():
        for close in closers:
            with contextlib.suppress(Exception):  # closing is best effort
                asyncio.run_coroutine_threadsafe(_call(close), loop).result(timeout=5)
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_drain(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
    if thread.is_alive():  # pragma: no cover - a call that ignores cancellation
        return
    loop.close()


async def _drain() -> None:
    """Cancel every other task of the running loop, wait for them, close async generators."""
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_asyncgens()


async def _call(close: Callable[[], Awaitable[Any]]) -> None:
    await close()


def _error_kind(exc: BaseException) -> str:
    """The failure kind of an exception raised by a provider."""
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or "Timeout" in name:
        return "timeout"
    if isinstance(exc, ConnectionError) or "Connect" in name:
        return "connection"
    if "LengthFinishReason" in name:
        return "truncated"
    if "ContentFilter" in name or "Refusal" in name:
        return "refusal"
    return "error"


def _reply_text(message: Any) -> tuple[str, str | None]:
    """The text to parse from a provider's message, and why generation stopped."""
    meta = getattr(message, "response_metadata", None) or {}
    finish = meta.get("finish_reason") or meta.get("stop_reason")
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args", {})), finish
    invalid = getattr(message, "invalid_tool_calls", None) or []
    if invalid:
        return str(invalid[0].get("args") or ""), finish
    if (getattr(message, "additional_kwargs", None) or {}).get("refusal"):
        raise ReplyError("refusal", str(message.additional_kwargs["refusal"])[:120])
    content = getattr(message, "content", message)
    if isinstance(content, list):  # some providers return content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content), finish


class LLMRuntime:
    """Runs the calls of LLM-backed agents against one chat model.

    Parameters
    ----------
    settings : LLMSettings, chat model or str, optional
        The settings; or, as a shorthand, the model (a LangChain chat model or a
        model spec such as ``"scripted"``) with the other settings as keywords.
    **overrides
        Settings to change (see :data:`~plurisim.agents.llm.settings.LLM_SETTINGS`);
        ``None`` values are ignored.

    Use it as a context manager, or call :meth:`close`, to stop its event loop;
    an unreferenced runtime stops it when collected, and at exit.

    Examples
    --------
    >>> from plurisim.agents.llm import LLMRuntime, GoalReply
    >>> runtime = LLMRuntime("scripted", concurrency=2)
    >>> runtime.structured
    'json_schema'
    >>> answers = runtime.gather([runtime.ask(runtime.messages("TASK: svo_goal"), GoalReply)] * 2)
    >>> [a.reply.goal for a in answers]
    ['Divide the coins the way my values ask.', 'Divide the coins the way my values ask.']
    >>> runtime.check()  # no failures: nothing raised
    >>> runtime.close()
    >>> LLMRuntime("scripted", concurrency=0)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'concurrency' parameter of LLMSettings must be an int in the range [1, 1000]. Got 0 instead.
    """

    def __init__(self, settings: Any = None, /, **overrides: Any) -> None:
        given = {k: v for k, v in overrides.items() if v is not None}
        if isinstance(settings, LLMSettings):
            self.settings = settings.replace(**given) if given else settings
        else:
            base = LLMSettings() if settings is None else LLMSettings(settings)
            self.settings = base.replace(**given) if given else base
        self.model: BaseChatModel = resolve_model(self.settings)
        self.stats = LLMStats()
        self.cache: dict[str, str] | None = {} if self.settings.cache else None
        self.structured = self._first_method()
        self._locked_in = self.settings.structured != "auto"
        self._runnables: dict[tuple[type[BaseModel], str], Any] = {}
        self._semaphore = asyncio.Semaphore(self.settings.concurrency)
        # Models without a native async API run in worker threads; in-process models
        # (llama.cpp) are not thread-safe, so those are called one at a time.
        self._serial = (
            asyncio.Lock() if type(self.model)._agenerate is BaseChatModel._agenerate else None
        )
        self._owns_model = not isinstance(self.settings.model, BaseChatModel)
        self._successes = 0
        self._failed_calls = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._closed = False

    # -- settings, kept readable under their old names ----------------------------------

    @property
    def concurrency(self) -> int:
        """Calls in flight at once."""
        return int(self.settings.concurrency)

    @property
    def timeout(self) -> float:
        """Seconds per call."""
        return float(self.settings.timeout)

    @property
    def retries(self) -> int:
        """Further attempts after a failure."""
        return int(self.settings.retries)

    @property
    def backoff(self) -> float:
        """Seconds before the first retry."""
        return float(self.settings.backoff)

    # -- structured output --------------------------------------------------------------

    def _supports(self, method: str) -> bool:
        if method == "text":
            return True
        try:
            self.model.with_structured_output(_Probe, method=method, include_raw=True)
        except (NotImplementedError, ValueError, TypeError):
            return False
        return True

    def _first_method(self) -> str:
        wanted = self.settings.structured
        if wanted == "auto":
            return next(m for m in _METHODS if self._supports(m))
        if not self._supports(wanted):
            raise LLMUnavailableError(
                f"The model {self.settings.describe()} has no structured output by {wanted}; "
                "use structured='auto' or 'text' (--llm-structured)."
            )
        return str(wanted)

    def _downgrade(self, failed: str) -> None:
        """In auto mode, move on from ``failed``, the way of asking a provider rejected."""
        if self._locked_in or self.structured != failed or failed == "text":
            return
        rest = _METHODS[_METHODS.index(failed) + 1 :]
        self.structured = next(m for m in rest if self._supports(m))

    def _runnable(self, schema: type[BaseModel]) -> Any:
        method = self.structured
        key = (schema, method)
        if key not in self._runnables:
            self._runnables[key] = (
                self.model
                if method == "text"
                else self.model.with_structured_output(schema, method=method, include_raw=True)
            )
        return self._runnables[key]

    # -- asking -------------------------------------------------------------------------

    def messages(self, prompt: str, history: Sequence[BaseMessage] = ()) -> list[BaseMessage]:
        """The system prompt, any earlier turns, then ``prompt``."""
        if history:
            return [*history, HumanMessage(prompt)]
        return [SystemMessage(load("system")), HumanMessage(prompt)]

    async def ask(
        self,
        messages: list[BaseMessage],
        schema: type[T],
        validate: Callable[[T], None] | None = None,
    ) -> Answer:
        """One logical call: attempts until a valid ``schema`` reply or attempts run out.

        ``validate`` may raise :class:`~plurisim.agents.llm.schemas.ReplyError` for a
        well-formed reply that names something that does not exist.
        """
        self.stats.calls += 1
        errors: list[str] = []
        key = hashlib.sha256(
            "\x00".join([schema.__name__, *(f"{m.type}:{m.content}" for m in messages)]).encode()
        ).hexdigest()
        attempts = 0
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats.retries += 1
                if self.backoff:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            attempts = attempt + 1
            try:
                reply = await self._attempt(messages, schema, key)
                if validate is not None:
                    validate(reply)
            except ReplyError as exc:
                self.stats.failures[exc.kind] += 1
                errors.append(str(exc)[:200])
                if exc.kind == "skipped":
                    break
                continue
            self._successes += 1
            self._locked_in = True
            return Answer(reply=reply, attempts=attempts, errors=errors)
        self.stats.fallbacks += 1
        if set(Answer(None, attempts, errors).kinds) <= _UNREACHABLE:
            self._failed_calls += 1
        return Answer(reply=None, attempts=attempts, errors=errors)

    def _given_up(self) -> bool:
        return self._failed_calls >= GIVE_UP_AFTER and not self._successes

    async def _attempt(self, messages: list[BaseMessage], schema: type[T], key: str) -> T:
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            self.stats.cache_hits += 1
            return parse_reply(cached, schema)
        async with self._semaphore:
            if self._given_up():
                raise ReplyError("skipped", f"no working endpoint in {GIVE_UP_AFTER} calls")
            method = self.structured  # chosen once a slot is free: auto may have moved on
            runnable = self._runnable(schema)
            try:
                if self._serial is not None:
                    async with self._serial:
                        out = await asyncio.wait_for(runnable.ainvoke(messages), self.timeout)
                else:
                    out = await asyncio.wait_for(runnable.ainvoke(messages), self.timeout)
            except TimeoutError:
                raise ReplyError("timeout", f"no reply within {self.timeout:g} s") from None
            except Exception as exc:
                kind = _error_kind(exc)
                if kind == "error":
                    self._downgrade(method)
                raise ReplyError(kind, f"{type(exc).__name__}: {exc}") from None
        message = out["raw"] if isinstance(out, dict) else out
        usage = getattr(message, "usage_metadata", None) or {}
        self.stats.tokens_in += int(usage.get("input_tokens", 0) or 0)
        self.stats.tokens_out += int(usage.get("output_tokens", 0) or 0)
        text, finish = _reply_text(message)
        try:
            reply = parse_reply(text, schema)
        except ReplyError as exc:
            if finish in ("length", "max_tokens") and exc.kind in ("parse", "schema"):
                raise ReplyError("truncated", f"cut off at the token limit ({exc})") from None
            raise
        if self.cache is not None:
            self.cache[key] = text
        return reply

    # -- the event loop -----------------------------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise RuntimeError("This LLMRuntime is closed.")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=_serve, args=(loop,), name="plurisim-llm-loop", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
                closers = self._client_closers()
                self._finalizer = weakref.finalize(self, _shutdown, loop, thread, closers)
            return self._loop

    def _client_closers(self) -> list[Callable[[], Awaitable[Any]]]:
        """Async HTTP clients the runtime created with its model, to close on its loop."""
        if not self._owns_model:
            return []
        out = []
        for name in ("root_async_client", "http_async_client"):
            client = getattr(self.model, name, None)
            close = getattr(client, "close", None) or getattr(client, "aclose", None)
            if callable(close):
                out.append(close)
        return out

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run a coroutine on the runtime's loop and return its result (from any thread)."""
        try:
            loop = self._ensure_loop()
            if threading.current_thread() is self._thread:
                raise RuntimeError("LLMRuntime.run was called from its own event loop; await it.")
        except RuntimeError:
            coro.close()
            raise
        start = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise
        finally:
            self.stats.seconds += time.perf_counter() - start

    def gather(self, calls: Sequence[Awaitable[Any]]) -> list[Any]:
        """Run awaitables concurrently (within the limit) and return their results in order."""

        async def _all() -> list[Any]:
            return list(await asyncio.gather(*calls))

        try:
            return list(self.run(_all()))
        except RuntimeError:
            for call in calls:  # never started: close them rather than leak them
                if asyncio.iscoroutine(call):
                    call.close()
            raise

    def close(self) -> None:
        """Stop the event loop and close the HTTP clients the runtime created."""
        with self._lock:
            self._closed = True
            finalizer = self._finalizer
        if finalizer is not None:
            finalizer()

    def __enter__(self) -> LLMRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reporting ----------------------------------------------------------------------

    def check(self, endpoint: str | None = None, setting: str = "--llm-max-failure-share") -> None:
        """Raise :class:`~plurisim.errors.LLMFailureError` above the allowed failure share.

        Parameters
        ----------
        endpoint : str, optional
            How to name the model in the message (default: the settings' model and
            base URL).
        setting : str
            Where the message says the allowed share is set.
        """
        s = self.stats
        limit = self.settings.max_failure_share
        if s.calls and s.failure_share > limit:
            kinds = ", ".join(f"{k} {n}" for k, n in s.failures.most_common()) or "none"
            raise LLMFailureError(
                f"The LLM {endpoint or self.settings.describe()} failed on {s.fallbacks} of "
                f"{s.calls} calls ({s.failure_share:.0%}), more than the allowed share "
                f"{limit:g} (failed attempts by kind: {kinds}). Check that the server is "
                f"running and serves that model, or allow more with {setting}."
            )

    def report(self) -> dict[str, Any]:
        """The model, how replies were constrained, and :meth:`LLMStats.to_dict`."""
        return {
            "model": self.settings.describe(),
            "structured": self.structured,
            **self.stats.to_dict(),
        }


class _Probe(BaseModel):
    """A one-field schema to ask a model whether it supports a structured method."""

    ok: bool
