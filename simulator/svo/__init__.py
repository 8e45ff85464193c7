"""Social Value Orientation: the Slider Measure, value rationality, and HVAE-style studies.

Murphy, Ackermann and Handgraaf (2011) measure SVO with six primary items, each a
choice among nine allocations of points between oneself and another person. The
SVO angle is ``degrees(atan((mean other - 50) / (mean self - 50)))`` over the six
choices; categories are half-open: altruistic (57.15, 90], prosocial (22.45, 57.15],
individualistic (-12.04, 22.45], competitive (-90, -12.04].

Following HVAE (Zhang et al., arXiv 2305.17147), an agent given a *target* SVO answers
the items and its *value rationality* is how close the revealed angle is to the
target: ``VR = 1 - |measured - target| / 77.65``, clipped to [0, 1], where 77.65 is
the attainable range (61.39 - (-16.26)).

The package has four parts: :mod:`~plurisim.svo.measure` (items, angles,
categories, ideal types, value rationality), :mod:`~plurisim.svo.respondents` (who
answers: the protocols and the rule-based :class:`SVOAgent`),
:mod:`~plurisim.svo.baselines` (chance, constant answers, position bias, display
orders), :mod:`~plurisim.svo.experiment` (running and summarizing experiments) and
:mod:`~plurisim.svo.negotiation` (SVO populations in negotiation).

Examples
--------
>>> from plurisim.svo import svo_angle, svo_category, IDEAL_TYPES
>>> round(svo_angle("AIIIAA"), 2)            # the pure individualist's answers
7.82
>>> svo_category(22.45), svo_category(22.46)
('individualistic', 'prosocial')
>>> {k: round(v, 2) for k, v in IDEAL_TYPES.items()}
{'altruistic': 61.39, 'prosocial': 37.48, 'individualistic': 7.82, 'competitive': -16.26}
>>> svo_angle("AIIIAZ")
Traceback (most recent call last):
...
plurisim.errors.ParameterError: SVO item 6: 'Z' is not an option; choose one of A, B, C, D, E, F, G, H, I.
"""

from __future__ import annotations

from plurisim.svo.baselines import (
    chance_value_rationality,
    constant_answer_value_rationality,
    format_order,
    parse_order,
    position_bias,
    shuffled_order,
    vr_warning,
)
from plurisim.svo.experiment import confusion_matrix, run_experiment, summarize
from plurisim.svo.measure import (
    ATTAINABLE_RANGE,
    CATEGORIES,
    CATEGORY_TARGETS,
    IDEAL_TYPES,
    ITEMS,
    NEUTRAL_ANGLE,
    OPTIONS,
    OTHER,
    REVEALED_STEPS,
    SELF,
    angles_of_indices,
    check_angle,
    ideal_type_choices,
    preferred_option,
    svo_angle,
    svo_category,
    utility_angle,
    value_rationality,
)
from plurisim.svo.negotiation import MIXES, mix_angles
from plurisim.svo.respondents import (
    IDENTITY_ORDER,
    Respondent,
    RespondentPanel,
    SVOAgent,
    SVOAnswer,
    check_order,
    displayed_options,
)

__all__ = [
    "ATTAINABLE_RANGE",
    "CATEGORIES",
    "CATEGORY_TARGETS",
    "IDEAL_TYPES",
    "IDENTITY_ORDER",
    "ITEMS",
    "MIXES",
    "NEUTRAL_ANGLE",
    "OPTIONS",
    "OTHER",
    "REVEALED_STEPS",
    "SELF",
    "Respondent",
    "RespondentPanel",
    "SVOAgent",
    "SVOAnswer",
    "angles_of_indices",
    "chance_value_rationality",
    "check_angle",
    "check_order",
    "confusion_matrix",
    "constant_answer_value_rationality",
    "displayed_options",
    "format_order",
    "ideal_type_choices",
    "mix_angles",
    "parse_order",
    "position_bias",
    "preferred_option",
    "run_experiment",
    "shuffled_order",
    "summarize",
    "svo_angle",
    "svo_category",
    "utility_angle",
    "value_rationality",
    "vr_warning",
]
