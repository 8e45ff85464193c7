"""The rule-based mediator: it proposes the solver's best package and says why.

The protocol computes the candidates (see :mod:`plurisim.negotiation.protocols`);
this policy only chooses among them and writes the public rationale. The LLM
mediator (:mod:`plurisim.agents.llm`) is the same interface with a chat model's
choice and words.

Examples
--------
>>> import numpy as np
>>> RuleBasedMediator().choose(None, [np.array([True, False])])[0]
0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.policies import MediatorPolicy

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["RuleBasedMediator"]


class RuleBasedMediator(MediatorPolicy):
    """Always the solver's best package."""

    name = "rule-based"
    candidates = 1

    def choose(
        self, model: Negotiation | None, candidates: list[NDArray[np.bool_]]
    ) -> tuple[int, str, str]:
        rationale = (
            "This package maximizes the weighted satisfaction of the stakeholders as I "
            "estimate it, keeping every group at least as well off as without agreement."
        )
        return 0, rationale, "rule"
