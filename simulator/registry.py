"""The mechanism registry: every rule and negotiation protocol, declared once.

The command line (``compare --param RULE.NAME=VALUE``, the options of ``run``),
:func:`plurisim.comparison.compare`, sweeps, the documentation and the app read
:data:`MECHANISMS`; nothing introspects signatures. Each entry holds the
mechanism's parameters as :class:`~plurisim.params.Param` data. The scenario fields
a sweep may vary are declared here too (:data:`SCENARIO_FIELDS`).

Examples
--------
>>> from plurisim import registry
>>> registry.get("negotiative").kind
'protocol'
>>> registry.get("maximin").param("time_limit").default
30.0
>>> registry.check_params("maximin", {"time_limit": -1})
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'time_limit' parameter of maximin must be a real number in the range (0, inf). Got -1 instead.
>>> registry.get("plurality")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: Unknown mechanism 'plurality'; available: status_quo, best_base_design, utilitarian, maximin, leximin, nash, kalai_smorodinsky, greedy, mes, negotiative.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plurisim.errors import ParameterError
from plurisim.mechanisms import CLASSIC, RULES, MechanismInfo
from plurisim.negotiation.params import NEGOTIATION_PARAMS
from plurisim.outcome import Outcome
from plurisim.params import Param
from plurisim.problem import Problem

__all__ = [
    "DEFAULT_COMPARE",
    "MECHANISMS",
    "SCENARIO_FIELDS",
    "check_params",
    "get",
    "run",
]


def _negotiative(problem: Problem, *, rng: Any = None, **params: Any) -> Outcome:
    """The negotiation as a rule: its outcome (see :func:`plurisim.negotiate`)."""
    from plurisim.api import negotiate  # the wiring of core and agents, loaded on use

    return negotiate(problem, seed=rng, **params).outcome


MECHANISMS: dict[str, MechanismInfo] = {
    **RULES,
    "negotiative": MechanismInfo(
        name="negotiative",
        summary="the negotiation among stakeholder agents and a mediator (choose a protocol)",
        params=NEGOTIATION_PARAMS,
        func=_negotiative,
        kind="protocol",
        uses_disagreement=True,
    ),
}
"""Every mechanism by name: the rules, then the negotiation."""

DEFAULT_COMPARE: tuple[str, ...] = (*CLASSIC, "negotiative")
"""What ``plurisim compare`` runs beside the base designs by default."""

SCENARIO_FIELDS: tuple[Param, ...] = (
    Param("budget", None, "the scenario's budget", low=0, closed="neither", nullable=True),
)
"""Scenario fields a sweep grid may vary (besides the generator's parameters)."""


def get(name: str) -> MechanismInfo:
    """The mechanism called ``name``.

    Raises
    ------
    ParameterError
        If there is no such mechanism.
    """
    try:
        return MECHANISMS[name]
    except KeyError:
        raise ParameterError(
            f"Unknown mechanism {name!r}; available: {', '.join(MECHANISMS)}."
        ) from None


def check_params(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate parameters for a mechanism without running it; return them with defaults."""
    return get(name).resolve(params)


def run(problem: Problem, name: str, *, rng: Any = None, **params: Any) -> Outcome:
    """Run the mechanism ``name`` on ``problem`` (unknown parameters are refused)."""
    info = get(name)
    if info.kind == "protocol":
        info.resolve(params)  # refuse bad values before any work starts
    return info.func(problem, rng=rng, **params)
