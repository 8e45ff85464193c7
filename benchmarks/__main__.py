"""Run the benchmarks and print their figures: ``python -m benchmarks [NAME ...]``."""

from __future__ import annotations

import importlib
import sys

SUITES = {
    "startup": "benchmarks.bench_startup",
    "mechanisms": "benchmarks.bench_mechanisms",
    "negotiation": "benchmarks.bench_negotiation",
    "sweep": "benchmarks.bench_sweep",
    "scale": "benchmarks.bench_scale",
    "llm": "benchmarks.bench_llm",
    "pabulib": "benchmarks.bench_pabulib",
    "pabulib-mes": "benchmarks.bench_pabulib_mes",
}
# The anchor (seconds) on the 2-core machine the goals were set and met on, at its
# normal speed; at a slower anchor, expect every figure slower by about the same factor.
GOAL_ANCHOR = 0.58


def main(argv: list[str]) -> int:
    names = argv or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(SUITES)}", file=sys.stderr)
        return 2
    from benchmarks._util import machine_speed

    before = machine_speed()
    for name in names:
        print(f"== {name} ==")
        importlib.import_module(SUITES[name]).main()
        print()
    after = machine_speed()
    print(
        "This machine's speed, the anchor for the figures above: ten million additions in "
        f"a Python loop took {before:.2f} s before them and {after:.2f} s after them. "
        f"The goals were set for an anchor of about {GOAL_ANCHOR:.2f} s; this run's is "
        f"{max(before, after) / GOAL_ANCHOR:.2f} times that at its slowest, and a figure "
        "that misses its goal by less than that factor may be the machine, not the code."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
