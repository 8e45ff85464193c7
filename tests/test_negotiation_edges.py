"""Negotiations with nothing to negotiate end honestly, under every protocol."""

from __future__ import annotations

import numpy as np
import pytest
from plurisim import negotiate
from plurisim.problem import Problem


def _unaffordable() -> Problem:
    """Every intervention costs more than the budget: only the empty package is feasible."""
    return Problem.from_arrays(
        costs=np.array([40.0, 50.0]),
        budget=1.5,
        baseline=np.full((2, 1), 1.0),
        effects=np.array([[[1.0], [0.5]], [[0.2], [1.0]]]),
        weights=np.ones((2, 1)),
        caps=np.array([5.0]),
        sizes=np.array([3, 4]),
        name="unaffordable",
        interventions=["a", "b"],
    )


@pytest.mark.parametrize("protocol", ["mediated", "single-text", "alternating-offers"])
@pytest.mark.parametrize("information", ["private", "public"])
def test_only_the_disagreement_point_is_affordable(protocol: str, information: str) -> None:
    r = negotiate(_unaffordable(), protocol=protocol, information=information, rounds=5, seed=0)
    assert not r.agreement
    assert r.outcome.cost == 0.0
    assert r.rounds <= 5
