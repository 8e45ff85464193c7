"""The messages of a negotiation: demands, responses, priced demands, round records.

Everything stakeholders say is public: whether they accept, the satisfaction they
state, their shortfall and their demand. The mediator, the other stakeholders and
the transcript see exactly these messages (the stakeholders' weights stay private).

Examples
--------
>>> from plurisim.negotiation.messages import Demand
>>> Demand(add=2, drop=0, gain=0.4, net_cost=10.0).describe(("benches", "trees", "lights"))
'swap benches for lights'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Demand", "Improvement", "Pricing", "Response", "Responses", "RoundRecord"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Demand:
    """What a rejecting stakeholder asks for: add one intervention, possibly dropping one."""

    add: int
    drop: int | None
    gain: float
    net_cost: float

    @property
    def key(self) -> tuple[int, int]:
        """Identifies the demand (the same demand from two stakeholders is one)."""
        return (self.add, -1 if self.drop is None else self.drop)

    def describe(self, labels: tuple[str, ...]) -> str:
        """The demand in words."""
        if self.drop is None:
            return f"add {labels[self.add]}"
        return f"swap {labels[self.drop]} for {labels[self.add]}"


@dataclass
class Response:
    """One stakeholder's answer to a proposal."""

    accept: bool
    stated: float
    value: float
    aspiration: float
    shortfall: float
    demand: Demand | None = None
    argument: str = ""
    source: str = "rule"


@dataclass
class Responses:
    """Every stakeholder's answer to one proposal, as arrays over stakeholders.

    Attributes
    ----------
    stated : ndarray
        The satisfaction each states about itself (truthfully: no strategic
        misreporting is modelled).
    others : ndarray
        The mean satisfaction the others stated, as each stakeholder read it.
    value, aspiration : ndarray
        ``V = cos(theta) s + sin(theta) others`` and the current aspiration.
    accept : ndarray of bool
    demand_add, demand_drop : ndarray of int
        The intervention a rejecting stakeholder asks to add (-1: none) and the one
        it offers to drop in a swap (-1: none).
    demand_gain, demand_net : ndarray
        Its own gain from the demand and the demand's net cost.
    arguments, sources : dict
        Words and where the answer came from (``"rule"``, ``"llm"``, ``"fallback: ..."``).
    """

    stated: FloatArray
    others: FloatArray
    value: FloatArray
    aspiration: FloatArray
    accept: BoolArray
    demand_add: NDArray[np.intp]
    demand_drop: NDArray[np.intp]
    demand_gain: FloatArray
    demand_net: FloatArray
    arguments: dict[int, str] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)

    @property
    def shortfall(self) -> FloatArray:
        """``max(0, aspiration - value)`` for every stakeholder."""
        return np.maximum(self.aspiration - self.value, 0.0)

    def demand(self, i: int) -> Demand | None:
        """Stakeholder ``i``'s demand, if it made one."""
        if self.demand_add[i] < 0:
            return None
        drop = int(self.demand_drop[i])
        return Demand(
            add=int(self.demand_add[i]),
            drop=None if drop < 0 else drop,
            gain=float(self.demand_gain[i]),
            net_cost=float(self.demand_net[i]),
        )

    def set_demand(self, i: int, demand: Demand | None) -> None:
        """Replace stakeholder ``i``'s demand (LLM agents state their own)."""
        if demand is None:
            self.demand_add[i] = -1
            self.demand_drop[i] = -1
            return
        self.demand_add[i] = demand.add
        self.demand_drop[i] = -1 if demand.drop is None else demand.drop
        self.demand_gain[i] = demand.gain
        self.demand_net[i] = demand.net_cost

    def response(self, i: int) -> Response:
        """Stakeholder ``i``'s answer as an object."""
        return Response(
            accept=bool(self.accept[i]),
            stated=float(self.stated[i]),
            value=float(self.value[i]),
            aspiration=float(self.aspiration[i]),
            shortfall=float(self.shortfall[i]),
            demand=self.demand(i),
            argument=self.arguments.get(i, ""),
            source=self.sources.get(i, "rule"),
        )


@dataclass
class Pricing:
    """A demand, how the mediator would fund it, its predicted effect, and the verdict.

    The effects are the mediator's predictions under its estimates of the groups'
    weights (under private information it knows no true utility).
    """

    demand: Demand
    supporters: list[int]
    priority: float
    package: BoolArray | None
    dropped: tuple[int, ...] = ()
    delta: FloatArray | None = None
    total_before: float = 0.0
    total_after: float = 0.0
    min_sat_before: float = 0.0
    min_sat_after: float = 0.0
    admitted: bool = False
    reason: str = ""


@dataclass
class RoundRecord:
    """One bargaining round: who proposed what, and who accepted.

    ``proposer`` is ``"mediator"`` or a group id (alternating offers); with a
    single negotiation text it is ``"text"``. ``details`` holds protocol figures
    (demands priced, mutations tried, ...).
    """

    round: int
    proposal: BoolArray
    proposer: str
    responses: Responses
    accepting_groups: tuple[str, ...]
    acceptance_share: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Improvement:
    """A Pareto improvement the mediator proposed after agreement, and the answers."""

    package: BoolArray
    accepting_groups: tuple[str, ...]
    adopted: bool
    predicted_gain: float
