"""The negotiation as a Mesa model: one ``step()`` is one bargaining round.

:class:`NegotiationModel` wraps the engine (:class:`~plurisim.negotiation.engine.Negotiation`)
for step-by-step use: Mesa agents (thin views onto the engine's arrays, one per
stakeholder, and the mediator), ``model.rng`` (the engine's one generator, shared),
and a ``DataCollector`` recording each round. It runs exactly the engine's code and
random stream, so it gives the same result as :func:`plurisim.negotiate` for the same
seed. Attributes it does not define (``problem``, ``params``, ``agreement``,
``history``, ...) are the engine's.
"""

from __future__ import annotations

from typing import Any

from plurisim.negotiation.engine import Negotiation
from plurisim.negotiation.mesa_import import mesa
from plurisim.negotiation.params import NegotiationParams
from plurisim.negotiation.parties import MediatorAgent, StakeholderAgent
from plurisim.negotiation.policies import MediatorPolicy, StakeholderPolicy
from plurisim.negotiation.result import NegotiationResult
from plurisim.problem import Problem
from plurisim.scenario import Scenario

__all__ = ["NegotiationModel"]


class NegotiationModel(mesa.Model):
    """A negotiation between stakeholder agents and a neutral mediator, on Mesa.

    Parameters
    ----------
    scenario : Scenario or Problem
    params : NegotiationParams, optional
    seed : int, SeedSequence or Generator, optional
    stakeholder_policy : StakeholderPolicy
    mediator_policy : MediatorPolicy
        The behaviour; ``plurisim.NegotiationModel`` supplies the rule-based ones.
    **kwargs
        Negotiation parameters (see :func:`plurisim.negotiate`).

    Examples
    --------
    >>> from plurisim import NegotiationModel, scenarios
    >>> model = NegotiationModel(scenarios.load("toy-park"), seed=1, disagreement="status-quo")
    >>> while model.running:
    ...     model.step()
    >>> model.agreement, len(model.datacollector.get_model_vars_dataframe()) == model.round
    (True, True)
    """

    def __init__(
        self,
        scenario: Scenario | Problem,
        params: NegotiationParams | None = None,
        *,
        seed: Any = None,
        stakeholder_policy: StakeholderPolicy | None = None,
        mediator_policy: MediatorPolicy | None = None,
        **kwargs: Any,
    ) -> None:
        engine = Negotiation(
            scenario,
            params,
            seed=seed,
            stakeholder_policy=stakeholder_policy,
            mediator_policy=mediator_policy,
            **kwargs,
        )
        # Mesa draws a seed for its stdlib generator from the one we hand it; put the
        # stream back, so that the model and the engine alone draw the same numbers.
        state = engine.rng.bit_generator.state
        super().__init__(rng=engine.rng)
        engine.rng.bit_generator.state = state
        self.negotiation = engine
        self.running = engine.running
        self.mediator = MediatorAgent(self)
        self.stakeholders = StakeholderAgent.create_agents(
            self, len(engine.units), list(range(len(engine.units)))
        )
        names = list(engine.records[-1]) if engine.records else None
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters(names))

    def _reporters(self, names: list[str] | None) -> dict[str, Any]:
        keys = names or [
            "round",
            "proposer",
            "cost",
            "total_utility",
            "worst_group_utility",
            "p20_satisfaction",
            "gini",
            "acceptance_share",
            "max_satisfaction",
            "min_satisfaction",
            "estimation_error",
            "demands",
            "admitted",
            "commitments",
            "information_gap",
            "value_conflict",
            *(
                f"{kind}:{gid}"
                for gid in self.negotiation.problem.groups
                for kind in ("u", "s", "lambda")
            ),
        ]
        return {k: (lambda m, k=k: m.negotiation.stats[k]) for k in keys}

    def __getattr__(self, name: str) -> Any:
        # Called only for names the model itself lacks: the engine's attributes.
        if name == "negotiation":
            raise AttributeError(name)
        return getattr(self.negotiation, name)

    def step(self) -> None:
        """One bargaining round (see :meth:`Negotiation.step`)."""
        self.negotiation.step()
        self.running = self.negotiation.running
        self.mediator.rationale = self.negotiation.rationale
        self.mediator.source = self.negotiation.mediator_source
        if self.negotiation.records and self.negotiation.records[-1]["round"] == self.round:
            self.datacollector.collect(self)

    def run(self) -> NegotiationResult:
        """Play to the end and return the result."""
        while self.running:
            self.step()
        return self.result()

    def result(self) -> NegotiationResult:
        """The result so far."""
        return self.negotiation.result()
