"""The neutral mediator: proposes packages, prices demands, rebalances toward the left-behind.

Each round the mediator proposes the package maximizing ``sum_u lambda_u s_u(x)``
under the budget, keeping every group at or above its reservation utility and every
committed intervention in. After the responses it raises the weight of each
rejecting stakeholder, ``lambda_u <- lambda_u * exp(eta * shortfall_u)``
(renormalized), and prices each demand: the best budget-feasible way to fund it out
of the current proposal and what that does to every group. A demand enters the next
proposal (as a commitment) when it raises the rubric's total utility or the smallest
group satisfaction without pushing any group under its reservation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError

if TYPE_CHECKING:
    from plurisim.agents.stakeholder import Demand, Responses
    from plurisim.negotiation.model import NegotiationModel

__all__ = ["MediatorAgent", "Pricing"]

FloatArray = NDArray[np.float64]


@dataclass
class Pricing:
    """A demand, how it would be funded, what it does to each group, and the verdict."""

    demand: Demand
    supporters: list[int]
    priority: float
    package: NDArray[np.bool_] | None
    dropped: tuple[int, ...] = ()
    delta: FloatArray | None = None  # change of each group's utility
    total_before: float = 0.0
    total_after: float = 0.0
    min_sat_before: float = 0.0
    min_sat_after: float = 0.0
    admitted: bool = False
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class MediatorAgent(mesa.Agent):
    """The neutral mediator of a :class:`~plurisim.negotiation.NegotiationModel`."""

    def __init__(self, model: NegotiationModel) -> None:
        super().__init__(model)
        self.fallback_used = False
        self.rationale = ""
        self.source = "rule"

    # -- proposals ----------------------------------------------------------------------

    def objective(self) -> FloatArray:
        """Coefficients on each group's criterion levels of ``sum_u lambda_u s_u``."""
        units = self.model.units
        flat = units.flat
        # A stakeholder whose reference design is already its ideal has nothing to gain:
        # its satisfaction is constant, so it adds nothing to the objective.
        scale = np.where(flat, 0.0, units.lam / np.where(flat, 1.0, units.span))
        coef_units = scale[:, None] * units.weights
        out = np.zeros_like(self.model.problem.weights)
        np.add.at(out, units.group, coef_units)
        return out

    def propose(self) -> NDArray[np.bool_]:
        """The package maximizing the weighted satisfaction under the budget and floors."""
        m = self.model
        self.fallback_used = False
        try:
            return m.search.best(self.objective(), floors=m.group_reserve, forced=m.commitments)
        except InfeasibleError:
            self.fallback_used = True
            return m.search.max_min_slack(m.group_reserve, forced=m.commitments)

    # -- after the responses ---------------------------------------------------------------

    def reweight(self, responses: Responses) -> None:
        """Raise the weight of every rejecting stakeholder by its shortfall."""
        units = self.model.units
        units.log_lam += self.model.params.eta * np.where(
            responses.accept, 0.0, responses.shortfall
        )
        units.log_lam -= units.log_lam.max()

    def gather(self, responses: Responses) -> list[tuple[Demand, list[int], float]]:
        """Distinct demands, their supporters and priority (summed shortfall), top first."""
        from plurisim.agents.stakeholder import Demand

        m = self.model
        asking = np.flatnonzero(~responses.accept & (responses.demand_add >= 0))
        if asking.size == 0:
            return []
        n_iv = m.problem.n_interventions
        codes = responses.demand_add[asking] * (n_iv + 1) + (responses.demand_drop[asking] + 1)
        weight = responses.shortfall[asking] * m.units.size[asking]
        uniq, inverse = np.unique(codes, return_inverse=True)
        priority = np.bincount(inverse, weights=weight, minlength=uniq.size)
        # Highest priority first; ties by the demand's code, so the ranking is deterministic.
        ranked = np.lexsort((uniq, -priority))[: m.params.max_demands]
        out = []
        for r in ranked:
            members = asking[inverse == r]
            first = int(members[0])
            demand = responses.demand(first)
            assert demand is not None
            gain = float(np.mean(responses.demand_gain[members]))
            out.append(
                (
                    Demand(demand.add, demand.drop, gain, demand.net_cost),
                    members.tolist(),
                    float(priority[r]),
                )
            )
        # The order in which demands reach the mediator is the stakeholders' activation
        # order: random, drawn from the model's generator.
        order = m.rng.permutation(len(out))
        return [out[k] for k in order]

    def price(
        self, current: NDArray[np.bool_], demand: Demand, supporters: list[int], priority: float
    ) -> Pricing:
        """Fund one demand out of ``current`` and judge it."""
        m = self.model
        p = m.problem
        funding = m.search.fund(current, demand.add, demand.drop, m.commitments, p.weights)
        pricing = Pricing(demand=demand, supporters=supporters, priority=priority, package=None)
        u0 = p.group_utilities(current)
        pricing.total_before = float(u0.sum())
        pricing.min_sat_before = float(m.group_satisfaction(u0).min())
        if funding is None:
            pricing.reason = "no budget-feasible way to fund it"
            return pricing
        u1 = p.group_utilities(funding.package)
        pricing.package = funding.package
        pricing.dropped = tuple(j for j in funding.dropped if j != demand.drop)
        pricing.delta = u1 - u0
        pricing.total_after = float(u1.sum())
        pricing.min_sat_after = float(m.group_satisfaction(u1).min())
        below = u1 < m.group_reserve - 1e-9 * np.maximum(1.0, np.abs(m.group_reserve))
        if below.any():
            names = ", ".join(p.group_labels[g] for g in np.flatnonzero(below))
            pricing.reason = f"it would push {names} under their reservation"
            return pricing
        better_total = pricing.total_after > pricing.total_before + 1e-9
        better_min = pricing.min_sat_after > pricing.min_sat_before + 1e-9
        if better_total or better_min:
            pricing.admitted = True
            pricing.reason = "it raises " + (
                "the total utility"
                if better_total and not better_min
                else "the smallest satisfaction"
                if better_min and not better_total
                else "the total utility and the smallest satisfaction"
            )
        else:
            pricing.reason = "it raises neither the total utility nor the smallest satisfaction"
        return pricing

    def update(self, responses: Responses) -> list[Pricing]:
        """Reweight, price the demands in arrival order, commit those admitted."""
        m = self.model
        self.reweight(responses)
        assert m.proposal is not None
        working = m.proposal.copy()
        out = []
        for demand, who, priority in self.gather(responses):
            pricing = self.price(working, demand, who, priority)
            if pricing.admitted and pricing.package is not None:
                working = pricing.package
                m.commitments[demand.add] = True
                if demand.drop is not None:
                    m.commitments[demand.drop] = False
            out.append(pricing)
        return out
