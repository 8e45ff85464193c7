"""The effects model of the ``montreal-streets`` derivation and its cross-validation.

Per criterion, the six personas' ratings of the streets are regressed on the
streets' attributes by a ridge regression with *partial pooling*: each persona has
its own coefficients, penalized both in size (``alpha_size`` on the personas' mean
coefficients) and in their distance from the personas' mean (``alpha_pool``).
Coefficients are non-negative (an upgrade is assumed not to lower a rating). Both
penalties are chosen on a grid by leave-one-street-out cross-validation
(:func:`fit_ratings`).

Because the penalties are chosen on the same streets the cross-validation scores,
that score is optimistic. :func:`nested_cv` scores the whole procedure honestly:
each street is predicted by a model whose penalties were chosen, by the same
leave-one-street-out selection, on the other streets only.

Every fit solves a non-negative least-squares problem in normal-equation form by
block principal pivoting (:func:`nnls_gram`), started from the support of a
neighbouring fit; the solution is unique, so the start changes only the speed.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> x = rng.random((8, 2))
>>> y = np.vstack([1 + 2 * x[:, 0], 1 + x[:, 0] + x[:, 1]]) + 0.1 * rng.normal(size=(2, 8))
>>> fit = fit_ratings(x, y)
>>> bool(np.all(fit.coef >= 0)), fit.coef.shape
(True, (2, 2))
>>> bool(np.all(nested_cv(x, y).rmse >= 0))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError, SolverError

__all__ = [
    "ALPHA_POOL",
    "ALPHA_SIZE",
    "Fit",
    "NestedCV",
    "fit_ratings",
    "independent_loo",
    "nested_cv",
    "nnls_gram",
    "pooled_fit",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

ALPHA_SIZE = np.geomspace(0.03, 300.0, 9)  # penalty on the personas' mean coefficients
ALPHA_POOL = np.geomspace(0.1, 1000.0, 9)  # penalty on each persona's departure from it
_RIDGE = 1e-10  # keeps the penalty positive definite when alpha_pool is 0
_TIE = 1e-12  # a penalty pair must beat the best so far by this much to replace it


@dataclass(frozen=True)
class Fit:
    """The pooled model of one criterion: coefficients per persona and its errors.

    Attributes
    ----------
    coef : numpy.ndarray of shape (personas, features)
        Non-negative coefficients.
    intercept : numpy.ndarray of shape (personas,)
    alpha_size, alpha_pool : float
        The penalties chosen by leave-one-street-out cross-validation.
    rmse_in_sample, rmse_loo, rmse_loo_mean_only : numpy.ndarray of shape (personas,)
        Errors in sample, leaving each street out (with the penalties chosen on all
        streets: optimistic), and of predicting each street by the others' mean.
    """

    coef: FloatArray
    intercept: FloatArray
    alpha_size: float
    alpha_pool: float
    rmse_in_sample: FloatArray
    rmse_loo: FloatArray
    rmse_loo_mean_only: FloatArray


@dataclass(frozen=True)
class NestedCV:
    """Nested leave-one-street-out cross-validation of :func:`fit_ratings`.

    Attributes
    ----------
    errors : numpy.ndarray of shape (personas, streets)
        Rating minus prediction for each street, predicted by a model fitted, with
        penalties chosen, on the other streets only.
    alpha_size, alpha_pool : numpy.ndarray of shape (streets,)
        The penalties chosen without each street.
    """

    errors: FloatArray
    alpha_size: FloatArray
    alpha_pool: FloatArray

    @property
    def rmse(self) -> FloatArray:
        """Root-mean-square error per persona."""
        return np.asarray(np.sqrt(np.mean(self.errors**2, axis=1)))


def nnls_gram(
    h: ArrayLike, g: ArrayLike, *, start: ArrayLike | None = None, tol: float = 1e-12
) -> tuple[FloatArray, BoolArray]:
    """Minimize ``c @ h @ c / 2 - g @ c`` over ``c >= 0`` by block principal pivoting.

    This is non-negative least squares ``min |A c - t|`` in normal-equation form
    (``h = A.T A``, ``g = A.T t``), solved by the block principal pivoting method
    of Kim and Park (2011) with the finite-termination safeguard of Júdice and
    Pires (1994). The solution is unique when ``h`` is positive definite, so the
    starting support changes only the number of linear solves.

    Parameters
    ----------
    h : array-like of shape (n, n)
        Symmetric positive definite.
    g : array-like of shape (n,)
    start : array-like of bool, shape (n,), optional
        A guess of the support (the entries that end up positive).
    tol : float
        A zero entry is optimal when its gradient is at least ``-tol * max(1, |g|)``.

    Returns
    -------
    c : numpy.ndarray of shape (n,)
    support : numpy.ndarray of bool, shape (n,)
        The entries solved for in the last linear system.

    Raises
    ------
    ParameterError
        If the shapes do not match.
    SolverError
        If pivoting does not terminate (``h`` far from positive definite).

    Examples
    --------
    >>> c, support = nnls_gram(np.eye(2), [1.0, -1.0])
    >>> c, support
    (array([1., 0.]), array([ True, False]))
    >>> nnls_gram(np.eye(2), [1.0, 2.0, 3.0])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'h' parameter of nnls_gram must be a square matrix of the size of g (3). Got shape (2, 2) instead.
    """
    hh, gg = np.asarray(h, dtype=float), np.asarray(g, dtype=float)
    n = gg.size
    if gg.ndim != 1 or hh.shape != (n, n):
        raise ParameterError(
            "The 'h' parameter of nnls_gram must be a square matrix of the size of g "
            f"({n}). Got shape {hh.shape} instead."
        )
    free = np.zeros(n, dtype=bool) if start is None else np.array(start, dtype=bool)
    if free.shape != (n,):
        raise ParameterError(
            f"The 'start' parameter of nnls_gram must have shape ({n},). "
            f"Got shape {free.shape} instead."
        )
    threshold = -tol * max(1.0, float(np.abs(gg).max(initial=0.0)))
    fewest, backups = n + 1, 3
    for _ in range(50 * (n + 1)):
        idx = np.flatnonzero(free)
        c = np.zeros(n)
        if idx.size:
            c[idx] = np.linalg.solve(hh[np.ix_(idx, idx)], gg[idx])
        wrong = np.where(free, c < 0, hh @ c - gg < threshold)
        count = int(wrong.sum())
        if count == 0:
            return c, free
        if count < fewest:
            fewest, backups = count, 3
            free ^= wrong
        elif backups > 0:
            backups -= 1
            free ^= wrong
        else:  # exchange one entry only: guarantees termination
            last = np.flatnonzero(wrong)[-1]
            free[last] = not free[last]
    raise SolverError(f"Block principal pivoting did not terminate on a problem of size {n}.")


def _penalty(n_personas: int, n_features: int, alpha_size: float, alpha_pool: float) -> FloatArray:
    """``alpha_size |mean|^2 + alpha_pool sum_p |coef_p - mean|^2`` as a matrix."""
    mean = np.kron(np.ones((1, n_personas)) / n_personas, np.eye(n_features))
    dev = np.eye(n_personas * n_features) - np.kron(np.ones((n_personas, 1)), mean)
    q = alpha_size * mean.T @ mean + alpha_pool * dev.T @ dev
    return np.asarray(q + _RIDGE * np.eye(q.shape[0]))


def _fit(
    x: FloatArray, y: FloatArray, penalty: FloatArray, start: BoolArray | None
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Pooled non-negative ridge on centred data; ``x`` (streets, features), ``y`` (personas, streets)."""
    n_p = y.shape[0]
    xm, ym = x.mean(axis=0), y.mean(axis=1)
    xc = x - xm
    gram, n_f = xc.T @ xc, x.shape[1]
    h = penalty.copy()  # + kron(I, gram), block by block (kron is slow at this size)
    for p in range(n_p):
        h[p * n_f : (p + 1) * n_f, p * n_f : (p + 1) * n_f] += gram
    coef, support = nnls_gram(h, ((y - ym[:, None]) @ xc).ravel(), start=start)
    c = coef.reshape(n_p, n_f)
    return c, ym - c @ xm, support


