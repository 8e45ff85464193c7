"""LLM agents against a real model behind an OpenAI-compatible server.

Skipped unless ``PLURISIM_TEST_LLM`` names the endpoint and the model, as
``BASE_URL|MODEL``, for instance ``http://127.0.0.1:8080/v1|smollm2`` (llama.cpp's
server) or ``http://127.0.0.1:11434/v1|qwen2.5:0.5b`` (Ollama). Optional:
``PLURISIM_TEST_LLM_AGENTS`` (agents per target, default 2),
``PLURISIM_TEST_LLM_STRUCTURED`` (auto, json_schema, function_calling or text;
default auto), ``PLURISIM_TEST_LLM_CONCURRENCY`` (default 4). Run with ``-s`` to see
the figures: parse failures, fallbacks, seconds, value rationality against its
baselines, position bias.
"""

from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("langchain_openai")

from plurisim import svo
from plurisim.agents.llm import LLMPanel, LLMRuntime, LLMSettings

ENDPOINT = os.environ.get("PLURISIM_TEST_LLM", "")

pytestmark = pytest.mark.skipif(
    not ENDPOINT, reason="set PLURISIM_TEST_LLM='BASE_URL|MODEL' to test against a real server"
)


def _settings() -> LLMSettings:
    url, _, model = ENDPOINT.partition("|")
    if not model:
        pytest.fail(f"PLURISIM_TEST_LLM must be 'BASE_URL|MODEL'; got {ENDPOINT!r}")
    return LLMSettings(
        f"openai:{model}",
        base_url=url,
        temperature=0.7,
        max_tokens=200,
        timeout=180.0,
        concurrency=int(os.environ.get("PLURISIM_TEST_LLM_CONCURRENCY", "4")),
        structured=os.environ.get("PLURISIM_TEST_LLM_STRUCTURED", "auto"),
    )


def test_svo_battery_completes_and_reports_its_figures(capsys):
    n = int(os.environ.get("PLURISIM_TEST_LLM_AGENTS", "2"))
    settings = _settings()
    with LLMRuntime(settings) as runtime:
        results = svo.run_experiment(n_agents=n, seed=0, respondent=LLMPanel(runtime))
    summary = svo.summarize(results)
    stats = runtime.stats.to_dict()
    figures = {
        "endpoint": settings.describe(),
        "structured": runtime.structured,
        "agents_per_target": n,
        "llm": stats,
        "unparseable_answers": int(results["unparseable"].sum()),
        "targets": {
            target: {
                "value_rationality": round(row["value_rationality"], 3),
                "chance_value_rationality": round(row["chance_value_rationality"], 3),
                "constant_answer_value_rationality": round(
                    row["constant_answer_value_rationality"], 3
                ),
                "position_bias": round(row["position_bias"], 3),
                "biased_position": row["biased_position"],
                "position_p_value": round(row["position_p_value"], 4),
                "category_accuracy": row["category_accuracy"],
                "warning": row["warning"],
            }
            for target, row in summary.iterrows()
        },
        "displayed": results["displayed"].tolist(),
    }
    with capsys.disabled():
        print("\nplurisim real-model SVO battery:", json.dumps(figures, indent=2, default=str))
    assert len(results) == 4 * n
    assert stats["calls"] == 4 * n * 8  # traits, goal and six items per agent
    assert stats["seconds"] > 0 and stats["tokens_in"] > 0
    # The server answered: failures, if any, are the model's, not the connection's.
    assert "connection" not in stats["failures"] and "skipped" not in stats["failures"]


def test_one_negotiation_completes_and_reports_its_figures(capsys):
    from plurisim import negotiate, scenarios
    from plurisim.agents.llm import llm_policies

    settings = _settings()
    stakeholders, mediator = llm_policies(settings)
    result = negotiate(
        scenarios.load("toy-park"),
        seed=0,
        disagreement="status-quo",
        rounds=6,
        stakeholder_policy=stakeholders,
        mediator_policy=mediator,
    )
    figures = {
        "endpoint": settings.describe(),
        "agreement": result.agreement,
        "rounds": result.rounds,
        "package": list(result.package),
        "llm": result.details["llm"],
        "sources": [r["source"] for e in result.transcript[1:] for r in e["responses"]],
    }
    with capsys.disabled():
        print("\nplurisim real-model negotiation:", json.dumps(figures, indent=2, default=str))
    assert result.details["llm"]["calls"] > 0
    assert result.cost <= result.budget
