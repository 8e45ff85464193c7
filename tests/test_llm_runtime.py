"""The LLM runtime: settings, one event loop, structured output, failure kinds, the check."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import socket
import threading
import time

import pytest

pytest.importorskip("langchain_core")

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from llm_models import CountingModel
from plurisim.agents.llm import (
    FAILURE_KINDS,
    FAULT_KINDS,
    LLM_SETTINGS,
    FaultyChatModel,
    GoalReply,
    ItemReply,
    LLMRuntime,
    LLMSettings,
    ScriptedChatModel,
    TextOnlyChatModel,
    resolve_model,
)
from plurisim.agents.llm.runtime import GIVE_UP_AFTER
from plurisim.cli import build_parser, main
from plurisim.errors import LLMFailureError, LLMUnavailableError, ParameterError, PlurisimError

ITEM = "TASK: svo_item\nA: (85, 85)\nB: (85, 76)\nC: (85, 68)"
GOAL = "TASK: svo_goal"


def ask(runtime, prompt, schema, n=1):
    return runtime.gather([runtime.ask(runtime.messages(prompt), schema) for _ in range(n)])


# -- settings --------------------------------------------------------------------------


def test_settings_are_declared_once():
    names = [spec.name for spec in LLM_SETTINGS]
    assert names == [f.name for f in dataclasses.fields(LLMSettings)]
    defaults = LLMSettings()
    assert all(getattr(defaults, s.name) == s.default for s in LLM_SETTINGS)
    assert all(s.help for s in LLM_SETTINGS)
    flags = {s.flag for s in LLM_SETTINGS if s.flag}
    assert flags == {
        "--llm",
        "--llm-base-url",
        "--llm-temperature",
        "--llm-max-tokens",
        "--llm-concurrency",
        "--llm-retries",
        "--llm-timeout",
        "--llm-max-failure-share",
        "--llm-structured",
    }
    svo_help = build_parser()._subparsers._group_actions[0].choices["svo"].format_help()
    assert all(flag in svo_help for flag in flags)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("model", "gpt-4o", "'model' parameter of LLMSettings must be 'PROVIDER:MODEL'"),
        ("model", 3, "'model' parameter of LLMSettings must be 'PROVIDER:MODEL'"),
        (
            "base_url",
            "127.0.0.1:8080",
            "'base_url' parameter of LLMSettings must be an http(s) URL",
        ),
        (
            "temperature",
            2.5,
            "'temperature' parameter of LLMSettings must be a real number in the range [0, 2]",
        ),
        (
            "max_tokens",
            0,
            "'max_tokens' parameter of LLMSettings must be an int in the range [1, 100000]",
        ),
        ("concurrency", 1.5, "'concurrency' parameter of LLMSettings must be an int"),
        ("retries", 21, "'retries' parameter of LLMSettings must be an int in the range [0, 20]"),
        (
            "timeout",
            0.0,
            "'timeout' parameter of LLMSettings must be a real number in the range (0, 3600]",
        ),
        (
            "max_failure_share",
            1.5,
            "'max_failure_share' parameter of LLMSettings must be a real number in the range [0, 1]",
        ),
        (
            "structured",
            "json",
            "'structured' parameter of LLMSettings must be one of 'auto', 'json_schema', 'function_calling', 'text'",
        ),
        (
            "backoff",
            -1,
            "'backoff' parameter of LLMSettings must be a real number in the range [0, 600]",
        ),
        ("cache", "yes", "'cache' parameter of LLMSettings must be a bool"),
    ],
)
def test_settings_validation(field, value, message):
    with pytest.raises(ParameterError) as exc:
        LLMSettings(**{field: value})
    assert message in str(exc.value)
    assert f"Got {value!r} instead." in str(exc.value)


def test_settings_from_the_command_line():
    parser = build_parser()
    args = parser.parse_args(
        [
            "svo",
            "--llm",
            "openai:smollm2",
            "--llm-base-url",
            "http://127.0.0.1:8080/v1",
            "--llm-temperature",
            "0.2",
            "--llm-max-tokens",
            "64",
            "--llm-concurrency",
            "2",
            "--llm-retries",
            "0",
            "--llm-timeout",
            "9",
            "--llm-max-failure-share",
            "0.1",
            "--llm-structured",
            "text",
        ]
    )
    s = LLMSettings.from_namespace(args)
    assert (s.model, s.base_url, s.temperature, s.max_tokens) == (
        "openai:smollm2",
        "http://127.0.0.1:8080/v1",
        0.2,
        64,
    )
    assert (s.concurrency, s.retries, s.timeout, s.max_failure_share, s.structured) == (
        2,
        0,
        9.0,
        0.1,
        "text",
    )
    assert LLMSettings.from_namespace(parser.parse_args(["svo"])) is None
    with pytest.raises(ParameterError, match="--llm-base-url needs --llm"):
        LLMSettings.from_namespace(argparse.Namespace(llm=None, llm_base_url="http://x"))


def test_openai_models_need_only_the_llm_extra(monkeypatch):
    pytest.importorskip("langchain_openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    s = LLMSettings(
        "openai:smollm2",
        base_url="http://127.0.0.1:8080/v1",
        temperature=0.0,
        max_tokens=99,
        timeout=7.0,
    )
    model = resolve_model(s)
    assert type(model).__name__ == "ChatOpenAI"
    assert model.max_retries == 0  # every retry is the runtime's, and counted
    assert model.openai_api_base == "http://127.0.0.1:8080/v1"
    assert model.openai_api_key.get_secret_value() == "local-server-needs-no-key"
    assert (model.temperature, model.max_tokens, model.request_timeout) == (0.0, 99, 7.0)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    assert resolve_model(s).openai_api_key.get_secret_value() == "sk-from-the-environment"


# -- one event loop ----------------------------------------------------------------------


class LoopBoundModel(ScriptedChatModel):
    """Like an httpx-backed client: fails when called from another loop than its first."""

    def _plan(self, messages):
        loop = asyncio.get_running_loop()
        first = self.__dict__.setdefault("_first_loop", loop)
        if first is not loop:
            raise RuntimeError("Event loop is closed")
        return super()._plan(messages)


def test_the_fake_client_fails_across_event_loops():
    model = LoopBoundModel()
    asyncio.run(model.ainvoke(GOAL))
    with pytest.raises(RuntimeError, match="Event loop is closed"):
        asyncio.run(model.ainvoke(GOAL))  # what a fresh loop per batch did


def test_every_batch_runs_on_the_same_loop():
    with LLMRuntime(LoopBoundModel(), retries=0) as runtime:
        batches = [ask(runtime, GOAL, GoalReply, n=3) for _ in range(4)]
        single = runtime.run(runtime.ask(runtime.messages(GOAL), GoalReply))
    assert all(a.ok for batch in batches for a in batch) and single.ok
    assert runtime.stats.failures == {} and runtime.stats.calls == 13


def test_the_runtime_works_where_a_loop_is_already_running():
    with LLMRuntime(LoopBoundModel(), retries=0) as runtime:

        async def notebook_cell():  # Jupyter runs cells inside its own loop
            return ask(runtime, GOAL, GoalReply, n=2) + ask(runtime, GOAL, GoalReply, n=2)

        answers = asyncio.run(notebook_cell())
    assert all(a.ok for a in answers)


def test_close_stops_the_loop_thread():
    runtime = LLMRuntime("scripted")
    ask(runtime, GOAL, GoalReply)
    thread = runtime._thread
    assert thread is not None and thread.is_alive()
    runtime.close()
    assert not thread.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        ask(runtime, GOAL, GoalReply)


def test_one_concurrency_limit_for_all_batches():
    model = CountingModel(latency=0.02)
    with LLMRuntime(model, concurrency=3) as runtime:
        ask(runtime, GOAL, GoalReply, n=10)
    assert model.peak == 3


class SyncOnly(BaseChatModel):
    """A model without a native async API (as in-process llama.cpp): not thread-safe."""

    @property
    def _llm_type(self):
        return "sync-only"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        lock = self.__dict__.setdefault("_busy", threading.Lock())
        if not lock.acquire(blocking=False):
            raise RuntimeError("called from two threads at once")
        try:
            time.sleep(0.01)
            text = '{"goal": "share"}'
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
        finally:
            lock.release()


def test_models_without_async_are_called_one_at_a_time():
    with LLMRuntime(SyncOnly(), concurrency=8, structured="text") as runtime:
        answers = ask(runtime, GOAL, GoalReply, n=8)
    assert all(a.ok for a in answers) and runtime.stats.failures == {}


# -- structured output ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output_uses_the_providers_schema_support(method):
    model = ScriptedChatModel()
    with LLMRuntime(model, structured=method) as runtime:
        answers = ask(runtime, ITEM, ItemReply, n=3)
    expected = json.loads(model.reply(runtime.messages(ITEM)))["choice"]
    assert [a.reply.choice for a in answers] == [expected] * 3
    assert runtime.structured == method and model.modes == {method: 3}


def test_auto_falls_back_to_text_and_the_strict_parser():
    model = TextOnlyChatModel()
    with LLMRuntime(model) as runtime:
        answers = ask(runtime, ITEM, ItemReply, n=2)
    assert runtime.structured == "text" and model.modes == {"text": 2}
    assert all(a.ok for a in answers)
    with pytest.raises(LLMUnavailableError, match="no structured output by json_schema"):
        LLMRuntime(TextOnlyChatModel(), structured="json_schema")


class NoJsonSchema(ScriptedChatModel):
    """Like llama-cpp-python's server: a JSON-schema request is an error, tools work."""

    def _plan(self, messages):
        raise AssertionError("not reached")

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
        if kwargs.get("response_format"):
            raise ValueError("Error code: 500 - response_format.type: Input should be 'text'")
        return self._result(self.reply(messages), messages, kwargs)


