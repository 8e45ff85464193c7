"""HVAE's three-step protocol with a chat model: induce, state the goal, answer the items.

Following Zhang et al. (arXiv 2305.17147): (1) the model lists the traits of a person
holding the target value, (2) states its goal in the coin-dividing task, (3) answers
each of the six slider items with a letter A..I, all in one conversation. Answers are
parsed strictly; an item that cannot be parsed after the retries is recorded as
unparseable, never guessed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from langchain_core.messages import AIMessage, BaseMessage
from plurisim.agents.llm.prompts import render
from plurisim.agents.llm.runtime import LLMRuntime, run_sync
from plurisim.agents.llm.schemas import GoalReply, ItemReply, TraitsReply
from plurisim.svo import CATEGORIES, ITEMS, OPTIONS, SVOAnswer

__all__ = ["LLMRespondent", "describe_target"]

_WORDS = {
    "altruistic": "altruistic: you care about the other person's payoff more than your own",
    "prosocial": "prosocial: you care about your own payoff and the other person's alike",
    "individualistic": "individualistic: you care about your own payoff only",
    "competitive": "competitive: you care about getting more than the other person",
}


def describe_target(angle: float) -> str:
    """The target SVO in words."""
    for name, (lo, hi) in CATEGORIES.items():
        if lo < angle <= hi:
            return _WORDS[name]
    return "a value orientation outside the four categories"


class LLMRespondent:
    """Answers the SVO Slider Measure through a chat model, for one target angle."""

    def __init__(self, target_angle: float, runtime: LLMRuntime) -> None:
        self.target_angle = float(target_angle)
        self.runtime = runtime

    async def answer_async(self, rng: np.random.Generator | None = None) -> SVOAnswer:
        """Run the three steps; ``rng`` is unused (the model is the source of variation)."""
        rt = self.runtime
        history: list[BaseMessage] = []
        failures = 0
        log: list[dict[str, Any]] = []

        async def step(prompt: str, schema: Any) -> Any:
            nonlocal history, failures
            messages = rt.messages(prompt, history)
            answer = await rt.ask(messages, schema)
            reply_text = answer.reply.model_dump_json() if answer.ok else "(no valid reply)"
            history = [*messages, AIMessage(reply_text)]
            log.append(
                {"prompt": prompt.splitlines()[0], "reply": reply_text, "errors": answer.errors}
            )
            return answer.reply

        await step(
            render(
                "svo_traits",
                description=describe_target(self.target_angle),
                angle=f"{self.target_angle:.2f}",
            ),
            TraitsReply,
        )
        await step(render("svo_goal"), GoalReply)
        choices: list[str | None] = []
        for i, (own, other) in enumerate(ITEMS):
            options = "\n".join(
                f"{OPTIONS[k]}: ({s}, {o})" for k, (s, o) in enumerate(zip(own, other, strict=True))
            )
            reply = await step(render("svo_item", item=i + 1, options=options), ItemReply)
            if reply is None:
                failures += 1
                choices.append(None)
            else:
                choices.append(reply.choice)
        return SVOAnswer(choices=choices, source="llm", failures=failures, transcript=log)

    def answer(self, rng: np.random.Generator | None = None) -> SVOAnswer:
        """Synchronous :meth:`answer_async`."""
        return run_sync(self.answer_async(rng))
