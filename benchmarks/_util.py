"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
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
