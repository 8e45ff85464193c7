"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeats: int = 3) -> tuple[float, Any]:
    """Median wall time of ``fn`` over ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def ms(seconds: float) -> str:
    """Seconds as milliseconds text."""
    return f"{seconds * 1000:,.1f} ms"


def fresh_env() -> dict[str, str]:
    """The environment for a fresh interpreter that starts as a user's does.

    Python writes and reuses its bytecode caches (``PYTHONDONTWRITEBYTECODE`` is
    dropped, so a first, untimed start compiles the modules once, as a user's first
    command does after installing).
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


LOOP = (
    "import time; t = time.perf_counter(); s = 0\n"
    "for i in range(10**7): s += i\n"
    "print(time.perf_counter() - t)"
)


def machine_speed() -> float:
    """Seconds a fresh interpreter takes for ten million additions in a Python loop.

    The anchor for every figure: a shared machine can slow down by half and more from
    one minute to the next, and this moves with it.
    """
    out = subprocess.run([sys.executable, "-c", LOOP], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())
