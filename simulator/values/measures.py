"""Measures on value vectors: similarity, conflict, alignment, and criteria weights.

Examples
--------
>>> from plurisim.values import MFT
>>> round(cosine_similarity(MFT.vector({"care": 1}), MFT.vector({"care": 1, "fairness": 1})), 4)
0.7071
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike
from plurisim.errors import ParameterError
from plurisim.values.space import FloatArray, ValueSpace, normalize

__all__ = [
    "conflict",
    "cosine_similarity",
    "criteria_space",
    "signed_alignment",
    "value_to_criteria",
]


def cosine_similarity(u: ArrayLike, v: ArrayLike) -> float:
    """Cosine of the angle between two value vectors, in [-1, 1].

    Examples
    --------
    >>> cosine_similarity([1, 0], [1, 1]).__round__(4)
    0.7071
    """
    a, b = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        raise ParameterError("Cosine similarity is undefined for an all-zero vector.")
    return float(np.clip(a @ b / (na * nb), -1.0, 1.0))


def conflict(u: ArrayLike, v: ArrayLike, space: ValueSpace | None = None) -> float:
    """Value conflict between two weight vectors, in [0, 1].

    ``(1 - s) / 2`` where ``s`` is the cosine similarity under the space's
    compatibility :meth:`~ValueSpace.kernel`. On Schwartz's circle, two groups that
    put all weight on the same value have conflict 0; on neighbouring values about
    0.31; on values at opposite positions 0.75. Without geometry, it is
    ``(1 - cosine) / 2``.

    Examples
    --------
    >>> from plurisim.values import SCHWARTZ10
    >>> round(conflict(SCHWARTZ10.vector({"HE": 1}), SCHWARTZ10.vector({"HE": 1}), SCHWARTZ10), 6)
    0.0
    """
    a, b = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    if a.shape != b.shape:
        raise ParameterError(f"Vectors of different lengths: {a.size} and {b.size}.")
    k = np.eye(a.size) if space is None else space.kernel()
    if k.shape[0] != a.size:
        raise ParameterError(
            f"The value space {space.name if space else ''!r} has {k.shape[0]} dimensions; "
            f"the vectors have {a.size}."
        )
    denom = math.sqrt(float(a @ k @ a) * float(b @ k @ b))
    if denom == 0.0:
        raise ParameterError("Value conflict is undefined for an all-zero vector.")
    sim = float(np.clip(a @ k @ b / denom, -1.0, 1.0))
    return (1.0 - sim) / 2.0


def signed_alignment(valence: ArrayLike, target: ArrayLike) -> float:
    """FULCRA-style alignment of a signed valence vector with a target, in [-1, 1].

    ``sum(target * valence) / sum(|target|)``: +1 when the behaviour supports every
    value the target holds, -1 when it opposes every one, 0 when it touches none.

    Parameters
    ----------
    valence : array-like
        Labels in [-1, 1] (+1 aligned, -1 opposed, 0 no connection).
    target : array-like
        Importance weights (or a signed target) over the same dimensions.

    Examples
    --------
    >>> signed_alignment([1, -1, 0], [0.5, 0.5, 0.0])
    0.0
    >>> signed_alignment([1, 1, -1], [0.6, 0.4, 0.0])
    1.0
    >>> signed_alignment([2, 0, 0], [1, 0, 0])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: Valence labels must lie in [-1, 1]; got 2.0.
    """
    val = np.asarray(valence, dtype=float)
    tgt = np.asarray(target, dtype=float)
    if val.shape != tgt.shape:
        raise ParameterError(f"Vectors of different lengths: {val.size} and {tgt.size}.")
    bad = val[(val < -1) | (val > 1) | ~np.isfinite(val)]
    if bad.size:
        raise ParameterError(f"Valence labels must lie in [-1, 1]; got {bad[0]}.")
    scale = float(np.abs(tgt).sum())
    if scale == 0.0:
        raise ParameterError("The target of an alignment score cannot be all zero.")
    return float(tgt @ val / scale)


def value_to_criteria(vector: ArrayLike, mapping: ArrayLike) -> FloatArray:
    """Turn a value vector into criteria weights through a mapping matrix.

    Each row of ``mapping`` says which criteria serve one value; rows are scaled to
    sum 1 so that a value passes on exactly its own importance, shared among its
    criteria. The result is normalized to sum 1.

    Parameters
    ----------
    vector : array-like of shape (n_values,)
        Importance weights over a value space.
    mapping : array-like of shape (n_values, n_criteria)
        Non-negative: how much each criterion serves each value. All-zero rows
        (values no criterion serves) pass nothing on.

    Returns
    -------
    numpy.ndarray of shape (n_criteria,)

    Examples
    --------
    >>> value_to_criteria([0.25, 0.75], [[1, 0, 0], [0, 1, 1]])
    array([0.25 , 0.375, 0.375])
    """
    v = np.asarray(vector, dtype=float)
    m = np.asarray(mapping, dtype=float)
    if m.ndim != 2 or m.shape[0] != v.size:
        raise ParameterError(
            f"The mapping needs one row per value ({v.size}); got shape {m.shape}."
        )
    if np.any(m < 0) or not np.all(np.isfinite(m)):
        raise ParameterError("A value-to-criteria mapping must be finite and non-negative.")
    rows = m.sum(axis=1, keepdims=True)
    shares = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    out = v @ shares
    if out.sum() <= 0:
        raise ParameterError(
            "This value vector maps to all-zero criteria weights: no value it holds "
            "is connected to any criterion."
        )
    return normalize(out)


def criteria_space(criteria: Sequence[str], labels: Iterable[str] | None = None) -> ValueSpace:
    """A plain value space over a scenario's own criteria.

    Examples
    --------
    >>> criteria_space(["comfort", "safety"]).dimensions
    ('comfort', 'safety')
    """
    crit = tuple(criteria)
    labs = tuple(labels) if labels is not None else tuple(c.replace("_", " ").title() for c in crit)
    return ValueSpace(
        name="criteria", dimensions=crit, labels=labs, description="Scenario criteria."
    )
