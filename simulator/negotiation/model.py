"""The negotiation as a Mesa model: one ``step()`` is one round.

Round 0 (construction): the mediator publishes the rubric (total utility, the
budget) and the reference design (the best base design; the status quo if the
scenario has none). Every stakeholder knows its ideal utility under the budget and
its reservation utility (under the reference design).

Round t: the mediator proposes; stakeholders accept or reject with a demand; on
agreement (the accepting share of the population reaches the quorum) the model
stops; otherwise the mediator reweights, prices the demands and commits those that
help. The model also stops after ``patience`` rounds without change, or after the
last round; without agreement the reference design stands.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from numpy.typing import NDArray
from plurisim.agents.mediator import MediatorAgent, Pricing
from plurisim.agents.stakeholder import Responses, StakeholderAgent, respond_all
from plurisim.mechanisms import best_base_design, status_quo
from plurisim.metrics import gini
from plurisim.negotiation.deliberation import DeliberationState, information_gap, value_conflict
from plurisim.negotiation.params import NegotiationParams
from plurisim.negotiation.search import PackageSearch
from plurisim.negotiation.units import FLAT, Units
from plurisim.outcome import Outcome
from plurisim.problem import Problem

__all__ = ["NegotiationModel"]

FloatArray = NDArray[np.float64]


class NegotiationModel(mesa.Model):
    """Budget-aware negotiation between stakeholder agents and a neutral mediator.

    Parameters
    ----------
    problem : Problem
    params : NegotiationParams, optional
        Resolved parameters; built from ``**kwargs`` (see :func:`plurisim.negotiate`)
        when omitted.
    seed : int, SeedSequence or Generator, optional
        Seeds the model's one generator, ``model.rng``.
    stakeholder_class, mediator_class : type, optional
        Agent classes (LLM-backed agents plug in here).

    Examples
    --------
    >>> from plurisim import compile_scenario, scenarios
    >>> model = NegotiationModel(compile_scenario(scenarios.load("toy-park")), seed=1)
    >>> while model.running:
    ...     model.step()
    >>> model.agreement, model.round <= model.params.rounds
    (True, True)
    """

    def __init__(
        self,
        problem: Problem,
        params: NegotiationParams | None = None,
        *,
        seed: Any = None,
        stakeholder_class: type[StakeholderAgent] = StakeholderAgent,
        mediator_class: type[MediatorAgent] = MediatorAgent,
        **kwargs: Any,
    ) -> None:
        super().__init__(rng=seed)
        self.problem = problem
        self.params = params if params is not None else NegotiationParams.resolve(problem, **kwargs)
        p = problem
        self.search = PackageSearch(
            p, self.params.engine, self.params.time_limit, self.params.ideal_samples
        )
        self.reference: Outcome = best_base_design(p) if p.base_designs else status_quo(p)
        self.reference_mask = self.reference.mask(p)
        group_ideal, _ = self.search.ideal_for(p.weights, np.arange(p.n_groups))
        self.group_reserve = p.group_utilities(self.reference_mask)
        self.group_ideal = np.maximum(group_ideal, self.group_reserve)
        self.group_span = self.group_ideal - self.group_reserve
        self.units = self._build_units()
        self.deliberation: DeliberationState | None = None
        if self.params.deliberation is not None:
            self.deliberation = DeliberationState(
                self.params.deliberation, self.units, p.n_groups, p.n_interventions, self.rng
            )
            self.units.reserve = self.units.utilities(p, self.reference_mask)
        self.mediator = mediator_class(self)
        self.stakeholders = stakeholder_class.create_agents(
            self, len(self.units), list(range(len(self.units)))
        )
        self.commitments = np.zeros(p.n_interventions, dtype=bool)
        self.proposal: NDArray[np.bool_] | None = None
        self.responses: Responses | None = None
        self.pricings: list[Pricing] = []
        self.round = 0
        self.agreement = False
        self.stop_reason = ""
        self.acceptance_share = 0.0
        self._stable = 0
        self._signature: tuple[Any, ...] | None = None
        self.stats: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        from plurisim.negotiation.transcript import opening

        self.transcript: list[dict[str, Any]] = [opening(self)]

    # -- construction ------------------------------------------------------------------

    def _build_units(self) -> Units:
        p, prm = self.problem, self.params
        if prm.stakeholders == "groups":
            weights = np.array(p.weights, dtype=float)
            group = np.arange(p.n_groups)
            size = p.sizes.astype(float)
            ideal, exact = self.group_ideal.copy(), True
        else:
            assert p.individual_weights is not None and p.individual_group is not None
            weights = np.array(p.individual_weights, dtype=float)
            group = np.asarray(p.individual_group, dtype=np.intp)
            size = np.ones(group.size)
            ideal, exact = self.search.ideal_for(weights, group)
        n = group.size
        reserve = np.einsum("uk,uk->u", p.levels(self.reference_mask)[group], weights)
        ideal = np.maximum(ideal, reserve)
        exponent = np.asarray(prm.concession)[group] * np.exp(
            prm.concession_jitter * self.rng.standard_normal(n)
        )
        angle = np.deg2rad(np.asarray(prm.svo)[group] + prm.svo_sd * self.rng.standard_normal(n))
        return Units(
            weights=weights,
            anchor=weights.copy(),
            group=group,
            size=size,
            ideal=ideal,
            reserve=reserve,
            span=ideal - reserve,
            angle=angle,
            exponent=exponent,
            log_lam=np.zeros(n),
            ideal_exact=exact,
        )

    def _reporters(self) -> dict[str, Any]:
        rep: dict[str, Any] = {
            "round": lambda m: m.round,
            "cost": lambda m: m.stats["cost"],
            "total_utility": lambda m: m.stats["total_utility"],
            "worst_group_utility": lambda m: m.stats["worst_group_utility"],
            "p20_satisfaction": lambda m: m.stats["p20_satisfaction"],
            "gini": lambda m: m.stats["gini"],
            "acceptance_share": lambda m: m.acceptance_share,
            "demands": lambda m: len(m.pricings),
            "admitted": lambda m: sum(pr.admitted for pr in m.pricings),
            "commitments": lambda m: int(m.commitments.sum()),
            "information_gap": lambda m: information_gap(m.units.beliefs),
            "value_conflict": lambda m: value_conflict(
                m.units.weights, m.units.group, m.problem.n_groups
            ),
        }
        for g, gid in enumerate(self.problem.groups):
            rep[f"u:{gid}"] = lambda m, g=g: m.stats["utilities"][g]
            rep[f"s:{gid}"] = lambda m, g=g: m.stats["satisfaction"][g]
            rep[f"w:{gid}"] = lambda m, g=g: m.stats["weights"][g]
        return rep

    # -- queries -------------------------------------------------------------------------

    def group_satisfaction(self, u: FloatArray) -> FloatArray:
        """Each group's satisfaction ``(u_g - r_g) / (u*_g - r_g)`` (1 if it cannot gain)."""
        flat = self.group_span <= FLAT
        s = (u - self.group_reserve) / np.where(flat, 1.0, self.group_span)
        return np.where(flat, np.where(u >= self.group_reserve - FLAT, 1.0, -1.0), s)

    def group_weights(self) -> FloatArray:
        """The mediator's weight on each group (summed over its members)."""
        out = np.zeros(self.problem.n_groups)
        np.add.at(out, self.units.group, self.units.lam)
        return out

    # -- one round ------------------------------------------------------------------------

    def respond(self, proposal: NDArray[np.bool_]) -> Responses:
        """Every stakeholder's response (the rule-based policy; LLM models override)."""
        return respond_all(self, proposal)

    def step(self) -> None:
        """One round: propose, respond, then stop or reweight and price demands."""
        p, prm = self.problem, self.params
        self.round += 1
        if self.deliberation is not None and self.round > 1:
            self.deliberation.step(self.units)
            self.units.reserve = self.units.utilities(p, self.reference_mask)
        self.proposal = self.mediator.propose()
        self.responses = self.respond(self.proposal)
        accept = self.responses.accept
        self.acceptance_share = float(self.units.size[accept].sum() / self.units.size.sum())
        u = p.group_utilities(self.proposal)
        rational = bool(
            np.all(u >= self.group_reserve - 1e-9 * np.maximum(1.0, np.abs(self.group_reserve)))
        )
        self.pricings = []
        if self.acceptance_share >= prm.quorum - 1e-12 and rational:
            self.agreement = True
            self.stop_reason = "agreement"
            self.running = False
        elif self.round >= prm.rounds:
            self.stop_reason = "round limit"
            self.running = False
        else:
            self.pricings = self.mediator.update(self.responses)
            signature = (
                self.proposal.tobytes(),
                accept.tobytes(),
                self.commitments.tobytes(),
            )
            self._stable = self._stable + 1 if signature == self._signature else 0
            self._signature = signature
            if prm.patience is not None and self._stable >= prm.patience:
                self.stop_reason = "patience"
                self.running = False
        self._record(u)

    def _record(self, u: FloatArray) -> None:
        from plurisim.negotiation.transcript import round_entry

        s = self.group_satisfaction(u)
        self.stats = {
            "cost": float(self.problem.costs @ self.proposal) if self.proposal is not None else 0.0,
            "total_utility": float(u.sum()),
            "worst_group_utility": float(u.min()),
            "p20_satisfaction": float(np.percentile(s, 20, method="linear")),
            "gini": gini(u),
            "utilities": u,
            "satisfaction": s,
            "weights": self.group_weights(),
        }
        self.datacollector.collect(self)
        self.transcript.append(round_entry(self, u, s))

    def run(self) -> Any:
        """Run to the end and return the :class:`~plurisim.negotiation.NegotiationResult`."""
        while self.running:
            self.step()
        return self.result()

    def result(self) -> Any:
        """The result so far (normally called once the model has stopped)."""
        from plurisim.negotiation.result import NegotiationResult

        return NegotiationResult.from_model(self)

    @property
    def final_package(self) -> NDArray[np.bool_]:
        """The agreed proposal, or the reference design without agreement."""
        if self.agreement and self.proposal is not None:
            return self.proposal
        return self.reference_mask
