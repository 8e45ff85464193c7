"""LLM-backed stakeholders and mediator for the negotiation model.

Every number still comes from the solver and the utility model: an LLM stakeholder
sees its group's figures and decides to accept or reject, naming a demand among the
scenario's intervention ids and arguing in words; the LLM mediator chooses among the
top-k packages the solver computed and writes the public rationale. A demand naming
an intervention that does not exist (or cannot be added) is rejected, never
executed. When a call times out, fails or will not parse after its retries, that
agent follows the rule-based policy for the round, and the transcript says so.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.agents.llm.prompts import PROMPT_VERSION, render
from plurisim.agents.llm.runtime import Answer, LLMRuntime
from plurisim.agents.llm.schemas import MediatorReply, ReplyError, StakeholderReply
from plurisim.agents.mediator import MediatorAgent
from plurisim.agents.stakeholder import Demand, Responses, StakeholderAgent
from plurisim.errors import InfeasibleError, ParameterError
from plurisim.formatting import fmt
from plurisim.negotiation.model import NegotiationModel
from plurisim.negotiation.params import NegotiationParams
from plurisim.negotiation.result import NegotiationResult
from plurisim.packages import blocked

__all__ = ["LLMMediator", "LLMNegotiationModel", "LLMStakeholder", "negotiate_llm"]

N_OPTIONS = 3


def _svo_words(angle: float) -> str:
    from plurisim.svo import CATEGORIES

    for name, (lo, hi) in CATEGORIES.items():
        if lo < angle <= hi:
            return f"{name} ({angle:.0f} degrees)"
    return f"{angle:.0f} degrees"


class LLMStakeholder(StakeholderAgent):
    """A stakeholder whose decisions and arguments come from a chat model."""

    def options(self, proposal: NDArray[np.bool_]) -> list[Demand]:
        """Its best few demands (adds and feasible swaps) by gain per cost, best first."""
        m = self.model
        p = m.problem
        units = m.units
        w = units.weights[self.index]
        g = self.group
        e = p.effects[g]
        raw = p.baseline[g] + proposal.astype(float) @ e
        now = float(np.minimum(raw, p.caps) @ w)
        found: list[tuple[float, Demand]] = []
        addable = np.flatnonzero(~proposal & ~blocked(p, proposal))
        for j in addable:
            gain = float(np.minimum(raw + e[j], p.caps) @ w) - now
            if gain > 1e-12:
                cost = float(p.costs[j])
                found.append(
                    (gain / cost if cost > 0 else 1e9 + gain, Demand(int(j), None, gain, cost))
                )
        for i in np.flatnonzero(proposal):
            for j in addable:
                y = proposal.copy()
                y[i], y[j] = False, True
                if not p.is_feasible(y):
                    continue
                gain = float(np.minimum(raw - e[i] + e[j], p.caps) @ w) - now
                if gain > 1e-12:
                    net = float(p.costs[j] - p.costs[i])
                    found.append(
                        (gain / net if net > 0 else 1e9 + gain, Demand(int(j), int(i), gain, net))
                    )
        found.sort(key=lambda t: (-t[0], t[1].key))
        return [d for _, d in found[:N_OPTIONS]]

    def prompt(self, batch: Responses, proposal: NDArray[np.bool_], options: list[Demand]) -> str:
        """The stakeholder prompt for this round."""
        m = self.model
        p = m.problem
        texts = p.labels
        labels = p.intervention_labels
        ids = p.interventions
        top = ", ".join(f"{p.criterion_labels[k].lower()}" for k in np.argsort(-self.weights)[:2])
        opts = (
            "\n".join(
                f"- add {ids[d.add]} ({labels[d.add]}): +{d.gain:.3f} for you, cost {fmt(p.costs[d.add])}"
                if d.drop is None
                else f"- swap {ids[d.drop]} for {ids[d.add]} ({labels[d.drop]} for {labels[d.add]}): +{d.gain:.3f} for you"
                for d in options
            )
            or "- (nothing would help you)"
        )
        u = float(m.units.utilities(p, proposal)[self.index])
        return render(
            "stakeholder",
            title=texts.title or p.name,
            description=texts.description.strip(),
            group_label=self.label,
            group_description=(
                texts.group_descriptions[self.group] if texts.group_descriptions else ""
            ).strip(),
            values=top,
            svo=_svo_words(self.svo_angle),
            round=m.round,
            rounds=m.params.rounds,
            proposal=", ".join(labels[j] for j in np.flatnonzero(proposal)) or "nothing",
            cost=fmt(float(p.costs @ proposal)),
            budget=fmt(p.budget),
            utility=fmt(u),
            reservation=fmt(self.reservation),
            reference=m.reference.label
            or m.reference.details.get("design_label")
            or "the status quo",
            ideal=fmt(self.ideal),
            satisfaction=fmt(float(batch.satisfaction[self.index])),
            value=fmt(float(batch.value[self.index])),
            aspiration=fmt(float(batch.aspiration[self.index])),
            options=opts,
        )

    def validator(self, proposal: NDArray[np.bool_]) -> Any:
        """Check that a reply's demand names interventions that exist and can change."""
        p = self.model.problem
        ids = p.interventions
        addable = ~proposal & ~blocked(p, proposal)

        def check(reply: StakeholderReply) -> None:
            if reply.accept:
                return
            if reply.add is not None:
                if reply.add not in ids:
                    raise ReplyError("wrong_id", f"no intervention {reply.add!r}")
                if not addable[ids.index(reply.add)]:
                    raise ReplyError("wrong_id", f"{reply.add!r} cannot be added to this proposal")
            if reply.drop is not None:
                if reply.drop not in ids or not proposal[ids.index(reply.drop)]:
                    raise ReplyError("wrong_id", f"{reply.drop!r} is not in the proposal")
                if reply.add is None:
                    raise ReplyError("parse", "a drop needs an add")
                y = proposal.copy()
                y[ids.index(reply.drop)], y[ids.index(reply.add)] = False, True
                if not p.is_feasible(y):
                    raise ReplyError("wrong_id", "that swap does not fit the budget")

        return check

    async def deliberate(
        self, runtime: LLMRuntime, batch: Responses, proposal: NDArray[np.bool_]
    ) -> Answer:
        """Ask the model for this round's answer."""
        prompt = self.prompt(batch, proposal, self.options(proposal))
        return await runtime.ask(
            runtime.messages(prompt), StakeholderReply, self.validator(proposal)
        )

    def apply(self, batch: Responses, proposal: NDArray[np.bool_], answer: Answer) -> None:
        """Write the model's answer into the round's responses (or keep the rule's)."""
        i = self.index
        if not answer.ok:
            batch.sources[i] = "fallback: " + (
                answer.errors[-1].split(":")[0] if answer.errors else "no reply"
            )
            return
        reply: StakeholderReply = answer.reply
        p = self.model.problem
        batch.accept[i] = reply.accept
        batch.arguments[i] = reply.argument.strip()
        batch.sources[i] = "llm"
        if reply.accept or reply.add is None:
            batch.set_demand(i, None)
            return
        add = p.interventions.index(reply.add)
        drop = None if reply.drop is None else p.interventions.index(reply.drop)
        y = proposal.copy()
        y[add] = True
        if drop is not None:
            y[drop] = False
        gain = float(
            self.model.units.utilities(p, y)[i] - self.model.units.utilities(p, proposal)[i]
        )
        net = float(p.costs[add] - (p.costs[drop] if drop is not None else 0.0))
        batch.set_demand(i, Demand(add, drop, gain, net))


