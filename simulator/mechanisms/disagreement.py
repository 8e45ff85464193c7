"""The disagreement point: what stands when there is no agreement.

One point serves every rule that measures gains (Nash, Kalai-Smorodinsky) and the
negotiation (its acceptance test and its satisfaction scale), so that a table
compares them from the same baseline. It is named by a string:

- ``"status-quo"``: fund nothing;
- ``"best-base-design"`` (the default): the scenario's base design that scores
  best on the public rubric (total utility, ties by worst group), or the status quo
  when the scenario has no base designs;
- the id of one of the scenario's base designs (a Pabulib file's ``"city"``);
- the name of any registered rule (its outcome, with default parameters).

Examples
--------
>>> from plurisim import compile_scenario, scenarios
>>> from plurisim.mechanisms import disagreement_point
>>> p = compile_scenario(scenarios.load("toy-park"))
>>> d = disagreement_point(p, "best-base-design")
>>> d.package, d.design
(('benches', 'trees', 'lighting'), 'green')
>>> disagreement_point(p, "status-quo").package
()
>>> disagreement_point(p, "the-mayor")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'disagreement' parameter must be 'status-quo', 'best-base-design', a base design of toy-park (green, active) or a rule (status_quo, best_base_design, utilitarian, maximin, leximin, nash, kalai_smorodinsky, greedy, mes). Got 'the-mayor' instead.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError
from plurisim.mechanisms.registry import RULES
from plurisim.params import Param
from plurisim.problem import Problem

__all__ = ["DISAGREEMENT", "Disagreement", "disagreement_point"]

FloatArray = NDArray[np.float64]


def _check_name(value: Any, owner: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 120:
        raise ParameterError(
            f"The 'disagreement' parameter of {owner} must be {DISAGREEMENT.allowed}. "
            f"Got {value!r} instead."
        )
    return value


DISAGREEMENT = Param(
    "disagreement",
    "best-base-design",
    "what stands without agreement, the baseline gains are measured from",
    kind="any",
    check=_check_name,
    allowed="'status-quo', 'best-base-design', a base design id or a rule name",
)


@dataclass(frozen=True, eq=False)
class Disagreement:
    """A resolved disagreement point.

    Attributes
    ----------
    point : str
        As named (``"status-quo"``, ``"best-base-design"``, a design id or a rule).
    mask : ndarray of bool
        Its package.
    package : tuple of str
    utilities : ndarray
        Each group's (true) utility under it.
    design : str or None
        The base design it is, when it is one.
    """

    point: str
    mask: NDArray[np.bool_]
    package: tuple[str, ...]
    utilities: FloatArray
    design: str | None = None

    def to_dict(self, groups: tuple[str, ...]) -> dict[str, Any]:
        """``{"point", "package", "group_utilities"}``, as results report it."""
        return {
            "point": self.point,
            "package": list(self.package),
            "group_utilities": {g: float(u) for g, u in zip(groups, self.utilities, strict=True)},
            **({"design": self.design} if self.design is not None else {}),
        }


_CACHE: weakref.WeakKeyDictionary[Problem, dict[str, Disagreement]] = weakref.WeakKeyDictionary()


def disagreement_point(problem: Problem, point: str = "best-base-design") -> Disagreement:
    """Resolve a disagreement point on a problem (cached per problem and name).

    Raises
    ------
    ParameterError
        If ``point`` names neither a keyword, a base design nor a rule.
    """
    cache = _CACHE.setdefault(problem, {})
    if point in cache:
        return cache[point]
    design: str | None = None
    if point == "status-quo":
        mask = np.zeros(problem.n_interventions, dtype=bool)
    elif point == "best-base-design":
        if problem.base_designs:
            outcome = RULES["best_base_design"].func(problem)
            design = str(outcome.details["design"])
            mask = problem.base_designs[design]
        else:
            mask = np.zeros(problem.n_interventions, dtype=bool)
    elif point in problem.base_designs:
        design = point
        mask = problem.base_designs[point]
    elif point in RULES and RULES[point].kind == "rule":
        outcome = RULES[point].func(problem)
        mask = problem.mask(list(outcome.package))
        design = outcome.details.get("design")
    else:
        designs = ", ".join(problem.base_designs) or "none"
        raise ParameterError(
            "The 'disagreement' parameter must be 'status-quo', 'best-base-design', a base "
            f"design of {problem.name} ({designs}) or a rule ({', '.join(RULES)}). "
            f"Got {point!r} instead."
        )
    mask = np.asarray(mask, dtype=bool)
    mask.setflags(write=False)
    resolved = Disagreement(
        point=point,
        mask=mask,
        package=problem.package_ids(mask),
        utilities=problem.group_utilities(mask),
        design=design,
    )
    cache[point] = resolved
    return resolved
