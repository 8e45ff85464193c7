"""Worker processes end with their parent, and Ctrl-C ends a sweep with one line.

Each test runs the real command in its own session, finds its worker processes in
``/proc`` (no psutil), signals the parent (or, for Ctrl-C, the whole process group
as a terminal does) and checks that no worker survives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from plurisim.outputs import is_temporary

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

SPEC = {
    "scenarios": ["montreal-streets"],
    "mechanisms": ["negotiative"],
    "seeds": {"count": 400, "root": 9},
}


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def _descendants(pid: int) -> set[int]:
    tree, found, stack = _children(), set(), [pid]
    while stack:
        for child in tree.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _workers(pid: int) -> set[int]:
    """Every process the sweep started: workers, the server they fork from, helpers."""
    found = set()
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if b"multiprocessing" in f.read():
                    found.add(p)
        except OSError:
            continue
    return found


def _start(tmp_path: Path, executor: str) -> tuple[subprocess.Popen, Path]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "plurisim", "sweep", str(spec), "--out", str(out)]
    cmd += ["--executor", executor, "--workers", "2", "--batch-size", "4"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    return proc, out


def _wait_for(condition, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the sweep")
        time.sleep(0.02)


def _none_left(pids: set[int], timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    for p in left:  # do not leave them running after a failure
        os.kill(p, signal.SIGKILL)
    return left


@pytest.mark.parametrize(
    ("how", "when"),
    [
        ("SIGKILL", "running"),
        ("SIGTERM", "running"),
        ("SIGINT", "running"),
        ("SIGINT", "starting"),  # Ctrl-C while the workers still import
    ],
)
def test_no_worker_outlives_the_parent(tmp_path, how, when):
    proc, out = _start(tmp_path, "process")
    workers: set[int] = set()

    def ready() -> bool:
        workers.update(_workers(proc.pid))
        if when == "starting":  # the first helper process is up; workers are on their way
            return bool(workers)
        return len(workers) >= 3 and len(list((out / "parts").glob("part-*"))) >= 4

    _wait_for(ready)
    if how == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)  # a terminal signals the whole group
    else:
        os.kill(proc.pid, getattr(signal, how))
    _, err = proc.communicate(timeout=60)
    assert not _none_left(workers), f"workers left running after {how}"
    if how == "SIGKILL":
        return
    assert proc.returncode == {"SIGINT": 130, "SIGTERM": 143}[how]
    assert err == "plurisim: interrupted\n"  # no traceback, from the parent or a worker
    # Interrupted while starting, the sweep may not have reached its folder yet.
    if when == "running" or (out / "manifest.json").exists():
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["status"] == "interrupted"
    assert not [p for p in out.rglob("*") if is_temporary(p.name)]  # removed on the way out


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_no_dask_worker_outlives_the_parent(tmp_path, how):
    pytest.importorskip("distributed")
    proc, out = _start(tmp_path, "dask")
    workers: set[int] = set()

    def ready() -> bool:
        workers.update(_workers(proc.pid))
        return len(workers) >= 3 and len(list((out / "parts").glob("part-*"))) >= 4

    _wait_for(ready)
    if how == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, getattr(signal, how))
    _, err = proc.communicate(timeout=60)
    assert not _none_left(workers), f"Dask workers left running after {how}"
    if how != "SIGKILL":
        assert err == "plurisim: interrupted\n"
