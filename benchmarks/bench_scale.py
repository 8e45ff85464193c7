"""Individual stakeholders at scale: time and peak memory, each size in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

from plurisim.formatting import table

CHILD = r"""
import json, resource, sys, time
from plurisim import compile_scenario, negotiate, scenarios
n, m, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
per = n // 6
s = scenarios.generate(6, m, 4, 0.7, 0.3, seed=1, group_size=(per, per), dispersion=50.0)
start = time.perf_counter()
problem = compile_scenario(s, seed=0)
r = negotiate(problem, seed=0, stakeholders="individuals", rounds=rounds, quorum=1.0, svo=-30.0)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
print(json.dumps({"n": problem.n_individuals, "m": m, "rounds": r.rounds, "agreement": r.agreement,
                  "seconds": seconds, "peak_mib": peak}))
"""


def run(n: int, m: int = 60, rounds: int = 30) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(m), str(rounds)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    rows = []
    for n in (1_000, 10_000, 100_000):
        r = run(n)
        rows.append(
            [
                r["n"],
                r["m"],
                r["rounds"],
                "yes" if r["agreement"] else "no",
                f"{r['seconds']:.1f} s",
                f"{r['peak_mib']:.0f} MiB",
            ]
        )
    print(
        "Individual stakeholders, 60 interventions, 30 rounds played (a competitive population holds out):"
    )
    print(
        table(rows, ["individuals", "interventions", "rounds", "agreement", "time", "peak memory"])
    )


if __name__ == "__main__":
    main()