def _check(x: Any, y: Any, caller: str, min_streets: int) -> tuple[FloatArray, FloatArray]:
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xa.ndim != 2 or xa.shape[0] < min_streets or not np.all(np.isfinite(xa)):
        raise ParameterError(
            f"The 'x' parameter of {caller} must be a finite array of shape (streets, "
            f"features) with at least {min_streets} streets. Got shape {xa.shape} instead."
        )
    if ya.ndim != 2 or ya.shape[1] != xa.shape[0] or not np.all(np.isfinite(ya)):
        raise ParameterError(
            f"The 'y' parameter of {caller} must be a finite array of shape (personas, "
            f"{xa.shape[0]}), one column per street of x. Got shape {ya.shape} instead."
        )
    return xa, ya


def pooled_fit(
    x: ArrayLike, y: ArrayLike, alpha_size: float, alpha_pool: float
) -> tuple[FloatArray, FloatArray]:
    """Fit the pooled non-negative ridge with given penalties.

    Parameters
    ----------
    x : array-like of shape (streets, features)
    y : array-like of shape (personas, streets)
    alpha_size, alpha_pool : float
        Penalties on the personas' mean coefficients and on each persona's
        departure from that mean.

    Returns
    -------
    coef : numpy.ndarray of shape (personas, features)
    intercept : numpy.ndarray of shape (personas,)

    Examples
    --------
    >>> coef, intercept = pooled_fit([[0.0], [1.0], [2.0]], [[1.0, 2.0, 3.0]], 1e-6, 0.0)
    >>> coef.round(4), intercept.round(4)
    (array([[1.]]), array([1.]))
    >>> pooled_fit([[0.0], [1.0]], [[1.0, 2.0, 3.0]], 1.0, 1.0)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'y' parameter of pooled_fit must be a finite array of shape (personas, 2), one column per street of x. Got shape (1, 3) instead.
    """
    xa, ya = _check(x, y, "pooled_fit", 1)
    q = _penalty(ya.shape[0], xa.shape[1], alpha_size, alpha_pool)
    c, b0, _ = _fit(xa, ya, q, None)
    return c, b0


