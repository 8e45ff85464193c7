"""The two kinds of decision-maker a negotiation model takes: stakeholders and a mediator.

The model owns the protocol (who speaks when, what is public, when it stops); the
behaviour is injected as policy objects. :mod:`plurisim.agents` provides the
rule-based policies and the LLM-backed ones; any object with these methods works.

A stakeholder policy answers for every stakeholder at once (arrays: thousands of
individuals stay fast) and may read the stakeholders' private arrays
(``model.units``) but, for the others, only what is public. A mediator policy sees
only the candidates the solver computed and the public record.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation
    from plurisim.negotiation.messages import Responses

__all__ = ["MediatorPolicy", "StakeholderPolicy"]

BoolArray = NDArray[np.bool_]


class StakeholderPolicy(ABC):
    """How stakeholders answer: accept or reject, state, demand, vote, offer."""

    name = "stakeholders"

    def bind(self, model: Negotiation) -> None:  # noqa: B027 - optional hook
        """Called once when the model is built (LLM policies open their runtime here)."""

    @abstractmethod
    def respond(
        self, model: Negotiation, proposal: BoolArray, *, demands: bool = True
    ) -> Responses:
        """Every stakeholder's answer to ``proposal`` (demands for the rejecting ones)."""

    @abstractmethod
    def vote(self, model: Negotiation, current: BoolArray, candidate: BoolArray) -> BoolArray:
        """Single negotiation text: whether each stakeholder accepts ``candidate`` over ``current``."""

    @abstractmethod
    def offer(self, model: Negotiation, group: int) -> BoolArray:
        """Alternating offers: the package group ``group`` offers this round."""

    @abstractmethod
    def judge(self, model: Negotiation, current: BoolArray, candidate: BoolArray) -> BoolArray:
        """Improvement phase: whether each stakeholder is at least as well off under ``candidate``."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (an LLM runtime); called when the negotiation ends."""


class MediatorPolicy(ABC):
    """How the mediator chooses among the packages the solver found, and explains it."""

    name = "mediator"
    candidates = 1
    """How many of the solver's best packages the policy wants to choose from."""

    def bind(self, model: Negotiation) -> None:  # noqa: B027 - optional hook
        """Called once when the model is built."""

    @abstractmethod
    def choose(self, model: Negotiation, candidates: list[BoolArray]) -> tuple[int, str, str]:
        """The index of the proposal among ``candidates``, its public rationale, and its source."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; called when the negotiation ends."""
