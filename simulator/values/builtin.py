"""The built-in value spaces: Schwartz's ten values, ValueLex, Moral Foundations.

Examples
--------
>>> sorted(SPACES)
['mft', 'schwartz10', 'valuelex']
"""

from __future__ import annotations

from plurisim.errors import ParameterError
from plurisim.values.space import ValueSpace

__all__ = ["MFT", "SCHWARTZ10", "SPACES", "VALUELEX", "get_space"]

_SCHWARTZ_CODES = {
    "SD": "self_direction",
    "ST": "stimulation",
    "HE": "hedonism",
    "AC": "achievement",
    "PO": "power",
    "SE": "security",
    "CO": "conformity",
    "TR": "tradition",
    "BE": "benevolence",
    "UN": "universalism",
}

SCHWARTZ10 = ValueSpace(
    name="schwartz10",
    dimensions=tuple(_SCHWARTZ_CODES.values()),
    labels=(
        "Self-direction",
        "Stimulation",
        "Hedonism",
        "Achievement",
        "Power",
        "Security",
        "Conformity",
        "Tradition",
        "Benevolence",
        "Universalism",
    ),
    description=(
        "Schwartz's ten basic human values in their circular order; conformity and "
        "tradition share one wedge (Schwartz 1992, 2012)."
    ),
    # Nine wedges of 40 degrees; conformity and tradition share the seventh.
    angles=(0.0, 40.0, 80.0, 120.0, 160.0, 200.0, 240.0, 240.0, 280.0, 320.0),
    higher_order={
        "openness_to_change": ("self_direction", "stimulation", "hedonism"),
        "self_enhancement": ("hedonism", "achievement", "power"),
        "conservation": ("security", "conformity", "tradition"),
        "self_transcendence": ("benevolence", "universalism"),
    },
    axes=(("openness_to_change", "conservation"), ("self_enhancement", "self_transcendence")),
    aliases=_SCHWARTZ_CODES,
)

VALUELEX = ValueSpace(
    name="valuelex",
    dimensions=(
        "self_competent",
        "user_oriented",
        "social",
        "idealistic",
        "professional",
        "ethical",
    ),
    labels=(
        "Self-competent",
        "User-oriented",
        "Social",
        "Idealistic",
        "Professional",
        "Ethical",
    ),
    description=(
        "ValueLex: three value dimensions, each with two sub-dimensions "
        "(Competence: self-competent, user-oriented; Character: social, idealistic; "
        "Integrity: professional, ethical)."
    ),
    higher_order={
        "competence": ("self_competent", "user_oriented"),
        "character": ("social", "idealistic"),
        "integrity": ("professional", "ethical"),
    },
)

MFT = ValueSpace(
    name="mft",
    dimensions=("care", "fairness", "loyalty", "authority", "purity"),
    labels=("Care", "Fairness", "Loyalty", "Authority", "Purity"),
    description="Moral Foundations Theory (Graham, Haidt et al.): five foundations.",
    higher_order={
        "individualizing": ("care", "fairness"),
        "binding": ("loyalty", "authority", "purity"),
    },
    aliases={"harm": "care", "sanctity": "purity", "ingroup": "loyalty"},
)

SPACES: dict[str, ValueSpace] = {s.name: s for s in (SCHWARTZ10, VALUELEX, MFT)}
_SPACE_ALIASES = {"schwartz": "schwartz10", "moral_foundations": "mft", "moral-foundations": "mft"}


def get_space(name: str) -> ValueSpace:
    """Look up a built-in value space by name.

    Examples
    --------
    >>> get_space("mft").labels[0]
    'Care'
    >>> get_space("hofstede")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Unknown value space 'hofstede'; built in: schwartz10, valuelex, mft.
    """
    key = _SPACE_ALIASES.get(name, name)
    if key not in SPACES:
        raise ParameterError(f"Unknown value space {name!r}; built in: {', '.join(SPACES)}.")
    return SPACES[key]