class LLMMediator(MediatorAgent):
    """A mediator that picks among the solver's top packages and explains its choice."""

    k = 3

    def propose(self) -> NDArray[np.bool_]:
        m = self.model
        assert isinstance(m, LLMNegotiationModel)
        self.fallback_used = False
        try:
            candidates = m.search.top(
                self.objective(), self.k, floors=m.group_reserve, forced=m.commitments
            )
        except InfeasibleError:
            self.fallback_used = True
            self.rationale = (
                "No package keeps every group at its reservation; maximizing the smallest slack."
            )
            return m.search.max_min_slack(m.group_reserve, forced=m.commitments)
        if len(candidates) == 1:
            self.rationale = "Only one package fits the budget and every group's reservation."
            return candidates[0]
        answer = m.runtime.gather(
            [
                m.runtime.ask(
                    m.runtime.messages(self._prompt(candidates)),
                    MediatorReply,
                    self._validator(len(candidates)),
                )
            ]
        )[0]
        if answer.ok:
            self.rationale = answer.reply.rationale.strip()
            self.source = "llm"
            return candidates[answer.reply.choice - 1]
        reason = answer.errors[-1].split(":")[0] if answer.errors else "no reply"
        self.rationale = (
            f"(The mediator's model failed: {reason}; the solver's best package is proposed.)"
        )
        self.source = "fallback"
        return candidates[0]

    def _validator(self, n: int) -> Any:
        def check(reply: MediatorReply) -> None:
            if not 1 <= reply.choice <= n:
                raise ReplyError("wrong_id", f"there is no candidate {reply.choice}")

        return check

    def _prompt(self, candidates: list[NDArray[np.bool_]]) -> str:
        m = self.model
        p = m.problem
        lines = []
        for k, x in enumerate(candidates, start=1):
            u = p.group_utilities(x)
            s = m.group_satisfaction(u)
            per_group = "; ".join(
                f"{lab} {fmt(float(a))} ({fmt(float(b), 2)})"
                for lab, a, b in zip(p.group_labels, u, s, strict=True)
            )
            lines.append(
                f"{k}. {', '.join(p.package_ids(x)) or 'nothing'} | cost {fmt(float(p.costs @ x))} | "
                f"smallest satisfaction {float(s.min()):.4f} | {per_group}"
            )
        return render(
            "mediator",
            title=p.labels.title or p.name,
            groups=", ".join(p.group_labels),
            round=m.round,
            rounds=m.params.rounds,
            candidates="\n".join(lines),
        )


