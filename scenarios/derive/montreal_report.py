"""The report of the ``montreal-streets`` derivation: model fit and persona agreement.

:func:`build_report` gathers, per persona and per criterion, the fit of the effects
model in sample, out of sample (nested leave-one-street-out cross-validation, the
headline figure), leaving each street out with penalties chosen on all streets
(optimistic) and of the street-mean baseline; and, through
:func:`persona_agreement`, how far the six personas agree: on their ratings, their
fitted effects, their weights and the ranking of the upgrades.
:func:`report_markdown` renders it (``docs/montreal-derivation.md``).

Examples
--------
>>> pairwise_correlation(np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 4.0], [3.0, 2.0, 1.0]]))
array([ 0.982, -1.   , -0.982])
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray
from plurisim.errors import ParameterError
from plurisim.scenarios.derive.montreal_data import CRITERIA, PERSONAS, StreetReview
from plurisim.scenarios.derive.montreal_design import BASELINE_STREET, INTERVENTIONS
from plurisim.scenarios.derive.montreal_fit import Fit, NestedCV
from scipy.stats import rankdata

__all__ = ["build_report", "pairwise_correlation", "persona_agreement", "report_markdown"]

FloatArray = NDArray[np.float64]
TOP = 5  # size of the "best upgrades per unit cost" lists compared across personas


def _rms(values: Any) -> float:
    return float(np.sqrt(np.mean(np.square(values))))


def pairwise_correlation(rows: FloatArray, *, rank: bool = False) -> FloatArray:
    """Pearson (or, with ``rank``, Spearman) correlation of every pair of rows.

    Parameters
    ----------
    rows : numpy.ndarray of shape (n, m)
        One row per persona.
    rank : bool
        Correlate ranks (ties share their mean rank) rather than values.

    Returns
    -------
    numpy.ndarray of shape (n * (n - 1) / 2,)
        Pairs in the order (0, 1), (0, 2), ..., rounded to 3 decimals; a pair with a
        constant row has no correlation (nan).

    Examples
    --------
    >>> pairwise_correlation(np.array([[1.0, 2.0, 5.0], [1.0, 3.0, 4.0]]), rank=True)
    array([1.])
    >>> pairwise_correlation(np.array([1.0, 2.0]))
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'rows' parameter of pairwise_correlation must be a 2-D array with at least 2 rows and 2 columns. Got shape (2,) instead.
    """
    if rows.ndim != 2 or rows.shape[0] < 2 or rows.shape[1] < 2:
        raise ParameterError(
            "The 'rows' parameter of pairwise_correlation must be a 2-D array with at "
            f"least 2 rows and 2 columns. Got shape {rows.shape} instead."
        )
    data = np.array([rankdata(r) for r in rows]) if rank else rows
    out = []
    for a, b in itertools.combinations(range(rows.shape[0]), 2):
        if data[a].std() == 0 or data[b].std() == 0:
            out.append(np.nan)
        else:
            out.append(float(np.corrcoef(data[a], data[b])[0, 1]))
    return np.round(np.array(out), 3)


def _summary(pairs: FloatArray) -> dict[str, float | int]:
    ok = pairs[~np.isnan(pairs)]
    if ok.size == 0:
        return {"mean": float("nan"), "min": float("nan"), "undefined": int(pairs.size)}
    return {
        "mean": float(np.mean(ok)),
        "min": float(np.min(ok)),
        "undefined": int(pairs.size - ok.size),
    }


def persona_agreement(
    ratings: FloatArray, weights: FloatArray, effects: FloatArray, costs: FloatArray
) -> dict[str, Any]:
    """How far the personas agree, per criterion, per persona and on the upgrades.

    Parameters
    ----------
    ratings : numpy.ndarray of shape (personas, criteria, streets)
    weights : numpy.ndarray of shape (personas, criteria)
    effects : numpy.ndarray of shape (personas, interventions, criteria)
        What each upgrade does for each persona on each criterion.
    costs : numpy.ndarray of shape (interventions,)

    Returns
    -------
    dict
        ``per_criterion``: the pairwise correlations (mean, minimum, pairs without
        one) of the personas' ratings across the streets, of their effects across
        the upgrades, and of the effects' ranks; and the range of the criterion's
        weight across personas. ``gain`` and ``gain_per_cost``: the rank agreement
        of the upgrades' utility gains (weights times effects, summed over
        criteria), raw and per unit cost. ``per_persona``: each persona's mean
        rating correlation with the others (over criteria), mean rank agreement of
        its gains per unit cost with the others', and its ``TOP`` best upgrades per
        unit cost (indices); ``top_shared``: the upgrades in every persona's list.

    Examples
    --------
    >>> ratings = np.array([[[1.0, 2.0, 3.0]], [[1.0, 3.0, 2.0]]])
    >>> effects = np.array([[[0.1], [0.3]], [[0.2], [0.4]]])
    >>> a = persona_agreement(ratings, np.ones((2, 1)), effects, np.array([1.0, 1.0]))
    >>> a["per_criterion"][0]["ratings"]["mean"], a["gain"]["mean"], a["top_shared"]
    (0.5, 1.0, [0, 1])
    >>> persona_agreement(ratings, np.ones((2, 2)), effects, np.array([1.0, 1.0]))
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'weights' parameter of persona_agreement must have shape (2, 1) (personas, criteria). Got shape (2, 2) instead.
    """
    n_p, n_k, _ = ratings.shape
    if weights.shape != (n_p, n_k):
        raise ParameterError(
            "The 'weights' parameter of persona_agreement must have shape "
            f"({n_p}, {n_k}) (personas, criteria). Got shape {weights.shape} instead."
        )
    if effects.ndim != 3 or effects.shape[::2] != (n_p, n_k) or costs.shape != effects.shape[1:2]:
        raise ParameterError(
            "The 'effects' and 'costs' parameters of persona_agreement must have shapes "
            f"({n_p}, m, {n_k}) and (m,). Got {effects.shape} and {costs.shape} instead."
        )
    pairs = list(itertools.combinations(range(n_p), 2))

    def with_others(values: FloatArray) -> FloatArray:
        """Each persona's mean over the pairs it is in."""
        return np.array(
            [
                np.nanmean([v for pq, v in zip(pairs, values, strict=True) if p in pq])
                for p in range(n_p)
            ]
        )

    per = []
    rating_pairs = []
    for k in range(n_k):
        r = pairwise_correlation(ratings[:, k])
        rating_pairs.append(r)
        per.append(
            {
                "ratings": _summary(r),
                "effects": _summary(pairwise_correlation(effects[:, :, k])),
                "effect_ranks": _summary(pairwise_correlation(effects[:, :, k], rank=True)),
                "weight_min": float(weights[:, k].min()),
                "weight_max": float(weights[:, k].max()),
            }
        )
    gain = np.einsum("pk,pmk->pm", weights, effects)
    per_cost = gain / costs
    per_cost_pairs = pairwise_correlation(per_cost, rank=True)
    order = np.argsort(-per_cost, axis=1, kind="stable")[:, :TOP]
    shared = set(order[0].tolist()).intersection(*(set(o.tolist()) for o in order[1:]))
    ratings_r = np.mean([with_others(r) for r in rating_pairs], axis=0)
    gain_r = with_others(per_cost_pairs)
    return {
        "per_criterion": per,
        "gain": _summary(pairwise_correlation(gain, rank=True)),
        "gain_per_cost": _summary(per_cost_pairs),
        "per_persona": [
            {
                "ratings": float(ratings_r[p]),
                "gain_per_cost": float(gain_r[p]),
                "top": order[p].tolist(),
            }
            for p in range(n_p)
        ],
        "top_shared": sorted(shared),
    }


