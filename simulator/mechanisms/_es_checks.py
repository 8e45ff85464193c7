"""Argument checks shared by the ballot rules in :mod:`.equal_shares`.

Every error names the parameter, the function, what is allowed and the bad value,
in scikit-learn's format.

Examples
--------
>>> from plurisim.mechanisms._es_checks import pairs, vector
>>> vector([1, 2.5], "costs", "equal_shares", 2).tolist()
[1.0, 2.5]
>>> pairs([(0, 0)], "exclusions", "equal_shares", 2)
Traceback (most recent call last):
...
plurisim.errors.ParameterError: The 'exclusions' parameter of equal_shares must be pairs (a, b) of distinct project indices in [0, 1]. Got (0, 0) instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from plurisim.errors import ParameterError

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["invalid", "pairs", "tie_ranks", "utilities_matrix", "vector"]


def invalid(name: str, owner: str, what: str, value: Any) -> ParameterError:
    """The error for parameter ``name`` of ``owner``, which must be ``what``."""
    import scipy.sparse as sp  # deferred: SciPy loads only when a rule reads ballots

    shown = repr(value)
    if isinstance(value, np.ndarray) or sp.issparse(value) or len(shown) > 40:
        shown = f"{type(value).__name__} of shape {np.shape(value)}"
    return ParameterError(f"The {name!r} parameter of {owner} must be {what}. Got {shown} instead.")


def vector(value: ArrayLike, name: str, owner: str, size: int | None) -> NDArray[np.float64]:
    """A 1-D array of finite non-negative floats (of length ``size`` if given)."""
    what = "a 1-D array of finite non-negative numbers" + (
        "" if size is None else f" of length {size}"
    )
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid(name, owner, what, value) from None
    if arr.ndim != 1 or (size is not None and arr.size != size):
        raise invalid(name, owner, what, value)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        raise invalid(name, owner, what, arr[bad][0].item())
    return arr


def utilities_matrix(value: Any, m: int) -> sp.csr_array | NDArray[np.float64]:
    """An (n, m) matrix of finite non-negative utilities, dense or CSR."""
    import scipy.sparse as sp

    what = f"a 2-D array or sparse matrix of finite non-negative numbers with {m} columns"
    if sp.issparse(value):
        mat = sp.csr_array(value, dtype=np.float64)
        data = mat.data
    else:
        try:
            mat = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise invalid("utilities", "equal_shares", what, value) from None
        data = mat
    if mat.ndim != 2 or mat.shape[1] != m:
        raise invalid("utilities", "equal_shares", what, value)
    bad = ~np.isfinite(data) | (data < 0)
    if bad.any():
        raise invalid("utilities", "equal_shares", what, np.asarray(data)[bad][0].item())
    return mat


def pairs(value: Iterable[Any], name: str, owner: str, m: int) -> list[tuple[int, int]]:
    """Pairs of distinct project indices in ``[0, m)``."""
    what = f"pairs (a, b) of distinct project indices in [0, {m - 1}]"
    out = []
    for pair in value:
        try:
            a, b = (int(v) for v in pair)
            ok = all(float(v) == int(v) for v in pair) and 0 <= a < m and 0 <= b < m and a != b
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise invalid(name, owner, what, pair)
        out.append((a, b))
    return out


def tie_ranks(
    priority: ArrayLike | None, default: NDArray[np.int64], owner: str
) -> NDArray[np.int64]:
    """Tie-break ranks ``0..m-1`` from distinct priority values (``default`` if None)."""
    if priority is None:
        return default
    m = default.size
    what = f"a 1-D array of {m} distinct finite numbers (lower wins ties)"
    try:
        arr = np.asarray(priority, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid("priority", owner, what, priority) from None
    if arr.shape != (m,) or not np.isfinite(arr).all() or np.unique(arr).size != m:
        raise invalid("priority", owner, what, priority)
    ranks = np.empty(m, dtype=np.int64)
    ranks[np.argsort(arr, kind="stable")] = np.arange(m)
    return ranks
