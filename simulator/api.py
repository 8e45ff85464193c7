"""High-level entry points that wire the core and the agents together.

The core (scenarios, problems, mechanisms, the negotiation skeleton, the evaluator)
never imports :mod:`plurisim.agents`; this module does: :func:`negotiate` runs a
negotiation with the rule-based policies (or any given ones).

Examples
--------
>>> from plurisim import negotiate, scenarios
>>> result = negotiate(scenarios.load("toy-park"), seed=0)
>>> result.agreement
True
>>> negotiate(scenarios.load("toy-park"), rounds=0)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from plurisim.errors import ParameterError
from plurisim.negotiation.model import NegotiationModel
from plurisim.negotiation.params import NegotiationParams
from plurisim.negotiation.result import NegotiationResult
from plurisim.problem import Problem
from plurisim.scenario import Scenario, compile_scenario

__all__ = ["negotiate", "split_seed"]


def negotiate(
    scenario: Scenario | Problem,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    **params: Any,
) -> NegotiationResult:
    """Run the negotiative alignment protocol on a scenario.

    Parameters
    ----------
    scenario : Scenario or Problem
    seed : int, SeedSequence, Generator or None
        One seed for everything random: the individuals drawn from the groups, the
        stakeholders' concession pace and SVO jitter, the order demands reach the
        mediator, the social graph and initial beliefs. Same seed, same result.
    rounds : int in [1, 1000]
        Rounds before the reference design stands (scenario default, else 20).
    quorum : float in (0, 1]
        Share of the population whose acceptance is an agreement (1 = unanimity).
    patience : int, optional
        Stop without agreement after this many rounds without change.
    eta : float in (0, 100]
        How fast the mediator's weights follow rejecting stakeholders' shortfalls.
    stakeholders : {"groups", "individuals"}
        One agent per group, or one per individual (weights drawn around the
        group's with its dispersion).
    concession : str, float, sequence or mapping
        ``"boulware"``, ``"linear"``, ``"conceder"`` or an exponent, for all groups,
        per group, or by group id (default: the scenario's, else linear).
    concession_jitter : float >= 0
        Each stakeholder's exponent is multiplied by ``exp(jitter * N(0, 1))``.
    svo : float, sequence or mapping
        SVO angles in degrees (default: the scenario's, else 0, pure self-interest).
    svo_sd : float >= 0
        Spread of individuals' angles around their group's.
    max_demands : int
        Distinct demands the mediator prices per round.
    deliberation : bool, mapping or Deliberation
        Deliberation on a social graph between rounds (needs individuals).
    engine : {"auto", "enumerate", "milp"}
    time_limit : float
        Seconds per MILP (large problems only).

    Returns
    -------
    NegotiationResult
    """
    seed_value, compile_seed, model_seed = split_seed(seed)
    if isinstance(scenario, Scenario):
        problem = compile_scenario(scenario, seed=compile_seed)
    elif isinstance(scenario, Problem):
        problem = scenario
    else:
        raise ParameterError(
            f"negotiate needs a Scenario or a Problem; got {type(scenario).__name__}. "
            "Load one with plurisim.scenarios.load(name_or_path)."
        )
    resolved = NegotiationParams.resolve(problem, **params)
    model = NegotiationModel(problem, resolved, seed=model_seed)
    while model.running:
        model.step()
    return NegotiationResult.from_model(model, seed=seed_value)


def split_seed(seed: Any) -> tuple[int | None, Any, Any]:
    """The reported seed, and the generators for compiling the scenario and for the model.

    A seed (int or SeedSequence) is split into two independent streams; a Generator
    is used for both.
    """
    if isinstance(seed, np.random.Generator):
        return None, seed, seed
    seed_value = None if seed is None else _seed_value(seed)
    if isinstance(seed, np.random.SeedSequence):
        # a copy, so that spawning leaves the caller's sequence untouched
        root = np.random.SeedSequence(
            seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size
        )
    else:
        root = np.random.SeedSequence(seed)
    compile_seq, model_seq = root.spawn(2)
    return seed_value, np.random.default_rng(compile_seq), np.random.default_rng(model_seq)


def _seed_value(seed: Any) -> int | None:
    if isinstance(seed, np.random.SeedSequence):
        entropy = seed.entropy
        return int(entropy) if isinstance(entropy, int) else None
    return int(seed)
