"""Sweep throughput on montreal-streets at 1 and 2 workers, and in this process."""

from __future__ import annotations

import tempfile
import time

from plurisim.experiments import sweep
from plurisim.formatting import table


def _spec(count: int) -> dict:
    return {
        "scenarios": ["montreal-streets"],
        "mechanisms": ["negotiative"],
        "seeds": {"count": count, "root": 0},
        "name": "bench",
    }


def _time(executor: str, workers: int, count: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        sweep(_spec(count), folder, executor=executor, workers=workers, progress=False)
        return time.perf_counter() - start


def throughput(small: int = 300, large: int = 900) -> str:
    rows = []
    rates = {}
    for executor, workers in (("inprocess", 1), ("process", 1), ("process", 2)):
        t_small = _time(executor, workers, small)
        t_large = _time(executor, workers, large)
        marginal = (large - small) / (t_large - t_small)
        rates[(executor, workers)] = marginal
        rows.append(
            [
                executor,
                workers,
                large,
                f"{t_large:.2f} s",
                f"{large / t_large:.0f}",
                f"{marginal:.0f}",
            ]
        )
    ratio = rates[("process", 2)] / rates[("process", 1)]
    return (
        table(
            rows,
            [
                "executor",
                "workers",
                "runs",
                "wall time",
                "runs/s (with start-up)",
                "runs/s (marginal)",
            ],
        )
        + f"\n2 workers / 1 worker (marginal): {ratio:.2f}x"
    )


def main() -> None:
    print(
        "Sweep of negotiative runs on montreal-streets (marginal: the runs between a 300- and a 900-run sweep):"
    )
    print(throughput())


if __name__ == "__main__":
    main()
