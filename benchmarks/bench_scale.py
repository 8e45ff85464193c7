"""Individual stakeholders at scale: time and peak memory, each size in a fresh process.

A competitive population (SVO -30 degrees, quorum 1) holds out, so every round is
played. Three sizes (1,000, 10,000 and 100,000 individuals, 60 interventions, 30
rounds) run three times each: the median is printed with the range, and beside its
goal for the two sizes that have one (10,000 and 100,000). Besides, three sizes of each
of groups, interventions and rounds give how the time grows with each: the slope of
log(time) against log(size).
"""

from __future__ import annotations

import json
import subprocess
import sys

from plurisim.formatting import table

from benchmarks._goals import against, slope

CHILD = r"""
import json, resource, sys, time
from plurisim import compile_scenario, negotiate, scenarios
n, m, rounds, groups = (int(a) for a in sys.argv[1:5])
per = n // groups
s = scenarios.generate(groups, m, 4, 0.7, 0.3, seed=1, group_size=(per, per), dispersion=50.0)
start = time.perf_counter()
problem = compile_scenario(s, seed=0)
r = negotiate(problem, seed=0, stakeholders="individuals", rounds=rounds, quorum=1.0, svo=-30.0)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
print(json.dumps({"n": problem.n_individuals, "m": m, "groups": groups, "rounds": r.rounds,
                  "agreement": r.agreement, "seconds": seconds, "peak_mib": peak}))
"""
GOALS = {10_000: (1.5, None), 100_000: (8.0, 1024.0)}  # seconds, MiB
SCALING = {  # what varies: (sizes, and the others held at)
    "groups": ([3, 6, 12], {"n": 6_000, "m": 60, "rounds": 30}),
    "individuals": ([1_000, 10_000, 100_000], {"m": 60, "rounds": 30, "groups": 6}),
    "interventions": ([30, 60, 120], {"n": 6_000, "rounds": 30, "groups": 6}),
    "rounds": ([10, 20, 40], {"n": 6_000, "m": 60, "groups": 6}),
}


REPEATS = 3


def run(n: int, m: int = 60, rounds: int = 30, groups: int = 6) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(m), str(rounds), str(groups)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _size(what: str, r: dict) -> float:
    key = {"groups": "groups", "individuals": "n", "interventions": "m", "rounds": "rounds"}
    return float(r[key[what]])


def main() -> None:
    rows, results = [], {}
    for n in SCALING["individuals"][0]:
        runs = [run(n) for _ in range(REPEATS)]
        r = results[n] = sorted(runs, key=lambda x: x["seconds"])[REPEATS // 2]
        low, high = min(x["seconds"] for x in runs), max(x["seconds"] for x in runs)
        goal_s, goal_mib = GOALS.get(n, (None, None))
        seconds = f"{r['seconds']:.2f} s ({low:.2f}-{high:.2f})"
        peak = f"{r['peak_mib']:.0f} MiB"
        if goal_s is not None:
            seconds = against(r["seconds"], goal_s, seconds, f"{goal_s:g} s")
        if goal_mib is not None:
            peak = against(r["peak_mib"], goal_mib, peak, "1 GiB")
        agreement = "yes" if r["agreement"] else "no"
        rows.append([r["n"], r["m"], r["rounds"], agreement, seconds, peak])
    print(
        "Individual stakeholders, 60 interventions, 30 rounds played (a competitive "
        f"population); the median of {REPEATS} fresh processes, and the range:"
    )
    print(
        table(rows, ["individuals", "interventions", "rounds", "agreement", "time", "peak memory"])
    )
    print()
    print("How the time grows (slope of log time against log size, three sizes each):")
    lines = []
    for what, (sizes, fixed) in SCALING.items():
        if what == "individuals":
            runs = [results[n] for n in sizes]
        else:
            runs = [run(**{**fixed, _key(what): s}) for s in sizes]
        xs = [_size(what, r) for r in runs]
        times = [r["seconds"] for r in runs]
        points = ", ".join(f"{x:g}: {t:.2f} s" for x, t in zip(xs, times, strict=True))
        lines.append([what, f"{slope(xs, times):.2f}", points])
    print(table(lines, ["size", "exponent", "time at each size"]))


def _key(what: str) -> str:
    return {"groups": "groups", "interventions": "m", "rounds": "rounds"}[what]


if __name__ == "__main__":
    main()
