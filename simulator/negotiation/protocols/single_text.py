"""The single negotiation text (Raiffa 1982; Klein, Faratin, Sayama and Bar-Yam 2003).

The mediator keeps one text, starting from the disagreement point's package, and
proposes mutations of it (add, drop or swap one intervention within the budget,
drawn uniformly from the model's generator: the mediator uses no private
information). Every stakeholder votes; a mutation stands only if all accept. A
stakeholder accepts a text it values at least as much, and a worse one with
probability ``exp(-loss / T(t))``, its temperature decaying linearly from
``temperature`` to 0 over the rounds (an annealer; ``temperature=0`` is a
hill-climber), as in Klein et al. After the round's mutations the text is put to
every stakeholder as the round's offer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from plurisim.negotiation.protocols.base import Protocol
from plurisim.packages import random_neighbour

if TYPE_CHECKING:
    from plurisim.negotiation.engine import Negotiation

__all__ = ["SingleText"]

BoolArray = NDArray[np.bool_]


class SingleText(Protocol):
    """One text, mutated by the mediator, changed only by unanimous votes."""

    name = "single-text"

    def __init__(self) -> None:
        self.text: BoolArray | None = None

    def start(self, model: Negotiation) -> None:
        self.text = model.disagreement.mask.copy()

    def propose(self, model: Negotiation) -> tuple[BoolArray, str, dict[str, Any]]:
        assert self.text is not None
        tried = accepted = 0
        for _ in range(model.params.mutations):
            candidate = random_neighbour(model.problem, self.text, model.rng)
            if candidate is None:
                break
            tried += 1
            if model.stakeholder_policy.vote(model, self.text, candidate).all():
                self.text = candidate
                accepted += 1
        return self.text.copy(), "text", {"mutations": tried, "accepted_mutations": accepted}
