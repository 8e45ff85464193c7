"""Sweep throughput on montreal-streets: in this process, 2 worker processes, Dask (2 workers).

Each configuration runs in a fresh interpreter that has imported plurisim, and its
time runs from the call of ``sweep`` to its return: start-up (worker processes,
the Dask cluster, imports they make) is included. Configurations alternate over
the rounds and the best wall time of each is kept, since the machine may be shared;
the CPU time of every process the sweep started is read from ``/proc`` (Linux) so
a reader can tell a slow machine from a slow sweep.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from plurisim.formatting import table

from benchmarks._goals import verdict
from benchmarks._util import fresh_env

CONFIGS = (("inprocess", 1), ("process", 2), ("dask", 2))
GOALS = {("process", 2): 1.6, ("dask", 2): 1.4}  # speed-up over in-process, at GOAL_RUNS
GOAL_RUNS = 1000  # the goals hold for sweeps of this many runs; smaller ones show no goal

_CHILD = """
import json, sys, tempfile, time
from plurisim.experiments import sweep
spec, executor, workers = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with tempfile.TemporaryDirectory() as folder:
    start = time.perf_counter()
    result = sweep(spec, folder, executor=executor, workers=workers, progress=False)
    wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rows": len(result.table)}))
"""


def _spec(count: int) -> dict:
    return {
        "scenarios": ["montreal-streets"],
        "mechanisms": ["negotiative"],
        "seeds": {"count": count, "root": 0},
        "name": "bench",
    }


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> set[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, stack = {root}, [root]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _run(count: int, executor: str, workers: int) -> tuple[float, float | None]:
    """Wall time of the sweep, and CPU seconds of every process it used (Linux)."""
    args = [sys.executable, "-c", _CHILD, json.dumps(_spec(count)), executor, str(workers)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=fresh_env())
    cpu: dict[int, float] = {}
    linux = Path("/proc/self/stat").exists()

    def sample() -> None:
        while proc.poll() is None:
            for pid in _tree(proc.pid):
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    cpu[pid] = max(cpu.get(pid, 0.0), seconds)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if linux:
        sampler.start()
    out, _ = proc.communicate()
    sampler.join(timeout=1) if linux else None
    if proc.returncode != 0:
        raise RuntimeError(f"the {executor} sweep failed with status {proc.returncode}")
    doc = json.loads(out.strip().splitlines()[-1])
    assert doc["rows"] == count
    return doc["wall"], (sum(cpu.values()) if linux else None)


def throughput(count: int = 1000, rounds: int = 3) -> str:
    """The table of figures, each beside its goal (only for sweeps of ``GOAL_RUNS`` runs)."""
    best: dict[tuple[str, int], tuple[float, float | None]] = {}
    for _ in range(rounds):
        for config in CONFIGS:
            wall, cpu = _run(count, *config)
            if config not in best or wall < best[config][0]:
                best[config] = (wall, cpu)
    base = best[("inprocess", 1)][0]
    rows = []
    for config in CONFIGS:
        wall, cpu = best[config]
        goal = GOALS.get(config) if count == GOAL_RUNS else None
        speed = base / wall
        rows.append(
            [
                config[0],
                config[1],
                count,
                f"{wall:.2f} s",
                f"{count / wall:.0f}",
                "-" if cpu is None else f"{cpu:.1f} s",
                f"{speed:.2f}x",
                "-" if goal is None else f"{goal:.1f}x ({verdict(speed >= goal)})",
            ]
        )
    headers = ["executor", "workers", "runs", "wall", "runs/s", "CPU", "vs in-process", "goal"]
    return table(rows, headers)


def _autogroup() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Negotiative runs on montreal-streets, start-up included; {os.cpu_count()} cores, "
        f"load average {load:.1f} at the start."
    )
    if _autogroup():
        print(
            "This kernel shares the CPU between sessions (autogroup): while another session "
            "is busy, every process of this one shares one session's part, and the parallel "
            "rows cannot be faster than that part allows."
        )
    print(throughput(GOAL_RUNS, rounds=3))
    print()
    print("The same, 200 runs (start-up weighs more; the goals are for 1,000 runs):")
    print(throughput(200, rounds=1))


if __name__ == "__main__":
    main()
