"""A rule-based respondent to the SVO Slider Measure.

An :class:`SVOAgent` holds a target angle and answers each item by a softmax over
its SVO utility ``cos(phi) self + sin(phi) other`` with inverse temperature
``rationality``. Its utility angle ``phi`` is calibrated to its target: it is the
angle whose best answers reveal the target (or the attainable angle closest to it),
so that a fully rational agent reveals what it was asked to be. ``neutral_pull`` in
[0, 1] moves its effective target toward the prosocial/individualistic boundary
(22.45 degrees): the drift toward neutral values that HVAE reports for LLMs, here
as a parameter to study.

Examples
--------
>>> import numpy as np
>>> from plurisim.agents.svo import SVOAgent
>>> SVOAgent(61.39, rationality=100.0).answer(np.random.default_rng(0)).choices
['A', 'I', 'A', 'A', 'I', 'I']
>>> round(SVOAgent(61.39, neutral_pull=1.0).effective_angle, 2)
22.45
"""

from __future__ import annotations

import math

import numpy as np
from plurisim.svo import NEUTRAL_ANGLE, OPTIONS, OTHER, SELF, SVOAnswer, utility_angle
from plurisim.validation import check_real

__all__ = ["SVOAgent"]


class SVOAgent:
    """Answers the six primary items for a target SVO angle.

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

    def probabilities(self) -> np.ndarray:
        """Choice probabilities, shape (6 items, 9 options)."""
        theta = math.radians(self.utility_angle)
        value = math.cos(theta) * SELF + math.sin(theta) * OTHER
        z = self.rationality * (value - value.max(axis=1, keepdims=True))
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def answer(self, rng: np.random.Generator) -> SVOAnswer:
        """Six choices drawn from :meth:`probabilities` with ``rng``."""
        probs = self.probabilities()
        picks = [OPTIONS[int(rng.choice(9, p=row))] for row in probs]
        return SVOAnswer(choices=list(picks), source="rule")
