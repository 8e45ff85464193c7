"""SVO populations in negotiation: how the mix of orientations changes the talks.

Examples
--------
>>> import numpy as np
>>> from plurisim.svo import mix_angles
>>> mix_angles("prosocial", 3, np.random.default_rng(0))
[45.0, 45.0, 45.0]
>>> mix_angles("saintly", 3, np.random.default_rng(0))
Traceback (most recent call last):
...
plurisim.errors.ParameterError: Unknown SVO mix 'saintly'; choose one of individualistic, mixed, prosocial, one competitive.
"""

from __future__ import annotations

import numpy as np
from plurisim.errors import ParameterError
from plurisim.svo.measure import CATEGORIES

__all__ = ["MIXES", "mix_angles"]

MIXES: dict[str, str] = {
    "individualistic": "every group individualistic (0 degrees: its own satisfaction only)",
    "mixed": "each group's angle drawn uniformly from the individualistic and prosocial range",
    "prosocial": "every group prosocial (45 degrees: its own and the others' equally)",
    "one competitive": "one group competitive (-30 degrees), the others prosocial (45 degrees)",
}


def mix_angles(mix: str, n_groups: int, rng: np.random.Generator) -> list[float]:
    """SVO angles of each group for a population mix (see :data:`MIXES`)."""
    if mix == "individualistic":
        return [0.0] * n_groups
    if mix == "prosocial":
        return [45.0] * n_groups
    if mix == "mixed":
        lo, hi = CATEGORIES["individualistic"][0], CATEGORIES["prosocial"][1]
        return [float(a) for a in rng.uniform(lo, hi, n_groups)]
    if mix == "one competitive":
        angles = [45.0] * n_groups
        angles[int(rng.integers(n_groups))] = -30.0
        return angles
    raise ParameterError(f"Unknown SVO mix {mix!r}; choose one of {', '.join(MIXES)}.")