def test_auto_moves_on_when_the_provider_rejects_a_method():
    model = NoJsonSchema()
    with LLMRuntime(model, concurrency=4, backoff=0.0) as runtime:
        answers = ask(runtime, ITEM, ItemReply, n=6)
    assert all(a.ok for a in answers)
    assert runtime.structured == "function_calling"
    assert 1 <= runtime.stats.failures["error"] <= 4  # only the calls already in flight
    assert model.modes["function_calling"] == 6


EXPECTED = {
    "timeout": "timeout",
    "garbage": "parse",
    "refusal": "refusal",
    "wrong_id": "out_of_range",  # an SVO letter that is not offered
    "placeholder": "placeholder",
    "nested": "schema",
    "huge_number": "number",
    "too_long": "too_long",
    "truncated": "truncated",
    "connection": "connection",
}


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "text"])
@pytest.mark.parametrize("fault", list(FAULT_KINDS))
def test_every_fault_is_a_counted_failure_of_its_kind(fault, method):
    assert set(EXPECTED) == set(FAULT_KINDS) and set(EXPECTED.values()) <= set(FAILURE_KINDS)
    model = FaultyChatModel(fault_rate=1.0, kinds=(fault,), hang=5.0)
    if method == "text":
        model = type("FaultyText", (FaultyChatModel, TextOnlyChatModel), {})(
            fault_rate=1.0, kinds=(fault,), hang=5.0
        )
    settings = {"retries": 1, "backoff": 0.0, "timeout": 0.5}  # only an injected hang times out
    with LLMRuntime(model, structured="auto" if method == "text" else method, **settings) as rt:
        (answer,) = ask(rt, ITEM, ItemReply)
    assert not answer.ok and answer.kinds == [EXPECTED[fault]] * 2
    assert rt.stats.to_dict() | {"seconds": 0, "tokens_in": 0, "tokens_out": 0} == {
        "calls": 1,
        "failures": {EXPECTED[fault]: 2},
        "fallbacks": 1,
        "retries": 1,
        "tokens_in": 0,
        "tokens_out": 0,
        "seconds": 0,
    }


