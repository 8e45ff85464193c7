"""The negotiation: protocols under private information, on one Mesa model skeleton.

:func:`plurisim.negotiate` runs a negotiation and returns a
:class:`~plurisim.negotiation.result.NegotiationResult`;
:class:`~plurisim.negotiation.model.NegotiationModel` is the Mesa model underneath,
for step-by-step use. Names here load on first use (Mesa is slow to import).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Deliberation", "NegotiationModel", "NegotiationParams", "NegotiationResult"]

_LAZY = {
    "Deliberation": "plurisim.negotiation.params",
    "NegotiationParams": "plurisim.negotiation.params",
    "NegotiationModel": "plurisim.negotiation.model",
    "NegotiationResult": "plurisim.negotiation.result",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'plurisim.negotiation' has no attribute {name!r}")
