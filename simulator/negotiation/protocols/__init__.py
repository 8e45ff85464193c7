"""The protocols a negotiation can follow, on one model skeleton.

==========================  ==================================================
``mediated``                the mediator proposes, prices demands, reweights
``single-text``             one text, mutated by the mediator, unanimous votes
``alternating-offers``      groups take turns offering; the others answer
==========================  ==================================================

Examples
--------
>>> from plurisim.negotiation.protocols import make_protocol
>>> make_protocol("single-text").name
'single-text'
"""

from __future__ import annotations

from plurisim.errors import ParameterError
from plurisim.negotiation.protocols.alternating import AlternatingOffers
from plurisim.negotiation.protocols.base import Protocol, learn_from_responses
from plurisim.negotiation.protocols.mediated import Mediated
from plurisim.negotiation.protocols.single_text import SingleText

__all__ = [
    "PROTOCOL_CLASSES",
    "AlternatingOffers",
    "Mediated",
    "Protocol",
    "SingleText",
    "learn_from_responses",
    "make_protocol",
]

PROTOCOL_CLASSES: dict[str, type[Protocol]] = {
    "mediated": Mediated,
    "single-text": SingleText,
    "alternating-offers": AlternatingOffers,
}


def make_protocol(name: str) -> Protocol:
    """A fresh protocol object by name."""
    try:
        return PROTOCOL_CLASSES[name]()
    except KeyError:
        raise ParameterError(
            f"Unknown protocol {name!r}; available: {', '.join(PROTOCOL_CLASSES)}."
        ) from None
