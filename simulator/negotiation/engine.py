"""The negotiation engine: the protocol's loop, one ``step()`` per bargaining round.

Round 0 (construction): the disagreement point's package is announced (which base
design is best is computed by the evaluator and made public; the utilities under it
stay private). Each round the protocol makes an offer (the mediator's proposal, the
single text, or a group's offer), every stakeholder answers, and the model counts
the accepting share of the population. It stops on agreement (the share reaches the
quorum), after ``patience`` rounds without change, or after the last round; without
agreement the disagreement point stands (``agreement`` is false). After an
agreement, the mediator may propose Pareto improvements (reported apart, see
:mod:`plurisim.negotiation.improvement`).

The engine owns the protocol; behaviour is injected: a stakeholder policy and a
mediator policy (:mod:`plurisim.negotiation.policies`). It is plain NumPy: the Mesa
model (:class:`~plurisim.negotiation.model.NegotiationModel`) wraps it for
step-by-step use with Mesa's agents and DataCollector, and runs exactly the same
code and random stream. :func:`plurisim.negotiate` runs the engine with the
rule-based policies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError
from plurisim.mechanisms import disagreement_point
from plurisim.metrics import gini
from plurisim.negotiation.deliberation import (
    DeliberationState,
    information_gap,
    perceived_ideals,
    value_conflict,
)
from plurisim.negotiation.estimator import estimation_error
from plurisim.negotiation.improvement import improve
from plurisim.negotiation.messages import Improvement, Responses, RoundRecord
from plurisim.negotiation.params import NegotiationParams
from plurisim.negotiation.policies import MediatorPolicy, StakeholderPolicy
from plurisim.negotiation.protocols import make_protocol
from plurisim.negotiation.result import NegotiationResult
from plurisim.negotiation.search import PackageSearch
from plurisim.negotiation.seeding import split_seed
from plurisim.negotiation.transcript import opening, round_entry
from plurisim.negotiation.units import FLAT, Units, voter_ideals
from plurisim.negotiation.view import MediatorView
from plurisim.problem import Problem
from plurisim.progress import track
from plurisim.scenario import Scenario, compile_scenario

__all__ = ["Negotiation"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Negotiation:
    """A negotiation between stakeholders and a neutral mediator, under a protocol.

    Parameters
    ----------
    scenario : Scenario or Problem
        A scenario is compiled with the first of two streams split from ``seed``.
    params : NegotiationParams, optional
        Resolved parameters; built from ``**kwargs`` (see :func:`plurisim.negotiate`)
        when omitted.
    seed : int, SeedSequence or Generator, optional
        Seeds everything random (one generator, ``model.rng``).
    stakeholder_policy : StakeholderPolicy
    mediator_policy : MediatorPolicy
        The behaviour; ``plurisim.NegotiationModel`` supplies the rule-based policies.

    Examples
    --------
    >>> from plurisim import scenarios
    >>> from plurisim.agents import RuleBasedMediator, RuleBasedStakeholders
    >>> n = Negotiation(scenarios.load("toy-park"), seed=1, disagreement="status-quo",
    ...                 stakeholder_policy=RuleBasedStakeholders(),
    ...                 mediator_policy=RuleBasedMediator())
    >>> while n.running:
    ...     n.step()
    >>> n.agreement, n.round <= n.params.rounds
    (True, True)
    >>> Negotiation(scenarios.load("toy-park"))
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: A negotiation needs a stakeholder policy and a mediator policy; use plurisim.negotiate or plurisim.NegotiationModel (the rule-based ones) or pass stakeholder_policy= and mediator_policy=.
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
        if stakeholder_policy is None or mediator_policy is None:
            raise ParameterError(
                "A negotiation needs a stakeholder policy and a mediator policy; use "
                "plurisim.negotiate or plurisim.NegotiationModel (the rule-based ones) or pass "
                "stakeholder_policy= and mediator_policy=."
            )
        seed_value, compile_rng, model_rng = split_seed(seed)
        if isinstance(scenario, Scenario):
            problem = compile_scenario(scenario, seed=compile_rng)
        elif isinstance(scenario, Problem):
            problem = scenario
        else:
            raise ParameterError(
                f"A negotiation needs a Scenario or a Problem; got {type(scenario).__name__}. "
                "Load one with plurisim.scenarios.load(name_or_path)."
            )
        self.rng = model_rng
        self.running = True
        self.seed_value = seed_value
        self.problem = problem
        self.params = params if params is not None else NegotiationParams.resolve(problem, **kwargs)
        p, prm = problem, self.params
        self.disagreement = disagreement_point(p, prm.disagreement)
        self.search = PackageSearch(p, prm.engine, prm.time_limit, prm.ideal_samples)
        group_ideal, _ = self.search.ideal_for(p.weights, np.arange(p.n_groups))
        self.group_reserve = self.disagreement.utilities
        self.group_ideal = np.maximum(group_ideal, self.group_reserve)
        self.units = self._build_units()
        self.deliberation: DeliberationState | None = None
        if prm.deliberation is not None:
            self.deliberation = DeliberationState(
                prm.deliberation, self.units, p.n_groups, p.n_interventions, self.rng
            )
            self._perceive()
        self.view = MediatorView(
            p,
            self.search,
            self.units.group,
            self.units.size,
            self.disagreement.mask,
            units=self.units if prm.information == "public" else None,
        )
        self.protocol = make_protocol(prm.protocol)
        self.stakeholder_policy = stakeholder_policy
        self.mediator_policy = mediator_policy
        self.rationale = ""
        self.mediator_source = "rule"
        self.round = 0
        self.agreement = False
        self.stop_reason = ""
        self.final: BoolArray = self.disagreement.mask.copy()
        self.history: list[RoundRecord] = []
        self.improvements: list[Improvement] = []
        self.stats: dict[str, Any] = {}
        self.records: list[dict[str, Any]] = []
        self._stable = 0
        self._signature: bytes | None = None
        self.transcript: list[dict[str, Any]] = [opening(self)]
        stakeholder_policy.bind(self)
        mediator_policy.bind(self)
        self.protocol.start(self)

    # -- construction ------------------------------------------------------------------

    def _build_units(self) -> Units:
        p, prm = self.problem, self.params
        ballots = None
        if prm.stakeholders == "individuals" and p.ballots is not None:
            # Real voters: each one's utility is its ballot's; its ideal a knapsack over
            # its own projects, bounded from below (raised whenever it sees better).
            if prm.deliberation is not None:
                raise ParameterError(
                    "Deliberation moves criteria weights and beliefs about effects; the "
                    f"voters of {p.name} hold ballots instead: leave deliberation off."
                )
            ballots = p.ballots
            weights = np.ones((ballots.n_voters, 1))
            group = np.asarray(ballots.voter_group, dtype=np.intp)
            size = np.ones(group.size)
            ideal, exact = voter_ideals(p, ballots), False
        elif prm.stakeholders == "groups":
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
        if ballots is not None:
            reserve = ballots.voter_utilities(self.disagreement.mask)
        else:
            reserve = np.einsum("uk,uk->u", p.levels(self.disagreement.mask)[group], weights)
        exponent = np.asarray(prm.concession)[group] * np.exp(
            prm.concession_jitter * self.rng.standard_normal(n)
        )
        angle = np.deg2rad(np.asarray(prm.svo)[group] + prm.svo_sd * self.rng.standard_normal(n))
        return Units(
            weights=weights,
            anchor=weights.copy(),
            group=group,
            size=size,
            ideal=np.maximum(ideal, reserve),
            reserve=reserve,
            angle=angle,
            exponent=exponent,
            ideal_exact=exact,
            ballots=ballots,
        )

    def _perceive(self) -> None:
        """Recompute what stakeholders perceive after their beliefs or values moved."""
        u = self.units
        u.reserve = u.utilities(self.problem, self.disagreement.mask)
        u.ideal, u.ideal_exact = perceived_ideals(self.problem, self.search, u)
        u.ideal = np.maximum(u.ideal, u.reserve)

    # -- queries -------------------------------------------------------------------------

    def group_satisfaction(self, u: FloatArray) -> FloatArray:
        """Each group's true satisfaction ``(u_g - u_g(d)) / (u*_g - u_g(d))`` (1 if it cannot gain)."""
        span = self.group_ideal - self.group_reserve
        flat = span <= FLAT
        s = (u - self.group_reserve) / np.where(flat, 1.0, span)
        return np.where(flat, np.where(u >= self.group_reserve - FLAT, 1.0, -1.0), s)

    def stakeholder_label(self, i: int) -> str:
        """Readable name of stakeholder ``i``: its group's, with a number for individuals."""
        name = self.problem.group_labels[int(self.units.group[i])]
        return f"{name} #{i}" if self.params.stakeholders == "individuals" else name

    @property
    def proposal(self) -> BoolArray | None:
        """The latest round's offer."""
        return self.history[-1].proposal if self.history else None

    @property
    def responses(self) -> Responses | None:
        """The latest round's answers."""
        return self.history[-1].responses if self.history else None

    # -- one round -----------------------------------------------------------------------

    def step(self) -> None:
        """One bargaining round: an offer, every answer, then stop or go on."""
        if not self.running:
            return
        prm = self.params
        self.round += 1
        if self.deliberation is not None and self.round > 1:
            self.deliberation.step(self.units)
            self._perceive()
        proposal, proposer, details = self.protocol.propose(self)
        responses = self.stakeholder_policy.respond(
            self, proposal, demands=self.protocol.wants_demands
        )
        self.protocol.adjust(self, proposer, responses)
        record = self._record(proposal, proposer, responses, details)
        self.history.append(record)
        self.protocol.learn(self, record)
        # Accepting the disagreement point changes nothing: it is no agreement.
        changes = not np.array_equal(proposal, self.disagreement.mask)
        if changes and record.acceptance_share >= prm.quorum - 1e-12:
            self.agreement, self.stop_reason, self.running = True, "agreement", False
            self.final = proposal.copy()
        elif self.round >= prm.rounds:
            self.stop_reason, self.running = "deadline", False
        else:
            self.protocol.update(self, record)
            signature = proposal.tobytes() + responses.accept.tobytes()
            signature += self.view.committed().tobytes()
            self._stable = self._stable + 1 if signature == self._signature else 0
            self._signature = signature
            if prm.patience is not None and self._stable >= prm.patience:
                self.stop_reason, self.running = "patience", False
        self._collect(record)
        if not self.running:
            self._finish()

    def _record(
        self, proposal: BoolArray, proposer: str, responses: Responses, details: dict[str, Any]
    ) -> RoundRecord:
        units, p = self.units, self.problem
        accept = responses.accept
        share = float(units.size[accept].sum() / units.size.sum())
        rejecting = np.zeros(p.n_groups, dtype=bool)
        rejecting[units.group[~accept]] = True
        present = np.zeros(p.n_groups, dtype=bool)
        present[units.group] = True
        accepting = tuple(gid for g, gid in enumerate(p.groups) if present[g] and not rejecting[g])
        if "rationale" in details:
            self.rationale = str(details["rationale"])
            self.mediator_source = str(details.get("mediator", "rule"))
        return RoundRecord(
            round=self.round,
            proposal=proposal.copy(),
            proposer=proposer,
            responses=responses,
            accepting_groups=accepting,
            acceptance_share=share,
            details=details,
        )

    def _collect(self, record: RoundRecord) -> None:
        p = self.problem
        x = record.proposal
        u = p.group_utilities(x)
        s = self.group_satisfaction(u)
        stated = record.responses.stated
        pricings = record.details.get("pricings", [])
        lam = self.view.group_lambda()
        self.stats = {
            "round": self.round,
            "proposer": record.proposer,
            "cost": float(p.costs @ x),
            "total_utility": float(u.sum()),
            "worst_group_utility": float(u.min()),
            "p20_satisfaction": float(np.percentile(s, 20, method="linear")),
            "gini": gini(u),
            "acceptance_share": record.acceptance_share,
            "max_satisfaction": float(stated.max()),
            "min_satisfaction": float(stated.min()),
            "estimation_error": estimation_error(self.view.group_weights(), p.weights),
            "demands": len(pricings),
            "admitted": sum(pr.admitted for pr in pricings),
            "commitments": len(self.view.commitments),
            "information_gap": information_gap(self.units.beliefs),
            "value_conflict": value_conflict(self.units.weights, self.units.group, p.n_groups),
        }
        for g, gid in enumerate(p.groups):
            self.stats[f"u:{gid}"] = float(u[g])
            self.stats[f"s:{gid}"] = float(s[g])
            self.stats[f"lambda:{gid}"] = float(lam[g])
        self.records.append(dict(self.stats))
        self.transcript.append(round_entry(self, record))

    def _finish(self) -> None:
        """After the last round: the improvement phase (after agreement), then release policies."""
        if self.agreement and self.params.improvements > 0:
            self.final, self.improvements = improve(self, self.final)
        self.stakeholder_policy.close()
        self.mediator_policy.close()

    def run(self) -> NegotiationResult:
        """Play to the end and return the result."""
        # one tick per round on the command line's progress bar, if one is open
        for _ in track(range(self.params.rounds), desc="rounds"):
            if not self.running:
                break
            self.step()
        while self.running:  # the stop after the last round
            self.step()
        return self.result()

    def result(self) -> NegotiationResult:
        """The result so far (normally called once the negotiation has stopped)."""
        return NegotiationResult.from_model(self)

    @property
    def final_package(self) -> BoolArray:
        """The agreed package (after improvements), or the disagreement point's."""
        return self.final
