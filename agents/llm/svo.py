"""HVAE's three-step protocol with a chat model: induce, state the goal, answer the items.

Following Zhang et al. (arXiv 2305.17147): (1) the model lists the traits of a person
holding the target value, (2) states its goal in the coin-dividing task, (3) answers
each of the six slider items with a letter. Each item is asked after the two
induction turns (not after the earlier items, so answers cannot copy one another
and the context stays short), with its options in the display order the experiment
drew for this agent; the answer is the displayed letter, which the experiment maps
back. Replies are parsed strictly; an item without a valid reply after the retries
is recorded as unanswered, never guessed.

Examples
--------
>>> from plurisim import svo
>>> from plurisim.agents.llm import LLMPanel, LLMRuntime
>>> with LLMRuntime("scripted") as runtime:
...     df = svo.run_experiment(["prosocial"], n_agents=2, respondent=LLMPanel(runtime))
>>> df["value_rationality"].tolist(), runtime.stats.calls
([1.0, 1.0], 16)
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.messages import AIMessage, BaseMessage
from plurisim.agents.llm.boundary import data_block
from plurisim.agents.llm.prompts import render
from plurisim.agents.llm.runtime import LLMRuntime
from plurisim.agents.llm.schemas import GoalReply, ItemReply, TraitsReply, format_hint
from plurisim.progress import ticker
from plurisim.svo import CATEGORIES, SVOAnswer, check_order, displayed_options

__all__ = ["LLMPanel", "LLMRespondent", "describe_target"]

_WORDS = {
    "altruistic": "altruistic: you care about the other person's payoff more than your own",
    "prosocial": "prosocial: you care about your own payoff and the other person's alike",
    "individualistic": "individualistic: you care about your own payoff only",
    "competitive": "competitive: you care about getting more than the other person",
}


def describe_target(angle: float) -> str:
    """The target SVO in words.

    Examples
    --------
    >>> describe_target(41.04)
    "prosocial: you care about your own payoff and the other person's alike"
    >>> describe_target(120.0)
    'a value orientation outside the four categories'
    """
    for name, (lo, hi) in CATEGORIES.items():
        if lo < angle <= hi:
            return _WORDS[name]
    return "a value orientation outside the four categories"


class LLMRespondent:
    """Answers the SVO Slider Measure through a chat model, for one target angle.

    Parameters
    ----------
    target_angle : float
        Degrees.
    runtime : LLMRuntime
        Where the calls go (shared by every respondent of an experiment).
    """

    def __init__(self, target_angle: float, runtime: LLMRuntime) -> None:
        self.target_angle = float(target_angle)
        self.runtime = runtime

    async def answer_async(
        self, rng: np.random.Generator | None = None, order: Any = None
    ) -> SVOAnswer:
        """Run the three steps; ``order`` is the display order of each item's options.

        ``rng`` is unused: the model is the source of variation, the display order
        comes from the experiment's generator.
        """
        rt = self.runtime
        rows = check_order(order)
        log: list[dict[str, Any]] = []

        async def step(name: str, prompt: str, schema: Any, history: list[BaseMessage]) -> Any:
            messages = rt.messages(prompt, history)
            answer = await rt.ask(messages, schema)
            reply = answer.reply.model_dump_json() if answer.ok else None
            log.append({"step": name, "reply": reply, "errors": answer.errors})
            return messages, answer.reply

        persona = data_block(
            orientation=f"{describe_target(self.target_angle)} "
            f"(an SVO angle of {self.target_angle:.2f} degrees)"
        )
        history: list[BaseMessage] = []
        for name, prompt, schema in (
            (
                "traits",
                render("svo_traits", data=persona, hint=format_hint(TraitsReply)),
                TraitsReply,
            ),
            ("goal", render("svo_goal", hint=format_hint(GoalReply)), GoalReply),
        ):
            messages, reply = await step(name, prompt, schema, history)
            if reply is not None:  # a failed turn is left out of the conversation
                history = [*messages, AIMessage(reply.model_dump_json())]
        items = [
            step(
                f"item {i + 1}",
                render(
                    "svo_item",
                    item=i + 1,
                    options="\n".join(f"{k}: ({s}, {o})" for k, s, o in displayed_options(i, rows)),
                    hint=format_hint(ItemReply),
                ),
                ItemReply,
                history,
            )
            for i in range(6)
        ]
        replies = [reply for _, reply in await asyncio.gather(*items)]
        choices: list[str | None] = [r.choice if r is not None else None for r in replies]
        return SVOAnswer(
            choices=choices,
            source="llm",
            failures=sum(c is None for c in choices),
            transcript=log,
        )

    def answer(self, rng: np.random.Generator | None = None, order: Any = None) -> SVOAnswer:
        """Synchronous :meth:`answer_async`, on the runtime's event loop."""
        return self.runtime.run(self.answer_async(rng, order))


class LLMPanel:
    """Many :class:`LLMRespondent` conversations at once, on one runtime.

    Pass it as ``respondent`` to :func:`plurisim.svo.run_experiment`: every agent's
    conversation runs concurrently (each is sequential inside), within the
    runtime's concurrency limit.
    """

    def __init__(self, runtime: LLMRuntime) -> None:
        self.runtime = runtime

    def answer_all(
        self,
        targets: Sequence[float],
        rngs: Sequence[np.random.Generator],
        orders: Sequence[Any],
    ) -> list[SVOAnswer]:
        """One answer sheet per agent, in order."""
        respondents = [LLMRespondent(t, self.runtime) for t in targets]
        tick = ticker(len(respondents), desc="SVO agents (LLM)")

        async def counted(r: LLMRespondent, g: np.random.Generator, o: Any) -> SVOAnswer:
            answer = await r.answer_async(g, o)
            tick()
            return answer

        return self.runtime.gather(
            [counted(r, g, o) for r, g, o in zip(respondents, rngs, orders, strict=True)]
        )
