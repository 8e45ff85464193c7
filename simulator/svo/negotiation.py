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

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from plurisim.errors import ParameterError
from plurisim.svo.measure import CATEGORIES
from plurisim.validation import check_int

__all__ = ["MIXES", "mix_angles", "negotiation_study"]

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


def negotiation_study(
    scenario: Any,
    mixes: Sequence[str] | None = None,
    *,
    seeds: int = 20,
    root: int = 0,
    **params: Any,
) -> pd.DataFrame:
    """Negotiate under different SVO mixes of the population, over seeds.

    Returns one row per (mix, seed): agreement, rounds, worst-group utility and Gini
    of the outcome, and the angles used.
    """
    # Loaded on use: plurisim.negotiation imports Mesa, which is slow to import and
    # switches multiprocessing to "spawn"; measuring SVO alone needs neither.
    from plurisim.negotiation import negotiate

    names = list(mixes or MIXES)
    n = check_int(seeds, "seeds", "negotiation_study", low=1, high=100_000)
    rows = []
    for mix in names:
        for k, ss in enumerate(np.random.SeedSequence(root).spawn(n)):
            mix_rng, run_seq = (np.random.default_rng(s) for s in ss.spawn(2))
            angles = mix_angles(mix, len(scenario.groups), mix_rng)
            r = negotiate(scenario, seed=run_seq, svo=angles, **params)
            rows.append(
                {
                    "scenario": scenario.name,
                    "mix": mix,
                    "seed": k,
                    "agreement": r.agreement,
                    "rounds": r.rounds,
                    "worst_group_utility": r.metrics["worst_group_utility"],
                    "total_utility": r.metrics["total_utility"],
                    "gini": r.metrics["gini"],
                    "angles": " ".join(f"{a:.1f}" for a in angles),
                }
            )
    return pd.DataFrame(rows)
