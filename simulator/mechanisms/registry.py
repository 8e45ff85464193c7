"""The table of rules: each declared once, with its parameters as data.

A rule is a function ``rule(problem, *, rng=None, **params) -> Outcome``. The
:func:`rule` decorator registers it in :data:`RULES` with its :class:`~plurisim.params.Param`
declarations; the registered function fills defaults, validates every value
(refusing unknown names with the list of allowed ones) and records the parameters
it ran with in the outcome's ``params``. Nothing introspects signatures.

The negotiation protocols join these rules in :mod:`plurisim.registry`, the one
table the command line, comparisons, sweeps, documentation and app read.

Examples
--------
>>> from plurisim.mechanisms.registry import RULES
>>> [p.name for p in RULES["maximin"].params]
['engine', 'time_limit', 'tie_break']
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from plurisim.outcome import Outcome, to_jsonable
from plurisim.params import Param, resolve_params
from plurisim.tiebreaking import TIE_BREAKS

__all__ = [
    "ENGINE",
    "RULES",
    "TIE_BREAK_EXACT",
    "TIE_BREAK_ITEMS",
    "TIME_LIMIT",
    "WEIGHTING",
    "MechanismInfo",
    "rule",
]


@dataclass(frozen=True)
class MechanismInfo:
    """A registered mechanism: its name, what it does, its parameters and the function.

    Attributes
    ----------
    name : str
    summary : str
        One line: what it selects.
    params : tuple of Param
    func : callable
        ``func(problem, *, rng=None, **params) -> Outcome``, validating its parameters.
    kind : {"rule", "protocol"}
    uses_disagreement : bool
        Whether it measures gains from a disagreement point.
    """

    name: str
    summary: str
    params: tuple[Param, ...]
    func: Callable[..., Any]
    kind: str = "rule"
    uses_disagreement: bool = False

    def param(self, name: str) -> Param | None:
        """The declaration of one parameter, or ``None``."""
        return next((p for p in self.params if p.name == name), None)

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled, every value validated, unknown names refused."""
        return resolve_params(self.name, self.params, given)


RULES: dict[str, MechanismInfo] = {}
"""Every registered rule, by name, in registration order."""

ENGINE = Param(
    "engine",
    "auto",
    "enumerate every feasible package or solve a MILP ('auto' enumerates up to 22 interventions)",
    kind="str",
    choices=("auto", "enumerate", "milp"),
)
TIME_LIMIT = Param(
    "time_limit",
    30.0,
    "seconds the solver may run; the outcome reports its status and gap",
    low=0,
    closed="right",
)
TIE_BREAK_EXACT = Param(
    "tie_break",
    "auto",
    "between equally good packages: 'auto' (cheapest when enumerating, the solver's "
    "choice in the MILP), 'cost', 'solver' or 'refuse'",
    kind="str",
    choices=("auto", "cost", "solver", "refuse"),
)
TIE_BREAK_ITEMS = Param(
    "tie_break",
    "auto",
    "between equally good interventions: 'auto' (more votes first, then file order, on "
    "ballot scenarios; scenario order otherwise), scenario order ('index'), id ('name', "
    "pabutools' order), cost, or refuse",
    kind="str",
    choices=("auto", *TIE_BREAKS),
)
WEIGHTING = Param(
    "weighting",
    "group",
    "'group': every group counts once; 'population': every individual counts once",
    kind="str",
    choices=("group", "population"),
)


def rule(
    name: str, *params: Param, summary: str, uses_disagreement: bool = False
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register a rule under ``name`` with its parameters (a decorator).

    The decorated function receives every declared parameter as a keyword, already
    validated; callers may leave any out (its default applies).
    """

    def decorate(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        @functools.wraps(fn)
        def registered(problem: Any, *, rng: Any = None, **given: Any) -> Outcome:
            resolved = info.resolve(given)
            outcome = fn(problem, rng=rng, **resolved)
            return dataclasses.replace(outcome, params=to_jsonable(resolved))

        keyword = inspect.Parameter.KEYWORD_ONLY
        registered.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter("problem", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                inspect.Parameter("rng", keyword, default=None),
                *(inspect.Parameter(p.name, keyword, default=p.default) for p in params),
            ],
            return_annotation="Outcome",
        )
        info = MechanismInfo(
            name=name,
            summary=summary,
            params=tuple(params),
            func=registered,
            uses_disagreement=uses_disagreement,
        )
        RULES[name] = info
        return registered

    return decorate