def build_report(
    data: StreetReview,
    fits: list[Fit],
    nested: list[NestedCV],
    weights: FloatArray,
    effects: FloatArray,
) -> dict[str, Any]:
    """The fit of the effects model and the personas' agreement, as plain data.

    Parameters
    ----------
    data : StreetReview
    fits, nested : list of Fit, list of NestedCV
        One per criterion, from :func:`.montreal_fit.fit_ratings` and
        :func:`.montreal_fit.nested_cv`.
    weights : numpy.ndarray of shape (personas, criteria)
    effects : numpy.ndarray of shape (personas, interventions, criteria)

    Returns
    -------
    dict
        RMSEs overall (``rmse_in_sample``, ``rmse_nested``, ``rmse_loo``,
        ``rmse_loo_mean_only``), ``per_group``, ``per_criterion`` and ``agreement``.

    Examples
    --------
    >>> build_report(None, [], [], np.ones((6, 4)), np.ones((6, 14, 4)))
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'fits' parameter of build_report must hold one result per criterion (4). Got 0 instead.
    """
    for name, items in (("fits", fits), ("nested", nested)):
        if len(items) != len(CRITERIA):
            raise ParameterError(
                f"The {name!r} parameter of build_report must hold one result per criterion "
                f"({len(CRITERIA)}). Got {len(items)} instead."
            )
    per = []
    for p, (gid, label, _) in enumerate(PERSONAS):
        per.append(
            {
                "group": gid,
                "label": label,
                "rmse_in_sample": _rms([f.rmse_in_sample[p] for f in fits]),
                "rmse_nested": _rms([n.rmse[p] for n in nested]),
                "rmse_loo": _rms([f.rmse_loo[p] for f in fits]),
                "rmse_loo_mean_only": _rms([f.rmse_loo_mean_only[p] for f in fits]),
                "weights": [float(w) for w in weights[p]],
            }
        )
    per_criterion = []
    for c, f, n in zip(CRITERIA, fits, nested, strict=True):
        same = (n.alpha_size == f.alpha_size) & (n.alpha_pool == f.alpha_pool)
        per_criterion.append(
            {
                "criterion": c[0],
                "alpha_size": f.alpha_size,
                "alpha_pool": f.alpha_pool,
                "rmse_in_sample": _rms(f.rmse_in_sample),
                "rmse_nested": _rms(n.errors),
                "rmse_loo": _rms(f.rmse_loo),
                "rmse_loo_mean_only": _rms(f.rmse_loo_mean_only),
                "nested_same_penalties": int(same.sum()),
                "nested_alpha_size": [float(n.alpha_size.min()), float(n.alpha_size.max())],
                "nested_alpha_pool": [float(n.alpha_pool.min()), float(n.alpha_pool.max())],
            }
        )
    costs = np.array([float(iv[4]) for iv in INTERVENTIONS])
    return {
        "streets": len(data.streets),
        "baseline_street": BASELINE_STREET,
        "raters": len(data.raters),
        "per_group": per,
        "per_criterion": per_criterion,
        "rmse_in_sample": _rms(np.concatenate([f.rmse_in_sample for f in fits])),
        "rmse_nested": _rms(np.concatenate([n.errors for n in nested])),
        "rmse_loo": _rms(np.concatenate([f.rmse_loo for f in fits])),
        "rmse_loo_mean_only": _rms(np.concatenate([f.rmse_loo_mean_only for f in fits])),
        # Agreement on the weights and effects as the scenario holds them (4 decimals).
        "agreement": persona_agreement(
            data.ratings, np.round(weights, 4), np.round(effects, 4), costs
        ),
    }


