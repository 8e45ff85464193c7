"""Figures beside their goals, and how a cost grows with a size (a log-log slope)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def against(value: float, goal: float, text: str, goal_text: str | None = None) -> str:
    """``value`` as ``text`` beside an upper-bound goal: '1.2 s (goal <= 1.5 s: met)'."""
    verdict = "met" if value <= goal else "NOT met"
    return f"{text} (goal <= {goal_text or goal}: {verdict})"


def at_least(value: float, goal: float, text: str, goal_text: str | None = None) -> str:
    """``value`` as ``text`` beside a lower-bound goal."""
    verdict = "met" if value >= goal else "NOT met"
    return f"{text} (goal >= {goal_text or goal}: {verdict})"


def slope(sizes: Sequence[float], costs: Sequence[float]) -> float:
    """Least-squares slope of log(cost) against log(size): cost grows as size ** slope.

    Examples
    --------
    >>> round(slope([1, 2, 4], [3, 12, 48]), 6)
    2.0
    """
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(costs, float))
    return float(np.polyfit(x, y, 1)[0])
