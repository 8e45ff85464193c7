"""The mediated protocol: the mediator proposes, prices demands and rebalances.

Each round the mediator proposes the package maximizing ``sum_u lambda_u s_hat_u(x)``
under the budget and estimated individual rationality (every group's believed
utility at least its believed utility under the disagreement point), with the
committed demands in. After the answers it raises the weight of every rejecting
stakeholder, ``lambda_u <- lambda_u exp(eta shortfall_u)`` (renormalized), and
prices each distinct demand: the best budget-feasible way to fund it out of the
current proposal and its predicted effect on every group. A demand that raises the
believed total or the smallest believed satisfaction without pushing a group under
its believed disagreement utility is committed. A commitment is soft: it is
released when no group that asked for it still asks (it accepts the proposal, or
asks to drop it, or no longer gains from it as the mediator believes), or when the
commitments together leave no individually rational package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import InfeasibleError
from plurisim.negotiation.messages import Demand, Pricing, RoundRecord
from plurisim.negotiation.protocols.base import Protocol

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["Mediated"]

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
GAIN_TOL = 1e-9


class Mediated(Protocol):
    """Mediator proposals, priced demands, reweighting toward the left-behind."""

    name = "mediated"
    wants_demands = True

    def propose(self, model: Negotiation) -> tuple[BoolArray, str, dict[str, Any]]:
        view, search = model.view, model.search
        weights = view.group_weights()
        floors = view.reserve(weights)
        k = max(1, int(model.mediator_policy.candidates))
        details: dict[str, Any] = {}
        # The disagreement point is what stands without agreement, not an offer.
        exclude = [view.d_mask]
        try:
            found = search.top(
                view.objective(),
                k,
                floors=floors,
                floor_weights=weights,
                forced=view.committed(),
                exclude=exclude,
            )
        except InfeasibleError:
            if view.commitments:
                details["released"] = sorted(
                    model.problem.interventions[j] for j in view.commitments
                )
                view.commitments.clear()
            try:
                found = search.top(
                    view.objective(), k, floors=floors, floor_weights=weights, exclude=exclude
                )
            except InfeasibleError:
                # No other package is believed to leave every group as well off: offer the
                # one whose worst believed loss (in satisfaction) is smallest.
                span = view.ideals(weights) - floors
                try:
                    found = [search.maximin_others(weights, floors, span, -1, 0.0, exclude=exclude)]
                except InfeasibleError:
                    # Nothing is affordable but the disagreement point: offering it
                    # changes nothing, so no agreement can come of it.
                    found = [view.d_mask.copy()]
                    details["only_disagreement"] = True
                details["believed_rational"] = False
        index, rationale, source = model.mediator_policy.choose(model, found)
        details.update(rationale=rationale, mediator=source, candidates=len(found))
        return found[index], "mediator", details

    def update(self, model: Negotiation, record: RoundRecord) -> None:
        view = model.view
        r = record.responses
        view.log_lam += model.params.eta * np.where(r.accept, 0.0, r.shortfall)
        view.log_lam -= view.log_lam.max()
        self._release(model, record)
        working = record.proposal.copy()
        pricings = []
        for demand, who, priority in self._gather(model, record):
            pricing = self._price(model, working, demand, who, priority)
            if pricing.admitted and pricing.package is not None:
                working = pricing.package
                view.commitments[demand.add] = set(who)
                if demand.drop is not None:
                    view.commitments.pop(demand.drop, None)
            pricings.append(pricing)
        record.details["pricings"] = pricings

    def _release(self, model: Negotiation, record: RoundRecord) -> None:
        """Drop commitments no group still asks for: kept only while a group that asked
        rejects the proposal and still gains from the commitment (believed), and has not
        asked to drop it."""
        view, p = model.view, model.problem
        x = record.proposal
        u = view.utilities(x)
        r = record.responses
        rejecting = set(np.unique(view.unit_group[~r.accept]).tolist())
        # Each group's drop request: its last member's that asked to drop something.
        asked = np.flatnonzero(~r.accept & (r.demand_drop >= 0))
        g_asked = view.unit_group[asked]
        last = asked.size - 1 - np.unique(g_asked[::-1], return_index=True)[1]
        dropping = {int(g_asked[i]): int(r.demand_drop[asked[i]]) for i in last}
        released = []
        for j, groups in list(view.commitments.items()):
            without = x.copy()
            without[j] = False
            gain = u - view.utilities(without)
            keep = {
                g for g in groups if g in rejecting and gain[g] > GAIN_TOL and dropping.get(g) != j
            }
            if keep:
                view.commitments[j] = keep
            else:
                del view.commitments[j]
                released.append(p.interventions[j])
        if released:
            record.details["released"] = sorted(released)

    def _gather(
        self, model: Negotiation, record: RoundRecord
    ) -> list[tuple[Demand, list[int], float]]:
        """Distinct demands, the groups asking, and priority (summed shortfall), top first."""
        r = record.responses
        view, p = model.view, model.problem
        asking = np.flatnonzero(~r.accept & (r.demand_add >= 0))
        if asking.size == 0 or model.params.max_demands == 0:
            return []
        codes = r.demand_add[asking] * (p.n_interventions + 1) + (r.demand_drop[asking] + 1)
        weight = r.shortfall[asking] * view.unit_size[asking]
        uniq, inverse = np.unique(codes, return_inverse=True)
        priority = np.bincount(inverse, weights=weight, minlength=uniq.size)
        ranked = np.lexsort((uniq, -priority))[: model.params.max_demands]
        out = []
        for k in ranked:
            members = asking[inverse == k]
            demand = r.demand(int(members[0]))
            assert demand is not None
            groups = [int(g) for g in np.unique(view.unit_group[members])]
            gain = float(np.mean(r.demand_gain[members]))
            out.append(
                (Demand(demand.add, demand.drop, gain, demand.net_cost), groups, float(priority[k]))
            )
        # The order demands reach the mediator is the stakeholders' activation order:
        # random, from the model's one generator.
        order = model.rng.permutation(len(out))
        return [out[i] for i in order]

    def _price(
        self,
        model: Negotiation,
        current: BoolArray,
        demand: Demand,
        supporters: list[int],
        priority: float,
    ) -> Pricing:
        """Fund one demand out of ``current`` and judge it on the believed utilities."""
        view = model.view
        weights = view.group_weights()
        funding = model.search.fund(current, demand.add, demand.drop, view.committed(), weights)
        pricing = Pricing(demand=demand, supporters=supporters, priority=priority, package=None)
        u0 = view.utilities(current, weights)
        pricing.total_before = float(u0.sum())
        pricing.min_sat_before = float(view.satisfaction(u0, weights).min())
        if funding is None:
            pricing.reason = "no budget-feasible way to fund it"
            return pricing
        u1 = view.utilities(funding.package, weights)
        pricing.package = funding.package
        pricing.dropped = tuple(j for j in funding.dropped if j != demand.drop)
        pricing.delta = u1 - u0
        pricing.total_after = float(u1.sum())
        pricing.min_sat_after = float(view.satisfaction(u1, weights).min())
        floors = view.reserve(weights)
        below = u1 < floors - 1e-9 * np.maximum(1.0, np.abs(floors))
        if below.any():
            names = ", ".join(model.problem.group_labels[g] for g in np.flatnonzero(below))
            pricing.reason = f"it would push {names} under their disagreement utility (believed)"
            return pricing
        better_total = pricing.total_after > pricing.total_before + GAIN_TOL
        better_min = pricing.min_sat_after > pricing.min_sat_before + GAIN_TOL
        if better_total or better_min:
            pricing.admitted = True
            pricing.reason = "it raises " + (
                "the total utility and the smallest satisfaction"
                if better_total and better_min
                else "the total utility"
                if better_total
                else "the smallest satisfaction"
            )
        else:
            pricing.reason = "it raises neither the total utility nor the smallest satisfaction"
        return pricing