def _pair(summary: dict[str, Any]) -> str:
    text = f"{summary['mean']:.2f} ({summary['min']:.2f})"
    return text + (f", {summary['undefined']} pairs undefined" if summary["undefined"] else "")


def report_markdown(report: dict[str, Any]) -> str:
    """The report of :func:`build_report` as Markdown (``docs/montreal-derivation.md``).

    Examples
    --------
    >>> report_markdown({})
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'report' parameter of report_markdown must be a report of build_report completed by derive; it lacks 'derivation_version'.
    """
    needed = ("derivation_version", "dispersion", "rmse_loo_independent", "rmse_nested_independent")
    for key in (*needed, "per_group", "agreement"):
        if key not in report:
            raise ParameterError(
                "The 'report' parameter of report_markdown must be a report of build_report "
                f"completed by derive; it lacks {key!r}."
            )
    r = report
    lines = [
        "# montreal-streets: how well the derived model fits",
        "",
        f"Derivation {r['derivation_version']}; {r['streets']} streets, baseline street "
        f"{r['baseline_street']}; individual dispersion {r['dispersion']} "
        f"(from {r['raters']} raters).",
        "",
        "**Out of sample, the effects model predicts a persona's rating of a street it has "
        f"not seen with a root-mean-square error of {r['rmse_nested']:.3f} rating points** "
        "(1..4 scale; nested leave-one-street-out cross-validation: for each street, both "
        "penalties are chosen by the same leave-one-street-out selection on the other "
        f"{r['streets'] - 1} streets only), against {r['rmse_loo_mean_only']:.3f} for "
        "predicting each street by the mean of the other streets. In sample the error is "
        f"{r['rmse_in_sample']:.3f}. Leaving each street out with the penalties chosen on all "
        f"{r['streets']} streets gives {r['rmse_loo']:.3f}; that figure is optimistic, "
        "because the streets it scores also chose the penalties.",
        "",
        "Root-mean-square error in rating points, per persona over the four criteria:",
        "",
        "| persona | in-sample | out of sample (nested) | mean of other streets "
        "| leave-one-out, penalties from all streets | weights (P, I, Ae, Ac) |",
        "|---|---|---|---|---|---|",
    ]
    for g in r["per_group"]:
        w = ", ".join(f"{v:.2f}" for v in g["weights"])
        lines.append(
            f"| {g['label']} | {g['rmse_in_sample']:.3f} | {g['rmse_nested']:.3f} | "
            f"{g['rmse_loo_mean_only']:.3f} | {g['rmse_loo']:.3f} | {w} |"
        )
    lines.append(
        f"| **all** | **{r['rmse_in_sample']:.3f}** | **{r['rmse_nested']:.3f}** | "
        f"**{r['rmse_loo_mean_only']:.3f}** | **{r['rmse_loo']:.3f}** | |"
    )
    lines += [
        "",
        "Per criterion, over the six personas, with the penalties chosen on all streets "
        "(size of the mean coefficients; departure of each persona from the mean, where the "
        "largest value means the personas share one model) and how often the nested "
        "selection, without one street, chose the same pair:",
        "",
        "| criterion | in-sample | out of sample (nested) | mean of other streets "
        "| leave-one-out, penalties from all streets | size | pooling | same pair in nested folds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in r["per_criterion"]:
        lines.append(
            f"| {c['criterion']} | {c['rmse_in_sample']:.3f} | {c['rmse_nested']:.3f} | "
            f"{c['rmse_loo_mean_only']:.3f} | {c['rmse_loo']:.3f} | {c['alpha_size']:.3g} | "
            f"{c['alpha_pool']:.3g} | {c['nested_same_penalties']} of {r['streets']} |"
        )
    verdict = "better" if r["rmse_nested"] < r["rmse_nested_independent"] else "about as well"
    lines += [
        "",
        "Six separate models (one per persona, no pooling) reach "
        f"{r['rmse_nested_independent']:.3f} out of sample (nested) and "
        f"{r['rmse_loo_independent']:.3f} with their penalties chosen on all streets; out of "
        f"sample the pooled model predicts {verdict}, with far fewer effective parameters, "
        "and is kept.",
        "",
        *_agreement_markdown(r),
    ]
    return "\n".join(lines) + "\n"


def _agreement_markdown(r: dict[str, Any]) -> list[str]:
    a = r["agreement"]
    names = [iv[1] for iv in INTERVENTIONS]
    n_pairs = len(PERSONAS) * (len(PERSONAS) - 1) // 2
    lines = [
        "## Where the personas agree and disagree",
        "",
        f"Correlation between two personas, as mean over the {n_pairs} pairs (and lowest pair): of "
        f"their ratings across the {r['streets']} streets; of the fitted effects of the "
        f"{len(INTERVENTIONS)} upgrades (values, and Spearman correlation of their ranks); "
        "and the range of each criterion's weight across the personas:",
        "",
        "| criterion | ratings | effects | effects' ranks | pooling penalty | weights |",
        "|---|---|---|---|---|---|",
    ]
    for c, k in zip(r["per_criterion"], a["per_criterion"], strict=True):
        lines.append(
            f"| {c['criterion']} | {_pair(k['ratings'])} | {_pair(k['effects'])} | "
            f"{_pair(k['effect_ranks'])} | {c['alpha_pool']:.3g} | "
            f"{k['weight_min']:.2f}-{k['weight_max']:.2f} |"
        )
    shared = ", ".join(names[m].lower() for m in a["top_shared"]) or "none"
    ratings_mean = [k["ratings"]["mean"] for k in a["per_criterion"]]
    least = min(range(len(PERSONAS)), key=lambda p: a["per_persona"][p]["ratings"])
    lines += [
        "",
        "Where cross-validation chose the largest pooling penalty, the personas share one "
        "model and their effects agree by construction: the streets are too few to tell the "
        "personas apart there, which is not the same as a measured consensus. The ratings "
        f"themselves agree moderately (mean correlation {min(ratings_mean):.2f} to "
        f"{max(ratings_mean):.2f} by criterion); {PERSONAS[least][1]} agree least with the "
        f"others ({a['per_persona'][least]['ratings']:.2f}, mean over the criteria).",
        "",
        "Combining the criteria with each persona's weights gives each upgrade's utility gain "
        "for that persona. The Spearman correlation of the gains' ranks over the pairs of "
        f"personas is {_pair(a['gain'])}, and per unit cost {_pair(a['gain_per_cost'])}. "
        f"Every persona's {TOP} best upgrades per unit cost include: {shared}.",
        "",
        "| persona | ratings: correlation with the others | gains per cost: rank correlation "
        f"with the others | {TOP} best upgrades per unit cost |",
        "|---|---|---|---|",
    ]
    for g, p in zip(r["per_group"], a["per_persona"], strict=True):
        best = ", ".join(names[m].lower() for m in p["top"])
        lines.append(f"| {g['label']} | {p['ratings']:.2f} | {p['gain_per_cost']:.2f} | {best} |")
    return lines
