"""The Mesa negotiation model with the rule-based policies unless others are given.

Kept apart from :mod:`plurisim.api` so that :func:`plurisim.negotiate` never imports
Mesa (about a second of start-up); ``plurisim.NegotiationModel`` loads this module on
first use.
"""

from __future__ import annotations

from typing import Any

from plurisim.agents.mediator import RuleBasedMediator
from plurisim.agents.stakeholder import RuleBasedStakeholders
from plurisim.negotiation import model as mesa_model
from plurisim.negotiation.params import NegotiationParams
from plurisim.negotiation.policies import MediatorPolicy, StakeholderPolicy
from plurisim.problem import Problem
from plurisim.scenario import Scenario

__all__ = ["NegotiationModel"]


class NegotiationModel(mesa_model.NegotiationModel):
    """The Mesa negotiation model with the rule-based policies unless others are given.

    See :class:`plurisim.negotiation.model.NegotiationModel`.

    Examples
    --------
    >>> from plurisim import NegotiationModel, scenarios
    >>> model = NegotiationModel(scenarios.load("toy-park"), seed=1, protocol="single-text",
    ...                          disagreement="status-quo")
    >>> result = model.run()
    >>> result.protocol
    'single-text'
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
        super().__init__(
            scenario,
            params,
            seed=seed,
            stakeholder_policy=stakeholder_policy or RuleBasedStakeholders(),
            mediator_policy=mediator_policy or RuleBasedMediator(),
            **kwargs,
        )
