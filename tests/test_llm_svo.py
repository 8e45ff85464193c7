"""SVO with chat models, measured honestly: shuffled options, position bias, baselines."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("langchain_core")

from plurisim import svo
from plurisim.agents.llm import LLMPanel, LLMRespondent, LLMRuntime, ScriptedChatModel
from plurisim.cli import main


def run(model, n=10, **kw):
    with LLMRuntime(model) as runtime:
        df = svo.run_experiment(n_agents=n, seed=5, respondent=LLMPanel(runtime), **kw)
    return df, svo.summarize(df)


def test_a_model_that_reads_the_payoffs_is_not_fooled_by_the_order():
    df, summary = run(ScriptedChatModel(), n=6)
    assert (df["value_rationality"] == 1.0).all()
    for _, row in df.iterrows():  # the recorded order maps each displayed letter back
        order = svo.parse_order(row["order"])
        canonical = [
            svo.OPTIONS[order[i][svo.OPTIONS.index(c)]] for i, c in enumerate(row["displayed"])
        ]
        assert "".join(canonical) == row["choices"]
    assert (df["displayed"] != df["choices"]).mean() > 0.9  # the options really were shuffled
    assert (summary["warning"] == "").all()


def test_answering_one_position_is_exposed_not_scored_as_a_value():
    df, summary = run(ScriptedChatModel(svo_position="A"), n=20)
    assert (df["displayed"] == "AAAAAA").all()
    assert (summary["position_bias"] == 1.0).all() and (summary["biased_position"] == "A").all()
    assert (summary["position_p_value"] < 1e-12).all()
    # Under shuffling, a constant position answers at random: VR sits at chance level.
    gap = (summary["value_rationality"] - summary["chance_value_rationality"]).abs()
    assert (gap < 0.15).all()
    assert summary["warning"].str.contains("within two standard errors").all()


def test_without_shuffling_a_constant_answer_passes_for_a_value():
    df, summary = run(ScriptedChatModel(svo_position="A"), n=5, shuffle=False)
    assert (df["choices"] == "AAAAAA").all()
    aaaaaa = svo.value_rationality(
        svo.svo_angle("AAAAAA"), np.array(list(svo.CATEGORY_TARGETS.values()))
    )
    assert summary["value_rationality"].to_numpy() == pytest.approx(aaaaaa)
    assert summary["value_rationality"].mean() == pytest.approx(0.643, abs=0.001)  # "about 0.64"
    assert (
        summary["constant_answer_value_rationality"] >= summary["value_rationality"] - 1e-12
    ).all()
    assert summary["warning"].str.contains("always answering").all()
    assert (
        summary.loc[["altruistic", "prosocial"], "warning"].str.contains("always answering A").all()
    )


def test_same_seed_same_answers_and_orders():
    a, _ = run(ScriptedChatModel(neutral_pull=0.3), n=3)
    b, _ = run(ScriptedChatModel(neutral_pull=0.3), n=3)
    assert a.equals(b)


def test_a_respondent_alone_answers_in_its_display_order():
    order = np.tile(np.arange(8, -1, -1), (6, 1))
    with LLMRuntime("scripted") as runtime:
        plain = LLMRespondent(61.39, runtime).answer(None, None)
        reversed_ = LLMRespondent(61.39, runtime).answer(None, order)
    flip = {c: svo.OPTIONS[8 - svo.OPTIONS.index(c)] for c in svo.OPTIONS}
    assert reversed_.choices == [flip[c] for c in plain.choices]
    assert [t["step"] for t in plain.transcript][:2] == ["traits", "goal"]


def test_cli_warns_on_stderr_and_reports_bias(capsys):
    assert main(["svo", "--llm", "scripted:position=C", "--agents", "10", "--json"]) == 0
    captured = capsys.readouterr()
    records = json.loads(captured.out)
    for r in records:
        assert r["position_bias"] == 1.0 and r["biased_position"] == "C"
        assert {"chance_value_rationality", "constant_answer_value_rationality", "warning"} <= set(
            r
        )
    lines = captured.err.strip().split("\n")
    assert len(lines) == 4 and all(ln.startswith("plurisim: warning: ") for ln in lines)
