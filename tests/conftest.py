"""Shared fixtures and Hypothesis settings for the plurisim test suite."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "default",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def toy():
    """The built-in toy-park scenario."""
    from plurisim import scenarios

    return scenarios.load("toy-park")


@pytest.fixture(scope="session")
def toy_problem(toy):
    """toy-park compiled with seed 0."""
    import plurisim

    return plurisim.compile_scenario(toy, seed=0)


@pytest.fixture
def toy_dict(toy):
    """toy-park as plain data, safe to modify."""
    return toy.to_dict()