def test_a_good_retry_after_a_fault_is_not_a_fallback():
    model = FaultyChatModel(fault_rate=0.5, kinds=("placeholder",), seed=3)
    with LLMRuntime(model, retries=3, backoff=0.0) as runtime:
        answers = ask(runtime, ITEM, ItemReply, n=40)
    s = runtime.stats
    assert s.calls == 40 and s.failures["placeholder"] == len(model.injected)
    assert s.fallbacks == sum(not a.ok for a in answers) < 10  # 0.5 ** 4 of the calls
    assert s.failures["placeholder"] == s.retries + s.fallbacks  # every attempt counted once


# -- failures made visible -------------------------------------------------------------------


def test_check_raises_above_the_failure_share():
    with LLMRuntime(
        FaultyChatModel(fault_rate=1.0, kinds=("connection",)), retries=1, backoff=0.0
    ) as runtime:
        answers = ask(runtime, GOAL, GoalReply, n=20)
    s = runtime.stats
    assert not any(a.ok for a in answers)
    assert s.calls == 20 and s.fallbacks == 20
    # after GIVE_UP_AFTER failed calls and no success, nothing more is sent
    assert s.failures["skipped"] + GIVE_UP_AFTER <= 20
    with pytest.raises(LLMFailureError) as exc:
        runtime.check("the test server")
    assert exc.value.exit_status == 1 and isinstance(exc.value, PlurisimError)
    message = str(exc.value)
    assert "The LLM the test server failed on 20 of 20 calls (100%)" in message
    assert "more than the allowed share 0.5" in message and "connection" in message
    with LLMRuntime("scripted", max_failure_share=1.0) as lenient:
        lenient.stats.calls, lenient.stats.fallbacks = 10, 10
        lenient.check()  # 100% is not above 1.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_dead_endpoint_exits_1_after_writing_its_output(tmp_path, capsys):
    pytest.importorskip("langchain_openai")
    out = tmp_path / "svo"
    start = time.perf_counter()
    code = main(
        [
            "svo",
            "--agents",
            "2",
            "--json",
            "--out",
            str(out),
            "--llm",
            "openai:nothing",
            "--llm-base-url",
            f"http://127.0.0.1:{_closed_port()}/v1",
            "--llm-retries",
            "1",
            "--llm-timeout",
            "5",
        ]
    )
    seconds = time.perf_counter() - start
    captured = capsys.readouterr()
    assert code == 1
    records = json.loads(captured.out)
    assert len(records) == 4 and all(r["llm"] == records[0]["llm"] for r in records)
    llm = records[0]["llm"]
    assert llm["calls"] == 64 and llm["fallbacks"] == 64
    assert set(llm["failures"]) == {"connection", "skipped"}
    # besides the files --out names, one line: the error
    lines = [line for line in captured.err.splitlines() if not line.startswith("wrote ")]
    assert len(lines) == 1 and lines[0].startswith("plurisim: error: The LLM")
    assert json.loads((out / "svo_llm.json").read_text())["fallbacks"] == 64
    assert seconds < 30  # backoff 0.5 s; nothing is asked after the first failures


def test_stats_are_exactly_the_documented_fields():
    with LLMRuntime("scripted") as runtime:
        ask(runtime, GOAL, GoalReply)
    d = runtime.stats.to_dict()
    assert list(d) == [
        "calls",
        "failures",
        "fallbacks",
        "retries",
        "tokens_in",
        "tokens_out",
        "seconds",
    ]
    assert d["calls"] == 1 and d["tokens_in"] > 0 and d["tokens_out"] > 0 and d["seconds"] > 0
