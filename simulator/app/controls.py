"""The page's controls, read from the parameter registry, and the model they build.

Nothing here imports Solara: the controls are plain data in the form Mesa's
``SolaraViz`` takes (``{"type": "Select", "value": ..., "values": [...]}``), made
from :data:`~plurisim.negotiation.params.NEGOTIATION_PARAMS`: a parameter with
choices becomes a dropdown, a number with a range a slider, a structured value a
text field read with :meth:`Param.parse <plurisim.params.Param.parse>`.
:class:`AppModel` is the negotiation model built from those values.

Examples
--------
>>> controls = model_params("toy-park")
>>> controls["protocol"]["type"], controls["protocol"]["values"]
('Select', ['mediated', 'single-text', 'alternating-offers'])
>>> controls["rounds"]["type"], controls["rounds"]["min"], controls["rounds"]["value"]
('SliderInt', 1, 20)
>>> negotiation_kwargs({"protocol": "single-text", "svo": "{youth: 45}", "rounds": 5})
{'protocol': 'single-text', 'svo': {'youth': 45}, 'rounds': 5}
>>> negotiation_kwargs({"rounds": 0})
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from plurisim import scenarios
from plurisim.api import NegotiationModel
from plurisim.errors import ParameterError, PlurisimError
from plurisim.mechanisms import CLASSIC
from plurisim.negotiation.params import (
    CONCESSION_EXPONENTS,
    NEGOTIATION_PARAMS,
    NegotiationParams,
)
from plurisim.params import Param
from plurisim.problem import Problem
from plurisim.scenario import Scenario, compile_scenario

__all__ = [
    "DEFAULT_SCENARIO",
    "SCENARIO_DEFAULT",
    "SHOWN",
    "AppModel",
    "control",
    "load",
    "model_params",
    "negotiation_kwargs",
]

DEFAULT_SCENARIO = "montreal-streets"
SCENARIO_DEFAULT = "scenario default"
"""The dropdown entry that leaves a parameter to the scenario (``None``)."""

SHOWN: tuple[str, ...] = (
    "protocol",
    "information",
    "disagreement",
    "rounds",
    "quorum",
    "aspiration_floor",
    "acceptance",
    "stakeholders",
    "concession",
    "svo",
    "svo_sd",
    "temperature",
    "mutations",
    "deliberation",
)
"""The negotiation parameters the page offers, in this order (the rest keep defaults)."""

# A slider over [1, 1000] rounds cannot be set to one value by hand: these ends are
# where the slider stops (the registry's range still validates every value).
_SLIDER_HIGH = {"rounds": 100, "mutations": 50, "temperature": 2.0, "svo_sd": 90.0}
_FLOAT_STEPS = 100
_PARAMS = {p.name: p for p in NEGOTIATION_PARAMS}


def load(name_or_path: str) -> Scenario | Problem:
    """A built-in scenario by name, or a scenario file by path (see :func:`plurisim.scenarios.load`).

    Examples
    --------
    >>> load("toy-park").name
    'toy-park'
    >>> load("no-such.yaml")
    Traceback (most recent call last):
    ...
    plurisim.errors.ScenarioError: no-such.yaml: ...
    """
    return scenarios.load(name_or_path)


def _options(param: Param) -> list[Any] | None:
    """The dropdown entries of a parameter, or ``None`` when it is not a dropdown."""
    if param.name == "concession":
        return [SCENARIO_DEFAULT, *CONCESSION_EXPONENTS]
    if param.name == "disagreement":
        return ["best-base-design", "status-quo", *(c for c in CLASSIC if c != "status_quo")]
    if param.choices is None:
        return None
    return [SCENARIO_DEFAULT, *param.choices] if param.nullable else list(param.choices)


def control(param: Param, value: Any = None) -> dict[str, Any]:
    """The Mesa user-parameter dict for one registry parameter.

    Parameters
    ----------
    param : Param
    value : object, optional
        The initial value (default: the parameter's default).

    Examples
    --------
    >>> from plurisim.negotiation.params import NEGOTIATION_PARAMS
    >>> quorum = next(p for p in NEGOTIATION_PARAMS if p.name == "quorum")
    >>> c = control(quorum, 1.0)
    >>> c["type"], c["min"], c["max"], c["step"]
    ('SliderFloat', 0.01, 1.0, 0.01)
    >>> control(quorum, 2.0)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'quorum' parameter of the app must be a real number in the range (0, 1]. Got 2.0 instead.
    """
    label = param.name.replace("_", " ")
    value = param.default if value is None else value
    options = _options(param)
    if options is not None:
        shown = SCENARIO_DEFAULT if value is None else value
        if shown not in options:
            options = [*options, shown]
        return {"type": "Select", "value": shown, "values": options, "label": label}
    if param.name == "deliberation" or param.kind == "bool":
        return {"type": "Checkbox", "value": bool(value), "label": label}
    if param.kind in ("int", "float") and param.low is not None and param.high is not None:
        if value is not None:
            param.validate(value, "the app")
        high = min(param.high, _SLIDER_HIGH.get(param.name, param.high))
        if param.kind == "int":
            low = math.ceil(param.low)
            return {
                "type": "SliderInt",
                "value": int(value if value is not None else low),
                "min": low,
                "max": int(high),
                "step": 1,
                "label": label,
            }
        step = round((high - param.low) / _FLOAT_STEPS, 6)
        bottom = param.low + (step if param.closed in ("right", "neither") else 0.0)
        top = high - (step if param.closed in ("left", "neither") and high == param.high else 0.0)
        return {
            "type": "SliderFloat",
            "value": float(value if value is not None else bottom),
            "min": round(bottom, 6),
            "max": round(top, 6),
            "step": step,
            "label": label,
        }
    return {"type": "InputText", "value": "" if value is None else str(value), "label": label}


def model_params(
    scenario: str = DEFAULT_SCENARIO, extra_scenarios: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Every control of the page, as ``SolaraViz(model_params=...)`` takes them.

    The scenario dropdown lists the built-in scenarios and ``extra_scenarios``
    (files named on the command line); a text field takes any other file's path.
    Sliders start at the values ``scenario`` resolves to (its own rounds, quorum...).

    Examples
    --------
    >>> c = model_params("toy-park", ("my-park.yaml",))
    >>> c["scenario"]["values"][-1], c["scenario_file"]["type"], c["seed"]["type"]
    ('my-park.yaml', 'InputText', 'SliderInt')
    """
    loaded = load(scenario)
    problem = loaded if isinstance(loaded, Problem) else compile_scenario(loaded, seed=0)
    resolved = _resolved(problem)
    names = [*scenarios.list(), *(s for s in extra_scenarios if s not in scenarios.list())]
    if scenario not in names:
        names.append(scenario)
    out: dict[str, Any] = {
        "scenario": {"type": "Select", "value": scenario, "values": names, "label": "scenario"},
        "scenario_file": {
            "type": "InputText",
            "value": "",
            "label": "or a scenario file (.yaml or .pb path)",
        },
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "seed"},
    }
    for name in SHOWN:
        param = _PARAMS[name]
        if name in ("concession", "svo", "stakeholders", "deliberation"):
            out[name] = control(param)  # left to the scenario unless chosen
        else:
            out[name] = control(param, resolved.get(name))
    return out


