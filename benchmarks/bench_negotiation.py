"""Negotiation speed: the flagship at group level, and many individual stakeholders."""

from __future__ import annotations

import subprocess
import sys

from plurisim import compile_scenario, negotiate, scenarios
from plurisim.formatting import table

from benchmarks._goals import against
from benchmarks._util import fresh_env, ms, timed

FIRST_CALL = r"""
import time
start = time.perf_counter()
from plurisim import negotiate, scenarios
negotiate(scenarios.load("montreal-streets"), seed=0)
print(time.perf_counter() - start)
"""


def flagship(repeats: int = 21) -> str:
    """The flagship, warm and in a fresh process.

    Warm runs are timed for seed 0 (the default, three rounds) and seed 1 (agreement
    in the first round), each beside the goal.
    """
    scenario = scenarios.load("montreal-streets")
    problem = compile_scenario(scenario, seed=0)
    negotiate(problem, seed=0)  # warm the caches and imports
    warm = []
    for seed in (0, 1):
        t_problem, _ = timed(lambda sd=seed: negotiate(problem, seed=sd), repeats)
        t_scenario, res = timed(lambda sd=seed: negotiate(scenario, seed=sd), repeats)
        t_summary, _ = timed(lambda sd=seed: negotiate(scenario, seed=sd).summary(), repeats)
        rounds = f"{res.rounds} round{'s' if res.rounds != 1 else ''}"
        warm.append(
            f"  warm, seed {seed} ({rounds}), from the scenario: median "
            f"{against(t_scenario, 0.010, ms(t_scenario), '10 ms')} ({ms(t_problem)} from a "
            f"compiled problem; {ms(t_summary)} with the evaluator's figures, summary()), "
            f"{repeats} runs\n"
        )
    _python(FIRST_CALL)  # untimed: writes the bytecode caches, as a user's first start does
    first = sorted(float(_python(FIRST_CALL)) for _ in range(5))
    return (
        "montreal-streets, 6 group stakeholders, private information, mediated:\n"
        + "".join(warm)
        + "  first call in a fresh process (seed 0), import included: median "
        f"{against(first[2], 0.3, f'{first[2]:.2f} s', '0.3 s')} of 5"
    )


def _python(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=fresh_env()
    )
    return out.stdout.strip().splitlines()[-1]


def individuals(sizes: list[tuple[int, int]], rounds: int = 30) -> str:
    rows = []
    for n, m in sizes:
        per_group = n // 6
        s = scenarios.generate(
            6, m, 4, 0.7, 0.3, seed=1, group_size=(per_group, per_group), dispersion=50.0
        )
        problem = compile_scenario(s, seed=0)
        seconds, r = timed(
            lambda p=problem: negotiate(p, seed=0, stakeholders="individuals", rounds=rounds), 1
        )
        rows.append(
            [
                problem.n_individuals,
                m,
                r.rounds,
                "yes" if r.agreement else "no",
                r.details["engine"],
                ms(seconds),
                ms(seconds / max(r.rounds, 1)),
            ]
        )
    return table(
        rows, ["individuals", "interventions", "rounds", "agreement", "engine", "time", "per round"]
    )


def main() -> None:
    print(flagship())
    print()
    print("Individual stakeholders (generated, 6 groups, polarization 0.7, up to 30 rounds):")
    print(individuals([(1_000, 20), (10_000, 20), (1_000, 60), (10_000, 60)]))


if __name__ == "__main__":
    main()
