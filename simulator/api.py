"""High-level entry points that wire the core and the agents together.

The core (scenarios, problems, mechanisms, the negotiation engine, the evaluator)
never imports :mod:`plurisim.agents`; this module does: :func:`negotiate` runs a
negotiation with the rule-based policies (or any given ones), and
:class:`NegotiationModel` is the Mesa model with them.

Examples
--------
>>> from plurisim import negotiate, scenarios
>>> result = negotiate(scenarios.load("toy-park"), seed=0, disagreement="status-quo")
>>> result.agreement, result.protocol, result.information
(True, 'mediated', 'private')
>>> negotiate(scenarios.load("toy-park"), seed=0).agreement  # no package but green suits all
False
>>> negotiate(scenarios.load("toy-park"), rounds=0)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plurisim.agents.mediator import RuleBasedMediator
from plurisim.agents.stakeholder import RuleBasedStakeholders
from plurisim.negotiation.engine import Negotiation
from plurisim.negotiation.policies import MediatorPolicy, StakeholderPolicy
from plurisim.negotiation.result import NegotiationResult
from plurisim.problem import Problem
from plurisim.scenario import Scenario

if TYPE_CHECKING:
    from plurisim.negotiation_model import NegotiationModel

__all__ = ["NegotiationModel", "negotiate"]


def negotiate(
    scenario: Scenario | Problem,
    *,
    seed: Any = None,
    stakeholder_policy: StakeholderPolicy | None = None,
    mediator_policy: MediatorPolicy | None = None,
    **params: Any,
) -> NegotiationResult:
    """Run a negotiation on a scenario and return its result.

    Parameters
    ----------
    scenario : Scenario or Problem
    seed : int, SeedSequence, Generator or None
        One seed for everything random: the individuals drawn from the groups, the
        stakeholders' concession pace and SVO jitter, the order demands reach the
        mediator, the single text's mutations and votes, the social graph and the
        initial beliefs. Same seed, same result.
    stakeholder_policy, mediator_policy : policy, optional
        The behaviour (default: :class:`~plurisim.agents.RuleBasedStakeholders` and
        :class:`~plurisim.agents.RuleBasedMediator`).
    **params
        Every parameter of :data:`plurisim.negotiation.params.NEGOTIATION_PARAMS`:
        ``protocol`` (``"mediated"``, ``"single-text"``, ``"alternating-offers"``),
        ``information`` (``"private"`` or ``"public"``), ``disagreement``,
        ``rounds``, ``quorum``, ``patience``, ``aspiration_floor``, ``acceptance``,
        ``eta``, ``stakeholders`` (``"groups"`` or ``"individuals"``), ``concession``,
        ``concession_jitter``, ``svo``, ``svo_sd``, ``max_demands``, ``temperature``,
        ``mutations``, ``improvements``, ``engine``, ``time_limit``,
        ``deliberation``, ``ideal_samples``.

    Returns
    -------
    NegotiationResult
    """
    engine = Negotiation(
        scenario,
        seed=seed,
        stakeholder_policy=stakeholder_policy or RuleBasedStakeholders(),
        mediator_policy=mediator_policy or RuleBasedMediator(),
        **params,
    )
    return engine.run()


def __getattr__(name: str) -> Any:
    # The Mesa model lives in its own module: Mesa (and pandas) load only when it is used.
    if name == "NegotiationModel":
        from plurisim.negotiation_model import NegotiationModel

        return NegotiationModel
    raise AttributeError(f"module 'plurisim.api' has no attribute {name!r}")