def _loo_table(
    x: FloatArray, y: FloatArray, penalties: list[FloatArray]
) -> tuple[FloatArray, BoolArray]:
    """Leave-one-street-out errors (grid, personas, streets) and supports (grid, streets, coefs)."""
    n_p, n_s = y.shape
    table = np.empty((len(penalties), n_p, n_s))
    supports = np.empty((len(penalties), n_s, n_p * x.shape[1]), dtype=bool)
    for k, q in enumerate(penalties):
        start = None
        for i in range(n_s):
            keep = np.arange(n_s) != i
            c, b0, start = _fit(x[keep], y[:, keep], q, start)
            table[k, :, i] = y[:, i] - (b0 + c @ x[i])
            supports[k, i] = start
    return table, supports


def _select(table: FloatArray) -> int:
    """The first grid point whose cross-validated RMSE is the lowest."""
    best, choice = np.inf, 0
    for k in range(table.shape[0]):
        rmse = float(np.sqrt(np.mean(table[k] ** 2)))
        if rmse < best - _TIE:
            best, choice = rmse, k
    return choice


def _grid(
    n_p: int, n_f: int, sizes: ArrayLike, pools: ArrayLike
) -> tuple[list[tuple[float, float]], list[FloatArray]]:
    pairs = [(float(a), float(b)) for a in np.ravel(sizes) for b in np.ravel(pools)]
    return pairs, [_penalty(n_p, n_f, a, b) for a, b in pairs]


def fit_ratings(
    x: ArrayLike, y: ArrayLike, *, sizes: ArrayLike = ALPHA_SIZE, pools: ArrayLike = ALPHA_POOL
) -> Fit:
    """Fit one criterion, choosing both penalties by leave-one-street-out cross-validation.

    Parameters
    ----------
    x : array-like of shape (streets, features)
    y : array-like of shape (personas, streets)
    sizes, pools : array-like of float
        The grids of ``alpha_size`` and ``alpha_pool``; ties go to the first pair.

    Returns
    -------
    Fit

    Examples
    --------
    >>> fit = fit_ratings([[0.0], [1.0], [2.0], [3.0]], [[1.0, 2.0, 3.0, 4.0]])
    >>> fit.coef.round(2), fit.alpha_size
    (array([[0.99]]), 0.03)
    >>> fit_ratings([[0.0]], [[1.0]])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'x' parameter of fit_ratings must be a finite array of shape (streets, features) with at least 2 streets. Got shape (1, 1) instead.
    """
    xa, ya = _check(x, y, "fit_ratings", 2)
    n_p, n_s = ya.shape
    pairs, penalties = _grid(n_p, xa.shape[1], sizes, pools)
    table, _ = _loo_table(xa, ya, penalties)
    k = _select(table)
    c, b0, _ = _fit(xa, ya, penalties[k], None)
    fitted = b0[:, None] + c @ xa.T
    mean_only = np.array(
        [[ya[p, i] - np.delete(ya[p], i).mean() for i in range(n_s)] for p in range(n_p)]
    )
    return Fit(
        coef=c,
        intercept=b0,
        alpha_size=pairs[k][0],
        alpha_pool=pairs[k][1],
        rmse_in_sample=np.sqrt(np.mean((ya - fitted) ** 2, axis=1)),
        rmse_loo=np.sqrt(np.mean(table[k] ** 2, axis=1)),
        rmse_loo_mean_only=np.sqrt(np.mean(mean_only**2, axis=1)),
    )


