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

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:  # imported on first use (see _LAZY): `import plurisim` stays fast
    from plurisim.api import negotiate
    from plurisim.negotiation.result import NegotiationResult
    from plurisim.negotiation_model import NegotiationModel
    from plurisim.problem import Problem
    from plurisim.scenario import (
        Scenario,
        compile_scenario,
        load_scenario,
        scenario_json_schema,
    )
    from plurisim.values import MFT, SCHWARTZ10, VALUELEX, ValueSpace, get_space

    __version__: str

__all__ = [
    "MFT",
    "SCHWARTZ10",
    "VALUELEX",
    "InfeasibleError",
    "InputError",
    "LLMUnavailableError",
    "NegotiationModel",
    "NegotiationResult",
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
    "negotiate",
    "scenario_json_schema",
]

# Every name but the errors is imported on first use: the command line's --help and
# scripts that need one part do not pay for NumPy, SciPy, pydantic or Mesa up front.
_LAZY = {
    "Problem": "plurisim.problem",
    "Scenario": "plurisim.scenario",
    "compile_scenario": "plurisim.scenario",
    "load_scenario": "plurisim.scenario",
    "scenario_json_schema": "plurisim.scenario",
    "MFT": "plurisim.values",
    "SCHWARTZ10": "plurisim.values",
    "VALUELEX": "plurisim.values",
    "ValueSpace": "plurisim.values",
    "get_space": "plurisim.values",
    "negotiate": "plurisim.api",
    "NegotiationModel": "plurisim.negotiation_model",
    "NegotiationResult": "plurisim.negotiation.result",
}


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("plurisim")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    import importlib

    if name == "__version__":
        value: Any = _version()
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif not name.startswith("_"):  # a subpackage: `import plurisim; plurisim.scenarios`
        try:
            value = importlib.import_module(f"plurisim.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"plurisim.{name}":
                raise  # a missing dependency inside it, not a missing module
            raise AttributeError(f"module 'plurisim' has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module 'plurisim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