class LLMNegotiationModel(NegotiationModel):
    """A :class:`NegotiationModel` whose stakeholders and mediator talk through an LLM.

    Parameters
    ----------
    problem, params, seed
        As for :class:`NegotiationModel`.
    runtime : LLMRuntime
    llm_stakeholders, llm_mediator : bool
        Which roles the model plays (the others follow the rule-based policy).
    candidates : int
        Packages the solver offers the LLM mediator each round.
    """

    def __init__(
        self,
        problem: Any,
        params: NegotiationParams,
        *,
        seed: Any,
        runtime: LLMRuntime,
        llm_stakeholders: bool = True,
        llm_mediator: bool = True,
        candidates: int = 3,
    ) -> None:
        if params.stakeholders != "groups":
            raise ParameterError(
                "LLM agents speak for groups: use stakeholders='groups' (one call per group per round)."
            )
        self.runtime = runtime
        mediator_class = (
            type("LLMMediatorK", (LLMMediator,), {"k": candidates})
            if llm_mediator
            else MediatorAgent
        )
        super().__init__(
            problem,
            params,
            seed=seed,
            stakeholder_class=LLMStakeholder if llm_stakeholders else StakeholderAgent,
            mediator_class=mediator_class,
        )

    def respond(self, proposal: NDArray[np.bool_]) -> Responses:
        """Rule-based answers for all, then the LLM stakeholders' answers, asked concurrently."""
        from plurisim.agents.stakeholder import respond_all

        batch = respond_all(self, proposal)
        talkers = [a for a in self.stakeholders if isinstance(a, LLMStakeholder)]
        answers = self.runtime.gather(
            [a.deliberate(self.runtime, batch, proposal) for a in talkers]
        )
        for agent, answer in zip(talkers, answers, strict=True):
            agent.apply(batch, proposal, answer)
        return batch


def negotiate_llm(
    scenario: Any,
    *,
    llm: Any = "scripted",
    seed: int | None = None,
    concurrency: int = 8,
    timeout: float = 60.0,
    retries: int = 2,
    backoff: float = 0.5,
    cache: bool = False,
    llm_stakeholders: bool = True,
    llm_mediator: bool = True,
    candidates: int = 3,
    **params: Any,
) -> NegotiationResult:
    """Run the negotiation with LLM-backed agents (see :func:`plurisim.negotiate`).

    Parameters
    ----------
    scenario : Scenario or Problem
    llm : BaseChatModel or str
        A LangChain chat model, ``"scripted"`` (the offline test model, with options
        such as ``"scripted:faults=0.3,latency=0.2"``) or a model id for
        ``langchain.chat_models.init_chat_model`` such as ``"openai:gpt-4o-mini"``.
    seed, **params
        As for :func:`plurisim.negotiate`.
    concurrency, timeout, retries, backoff, cache
        See :class:`~plurisim.agents.llm.LLMRuntime`.
    llm_stakeholders, llm_mediator : bool
        Which roles the model plays.
    candidates : int
        Packages the solver offers the mediator each round.

    Returns
    -------
    NegotiationResult
        ``details["llm"]`` holds calls, tokens, retries, faults by kind, fallbacks.
    """
    from plurisim.agents.llm.models import describe_model, resolve_model
    from plurisim.api import split_seed
    from plurisim.scenario import Scenario, compile_scenario

    model = resolve_model(llm)
    runtime = LLMRuntime(
        model,
        concurrency=concurrency,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        cache=cache,
    )
    seed_value, compile_seed, model_seed = split_seed(seed)
    problem = (
        compile_scenario(scenario, seed=compile_seed)
        if isinstance(scenario, Scenario)
        else scenario
    )
    resolved = NegotiationParams.resolve(problem, **params)
    sim = LLMNegotiationModel(
        problem,
        resolved,
        seed=model_seed,
        runtime=runtime,
        llm_stakeholders=llm_stakeholders,
        llm_mediator=llm_mediator,
        candidates=candidates,
    )
    while sim.running:
        sim.step()
    result = NegotiationResult.from_model(sim, seed=seed_value)
    info = {
        "model": describe_model(model),
        "prompt_version": PROMPT_VERSION,
        **runtime.stats.to_dict(),
    }
    return dataclasses.replace(result, details={**result.details, "llm": info})
