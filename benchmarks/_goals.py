"""Figures beside their goals, and how a cost grows with a size (a log-log slope)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def verdict(met: bool) -> str:
    """How every suite says whether a goal is met: 'met' or 'NOT met'."""
    return "met" if met else "NOT met"


def against(value: float, goal: float, text: str, goal_text: str | None = None) -> str:
    """``value`` as ``text`` beside an upper-bound goal: '1.2 s (goal <= 1.5 s: met)'."""
    return f"{text} (goal <= {goal_text or goal}: {verdict(value <= goal)})"


def at_least(value: float, goal: float, text: str, goal_text: str | None = None) -> str:
    """``value`` as ``text`` beside a lower-bound goal."""
    return f"{text} (goal >= {goal_text or goal}: {verdict(value >= goal)})"


def slope(sizes: Sequence[float], costs: Sequence[float]) -> float:
    """Least-squares slope of log(cost) against log(size): cost grows as size ** slope.

    Examples
    --------
    >>> round(slope([1, 2, 4], [3, 12, 48]), 6)
    2.0
    """
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(costs, float))
    return float(np.polyfit(x, y, 1)[0])
