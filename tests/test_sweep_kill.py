"""A sweep killed (SIGKILL) at any instant resumes to the table of an uninterrupted sweep.

The sweeps run in forked children of this process, which has already imported
everything, so a kill within the first second lands inside the sweep itself: while
the folder is created and locked, while the manifest is written, between and
inside part files, while the table is written, or after the end. Half the kill
times are uniform over the sweep, half log-uniform from 0.1 ms, so the first
milliseconds (folder, lock, manifest) get as many kills as the rest. Every resume,
with the same call, must end in a table byte-identical to the reference one.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from plurisim.experiments import sweep
from plurisim.outputs import is_temporary

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "darwin", reason="needs fork (Linux)"
)

SPEC = {
    "scenarios": ["toy-park"],
    "mechanisms": ["maximin", "negotiative"],
    "grid": {"rounds": [5, 10]},
    "seeds": {"count": 4, "root": 1},
}
RUNS = 4 + 2 * 4
BATCH = 2


def _run(folder: Path) -> object:
    return sweep(SPEC, folder, executor="inprocess", progress=False, batch_size=BATCH)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep's table and file bytes, and how long a warm sweep takes."""
    folder = tmp_path_factory.mktemp("reference")
    _run(folder)  # warms every import and cache, as in the forked children
    again = tmp_path_factory.mktemp("warm")
    start = time.perf_counter()
    result = _run(again)
    seconds = time.perf_counter() - start
    assert len(result.table) == RUNS
    return result.table, (again / "metrics.parquet").read_bytes(), seconds


def _state(folder: Path) -> str:
    """Where the killed sweep was: which files existed when it died."""
    if not folder.exists():
        return "no folder"
    manifest = folder / "manifest.json"
    temporaries = [p for p in folder.rglob("*") if is_temporary(p.name)]
    if not manifest.exists():
        return "no manifest" + (" (temporary left)" if temporaries else "")
    status = json.loads(manifest.read_text())["status"]
    parts = len(list((folder / "parts").glob("part-*.jsonl"))) if (folder / "parts").is_dir() else 0
    if status == "complete":
        return "complete"
    return f"running, {'no' if not parts else 'some'} parts" + (
        " (temporary left)" if temporaries else ""
    )


def _kill_and_resume(tmp_path, reference, trials: int, seed: int, window: float) -> Counter:
    table, parquet, _ = reference
    fork = multiprocessing.get_context("fork")
    rng = np.random.default_rng(seed)
    outcomes: Counter = Counter()
    for k in range(trials):
        folder = tmp_path / f"trial-{k}"
        if rng.random() < 0.5:
            delay = float(rng.uniform(0.0, window))
        else:
            delay = float(np.exp(rng.uniform(np.log(1e-4), np.log(window))))
        child = fork.Process(target=_run, args=(folder,))
        child.start()
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        outcomes[_state(folder)] += 1
        resumed = _run(folder)
        pd.testing.assert_frame_equal(resumed.table, table)
        assert (folder / "metrics.parquet").read_bytes() == parquet, (
            f"trial {k}, kill at {delay:.3f} s"
        )
        assert resumed.manifest["status"] == "complete"
        assert not [p for p in folder.rglob("*") if is_temporary(p.name)]
    return outcomes


def test_killed_at_random_instants_resumes_to_the_reference_table(tmp_path, reference):
    window = min(1.0, 1.2 * reference[2])  # the whole sweep, and a little after it
    outcomes = _kill_and_resume(tmp_path, reference, trials=30, seed=20240611, window=window)
    print(f"\n30 kills over {window:.2f} s:", dict(outcomes))
    assert sum(outcomes.values()) == 30


@pytest.mark.slow
def test_many_kills_and_kills_of_resumes(tmp_path, reference):
    window = 1.3 * reference[2]
    outcomes = _kill_and_resume(tmp_path, reference, trials=200, seed=7, window=window)
    print(f"\n200 kills over {window:.2f} s:", dict(outcomes))
    # Kill the same folder's sweep again and again before letting it finish.
    parquet = reference[1]
    fork = multiprocessing.get_context("fork")
    rng = np.random.default_rng(8)
    for k in range(10):
        folder = tmp_path / f"chain-{k}"
        for _ in range(5):
            child = fork.Process(target=_run, args=(folder,))
            child.start()
            time.sleep(float(rng.uniform(0.0, window / 2)))
            os.kill(child.pid, signal.SIGKILL)
            child.join()
        _run(folder)
        assert (folder / "metrics.parquet").read_bytes() == parquet


@pytest.mark.slow
def test_killed_cli_sweeps_on_a_process_pool_resume(tmp_path, reference):
    """The real command, two worker processes, killed at random instants."""
    parquet = reference[1]
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    rng = np.random.default_rng(11)
    command = [sys.executable, "-m", "plurisim", "sweep", str(spec), "--workers", "2"]
    for k in range(8):
        out = tmp_path / f"cli-{k}"
        args = [*command, "--out", str(out), "--batch-size", str(BATCH)]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = float(rng.uniform(0.5, 8.0))
        time.sleep(delay)
        proc.kill()
        proc.wait()
        print(f"\nkilled at {delay:.2f} s: {_state(out)}", end="")
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1].startswith("sweep ")
        assert (out / "metrics.parquet").read_bytes() == parquet
