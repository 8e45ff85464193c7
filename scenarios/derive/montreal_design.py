"""The assumptions of the ``montreal-streets`` scenario that are not in the data.

StreetReview gives ratings and the streets' attributes; what can be built, what it
costs and how it is bundled are assumptions of this derivation, each with its
rationale: the baseline street, the fourteen upgrades (the attribute each raises,
its relative cost), the budget, the two upgrades that exclude each other, and seven
base designs.

Examples
--------
>>> len(INTERVENTIONS), BUDGET, len(BASE_DESIGNS)
(14, 600, 7)
>>> sum(cost for _, _, _, _, cost, _, _ in INTERVENTIONS) > 2 * BUDGET
True
"""

from __future__ import annotations

__all__ = ["BASELINE_STREET", "BASE_DESIGNS", "BUDGET", "EXCLUDES", "INTERVENTIONS"]

# The lowest-rated street, where most attributes can be upgraded.
BASELINE_STREET = "i08"

# id, label, feature, target level, relative cost, category, rationale
INTERVENTIONS = [
    (
        "widen_sidewalks",
        "Widen the sidewalks",
        "sidewalk_width",
        1.0,
        400,
        "mobility",
        "Rebuilding curbs and moving utilities: the most expensive item, a full reconstruction of the sidewalk.",
    ),
    (
        "resurface_sidewalks",
        "Resurface the sidewalks",
        "sidewalk_condition",
        1.0,
        150,
        "mobility",
        "New paving on the existing footprint: about a third of a widening.",
    ),
    (
        "universal_access",
        "Universal accessibility",
        "sidewalk_accessibility",
        1.0,
        120,
        "access",
        "Curb ramps at every corner, tactile strips and level surfaces.",
    ),
    (
        "benches",
        "Benches and rest spots",
        "seating",
        1.0,
        30,
        "comfort",
        "Street furniture: among the cheapest items.",
    ),
    (
        "shade_canopies",
        "Shade canopies",
        "shade",
        1.0,
        90,
        "comfort",
        "Pergolas or awnings at rest spots; trees are counted under greenery.",
    ),
    (
        "safe_crossings",
        "Signalized safe crossings",
        "crossings",
        1.0,
        200,
        "safety",
        "Signals, curb extensions and raised crosswalks at two intersections.",
    ),
    (
        "street_trees",
        "Street trees and planting",
        "greenery",
        1.0,
        100,
        "green",
        "Tree pits, planters and soil cells along the block.",
    ),
    (
        "pocket_plaza",
        "Pocket plaza",
        "open_space",
        1.0,
        180,
        "liveliness",
        "A small public space on a reclaimed lane or lot, with surfacing and furniture.",
    ),
    (
        "waste_bins",
        "Waste bins",
        "waste_bins",
        1.0,
        10,
        "comfort",
        "Bins and their collection: the cheapest item.",
    ),
    (
        "bus_stop",
        "Bus stop with shelter",
        "bus_stop",
        1.0,
        60,
        "mobility",
        "A sheltered stop where a route already passes.",
    ),
    (
        "remove_barriers",
        "Remove barriers",
        "no_barriers",
        1.0,
        40,
        "access",
        "Removing or replacing fences and bollards that block the way.",
    ),
    (
        "clear_obstructions",
        "Clear obstructions",
        "no_obstructions",
        1.0,
        50,
        "access",
        "Relocating poles, signs and furniture out of the walking path.",
    ),
    (
        "road_markings",
        "Road markings",
        "road_markings",
        1.0,
        20,
        "safety",
        "Painted crosswalks and lane markings.",
    ),
    (
        "bike_lane",
        "Protected bike lane",
        "bike_lane",
        1.0,
        250,
        "mobility",
        "Curb-separated lane along the block, with its own markings and signals.",
    ),
]
# Widening the sidewalks and a protected bike lane compete for the same street width.
EXCLUDES = {"widen_sidewalks": ["bike_lane"], "bike_lane": ["widen_sidewalks"]}
BUDGET = 600

BASE_DESIGNS = [
    (
        "accessibility_first",
        "Accessibility first",
        "Make the street usable by everyone: ramps, level and clear paths, safe crossings.",
        [
            "universal_access",
            "clear_obstructions",
            "remove_barriers",
            "safe_crossings",
            "resurface_sidewalks",
        ],
    ),
    (
        "green_street",
        "Green street",
        "Trees, shade and places to sit: a cooler, softer street.",
        ["street_trees", "shade_canopies", "benches", "pocket_plaza", "waste_bins"],
    ),
    (
        "lively_street",
        "Lively street",
        "A place to stay: a pocket plaza, benches, bins and a bus stop that brings people.",
        ["pocket_plaza", "benches", "waste_bins", "bus_stop", "street_trees", "road_markings"],
    ),
    (
        "safe_street",
        "Safe street",
        "Calmer traffic and safe crossings, clear sight lines.",
        [
            "safe_crossings",
            "road_markings",
            "remove_barriers",
            "clear_obstructions",
            "resurface_sidewalks",
        ],
    ),
    (
        "active_mobility",
        "Active mobility",
        "Walk, cycle and ride: a protected bike lane, a bus stop and markings.",
        ["bike_lane", "bus_stop", "road_markings", "remove_barriers", "benches", "waste_bins"],
    ),
    (
        "comfort_and_rest",
        "Comfort and rest",
        "Somewhere to pause: benches, shade, bins and trees along a resurfaced walk.",
        ["benches", "shade_canopies", "waste_bins", "street_trees", "resurface_sidewalks"],
    ),
    (
        "wide_sidewalks",
        "Wide sidewalks",
        "More room to walk: wider sidewalks kept clear of obstructions.",
        ["widen_sidewalks", "clear_obstructions", "road_markings", "benches"],
    ),
]
