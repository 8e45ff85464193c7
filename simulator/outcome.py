"""The result of a mechanism: a package of interventions and how it was found.

Examples
--------
>>> from plurisim.outcome import Outcome
>>> o = Outcome(mechanism="maximin", package=("ramps",), cost=120.0, budget=300.0)
>>> Outcome.from_json(o.to_json()) == o
True
>>> print(o)
maximin: ramps (cost 120 of 300; optimal)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from plurisim.problem import Problem

__all__ = ["Outcome", "Status", "package_outcome", "to_jsonable"]

Status = Literal[
    "optimal", "time_limit", "fallback", "solve_error", "rule", "no_agreement", "agreement"
]
Kind = Literal["mechanism", "base_design", "negotiated"]


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars and arrays (and nested containers) to plain JSON data.

    Non-finite floats become ``None`` so that the output is strict JSON.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"a": np.float64(1.5), "b": np.array([1, 2]), "c": float("nan")})
    {'a': 1.5, 'b': [1, 2], 'c': None}
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    return value


@dataclass(frozen=True)
class Outcome:
    """A package chosen by a mechanism (or a base design), with its trace.

    Parameters
    ----------
    mechanism : str
        The rule's name, or ``"base:<id>"`` for a base design.
    package : tuple of str
        Chosen intervention ids, in scenario order.
    cost, budget : float
    kind : {"mechanism", "base_design", "negotiated"}
    label : str, optional
        A readable name for tables.
    params : mapping
        The parameters the rule ran with.
    status : str
        ``"optimal"`` (proved optimal), ``"time_limit"`` (best found when time ran
        out; see ``gap``), ``"fallback"`` (the solver found no package in time: the
        best quick greedy package), ``"solve_error"`` (the solver failed: the same
        fallback), ``"rule"`` (a procedure, not an optimization), ``"agreement"`` /
        ``"no_agreement"`` (negotiation).
    gap : float or None
        Relative optimality gap reported by the solver (0 when proved optimal).
    objective : float or None
        The value of the rule's objective at the package.
    details : mapping
        A trace: rounds, tie-breaks, solver figures.
    scenario : str or None
        The scenario's name.
    """

    mechanism: str
    package: tuple[str, ...]
    cost: float
    budget: float
    kind: Kind = "mechanism"
    label: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    status: str = "optimal"
    gap: float | None = 0.0
    objective: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    scenario: str | None = None

    @property
    def name(self) -> str:
        """The label, else the mechanism."""
        return self.label or self.mechanism

    def mask(self, problem: Problem) -> np.ndarray:
        """The package as a boolean mask over the problem's interventions."""
        return problem.mask(list(self.package))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready); :meth:`from_dict` restores an equal outcome."""
        out: dict[str, Any] = to_jsonable(asdict(self))
        out["package"] = list(self.package)
        return dict(out)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        """Rebuild an outcome from :meth:`to_dict` output."""
        d = dict(data)
        d["package"] = tuple(d.get("package", ()))
        return cls(**d)

    def to_json(self) -> str:
        """The outcome as a JSON string."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Outcome:
        """Rebuild an outcome from :meth:`to_json` output."""
        return cls.from_dict(json.loads(text))

    def __str__(self) -> str:
        items = ", ".join(self.package) if self.package else "nothing"
        status = self.status
        if self.status == "time_limit" and self.gap is not None:
            status = f"time limit, gap {self.gap:.2%}"
        return f"{self.name}: {items} (cost {self.cost:g} of {self.budget:g}; {status})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.mechanism, self.package, self.cost))


def package_outcome(
    problem: Problem,
    mechanism: str,
    mask: ArrayLike,
    *,
    status: str,
    gap: float | None = None,
    objective: float | None = None,
    details: Mapping[str, Any] | None = None,
    kind: Kind = "mechanism",
    label: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> Outcome:
    """Wrap a package (a boolean mask) into an :class:`Outcome`, checking it is feasible.

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> p = compile_scenario(scenarios.load("toy-park"))
    >>> package_outcome(p, "mine", p.mask(["ramps"]), status="rule").package
    ('ramps',)
    >>> package_outcome(p, "mine", np.ones(6, bool), status="rule")
    Traceback (most recent call last):
    ...
    AssertionError: mine produced an infeasible package
    """
    x = np.asarray(mask, dtype=bool)
    if not problem.is_feasible(x):
        raise AssertionError(f"{mechanism} produced an infeasible package")
    return Outcome(
        mechanism=mechanism,
        package=problem.package_ids(x),
        cost=float(problem.costs @ x),
        budget=problem.budget,
        kind=kind,
        label=label,
        params=dict(params or {}),
        status=status,
        gap=gap,
        objective=objective,
        details=dict(details or {}),
        scenario=problem.name,
    )
