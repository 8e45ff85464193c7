"""Parameter checks with one error format.

The messages follow scikit-learn's convention so that every bad parameter reads the
same way wherever it is caught::

    The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np
from plurisim.errors import ParameterError

__all__ = [
    "check_choice",
    "check_int",
    "check_real",
    "check_seed",
    "interval",
    "strip_union_tags",
]

MAX_SEED = 2**128 - 1  # what numpy.random.SeedSequence takes as one int

_TAG_PREFIXES = ("literal[", "constrained-", "function-", "list[", "dict[", "tuple[", "nullable[")
_TAG_NAMES = {"str", "float", "int", "bool", "none"}


def strip_union_tags(loc: tuple[Any, ...], model_names: Iterable[str] = ()) -> tuple[Any, ...]:
    """Drop the tags pydantic adds to an error location for each alternative of a union.

    Examples
    --------
    >>> strip_union_tags(("seeds", "SeedSpec", "count"), ["SeedSpec"])
    ('seeds', 'count')
    """
    models = set(model_names)
    return tuple(
        p
        for p in loc
        if not (
            isinstance(p, str) and (p.startswith(_TAG_PREFIXES) or p in _TAG_NAMES or p in models)
        )
    )


def _fmt(value: Any) -> str:
    return repr(value)


def interval(low: float | None, high: float | None, closed: str) -> str:
    """A range in words, such as ``[1, 1000]`` or ``(0, inf)`` (infinite ends are open)."""
    left = "[" if closed in ("both", "left") and low is not None else "("
    right = "]" if closed in ("both", "right") and high is not None else ")"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_int(
    value: Any,
    name: str,
    owner: str,
    *,
    low: int | None = None,
    high: int | None = None,
) -> int:
    """Return ``value`` as an int or raise a :class:`ParameterError`.

    Examples
    --------
    >>> check_int(3, "rounds", "negotiate", low=1)
    3
    >>> check_int(0, "rounds", "negotiate", low=1, high=1000)
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'rounds' parameter of negotiate must be an int in the range [1, 1000]. Got 0 instead.
    """
    ok = isinstance(value, Integral | np.integer) and not isinstance(value, bool)
    if ok and (low is None or value >= low) and (high is None or value <= high):
        return int(value)
    raise ParameterError(
        f"The {name!r} parameter of {owner} must be an int in the range "
        f"{interval(low, high, 'both')}. Got {_fmt(value)} instead."
    )


def check_real(
    value: Any,
    name: str,
    owner: str,
    *,
    low: float | None = None,
    high: float | None = None,
    closed: str = "both",
) -> float:
    """Return ``value`` as a finite float in the interval or raise :class:`ParameterError`.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"``.

    Examples
    --------
    >>> check_real(0.5, "quorum", "negotiate", low=0, high=1, closed="right")
    0.5
    >>> check_real(0, "quorum", "negotiate", low=0, high=1, closed="right")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'quorum' parameter of negotiate must be a real number in the range (0, 1]. Got 0 instead.
    """
    ok = isinstance(value, Real | np.floating | np.integer) and not isinstance(value, bool)
    if ok:
        v = float(value)
        if math.isfinite(v):
            lo_ok = low is None or (v >= low if closed in ("both", "left") else v > low)
            hi_ok = high is None or (v <= high if closed in ("both", "right") else v < high)
            if lo_ok and hi_ok:
                return v
    raise ParameterError(
        f"The {name!r} parameter of {owner} must be a real number in the range "
        f"{interval(low, high, closed)}. Got {_fmt(value)} instead."
    )


def check_choice(value: Any, name: str, owner: str, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise :class:`ParameterError`.

    Examples
    --------
    >>> check_choice("linear", "concession", "negotiate", ["boulware", "linear", "conceder"])
    'linear'
    >>> check_choice("fast", "concession", "negotiate", ["boulware", "linear", "conceder"])
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'concession' parameter of negotiate must be one of 'boulware', 'linear', 'conceder'. Got 'fast' instead.
    """
    options = list(choices)
    if value in options:
        return value
    listed = ", ".join(repr(c) for c in options)
    raise ParameterError(
        f"The {name!r} parameter of {owner} must be one of {listed}. Got {_fmt(value)} instead."
    )


def check_seed(seed: Any, owner: str | None = None) -> Any:
    """Check a seed: None, a non-negative int, a SeedSequence or a Generator.

    Returned unchanged. One check for every entry point (scenarios, rules,
    negotiations, experiments, the command line), so every bad seed reads the same.

    Examples
    --------
    >>> check_seed(7)
    7
    >>> check_seed(-1, "compare")
    Traceback (most recent call last):
    ...
    plurisim.errors.ParameterError: The 'seed' parameter of compare must be None, a non-negative int below 2**128, a numpy SeedSequence or a numpy Generator. Got -1 instead.
    """
    if seed is None or isinstance(seed, np.random.SeedSequence | np.random.Generator):
        return seed
    is_int = isinstance(seed, Integral) and not isinstance(seed, bool | np.bool_)
    if is_int and 0 <= int(seed) <= MAX_SEED:
        return seed
    where = f" of {owner}" if owner else ""
    raise ParameterError(
        f"The 'seed' parameter{where} must be None, a non-negative int below 2**128, "
        f"a numpy SeedSequence or a numpy Generator. Got {_fmt(seed)} instead."
    )