def nested_cv(
    x: ArrayLike, y: ArrayLike, *, sizes: ArrayLike = ALPHA_SIZE, pools: ArrayLike = ALPHA_POOL
) -> NestedCV:
    """Nested leave-one-street-out cross-validation of :func:`fit_ratings`.

    For each street (outer fold), the penalties are chosen by leave-one-street-out
    cross-validation on the other streets only, the model is fitted on them with
    those penalties, and the street is predicted. The result equals running
    :func:`fit_ratings` once per street without it, but each fit leaving out a
    pair of streets is computed once for both streets of the pair.

    Parameters
    ----------
    x : array-like of shape (streets, features)
    y : array-like of shape (personas, streets)
    sizes, pools : array-like of float
        The penalty grids of :func:`fit_ratings`.

    Returns
    -------
    NestedCV

    Examples
    --------
    >>> x, y = [[0.0], [1.0], [2.0], [3.0]], [[1.0, 2.0, 3.0, 4.0]]
    >>> nested_cv(x, y).rmse.round(3)
    array([0.021])
    >>> nested_cv([[0.0], [1.0]], [[1.0, 2.0]])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'x' parameter of nested_cv must be a finite array of shape (streets, features) with at least 3 streets. Got shape (2, 1) instead.
    """
    xa, ya = _check(x, y, "nested_cv", 3)
    n_p, n_s = ya.shape
    pairs, penalties = _grid(n_p, xa.shape[1], sizes, pools)
    outer, supports = _loo_table(xa, ya, penalties)
    # inner[i, k, :, j]: the error on street j of the fit without streets i and j.
    inner = np.zeros((n_s, len(penalties), n_p, n_s))
    streets = np.arange(n_s)
    for k, q in enumerate(penalties):
        for i in range(n_s):
            for j in range(i + 1, n_s):
                keep = (streets != i) & (streets != j)
                c, b0, _ = _fit(xa[keep], ya[:, keep], q, supports[k, i])
                inner[i, k, :, j] = ya[:, j] - (b0 + c @ xa[j])
                inner[j, k, :, i] = ya[:, i] - (b0 + c @ xa[i])
    errors = np.empty((n_p, n_s))
    chosen = []
    for i in range(n_s):
        k = _select(inner[i][:, :, streets != i])
        errors[:, i] = outer[k, :, i]
        chosen.append(pairs[k])
    return NestedCV(
        errors=errors,
        alpha_size=np.array([a for a, _ in chosen]),
        alpha_pool=np.array([b for _, b in chosen]),
    )


def independent_loo(x: ArrayLike, y: ArrayLike, *, nested: bool = False) -> float:
    """Leave-one-street-out RMSE of separate models per persona (for the report).

    Each persona gets its own non-negative ridge (no pooling) with its own penalty
    chosen on ``ALPHA_SIZE`` by the same cross-validation; the pooled model is kept
    when it predicts about as well.

    Parameters
    ----------
    x : array-like of shape (streets, features)
    y : array-like of shape (personas, streets)
    nested : bool
        Choose each persona's penalty without the street predicted
        (:func:`nested_cv`) rather than on all streets.

    Examples
    --------
    >>> x, y = [[0.0], [1.0], [2.0], [3.0]], [[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 3.0, 3.0]]
    >>> independent_loo(x, y) <= independent_loo(x, y, nested=True)
    True
    >>> independent_loo([[0.0], [1.0]], [[1.0, 2.0]], nested=True)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'x' parameter of nested_cv must be a finite array of shape (streets, features) with at least 3 streets. Got shape (2, 1) instead.
    """
    xa, ya = _check(x, y, "independent_loo", 2)
    mse = []
    for p in range(ya.shape[0]):
        if nested:
            errors = nested_cv(xa, ya[p : p + 1], sizes=ALPHA_SIZE, pools=[0.0]).errors
        else:
            table, _ = _loo_table(xa, ya[p : p + 1], _grid(1, xa.shape[1], ALPHA_SIZE, [0.0])[1])
            errors = table[_select(table)]
        mse.append(float(np.mean(errors**2)))
    return float(np.sqrt(np.mean(mse)))
