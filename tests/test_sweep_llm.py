"""Sweeps whose negotiative runs have LLM-backed agents (the spec's ``llm`` settings)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml
from plurisim.cli import main
from plurisim.errors import ParameterError, SpecError
from plurisim.experiments import expand, load_spec, sweep

pytest.importorskip("langchain_core")

from plurisim.agents.llm import FaultyChatModel, LLMSettings, resolve_model

SPEC = {
    "scenarios": ["toy-park"],
    "mechanisms": ["negotiative", "maximin"],
    "llm": {"model": "scripted", "temperature": 0, "structured": "auto"},
    "seeds": [0, 1],
}
COLUMNS = [
    "llm_calls",
    "llm_failures",
    "llm_fallbacks",
    "llm_retries",
    "llm_seconds",
    "llm_tokens_in",
    "llm_tokens_out",
]


@pytest.fixture(scope="module")
def inprocess(tmp_path_factory):
    return sweep(SPEC, tmp_path_factory.mktemp("llm"), executor="inprocess", progress=False)


def _cli_run_llm(capsys, seed):
    """What ``plurisim run --llm scripted --json`` reports: the independent reference."""
    argv = ["run", "toy-park", "--llm", "scripted", "--llm-temperature", "0", "--json"]
    assert main([*argv, "--seed", str(seed)]) == 0
    return json.loads(capsys.readouterr().out)


def test_negotiative_rows_record_what_run_llm_reports(inprocess, capsys):
    table = inprocess.table
    assert len(table) == 4 and inprocess.failed == 0
    assert [c for c in table.columns if c.startswith("llm_")] == COLUMNS
    neg = table[table.mechanism == "negotiative"].sort_values("seed")
    for _, row in neg.iterrows():
        doc = _cli_run_llm(capsys, int(row["seed"]))
        assert row["package"] == "; ".join(doc["package"])
        assert row["total_utility"] == pytest.approx(doc["metrics"]["total_utility"])
        for key in ("calls", "fallbacks", "retries", "tokens_in", "tokens_out"):
            assert row[f"llm_{key}"] == doc["llm"][key], key
        assert row["llm_failures"] == sum(doc["llm"]["failures"].values())
        assert row["llm_calls"] > 0 and row["llm_seconds"] >= 0
    rules = table[table.mechanism == "maximin"]
    assert rules[COLUMNS].isna().all().all()  # the other rules ignore llm


def test_without_llm_the_negotiation_is_rule_based(inprocess, tmp_path):
    plain = {k: v for k, v in SPEC.items() if k != "llm"}
    table = sweep(plain, tmp_path, executor="inprocess", progress=False).table
    assert not [c for c in table.columns if c.startswith("llm_")]
    # the rules' rows are the same with or without llm
    rules = inprocess.table[inprocess.table.mechanism == "maximin"].dropna(axis=1, how="all")
    pd.testing.assert_frame_equal(
        rules.reset_index(drop=True),
        table[table.mechanism == "maximin"].dropna(axis=1, how="all").reset_index(drop=True),
    )


def test_two_processes_give_the_same_table(inprocess, tmp_path):
    table = sweep(SPEC, tmp_path, executor="process", workers=2, progress=False).table
    # seconds are wall-clock time; every other column is the same, byte for byte
    pd.testing.assert_frame_equal(
        table.drop(columns="llm_seconds"), inprocess.table.drop(columns="llm_seconds")
    )
    again = sweep(SPEC, tmp_path, executor="inprocess", progress=False)
    assert (again.ran, again.skipped) == (0, 4)


def test_the_settings_are_part_of_the_hash(tmp_path):
    digest = expand(load_spec(SPEC)[0])[2]
    for change in ({"retries": 3}, {"model": "scripted:latency=0"}, {"cache": True}):
        other = {**SPEC, "llm": {**SPEC["llm"], **change}}
        assert expand(load_spec(other)[0])[2] != digest, change
    # a default spelled out is the same settings, so the same sweep
    same = {**SPEC, "llm": {**SPEC["llm"], "retries": 2, "max_failure_share": 0.5}}
    assert expand(load_spec(same)[0])[2] == digest
    # without llm, the hash is what it was before llm existed
    plain = {k: v for k, v in SPEC.items() if k != "llm"}
    spec = load_spec(plain)[0]
    assert "llm" not in json.dumps(spec.model_dump(mode="json", exclude={"llm"}))
    assert expand(spec)[2] != digest

    sweep(SPEC, tmp_path, executor="inprocess", progress=False)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["spec"]["llm"] == LLMSettings("scripted", temperature=0).to_dict()
    with pytest.raises(SpecError, match="holds the results of a different sweep spec"):
        sweep(
            {**SPEC, "llm": {**SPEC["llm"], "temperature": 1}},
            tmp_path,
            executor="inprocess",
            progress=False,
        )


@pytest.mark.parametrize(
    ("llm", "message"),
    [
        (
            {"timeout": 0},
            "llm: The 'timeout' parameter of LLMSettings must be a real number in the range "
            "(0, 3600]. Got 0 instead.",
        ),
        (
            {"temperature": 3},
            "llm: The 'temperature' parameter of LLMSettings must be a real number in the range "
            "[0, 2]. Got 3 instead.",
        ),
        ({"structured": "xml"}, "llm: The 'structured' parameter of LLMSettings must be"),
        ({"model": "gpt"}, "llm: The 'model' parameter of LLMSettings must be 'PROVIDER:MODEL'"),
        ({"model": 3}, "llm: model: a sweep spec names its model as a string"),
        ({"speed": 1}, "llm: LLMSettings has no setting 'speed'; the settings are model, "),
        ({"cache": "yes"}, "llm: The 'cache' parameter of LLMSettings must be a bool."),
        ("scripted", "llm: Input should be a valid dictionary; got 'scripted'"),
    ],
)
def test_bad_llm_settings_are_refused(tmp_path, capsys, llm, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**SPEC, "llm": llm}))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--executor", "inprocess"]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and str(path) in err
    assert len(err.splitlines()) == 1
    assert not out.exists()


def test_the_messages_are_those_of_the_command_line_and_python(capsys):
    """The same check, the same words: only where the setting is named differs."""
    with pytest.raises(ParameterError) as python:
        LLMSettings("scripted", retries=-1)
    with pytest.raises(SpecError) as spec:
        load_spec({**SPEC, "llm": {"retries": -1}})
    assert str(spec.value) == f"<spec>: llm: {python.value}"
    assert main(["run", "toy-park", "--llm", "scripted", "--llm-retries", "-1"]) == 2
    cli = capsys.readouterr().err
    assert "must be an int in the range [0, 20]. Got -1 instead." in cli
    assert "must be an int in the range [0, 20]. Got -1 instead." in str(spec.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"mechanisms": ["maximin", "greedy"]},
            "<spec>: llm: the LLM settings apply to the negotiative mechanism only, and this "
            "sweep runs none (mechanisms: maximin, greedy); add negotiative or remove llm",
        ),
        (
            {"mechanisms": [{"name": "negotiative", "params": {"stakeholders": "individuals"}}]},
            "<spec>: llm: LLM agents speak for groups, but mechanisms[0].params.stakeholders is "
            "'individuals'; use 'groups' or remove llm",
        ),
        (
            {"grid": {"stakeholders": ["groups", "individuals"]}},
            "<spec>: llm: LLM agents speak for groups, but grid.stakeholders lists "
            "'individuals'; use 'groups' or remove llm",
        ),
    ],
)
def test_llm_needs_a_negotiation_among_groups(change, message):
    with pytest.raises(SpecError, match=re.escape(message) + "$"):
        load_spec({**SPEC, **change})


def test_a_run_over_the_failure_share_is_a_failed_run(tmp_path, capsys):
    model = "scripted:faults=1,seed=1,hang=0"
    assert isinstance(resolve_model(model), FaultyChatModel)
    spec = {
        "scenarios": ["toy-park"],
        "mechanisms": ["negotiative", "maximin"],
        "llm": {"model": model, "retries": 0, "max_failure_share": 0.2},
        "seeds": [0, 1],
        "name": "faulty",
    }
    path = tmp_path / "faulty.yaml"
    path.write_text(yaml.safe_dump(spec))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--executor", "inprocess"]) == 1
    assert "2 of 4 runs failed" in capsys.readouterr().err
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert [(f["mechanism"], f["seed"]) for f in failures] == [
        ("negotiative", 0),
        ("negotiative", 1),
    ]
    for f in failures:
        assert f["error"].startswith(f"LLMFailureError: The LLM {model} failed on ")
        assert "more than the allowed share 0.2" in f["error"]
        assert "allow more with llm.max_failure_share in the sweep spec" in f["error"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["completed"], manifest["failed"], manifest["status"]) == (
        2,
        2,
        "incomplete",
    )

    # the same faults under a share that allows them: the runs are kept, with their failures
    spec["llm"]["max_failure_share"] = 1.0
    table = sweep(spec, tmp_path / "allowed", executor="inprocess", progress=False).table
    neg = table[table.mechanism == "negotiative"]
    assert len(neg) == 2
    assert (neg["llm_fallbacks"] > 0.2 * neg["llm_calls"]).all()
    assert (neg["llm_failures"] >= neg["llm_fallbacks"]).all()
