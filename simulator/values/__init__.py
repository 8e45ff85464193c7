"""Value spaces and value vectors.

A :class:`ValueSpace` names the dimensions a stakeholder's values are expressed in,
with optional geometry: positions on a circle (Schwartz's circumplex), higher-order
groupings, and axes whose poles are opposed. A value vector is a NumPy array over a
space's dimensions, either *importance weights* (non-negative, summing to 1) or a
*signed valence* in [-1, 1] (FULCRA-style labels: +1 aligned, -1 opposed, 0 no
connection).

Built-in spaces: Schwartz's 10 basic values (``schwartz10``), ValueLex
(``valuelex``: Competence, Character, Integrity, two sub-dimensions each) and Moral
Foundations (``mft``). A scenario's criteria form a space of their own
(:func:`criteria_space`).

Examples
--------
>>> from plurisim.values import SCHWARTZ10, conflict
>>> SCHWARTZ10.relation("stimulation", "security")
'opposed'
>>> SCHWARTZ10.relation("benevolence", "universalism")
'adjacent'
>>> a = SCHWARTZ10.vector({"power": 1.0})
>>> b = SCHWARTZ10.vector({"universalism": 1.0})
>>> round(conflict(a, b, SCHWARTZ10), 3) > round(conflict(a, SCHWARTZ10.vector({"achievement": 1.0}), SCHWARTZ10), 3)
True
"""

from plurisim.values.builtin import MFT, SCHWARTZ10, SPACES, VALUELEX, get_space
from plurisim.values.measures import (
    conflict,
    cosine_similarity,
    criteria_space,
    signed_alignment,
    value_to_criteria,
)
from plurisim.values.space import ValueSpace, normalize

__all__ = [
    "MFT",
    "SCHWARTZ10",
    "SPACES",
    "VALUELEX",
    "ValueSpace",
    "conflict",
    "cosine_similarity",
    "criteria_space",
    "get_space",
    "normalize",
    "signed_alignment",
    "value_to_criteria",
]
