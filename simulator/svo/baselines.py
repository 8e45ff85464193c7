"""What value rationality means against baselines: chance, constant answers, position bias.

A value rationality (VR) is only informative against what an agent would score
without holding any value. Two baselines matter for language models:

- *chance*: the expected VR of answering every item uniformly at random. It is
  computed exactly, over all 9**6 answer sheets.
- *constant answer*: the best VR that answering the same displayed position on every
  item (all A, all B, ...) achieves under the display orders the agents saw.
  Without shuffling, "AAAAAA" reveals 30.47 degrees and scores about 0.86 for a
  prosocial target; shuffling the options per item and agent breaks that.

Position bias is measured on the displayed letters: the share of answers at the most
frequent position and a chi-square statistic against uniform positions (8 degrees of
freedom).

Examples
--------
>>> from plurisim.svo import chance_value_rationality, CATEGORY_TARGETS
>>> round(chance_value_rationality(CATEGORY_TARGETS["prosocial"]), 3)
0.754
>>> bias = position_bias(["AAAAAA", "AAAAAB"])
>>> bias["position"], round(bias["share"], 3), bias["chi2"] > 50
('A', 0.917, True)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError
from plurisim.svo.measure import OPTIONS, angles_of_indices, check_angle, value_rationality
from plurisim.svo.respondents import check_order
from scipy import stats

__all__ = [
    "chance_value_rationality",
    "constant_answer_value_rationality",
    "format_order",
    "parse_order",
    "position_bias",
    "shuffled_order",
    "vr_warning",
]


@cache
def _random_angles() -> NDArray[np.float64]:
    """The angle of every one of the 9**6 answer sheets (each equally likely at random)."""
    sheets = np.array(list(itertools.product(range(9), repeat=6)), dtype=np.int64)
    angles = angles_of_indices(sheets)
    angles.setflags(write=False)
    return angles


def chance_value_rationality(target: float, *, sd: bool = False) -> Any:
    """Expected value rationality of uniformly random answers, computed exactly.

    Parameters
    ----------
    target : float
        The target angle in degrees.
    sd : bool
        Also return the standard deviation of one random respondent's VR.

    Returns
    -------
    float, or (float, float) with ``sd=True``

    Examples
    --------
    >>> round(chance_value_rationality(61.39), 3)
    0.502
    >>> chance_value_rationality("high")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'target' parameter of svo must be a real number in the range [-180, 180]. Got 'high' instead.
    """
    vr = value_rationality(_random_angles(), check_angle(target, "target"))
    mean = float(vr.mean())
    return (mean, float(vr.std())) if sd else mean


def shuffled_order(rng: np.random.Generator) -> NDArray[np.int64]:
    """A display order: an independent random permutation of the nine options per item.

    Examples
    --------
    >>> order = shuffled_order(np.random.default_rng(0))
    >>> order.shape, sorted(order[3].tolist()) == list(range(9))
    ((6, 9), True)
    """
    return np.array([rng.permutation(9) for _ in range(6)], dtype=np.int64)


def format_order(order: Any) -> str:
    """A display order as text: per item, the canonical letters in displayed order.

    Examples
    --------
    >>> format_order(None)
    'ABCDEFGHI ABCDEFGHI ABCDEFGHI ABCDEFGHI ABCDEFGHI ABCDEFGHI'
    """
    return " ".join("".join(OPTIONS[j] for j in row) for row in check_order(order).tolist())


def parse_order(text: str) -> NDArray[np.int64]:
    """The inverse of :func:`format_order`.

    Examples
    --------
    >>> parse_order("IHGFEDCBA " * 6)[0].tolist()
    [8, 7, 6, 5, 4, 3, 2, 1, 0]
    >>> parse_order("ABC")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: A display order is six words of the nine letters A..I; got 'ABC'.
    """
    words = str(text).split()
    if len(words) != 6 or any(len(w) != 9 or set(w) - set(OPTIONS) for w in words):
        raise ParameterError(
            f"A display order is six words of the nine letters A..I; got {text!r}."
        )
    return check_order([[OPTIONS.index(c) for c in w] for w in words])


def constant_answer_value_rationality(
    target: float, orders: Sequence[Any], *, per_agent: bool = False
) -> tuple[Any, str]:
    """The best mean VR that one constant displayed answer reaches under ``orders``.

    For each letter A..I, every agent is scored as if it had answered that letter on
    all six items of the display order it saw; the best letter and its mean VR are
    returned (with ``per_agent=True``, each agent's VR for that letter instead).

    Examples
    --------
    >>> constant_answer_value_rationality(41.04, [None, None])   # no shuffling
    (0.8638..., 'A')
    >>> constant_answer_value_rationality(41.04, [])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The constant-answer baseline needs at least one display order.
    """
    t = check_angle(target, "target")
    if not len(orders):
        raise ParameterError("The constant-answer baseline needs at least one display order.")
    stacked = np.stack([check_order(o) for o in orders])  # (agents, 6, 9)
    best, letter, values = -math.inf, "A", np.zeros(len(orders))
    for k in range(9):
        vr = value_rationality(angles_of_indices(stacked[:, :, k]), t)
        if float(vr.mean()) > best + 1e-12:
            best, letter, values = float(vr.mean()), OPTIONS[k], vr
    return (values, letter) if per_agent else (best, letter)


def position_bias(displayed: Iterable[str]) -> dict[str, Any]:
    """How strongly answers cluster on displayed positions.

    Parameters
    ----------
    displayed : iterable of str
        Each agent's displayed letters (``"?"`` or other characters for missing
        answers are skipped).

    Returns
    -------
    dict
        ``position``: the most frequent displayed letter; ``share``: its share of the
        answers (1/9 = no bias, 1 = always the same position); ``chi2`` and
        ``p_value``: Pearson's chi-square against uniform positions (8 degrees of
        freedom); ``answers``: how many answers were counted.

    Examples
    --------
    >>> position_bias(["ABCDEFGHI"])["share"] == 1 / 9
    True
    >>> position_bias([])["share"]
    nan
    """
    counts = np.zeros(9)
    for sheet in displayed:
        for c in str(sheet):
            if c in OPTIONS:
                counts[OPTIONS.index(c)] += 1
    n = float(counts.sum())
    if n == 0:
        return {
            "position": None,
            "share": math.nan,
            "chi2": math.nan,
            "p_value": math.nan,
            "answers": 0,
        }
    expected = n / 9.0
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    top = int(counts.argmax())
    return {
        "position": OPTIONS[top],
        "share": float(counts[top] / n),
        "chi2": chi2,
        "p_value": float(stats.chi2.sf(chi2, 8)),
        "answers": int(n),
    }


def vr_warning(
    vr_values: Sequence[float],
    target: float,
    constant_values: Sequence[float],
    position: str,
) -> str:
    """A warning when value rationality is not clearly above chance or a constant answer.

    Each agent's VR is paired with the baseline's: the chance level, and the VR the
    agent would have scored by answering ``position`` on every item of its display
    order (``constant_values``). The warning is raised unless the mean difference
    is more than two standard errors above zero, for both baselines. Agents without
    six answers (NaN) are left out; one agent alone gives no standard error and
    always warns.

    Examples
    --------
    >>> vr_warning([1.0] * 5, 41.04, [0.8] * 5, "A")
    ''
    >>> vr_warning([0.8, 0.9, 0.7, 0.8], 41.04, [0.8, 0.9, 0.7, 0.8], "C")
    'value rationality 0.800 is within two standard errors of random answers (0.754) and of always answering C (0.800): the answers may not reflect the target value'
    """
    pairs = [
        (float(v), float(c)) for v, c in zip(vr_values, constant_values, strict=True) if v == v
    ]
    if not pairs:
        return ""
    vr = np.array([v for v, _ in pairs])
    chance = chance_value_rationality(target)
    near = []
    for name, base in (
        ("random answers", np.full(len(pairs), chance)),
        (f"always answering {position}", np.array([c for _, c in pairs])),
    ):
        diff = vr - base
        se = float(diff.std(ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else math.inf
        if float(diff.mean()) <= 2.0 * se:
            near.append(f"{name} ({float(base.mean()):.3f})")
    if not near:
        return ""
    return (
        f"value rationality {float(vr.mean()):.3f} is within two standard errors of "
        + " and of ".join(near)
        + ": the answers may not reflect the target value"
    )
