"""Read and encode the StreetReview files for the ``montreal-streets`` derivation.

StreetReview (Mushkani et al., github.com/rsdmu/streetreview, Apache-2.0) rates 20
Montreal streets on four criteria (1..4) by six personas and by 12 individual
raters, and records 25 physical attributes per street. :func:`load` turns the CSV
files into arrays: the personas' ratings, the 15 attributes used as features (each
encoded onto [0, 1]) and each rater's ratings.

Examples
--------
>>> [p[0] for p in PERSONAS][:2], len(CRITERIA), len(FEATURES)
(['lgbtqia2', 'handicapped'], 4, 15)
>>> encode({"sidewalk_width": "Narrow"}, FEATURES[0])
0.333...
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError

__all__ = ["CRITERIA", "FEATURES", "PERSONAS", "SOURCE", "StreetReview", "encode", "load"]

FloatArray = NDArray[np.float64]

# (group id, label, column prefix in streets_evaluations.csv)
PERSONAS = [
    ("lgbtqia2", "LGBTQIA2+", "Lgbtqia2+"),
    ("handicapped", "People with disabilities", "Handicapped"),
    ("elderly_female", "Elderly women", "Elderly Female"),
    ("elderly_male", "Elderly men", "Elderly Male"),
    ("young_male", "Young men", "Young Male"),
    ("young_female", "Young women", "Young Female"),
]
CRITERIA = [
    ("practicality", "Practicality", "Getting where you need to go: width, surfaces, crossings."),
    ("inclusivity", "Inclusivity", "Feeling welcome and safe as who you are."),
    ("aesthetics", "Aesthetics", "How pleasant the street looks and feels."),
    (
        "accessibility",
        "Accessibility",
        "Usable by everyone, including with a wheelchair or a cane.",
    ),
]

# Encodings of the metadata columns' levels onto [0, 1].
LEVELS = {
    "width": {"Absent": 0.0, "Narrow": 1 / 3, "Variable": 2 / 3, "Wide": 1.0},
    "condition": {"Absent": 0.0, "Fair": 0.5, "Excellent": 1.0},
    "access": {"Absent": 0.0, "Limited": 1 / 3, "Basic": 2 / 3, "Excellent": 1.0},
    "present": {"Absent": 0.0, "Present": 1.0},
    "safety": {"Absent": 0.0, "Basic": 0.5, "High": 1.0},
    "greenery": {"Absent": 0.0, "Basic": 1 / 3, "Medium": 2 / 3, "High": 1.0},
    "few": {"No": 1.0, "Few": 0.0},  # 1 = none present
}
# (feature id, column(s), encoding(s)); two columns are averaged.
FEATURES: list[tuple[str, str | tuple[str, ...], str | tuple[str, ...]]] = [
    ("sidewalk_width", "sidewalk_width", "width"),
    ("sidewalk_condition", "sidewalk_condition", "condition"),
    ("sidewalk_accessibility", "sidewalk_accessibility", "access"),
    ("seating", "seating_availability", "present"),
    ("shade", "shade_availability", "present"),
    ("crossings", ("crossing_signals", "crossing_safety"), ("present", "safety")),
    ("greenery", "greenery_presence", "greenery"),
    ("open_space", "open_space_areas", "present"),
    ("lighting", "street_lighting", "present"),
    ("waste_bins", "waste_bins", "present"),
    ("bus_stop", "bus_stops", "present"),
    ("no_barriers", "barrier_presence", "few"),
    ("no_obstructions", "movement_obstructions", "few"),
    ("road_markings", "road_markings", "present"),
    ("bike_lane", "bike_lane_presence", "present"),
]

SOURCE = {
    "title": "StreetReview: persona and individual ratings of 20 Montreal streets, and their physical attributes (Mushkani et al.)",
    "url": "https://github.com/rsdmu/streetreview",
    "license": "Apache-2.0",
}


@dataclass(frozen=True)
class StreetReview:
    """The StreetReview data as arrays.

    Attributes
    ----------
    streets : list of str
        Street ids (``i01`` .. ``i20``), sorted; the order of every street axis.
    ratings : numpy.ndarray of shape (personas, criteria, streets)
        The personas' ratings, in the order of :data:`PERSONAS` and :data:`CRITERIA`.
    features : numpy.ndarray of shape (streets, features)
        The attributes of :data:`FEATURES`, each encoded onto [0, 1].
    raters : dict of str to numpy.ndarray of shape (streets, criteria)
        Each individual rater's own ratings.
    """

    streets: list[str]
    ratings: FloatArray
    features: FloatArray
    raters: dict[str, FloatArray]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, skipinitialspace=True))
    return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in rows]


def load(data_dir: str | Path) -> StreetReview:
    """Read the StreetReview files of ``data_dir``.

    Parameters
    ----------
    data_dir : str or Path
        The folder holding ``streets_evaluations.csv``, ``metadata.csv`` and
        ``ratings_individual_analysis.csv``.

    Returns
    -------
    StreetReview

    Raises
    ------
    ParameterError
        If the folder lacks one of the three files.

    Examples
    --------
    >>> load("no/such/folder")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: no/such/folder: no streets_evaluations.csv (give the StreetReview folder).
    """
    folder = Path(data_dir)
    for name in ("streets_evaluations.csv", "metadata.csv", "ratings_individual_analysis.csv"):
        if not (folder / name).is_file():
            raise ParameterError(f"{folder}: no {name} (give the StreetReview folder).")
    ev = _read_csv(folder / "streets_evaluations.csv")
    streets = sorted(r["pointid"] for r in ev)
    by_street = {r["pointid"]: r for r in ev}
    ratings = np.array(
        [
            [[float(by_street[s][f"{col} {label}"]) for s in streets] for _, label, _ in CRITERIA]
            for _, _, col in PERSONAS
        ]
    )
    meta = {r["point_id"]: r for r in _read_csv(folder / "metadata.csv")}
    features = np.array([[encode(meta[s], spec) for spec in FEATURES] for s in streets])
    raters: dict[str, list[list[float]]] = {}
    for r in _read_csv(folder / "ratings_individual_analysis.csv"):
        raters.setdefault(r["Evaluator"], []).append([float(r[label]) for _, label, _ in CRITERIA])
    return StreetReview(
        streets=streets,
        ratings=ratings,
        features=features,
        raters={k: np.array(v) for k, v in raters.items()},
    )


def encode(row: dict[str, str], spec: tuple[Any, ...]) -> float:
    """Encode one feature of a metadata row onto [0, 1].

    Parameters
    ----------
    row : dict of str to str
        One row of ``metadata.csv``.
    spec : tuple
        One entry of :data:`FEATURES`; a feature of two columns is their mean.

    Raises
    ------
    ParameterError
        If the row lacks the column or holds a level the encoding does not know.

    Examples
    --------
    >>> encode({"crossing_signals": "Present", "crossing_safety": "Basic"}, FEATURES[5])
    0.75
    >>> encode({"sidewalk_width": "Huge"}, FEATURES[0])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Column 'sidewalk_width' holds 'Huge'; allowed: Absent, Narrow, Variable, Wide.
    """
    _, column, levels = spec
    columns = column if isinstance(column, tuple) else (column,)
    encodings = levels if isinstance(levels, tuple) else (levels,)
    values = []
    for c, lv in zip(columns, encodings, strict=True):
        level = row.get(c)
        if level not in LEVELS[lv]:
            allowed = ", ".join(LEVELS[lv])
            raise ParameterError(f"Column {c!r} holds {level!r}; allowed: {allowed}.")
        values.append(LEVELS[lv][level])
    return float(np.mean(values)) if len(values) > 1 else values[0]
