"""What a sweep reports: its summary, runs that failed, a Dask scheduler that does not answer."""

from __future__ import annotations

import importlib
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from plurisim.cli import main
from plurisim.errors import ExternalFailure
from plurisim.experiments import sweep, tasks
from plurisim.formatting import fmt

PABULIB = Path(__file__).parent / "data" / "pabulib"

SPEC = {
    "scenarios": ["toy-park"],
    "mechanisms": ["maximin", "negotiative"],
    "grid": {"rounds": [5]},
    "seeds": {"count": 3, "root": 2},
}


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    return path


def test_the_summary_says_what_ran_and_the_metric_means(spec_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(spec_file), "--out", str(out), "--executor", "inprocess"]) == 0
    text = capsys.readouterr().out
    lines = text.strip().splitlines()
    assert lines[-1].endswith(f"6 of 6 runs (complete); ran 6, reused 0; results in {out}")
    assert lines[:3] == [
        "runs  done  ran now  resumed  failed  left",
        "----  ----  -------  -------  ------  ----",
        "   6     6        6        0       0     0",
    ]
    table = pd.read_parquet(out / "metrics.parquet")
    means = table.groupby("mechanism")["total_utility"].mean()
    row = next(x for x in lines if x.startswith("total_utility"))
    assert row.split()[1:] == [fmt(means["maximin"]), fmt(means["negotiative"])]
    assert f"wrote {out}/metrics.parquet, {out}/manifest.json, {out}/parts/ (1 new file)" in text
    # Nothing left to do: ran 0, and only the table and manifest are written again.
    assert main(["sweep", str(spec_file), "--out", str(out), "--executor", "inprocess"]) == 0
    text = capsys.readouterr().out
    assert text.strip().splitlines()[-1].endswith("ran 0, reused 6; results in " + str(out))
    assert f"wrote {out}/metrics.parquet, {out}/manifest.json\n" in text


@pytest.fixture
def flaky(monkeypatch):
    """Runs of seed #1 raise, as a bug or a lost connection would."""
    original = tasks.run_one

    def run_one(scenario, mechanism, seed, params, *args, **kwargs):
        if seed.spawn_key == (1,):
            raise RuntimeError(f"{mechanism} lost its solver")
        return original(scenario, mechanism, seed, params, *args, **kwargs)

    monkeypatch.setattr(tasks, "run_one", run_one)
    return monkeypatch


def test_failed_runs_are_recorded_and_tried_again(tmp_path, flaky):
    result = sweep(SPEC, tmp_path, executor="inprocess", progress=False)
    assert result.failed == 2 and len(result.table) == 4
    assert list(result.failures["error"]) == [
        "RuntimeError: maximin lost its solver",
        "RuntimeError: negotiative lost its solver",
    ]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["status"], manifest["completed"], manifest["failed"]) == ("incomplete", 4, 2)
    lines = (tmp_path / "failures.jsonl").read_text().splitlines()
    assert [json.loads(x)["seed"] for x in lines] == [1, 1]
    assert "Traceback" in json.loads(lines[0])["traceback"]
    flaky.undo()
    again = sweep(SPEC, tmp_path, executor="inprocess", progress=False)
    assert (again.ran, again.skipped, again.failed) == (2, 4, 0)
    assert len(again.table) == 6 and not (tmp_path / "failures.jsonl").exists()


def test_the_command_exits_1_naming_where_the_errors_are(spec_file, tmp_path, flaky, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(spec_file), "--out", str(out), "--executor", "inprocess"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"plurisim: error: 2 of 6 runs failed; their errors are in {out}/failures.jsonl "
        "(run the same command again to retry them)\n"
    )
    assert "   6     4        6        0       2     2" in captured.out
    assert "failures.jsonl" in captured.out.splitlines()[-3]


def test_runs_that_fail_in_worker_processes_are_recorded(tmp_path, monkeypatch):
    # Workers read a Pabulib file themselves and refuse it when it changed after the
    # sweep read it: every run fails there, and each failure is recorded.
    sweep_module = importlib.import_module("plurisim.experiments.sweep")

    pb = tmp_path / "election.pb"
    shutil.copy(PABULIB / "approval.pb", pb)
    spec = {
        "scenarios": [{"path": str(pb)}],
        "mechanisms": ["greedy", "mes"],
        "seeds": {"count": 20, "root": 0},
    }
    original = sweep_module._run

    def change_then_run(*args, **kwargs):
        pb.write_text(pb.read_text().replace("budget;100", "budget;90"))
        return original(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "_run", change_then_run)
    result = sweep(spec, tmp_path / "out", executor="process", workers=2, progress=False)
    assert result.failed == 40 and len(result.table) == 0
    assert all("changed since the sweep started" in e for e in result.failures["error"])


# -- Dask schedulers that do not answer ---------------------------------------------------------


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in accepted:
        conn.close()


def _closed_port() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"tcp://127.0.0.1:{port}"


@pytest.mark.parametrize("kind", ["silent", "refused"])
def test_a_scheduler_that_does_not_answer_fails_within_the_timeout(
    tmp_path, spec_file, silent_server, kind, capsys
):
    pytest.importorskip("distributed")
    address = silent_server if kind == "silent" else _closed_port()
    start = time.monotonic()
    with pytest.raises(
        ExternalFailure, match=f"no Dask scheduler answered at {address} within 1 s"
    ):
        sweep(SPEC, tmp_path / "a", executor=f"dask:{address}", connect_timeout=1)
    assert time.monotonic() - start < 8
    args = ["sweep", str(spec_file), "--out", str(tmp_path / "b"), "--executor", f"dask:{address}"]
    assert main([*args, "--connect-timeout", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("plurisim: error: no Dask scheduler answered")
    assert main([*args, "--connect-timeout", "0"]) == 2
    assert "The 'connect_timeout' parameter of sweep must be" in capsys.readouterr().err
