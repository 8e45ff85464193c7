"""LLM-backed stakeholder and mediator policies for the negotiation.

Every number still comes from the solver and the utility model: an LLM stakeholder
sees its group's figures and decides to accept or reject, naming a demand among the
options the rule-based search found for it and arguing in words; the LLM mediator
chooses among the top-k packages the solver computed and writes the public
rationale. A demand naming an intervention that does not exist (or cannot be added)
is a failed reply, never executed. When a call times out, fails or does not validate
after its retries, that agent follows the rule-based policy for the round, and the
transcript says so.

LLM stakeholders speak for groups: they answer every protocol's offers; the single
text's votes on mutations, the offers made in alternating offers and the judgement
of Pareto improvements follow the rule-based policy (the numbers decide those).

Examples
--------
>>> from plurisim import negotiate, scenarios
>>> from plurisim.agents.llm import llm_policies
>>> stakeholders, mediator = llm_policies("scripted")
>>> result = negotiate(scenarios.load("toy-park"), seed=0, disagreement="status-quo",
...                    stakeholder_policy=stakeholders, mediator_policy=mediator)
>>> result.details["llm"]["calls"] > 0
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from plurisim.agents.llm.boundary import data_block
from plurisim.agents.llm.prompts import render
from plurisim.agents.llm.runtime import LLMRuntime
from plurisim.agents.llm.schemas import MediatorReply, ReplyError, StakeholderReply, format_hint
from plurisim.agents.llm.stats import Answer
from plurisim.agents.stakeholder import RuleBasedStakeholders, demand_options
from plurisim.errors import ParameterError
from plurisim.formatting import fmt
from plurisim.negotiation.messages import Demand, Responses
from plurisim.negotiation.policies import MediatorPolicy
from plurisim.packages import blocked

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["LLMMediator", "LLMStakeholders", "llm_policies"]

BoolArray = NDArray[np.bool_]
N_OPTIONS = 3


def _svo_words(angle: float) -> str:
    from plurisim.svo import CATEGORIES

    for name, (lo, hi) in CATEGORIES.items():
        if lo < angle <= hi:
            return f"{name} ({angle:.0f} degrees)"
    return f"{angle:.0f} degrees"


class LLMStakeholders(RuleBasedStakeholders):
    """Stakeholders whose answers and arguments come from a chat model.

    Parameters
    ----------
    runtime : LLMRuntime
    options : int
        Demands offered to each model per round (the rule-based search's best).
    """

    name = "llm"

    def __init__(self, runtime: LLMRuntime, options: int = N_OPTIONS) -> None:
        self.runtime = runtime
        self.options = options

    def bind(self, model: Negotiation) -> None:
        if model.params.stakeholders != "groups":
            raise ParameterError(
                "LLM agents speak for groups: use stakeholders='groups' (one call per group "
                "per round)."
            )

    def respond(
        self, model: Negotiation, proposal: BoolArray, *, demands: bool = True
    ) -> Responses:
        """Rule-based answers for all, then each group's model answer, asked concurrently."""
        batch = super().respond(model, proposal, demands=demands)
        calls = [self._ask(model, batch, proposal, i) for i in range(len(model.units))]
        for i, answer in enumerate(self.runtime.gather(calls)):
            self._apply(model, batch, proposal, i, answer)
        return batch

    async def _ask(
        self, model: Negotiation, batch: Responses, proposal: BoolArray, i: int
    ) -> Answer:
        options = demand_options(model.problem, model.units, proposal, i, self.options)
        prompt = self._prompt(model, batch, proposal, i, options)
        return await self.runtime.ask(
            self.runtime.messages(prompt), StakeholderReply, self._validator(model, proposal)
        )

    def _prompt(
        self,
        model: Negotiation,
        batch: Responses,
        proposal: BoolArray,
        i: int,
        options: list[Demand],
    ) -> str:
        p, units = model.problem, model.units
        g = int(units.group[i])
        ids = p.interventions
        top = [p.criterion_labels[k] for k in np.argsort(-units.weights[i])[:2]]
        lines = [
            f"- add {ids[d.add]} (+{d.gain:.3f}, cost {fmt(p.costs[d.add])})"
            if d.drop is None
            else f"- swap {ids[d.drop]} for {ids[d.add]} (+{d.gain:.3f})"
            for d in options
        ]
        texts = p.labels
        description = texts.group_descriptions[g] if texts.group_descriptions else ""
        d = model.disagreement
        data = data_block(
            title=texts.title or p.name,
            description=texts.description.strip(),
            group=f"{model.stakeholder_label(i)}: {description.strip()}".rstrip(": "),
            values=", ".join(top),
            orientation=_svo_words(float(np.degrees(units.angle[i]))),
            without_agreement=p.design_label(d.design) if d.design else d.point,
            upgrades=dict(zip(ids, p.intervention_labels, strict=True)),
        )
        return render(
            "stakeholder",
            data=data,
            round=model.round,
            rounds=model.params.rounds,
            proposal=", ".join(ids[j] for j in np.flatnonzero(proposal)) or "nothing",
            cost=fmt(float(p.costs @ proposal)),
            budget=fmt(p.budget),
            utility=fmt(float(units.utilities(p, proposal)[i])),
            reservation=fmt(float(units.reserve[i])),
            ideal=fmt(float(units.ideal[i])),
            satisfaction=fmt(float(batch.stated[i])),
            value=fmt(float(batch.value[i])),
            aspiration=fmt(float(batch.aspiration[i])),
            options="\n".join(lines) or "- (nothing would help you)",
            hint=format_hint(StakeholderReply),
        )

    @staticmethod
    def _validator(model: Negotiation, proposal: BoolArray) -> Any:
        """Check that a reply's demand names interventions that exist and can change."""
        p = model.problem
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

    @staticmethod
    def _apply(
        model: Negotiation, batch: Responses, proposal: BoolArray, i: int, answer: Answer
    ) -> None:
        """Write the model's answer into the round's responses (or keep the rule's)."""
        if not answer.ok:
            batch.sources[i] = "fallback: " + (answer.kinds[-1] if answer.kinds else "no reply")
            return
        reply: StakeholderReply = answer.reply
        p, units = model.problem, model.units
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
        gain = float(units.utilities(p, y)[i] - units.utilities(p, proposal)[i])
        net = float(p.costs[add] - (p.costs[drop] if drop is not None else 0.0))
        batch.set_demand(i, Demand(add, drop, gain, net))

    def report(self) -> dict[str, Any]:
        """What the calls cost and how they went (goes into the result's details)."""
        return {"llm": self.runtime.report()}

    def close(self) -> None:
        """Release the runtime's event loop and clients."""
        self.runtime.close()


class LLMMediator(MediatorPolicy):
    """A mediator that picks among the solver's top packages and explains its choice."""

    name = "llm"

    def __init__(self, runtime: LLMRuntime, candidates: int = 3) -> None:
        self.runtime = runtime
        self.candidates = candidates

    def close(self) -> None:
        """Release the runtime's event loop and clients."""
        self.runtime.close()

    def choose(self, model: Negotiation, candidates: list[BoolArray]) -> tuple[int, str, str]:
        if len(candidates) == 1:
            return (
                0,
                "Only one package fits the budget and the groups as I understand them.",
                "rule",
            )
        messages = self.runtime.messages(self._prompt(model, candidates))
        answer = self.runtime.gather(
            [self.runtime.ask(messages, MediatorReply, self._validator(len(candidates)))]
        )[0]
        if answer.ok:
            return answer.reply.choice - 1, answer.reply.rationale.strip(), "llm"
        reason = answer.kinds[-1] if answer.kinds else "no reply"
        return (
            0,
            f"(The mediator's model failed: {reason}; the solver's best is proposed.)",
            ("fallback"),
        )

    @staticmethod
    def _validator(n: int) -> Any:
        def check(reply: MediatorReply) -> None:
            if not 1 <= reply.choice <= n:
                raise ReplyError("out_of_range", f"there is no candidate {reply.choice}")

        return check

    @staticmethod
    def _prompt(model: Negotiation, candidates: list[BoolArray]) -> str:
        p, view = model.problem, model.view
        weights = view.group_weights()
        lines = []
        for k, x in enumerate(candidates, start=1):
            u = view.utilities(x, weights)
            s = view.satisfaction(u, weights)
            per_group = "; ".join(
                f"{gid} {fmt(float(a))} ({fmt(float(b), 2)})"
                for gid, a, b in zip(p.groups, u, s, strict=True)
            )
            lines.append(
                f"{k}. {', '.join(p.package_ids(x)) or 'nothing'} | cost {fmt(float(p.costs @ x))} | "
                f"smallest satisfaction {float(s.min()):.4f} | {per_group}"
            )
        data = data_block(
            title=p.labels.title or p.name,
            groups=dict(zip(p.groups, p.group_labels, strict=True)),
            candidates=lines,
        )
        return render(
            "mediator",
            data=data,
            round=model.round,
            rounds=model.params.rounds,
            n=len(candidates),
            hint=format_hint(MediatorReply),
        )


def llm_policies(
    llm: Any = "scripted",
    *,
    stakeholders: bool = True,
    mediator: bool = True,
    candidates: int = 3,
    **settings: Any,
) -> tuple[Any, Any]:
    """LLM-backed policies sharing one runtime (rule-based for a role left out).

    Parameters
    ----------
    llm : LLMSettings, BaseChatModel or str
        Settings, a LangChain chat model, ``"scripted"`` (the offline test model,
        with options such as ``"scripted:faults=0.3,latency=0.2"``) or
        ``PROVIDER:MODEL`` such as ``"openai:gpt-4o-mini"``.
    stakeholders, mediator : bool
        Which roles the model plays.
    candidates : int
        Packages the solver offers the LLM mediator each round.
    **settings
        Any :class:`~plurisim.agents.llm.LLMSettings` field (``base_url``,
        ``temperature``, ``max_tokens``, ``concurrency``, ``retries``, ``timeout``,
        ``structured``, ...), overriding ``llm``'s.

    Examples
    --------
    >>> s, m = llm_policies("scripted", mediator=False, timeout=5)
    >>> s.name, m.name, s.runtime.timeout
    ('llm', 'rule-based', 5.0)
    """
    from plurisim.agents.mediator import RuleBasedMediator

    runtime = LLMRuntime(llm, **settings)
    return (
        LLMStakeholders(runtime) if stakeholders else RuleBasedStakeholders(),
        LLMMediator(runtime, candidates) if mediator else RuleBasedMediator(),
    )
