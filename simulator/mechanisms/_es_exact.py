"""Exact rational arithmetic for the Method of Equal Shares.

The fast engine (:mod:`plurisim.mechanisms._es_run`) computes in floating point and
only asks this module when a decision is too close to call: two price factors within
rounding error of each other, or a project whose supporters hold, within rounding
error, exactly its cost. Voters are tracked in *classes*: voters who supported the
same funded projects with the same utilities hold the same budget, so exact values
are computed once per class, not once per voter.

Numbers are read at their shortest decimal representation (``Fraction(repr(x))``),
which is what a data file wrote: a cost of ``0.1`` is exactly one tenth.

Examples
--------
>>> from fractions import Fraction
>>> from plurisim.mechanisms._es_exact import exact, price_factor
>>> exact(0.1)
Fraction(1, 10)
>>> price_factor(Fraction(3), [Fraction(1), Fraction(5)], [Fraction(1), Fraction(1)], [1, 1])
Fraction(2, 1)
>>> price_factor(Fraction(9), [Fraction(1), Fraction(5)], [Fraction(1), Fraction(1)], [1, 1]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

__all__ = ["ClassBook", "exact", "price_factor"]


def exact(x: float) -> Fraction:
    """The number a data file wrote: ``x`` at its shortest decimal representation."""
    return Fraction(repr(float(x)))


def price_factor(
    cost: Fraction,
    values: Sequence[Fraction],
    utils: Sequence[Fraction],
    weights: Sequence[int],
) -> Fraction | None:
    """The smallest ``rho`` with ``sum_g w_g min(v_g, rho u_g) >= cost`` (None if none).

    Each group ``g`` holds ``weights[g]`` voters with budget ``values[g]`` and utility
    ``utils[g] > 0``. This is the scan of pabutools' ``mes_inner_algo`` on groups.
    """
    total = sum((w * v for v, w in zip(values, weights, strict=True)), Fraction(0))
    if total < cost:
        return None
    order = sorted(range(len(values)), key=lambda g: values[g] / utils[g])
    denom = sum((w * u for u, w in zip(utils, weights, strict=True)), Fraction(0))
    paid = Fraction(0)
    for g in order:
        rho = (cost - paid) / denom
        if rho * utils[g] <= values[g]:
            return rho
        paid += weights[g] * values[g]
        denom -= weights[g] * utils[g]
    return None  # pragma: no cover - total >= cost makes the last group pay


class ClassBook:
    """Voters grouped by budget history, with exact budgets computed on demand.

    Class 0 is every voter's starting budget. Funding project ``j`` splits each class
    among ``j``'s supporters by their utility level for ``j``; the new class's budget is
    ``max(0, old - rho * u)``. Exact price factors of past rounds are recomputed from
    the class groups of that round, in order, only when a caller needs an exact value.
    """

    def __init__(self, n: int, start: Fraction) -> None:
        self.cls: NDArray[np.int64] = np.zeros(n, dtype=np.int64)
        self._next = 1
        self._start = start
        # Per round: (project cost, old class ids, utility levels, voters per group, new ids)
        self._rounds: list[
            tuple[Fraction, NDArray[np.int64], list[Fraction], list[int], NDArray[np.int64]]
        ] = []
        self._values: dict[int, Fraction] = {0: start}
        self._done = 0
        self.rhos: list[Fraction] = []

    def groups(
        self,
        supporters: NDArray[np.int64],
        level: NDArray[np.int64],
        n_levels: int,
        mult: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.intp]]:
        """Group ``supporters`` by (class, utility level): ids, levels, voters, inverse."""
        key = self.cls[supporters] * n_levels + level
        uniq, inv = np.unique(key, return_inverse=True)
        counts = np.bincount(inv, weights=mult[supporters]).round().astype(np.int64)
        return uniq // n_levels, uniq % n_levels, counts, inv

    def fund(
        self,
        cost: Fraction,
        supporters: NDArray[np.int64],
        level: NDArray[np.int64],
        levels: Sequence[Fraction],
        mult: NDArray[np.int64],
    ) -> None:
        """Record that ``supporters`` paid for a project of exact ``cost``."""
        old, lev, counts, inv = self.groups(supporters, level, len(levels), mult)
        new = np.arange(self._next, self._next + old.size, dtype=np.int64)
        self._next += old.size
        self._rounds.append((cost, old, [levels[i] for i in lev], counts.tolist(), new))
        self.cls[supporters] = new[inv]

    def _catch_up(self) -> None:
        while self._done < len(self._rounds):
            cost, old, utils, counts, new = self._rounds[self._done]
            values = [self._values[int(c)] for c in old]
            rho = price_factor(cost, values, utils, counts)
            if rho is None:  # pragma: no cover - the float engine only funds affordable projects
                raise ArithmeticError("a funded project is not affordable in exact arithmetic")
            self.rhos.append(rho)
            for c, v, u in zip(new.tolist(), values, utils, strict=True):
                self._values[c] = max(Fraction(0), v - rho * u)
            self._done += 1

    def values(self, ids: NDArray[np.int64]) -> list[Fraction]:
        """Exact budgets of the classes ``ids``."""
        self._catch_up()
        return [self._values[int(c)] for c in ids]

    def rho(
        self,
        cost: Fraction,
        supporters: NDArray[np.int64],
        level: NDArray[np.int64],
        levels: Sequence[Fraction],
        mult: NDArray[np.int64],
    ) -> Fraction | None:
        """Exact price factor of a project now (None if its supporters cannot afford it)."""
        old, lev, counts, _ = self.groups(supporters, level, len(levels), mult)
        return price_factor(cost, self.values(old), [levels[i] for i in lev], counts.tolist())
