"""The montreal-streets effects model: its solver, its pooled fit, nested cross-validation
and the persona-agreement figures, on small synthetic data (no StreetReview needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from plurisim.errors import ParameterError
from plurisim.scenarios.derive.montreal_fit import (
    fit_ratings,
    independent_loo,
    nested_cv,
    nnls_gram,
    pooled_fit,
)
from plurisim.scenarios.derive.montreal_report import pairwise_correlation, persona_agreement
from scipy.optimize import nnls
from scipy.stats import spearmanr

SIZES = [0.01, 1.0, 100.0]
POOLS = [0.1, 10.0, 1000.0]


def synthetic(seed, n_streets=8, n_personas=2, n_features=3, signal=1.0):
    """Ratings that rise with the features (``signal`` 0: pure noise)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n_streets, n_features))
    slopes = rng.random((n_personas, n_features))
    y = 2.0 + signal * slopes @ x.T + 0.3 * rng.normal(size=(n_personas, n_streets))
    return x, y


@pytest.mark.parametrize("seed", range(20))
def test_nnls_gram_matches_scipy_nnls_from_any_start(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(12, 7))
    t = rng.normal(size=12)
    expected, _ = nnls(a, t)
    for start in (None, rng.random(7) < 0.5, np.ones(7, bool)):
        c, support = nnls_gram(a.T @ a, a.T @ t, start=start)
        np.testing.assert_allclose(c, expected, atol=1e-10)
        assert np.all(c >= 0)
        assert np.all(c[~support] == 0)


def test_nnls_gram_rejects_a_bad_start():
    with pytest.raises(ParameterError, match="'start' parameter of nnls_gram must have shape"):
        nnls_gram(np.eye(2), [1.0, 1.0], start=[True])


@pytest.mark.parametrize(("seed", "alpha_size", "alpha_pool"), [(0, 0.1, 0.0), (1, 1.0, 10.0)])
def test_pooled_fit_minimizes_the_penalized_least_squares(seed, alpha_size, alpha_pool):
    # Oracle: scipy's NNLS on the problem written out as one stacked least squares.
    x, y = synthetic(seed, n_personas=3)
    n_p, n_f = y.shape[0], x.shape[1]
    xc = x - x.mean(axis=0)
    mean = np.hstack([np.eye(n_f) / n_p] * n_p)  # coefs -> the personas' mean coefs
    rows = [np.kron(np.eye(n_p), xc), np.sqrt(alpha_size) * mean]
    rows += [
        np.sqrt(alpha_pool) * (np.kron(np.eye(n_p)[p], np.eye(n_f)) - mean) for p in range(n_p)
    ]
    target = np.concatenate(
        [(y - y.mean(axis=1, keepdims=True)).ravel(), np.zeros(n_f * (n_p + 1))]
    )
    expected, _ = nnls(np.vstack(rows), target)
    coef, intercept = pooled_fit(x, y, alpha_size, alpha_pool)
    np.testing.assert_allclose(coef.ravel(), expected, atol=1e-6)
    np.testing.assert_allclose(intercept, y.mean(axis=1) - coef @ x.mean(axis=0))


@pytest.mark.parametrize("seed", range(3))
def test_nested_cv_equals_fit_ratings_run_without_each_street(seed):
    # Oracle: the definition, one full penalty selection per left-out street.
    x, y = synthetic(seed)
    result = nested_cv(x, y, sizes=SIZES, pools=POOLS)
    for i in range(x.shape[0]):
        keep = np.arange(x.shape[0]) != i
        fit = fit_ratings(x[keep], y[:, keep], sizes=SIZES, pools=POOLS)
        np.testing.assert_allclose(
            result.errors[:, i], y[:, i] - (fit.intercept + fit.coef @ x[i]), atol=1e-9
        )
        assert (result.alpha_size[i], result.alpha_pool[i]) == (fit.alpha_size, fit.alpha_pool)


def test_nested_cv_is_less_optimistic_than_choosing_penalties_on_all_streets():
    # Pure noise: every penalty pair is a guess; the one that scores best on all
    # streets flatters itself, the nested figure pays for choosing.
    x, y = synthetic(0, n_streets=10, signal=0.0)
    flattering = float(np.sqrt(np.mean(fit_ratings(x, y).rmse_loo ** 2)))
    honest = float(np.sqrt(np.mean(nested_cv(x, y).rmse ** 2)))
    assert honest > flattering


def test_independent_models_are_one_persona_pooled_fits_without_pooling():
    x, y = synthetic(4, n_personas=2)
    per_persona = [
        fit_ratings(x, y[p : p + 1], pools=[0.0]).rmse_loo[0] ** 2 for p in range(y.shape[0])
    ]
    assert independent_loo(x, y) == pytest.approx(np.sqrt(np.mean(per_persona)))
    nested = [nested_cv(x, y[p : p + 1], pools=[0.0]).rmse[0] ** 2 for p in range(y.shape[0])]
    assert independent_loo(x, y, nested=True) == pytest.approx(np.sqrt(np.mean(nested)))


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        (np.ones((3, 2)), np.ones((2, 4)), "'y' parameter of nested_cv"),
        (np.ones((3, 2)), np.full((2, 3), np.nan), "'y' parameter of nested_cv"),
        (np.ones(3), np.ones((2, 3)), "'x' parameter of nested_cv"),
    ],
)
def test_nested_cv_rejects_bad_shapes(x, y, match):
    with pytest.raises(ParameterError, match=match):
        nested_cv(x, y)


def test_pairwise_correlation_matches_scipy():
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 4, size=(4, 9)).astype(float)  # ties, as ratings have
    got = pairwise_correlation(rows, rank=True)
    expected = [spearmanr(rows[a], rows[b])[0] for a, b in itertools.combinations(range(4), 2)]
    np.testing.assert_allclose(got, expected, atol=5e-4)
    assert np.isnan(pairwise_correlation(np.array([[1.0, 1.0], [1.0, 2.0]]))[0])


def test_persona_agreement_sees_agreement_and_disagreement():
    rng = np.random.default_rng(3)
    ratings = rng.random((3, 2, 10))
    ratings[1] = ratings[0]  # personas 0 and 1 rate alike, persona 2 at random
    effects = rng.random((3, 6, 2))
    effects[1] = 2 * effects[0]
    effects[2] = -effects[0] + 1  # reverses persona 0's ranking
    weights = np.full((3, 2), 0.5)
    a = persona_agreement(ratings, weights, effects, np.ones(6))
    for k in range(2):
        assert a["per_criterion"][k]["ratings"]["min"] < 1.0
        assert a["per_criterion"][k]["effects"]["min"] == -1.0
        assert a["per_criterion"][k]["effect_ranks"]["mean"] == pytest.approx(-1 / 3, abs=1e-3)
    assert a["gain"]["min"] == -1.0
    assert a["per_persona"][0]["top"] == a["per_persona"][1]["top"]
    assert a["top_shared"] == sorted(
        set(a["per_persona"][0]["top"]) & set(a["per_persona"][2]["top"])
    )
