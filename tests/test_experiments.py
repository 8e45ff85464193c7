"""Sweeps: the same table on every executor, resuming, Dask worker failure, bad specs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from plurisim.cli import main
from plurisim.errors import SpecError
from plurisim.experiments import expand, load_spec, sweep

REPO = Path(__file__).resolve().parents[1]

SPEC = {
    "scenarios": [
        "montreal-streets",
        {"generate": {"n_groups": 4, "n_interventions": 9, "polarization": 0.6, "seed": 2}},
    ],
    "mechanisms": [
        "negotiative",
        "maximin",
        {"name": "mes", "params": {"completion": "utilitarian"}},
    ],
    "grid": {"rounds": [5, 20], "svo": [0.0, 40.0]},
    "seeds": {"count": 3, "root": 11},
}
EXPECTED_RUNS = 2 * (
    4 * 3 + 1 * 3 + 1 * 3
)  # scenarios x (negotiative grid + maximin + mes) x seeds


@pytest.fixture(scope="module")
def reference_table(tmp_path_factory):
    out = tmp_path_factory.mktemp("inprocess")
    return sweep(SPEC, out, executor="inprocess", progress=False).table


def test_expansion():
    tasks, scenarios, digest = expand(load_spec(SPEC)[0])
    assert len(tasks) == EXPECTED_RUNS
    assert len(scenarios) == 2 and len(digest) == 64
    assert len({t.run_id for t in tasks}) == len(tasks)
    maximin = [t for t in tasks if t.mechanism == "maximin"]
    assert all(t.params == {} for t in maximin)  # maximin takes neither rounds nor svo


def test_in_process_table(reference_table):
    t = reference_table
    assert len(t) == EXPECTED_RUNS
    assert list(t.columns[:4]) == ["run_id", "scenario", "mechanism", "seed"]
    neg = t[t.mechanism == "negotiative"]
    assert neg["agreement"].notna().all()
    assert (t["cost"] <= 1e9).all() and t["total_utility"].notna().all()
    assert set(t["param_rounds"].dropna()) == {5, 20}


def test_two_processes_give_the_same_table(reference_table, tmp_path):
    table = sweep(SPEC, tmp_path, executor="process", workers=2, progress=False).table
    pd.testing.assert_frame_equal(table, reference_table)


def test_dask_local_cluster_gives_the_same_table(reference_table, tmp_path):
    pytest.importorskip("distributed")
    table = sweep(SPEC, tmp_path, executor="dask", workers=2, progress=False).table
    pd.testing.assert_frame_equal(table, reference_table)


def test_rerun_reuses_every_finished_run(tmp_path, reference_table):
    first = sweep(SPEC, tmp_path, executor="inprocess", progress=False)
    again = sweep(SPEC, tmp_path, executor="inprocess", progress=False)
    assert (first.ran, again.ran, again.skipped) == (EXPECTED_RUNS, 0, EXPECTED_RUNS)
    pd.testing.assert_frame_equal(again.table, reference_table)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["completed"] == EXPECTED_RUNS
    assert manifest["package_versions"]["numpy"] and manifest["seeds"]["root"] == 11
    assert (tmp_path / "metrics.parquet").exists()


def test_csv_without_pyarrow(tmp_path, monkeypatch):
    from plurisim.experiments import store

    monkeypatch.setattr(store, "_parquet", lambda: False)
    spec = {**SPEC, "scenarios": ["toy-park"], "mechanisms": ["maximin"], "grid": {}}
    result = sweep(spec, tmp_path, executor="inprocess", progress=False)
    assert (tmp_path / "metrics.csv").exists() and not (tmp_path / "metrics.parquet").exists()
    assert len(pd.read_csv(tmp_path / "metrics.csv")) == len(result.table) == 3


def test_a_changed_spec_is_refused(tmp_path):
    sweep({**SPEC, "scenarios": ["toy-park"]}, tmp_path, executor="inprocess", progress=False)
    with pytest.raises(SpecError, match="holds the results of a different sweep spec"):
        sweep(
            {**SPEC, "scenarios": ["toy-park"], "seeds": {"count": 4, "root": 11}},
            tmp_path,
            executor="inprocess",
            progress=False,
        )


def test_transcripts_are_kept_when_asked(tmp_path):
    spec = {
        "scenarios": ["toy-park"],
        "mechanisms": ["negotiative"],
        "seeds": [0, 1],
        "transcripts": True,
    }
    result = sweep(spec, tmp_path, executor="inprocess", progress=False)
    files = sorted((tmp_path / "transcripts").glob("*.md"))
    assert [f.stem for f in files] == sorted(result.table["run_id"])
    assert files[0].read_text().startswith("# Negotiation on toy-park")


def test_interrupted_process_pool_sweep_resumes_without_redoing(tmp_path):
    spec_path = tmp_path / "big.yaml"
    spec_path.write_text(
        yaml.safe_dump(
            {
                "scenarios": ["montreal-streets"],
                "mechanisms": ["negotiative"],
                "grid": {"rounds": [5, 10, 15, 20]},
                "seeds": {"count": 30, "root": 3},
            }
        )
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plurisim",
            "sweep",
            str(spec_path),
            "--out",
            str(out),
            "--workers",
            "2",
            "--batch-size",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    parts = out / "parts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        parts.is_dir() and len(list(parts.glob("part-*.jsonl"))) >= 3
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, "the sweep should have been interrupted"
    assert "interrupted" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    finished = manifest["completed"]
    assert 0 < finished < 120
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") and p.name != ".lock"]
    assert not leftovers  # no half-written file
    resumed = sweep(spec_path, out, executor="process", workers=2, progress=False)
    assert resumed.skipped == finished and resumed.ran == 120 - finished
    assert len(resumed.table) == 120 and resumed.table["run_id"].is_unique


def test_dask_survives_a_killed_worker(tmp_path):
    distributed = pytest.importorskip("distributed")
    from plurisim.experiments import executors

    killed = {}

    class KillingDask(executors.DaskExecutor):
        def ready(self):
            # Hand every batch to the workers: a fast machine could otherwise finish the
            # whole sweep in this process while the cluster starts, leaving none to kill.
            return True

        def run(self, fn, items):
            results = super().run(fn, items)
            first = next(results)
            pids = self.client.run(os.getpid)
            victim = sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed["pid"] = pids[victim]
            yield first
            yield from results

    original = executors.DaskExecutor
    executors.DaskExecutor = KillingDask
    try:
        spec = {
            "scenarios": ["montreal-streets"],
            "mechanisms": ["negotiative"],
            "grid": {"rounds": [5, 10, 15, 20]},
            "seeds": {"count": 15, "root": 5},
        }
        result = sweep(spec, tmp_path, executor="dask", workers=2, batch_size=2, progress=False)
    finally:
        executors.DaskExecutor = original
    assert killed["pid"] > 0
    assert len(result.table) == 60 and result.table["run_id"].is_unique
    assert distributed is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scenarios": ["atlantis"]}, "scenarios[0]: Unknown scenario 'atlantis'"),
        ({"grid": {"rounds": []}}, "grid.rounds: an empty list of values"),
        ({"seeds": {"count": 0}}, "seeds.count"),
        ({"seeds": []}, "seeds: an empty list"),
        ({"mechanisms": ["dictatorship"]}, "mechanisms[0]: Unknown mechanism 'dictatorship'"),
        (
            {"grid": {"speed": [1]}},
            "grid.speed: no mechanism or scenario field of this sweep takes 'speed'",
        ),
        ({"scenarios": []}, "scenarios"),
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
        ({"seeds": [3, 1, 3]}, "seeds: seed 3 is listed twice; list each seed once"),
        ({"grid": {"rounds": [5, 20, 5.0]}}, "grid: rounds lists the value 5.0 twice"),
        (
            {"scenarios": ["toy-park", "montreal-streets", "toy-park"]},
            "scenarios: 'toy-park' is listed twice; list each scenario once",
        ),
        (
            {"mechanisms": ["maximin", "negotiative", {"name": "maximin", "params": {}}]},
            "mechanisms: 'maximin' is listed twice with the same params {}",
        ),
        (
            {"mechanisms": [{"name": "negotiative", "params": {"rounds": 5}}]},
            "mechanisms[0].params.rounds: is also a grid key",
        ),
    ],
)
def test_bad_specs(tmp_path, change, message):
    spec_path = tmp_path / "bad.yaml"
    spec_path.write_text(yaml.safe_dump({**SPEC, **change}))
    with pytest.raises(SpecError) as exc:
        sweep(spec_path, tmp_path / "out", executor="inprocess", progress=False)
    assert message in str(exc.value)
    assert str(spec_path) in str(exc.value) or "scenarios[0]" in str(exc.value)


def test_one_scenario_under_two_names_is_refused(tmp_path):
    copy = tmp_path / "park.yaml"
    copy.write_text((REPO / "scenarios" / "builtin" / "toy-park.yaml").read_text())
    spec = {**SPEC, "scenarios": ["toy-park", {"path": str(copy)}]}
    with pytest.raises(SpecError, match=r"scenarios\[1\]: is the same scenario as scenarios\[0\]"):
        sweep(spec, tmp_path / "out", executor="inprocess", progress=False)
    assert not (tmp_path / "out").exists()


def test_two_runs_with_one_run_id_are_impossible():
    """Even a spec built without validation cannot give two runs the same id."""
    from plurisim.experiments.spec import MechanismSpec, ScenarioSpec, SweepSpec

    spec = SweepSpec.model_construct(
        scenarios=[ScenarioSpec(name="toy-park")],
        mechanisms=[MechanismSpec(name="maximin")],
        grid={},
        seeds=[1, 1],
        metrics=["gini"],
        transcripts=False,
        name=None,
    )
    with pytest.raises(SpecError, match="two entries of the spec give the same run"):
        expand(spec)


def test_cli_sweep(tmp_path, capsys):
    spec_path = tmp_path / "s.yaml"
    spec_path.write_text(
        yaml.safe_dump(
            {
                "scenarios": ["toy-park"],
                "mechanisms": ["maximin", "negotiative"],
                "grid": {"rounds": [5]},
                "seeds": {"count": 2, "root": 0},
            }
        )
    )
    assert (
        main(["sweep", str(spec_path), "--out", str(tmp_path / "o"), "--executor", "inprocess"])
        == 0
    )
    out, err = capsys.readouterr()
    assert "4 of 4 runs (complete)" in out
    assert err == ""  # no progress bar when standard error is not a terminal
    assert main(["sweep", str(spec_path), "--executor", "cloud"]) == 2
    assert "Unknown executor 'cloud'" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: no such file" in capsys.readouterr().err
    assert Path(tmp_path / "o" / "manifest.json").exists()


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        (["nope"], "metrics: unknown metric 'nope'; choose from total_utility, "),
        (["gini", "gini"], "metrics: 'gini' is listed twice; list each metric once"),
    ],
)
def test_metrics_are_known_and_listed_once(metrics, message):
    spec = {"scenarios": ["toy-park"], "mechanisms": ["greedy"], "seeds": [0], "metrics": metrics}
    with pytest.raises(SpecError, match=re.escape(message)):
        load_spec(spec)


@pytest.mark.parametrize(
    ("seeds", "message"),
    [
        ({"count": True}, "seeds.count: Input should be a valid integer; got True"),
        ({"count": "3"}, "seeds.count: Input should be a valid integer; got '3'"),
        ({"count": 2, "root": False}, "seeds.root: Input should be a valid integer; got False"),
        ([True, 2], "seeds: "),
    ],
)
def test_seeds_are_strict_integers(seeds, message):
    spec = {"scenarios": ["toy-park"], "mechanisms": ["greedy"], "seeds": seeds}
    with pytest.raises(SpecError, match=re.escape(message)):
        load_spec(spec)
