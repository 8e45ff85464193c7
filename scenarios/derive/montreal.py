"""Derive the ``montreal-streets`` scenario from the public StreetReview data.

StreetReview (Mushkani et al., github.com/rsdmu/streetreview, Apache-2.0) holds
ratings of 20 Montreal streets on practicality, inclusivity, aesthetics and
accessibility (1..4) by six personas, plus 25 physical attributes per street and the
ratings of the 12 individual raters. This script turns them into a scenario:

* **groups**: the six personas; their criteria weights are the *derived importance*
  of each criterion (its correlation, across the 20 streets, with the persona's mean
  rating of the other three criteria; negative correlations count as zero), shrunk
  half-way toward equal weights because 20 streets are few;
* **dispersion**: the Dirichlet concentration whose spread matches the spread of
  the same derived-importance weights among the 12 individual raters;
* **baseline**: the persona ratings of street i08 (4250 Rue René Goupil), the
  lowest-rated of the 20 streets and the one where most attributes can be upgraded;
* **effects**: per criterion, a ridge regression of the six personas' ratings on
  the streets' physical attributes with *partial pooling*: each persona has its own
  coefficients, penalized both in size and in their distance from the personas'
  mean, so that a persona departs from the others only as far as its ratings
  support. Coefficients are non-negative (an upgrade is assumed not to lower a
  rating). Both penalties are chosen by leave-one-street-out cross-validation. An
  intervention's effect is the coefficient times the change of its attribute from
  i08's level to the upgraded level;
* **costs**: relative costs (assumptions, each with its rationale, see ``COSTS``);
* **base designs**: seven coherent concepts within the budget.

Run it with the data folder (the files are not part of plurisim)::

    python -m plurisim.scenarios.derive.montreal --data ../shared/data/streetreview

It writes ``scenarios/builtin/montreal-streets.yaml`` and prints (or writes with
``--report``) the fit of the model per persona.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray
from scipy.optimize import nnls

__all__ = ["DERIVATION_VERSION", "Fit", "derive", "fit_ratings", "load", "main"]

DERIVATION_VERSION = "1.0"
BASELINE_STREET = "i08"
SHRINK = 0.5  # weight given to equal weights when turning derived importance into weights
ALPHA_SIZE = np.geomspace(0.03, 300.0, 9)  # penalty on the personas' mean coefficients
ALPHA_POOL = np.geomspace(0.1, 1000.0, 9)  # penalty on each persona's departure from it

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

# (feature id, column(s), encoding of the column's levels onto [0, 1])
_LEVELS = {
    "width": {"Absent": 0.0, "Narrow": 1 / 3, "Variable": 2 / 3, "Wide": 1.0},
    "condition": {"Absent": 0.0, "Fair": 0.5, "Excellent": 1.0},
    "access": {"Absent": 0.0, "Limited": 1 / 3, "Basic": 2 / 3, "Excellent": 1.0},
    "present": {"Absent": 0.0, "Present": 1.0},
    "safety": {"Absent": 0.0, "Basic": 0.5, "High": 1.0},
    "greenery": {"Absent": 0.0, "Basic": 1 / 3, "Medium": 2 / 3, "High": 1.0},
    "few": {"No": 1.0, "Few": 0.0},  # 1 = none present
}
FEATURES = [
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

SOURCE = {
    "title": "StreetReview: persona and individual ratings of 20 Montreal streets, and their physical attributes (Mushkani et al.)",
    "url": "https://github.com/rsdmu/streetreview",
    "license": "Apache-2.0",
}

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Fit:
    """The pooled model of one criterion: coefficients per persona and its errors."""

    coef: FloatArray  # (personas, features), non-negative
    intercept: FloatArray  # (personas,)
    alpha_size: float
    alpha_pool: float
    rmse_in_sample: FloatArray  # per persona
    rmse_loo: FloatArray  # per persona
    rmse_loo_mean_only: FloatArray  # per persona


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, skipinitialspace=True))
    return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in rows]


def load(data_dir: Path) -> dict[str, Any]:
    """Read the StreetReview files: ratings (persona, criterion, street) and features."""
    ev = _read_csv(data_dir / "streets_evaluations.csv")
    streets = sorted(r["pointid"] for r in ev)
    by_street = {r["pointid"]: r for r in ev}
    ratings = np.array(
        [
            [[float(by_street[s][f"{col} {label}"]) for s in streets] for _, label, _ in CRITERIA]
            for _, _, col in PERSONAS
        ]
    )  # (P, K, S)
    meta = {r["point_id"]: r for r in _read_csv(data_dir / "metadata.csv")}
    features = np.array([[_encode(meta[s], spec) for spec in FEATURES] for s in streets])
    individuals = _read_csv(data_dir / "ratings_individual_analysis.csv")
    raters: dict[str, list[list[float]]] = {}
    for r in individuals:
        raters.setdefault(r["Evaluator"], []).append([float(r[label]) for _, label, _ in CRITERIA])
    return {
        "streets": streets,
        "ratings": ratings,
        "features": features,
        "raters": {k: np.array(v) for k, v in raters.items()},
    }


def _encode(row: dict[str, str], spec: tuple[Any, ...]) -> float:
    _, column, levels = spec
    if isinstance(column, tuple):
        return float(np.mean([_LEVELS[lv][row[c]] for c, lv in zip(column, levels, strict=True)]))
    return _LEVELS[levels][row[column]]


def _penalty_root(
    n_personas: int, n_features: int, alpha_size: float, alpha_pool: float
) -> FloatArray:
    """R with ``R.T R = alpha_size |mean|^2 + alpha_pool sum_p |coef_p - mean|^2``."""
    mean = np.kron(np.ones((1, n_personas)) / n_personas, np.eye(n_features))
    dev = np.eye(n_personas * n_features) - np.kron(np.ones((n_personas, 1)), mean)
    q = alpha_size * mean.T @ mean + alpha_pool * dev.T @ dev
    q += 1e-10 * np.eye(q.shape[0])
    return np.asarray(np.linalg.cholesky(q).T)


def _pooled_fit(x: FloatArray, y: FloatArray, root: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Non-negative pooled ridge; ``x`` (streets, features), ``y`` (personas, streets)."""
    n_p = y.shape[0]
    xm, ym = x.mean(axis=0), y.mean(axis=1)
    design = np.kron(np.eye(n_p), x - xm)
    a = np.vstack([design, root])
    t = np.concatenate([(y - ym[:, None]).ravel(), np.zeros(root.shape[0])])
    coef, _ = nnls(a, t, maxiter=20 * a.shape[1])
    c = coef.reshape(n_p, x.shape[1])
    return c, ym - c @ xm


