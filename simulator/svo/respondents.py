"""Who answers the Slider Measure: the respondent protocols and the rule-based agent.

A respondent sees each item's nine options in a *display order* (a permutation of
the canonical options A..I, drawn per item and per agent by the experiment) and
answers with the letter of the position it picks; the experiment undoes the
permutation before scoring. Answering by position, not by payoff, then shows up as
position bias instead of as a value.

:class:`SVOAgent` is a model of choice behaviour: it holds a target angle and picks
each option by a softmax over its SVO utility ``cos(phi) self + sin(phi) other``
with inverse temperature ``rationality``. Its utility angle ``phi`` is calibrated
to its target: the angle whose best answers reveal the target (or the attainable
angle closest to it), so that a fully rational agent reveals what it was asked to
be. ``neutral_pull`` in [0, 1] moves its effective target toward the
prosocial/individualistic boundary (22.45 degrees): the drift toward neutral values
that HVAE reports for LLMs, here as a parameter to study.

Examples
--------
>>> import numpy as np
>>> from plurisim.svo import SVOAgent
>>> SVOAgent(61.39, rationality=100.0).answer(np.random.default_rng(0)).choices
['A', 'I', 'A', 'A', 'I', 'I']
>>> reverse = np.tile(np.arange(8, -1, -1), (6, 1))   # option I shown first
>>> SVOAgent(61.39, rationality=100.0).answer(np.random.default_rng(0), reverse).choices
['I', 'A', 'I', 'I', 'A', 'A']
>>> round(SVOAgent(61.39, neutral_pull=1.0).effective_angle, 2)
22.45
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError
from plurisim.svo.measure import ITEMS, NEUTRAL_ANGLE, OPTIONS, OTHER, SELF, utility_angle
from plurisim.validation import check_real

__all__ = [
    "IDENTITY_ORDER",
    "Respondent",
    "RespondentPanel",
    "SVOAgent",
    "SVOAnswer",
    "check_order",
    "displayed_options",
]

Order = NDArray[np.int64]

IDENTITY_ORDER: Order = np.tile(np.arange(9, dtype=np.int64), (6, 1))
"""The unshuffled display order: position k shows option k on every item."""
IDENTITY_ORDER.setflags(write=False)


def check_order(order: Any) -> Order:
    """A display order: shape (6, 9), each row a permutation of 0..8.

    ``order[i, k]`` is the canonical option shown at position ``k`` (letter
    ``OPTIONS[k]``) of item ``i``. ``None`` means the identity.

    Examples
    --------
    >>> check_order(None)[0].tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8]
    >>> check_order([[0] * 9] * 6)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: A display order needs six rows, each a permutation of 0..8; row 1 is [0, 0, 0, 0, 0, 0, 0, 0, 0].
    """
    if order is None:
        return IDENTITY_ORDER
    arr = np.asarray(order)
    if arr.shape != (6, 9) or not np.issubdtype(arr.dtype, np.integer):
        raise ParameterError(
            f"A display order needs shape (6, 9) of option indices; got shape {arr.shape}."
        )
    for i, row in enumerate(arr):
        if sorted(row.tolist()) != list(range(9)):
            raise ParameterError(
                f"A display order needs six rows, each a permutation of 0..8; row {i + 1} is "
                f"{row.tolist()}."
            )
    return arr.astype(np.int64)


def displayed_options(item: int, order: Any = None) -> list[tuple[str, int, int]]:
    """Item ``item``'s options as shown: (displayed letter, own payoff, other's payoff).

    Examples
    --------
    >>> displayed_options(1)[:2]
    [('A', 85, 15), ('B', 87, 19)]
    >>> reverse = np.tile(np.arange(8, -1, -1), (6, 1))
    >>> displayed_options(1, reverse)[:2]
    [('A', 100, 50), ('B', 98, 46)]
    """
    rows = check_order(order)
    own, other = ITEMS[item]
    return [(OPTIONS[k], own[j], other[j]) for k, j in enumerate(rows[item].tolist())]


@dataclass
class SVOAnswer:
    """A respondent's six answers as displayed letters (``None`` where unparseable).

    Attributes
    ----------
    choices : list of str or None
        The letter of the displayed position picked on each item, in item order.
    source : str
        ``"rule"``, ``"llm"``, ...
    failures : int
        Items that got no valid answer.
    transcript : list of dict
        What was asked and answered, for LLM respondents.
    """

    choices: list[str | None]
    source: str = "rule"
    failures: int = 0
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """All six answers are valid options."""
        return len(self.choices) == 6 and all(c is not None for c in self.choices)


class Respondent(Protocol):
    """Anything that answers the six items, shown in ``order``, for its target angle."""

    def answer(self, rng: np.random.Generator, order: Order) -> SVOAnswer: ...


class RespondentPanel(Protocol):
    """Answers for many agents at once (for instance LLM conversations run concurrently)."""

    def answer_all(
        self,
        targets: Sequence[float],
        rngs: Sequence[np.random.Generator],
        orders: Sequence[Order],
    ) -> list[SVOAnswer]: ...


class SVOAgent:
    """Answers the six primary items for a target SVO angle (see the module docstring).

    Parameters
    ----------
    target_angle : float
        Degrees, in [-180, 180].
    rationality : float >= 0
        Inverse temperature of the softmax over options, per point of payoff
        (0: uniformly random; large: always the best option).
    neutral_pull : float in [0, 1]
        Share of the way from the target to 22.45 degrees that the agent drifts.
    """

    def __init__(
        self, target_angle: float, rationality: float = 1.0, neutral_pull: float = 0.0
    ) -> None:
        self.target_angle = check_real(target_angle, "target_angle", "SVOAgent", low=-180, high=180)
        self.rationality = check_real(rationality, "rationality", "SVOAgent", low=0, high=1e6)
        self.neutral_pull = check_real(neutral_pull, "neutral_pull", "SVOAgent", low=0, high=1)

    @property
    def effective_angle(self) -> float:
        """The target the agent actually pursues, after the pull toward neutral."""
        return self.target_angle + self.neutral_pull * (NEUTRAL_ANGLE - self.target_angle)

    @property
    def utility_angle(self) -> float:
        """The angle of its SVO utility, calibrated to the effective target."""
        return utility_angle(self.effective_angle)

    def probabilities(self) -> NDArray[np.float64]:
        """Choice probabilities over the canonical options, shape (6 items, 9 options)."""
        theta = math.radians(self.utility_angle)
        value = math.cos(theta) * SELF + math.sin(theta) * OTHER
        z = self.rationality * (value - value.max(axis=1, keepdims=True))
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def answer(self, rng: np.random.Generator, order: Any = None) -> SVOAnswer:
        """Six choices drawn from :meth:`probabilities` with ``rng``, as displayed letters."""
        rows = check_order(order)
        picks = [int(rng.choice(9, p=row)) for row in self.probabilities()]
        shown: list[str | None] = [
            OPTIONS[int(np.flatnonzero(rows[i] == j)[0])] for i, j in enumerate(picks)
        ]
        return SVOAnswer(choices=shown, source="rule")
