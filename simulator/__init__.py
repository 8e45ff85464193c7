"""plurisim: simulate negotiation among people who hold different values.

Stakeholder agents hold value vectors; a neutral mediator runs budget-aware
negotiation rounds over a scenario; an evaluator scores every outcome (total and
worst-group utility, percentile satisfaction, Gini, ...) beside classic social
choice rules.

Examples
--------
>>> import plurisim
>>> from plurisim import scenarios
>>> problem = plurisim.compile_scenario(scenarios.load("toy-park"), seed=0)
>>> problem.groups
('seniors', 'families', 'youth')
"""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import Any

from plurisim.errors import (
    InfeasibleError,
    InputError,
    LLMUnavailableError,
    ParameterError,
    PlurisimError,
    ScenarioError,
    SolverError,
    SpecError,
    TieError,
)
from plurisim.problem import Problem
from plurisim.scenario import Scenario, compile_scenario, load_scenario, scenario_json_schema
from plurisim.values import MFT, SCHWARTZ10, VALUELEX, ValueSpace, get_space

try:
    __version__ = _metadata.version("plurisim")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "MFT",
    "SCHWARTZ10",
    "VALUELEX",
    "InfeasibleError",
    "InputError",
    "LLMUnavailableError",
    "ParameterError",
    "PlurisimError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "SolverError",
    "SpecError",
    "TieError",
    "ValueSpace",
    "__version__",
    "compile_scenario",
    "get_space",
    "load_scenario",
    "scenario_json_schema",
]

# Names whose modules import Mesa (slow to import, and it switches multiprocessing to
# "spawn"), loaded on first use only.
_LAZY = {
    "negotiate": "plurisim.api",
    "NegotiationModel": "plurisim.api",
    "NegotiationResult": "plurisim.negotiation.result",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'plurisim' has no attribute {name!r}")
