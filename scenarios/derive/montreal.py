"""Derive the ``montreal-streets`` scenario from the public StreetReview data.

StreetReview (Mushkani et al., github.com/rsdmu/streetreview, Apache-2.0) holds
ratings of 20 Montreal streets on practicality, inclusivity, aesthetics and
accessibility (1..4) by six personas, plus 25 physical attributes per street and the
ratings of the 12 individual raters (read by :mod:`.montreal_data`). This script
turns them into a scenario:

* **groups**: the six personas; their criteria weights are the *derived importance*
  of each criterion (its correlation, across the 20 streets, with the persona's mean
  rating of the other three criteria; negative correlations count as zero), shrunk
  half-way toward equal weights because 20 streets are few;
* **dispersion**: the Dirichlet concentration whose spread matches the spread of
  the same derived-importance weights among the 12 individual raters;
* **baseline**: the persona ratings of street i08 (4250 Rue René Goupil), the
  lowest-rated of the 20 streets and the one where most attributes can be upgraded;
* **effects**: per criterion, a pooled non-negative ridge regression of the six
  personas' ratings on the streets' attributes (:mod:`.montreal_fit`), its two
  penalties chosen by leave-one-street-out cross-validation. An intervention's
  effect is the coefficient times the change of its attribute from i08's level to
  the upgraded level. The model is scored out of sample by *nested*
  cross-validation (penalties chosen without the street predicted);
* **costs**, **budget** and **base designs**: assumptions, each with its rationale
  (:mod:`.montreal_design`).

Run it with the data folder (the files are not part of plurisim)::

    python -m plurisim.scenarios.derive.montreal --data ../shared/data/streetreview

It writes ``scenarios/builtin/montreal-streets.yaml`` and prints (or writes with
``--report``) the fit of the model per persona and where the personas agree
(:mod:`.montreal_report`).

Examples
--------
>>> ratings = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0], [4.0, 1.0, 1.0, 2.0]])
>>> derived_importance(ratings).round(3)  # the third criterion goes against the others
array([0.417, 0.417, 0.167])
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray
from plurisim.errors import ParameterError, ScenarioError
from plurisim.scenarios.derive.montreal_data import CRITERIA, FEATURES, PERSONAS, SOURCE, load
from plurisim.scenarios.derive.montreal_design import (
    BASE_DESIGNS,
    BASELINE_STREET,
    BUDGET,
    EXCLUDES,
    INTERVENTIONS,
)
from plurisim.scenarios.derive.montreal_fit import (
    Fit,
    fit_ratings,
    independent_loo,
    nested_cv,
)
from plurisim.scenarios.derive.montreal_report import build_report, report_markdown

__all__ = [
    "DERIVATION_VERSION",
    "Fit",
    "derive",
    "derived_importance",
    "fit_ratings",
    "load",
    "main",
    "report_markdown",
]

DERIVATION_VERSION = "1.0"
SHRINK = 0.5  # weight given to equal weights when turning derived importance into weights

FloatArray = NDArray[np.float64]


def derived_importance(ratings: FloatArray) -> FloatArray:
    """Weights from ratings of shape (criteria, streets): item-rest correlations, shrunk.

    Each criterion's raw weight is its correlation across the streets with the mean
    of the other criteria (negative counts as zero), normalized; the weights are
    then shrunk half-way (``SHRINK``) toward equal weights.

    Examples
    --------
    >>> derived_importance(np.array([[1.0, 2.0], [1.0, 2.0]]))
    array([0.5, 0.5])
    >>> derived_importance(np.array([1.0, 2.0]))
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'ratings' parameter of derived_importance must be a 2-D array (criteria, streets). Got shape (2,) instead.
    """
    if ratings.ndim != 2:
        raise ParameterError(
            "The 'ratings' parameter of derived_importance must be a 2-D array "
            f"(criteria, streets). Got shape {ratings.shape} instead."
        )
    k = ratings.shape[0]
    corr = np.empty(k)
    for j in range(k):
        rest = np.delete(ratings, j, axis=0).mean(axis=0)
        c = np.corrcoef(ratings[j], rest)[0, 1] if ratings[j].std() > 0 and rest.std() > 0 else 0.0
        corr[j] = max(0.0, float(c))
    raw = corr / corr.sum() if corr.sum() > 0 else np.full(k, 1.0 / k)
    return np.asarray(SHRINK * np.full(k, 1.0 / k) + (1 - SHRINK) * raw)


def _dirichlet_concentration(samples: FloatArray) -> float:
    """Method-of-moments concentration of weight vectors (rows) around their mean."""
    mean = samples.mean(axis=0)
    var = samples.var(axis=0, ddof=1)
    ok = var > 0
    return float(np.median(mean[ok] * (1 - mean[ok]) / var[ok] - 1))


def derive(data_dir: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the scenario (as plain data) and the report of the fit.

    Parameters
    ----------
    data_dir : str or Path
        The StreetReview folder.

    Returns
    -------
    scenario : dict
        The ``montreal-streets`` scenario, ready for ``yaml.safe_dump``.
    report : dict
        The fit (in sample, leave-one-street-out, nested) per persona and criterion,
        and where the personas agree (see :func:`.montreal_report.build_report`).

    Examples
    --------
    >>> derive("no/such/folder")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: no/such/folder: no streets_evaluations.csv (give the StreetReview folder).
    """
    data = load(data_dir)
    ratings, x = data.ratings, data.features
    s0 = data.streets.index(BASELINE_STREET)
    feat_ids = [f[0] for f in FEATURES]
    fits = [fit_ratings(x, ratings[:, k]) for k in range(len(CRITERIA))]
    nested = [nested_cv(x, ratings[:, k]) for k in range(len(CRITERIA))]
    weights = np.array([derived_importance(ratings[p]) for p in range(len(PERSONAS))])
    rater_weights = np.array([derived_importance(r.T) for r in data.raters.values()])
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
    # effects[p, m, k]: what intervention m does for persona p on criterion k.
    effects = np.zeros((len(PERSONAS), len(INTERVENTIONS), len(CRITERIA)))
    interventions = []
    for m, (iid, label, feat, target, cost, category, why) in enumerate(INTERVENTIONS):
        f = feat_ids.index(feat)
        delta = target - x[s0, f]
        if delta <= 0:
            raise ScenarioError(f"{BASELINE_STREET} already has {feat}; {iid} upgrades nothing")
        for k, fit in enumerate(fits):
            effects[:, m, k] = fit.coef[:, f] * delta
        per_group = {
            gid: {c[0]: round(float(effects[p, m, k]), 4) for k, c in enumerate(CRITERIA)}
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
    report = build_report(data, fits, nested, weights, effects)
    report["derivation_version"] = DERIVATION_VERSION
    report["dispersion"] = dispersion
    for key, nest in (("rmse_loo_independent", False), ("rmse_nested_independent", True)):
        per_criterion = [independent_loo(x, ratings[:, k], nested=nest) for k in range(len(fits))]
        report[key] = float(np.sqrt(np.mean(np.square(per_criterion))))
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


def main(argv: list[str] | None = None) -> int:
    """Command line: derive the scenario file (and optionally the report).

    Examples
    --------
    >>> main(["--data", "no/such/folder"])
    2
    """
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