def _resolved(problem: Problem) -> dict[str, Any]:
    return NegotiationParams.resolve(problem).to_dict()


def negotiation_kwargs(values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of :func:`plurisim.negotiate` from the controls' values, validated.

    Dropdowns left at :data:`SCENARIO_DEFAULT` and empty text fields are left out
    (the scenario's or the registry's default applies); text fields are read as
    on the command line; deliberation implies individual stakeholders.

    Raises
    ------
    ParameterError
        For an unknown control or a value the registry refuses.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        param = _PARAMS.get(name)
        if param is None:
            raise ParameterError(
                f"The app has no control {name!r}; its controls: {', '.join(SHOWN)}."
            )
        if value is None or value == SCENARIO_DEFAULT or value == "":
            continue
        if name == "deliberation":
            if value:
                out["deliberation"] = True
            continue
        if isinstance(value, str) and param.kind == "any":
            value = param.parse(value, "negotiate")
        out[name] = param.validate(value, "negotiate")
    if out.get("deliberation") and out.get("stakeholders", "individuals") == "individuals":
        out["stakeholders"] = "individuals"
    return out


class AppModel(NegotiationModel):
    """The negotiation model the page steps, built from the controls' values.

    Mesa's ``SolaraViz`` rebuilds the model from keyword arguments when the user
    presses Reset; this class takes them: the scenario (a built-in name, or a file
    path in ``scenario_file``, which wins when given), the seed, and any control of
    :data:`SHOWN`. A value the registry refuses, or a scenario that cannot be
    loaded, is not applied: the model falls back to the defaults (and to the chosen
    built-in scenario, or the default one) and :attr:`error` says what was refused,
    for the page to show.

    Attributes
    ----------
    scenario_ref : str
        What was loaded.
    title : str
    settings : dict
        The negotiation parameters given (after the controls were read).
    error : str
        Why the requested settings were not applied ("" when they were).

    Examples
    --------
    >>> m = AppModel(scenario="toy-park", protocol="single-text", seed=2)
    >>> m.step()
    >>> m.round, m.params.protocol, m.error
    (1, 'single-text', '')
    >>> AppModel(scenario="toy-park", rounds=0).error
    "The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead."
    """

    def __init__(
        self,
        scenario: str = DEFAULT_SCENARIO,
        scenario_file: str = "",
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        ref = (scenario_file or "").strip() or scenario
        errors = []
        try:
            loaded = load(os.path.expanduser(ref))
        except PlurisimError as exc:
            errors.append(str(exc))
            ref = scenario if ref != scenario else DEFAULT_SCENARIO
            try:
                loaded = load(ref)
            except PlurisimError as again:
                errors.append(str(again))
                ref, loaded = DEFAULT_SCENARIO, load(DEFAULT_SCENARIO)
        try:
            settings = negotiation_kwargs(kwargs)
            # Values that depend on the scenario (a group id in svo) are checked here.
            problem = loaded if isinstance(loaded, Problem) else compile_scenario(loaded)
            NegotiationParams.resolve(problem, **settings)
        except PlurisimError as exc:
            errors.append(str(exc))
            settings = {}
        super().__init__(loaded, seed=int(seed), **settings)
        self.scenario_ref = ref
        self.title = self.problem.labels.title or self.problem.name
        self.settings = settings
        self.error = " ".join(errors)