def fit_ratings(x: FloatArray, y: FloatArray) -> Fit:
    """Fit one criterion: ``x`` (streets, features), ``y`` (personas, streets).

    Both penalties are chosen on a grid by leave-one-street-out cross-validation.
    """
    n_p, n_s = y.shape
    best: tuple[float, float, float, FloatArray] | None = None
    for a_size in ALPHA_SIZE:
        for a_pool in ALPHA_POOL:
            root = _penalty_root(n_p, x.shape[1], a_size, a_pool)
            errs = np.empty((n_p, n_s))
            for i in range(n_s):
                keep = np.arange(n_s) != i
                c, b0 = _pooled_fit(x[keep], y[:, keep], root)
                errs[:, i] = y[:, i] - (b0 + c @ x[i])
            rmse = float(np.sqrt(np.mean(errs**2)))
            if best is None or rmse < best[0] - 1e-12:
                best = (rmse, float(a_size), float(a_pool), errs)
    assert best is not None
    _, a_size, a_pool, errs = best
    c, b0 = _pooled_fit(x, y, _penalty_root(n_p, x.shape[1], a_size, a_pool))
    fitted = b0[:, None] + c @ x.T
    mean_only = np.array(
        [[y[p, i] - np.delete(y[p], i).mean() for i in range(n_s)] for p in range(n_p)]
    )
    return Fit(
        coef=c,
        intercept=b0,
        alpha_size=a_size,
        alpha_pool=a_pool,
        rmse_in_sample=np.sqrt(np.mean((y - fitted) ** 2, axis=1)),
        rmse_loo=np.sqrt(np.mean(errs**2, axis=1)),
        rmse_loo_mean_only=np.sqrt(np.mean(mean_only**2, axis=1)),
    )


def independent_loo(x: FloatArray, y: FloatArray) -> float:
    """Leave-one-street-out RMSE of separate models per persona (for the report).

    Each persona gets its own non-negative ridge with its own penalty chosen by the
    same cross-validation; the pooled model is kept when it predicts about as well.
    """
    errs = []
    for p in range(y.shape[0]):
        best = np.inf
        for alpha in ALPHA_SIZE:
            root = _penalty_root(1, x.shape[1], alpha, 0.0)
            e = []
            for i in range(y.shape[1]):
                keep = np.arange(y.shape[1]) != i
                c, b0 = _pooled_fit(x[keep], y[p : p + 1, keep], root)
                e.append(y[p, i] - (b0[0] + c[0] @ x[i]))
            best = min(best, float(np.mean(np.square(e))))
        errs.append(best)
    return float(np.sqrt(np.mean(errs)))


