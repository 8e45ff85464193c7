"""Mechanisms: every rule picks a package of interventions that fits the budget.

All share one signature, ``rule(problem, *, rng=None, **params) -> Outcome``:

=====================  ==============================================================
``status_quo``         the empty package
``best_base_design``   the scenario's base design that scores best on the rubric
``utilitarian``        max total utility (group- or population-weighted)
``maximin``            max worst-group utility (ties: larger total)
``leximin``            max worst, then second worst, ...
``nash``               max product of gains over the disagreement point
``kalai_smorodinsky``  max smallest share of each group's possible gain
``greedy``             utility-per-cost greedy
``mes``                Method of Equal Shares, cardinal utilities
``negotiative``        the mediated multi-round protocol (:mod:`plurisim.negotiation`)
=====================  ==============================================================

Examples
--------
>>> from plurisim import compile_scenario, mechanisms, scenarios
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> mechanisms.run(p, "maximin").package
('benches', 'trees', 'skate_ramp')
>>> mechanisms.get("plurality")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: Unknown mechanism 'plurality'; available: status_quo, best_base_design, utilitarian, maximin, leximin, nash, kalai_smorodinsky, greedy, mes, negotiative.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plurisim.errors import ParameterError
from plurisim.mechanisms.budgeting import (
    base_design_outcomes,
    best_base_design,
    greedy,
    mes,
    standalone_gains,
    status_quo,
)
from plurisim.mechanisms.welfare import (
    ideal_utilities,
    kalai_smorodinsky,
    leximin,
    maximin,
    nash,
    utilitarian,
)
from plurisim.outcome import Outcome
from plurisim.problem import Problem

__all__ = [
    "CLASSIC",
    "DEFAULT_COMPARE",
    "MECHANISMS",
    "base_design_outcomes",
    "best_base_design",
    "get",
    "greedy",
    "ideal_utilities",
    "kalai_smorodinsky",
    "leximin",
    "maximin",
    "mes",
    "nash",
    "negotiative",
    "run",
    "standalone_gains",
    "status_quo",
    "utilitarian",
]

Rule = Callable[..., Outcome]


def negotiative(problem: Problem, *, rng: Any = None, **params: Any) -> Outcome:
    """The negotiative alignment protocol as a rule (see :func:`plurisim.negotiate`)."""
    from plurisim.negotiation import negotiate

    return negotiate(problem, seed=rng, **params).outcome


MECHANISMS: dict[str, Rule] = {
    "status_quo": status_quo,
    "best_base_design": best_base_design,
    "utilitarian": utilitarian,
    "maximin": maximin,
    "leximin": leximin,
    "nash": nash,
    "kalai_smorodinsky": kalai_smorodinsky,
    "greedy": greedy,
    "mes": mes,
    "negotiative": negotiative,
}
"""Every mechanism by name."""

CLASSIC: tuple[str, ...] = (
    "status_quo",
    "utilitarian",
    "maximin",
    "leximin",
    "nash",
    "kalai_smorodinsky",
    "greedy",
    "mes",
)
"""The classic social-choice rules."""

DEFAULT_COMPARE: tuple[str, ...] = (*CLASSIC, "negotiative")
"""What ``plurisim compare`` runs beside the base designs by default."""


def get(name: str) -> Rule:
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


def run(problem: Problem, name: str, *, rng: Any = None, **params: Any) -> Outcome:
    """Run the mechanism ``name`` on ``problem``.

    Unknown parameters are refused with a message listing the allowed ones.
    """
    import inspect

    rule = get(name)
    sig = inspect.signature(rule)
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
    if not accepts_any:
        allowed = [p for p in sig.parameters if p not in ("problem", "rng")]
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ParameterError(
                f"The mechanism {name!r} has no parameter {unknown[0]!r}; "
                f"allowed: {', '.join(allowed) or 'none'}."
            )
    return rule(problem, rng=rng, **params)
