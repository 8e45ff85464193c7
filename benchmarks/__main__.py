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
        f"a Python loop took {before:.2f} s before them and {after:.2f} s after them."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