def derived_importance(ratings: FloatArray) -> FloatArray:
    """Weights from ratings of shape (criteria, streets): item-rest correlations, shrunk."""
    k = ratings.shape[0]
    corr = np.empty(k)
    for j in range(k):
        rest = np.delete(ratings, j, axis=0).mean(axis=0)
        c = np.corrcoef(ratings[j], rest)[0, 1] if ratings[j].std() > 0 and rest.std() > 0 else 0.0
        corr[j] = max(0.0, float(c))
    raw = corr / corr.sum() if corr.sum() > 0 else np.full(k, 1.0 / k)
    return SHRINK * np.full(k, 1.0 / k) + (1 - SHRINK) * raw


def _dirichlet_concentration(samples: FloatArray) -> float:
    """Method-of-moments concentration of weight vectors (rows) around their mean."""
    mean = samples.mean(axis=0)
    var = samples.var(axis=0, ddof=1)
    ok = var > 0
    return float(np.median(mean[ok] * (1 - mean[ok]) / var[ok] - 1))


def derive(data_dir: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the scenario (as plain data) and the report of the fit."""
    data = load(Path(data_dir))
    streets, ratings, x = data["streets"], data["ratings"], data["features"]
    s0 = streets.index(BASELINE_STREET)
    feat_ids = [f[0] for f in FEATURES]
    fits = [fit_ratings(x, ratings[:, k]) for k in range(len(CRITERIA))]
    weights = np.array([derived_importance(ratings[p]) for p in range(len(PERSONAS))])
    rater_weights = np.array([derived_importance(r.T) for r in data["raters"].values()])
    dispersion = round(_dirichlet_concentration(rater_weights), 1)

    groups = []
    for p, (gid, label, col) in enumerate(PERSONAS):
        groups.append(
            {
                "id": gid,
                "label": label,
                "description": f"The {col} persona of the StreetReview study, speaking for people like them.",
                "size": 10,
                "weights": {
                    c[0]: round(float(w), 4) for c, w in zip(CRITERIA, weights[p], strict=True)
                },
                "baseline": {c[0]: float(ratings[p, k, s0]) for k, c in enumerate(CRITERIA)},
                "dispersion": dispersion,
            }
        )
    interventions = []
    for iid, label, feat, target, cost, category, why in INTERVENTIONS:
        f = feat_ids.index(feat)
        delta = target - x[s0, f]
        if delta <= 0:
            raise ValueError(f"{BASELINE_STREET} already has {feat}; {iid} upgrades nothing")
        per_group = {
            gid: {c[0]: round(float(fits[k].coef[p, f] * delta), 4) for k, c in enumerate(CRITERIA)}
            for p, (gid, _, _) in enumerate(PERSONAS)
        }
        interventions.append(
            {
                "id": iid,
                "label": label,
                "description": f"{why} Raises '{feat}' from {x[s0, f]:.2f} to {target:.2f}.",
                "category": category,
                "cost": float(cost),
                "effects": {},
                "group_effects": {
                    g: {k: v for k, v in e.items() if v != 0} for g, e in per_group.items()
                },
                "excludes": EXCLUDES.get(iid, []),
            }
        )
    report = _report(data, fits, weights, dispersion)
    report["rmse_loo_independent"] = float(
        np.sqrt(np.mean([independent_loo(x, ratings[:, k]) ** 2 for k in range(len(CRITERIA))]))
    )
    scenario = {
        "schema_version": 1,
        "name": "montreal-streets",
        "title": "Upgrading a Montreal street: six personas, fourteen upgrades",
        "description": (
            "Street i08 (4250 Rue René Goupil, Montreal), the lowest rated of the 20 streets "
            "of the StreetReview study, is to be upgraded within a budget that pays for about "
            "a third of the possible upgrades. Six personas rated practicality, inclusivity, "
            "aesthetics and accessibility on a 1-4 scale; what each upgrade would do for each "
            "persona is estimated from how they rated streets that already have it."
        ),
        "criteria": [
            {"id": c, "label": lab, "description": d, "scale": [1.0, 4.0]} for c, lab, d in CRITERIA
        ],
        "groups": groups,
        "interventions": interventions,
        "budget": float(BUDGET),
        "base_designs": [
            {"id": i, "label": lab, "description": d, "interventions": ivs}
            for i, lab, d, ivs in BASE_DESIGNS
        ],
        "negotiation": {"rounds": 20, "quorum": 1.0},
        "provenance": {
            "sources": [SOURCE],
            "license": "Apache-2.0 (derived from StreetReview)",
            "derived_by": f"plurisim.scenarios.derive.montreal {DERIVATION_VERSION}",
            "notes": (
                "Ratings, baseline and effects come from the data; costs are relative "
                "assumptions (see each intervention's description). Model fit, rating points, "
                f"mean over personas and criteria: in-sample RMSE {report['rmse_in_sample']:.3f}, "
                f"leave-one-street-out RMSE {report['rmse_loo']:.3f} (predicting each street "
                f"by the mean of the others: {report['rmse_loo_mean_only']:.3f})."
            ),
        },
    }
    return scenario, report


def _report(
    data: dict[str, Any], fits: list[Fit], weights: FloatArray, dispersion: float
) -> dict[str, Any]:
    def rms(values: list[float] | FloatArray) -> float:
        return float(np.sqrt(np.mean(np.square(values))))

    per = []
    for p, (gid, label, _) in enumerate(PERSONAS):
        per.append(
            {
                "group": gid,
                "label": label,
                "rmse_in_sample": rms([f.rmse_in_sample[p] for f in fits]),
                "rmse_loo": rms([f.rmse_loo[p] for f in fits]),
                "rmse_loo_mean_only": rms([f.rmse_loo_mean_only[p] for f in fits]),
                "weights": [float(w) for w in weights[p]],
            }
        )
    return {
        "streets": len(data["streets"]),
        "baseline_street": BASELINE_STREET,
        "dispersion": dispersion,
        "raters": len(data["raters"]),
        "per_group": per,
        "per_criterion": [
            {
                "criterion": c[0],
                "alpha_size": f.alpha_size,
                "alpha_pool": f.alpha_pool,
                "rmse_loo": rms(f.rmse_loo),
            }
            for c, f in zip(CRITERIA, fits, strict=True)
        ],
        "rmse_in_sample": rms(np.concatenate([f.rmse_in_sample for f in fits])),
        "rmse_loo": rms(np.concatenate([f.rmse_loo for f in fits])),
        "rmse_loo_mean_only": rms(np.concatenate([f.rmse_loo_mean_only for f in fits])),
    }


def report_markdown(report: dict[str, Any]) -> str:
    """The fit report as a Markdown table."""
    lines = [
        "# montreal-streets: how well the derived model fits",
        "",
        f"Derivation {DERIVATION_VERSION}; {report['streets']} streets, baseline street "
        f"{report['baseline_street']}; individual dispersion {report['dispersion']} "
        f"(from {report['raters']} raters).",
        "",
        "Root-mean-square error in rating points (1..4 scale), over the four criteria:",
        "",
        "| persona | in-sample | leave-one-street-out | mean of other streets | weights (P, I, Ae, Ac) |",
        "|---|---|---|---|---|",
    ]
    for r in report["per_group"]:
        w = ", ".join(f"{v:.2f}" for v in r["weights"])
        lines.append(
            f"| {r['label']} | {r['rmse_in_sample']:.3f} | {r['rmse_loo']:.3f} | "
            f"{r['rmse_loo_mean_only']:.3f} | {w} |"
        )
    lines.append(
        f"| **all** | **{report['rmse_in_sample']:.3f}** | **{report['rmse_loo']:.3f}** | "
        f"**{report['rmse_loo_mean_only']:.3f}** | |"
    )
    lines += [
        "",
        f"Six separate models (one per persona, no pooling) would reach a leave-one-street-out "
        f"RMSE of {report['rmse_loo_independent']:.3f}; the pooled model predicts about as well "
        "with far fewer effective parameters, and is kept.",
        "",
        "Penalties chosen by cross-validation (size of the mean coefficients; departure of "
        "each persona from the mean, where the largest value means the personas share one model):",
        "",
        "| criterion | size | pooling | leave-one-street-out RMSE |",
        "|---|---|---|---|",
    ]
    for c in report["per_criterion"]:
        lines.append(
            f"| {c['criterion']} | {c['alpha_size']:.3g} | {c['alpha_pool']:.3g} | {c['rmse_loo']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: derive the scenario file (and optionally the report)."""
    parser = argparse.ArgumentParser(prog="python -m plurisim.scenarios.derive.montreal")
    parser.add_argument("--data", required=True, help="the streetreview folder")
    parser.add_argument(
        "--out", default=str(Path(__file__).parents[1] / "builtin" / "montreal-streets.yaml")
    )
    parser.add_argument("--report", help="also write the fit report (Markdown) here")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / "streets_evaluations.csv").is_file():
        print(
            f"error: {data}: no streets_evaluations.csv (give the StreetReview folder)",
            file=sys.stderr,
        )
        return 2
    scenario, report = derive(data)
    header = (
        "# Derived by plurisim.scenarios.derive.montreal from the StreetReview data\n"
        "# (github.com/rsdmu/streetreview, Apache-2.0). Do not edit by hand: re-run the script.\n"
    )
    Path(args.out).write_text(
        header + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=100)
    )
    text = report_markdown(report)
    if args.report:
        Path(args.report).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
