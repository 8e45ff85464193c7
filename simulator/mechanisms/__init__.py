"""Mechanisms: every rule picks a package of interventions that fits the budget.

All share one signature, ``rule(problem, *, rng=None, **params) -> Outcome``, and
declare their parameters once, in :data:`~plurisim.mechanisms.registry.RULES`:

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
=====================  ==============================================================

The negotiation protocols join them in :mod:`plurisim.registry`.

Examples
--------
>>> from plurisim import compile_scenario, mechanisms, scenarios
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> mechanisms.run(p, "maximin").package
('benches', 'trees', 'skate_ramp')
>>> mechanisms.run(p, "maximin", rounds=3)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The mechanism 'maximin' has no parameter 'rounds'; its parameters: engine, time_limit, tie_break.
"""

from __future__ import annotations

from typing import Any

from plurisim.errors import ParameterError
from plurisim.mechanisms.bargaining import kalai_smorodinsky, nash
from plurisim.mechanisms.designs import base_design_outcomes, best_base_design, status_quo
from plurisim.mechanisms.disagreement import DISAGREEMENT, Disagreement, disagreement_point
from plurisim.mechanisms.egalitarian import leximin, maximin
from plurisim.mechanisms.greedy import greedy
from plurisim.mechanisms.ideals import ideal_utilities
from plurisim.mechanisms.proportional import mes, standalone_gains
from plurisim.mechanisms.registry import RULES, MechanismInfo
from plurisim.mechanisms.utilitarian import utilitarian
from plurisim.outcome import Outcome
from plurisim.problem import Problem

__all__ = [
    "CLASSIC",
    "DISAGREEMENT",
    "RULES",
    "Disagreement",
    "MechanismInfo",
    "base_design_outcomes",
    "best_base_design",
    "disagreement_point",
    "get",
    "greedy",
    "ideal_utilities",
    "kalai_smorodinsky",
    "leximin",
    "maximin",
    "mes",
    "nash",
    "run",
    "standalone_gains",
    "status_quo",
    "utilitarian",
]

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

# The table in reading order (modules register in import order).
for _name in ("status_quo", "best_base_design", *CLASSIC[1:]):
    RULES[_name] = RULES.pop(_name)


def get(name: str) -> MechanismInfo:
    """The registered rule called ``name``.

    Raises
    ------
    ParameterError
        If there is no such rule.
    """
    try:
        return RULES[name]
    except KeyError:
        raise ParameterError(f"Unknown rule {name!r}; available: {', '.join(RULES)}.") from None


def run(problem: Problem, name: str, *, rng: Any = None, **params: Any) -> Outcome:
    """Run the rule ``name`` on ``problem`` (unknown parameters are refused)."""
    return get(name).func(problem, rng=rng, **params)
